//! Throughput arithmetic, free of I/O: which registry score windows to read, when a job ended,
//! and which minutes a bounded read counts completely.
//!
//! RQ scores a finished or failed job `int(now) + ttl` (`+inf` when the ttl is -1), so within one
//! ttl the score order is the order in which jobs ended. A registry of at most [`LIMIT`] members
//! is read whole (exact whatever the ttls). A bigger one (a year of failures) is read through
//! narrow windows, one per ttl seen in it, covering only the jobs that can have ended since the
//! lookback start; the ttls are relearned from the newest [`LIMIT`] members every [`REDISCOVER`]
//! seconds.

use std::collections::BTreeMap;

use super::layout::floor;
use crate::rq::{State, time};

/// Most members read from one registry window per tick.
pub const LIMIT: usize = 1000;
/// How often a big registry's ttls are relearned from its newest members (seconds).
pub const REDISCOVER: i64 = 600;
/// Distinct ttls tracked per registry before giving up on windows.
const MAX_CLASSES: usize = 8;
/// Seconds of tolerance between a job's `ended_at` and the second RQ scored it in.
const SLACK: i64 = 5;

/// A registry throughput is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Finished,
    Failed,
}

impl Kind {
    pub const BOTH: [Kind; 2] = [Kind::Finished, Kind::Failed];

    pub fn state(self) -> State {
        match self {
            Kind::Finished => State::Finished,
            Kind::Failed => State::Failed,
        }
    }

    /// The job field holding the ttl this registry scored the job with.
    pub fn ttl_field(self) -> &'static str {
        match self {
            Kind::Finished => "result_ttl",
            Kind::Failed => "failure_ttl",
        }
    }

    /// RQ's `DEFAULT_RESULT_TTL` / `DEFAULT_FAILURE_TTL`, for jobs whose hash names none.
    fn default_ttl(self) -> f64 {
        match self {
            Kind::Finished => 500.0,
            Kind::Failed => 31_536_000.0,
        }
    }
}

/// One score range to read newest first (`ZREVRANGEBYSCORE key max min`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub max: String,
    pub min: String,
}

/// What a sampler has learned about one registry across ticks.
#[derive(Debug, Clone, Default)]
pub struct Track {
    /// The ttls (score minus end time, in seconds) seen in the registry.
    classes: Vec<i64>,
    discovered_at: Option<i64>,
    /// Members kept forever (scored `+inf` or negative) at the previous tick.
    forever: Option<i64>,
}

impl Track {
    /// The windows to read this tick for a registry of `size` members, and whether this is a
    /// discovery read (newest members down to score `from`, which bounds every job ended since).
    pub fn plan(&self, size: i64, from: i64, now: i64) -> (bool, Vec<Window>) {
        let stale = self.discovered_at.is_none_or(|d| now - d >= REDISCOVER || d > now);
        if size <= LIMIT as i64 || self.classes.is_empty() || stale {
            return (true, vec![Window { max: "(+inf".into(), min: from.to_string() }]);
        }
        let windows = self
            .classes
            .iter()
            .map(|t| Window { max: (now + t + 60).to_string(), min: (from + t - SLACK).to_string() })
            .collect();
        (false, windows)
    }

    /// Learn ttls from `(score, ended)` pairs; a discovery read replaces what was known.
    pub fn learn(&mut self, discovery: bool, now: i64, pairs: impl Iterator<Item = (f64, f64)>) {
        let mut classes = if discovery { Vec::new() } else { std::mem::take(&mut self.classes) };
        for (score, ended) in pairs {
            let d = (score - ended).round() as i64;
            match classes.iter_mut().find(|c| (**c - d).abs() <= SLACK) {
                Some(c) => *c = (*c).min(d),
                None => classes.push(d),
            }
        }
        if discovery && !classes.is_empty() {
            self.discovered_at = Some(now);
        }
        if classes.len() > MAX_CLASSES {
            // Too many ttls for windows to pay off: read the newest members every tick instead.
            classes.clear();
        }
        self.classes = classes;
    }

    /// The one ttl of a registry that uses a single one (the usual case).
    pub fn single_class(&self) -> Option<i64> {
        match self.classes.as_slice() {
            [t] => Some(*t),
            _ => None,
        }
    }

    /// Members kept forever added since the previous tick; None on the first tick.
    pub fn forever_delta(&mut self, count: i64) -> Option<u64> {
        self.forever.replace(count).map(|prev| u64::try_from(count - prev).unwrap_or(0))
    }
}

/// When a registry member ended, in unix seconds: its `ended_at`, else (jobs RQ moved without
/// setting it, e.g. abandoned ones) its score minus its ttl. None for a member whose hash is gone.
pub fn ended(
    kind: Kind,
    score: f64,
    ended_at: Option<&str>,
    ttl: Option<&str>,
    status: Option<&str>,
) -> Option<f64> {
    if let Some(t) = ended_at.and_then(time::parse) {
        return Some(t.as_microsecond() as f64 / 1e6);
    }
    if ended_at.is_none() && ttl.is_none() && status.is_none() {
        return None;
    }
    let ttl = ttl.and_then(|t| t.trim().parse::<f64>().ok()).filter(|t| *t >= 0.0);
    Some(score - ttl.unwrap_or(kind.default_ttl())).filter(|e| e.is_finite())
}

/// One window as read: the end times of the members it brought first, the earliest end time of
/// all its members, and whether it stopped at [`LIMIT`].
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub saturated: bool,
    pub events: Vec<f64>,
    pub earliest: Option<f64>,
}

/// Minutes counted completely, and minutes a saturated read could not reach.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counted {
    pub minutes: BTreeMap<i64, u64>,
    pub uncovered: Vec<i64>,
}

/// Count end times per minute from the minute of `from` to the minute of `now`. A saturated
/// window only vouches for the minutes after its earliest member (plus slack): older jobs of the
/// same ttl sit below it in score order and were not read.
pub fn count(reads: &[Read], from: i64, now: i64) -> Counted {
    let covered_from = reads
        .iter()
        .filter(|r| r.saturated)
        .map(|r| r.earliest.map_or(f64::INFINITY, |e| e + SLACK as f64))
        .fold(f64::NEG_INFINITY, f64::max);
    let mut out = Counted::default();
    let last = floor(now, 60);
    let mut m = floor(from, 60);
    while m <= last {
        if m as f64 >= covered_from {
            out.minutes.insert(m, 0);
        } else {
            out.uncovered.push(m);
        }
        m += 60;
    }
    for e in reads.iter().flat_map(|r| &r.events) {
        if let Some(c) = out.minutes.get_mut(&floor(e.floor() as i64, 60)) {
            *c += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;
