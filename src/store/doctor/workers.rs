//! The worker checks of doctor: stale members of the worker sets, and started jobs whose
//! heartbeat score passed or whose worker hash is gone (RQ's own test for a dead worker).

use std::collections::HashMap;

use redis::Value;

use super::scan::{Acc, Place};
use super::{CHUNK, Check};
use crate::rq::key_type::KeyType;
use crate::store::{Instance, Result, value};

/// Stale members of the worker sets, and started jobs whose heartbeat or worker is gone.
pub(super) async fn check(
    inst: &Instance,
    acc: &mut Acc,
    sets: &[(Place, Vec<String>)],
    now: f64,
) -> Result<()> {
    let k = &inst.keys;
    let mut keys: Vec<String> = sets.iter().flat_map(|(_, m)| m.iter().cloned()).collect();
    keys.extend(acc.started.iter().filter(|s| !s.worker.is_empty()).map(|s| k.worker(&s.worker)));
    keys.sort();
    keys.dedup();
    let mut alive: HashMap<String, bool> = HashMap::with_capacity(keys.len());
    for batch in keys.chunks(CHUNK) {
        let mut p = redis::pipe();
        for key in batch {
            p.cmd("TYPE").arg(key);
        }
        let v: Vec<Value> = inst.query(&p).await?;
        // TYPE rather than EXISTS: a worker key holding something else than a hash is not gone
        // (RQ's EXISTS test keeps it), but corrupt.
        for (key, t) in batch.iter().zip(&v) {
            let t = match t {
                Value::SimpleString(s) => s.clone(),
                other => value::string(other).unwrap_or_default(),
            };
            if t != "hash" && t != "none" {
                acc.wrong.add(key, KeyType::Hash);
            }
            alive.insert(key.clone(), t != "none" && !t.is_empty());
        }
    }
    let ns = k.worker_ns();
    for (place, members) in sets {
        let check = if place.queue.is_some() { Check::StaleQueueWorker } else { Check::StaleWorker };
        for m in members.iter().filter(|m| !alive.get(*m).copied().unwrap_or(false)) {
            let name = m.strip_prefix(&ns).unwrap_or(m).to_owned();
            acc.note(check, place, name, Some((place.key.clone().unwrap_or_default(), m.clone())));
        }
    }
    for s in std::mem::take(&mut acc.started) {
        let worker_gone = !s.worker.is_empty() && !alive.get(&k.worker(&s.worker)).copied().unwrap_or(false);
        let why = match s.score {
            Some(score) if score < now => format!("heartbeat expired {:.0}s ago", now - score),
            _ if worker_gone => format!("worker {} is gone", s.worker),
            _ => continue,
        };
        acc.note(Check::AbandonedStarted, &s.place, format!("{} ({why})", s.id), None);
    }
    Ok(())
}
