//! One memory budget for everything rqdash stores in a Redis (`--storage-max-memory`, default
//! 64 MB): queue history, per-function rows, the job archive, the audit stream and the health
//! alert state, measured with `MEMORY USAGE` samples and enforced by the history sampler (the only
//! writer of the big families) before it writes.
//!
//! # Measuring ([`measure`])
//! Never KEYS and never a SCAN of the keyspace: every family is enumerable from its layout. The
//! history keys are the queues of `rq:queues` (and `all`) times the 49 hours and 91 days the tiers
//! keep; per-function keys are the (queue, function) pairs of the names sets of the last 92 days
//! times the same buckets. Keys are counted with multi-key `EXISTS` (one reply per hour or day and
//! per 1,000 keys), a bounded sample of at most [`SAMPLE`] keys per family is sized with
//! `MEMORY USAGE`, and the mean is extrapolated; streams and the few fixed keys are sized directly.
//! Cost per measurement at `Q` queues and `P` pairs: 2 round trips; about `92·Q` `SMEMBERS`,
//! `142·⌈(Q+1)/1000⌉ + 142·⌈P/1000⌉` `EXISTS`, at most `4·SAMPLE + 40`
//! `MEMORY USAGE`: at 1,000 queues and 200 pairs about 93,000 commands (almost all `SMEMBERS`), measured
//! at 0.9 s with the overview read in the budget test's debug build. The sampler
//! measures every [`MEASURE_EVERY`] ticks, or sooner when the last figure plus what it wrote since
//! and is about to write would pass the budget; pages, `/metrics` and `doctor` read the figure the sampler
//! stored (`<base>:budget`, [`state`]); `doctor` measures afresh.
//!
//! # Enforcing ([`enforce`]), in this order
//! When a measurement finds the total plus what the tick is about to write past [`TARGET_PCT`] %
//! of the budget, the sampler frees the excess before writing (between measurements it writes
//! while the last figure plus what it wrote since stays under the budget):
//! 1. the archive: its stream is trimmed (oldest first) down to at least [`ARCHIVE_FLOOR`] records,
//!    the trimmed ids removed from their day's index;
//! 2. the per-minute tier: minute hashes of history and functions older than 24 h, then 12 h,
//!    then 6 h are deleted (the hour tier keeps the charts of longer ranges);
//! 3. folding: the per-queue keys of idle queues (nothing queued, started, finished, failed,
//!    deferred or scheduled now) and the rows of rare functions (fewer than [`RARE_CALLS`] calls
//!    today and yesterday) are deleted; their jobs are still counted in the aggregates, the `all`
//!    series and the queue's own history, and idle queues are not written again while folded;
//! 4. if it is still over: the tick writes nothing (logged once, shown on the Redis panel).
//!
//! Deletions are `UNLINK`s of rqdash's own keys, computed from the layouts, at most
//! [`CHUNK`] keys per command; the archive is trimmed with `XTRIM MINID` and `HDEL` in one
//! transaction per [`CHUNK`] records. The plan is a pure function of
//! the measurement (and the queues' counts), so replicas measuring the same data decide the same
//! and only ever delete: they cannot fight.
//!
//! # The archive's share
//! The archive's retention is `--archive-max-age` (7 days) or [`ARCHIVE_SHARE_PCT`] % of the budget
//! at [`ARCHIVE_JOB_BYTES`] per job, whichever is smaller: 47,058 jobs with the default 64 MB.

pub mod enforce;
pub mod guard;
pub mod measure;
pub mod report;
mod sample;
pub mod state;
mod trim;

use serde::Serialize;

use crate::store::archive::Retention;

/// Default `--storage-max-memory`: 64 MB.
pub const DEFAULT_MAX: u64 = 64_000_000;
/// The archive's share of the budget, in percent.
pub const ARCHIVE_SHARE_PCT: u64 = 25;
/// What one archived job costs (stream entry and id index; see [`crate::store::archive`]).
pub const ARCHIVE_JOB_BYTES: u64 = 340;
/// Records the archive keeps whatever the pressure (step 1 stops here).
pub const ARCHIVE_FLOOR: u64 = 1_000;
/// Degrade down to this percent of the budget, so a few ticks fit before the next measurement.
pub const TARGET_PCT: u64 = 90;
/// Ticks between two measurements when far from the budget.
pub const MEASURE_EVERY: u32 = 10;
/// Keys sized with `MEMORY USAGE` per family.
pub const SAMPLE: usize = 128;
/// Keys per `EXISTS` or `UNLINK`.
pub const CHUNK: usize = 1_000;
/// A function called fewer times than this today and yesterday is rare (step 3).
pub const RARE_CALLS: u64 = 10;

/// The budget: None when off (`--storage-max-memory off`): measured and shown, never enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub max: Option<u64>,
}

impl Default for Budget {
    fn default() -> Self {
        Self { max: Some(DEFAULT_MAX) }
    }
}

