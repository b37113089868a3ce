//! Jobs that ended in the last 15 minutes per queue, and the same hour's failure baseline, from
//! the history the sampler records (see `store::history`). Two round trips at most, reads only.

use std::collections::BTreeMap;

use crate::health::rules::{FAILURE_WINDOW_MIN, Failures};
use crate::store::history::Layout;
use crate::store::history::layout::{Subject, floor};
use crate::store::history::row::Row;
use crate::store::{Instance, Result, value};

/// Days of the same hour averaged into the baseline.
const BASELINE_DAYS: i64 = 7;

/// Per queue (in `queues` order): the window's counts, None where no minute was recorded.
/// The baseline is read only for queues with at least `spike_min` failures (others cannot spike).
pub async fn read(
    inst: &Instance,
    layout: &Layout,
    queues: &[String],
    spike_min: u64,
    now: i64,
) -> Result<Vec<Option<Failures>>> {
    if queues.is_empty() {
        return Ok(Vec::new());
    }
    let last = floor(now, 60);
    let minutes: Vec<i64> = (0..FAILURE_WINDOW_MIN).map(|i| last - i * 60).collect();
    // The window's minutes grouped by the hour hash holding them (one or two hashes).
    let mut by_hour: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for m in &minutes {
        by_hour.entry(floor(*m, 3600)).or_default().push((m - floor(*m, 3600)) / 60);
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for q in queues {
        for (hour, fields) in &by_hour {
            p.cmd("HMGET").arg(layout.minute_key(Subject::Queue(q), *hour)).arg(fields);
        }
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut out: Vec<Option<Failures>> = Vec::with_capacity(queues.len());
    for chunk in vals.chunks(by_hour.len()) {
        let rows: Vec<Row> = chunk.iter().flat_map(value::array).filter_map(row).collect();
        let known = rows.iter().any(|r| r.finished.is_some() || r.failed_ended.is_some());
        let sum = |f: fn(&Row) -> Option<i64>| rows.iter().filter_map(f).map(i64::unsigned_abs).sum();
        out.push(known.then(|| Failures {
            finished: sum(|r| r.finished),
            failed: sum(|r| r.failed_ended),
            baseline_failed_per_min: None,
        }));
    }
    out.resize(queues.len(), None);
    let spiky: Vec<usize> =
        (0..queues.len()).filter(|i| out[*i].is_some_and(|f| f.failed >= spike_min)).collect();
    if spiky.is_empty() {
        return Ok(out);
    }
    let hour_field = (last - floor(last, 86_400)) / 3600;
    let mut p = redis::pipe();
    p.ignore_errors();
    for i in &spiky {
        for d in 1..=BASELINE_DAYS {
            let day = floor(now - d * 86_400, 86_400);
            p.cmd("HGET").arg(layout.hour_key(Subject::Queue(&queues[*i]), day)).arg(hour_field);
        }
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    for (i, chunk) in spiky.iter().zip(vals.chunks(BASELINE_DAYS as usize)) {
        let rates: Vec<f64> = chunk.iter().filter_map(row).filter_map(|r| r.failed_per_min()).collect();
        if let (Some(f), false) = (out[*i].as_mut(), rates.is_empty()) {
            f.baseline_failed_per_min = Some(rates.iter().sum::<f64>() / rates.len() as f64);
        }
    }
    Ok(out)
}

fn row(v: &redis::Value) -> Option<Row> {
    value::string(v).as_deref().and_then(Row::parse)
}
