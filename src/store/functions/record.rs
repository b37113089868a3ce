//! Writing one tick of per-function performance through `lua/functions_record.lua`: the jobs that
//! ended in each counted minute, grouped by (queue, function), capped per queue and day.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use redis::Script;

use super::hist::Hist;
use super::layout::{self, Keys, OTHER, UNKNOWN};
use crate::store::history::buckets::Kind;
use crate::store::history::layout::{floor, hour_expiry, minute_expiry};
use crate::store::history::throughput::QueueThroughput;
use crate::store::{Instance, Result, value};

/// Default of `--functions-max`: functions recorded per queue and day before the rest is folded.
pub const DEFAULT_MAX: usize = 200;
/// Minute rows per script call (each with its hour row): bounds one call's work.
const ROWS_PER_CALL: usize = 100;

static RECORD: LazyLock<Script> = LazyLock::new(|| {
    crate::store::write::with_keys_prelude(include_str!("../../../lua/functions_record.lua"))
});

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

/// A histogram as the script takes it: its buckets, then its sum as `s:<milliseconds>` (whole
/// milliseconds keep most rows under Redis' 64-byte listpack value limit).
fn with_sum(h: &Hist, secs: f64) -> String {
    match (h.encode(), (secs * 1e3).round().clamp(0.0, 1e15) as u64) {
        (e, 0) => e,
        (e, ms) if e.is_empty() => format!("s:{ms}"),
        (e, ms) => format!("{e};s:{ms}"),
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

/// Write the rows; returns the minute rows written.
pub async fn write(inst: &Instance, keys: &Keys, rows: &Rows) -> Result<i64> {
    let all: Vec<_> = rows.iter().collect();
    let mut written = 0;
    for chunk in all.chunks(ROWS_PER_CALL) {
        let v = inst.invoke(&invocation(keys, chunk)).await?;
        written += value::array(&v).first().map_or(0, value::int);
    }
    Ok(written)
}

fn invocation<'a>(keys: &Keys, chunk: &[(&(String, String, i64), &Row)]) -> redis::ScriptInvocation<'a> {
    let mut inv = RECORD.prepare_invoke();
    let mut hours: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new(); // keys -> (field, expiry)
    let mut names: BTreeMap<(String, String), i64> = BTreeMap::new(); // (set key, function)
    for ((q, f, m), _) in chunk {
        let h = floor(*m, 3600);
        inv.key(keys.minute(q, f, h));
        let d = floor(h, 86_400);
        hours.insert((keys.hour(q, f, d), keys.minute(q, f, h)), ((h - d) / 3600, hour_expiry(d)));
        names.insert((keys.names(q, d), f.clone()), layout::names_expiry(d));
    }
    for (hk, mk) in hours.keys() {
        inv.key(hk).key(mk);
    }
    for (k, _) in names.keys() {
        inv.key(k);
    }
    for ((q, f, _), _) in chunk {
        inv.key(keys.totals(q, f));
    }
    inv.arg(chunk.len());
    // 1-based, as the script indexes its names entries (a row's function joins its day's set
    // only when the row is written).
    let name_index: HashMap<&(String, String), usize> = names.keys().zip(1..).collect();
    for ((q, f, m), r) in chunk {
        let h = floor(*m, 3600);
        let set = (keys.names(q, floor(h, 86_400)), f.clone());
        inv.arg((m - h) / 60)
            .arg(format!("{},{}", r.finished, r.failed))
            .arg(format!("{}|{}", with_sum(&r.run, r.run_sum), with_sum(&r.wait, r.wait_sum)))
            .arg(minute_expiry(h))
            .arg(name_index.get(&set).copied().unwrap_or_default());
    }
    inv.arg(hours.len());
    for (field, expiry) in hours.values() {
        inv.arg(field).arg(expiry);
    }
    inv.arg(names.len());
    for ((_, f), expiry) in &names {
        inv.arg(f).arg(expiry);
    }
    // Totals live as long as the hour rows of the newest day written: 90 days without jobs.
    let newest = chunk.iter().map(|((_, _, m), _)| floor(*m, 86_400)).max().unwrap_or_default();
    inv.arg(super::totals::expiry(newest));
    inv
}
