//! Reading the history back: a range of buckets for one queue or all of them, in one round trip
//! of `HGETALL`s (2 keys for 1 h, 25 for 24 h, 8 for 7 d, 91 for 90 d). Reads never write.

use serde::{Deserialize, Serialize};

use super::layout::{Layout, Subject, floor};
use super::row::Row;
use crate::rq::time;
use crate::store::{Instance, Result, value};

/// A chart range: minute buckets for 1 h and 24 h, hour buckets for 7 d and 90 d.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Range {
    #[serde(rename = "1h")]
    H1,
    #[default]
    #[serde(rename = "24h")]
    H24,
    #[serde(rename = "7d")]
    D7,
    #[serde(rename = "90d")]
    D90,
}

impl Range {
    /// Every range, shortest first.
    pub const ALL: [Range; 4] = [Range::H1, Range::H24, Range::D7, Range::D90];

    /// `1h`, `24h`, `7d` or `90d` (as in URLs).
    pub fn parse(s: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The name used in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Range::H1 => "1h",
            Range::H24 => "24h",
            Range::D7 => "7d",
            Range::D90 => "90d",
        }
    }

    /// Seconds per bucket.
    pub fn step(self) -> i64 {
        match self {
            Range::H1 | Range::H24 => 60,
            Range::D7 | Range::D90 => 3600,
        }
    }

    /// Buckets in the range.
    pub fn buckets(self) -> i64 {
        match self {
            Range::H1 => 60,
            Range::H24 => 1440,
            Range::D7 => 168,
            Range::D90 => 2160,
        }
    }
}

/// One bucket. Gauges are the value at the minute's latest sample (the hour's maximum for hour
/// buckets); rates are jobs that ended per minute (the hour's average for hour buckets). A field
/// is None where nothing was recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Point {
    /// Start of the bucket, unix seconds.
    pub t: i64,
    pub queued: Option<i64>,
    pub started: Option<i64>,
    /// Size of the failed registry.
    pub failed: Option<i64>,
    pub finished_per_min: Option<f64>,
    pub failed_per_min: Option<f64>,
    /// Age of the oldest queued job (None when the queue was empty).
    pub oldest_age_s: Option<i64>,
}

/// The recorded buckets of a range, oldest first; buckets without data are absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub range: Range,
    /// Seconds per bucket.
    pub step: i64,
    /// Start of the first and of the last (current) bucket of the range.
    pub from: i64,
    pub to: i64,
    pub points: Vec<Point>,
}

/// The history of one queue (or all queues with None) over `range`, ending now.
pub async fn series(inst: &Instance, layout: &Layout, queue: Option<&str>, range: Range) -> Result<Series> {
    let now = time::now_epoch() as i64;
    let mut v = series_many(inst, layout, &[queue], range, now).await?;
    Ok(v.pop().unwrap_or_else(|| empty(range, now)))
}

/// Several subjects' histories over `range` ending at `now`, in one round trip.
pub async fn series_many(
    inst: &Instance,
    layout: &Layout,
    queues: &[Option<&str>],
    range: Range,
    now: i64,
) -> Result<Vec<Series>> {
    let plans: Vec<Vec<(String, i64)>> =
        queues.iter().map(|q| keys(layout, Subject::of(*q), range, now)).collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    for (key, _) in plans.iter().flatten() {
        p.cmd("HGETALL").arg(key);
    }
    let vals: Vec<redis::Value> =
        if plans.iter().all(Vec::is_empty) { Vec::new() } else { inst.query(&p).await? };
    let mut vals = vals.iter();
    // Minute buckets sit in hour hashes (fields 0-59), hour buckets in day hashes (0-23).
    let (unit, fields) = if range.step() == 60 { (60, 60) } else { (3600, 24) };
    let mut out = Vec::with_capacity(plans.len());
    for plan in &plans {
        let mut s = empty(range, now);
        for (_, base) in plan {
            let Some(v) = vals.next() else { break };
            for (field, raw) in value::pairs(v) {
                let Some(f) = field.parse::<i64>().ok().filter(|f| (0..fields).contains(f)) else { continue };
                let t = base + f * unit;
                let row = std::str::from_utf8(&raw).ok().and_then(Row::parse);
                if let (true, Some(r)) = ((s.from..=s.to).contains(&t), row) {
                    s.points.push(point(t, &r));
                }
            }
        }
        s.points.sort_by_key(|p| p.t);
        out.push(s);
    }
    Ok(out)
}

/// Each queue's time to drain, from its last hour of minute buckets, in one round trip.
pub async fn drain_times(inst: &Instance, layout: &Layout, queues: &[&str]) -> Result<Vec<Option<f64>>> {
    let subjects: Vec<Option<&str>> = queues.iter().map(|q| Some(*q)).collect();
    let now = time::now_epoch() as i64;
    Ok(series_many(inst, layout, &subjects, Range::H1, now).await?.iter().map(time_to_drain).collect())
}

