//! Writing one tick of per-function performance through `lua/functions_record.lua`: the jobs that
//! ended in each counted minute, grouped by (queue, function), capped per queue and day.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::hist::Hist;
use super::layout::{Keys, OTHER, UNKNOWN};
use crate::store::history::buckets::Kind;
use crate::store::history::layout::floor;
use crate::store::history::throughput::QueueThroughput;
use crate::store::{Instance, Result, value};

/// Default of `--functions-max`: functions recorded per queue and day before the rest is folded.
pub const DEFAULT_MAX: usize = 200;

/// One minute of one (queue, function).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub finished: u64,
    pub failed: u64,
    pub run: Hist,
    pub wait: Hist,
    /// Sums of the run times and waits in `run` and `wait`, in seconds (for `_sum`).
    pub run_sum: f64,
    pub wait_sum: f64,
}

impl Row {
    pub fn add(&mut self, kind: Kind, run: Option<f64>, wait: Option<f64>) {
        match kind {
            Kind::Finished => self.finished += 1,
            Kind::Failed => self.failed += 1,
        }
        run.into_iter().for_each(|r| {
            self.run.add(r);
            self.run_sum += r;
        });
        wait.into_iter().for_each(|w| {
            self.wait.add(w);
            self.wait_sum += w;
        });
    }
}

/// Rows keyed by (queue, function, minute start).
pub type Rows = BTreeMap<(String, String, i64), Row>;

/// Group the jobs of every queue that ended in a minute the tick counted completely (a minute a
/// saturated read could not reach is left out, so its stored rows are never lowered or guessed).
/// `known` holds, per queue, the day's function names already recorded; new names beyond `max`
/// are folded into [`OTHER`].
pub fn rows(thr: &[QueueThroughput], known: &HashMap<String, HashSet<String>>, max: usize) -> Rows {
    let mut out = Rows::new();
    for t in thr {
        let Some(queue) = t.ended.first().map(|e| e.queue.clone()) else { continue };
        let empty = HashSet::new();
        let seen = known.get(&queue).unwrap_or(&empty);
        let mut per_func: HashMap<&str, u64> = HashMap::new();
        for e in &t.ended {
            *per_func.entry(e.func.as_deref().unwrap_or(UNKNOWN)).or_default() += 1;
        }
        // Known names first, then the busiest new ones, until the cap.
        let mut names: Vec<(&str, u64)> = per_func.into_iter().collect();
        names.sort_by(|a, b| {
            seen.contains(b.0).cmp(&seen.contains(a.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0))
        });
        let mut kept: HashSet<&str> = seen.iter().map(String::as_str).collect();
        kept.remove(OTHER);
        for (n, _) in &names {
            if kept.len() < max || kept.contains(n) {
                kept.insert(n);
            }
        }
        for e in &t.ended {
            let m = floor(e.ended_at.floor() as i64, 60);
            let counted = match e.kind {
                Kind::Finished => &t.finished,
                Kind::Failed => &t.failed,
            };
            if !counted.contains_key(&m) {
                continue;
            }
            let f = e.func.as_deref().unwrap_or(UNKNOWN);
            let f = if kept.contains(f) { f } else { OTHER };
            out.entry((queue.clone(), f.to_owned(), m)).or_default().add(e.kind, e.run_time(), e.wait_time());
        }
    }
    out
}

/// Read the day's known function names of every queue with ended jobs (one pipeline).
pub async fn known(
    inst: &Instance,
    keys: &Keys,
    thr: &[QueueThroughput],
    now: i64,
) -> Result<HashMap<String, HashSet<String>>> {
    let queues: Vec<&str> = thr.iter().filter_map(|t| t.ended.first().map(|e| e.queue.as_str())).collect();
    if queues.is_empty() {
        return Ok(HashMap::new());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    let day = floor(now, 86_400);
    for q in &queues {
        p.cmd("SMEMBERS").arg(keys.names(q, day));
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    Ok(queues
        .iter()
        .zip(&vals)
        .map(|(q, v)| ((*q).to_owned(), value::strings(v).into_iter().collect()))
        .collect())
}

/// Write the rows without the sampler's cache (see [`super::write`]); returns the minute rows
/// written.
pub async fn write(inst: &Instance, keys: &Keys, rows: &Rows) -> Result<i64> {
    super::write::write(inst, keys, rows).await
}
