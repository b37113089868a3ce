//! Suspend and resume every worker of an instance, with RQ's own flag: `SET rq:suspended 1`
//! (`EX` for a duration) and `DEL rq:suspended`, exactly as `rq suspend` / `rq resume` do.
//!
//! Workers look at the flag between jobs only: running jobs finish, and a worker already
//! blocked waiting for a job takes one more before it notices.

use serde::Serialize;

use super::{Error, Instance, Result, value};

/// Whether workers are suspended, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suspension {
    pub suspended: bool,
    /// Seconds until the flag expires by itself (None: until resumed).
    pub ttl: Option<i64>,
}

/// Read the flag (EXISTS + TTL in one round trip).
pub async fn state(inst: &Instance) -> Result<Suspension> {
    let key = inst.keys.suspended();
    let mut p = redis::pipe();
    p.cmd("EXISTS").arg(&key).cmd("TTL").arg(&key);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let suspended = v.first().map_or(0, value::int) > 0;
    let ttl = v.get(1).map_or(-2, value::int);
    Ok(Suspension { suspended, ttl: (suspended && ttl >= 0).then_some(ttl) })
}

/// RQ's `suspend(connection, ttl)`: `SET rq:suspended 1`, expiring when a duration is given
/// (`EX`: one command, so no MULTI, which a least-privilege ACL user may lack). Without a
/// duration an earlier expiry is cleared (SET drops it), as with RQ.
pub async fn suspend(inst: &Instance, duration_secs: Option<u64>) -> Result<Suspension> {
    if duration_secs == Some(0) {
        return Err(Error::BadRequest("a suspension lasts at least 1 second".to_owned()));
    }
    let key = inst.keys.suspended();
    let mut p = redis::pipe();
    p.cmd("SET").arg(&key).arg(1);
    if let Some(s) = duration_secs {
        p.arg("EX").arg(s);
    }
    inst.query::<()>(&p).await?;
    state(inst).await
}

/// RQ's `resume(connection)`: `DEL rq:suspended`. Returns whether workers were suspended.
pub async fn resume(inst: &Instance) -> Result<bool> {
    let mut p = redis::pipe();
    p.cmd("DEL").arg(inst.keys.suspended());
    let (n,): (i64,) = inst.query(&p).await?;
    Ok(n > 0)
}
