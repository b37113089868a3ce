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
//! `bench/sampler_results.md`): a steady tick at one a minute costs about 310,000 commands and
//! 2.4–2.8 s of Redis CPU, 246–280 µs per job that ended, about 19 % of the Redis CPU RQ's own
//! worker spends on a job (1.0–1.4 ms): the 2 % target is not met. Most of it was the write
//! scripts: every tick rewrote the function rows of the 2–3 minutes of its lookback (about 1.5
//! per job) and each call re-summed the hour rows from their minute hashes (`HGETALL`); then the
//! archive and the 2.2 reads per job (each job is read by the ticks whose lookback holds its
//! end: [`crate::store::history::throughput::Settled`]; before that, 11 per job and 40 %).
//! Since then the scripts cost per change: a recounted row that rises nothing is not written,
//! hour rows grow by the rises, no `TYPE` per key, `EXPIREAT` only on keys written (test
//! `functions::rises`: a tick recounting 1,000 unchanged rows went from 124–128 ms of `EVALSHA`
//! to 19–28 ms; not yet re-measured with the bench).
//!
//! # Layout
//! [`detail`]: what the pages, API and CLI read. [`hist`]: buckets and percentiles (pure). [`layout`]: key names. [`record`]: grouping, the
//! cap and the write. [`read`]: the table and a function's series. [`totals`]: the counters of
//! `/metrics`.

pub mod detail;
pub mod hist;
pub mod layout;
pub mod read;
pub mod record;
pub mod totals;

pub use detail::{Detail, Functions, detail, functions, queue_names};
pub use hist::{Hist, p95_vs_baseline};
pub use layout::{Keys, OTHER};
pub use read::{Bucket, Stat, series, table};
pub use totals::Totals;
