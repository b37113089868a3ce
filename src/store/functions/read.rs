//! Reading per-function performance back: the table of every (queue, function) over a range with
//! the previous period for trends, and one function's buckets for charts. `SMEMBERS` and
//! `HGETALL` only (one pipeline each); reads never write.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::hist::Hist;
use super::layout::Keys;
use super::record::Row;
use crate::store::history::Range;
use crate::store::history::layout::floor;
use crate::store::{Instance, Result, value};

/// Totals of one (queue, function) over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stat {
    pub queue: String,
    pub function: String,
    pub calls: u64,
    pub finished: u64,
    pub failed: u64,
    /// Failed / (finished + failed); None without calls.
    pub failure_rate: Option<f64>,
    pub run_p50: Option<f64>,
    pub run_p95: Option<f64>,
    pub run_p99: Option<f64>,
    pub wait_p95: Option<f64>,
    /// Calls in the period before, and the run time p95 then (the trend).
    pub prev_calls: u64,
    pub prev_run_p95: Option<f64>,
    #[serde(skip)]
    pub run: Hist,
    #[serde(skip)]
    pub wait: Hist,
}

impl Stat {
    fn of(queue: &str, function: &str, now: &Row, prev: &Row) -> Stat {
        let calls = now.finished + now.failed;
        Stat {
            queue: queue.to_owned(),
            function: function.to_owned(),
            calls,
            finished: now.finished,
            failed: now.failed,
            failure_rate: (calls > 0).then(|| now.failed as f64 / calls as f64),
            run_p50: now.run.quantile(0.5),
            run_p95: now.run.quantile(0.95),
            run_p99: now.run.quantile(0.99),
            wait_p95: now.wait.quantile(0.95),
            prev_calls: prev.finished + prev.failed,
            prev_run_p95: prev.run.quantile(0.95),
            run: now.run.clone(),
            wait: now.wait.clone(),
        }
    }
}

/// One bucket of one function (summed over the queues asked for).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bucket {
    /// Start of the bucket, unix seconds.
    pub t: i64,
    pub finished: u64,
    pub failed: u64,
    pub run_p50: Option<f64>,
    pub run_p95: Option<f64>,
    pub wait_p95: Option<f64>,
}

/// Parse a stored row `finished,failed,run,wait`; garbage reads as zeros.
pub fn parse_row(s: &str) -> Row {
    let mut parts = s.split(',');
    let mut n = || parts.next().and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(0);
    let (finished, failed) = (n(), n());
    let mut rest = s.splitn(4, ',').skip(2);
    let (run, wait) = (rest.next().unwrap_or(""), rest.next().unwrap_or(""));
    let secs = |h: &str| super::hist::decode_sum(h) as f64 / 1e3;
    Row {
        finished,
        failed,
        run: Hist::decode(run),
        wait: Hist::decode(wait),
        run_sum: secs(run),
        wait_sum: secs(wait),
    }
}

fn add(to: &mut Row, r: &Row) {
    to.finished += r.finished;
    to.failed += r.failed;
    to.run.merge_sum(&r.run);
    to.wait.merge_sum(&r.wait);
    to.run_sum += r.run_sum;
    to.wait_sum += r.wait_sum;
}

/// The (queue, function) pairs recorded on any day from `from` to `now` (one pipeline).
pub async fn pairs(
    inst: &Instance,
    keys: &Keys,
    queues: &[String],
    from: i64,
    now: i64,
) -> Result<BTreeSet<(String, String)>> {
    let days: Vec<i64> = (floor(from, 86_400)..=now).step_by(86_400).collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    let mut asked = Vec::new();
    for q in queues {
        for d in &days {
            p.cmd("SMEMBERS").arg(keys.names(q, *d));
            asked.push(q);
        }
    }
    if asked.is_empty() {
        return Ok(BTreeSet::new());
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    Ok(asked
        .iter()
        .zip(&vals)
        .flat_map(|(q, v)| value::strings(v).into_iter().map(|f| ((*q).clone(), f)))
        .collect())
}

/// Every bucket of each pair from `from` to `now` at `range`'s step: `(pair index, t, row)`.
/// Minute buckets when `step` is 60 seconds, else hour buckets.
async fn buckets(
    inst: &Instance,
    keys: &Keys,
    pairs: &[(String, String)],
    step: i64,
    from: i64,
    now: i64,
) -> Result<Vec<(usize, i64, Row)>> {
    let (step, span) = if step == 60 { (3600, 60) } else { (86_400, 3600) };
    let starts: Vec<i64> = (floor(from, step)..=now).step_by(step as usize).collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    let mut asked = Vec::new();
    for (i, (q, f)) in pairs.iter().enumerate() {
        for s in &starts {
            p.cmd("HGETALL").arg(if step == 3600 { keys.minute(q, f, *s) } else { keys.hour(q, f, *s) });
            asked.push((i, *s));
        }
    }
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut out = Vec::new();
    for ((i, s), v) in asked.iter().zip(&vals) {
        for (field, row) in value::pairs(v) {
            let row = String::from_utf8_lossy(&row);
            let Ok(n) = field.parse::<i64>() else { continue };
            let t = s + n * span;
            if (from..=now).contains(&t) {
                out.push((*i, t, parse_row(&row)));
            }
        }
    }
    Ok(out)
}

/// The table: every (queue, function) recorded in `range` up to `now`, with the period before.
/// `queues` bounds which queues are looked at; `only` keeps one function.
pub async fn table(
    inst: &Instance,
    keys: &Keys,
    queues: &[String],
    range: Range,
    now: i64,
    only: Option<&str>,
) -> Result<Vec<Stat>> {
    // The table needs only totals: hour buckets past one hour (2 day hashes a pair for 24 h).
    let step = if range == Range::H1 { 60 } else { 3600 };
    let len = range.step() * range.buckets();
    let from = floor(now, step) - 2 * len + step;
    let mut pairs: Vec<(String, String)> = pairs(inst, keys, queues, from, now).await?.into_iter().collect();
    pairs.retain(|(_, f)| only.is_none_or(|o| o == f));
    let split = from + len;
    let mut sums = vec![(Row::default(), Row::default()); pairs.len()];
    for (i, t, r) in buckets(inst, keys, &pairs, step, from, now).await? {
        add(if t >= split { &mut sums[i].0 } else { &mut sums[i].1 }, &r);
    }
    Ok(pairs
        .iter()
        .zip(&sums)
        .map(|((q, f), (n, p))| Stat::of(q, f, n, p))
        .filter(|s| s.calls + s.prev_calls > 0)
        .collect())
}

/// One function's buckets over `range`, summed over `queues`, oldest first.
pub async fn series(
    inst: &Instance,
    keys: &Keys,
    queues: &[String],
    func: &str,
    range: Range,
    now: i64,
) -> Result<Vec<Bucket>> {
    let from = floor(now, range.step()) - range.step() * (range.buckets() - 1);
    let pairs: Vec<(String, String)> = queues.iter().map(|q| (q.clone(), func.to_owned())).collect();
    let mut by_t: BTreeMap<i64, Row> = BTreeMap::new();
    for (_, t, r) in buckets(inst, keys, &pairs, range.step(), from, now).await? {
        add(by_t.entry(t).or_default(), &r);
    }
    Ok(by_t
        .into_iter()
        .map(|(t, r)| Bucket {
            t,
            finished: r.finished,
            failed: r.failed,
            run_p50: r.run.quantile(0.5),
            run_p95: r.run.quantile(0.95),
            wait_p95: r.wait.quantile(0.95),
        })
        .collect())
}
