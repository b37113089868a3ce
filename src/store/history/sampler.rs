//! The sampler: one tick reads every queue and writes one sample; a task per instance ticks
//! forever, whether or not anyone has a page open, and outlives Redis outages.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::layout::{Layout, floor};
use super::record::{self, Record, Written};
use super::row;
use super::seen::Seen;
use super::throughput::{self, QueueThroughput, Tracks};
use crate::rq::time;
use crate::store::budget::{self, guard::Guard};
use crate::store::overview::{self, QueueInfo};
use crate::store::{Error, Instance, Result, Store, archive, functions};

/// Longest lookback of a tick (seconds): a restart or an outage up to this long loses no
/// throughput (RQ keeps finished jobs 500 s by default, so longer would find little anyway).
pub const MAX_LOOKBACK: i64 = 600;
/// Shortest period the sampler accepts: faster only rewrites the same minute.
pub const MIN_PERIOD: Duration = Duration::from_secs(5);

/// One instance's sampler state. Only an optimisation and a cursor live here: everything
/// recorded is in Redis, so a new `Sampler` (a restart, another replica) carries on seamlessly.
#[derive(Debug, Default)]
pub struct Sampler {
    layout: Layout,
    tracks: Tracks,
    /// Members already read, and the records of those a later lookback still reaches; replaced
    /// after each good tick.
    seen: Seen,
    last_ok: Option<i64>,
    limits: Limits,
    guard: Guard,
    /// The per-function rows last written or found, so that unchanged ones cost nothing.
    rows: functions::write::Cache,
}

/// What the sampler keeps beyond queue history: per-function performance and the job archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `--functions-max`: function names per queue and day before the rest is folded.
    pub functions_max: usize,
    /// `--archive-max-age`, `--archive-max-entries`.
    pub archive: archive::Retention,
    /// `--storage-max-memory`, and `--audit-prefix` (the audit stream counts in the budget).
    pub storage: budget::Budget,
    pub audit_prefix: String,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            functions_max: functions::record::DEFAULT_MAX,
            archive: archive::Retention::default(),
            storage: budget::Budget::default(),
            audit_prefix: crate::store::audit::DEFAULT_PREFIX.to_owned(),
        }
    }
}

impl Sampler {
    /// A sampler writing under `layout`.
    pub fn new(layout: Layout) -> Self {
        Self { layout, ..Self::default() }
    }

    /// The same with non-default function and archive limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.guard = Guard::new(limits.storage, &limits.audit_prefix);
        self.limits = limits;
        self
    }

    /// Start of this tick's lookback: the minute before the last good tick, at least two
    /// minutes and at most [`MAX_LOOKBACK`] back (all of it after a restart).
    fn lookback(&self, now: i64) -> i64 {
        let since = self.last_ok.map_or(i64::MIN, |l| l - 60).min(now - 120);
        floor(since.max(now - MAX_LOOKBACK), 60)
    }
}

/// What one tick recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    pub queues: usize,
    /// Start of the minute the gauges were written to.
    pub minute: i64,
    pub written: Written,
    /// Per-function minute rows written, and jobs newly archived.
    pub function_rows: i64,
    pub archived: i64,
    /// Nothing was written: the storage budget is reached (see [`budget`]).
    pub skipped: bool,
}

/// Take one sample at `now` (unix seconds): every queue's counts, oldest job age and the jobs
/// ended per minute since the lookback start, merged into the history of `sampler`'s layout.
pub async fn sample(inst: &Instance, sampler: &mut Sampler, now: i64) -> Result<Tick> {
    let ov = overview::overview(inst).await?;
    let from = sampler.lookback(now);
    let live: HashSet<&str> = ov.queues.iter().map(|q| q.name.as_str()).collect();
    sampler.tracks.retain(|(q, _), _| live.contains(q.as_str()));
    let thr = throughput::read(inst, &mut sampler.tracks, &sampler.seen, &ov.queues, from, now).await?;
    let records = records(&ov.queues, &thr, now);
    // The budget decides before anything is written: degrade first, or skip the tick.
    // Only the jobs read now are new: the kept ones are in rows and the archive already.
    let expected = sampler.guard.expected(records.len(), thr.iter().map(|t| t.fresh().len()).sum());
    if !sampler.guard.before_write(inst, &sampler.layout, &ov.queues, expected, now).await? {
        return Ok(Tick {
            queues: ov.queues.len(),
            minute: floor(now, 60),
            skipped: true,
            ..Tick::default()
        });
    }
    let records: Vec<Record> =
        records.into_iter().filter(|r| r.queue.as_deref().is_none_or(|q| !sampler.guard.folded(q))).collect();
    let written = record::record(inst, &sampler.layout, &records, now).await?;
    let fkeys = functions::Keys::new(&sampler.layout);
    let known = functions::record::known(inst, &fkeys, &thr, now).await?;
    let rows = functions::record::rows(&thr, &known, sampler.limits.functions_max);
    functions::write::check_epoch(inst, &fkeys, &mut sampler.rows).await?;
    let function_rows =
        functions::write::write_cached(inst, &fkeys, &rows, &known, &mut sampler.rows).await?;
    let akeys = archive::Keys::new(&sampler.layout);
    // Only the records read now: the kept ones were archived by the good tick that read them.
    let ended = thr.iter().flat_map(|t| t.fresh());
    let keep = sampler.guard.budget.retention(sampler.limits.archive);
    let archived = archive::write::append(inst, &akeys, keep, ended, now).await?.added;
    sampler.guard.wrote(expected);
    sampler.last_ok = Some(sampler.last_ok.map_or(now, |l| l.max(now)));
    // Only now: had a write failed, the members it archived would be read again next tick.
    // A later tick's lookback starts at `lookback(now)` or after, unless the clock is set back.
    sampler.seen = Seen::after(thr, sampler.lookback(now));
    Ok(Tick {
        queues: ov.queues.len(),
        minute: floor(now, 60),
        written,
        function_rows,
        archived,
        skipped: false,
    })
}

