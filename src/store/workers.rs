//! Workers: every member of `rq:workers` in one pipelined read; gone hashes are reported as stale.

use serde::Serialize;

use super::key_type::Suspects;
use super::{Instance, Result, value};
use crate::rq::Keys;
use crate::rq::key_type::{KeyType, WrongType};
use crate::rq::pool::{self, Pool};
use crate::rq::worker::Worker;

/// The workers page / API.
#[derive(Debug, Clone, Serialize)]
pub struct Workers {
    pub workers: Vec<Worker>,
    /// `rq:suspended` exists: workers take no new jobs.
    pub suspended: bool,
    /// Seconds until the suspension lifts by itself (None: until resumed).
    pub suspended_ttl: Option<i64>,
    /// `rq:workers`, worker hashes or their executions sets holding another type than RQ keeps
    /// there (read as empty: such a worker is listed as stale).
    pub corrupt: Vec<WrongType>,
    /// Inferred worker pools: RQ records no pool id (see `rq::pool`).
    pub pools: Vec<Pool>,
}

/// Read all workers, sorted by name.
pub async fn workers(inst: &Instance) -> Result<Workers> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(k.workers()).cmd("EXISTS").arg(k.suspended()).cmd("TTL").arg(k.suspended());
    let head: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    suspects.check(&k.workers(), KeyType::Set, head.get(..1).unwrap_or(&[]));
    let ns = k.worker_ns();
    let mut names: Vec<String> = head
        .first()
        .map(value::strings)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| Keys::strip(&ns, m).map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    let suspended = head.get(1).map_or(0, value::int) > 0;
    let ttl = head.get(2).map_or(-2, value::int);
    let mut list = Vec::with_capacity(names.len());
    if !names.is_empty() {
        let mut p = redis::pipe();
        p.ignore_errors();
        for n in &names {
            p.cmd("HGETALL").arg(k.worker(n));
            p.cmd("SMEMBERS").arg(k.worker_executions(n));
            p.cmd("TTL").arg(k.worker(n));
        }
        let vals: Vec<redis::Value> = inst.query(&p).await?;
        for (i, n) in names.iter().enumerate() {
            let c = vals.get(i * 3..i * 3 + 3).unwrap_or(&[]);
            suspects.check(&k.worker(n), KeyType::Hash, c.get(..1).unwrap_or(&[]));
            suspects.check(&k.worker_executions(n), KeyType::Set, c.get(1..2).unwrap_or(&[]));
            let fields = c.first().map(value::pairs).unwrap_or_default();
            let execs = c.get(1).map(value::strings).unwrap_or_default();
            list.push(Worker::from_hash(n, &fields, &execs, c.get(2).map_or(-2, value::int)));
        }
    }
    if list.iter().any(|w| w.version.as_deref().is_some_and(crate::rq::rate_limit::has_rate_limits)) {
        inst.saw_rate_limits();
    }
    let corrupt = suspects.name(inst).await?;
    let pools = pool::group(&mut list);
    Ok(Workers {
        workers: list,
        suspended,
        suspended_ttl: (suspended && ttl >= 0).then_some(ttl),
        corrupt,
        pools,
    })
}