fn empty(range: Range, now: i64) -> Series {
    let to = floor(now, range.step());
    Series {
        range,
        step: range.step(),
        from: to - (range.buckets() - 1) * range.step(),
        to,
        points: Vec::new(),
    }
}

/// The hashes holding a range: the hour hashes of minute buckets, or the day hashes of hour ones.
fn keys(layout: &Layout, subject: Subject<'_>, range: Range, now: i64) -> Vec<(String, i64)> {
    let s = empty(range, now);
    let span = if range.step() == 60 { 3600 } else { 86_400 };
    (floor(s.from, span)..=s.to)
        .step_by(span as usize)
        .map(|b| {
            let key = if span == 3600 { layout.minute_key(subject, b) } else { layout.hour_key(subject, b) };
            (key, b)
        })
        .collect()
}

fn point(t: i64, r: &Row) -> Point {
    Point {
        t,
        queued: r.queued,
        started: r.started,
        failed: r.failed,
        finished_per_min: r.finished_per_min(),
        failed_per_min: r.failed_per_min(),
        oldest_age_s: r.oldest_age,
    }
}

/// Seconds until the queue is empty at its recent net drain rate (the least-squares slope of
/// its depth over the last 15 minute buckets, or 6 hour buckets). None when the queue is empty,
/// not shrinking, or its latest bucket is stale.
pub fn time_to_drain(s: &Series) -> Option<f64> {
    let pts: Vec<(f64, f64)> = s.points.iter().filter_map(|p| Some((p.t as f64, p.queued? as f64))).collect();
    let &(last_t, last_q) = pts.last()?;
    if last_q <= 0.0 || s.to - last_t as i64 > 3 * s.step {
        return None;
    }
    let window = if s.step == 60 { 15.0 * 60.0 } else { 6.0 * 3600.0 };
    let recent: Vec<(f64, f64)> = pts.into_iter().filter(|(t, _)| *t > last_t - window).collect();
    if recent.len() < 3 {
        return None;
    }
    let n = recent.len() as f64;
    let (mt, mq) = (recent.iter().map(|p| p.0).sum::<f64>() / n, recent.iter().map(|p| p.1).sum::<f64>() / n);
    let num: f64 = recent.iter().map(|(t, q)| (t - mt) * (q - mq)).sum();
    let den: f64 = recent.iter().map(|(t, _)| (t - mt) * (t - mt)).sum();
    let slope = num / den;
    (slope < 0.0 && slope.is_finite()).then(|| last_q / -slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shrinking(step: i64, depths: &[i64]) -> Series {
        let to = 1_700_000_000 - 1_700_000_000 % step;
        let from = to - (depths.len() as i64 - 1) * step;
        let points = depths
            .iter()
            .enumerate()
            .map(|(i, d)| Point { t: from + i as i64 * step, queued: Some(*d), ..Point::default() })
            .collect();
        Series { range: Range::H1, step, from, to, points }
    }

    #[test]
    fn a_queue_losing_ten_jobs_a_minute_drains_its_last_forty_in_four_minutes() {
        let t = time_to_drain(&shrinking(60, &[100, 90, 80, 70, 60, 50, 40])).expect("draining");
        assert!((t - 240.0).abs() < 1e-6, "{t}");
    }

    #[test]
    fn a_growing_flat_or_empty_queue_has_no_time_to_drain() {
        assert_eq!(time_to_drain(&shrinking(60, &[10, 20, 30])), None);
        assert_eq!(time_to_drain(&shrinking(60, &[10, 10, 10])), None);
        assert_eq!(time_to_drain(&shrinking(60, &[20, 10, 0])), None);
        assert_eq!(time_to_drain(&shrinking(60, &[30, 20])), None, "two points are not a trend");
    }

    #[test]
    fn ranges_round_trip_through_their_names() {
        for r in Range::ALL {
            assert_eq!(Range::parse(r.as_str()), Some(r));
        }
        assert_eq!(Range::parse("2h"), None);
    }

    #[test]
    fn a_day_of_minutes_reads_twenty_five_hour_hashes_and_ninety_days_ninety_one_day_hashes() {
        let l = Layout::default();
        assert_eq!(keys(&l, Subject::All, Range::H1, 1_700_000_000).len(), 2);
        assert_eq!(keys(&l, Subject::All, Range::H24, 1_700_000_000).len(), 25);
        assert_eq!(keys(&l, Subject::All, Range::D7, 1_700_000_000).len(), 8);
        assert_eq!(keys(&l, Subject::Queue("q"), Range::D90, 1_700_000_000).len(), 91);
    }
}
