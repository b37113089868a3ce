//! What the health alerter keeps in Redis, under rqdash's own keys (never RQ's): the lease that
//! makes one replica the sender, and the verdict last sent per subject. Two tiny keys per Redis.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use redis::Script;

use super::{Instance, Result, value};

/// The lease: its value is the holder's owner id.
pub const LEASE_KEY: &str = "rqdash:health:lease";
/// Hash of subject (`instance`, `queue:<name>`) → verdict last sent.
pub const SENT_KEY: &str = "rqdash:health:sent";

static LEASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("../../lua/health_lease.lua")));
static SENT: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("../../lua/health_sent.lua")));

/// Take or renew the lease for `owner`; whether `owner` holds it now.
pub async fn hold(inst: &Instance, owner: &str, ttl: Duration) -> Result<bool> {
    let mut inv = LEASE.prepare_invoke();
    inv.key(LEASE_KEY).arg(owner).arg(ttl.as_millis().max(1) as u64);
    Ok(value::int(&inv_call(inst, &inv).await?) == 1)
}

/// The verdicts last sent (subject → verdict word).
pub async fn sent(inst: &Instance) -> Result<HashMap<String, String>> {
    let mut p = redis::pipe();
    p.cmd("HGETALL").arg(SENT_KEY);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let pairs = v.first().map(value::pairs).unwrap_or_default();
    Ok(pairs.into_iter().map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned())).collect())
}

/// Record `verdicts` (an empty verdict forgets the subject) if `owner` still holds the lease.
pub async fn record(inst: &Instance, owner: &str, verdicts: &[(String, String)]) -> Result<bool> {
    let mut inv = SENT.prepare_invoke();
    inv.key(LEASE_KEY).key(SENT_KEY).arg(owner);
    for (k, v) in verdicts {
        inv.arg(k).arg(v);
    }
    Ok(value::int(&inv_call(inst, &inv).await?) == 1)
}

async fn inv_call(inst: &Instance, inv: &redis::ScriptInvocation<'_>) -> Result<redis::Value> {
    inst.invoke(inv).await
}
