//! The job archive: a compact record of every job that ended (id, function, queue, status,
//! enqueued/started/ended, worker, exception type and first line, result size), appended by the
//! history sampler to a capped Redis stream, so "did job X run last night, and what happened?"
//! has an answer after RQ's `result_ttl` (500 s by default) deleted the job.
//!
//! # Keys (under the history prefix, never RQ's)
//! - `<base>:archive`: the stream, one entry per job, trimmed (approximately) to
//!   `--archive-max-entries` entries and `--archive-max-age` of age on every append;
//! - `<base>:archive:idx:<yyyymmdd>`: per UTC day a job ended, a hash job id → stream entry id.
//!   It makes each job archived once (the script appends only ids its day's index lacks, so
//!   replicas and repeated lookbacks never add a second record) and finds a record by id with
//!   [`MAX_DAYS`] `HGET`s and one `XRANGE`, never a scan. It expires `--archive-max-age` after
//!   its day ends. A job that is requeued and ends again on another day gets a second record;
//!   the newest is shown.
//!
//! # What can be missed
//! The sampler sees a job while it sits in its finished or failed registry: a job whose
//! `result_ttl` (or `failure_ttl`) is shorter than the sampling period (60 s by default) may
//! start, end and expire between two ticks and is then never archived; `result_ttl=0` jobs are
//! never in a registry; jobs kept forever (ttl -1) are not read by the throughput windows and are
//! not archived (they are still in Redis). A registry window holding more than 1,000 jobs newer
//! than the lookback (over about 500 jobs a minute in one queue) archives its newest 1,000.
//!
//! # Cost
//! Measured with `MEMORY USAGE` on Redis 7.0 (test `functions_and_archive_storage_cost_is_measured`):
//! about 224 B per record in the stream and 112 B per id in the day index, about 340 B per job;
//! the default 100,000 records take about 34 MB. The storage budget keeps fewer (see
//! [`crate::store::budget`]: 25% of it, 47,058 jobs of the default 64 MB).
//!
//! [`write`] appends; [`read`] finds by id and lists recent records.

pub mod read;
pub mod write;

use serde::Serialize;

use crate::store::history::Layout;

/// Days of index looked through to find a record by id (bounds `--archive-max-age`).
pub const MAX_DAYS: i64 = 31;
/// Default `--archive-max-age` (seconds): 7 days.
pub const DEFAULT_MAX_AGE: i64 = 7 * 86_400;
/// Default `--archive-max-entries`.
pub const DEFAULT_MAX_ENTRIES: u64 = 100_000;

/// Parse `--archive-max-age`: a number with `s`, `m`, `h` or `d` (bare numbers are seconds),
/// between one hour and 30 days.
pub fn parse_age(s: &str) -> std::result::Result<i64, String> {
    let t = s.trim();
    let (num, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, 's'),
    };
    let mul = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(format!("not an age: {s:?} (try 7d, 12h or 90m)")),
    };
    let n: i64 = num.trim().parse().map_err(|_| format!("not an age: {s:?} (try 7d, 12h or 90m)"))?;
    let secs = n.saturating_mul(mul);
    if !(3600..=(MAX_DAYS - 1) * 86_400).contains(&secs) {
        return Err(format!("archive age must be between 1h and 30d, got {s:?}"));
    }
    Ok(secs)
}

/// Retention of the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub max_age: i64,
    pub max_entries: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Self { max_age: DEFAULT_MAX_AGE, max_entries: DEFAULT_MAX_ENTRIES }
    }
}

impl Retention {
    /// Clamp to what the index can find: at most [`MAX_DAYS`] − 1 days, at least an hour.
    pub fn clamped(self) -> Self {
        Self {
            max_age: self.max_age.clamp(3600, (MAX_DAYS - 1) * 86_400),
            max_entries: self.max_entries.max(1),
        }
    }
}

/// One archived job, as served by `/api/v1/jobs/{id}` (with `"archived": true`) and search.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Record {
    pub id: String,
    pub queue: String,
    pub function: Option<String>,
    pub status: Option<String>,
    pub enqueued_at: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub worker: Option<String>,
    pub exc_type: Option<String>,
    pub exc_line: Option<String>,
    pub result_size: Option<u64>,
    /// Run time in seconds, when started and ended are known.
    pub run_s: Option<f64>,
    /// The stream entry id (its first part is when it was archived, in ms).
    pub entry: String,
}

impl Record {
    /// The exception as one line, `Type: first line`, as a live row's summary reads.
    pub fn exception(&self) -> Option<String> {
        match (&self.exc_type, &self.exc_line) {
            (Some(t), Some(l)) => Some(format!("{t}: {l}")),
            (Some(t), None) => Some(t.clone()),
            (None, Some(l)) => Some(l.clone()),
            (None, None) => None,
        }
    }
}

/// Key names of the archive under a history layout.
#[derive(Debug, Clone)]
pub struct Keys {
    base: String,
    days: Layout,
}

impl Keys {
    pub fn new(history: &Layout) -> Self {
        let base = format!("{}:archive", history.base());
        Self { days: Layout::new(&format!("{base}:idx")), base }
    }

    pub fn stream(&self) -> &str {
        &self.base
    }

    /// The id index of the UTC day starting at `day_start`.
    pub fn index(&self, day_start: i64) -> String {
        // `hour_key` names a day: `<base>:idx:h:<yyyymmdd>:all`.
        self.days.hour_key(crate::store::history::Subject::All, day_start)
    }
}