/// One record per queue, then the all-queues sum (its throughput is the sum of the counts known
/// for the minute, a lower bound where a queue's count is unknown).
fn records(queues: &[QueueInfo], thr: &[QueueThroughput], now: i64) -> Vec<Record> {
    let mut out = Vec::with_capacity(queues.len() + 1);
    let (mut queued, mut started, mut failed, mut oldest) = (0, 0, 0, None::<i64>);
    let mut all: BTreeMap<i64, (Option<u64>, Option<u64>)> = BTreeMap::new();
    let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (x, y) => x.or(y),
    };
    for (q, t) in queues.iter().zip(thr) {
        let c = &q.counts;
        let age = q.oldest_enqueued_at.as_deref().and_then(time::parse).map(|e| (now - e.as_second()).max(0));
        (queued, started, failed) = (queued + c.queued, started + c.started, failed + c.failed);
        oldest = oldest.max(age);
        let mut minutes = BTreeMap::new();
        let counted: BTreeSet<i64> = t.finished.keys().chain(t.failed.keys()).copied().collect();
        for m in counted {
            let v = (t.finished.get(&m).copied(), t.failed.get(&m).copied());
            minutes.insert(m, v);
            let s = all.entry(m).or_default();
            *s = (add(s.0, v.0), add(s.1, v.1));
        }
        let gauges = row::gauges(c.queued, c.started, c.failed, age);
        out.push(Record { queue: Some(q.name.clone()), gauges, minutes });
    }
    let gauges = row::gauges(queued, started, failed, oldest);
    out.push(Record { queue: None, gauges, minutes: all });
    out
}

/// Start one sampling task per instance, ticking every `period` (at least [`MIN_PERIOD`]) until
/// `shutdown`. A failing tick is logged once per outage and retried at the next tick; an ACL
/// refusal (NOPERM) is logged once and ends the instance's sampling.
pub fn spawn_sampler(
    store: Store,
    layout: Layout,
    limits: Limits,
    period: Duration,
    shutdown: CancellationToken,
) -> Vec<JoinHandle<()>> {
    if period < MIN_PERIOD {
        // A bare number is milliseconds (rq-dashboard's unit for intervals): "60" is not a minute.
        tracing::warn!(?period, "history interval raised to the minimum of {MIN_PERIOD:?}");
    }
    let period = period.max(MIN_PERIOD);
    (0..store.instances().len())
        .map(|index| {
            let (store, layout, shutdown, limits) =
                (store.clone(), layout.clone(), shutdown.clone(), limits.clone());
            tokio::spawn(async move {
                run(store, index, Sampler::new(layout).with_limits(limits), period, shutdown).await
            })
        })
        .collect()
}

async fn run(
    store: Store,
    index: usize,
    mut sampler: Sampler,
    period: Duration,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let Ok(inst) = store.instance(index) else { return };
        let now = time::now_epoch() as i64;
        let result = tokio::select! {
            r = sample(inst, &mut sampler, now) => r,
            () = shutdown.cancelled() => return,
        };
        match result {
            Ok(t) if failing => {
                failing = false;
                tracing::info!(instance = index, queues = t.queues, "history sampling resumed");
            }
            Ok(t) => tracing::debug!(
                instance = index,
                queues = t.queues,
                rows = t.written.minute_rows,
                "history sampled"
            ),
            // An ACL user without write or scripting rights will not gain them by waiting.
            Err(e @ Error::Forbidden { .. }) => {
                tracing::warn!(instance = index, error = %e, "history sampling off: the Redis user may not write it");
                return;
            }
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(instance = index, error = %e, "history sampling failed; retrying every tick");
            }
            Err(e) => tracing::debug!(instance = index, error = %e, "history sampling still failing"),
        }
    }
}
