//! Reading what the health rules judge ([`crate::health::Facts`]) from one instance, and the
//! verdicts cached for pages, `/api/v1/health` and `/metrics`. Read-only: plain reads of RQ's
//! keys and of rqdash's history, never a write.
//!
//! Round trips: the overview (3), workers (2) and INFO (1) at once, then the scheduler alerts
//! (1) and the last 15 minutes of history (1, `HMGET` of 15 fields per queue) at once, then the
//! same-hour baseline of the previous 7 days (1, `HGET` × 7) only for queues with enough
//! failures to be a spike. Alongside those, the run times of the `slow-function` rule (up to 3,
//! bounded per tick: see [`functions`]), unless that rule is off.

mod failures;
pub mod functions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::history::Layout;
use super::{Instance, Result, info, overview, schedulers, workers};
use crate::health::rules::{InstanceFacts, QueueFacts, STALE_HEARTBEAT_S};
use crate::health::{self, Facts, Report, Rule, Settings};
use crate::rq::time;

/// Read the facts of one instance at `now` (unix seconds); `baselines` keeps the slow-function
/// baselines from one call to the next (see [`functions::Baselines`]).
pub async fn facts(
    inst: &Instance,
    layout: &Layout,
    settings: &Settings,
    now: i64,
    baselines: &functions::Baselines,
) -> Result<Facts> {
    let (ov, w, i) = tokio::join!(overview::overview(inst), workers::workers(inst), info::redis_info(inst));
    let (ov, w) = (ov?, w?);
    // INFO may be refused (managed Redis): the memory rules then stay silent.
    let i = i.unwrap_or_default();
    let names: Vec<String> = ov.queues.iter().map(|q| q.name.clone()).collect();
    let slow = settings.enabled(Rule::SlowFunction);
    let (alerts, fails, funcs) = tokio::join!(
        schedulers::alerts(inst, &names),
        failures::read(inst, layout, &names, settings.spike_min_failures, now),
        async {
            if !slow {
                return Ok(vec![Vec::new(); names.len()]);
            }
            functions::read(inst, layout, &names, settings.slow_min_calls, now, baselines).await
        }
    );
    let (alerts, fails, funcs) = (alerts?, fails?, funcs?);
    let fresh = |h: Option<f64>| h.is_none_or(|age| age <= STALE_HEARTBEAT_S);
    let live: Vec<_> = w.workers.iter().filter(|w| !w.stale && fresh(w.heartbeat_age_seconds)).collect();
    let stale_workers = w
        .workers
        .iter()
        .filter(|w| w.stale || !fresh(w.heartbeat_age_seconds))
        .map(|w| w.name.clone())
        .collect();
    let queues = ov
        .queues
        .iter()
        .zip(fails)
        .zip(funcs)
        .map(|((q, failures), functions)| QueueFacts {
            name: q.name.clone(),
            queued: q.counts.queued,
            listening_workers: live.iter().filter(|w| w.queues.contains(&q.name)).count() as i64,
            oldest_age_s: q
                .oldest_enqueued_at
                .as_deref()
                .and_then(time::parse)
                .map(|e| (now - e.as_second()).max(0)),
            overdue_without_scheduler: alerts
                .overdue
                .iter()
                .find(|(n, _)| *n == q.name)
                .map_or(0, |(_, n)| *n),
            failures,
            functions,
        })
        .collect();
    let instance = InstanceFacts {
        maxmemory_policy: i.maxmemory_policy,
        used_memory: i.used_memory,
        maxmemory: i.maxmemory,
        stale_workers,
    };
    Ok(Facts { now, queues, instance })
}

/// Read and judge one instance now (a one-off: `rqdash check`; [`Cache::judge`] keeps baselines).
pub async fn report(inst: &Instance, layout: &Layout, settings: &Settings) -> Result<Report> {
    judge(inst, layout, settings, &functions::Baselines::default()).await
}

async fn judge(
    inst: &Instance,
    layout: &Layout,
    settings: &Settings,
    b: &functions::Baselines,
) -> Result<Report> {
    let now = time::now_epoch() as i64;
    let f = facts(inst, layout, settings, now, b).await?;
    Ok(health::evaluate(inst.index, &f, settings))
}

/// The latest verdicts per instance: refreshed by the health task on every sample, computed on
/// demand when none is fresh (no sampler runs: `--read-only`, `--no-history`, a test).
#[derive(Debug)]
pub struct Cache {
    pub settings: Settings,
    pub layout: Layout,
    /// How long a report read on demand is reused by pages and scrapes.
    ttl: Duration,
    /// Per instance: the latest report and until when it is reused.
    slots: Mutex<HashMap<usize, (Instant, Arc<Report>)>>,
    /// Slow-function baselines, read once an hour per pair instead of every tick.
    pub baselines: functions::Baselines,
}

impl Default for Cache {
    fn default() -> Self {
        Self::new(Settings::default(), Layout::default())
    }
}

impl Cache {
    /// Reports judged with `settings`, reading history under `layout`, reused for 5 s.
    pub fn new(settings: Settings, layout: Layout) -> Self {
        Self {
            settings,
            layout,
            ttl: Duration::from_secs(5),
            slots: Mutex::default(),
            baselines: functions::Baselines::default(),
        }
    }

    /// Read and judge `inst` now, with this cache's baselines (not kept: see [`Cache::put_for`]).
    pub async fn judge(&self, inst: &Instance) -> Result<Report> {
        judge(inst, &self.layout, &self.settings, &self.baselines).await
    }

    /// The report of `inst`: the cached one while fresh, else read now.
    pub async fn report(&self, inst: &Instance) -> Result<Arc<Report>> {
        let now = Instant::now();
        let cached = self.lock().get(&inst.index).filter(|(until, _)| now < *until).map(|(_, r)| r.clone());
        if let Some(r) = cached {
            return Ok(r);
        }
        let r = self.judge(inst).await?;
        Ok(self.put_for(r, self.ttl))
    }

    /// Keep `r` as its instance's latest report, reused for `ttl`. The health task keeps its
    /// report until its next tick is due: a page then reads no second overview between samples
    /// (with 1,000 queues one report is about 17,000 Redis commands).
    pub fn put_for(&self, r: Report, ttl: Duration) -> Arc<Report> {
        let r = Arc::new(r);
        self.lock().insert(r.instance, (Instant::now() + ttl, r.clone()));
        r
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, (Instant, Arc<Report>)>> {
        self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
