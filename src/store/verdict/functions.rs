//! The run times the `slow-function` rule compares, per (queue, function), from the hour rows of
//! per-function performance the sampler records (`store::functions`):
//! - recent: the current clock hour so far and the one before (60 to 120 minutes of calls);
//! - baseline: the 168 hours (7 days) before those.
//!
//! Three round trips at most, reads only: `SMEMBERS` of each queue's function names of the day
//! (and of the day before in the first hour of a UTC day); one `HMGET` per pair of its recent
//! hour rows (two across midnight) for at most [`PAIRS_MAX`] pairs; then, only for the
//! [`JUDGED_MAX`] pairs with the most recent calls among those with enough, one `HGETALL` per
//! day hash of the baseline (8 per pair), unless [`Baselines`] holds it for this hour already.
//! Pairs past [`PAIRS_MAX`] (in queue, then function order) are not judged at all.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use crate::health::facts::RunTimes;
use crate::store::functions::read::{pairs, parse_row};
use crate::store::functions::{Hist, Keys, p95_vs_baseline};
use crate::store::history::Layout;
use crate::store::history::layout::floor;
use crate::store::{Instance, Result, value};

/// Pairs whose recent rows are read per tick (one `HMGET` each, a few hundred bytes).
pub const PAIRS_MAX: usize = 2_000;
/// Pairs whose baseline is read per tick (8 `HGETALL` of about 1.2 KB each).
pub const JUDGED_MAX: usize = 200;
/// Hours of the baseline.
const BASELINE_H: i64 = 7 * 24;

/// Baselines already read, by (instance, queue, function), with the hour they end at. The hours
/// of a baseline end before the previous clock hour, and the sampler rewrites nothing older than
/// its lookback (10 minutes at most), so a baseline is final until the clock hour turns: read
/// once an hour instead of every tick (at the cap that was 1,600 `HGETALL`s a tick).
#[derive(Debug, Default)]
pub struct Baselines(Mutex<HashMap<(usize, String, String), Baseline>>);

#[derive(Debug, Clone)]
struct Baseline {
    /// The `prev` hour it was read for.
    prev: i64,
    run: Hist,
    calls: u64,
}

impl Baselines {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(usize, String, String), Baseline>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many are kept (for tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per queue (in `queues` order): the functions with at least `min_calls` calls on each side.
/// `cache` keeps the baselines read for reuse until the hour turns.
pub async fn read(
    inst: &Instance,
    layout: &Layout,
    queues: &[String],
    min_calls: u64,
    now: i64,
    cache: &Baselines,
) -> Result<Vec<Vec<RunTimes>>> {
    let mut out = vec![Vec::new(); queues.len()];
    let keys = Keys::new(layout);
    let cur = floor(now, 3600);
    let prev = cur - 3600;
    // Only functions recorded today (or yesterday, for the previous hour) can have recent calls.
    let mut all: Vec<(String, String)> = pairs(inst, &keys, queues, prev, now).await?.into_iter().collect();
    all.truncate(PAIRS_MAX);
    if all.is_empty() {
        return Ok(out);
    }
    let mut by_day: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for h in [prev, cur] {
        by_day.entry(floor(h, 86_400)).or_default().push((h - floor(h, 86_400)) / 3600);
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for (q, f) in &all {
        for (day, fields) in &by_day {
            p.cmd("HMGET").arg(keys.hour(q, f, *day)).arg(fields);
        }
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut recent: Vec<(usize, Hist, u64)> = Vec::new();
    for (i, chunk) in vals.chunks(by_day.len()).enumerate().take(all.len()) {
        let mut run = Hist::default();
        let mut calls = 0;
        for row in chunk.iter().flat_map(value::array).filter_map(value::string) {
            let r = parse_row(&row);
            calls = r.finished.saturating_add(r.failed).saturating_add(calls);
            run.merge_sum(&r.run);
        }
        if calls >= min_calls && run.total() >= min_calls {
            recent.push((i, run, calls));
        }
    }
    // The busiest pairs first: a cap then leaves out the functions with the least evidence.
    recent.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    recent.truncate(JUDGED_MAX);
    if recent.is_empty() {
        return Ok(out);
    }
    let key = |i: usize| (inst.index, all[i].0.clone(), all[i].1.clone());
    let mut bases: HashMap<usize, (Hist, u64)> = {
        let mut kept = cache.lock();
        // A turned hour makes every kept baseline stale (for this instance).
        kept.retain(|k, b| k.0 != inst.index || b.prev == prev);
        recent
            .iter()
            .filter_map(|(i, _, _)| kept.get(&key(*i)).map(|b| (*i, (b.run.clone(), b.calls))))
            .collect()
    };
    let missing: Vec<usize> = recent.iter().map(|(i, _, _)| *i).filter(|i| !bases.contains_key(i)).collect();
    let from = prev - BASELINE_H * 3600;
    let days: Vec<i64> = (floor(from, 86_400)..prev).step_by(86_400).collect();
    if !missing.is_empty() {
        let mut p = redis::pipe();
        p.ignore_errors();
        for i in &missing {
            let (q, f) = &all[*i];
            for d in &days {
                p.cmd("HGETALL").arg(keys.hour(q, f, *d));
            }
        }
        let vals: Vec<redis::Value> = inst.query(&p).await?;
        let mut kept = cache.lock();
        for (i, chunk) in missing.iter().zip(vals.chunks(days.len())) {
            let mut base = Hist::default();
            let mut base_calls: u64 = 0;
            for (d, v) in days.iter().zip(chunk) {
                for (field, row) in value::pairs(v) {
                    let Ok(h @ 0..24) = field.parse::<i64>() else { continue };
                    if (from..prev).contains(&(d + h * 3600)) {
                        let r = parse_row(&String::from_utf8_lossy(&row));
                        base_calls = r.finished.saturating_add(r.failed).saturating_add(base_calls);
                        base.merge_sum(&r.run);
                    }
                }
            }
            kept.insert(key(*i), Baseline { prev, run: base.clone(), calls: base_calls });
            bases.insert(*i, (base, base_calls));
        }
    }
    for (i, run, calls) in &recent {
        let Some((base, base_calls)) = bases.get(i) else { continue };
        let base_calls = *base_calls;
        let (Some(ratio), Some(p95_s), Some(baseline_p95_s)) =
            (p95_vs_baseline(run, base), run.quantile(0.95), base.quantile(0.95))
        else {
            continue;
        };
        if base_calls < min_calls {
            continue;
        }
        let (q, f) = &all[*i];
        let Some(slot) = queues.iter().position(|n| n == q) else { continue };
        out[slot].push(RunTimes {
            function: f.clone(),
            calls: *calls,
            p95_s,
            baseline_calls: base_calls,
            baseline_p95_s,
            ratio,
        });
    }
    Ok(out)
}
