//! The OpenMetrics text of one scrape, built with prometheus-client (typed label sets; label
//! values such as queue and worker names are escaped by it).
//!
//! Every series carries `instance="N"`, the 0-based index of the Redis URL. RQ's worker
//! counters summed per queue are gauges: a sum drops when a worker leaves, which a counter must
//! never do. Per worker (`--metrics-per-worker`) they are counters (`_total`): one worker's
//! count only grows, and a restarted worker is a new series or a reset, which Prometheus
//! handles. With rq-exporter's
//! families ([`super::exporter`]) its `rq_jobs` and `rq_workers` take the place of ours: one name
//! is one family in an exposition, and a board's `count(rq_workers)` must count workers only.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use prometheus_client::encoding::{EncodeLabel, EncodeLabelSet, LabelSetEncoder};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use super::exporter::Exporter;
use super::worker_counters::WorkerCounters;
use super::{InstanceScrape, Sample};
use crate::rq::worker::Worker;
use crate::rq::{State, time};
use crate::store::overview::Overview;

/// Worker states exported as they are; anything else (e.g. RQ's `?`) is counted as `other`.
const WORKER_STATES: [&str; 5] = ["busy", "idle", "suspended", "started", "other"];

pub(super) type Int = Family<L, Gauge>;
pub(super) type Float = Family<L, Gauge<f64, AtomicU64>>;

/// One label set for every family: labels left `None` are not written at all.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
pub(super) struct L {
    pub(super) instance: String,
    pub(super) queue: Option<String>,
    pub(super) state: Option<&'static str>,
    pub(super) worker: Option<String>,
    pub(super) queues: Option<String>,
    pub(super) name: Option<String>,
}

impl L {
    fn inst(instance: &str) -> Self {
        Self { instance: instance.to_owned(), ..Self::default() }
    }

    fn queue(instance: &str, queue: &str) -> Self {
        Self { queue: Some(queue.to_owned()), ..Self::inst(instance) }
    }
}

impl EncodeLabelSet for L {
    fn encode(&self, e: &mut LabelSetEncoder) -> std::fmt::Result {
        ("instance", self.instance.as_str()).encode(e.encode_label())?;
        let rest = [
            ("queue", self.queue.as_deref()),
            ("state", self.state),
            ("worker", self.worker.as_deref()),
            ("queues", self.queues.as_deref()),
            ("name", self.name.as_deref()),
        ];
        for (k, v) in rest {
            if let Some(v) = v {
                (k, v).encode(e.encode_label())?;
            }
        }
        Ok(())
    }
}

pub(super) fn int(reg: &mut Registry, name: &str, help: &str) -> Int {
    let f = Int::default();
    reg.register(name, help, f.clone());
    f
}

/// A family that is filled but written only when `on` (see the module doc on rq-exporter's).
fn int_if(on: bool, reg: &mut Registry, name: &str, help: &str) -> Int {
    if on { int(reg, name, help) } else { Int::default() }
}

pub(super) fn seconds(reg: &mut Registry, name: &str, help: &str) -> Float {
    let f = Float::default();
    reg.register_with_unit(name, help, Unit::Seconds, f.clone());
    f
}

/// Every family of the exposition, registered in the order they are written.
struct Families {
    up: Int,
    roundtrip: Float,
    jobs: Int,
    oldest: Float,
    queue_workers: Int,
    workers: Int,
    stale: Int,
    suspended: Int,
    counters: WorkerCounters,
    overdue: Int,
    cron_up: Int,
}

impl Families {
    fn new(reg: &mut Registry, compat: bool, per_worker: bool) -> Self {
        Self {
            up: int(reg, "rqdash_up", "1 if the Redis instance answered this scrape, else 0"),
            roundtrip: seconds(reg, "rqdash_redis_roundtrip", "Wall time of this scrape's Redis reads"),
            jobs: int_if(!compat, reg, "rq_jobs", "Jobs per queue and state (queue length or registry size)"),
            oldest: seconds(
                reg,
                "rq_queue_oldest_job_age",
                "Age of the job at the head of the queue (0 when the queue is empty)",
            ),
            queue_workers: int(reg, "rq_queue_workers", "Live workers listening on the queue"),
            workers: int_if(!compat, reg, "rq_workers", "Live workers per state (stale entries excluded)"),
            stale: int(reg, "rq_workers_stale", "Entries of rq:workers whose worker is gone"),
            suspended: int(reg, "rq_workers_suspended", "1 while workers are suspended (rq suspend)"),
            counters: WorkerCounters::new(reg, per_worker),
            overdue: int(
                reg,
                "rq_scheduled_overdue",
                "Scheduled jobs whose time has passed (a scheduler moves them)",
            ),
            cron_up: int(
                reg,
                "rq_cron_scheduler_up",
                "1 if the rq cron scheduler's heartbeat is within its TTL, else 0",
            ),
        }
    }
}

