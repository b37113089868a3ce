//! Writing one sample through `lua/history_record.lua`: minute rows merged, hour rows recomputed,
//! expiries set, at most [`SUBJECTS_PER_CALL`] queues per script call.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use redis::Script;

use super::layout::{self, Layout, Subject, floor};
use super::row;
use crate::store::{Instance, Result, value};

/// Queues (or the all-queues sum) per script call: keeps one call to about a millisecond.
const SUBJECTS_PER_CALL: usize = 50;

static RECORD: LazyLock<Script> =
    LazyLock::new(|| crate::store::write::with_keys_prelude(include_str!("../../../lua/history_record.lua")));

/// One subject's part of a sample.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The queue, or None for the sum over all queues.
    pub queue: Option<String>,
    /// `queued,started,failed,oldest_age` at the sample's minute.
    pub gauges: String,
    /// Finished and failed jobs per minute, for the minutes this tick counted.
    pub minutes: BTreeMap<i64, (Option<u64>, Option<u64>)>,
}

/// What the writes did, summed over the script calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub minute_rows: i64,
    pub hour_rows: i64,
}

/// Write every record for a sample taken at `now`.
pub async fn record(inst: &Instance, layout: &Layout, records: &[Record], now: i64) -> Result<Written> {
    let mut total = Written::default();
    for chunk in records.chunks(SUBJECTS_PER_CALL) {
        let v = inst.invoke(&invocation(layout, chunk, now)).await?;
        let a = value::array(&v);
        total.minute_rows += a.first().map_or(0, value::int);
        total.hour_rows += a.get(1).map_or(0, value::int);
    }
    Ok(total)
}

fn invocation<'a>(layout: &Layout, chunk: &[Record], now: i64) -> redis::ScriptInvocation<'a> {
    let now_min = floor(now, 60);
    let mut minute_keys = Vec::new();
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut hours: Vec<(String, String, i64, i64)> = Vec::new();
    for r in chunk {
        let subject = Subject::of(r.queue.as_deref());
        let mut minutes: BTreeSet<i64> = r.minutes.keys().copied().collect();
        minutes.insert(now_min);
        let mut touched = BTreeSet::new();
        for m in minutes {
            let h = floor(m, 3600);
            let (fin, fail) = r.minutes.get(&m).copied().unwrap_or_default();
            let gauges = if m == now_min { r.gauges.clone() } else { String::new() };
            minute_keys.push(layout.minute_key(subject, h));
            rows.push([
                ((m - h) / 60).to_string(),
                gauges,
                row::throughput(fin, fail),
                layout::minute_expiry(h).to_string(),
            ]);
            touched.insert(h);
        }
        for h in touched {
            let d = floor(h, 86_400);
            hours.push((
                layout.hour_key(subject, d),
                layout.minute_key(subject, h),
                (h - d) / 3600,
                layout::hour_expiry(d),
            ));
        }
    }
    let mut inv = RECORD.prepare_invoke();
    for k in &minute_keys {
        inv.key(k);
    }
    for (hour_key, minute_key, _, _) in &hours {
        inv.key(hour_key).key(minute_key);
    }
    inv.arg(rows.len());
    for r in &rows {
        inv.arg(&r[..]);
    }
    inv.arg(hours.len());
    for (_, _, field, expiry) in &hours {
        inv.arg(field).arg(expiry);
    }
    inv
}
