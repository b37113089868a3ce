//! What workers are doing now: the current job of each busy worker (function, arguments,
//! queue, start time), and which worker names still have a page to show (a link to a worker
//! that has exited and left nothing would lead to a 404).

use std::collections::{HashMap, HashSet};

use super::{Instance, Result, jobs, value};
use crate::rq::State;
use crate::rq::job::JobRow;

use super::workers::Workers;

/// The current job of every worker that names one, by job id, in one pipelined read of the
/// fields a row shows. A job whose hash is gone comes back marked `missing`.
pub async fn current_jobs(inst: &Instance, w: &Workers) -> Result<HashMap<String, JobRow>> {
    let mut ids: Vec<String> = w.workers.iter().filter_map(|x| x.current_job.clone()).collect();
    ids.sort();
    ids.dedup();
    let members: Vec<(String, Option<f64>)> = ids.into_iter().map(|id| (id, None)).collect();
    let rows = jobs::rows(inst, State::Started, &members).await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}

/// The names among `names` whose worker page can say something: registered in `rq:workers`,
/// or with a worker hash left (the page 404s otherwise). One pipelined read.
pub async fn known_workers(inst: &Instance, names: &[String]) -> Result<HashSet<String>> {
    let mut uniq: Vec<&String> = names.iter().collect();
    uniq.sort();
    uniq.dedup();
    if uniq.is_empty() {
        return Ok(HashSet::new());
    }
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for n in &uniq {
        p.cmd("SISMEMBER").arg(k.workers()).arg(k.worker(n));
        p.cmd("EXISTS").arg(k.worker(n));
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let known = uniq
        .iter()
        .zip(v.chunks(2))
        .filter(|(_, r)| r.iter().any(|x| value::int(x) > 0))
        .map(|(n, _)| (*n).clone())
        .collect();
    Ok(known)
}