/// The OpenMetrics text of `scrapes`. Worker counters are summed per queue over the workers
/// listening on it, or with `per_worker` labelled `worker` and `queues` (comma-separated)
/// instead; `compat` adds rq-exporter's families for the first instance. `started` is when
/// the scrape began (for `rqdash_scrape_duration_seconds`).
pub fn encode(scrapes: &[InstanceScrape], per_worker: bool, compat: bool, started: Instant) -> String {
    let mut reg = Registry::default();
    let f = Families::new(&mut reg, compat, per_worker);
    if compat {
        let exporter = std::sync::Arc::new(Exporter::default());
        reg.register_collector(Box::new(exporter.clone()));
        if let Some(Ok(first)) = scrapes.iter().find(|s| s.index == 0).map(|s| &s.sample) {
            exporter.record(first);
        }
    }
    super::functions::register(&mut reg, scrapes);
    for s in scrapes {
        let instance = s.index.to_string();
        let up = L::inst(&instance);
        f.up.get_or_create(&up).set(i64::from(s.sample.is_ok()));
        f.roundtrip.get_or_create(&up).set(s.roundtrip.as_secs_f64());
        if let Ok(sample) = &s.sample {
            queues(&f, &instance, sample);
            workers(&f, &instance, &sample.overview, &sample.workers.workers, per_worker);
            scheduling(&f, &instance, &sample.schedulers);
        }
    }
    let duration = Gauge::<f64, AtomicU64>::default();
    reg.register_with_unit(
        "rqdash_scrape_duration",
        "Time rqdash took to read Redis and build this answer",
        Unit::Seconds,
        duration.clone(),
    );
    duration.set(started.elapsed().as_secs_f64());
    let mut out = String::new();
    // Writing into a String cannot fail; a failing metric would only truncate the text.
    let _ = prometheus_client::encoding::text::encode(&mut out, &reg);
    out
}

fn queues(f: &Families, instance: &str, sample: &Sample) {
    let (o, now) = (&sample.overview, time::now_epoch());
    f.suspended.get_or_create(&L::inst(instance)).set(i64::from(o.suspended));
    // RQ 3.0's `ready` only where RQ 3.0 was seen: on older data it would be a series always 0.
    let states = State::ALL.into_iter().filter(|s| *s != State::Ready || sample.rq3);
    for q in &o.queues {
        for s in states.clone() {
            let l = L { state: Some(s.as_str()), ..L::queue(instance, &q.name) };
            f.jobs.get_or_create(&l).set(q.counts.get(s));
        }
        let age = match q.oldest_enqueued_at.as_deref().and_then(time::parse) {
            Some(t) if q.counts.queued > 0 => (now - t.as_microsecond() as f64 / 1e6).max(0.0),
            _ => 0.0,
        };
        f.oldest.get_or_create(&L::queue(instance, &q.name)).set(age);
    }
}

fn scheduling(f: &Families, instance: &str, a: &crate::store::schedulers::Alerts) {
    for (q, n) in &a.overdue_by_queue {
        f.overdue.get_or_create(&L::queue(instance, q)).set(*n);
    }
    for (names, up) in [(&a.live_cron, 1), (&a.stale_cron, 0)] {
        for n in names {
            f.cron_up.get_or_create(&L { name: Some(n.clone()), ..L::inst(instance) }).set(up);
        }
    }
}

fn workers(f: &Families, instance: &str, o: &Overview, list: &[Worker], per_worker: bool) {
    let mut states: BTreeMap<&str, i64> = WORKER_STATES.iter().map(|s| (*s, 0)).collect();
    // Every known queue gets a series (0 without workers), and so does every queue a worker serves.
    let mut names: BTreeSet<&str> = o.queues.iter().map(|q| q.name.as_str()).collect();
    let live: Vec<&Worker> = list.iter().filter(|w| !w.stale).collect();
    let stale = (list.len() - live.len()) as i64;
    for w in &live {
        let state = WORKER_STATES.iter().find(|s| **s == w.state).copied().unwrap_or("other");
        *states.entry(state).or_default() += 1;
        names.extend(w.queues.iter().map(String::as_str));
    }
    for (state, n) in states {
        f.workers.get_or_create(&L { state: Some(state), ..L::inst(instance) }).set(n);
    }
    f.stale.get_or_create(&L::inst(instance)).set(stale);
    for q in names {
        let serving: Vec<&&Worker> = live.iter().filter(|w| w.queues.iter().any(|x| x == q)).collect();
        let l = L::queue(instance, q);
        f.queue_workers.get_or_create(&l).set(serving.len() as i64);
        if !per_worker {
            let c = &f.counters;
            c.successful.get_or_create(&l).set(serving.iter().map(|w| w.successful_job_count).sum());
            c.failed.get_or_create(&l).set(serving.iter().map(|w| w.failed_job_count).sum());
            // A fold, not sum(): an empty f64 sum is -0.0, which would be written as "-0.0".
            c.working.get_or_create(&l).set(serving.iter().fold(0.0, |a, w| a + w.total_working_time));
        }
    }
    if per_worker {
        for w in &live {
            let l = L { worker: Some(w.name.clone()), queues: Some(w.queues.join(",")), ..L::inst(instance) };
            // A counter cannot go below 0: a corrupt negative count in a worker hash reads as 0.
            let c = &f.counters;
            c.successful_total.get_or_create(&l).inc_by(w.successful_job_count.max(0).unsigned_abs());
            c.failed_total.get_or_create(&l).inc_by(w.failed_job_count.max(0).unsigned_abs());
            c.working_total.get_or_create(&l).inc_by(w.total_working_time.max(0.0));
        }
    }
}
