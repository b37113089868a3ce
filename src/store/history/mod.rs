//! Queue history without Prometheus: a sampler per instance records every queue's counts in
//! Redis, in rqdash's own keys, so charts work with zero setup, survive restarts and are shared
//! by every rqdash replica pointed at the same Redis.
//!
//! # What a tick records
//! Every `--history-interval` (60 s by default), whether or not a page is open, [`sample`]
//! reads the overview (3 round trips), the registries (at most 3 more, see below) and writes
//! with one `lua/history_record.lua` call per 50 queues. Per queue and for the sum of all
//! queues it records, in the bucket of the current minute: the queue length, the started and
//! failed registry sizes and the age of the job at the head of the queue; and, for every minute
//! of its lookback, the jobs that *ended* in that minute (finished, failed). Sampling more often
//! than once a minute only refreshes the current minute's gauges (the latest sample wins).
//!
//! # Storage layout and cost
//! Two tiers of small hashes, one row per bucket (`5,1,7,12,2,30`; see [`row`]):
//! - `<prefix>:m:<yyyymmddhh>:q:<queue>`: one hash per queue per UTC hour, field = minute 0–59,
//!   expiring 48 h after the hour ends;
//! - `<prefix>:h:<yyyymmdd>:q:<queue>`: one hash per queue per UTC day, field = hour 0–23 (the
//!   hour's gauge maxima, throughput sums and the minutes they cover), expiring 90 days after
//!   the day ends;
//! - the same with `all` in place of `q:<queue>` for the sum over all queues, so an overview
//!   chart reads as few keys as a queue's.
//!
//! Hashes rather than a sorted set or stream because a bucket must be *overwritten* in place
//! (replicas and repeated samples merge into one value); hour and day hashes because they stay
//! under Redis' listpack limits (128 fields, 64-byte values), the compact encoding, and a range
//! is a handful of `HGETALL`s: 2 keys for 1 h, 25 for 24 h, 8 for 7 d, 91 for 90 d.
//!
//! Measured with `MEMORY USAGE` on Redis 7.0 (listpack encoding, queue name `default`):
//!
//! | per queue                   | busy rows (`1234,12,5678,240,3,3600`) | idle rows (`0,0,0,0,0,`) |
//! |-----------------------------|---------------------------------------|--------------------------|
//! | one hour of minute buckets  | 1,880 B                               | 984 B                    |
//! | 48 h kept (49 hashes)       | 92 KB                                 | 48 KB                    |
//! | one day of hour buckets     | 984 B                                 | 600 B                    |
//! | 90 days kept (91 hashes)    | 90 KB                                 | 55 KB                    |
//! | total                       | about 180 KB                          | about 100 KB             |
//!
//! plus the same once for the `all` series: 100 queues cost 10–18 MB. The size is bounded by
//! the expiries (at most 49 minute hashes and 91 hour hashes per queue exist at any time) and
//! by RQ's own set of queues (a queue removed from `rq:queues` stops being sampled).
//! All of it, with functions and the archive, stays under `--storage-max-memory`: over it the
//! sampler shortens the minute tier and folds idle queues ([`crate::store::budget`]).
//!
//! # Throughput: what is counted, and the limits
//! A finished or failed job is counted in the minute of its `ended_at`, read from its hash while
//! it is still in the registry (see [`buckets`] for how registry windows are chosen). Each tick
//! recounts every minute of its lookback (2 minutes normally, up to [`MAX_LOOKBACK`] after a
//! restart or an outage) and the script keeps the larger of the stored and the new count: a
//! count never goes up by being sampled twice, and jobs that expired or were requeued since do
//! not lower it. Limits:
//! - jobs with `result_ttl=0` leave no trace and are not counted; jobs whose ttl is shorter than
//!   the sampling period may expire before any tick sees them;
//! - jobs kept forever carry no order in their registry (`result_ttl=-1` is scored `+inf`;
//!   RQ's failed registry stores `failure_ttl=-1` as the score -1): they are counted by the
//!   growth of their number between two ticks of one rqdash, in the later tick's minute (the
//!   first tick after a start counts none);
//! - when a registry window holds more than 1,000 members newer than the lookback start (over
//!   roughly 500 jobs a minute in one queue), the minutes it could not reach are counted with
//!   `ZCOUNT` over the score range `[minute + ttl, minute + 60 + ttl)` when the registry uses a
//!   single ttl (exact to a second at minute edges), and left unknown otherwise;
//! - a job without `ended_at` (stopped jobs in RQ 1.16, jobs RQ moved without running them)
//!   counts at its registry score minus its ttl, i.e. when it entered the registry; a member
//!   whose job hash is gone is not counted;
//! - a queue whose jobs use several ttls is read through one window per ttl seen among its
//!   newest 1,000 members; a new ttl is noticed within 10 minutes.
//!
//! # Replicas, restarts, outages
//! Gauges overwrite and throughput merges by maximum, and hour rows are recomputed from the
//! minute rows, so any number of samplers give one value per bucket. A restart loses the gauges
//! of the minutes nobody sampled; the throughput of up to [`MAX_LOOKBACK`] seconds is recounted.
//! A failing tick is logged once per outage and the next tick retries.
//!
//! # Reads
//! [`series`] and [`drain_times`] only issue `HGETALL` (one pipeline). Only the sampler writes,
//! and only keys under its prefix.
//!
//! # Layout
//! - [`layout`]: key names, buckets, expiries. [`row`]: the stored row format.
//! - [`buckets`]: registry windows, end times, minute coverage (pure). [`throughput`]: their I/O.
//! - [`ended`]: what a member read brings. [`seen`]: what a sampler remembers of members read.
//! - [`sampler`]: one tick and the task per instance. [`record`]: the write script call.
//! - [`series`]: ranges, points, time to drain.

pub mod buckets;
pub mod ended;
pub mod layout;
mod record;
pub mod row;
mod sampler;
pub mod seen;
mod series;
pub mod throughput;

pub use layout::{DEFAULT_PREFIX, HOUR_KEEP, Layout, MINUTE_KEEP, Subject};
pub use record::Written;
pub use sampler::{Limits, MAX_LOOKBACK, MIN_PERIOD, Sampler, Tick, sample, spawn_sampler};
pub use series::{Point, Range, Series, drain_times, series, series_many, time_to_drain};