impl Budget {
    /// The most archive records the budget allows (its share at [`ARCHIVE_JOB_BYTES`] each).
    pub fn archive_entries(self) -> Option<u64> {
        self.max.map(|m| (m / 100 * ARCHIVE_SHARE_PCT / ARCHIVE_JOB_BYTES).max(ARCHIVE_FLOOR))
    }

    /// `r` limited to the archive's share of the budget.
    pub fn retention(self, r: Retention) -> Retention {
        let max_entries = self.archive_entries().map_or(r.max_entries, |n| n.min(r.max_entries));
        Retention { max_entries, ..r }
    }

    /// The total the sampler degrades down to.
    pub fn target(self) -> Option<u64> {
        self.max.map(|m| m / 100 * TARGET_PCT)
    }
}

/// Parse `--storage-max-memory`: bytes, or a number with `KB`, `MB`, `GB` (powers of 1,000) or
/// `KiB`, `MiB`, `GiB` (powers of 1,024), case-insensitive; `off` or `0` turns the budget off.
pub fn parse_size(s: &str) -> std::result::Result<Budget, String> {
    let t = s.trim().to_ascii_lowercase();
    if t == "off" || t == "0" {
        return Ok(Budget { max: None });
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mul: u64 = match unit.trim() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(format!("not a size: {s:?} (try 64MB, 512MiB, 1GB or off)")),
    };
    let n: u64 = num.parse().map_err(|_| format!("not a size: {s:?} (try 64MB, 512MiB, 1GB or off)"))?;
    let bytes = n.saturating_mul(mul);
    if bytes < 1_000_000 {
        return Err(format!("the storage budget must be at least 1MB (or off), got {s:?}"));
    }
    Ok(Budget { max: Some(bytes) })
}

/// How far rqdash has degraded to stay under the budget, in the order it degrades.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    Normal,
    ArchiveTrimmed,
    MinuteTierShortened,
    Folded,
    WritesSkipped,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Normal,
        Level::ArchiveTrimmed,
        Level::MinuteTierShortened,
        Level::Folded,
        Level::WritesSkipped,
    ];

    /// 0 to 4, as `/metrics` exports it.
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: i64) -> Self {
        usize::try_from(n).ok().and_then(|i| Self::ALL.get(i).copied()).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Normal => "normal",
            Level::ArchiveTrimmed => "archive trimmed",
            Level::MinuteTierShortened => "per-minute tier shortened",
            Level::Folded => "idle queues and rare functions folded",
            Level::WritesSkipped => "writes skipped",
        }
    }
}

/// Bytes rqdash stores, per family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub history: u64,
    pub functions: u64,
    pub archive: u64,
    pub audit: u64,
    pub alerts: u64,
}

impl Usage {
    /// The families as `/metrics` labels them.
    pub fn kinds(&self) -> [(&'static str, u64); 5] {
        [
            ("history", self.history),
            ("functions", self.functions),
            ("archive", self.archive),
            ("audit", self.audit),
            ("alerts", self.alerts),
        ]
    }

    pub fn total(&self) -> u64 {
        // Saturating: the figures are read back from Redis, where they may be anything.
        self.kinds().iter().fold(0u64, |a, (_, b)| a.saturating_add(*b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_decimal_and_binary_units_and_off() {
        assert_eq!(parse_size("64MB"), Ok(Budget { max: Some(64_000_000) }));
        assert_eq!(parse_size("512MiB"), Ok(Budget { max: Some(512 << 20) }));
        assert_eq!(parse_size("2000000"), Ok(Budget { max: Some(2_000_000) }));
        assert_eq!(parse_size(" 1 gb"), Ok(Budget { max: Some(1_000_000_000) }));
        assert_eq!(parse_size("off"), Ok(Budget { max: None }));
        assert_eq!(parse_size("0"), Ok(Budget { max: None }));
        assert!(parse_size("12").is_err(), "12 bytes cannot hold anything");
        assert!(parse_size("64 parsecs").is_err());
        assert!(parse_size("MB").is_err());
    }

    #[test]
    fn the_archive_keeps_its_share_of_the_budget_or_its_own_limit_whichever_is_smaller() {
        let b = Budget::default();
        assert_eq!(b.archive_entries(), Some(47_058));
        assert_eq!(b.retention(Retention::default()).max_entries, 47_058);
        let big = Budget { max: Some(1_000_000_000) };
        assert_eq!(big.retention(Retention::default()).max_entries, 100_000);
        assert_eq!(Budget { max: None }.retention(Retention::default()).max_entries, 100_000);
    }

    #[test]
    fn levels_are_numbered_in_the_order_rqdash_degrades() {
        for (i, l) in Level::ALL.iter().enumerate() {
            assert_eq!(usize::from(l.number()), i);
            assert_eq!(Level::from_number(i as i64), *l);
        }
        assert_eq!(Level::from_number(-1), Level::Normal);
    }
}
