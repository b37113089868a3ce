//! The end of a demo on someone else's Redis (`--redis-url`): remove exactly what it created.
//! That is every job it created (hash, dependency sets, results stream, executions), every key
//! of its namespaced queues (list, intermediate list, registries, worker set, scheduler lock,
//! cleaning lock) and every id still in them, its workers and scheduler, its members of
//! `rq:queues` / `rq:workers`, and the dashboard's history under the demo's own prefix. Keys
//! outside these names are never touched.

use std::collections::HashSet;

use redis::Value;

use super::Demo;
use crate::rq::State;
use crate::store::{Instance, Result, value};

/// Keys per DEL, ids per pipeline.
const BATCH: usize = 500;

impl Demo {
    /// Remove the demo's data (a no-op for a private Redis, which is thrown away whole).
    pub async fn remove(&mut self) -> Result<()> {
        let Some(created) = self.created.take() else { return Ok(()) };
        let inst = self.inst()?;
        let k = &inst.keys;
        let mut ids: HashSet<String> = created;
        let mut p = redis::pipe();
        for q in &self.queues {
            p.cmd("LRANGE").arg(k.queue(q)).arg(0).arg(-1);
            p.cmd("LRANGE").arg(k.intermediate(q)).arg(0).arg(-1);
            for s in State::ALL.into_iter().filter(|s| *s != State::Queued) {
                p.cmd("ZRANGE").arg(k.state_key(s, q)).arg(0).arg(-1);
            }
        }
        let lists: Vec<Value> = inst.query(&p).await?;
        for member in lists.iter().flat_map(value::strings) {
            // Started members are `<id>:<execution id>` (RQ 2.x+).
            ids.insert(crate::rq::split_started_member(&member).0.to_owned());
        }
        let ids: Vec<String> = ids.into_iter().collect();
        for batch in ids.chunks(BATCH) {
            delete_jobs(inst, batch).await?;
        }
        let mut keys = Vec::new();
        for q in &self.queues {
            keys.push(k.queue(q));
            keys.push(k.intermediate(q));
            keys.extend(State::ALL.into_iter().filter_map(|s| k.registry(s, q)));
            keys.push(k.queue_workers(q));
            keys.push(format!("{}:scheduler-lock:{q}", k.prefix()));
            keys.push(format!("{}:clean_registries:{q}", k.prefix()));
        }
        let workers: Vec<String> = self.workers.iter().map(|w| k.worker(&w.name)).collect();
        keys.extend(workers.iter().cloned());
        keys.extend(self.workers.iter().map(|w| k.worker_executions(&w.name)));
        keys.push(format!("{}:scheduler:{}", k.prefix(), self.scheduler.name));
        let mut patterns: Vec<String> =
            self.queues.iter().map(|q| format!("{}:first_seen:*", glob(&k.intermediate(q)))).collect();
        if let Some(h) = &self.history_prefix {
            patterns.push(format!("{}:*", glob(h)));
        }
        keys.extend(scan(inst, &patterns).await?);
        let mut p = redis::pipe();
        p.cmd("SREM")
            .arg(k.queues())
            .arg(self.queues.iter().map(|q| k.queue(q)).collect::<Vec<_>>())
            .ignore();
        p.cmd("SREM").arg(k.workers()).arg(&workers).ignore();
        for chunk in keys.chunks(BATCH) {
            p.cmd("DEL").arg(chunk).ignore();
        }
        inst.query::<()>(&p).await
    }
}

/// Delete the keys of these job ids, their execution hashes included.
async fn delete_jobs(inst: &Instance, ids: &[String]) -> Result<()> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    for id in ids {
        p.cmd("ZRANGE").arg(k.executions(id)).arg(0).arg(-1);
    }
    let eids: Vec<Value> = inst.query(&p).await?;
    let mut keys = Vec::with_capacity(ids.len() * 5);
    for (id, e) in ids.iter().zip(&eids) {
        keys.extend([k.job(id), k.dependents(id), k.dependencies(id), k.results(id), k.executions(id)]);
        keys.extend(value::strings(e).iter().map(|eid| format!("{}:execution:{id}:{eid}", k.prefix())));
    }
    let mut p = redis::pipe();
    for chunk in keys.chunks(BATCH) {
        p.cmd("DEL").arg(chunk).ignore();
    }
    inst.query::<()>(&p).await
}

/// Keys matching any of `patterns` (SCAN, so a big Redis is walked without blocking it).
async fn scan(inst: &Instance, patterns: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for pattern in patterns {
        let mut cursor = "0".to_owned();
        loop {
            let mut p = redis::pipe();
            p.cmd("SCAN").arg(&cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000);
            let (reply,): (Value,) = inst.query(&p).await?;
            let parts = value::array(&reply);
            cursor = parts.first().and_then(value::string).unwrap_or_else(|| "0".to_owned());
            out.extend(parts.get(1).map(value::strings).unwrap_or_default());
            if cursor == "0" {
                break;
            }
        }
    }
    Ok(out)
}

/// `s` with glob's special characters escaped, for SCAN MATCH.
fn glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
