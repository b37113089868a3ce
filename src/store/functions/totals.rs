//! The totals of every (queue, function) since it was first recorded: the monotonic counters and
//! histograms `/metrics` exports (`rq_jobs_ended_total`, `rq_job_run_seconds`,
//! `rq_job_wait_seconds`).
//!
//! # Why a totals hash
//! Minute rows are recounted and max-merged, and they expire (48 h): a sum over them would drop
//! when a minute expires, and summing per scrape would cost 48 hashes a pair. So
//! `lua/functions_record.lua` adds to `<base>:fn:t:q:<len>:<queue>:<function>` exactly what
//! each merge raised a minute row by (fields `finished`, `failed`, `run:<i>`, `wait:<i>`,
//! `run_ms`, `wait_ms`): the totals equal the sum of every minute ever recorded, only grow, and
//! are one Redis value that every replica reads alike. A minute row deleted while its minute is
//! still in a tick's lookback (10 minutes at most) would be counted again; rows expire after 48 h.
//! Counting starts with the first tick of a version that keeps totals: the minutes its lookback
//! finds already recorded add no jobs, only their sums (older rows carried none), once.
//!
//! # Expiry
//! Refreshed by every write to the pair, to the expiry of the hour rows of the day written (90
//! days after it): a function without jobs for 90 days starts again from 0, which Prometheus
//! reads as a counter reset.
//!
//! # What a scrape reads
//! The pairs in the names sets of today and yesterday (UTC), so a function that ran in the last
//! 24–48 hours keeps its series: `SMEMBERS` of 2 sets per queue (one pipeline), then `HGETALL`
//! of each pair's totals (one pipeline). Read commands only; no SCAN, no KEYS.
//!
//! # Storage cost
//! Measured with `MEMORY USAGE` on Redis 7.0 (test
//! `totals_of_a_busy_function_cost_a_few_hundred_bytes`): 264 bytes for a pair with 4 run time
//! and 4 wait buckets (a listpack; at most 50 fields, all small integers).

use super::hist::{Hist, LEN};
use super::layout::Keys;
use super::read::pairs;
use crate::store::history::layout::hour_expiry;
use crate::store::{Instance, Result, value};

/// One pair's totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub queue: String,
    pub function: String,
    pub finished: u64,
    pub failed: u64,
    pub run: Hist,
    pub wait: Hist,
    /// Sums of the run times and waits counted in `run` and `wait`, in milliseconds.
    pub run_ms: u64,
    pub wait_ms: u64,
}

/// When the totals hash of a pair last written for the UTC day `day_start` expires.
pub fn expiry(day_start: i64) -> i64 {
    hour_expiry(day_start)
}

/// Every pair recorded today or yesterday (UTC) in `queues`, with its totals; pairs without a
/// totals hash are left out. Two pipelined round trips.
pub async fn read(inst: &Instance, keys: &Keys, queues: &[String], now: i64) -> Result<Vec<Totals>> {
    let pairs: Vec<(String, String)> =
        pairs(inst, keys, queues, now - 86_400, now).await?.into_iter().collect();
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for (q, f) in &pairs {
        p.cmd("HGETALL").arg(keys.totals(q, f));
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    Ok(pairs
        .into_iter()
        .zip(&vals)
        .map(|((queue, function), v)| parse(queue, function, &value::pairs(v)))
        // No sums: the counts come from Redis and may be hostile (an overflow panics in debug).
        .filter(|t| {
            t.finished > 0
                || t.failed > 0
                || t.run.0.values().any(|c| *c > 0)
                || t.wait.0.values().any(|c| *c > 0)
        })
        .collect())
}

/// A totals hash's fields; unknown fields and values that are not counts are skipped.
fn parse(queue: String, function: String, fields: &[(String, Vec<u8>)]) -> Totals {
    let mut t = Totals { queue, function, ..Totals::default() };
    for (k, v) in fields {
        let Some(n) = std::str::from_utf8(v).ok().and_then(|s| s.trim().parse::<u64>().ok()) else {
            continue;
        };
        let bucket = |name: &str| k.strip_prefix(name)?.parse::<usize>().ok().filter(|i| *i < LEN);
        match k.as_str() {
            "finished" => t.finished = n,
            "failed" => t.failed = n,
            "run_ms" => t.run_ms = n,
            "wait_ms" => t.wait_ms = n,
            _ => {
                if let Some(i) = bucket("run:") {
                    t.run.0.insert(i, n);
                } else if let Some(i) = bucket("wait:") {
                    t.wait.0.insert(i, n);
                }
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_totals_hash_is_read_field_by_field_and_garbage_is_skipped() {
        let f = |k: &str, v: &str| (k.to_owned(), v.as_bytes().to_vec());
        let fields = [
            f("finished", "7"),
            f("failed", "2"),
            f("run:5", "6"),
            f("run:99", "1"),
            f("wait:0", "-1"),
            f("run_ms", "x"),
        ];
        let t = parse("q".into(), "m.f".into(), &fields);
        assert_eq!((t.finished, t.failed, t.run.total(), t.wait.total(), t.run_ms), (7, 2, 6, 0, 0));
        assert_eq!(t.run.0.get(&5), Some(&6));
    }
}
