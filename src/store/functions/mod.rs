//! Per-function performance: for every (queue, function), run time and queue wait histograms and
//! the jobs finished and failed, per minute (48 h) and per hour (90 days), recorded by the
//! history sampler from the jobs that ended (see [`crate::store::history::ended`]).
//!
//! # What is recorded
//! Each tick groups the jobs of every minute its lookback counted completely by (queue,
//! function) (the function is read from the job's `description`, else its `data`, never
//! executed), and writes per minute `finished,failed,<run histogram>,<wait histogram>` with one
//! `lua/functions_record.lua` call per 100 rows. Histograms use fixed log-spaced buckets
//! ([`hist::BOUNDS`], 1–2.5–5 per decade) so that p50/p95/p99 are read from any sum of minutes,
//! queues or replicas, within a bucket's width (Prometheus' `histogram_quantile` interpolation).
//!
//! # Replicas and repeated ticks
//! As for throughput: each tick recounts every minute of its lookback, and the script keeps the
//! larger value of every count and every histogram bucket; hour rows are the sum of their minute
//! hash, kept so by adding what each merge raised (the whole hash is re-summed only for an hour
//! row not there yet). Two rqdash replicas (or one ticking twice) count each job once.
//!
//! # Cardinality
//! At most `--functions-max` (default [`record::DEFAULT_MAX`]) function names per queue and UTC
//! day; jobs of further functions are folded into `other` (names already recorded that day
//! always keep their rows). Jobs whose function cannot be read are recorded as `unknown`.
//!
//! # Storage cost
//! Keys are listed in [`layout`]. Measured with `MEMORY USAGE` on Redis 7.0 (test
//! `functions_and_archive_storage_cost_is_measured`), for a (queue, function) pair with calls
//! every minute over 4 run time buckets: 4.2 KB per hour hash of minute rows (205 KB for the
//! 48 h kept; 3.2 KB before rows carried the run and wait sums), 336 B for a day hash of one
//! hour row, so about 1.7 KB for a full day (155 KB for 90 days): at most about 360 KB per busy
//! pair, plus its totals hash (264 B, [`totals`]); minutes without calls write nothing. 200 busy
//! functions in one queue: about 72 MB.
//!
//! # Redis cost per tick
//! The shared reader ([`crate::store::history::ended`]) adds to the throughput's existing hash
//! pipeline `HSTRLEN` and `XREVRANGE … COUNT 1` per registry member read (3 commands instead of
//! 1, same round trip), one `SMEMBERS` pipeline for the cap, and the write scripts (one call per
//! 100 rows, one per 200 archive records). Measured by `bench/sampler_cost.sh` (1,000 queues,
//! 200 functions, 10,000 jobs ending a minute, RQ 3.0, Redis 7.0, shared 2-core VM; report in
//! `bench/sampler_results.md`): a steady tick at one a minute costs about 190,000 commands and
//! 0.9–1.2 s of Redis CPU, about 111 µs per job that ended, 8 % of the Redis CPU RQ's own worker
//! spends on a job (1.2–1.4 ms); the floor (the same records by plain commands) is 1.5–2.2 %, and
//! the 2 % target is not met. It was 19 % (and 40 % before that): each job is now read once by a
//! running sampler ([`crate::store::history::seen`]), the write scripts cost per change (a
//! recounted row that rises nothing is not written, hour rows grow by the rises, no `TYPE` per
//! key, `EXPIREAT` only on keys written: tests `functions::rises`, `functions::cost`). Most of
//! what is left is Lua parsing and joining the rows' histogram strings in `functions_record.lua`.
//!
//! # Layout
//! [`detail`]: what the pages, API and CLI read. [`hist`]: buckets and percentiles (pure). [`layout`]: key names. [`record`]: grouping, the
//! cap and the write. [`read`]: the table and a function's series. [`totals`]: the counters of
//! `/metrics`.

pub mod cells;
pub mod detail;
pub mod hist;
pub mod layout;
pub mod read;
pub mod record;
pub mod totals;
pub mod write;

pub use detail::{Detail, Functions, detail, functions, queue_names};
pub use hist::{Hist, p95_vs_baseline};
pub use layout::{Keys, OTHER};
pub use read::{Bucket, Stat, series, table};
pub use totals::Totals;
