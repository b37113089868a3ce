//! One worker in full: its hash, and the jobs it recently finished or failed, found through the
//! `worker_name` of the newest entries of its queues' registries (bounded: RQ keeps no per-worker index).

use serde::Serialize;

use super::key_type::Suspects;
use super::{Error, Instance, Result, jobs, value};
use crate::rq::job::JobRow;
use crate::rq::key_type::{KeyType, WrongType};
use crate::rq::worker::Worker;
use crate::rq::{State, time};

/// Newest registry entries examined per queue and registry.
const SCAN: usize = 300;
/// Jobs shown per list.
const SHOW: usize = 25;

/// The worker page.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerDetail {
    pub worker: Worker,
    /// TTL the worker hash had when read: its heartbeat must come before it runs out.
    pub heartbeat_deadline_seconds: Option<i64>,
    pub recent_finished: Vec<JobRow>,
    pub recent_failed: Vec<JobRow>,
    /// Jobs in `started` that name this worker but whose heartbeat expired: abandoned.
    pub abandoned: Vec<JobRow>,
    /// How many newest entries per registry were examined for the lists above.
    pub scanned_per_registry: usize,
    /// Its hash, its executions set, `rq:workers` or the registries read holding another type
    /// than RQ keeps there (read as empty).
    pub corrupt: Vec<WrongType>,
}

/// Read one worker; 404 when it is neither registered nor has a hash.
pub async fn worker(inst: &Instance, name: &str) -> Result<WorkerDetail> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("HGETALL").arg(k.worker(name));
    p.cmd("SMEMBERS").arg(k.worker_executions(name));
    p.cmd("TTL").arg(k.worker(name));
    p.cmd("SISMEMBER").arg(k.workers()).arg(k.worker(name));
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    let hash_wrong = suspects.check(&k.worker(name), KeyType::Hash, v.get(..1).unwrap_or(&[]));
    suspects.check(&k.worker_executions(name), KeyType::Set, v.get(1..2).unwrap_or(&[]));
    suspects.check(&k.workers(), KeyType::Set, v.get(3..4).unwrap_or(&[]));
    let fields = v.first().map(value::pairs).unwrap_or_default();
    let registered = v.get(3).map_or(0, value::int) > 0;
    if fields.is_empty() && !registered && !hash_wrong {
        return Err(Error::NotFound(format!("no worker named {name:?}")));
    }
    let ttl = v.get(2).map_or(-2, value::int);
    let w = Worker::from_hash(name, &fields, &v.get(1).map(value::strings).unwrap_or_default(), ttl);
    let mut p = redis::pipe();
    p.ignore_errors();
    let states = [State::Finished, State::Failed, State::Started];
    for q in &w.queues {
        for s in states {
            p.cmd("ZREVRANGE").arg(k.state_key(s, q)).arg(0).arg(SCAN - 1).arg("WITHSCORES");
        }
    }
    let lists: Vec<redis::Value> = if w.queues.is_empty() { Vec::new() } else { inst.query(&p).await? };
    let mut by_state: [Vec<(String, Option<f64>)>; 3] = Default::default();
    for (i, l) in lists.iter().enumerate() {
        if let Some(q) = w.queues.get(i / 3) {
            suspects.check(&k.state_key(states[i % 3], q), KeyType::Zset, std::slice::from_ref(l));
        }
        by_state[i % 3].extend(value::scored(l));
    }
    let now = time::now_epoch();
    let pick = |rows: Vec<JobRow>, abandoned: bool| -> Vec<JobRow> {
        let mut rows: Vec<JobRow> = rows
            .into_iter()
            .filter(|r| r.worker_name.as_deref() == Some(name))
            .filter(|r| !abandoned || r.score.is_some_and(|s| s < now))
            .collect();
        // Several queues were read one after the other: newest first across all of them.
        rows.sort_by(|a, b| b.ended_at.cmp(&a.ended_at));
        rows.truncate(SHOW);
        rows
    };
    let (fin, fail, started) = tokio::try_join!(
        jobs::rows(inst, State::Finished, &by_state[0]),
        jobs::rows(inst, State::Failed, &by_state[1]),
        jobs::rows(inst, State::Started, &by_state[2]),
    )?;
    Ok(WorkerDetail {
        heartbeat_deadline_seconds: (ttl >= 0).then_some(ttl),
        recent_finished: pick(fin, false),
        recent_failed: pick(fail, false),
        abandoned: pick(started, true),
        scanned_per_registry: SCAN,
        corrupt: suspects.name(inst).await?,
        worker: w,
    })
}
