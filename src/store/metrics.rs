//! What a Prometheus scrape reads: every instance's overview and workers, cached and single-flight.
//!
//! Redis work per instance and scrape: [`overview::overview`] (3 dependent round trips) and
//! [`workers::workers`] (2) run concurrently on the instance's multiplexed connection, so a scrape
//! sends 5 pipelines but waits for only 3 round trips, then one more for the scheduler alerts
//! (they need the queue names), alongside two for the per-function totals ([`functions`]); all
//! instances are read at the same time.
//! The answer is reused for `--metrics-cache` and computed by one caller at a time, so any number
//! of scrapers costs at most one read per window, in either exposition format ([`text`]).

mod encode;
mod exporter;
mod functions;
mod health;
mod storage;
pub mod text;
mod worker_counters;

use std::sync::Arc;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;
use tokio::sync::Mutex;

use super::functions::{Keys, Totals};
use super::history::Layout;
use super::overview::{self, Overview};
use super::schedulers::{self, Alerts};
use super::workers::{self, Workers};
use super::{Instance, Result, Store};
use crate::config::ServeArgs;

pub use encode::encode;
pub use text::{CONTENT_TYPE, Format, TEXT_CONTENT_TYPE};

/// One instance's data for a scrape.
#[derive(Debug)]
pub struct Sample {
    pub overview: Overview,
    pub workers: Workers,
    /// Overdue scheduled jobs per queue and cron scheduler heartbeats (one more round trip).
    pub schedulers: Alerts,
    /// RQ 3.0 was seen here (an RQ 3.0 worker, rate limits, or a `ready` registry), so its
    /// `ready` state is exported; on older data it would only add series that are always 0.
    pub rq3: bool,
    /// Per-function totals of the pairs recorded today or yesterday (empty if unreadable; None
    /// with `--metrics-no-functions`).
    pub functions: Option<Vec<Totals>>,
}

/// One instance's part of a scrape: its data or why Redis did not answer, and how long it took.
#[derive(Debug)]
pub struct InstanceScrape {
    pub index: usize,
    pub sample: Result<Sample>,
    /// Wall time of this instance's Redis reads (its round trips overlap, see the module doc).
    pub roundtrip: Duration,
}

/// Read one instance; an error is kept in the result, never returned. `keys`: where the
/// per-function totals live (`--history-prefix`).
pub async fn sample(inst: &Instance, keys: Option<&Keys>) -> InstanceScrape {
    let t = Instant::now();
    let sample = match tokio::try_join!(overview::overview(inst), workers::workers(inst)) {
        Ok((overview, workers)) => {
            let names: Vec<String> = overview.queues.iter().map(|q| q.name.clone()).collect();
            let rq3 = inst.has_rate_limits() || overview.totals.ready > 0;
            let (alerts, functions) =
                tokio::join!(schedulers::alerts(inst, &names), functions::read(inst, keys, &names));
            alerts.map(|schedulers| Sample { overview, workers, schedulers, rq3, functions })
        }
        Err(e) => Err(e),
    };
    InstanceScrape { index: inst.index, sample, roundtrip: t.elapsed() }
}

/// Read every instance concurrently, in configuration order; a down instance does not fail the rest.
pub async fn sample_all(store: &Store, keys: Option<&Keys>) -> Vec<InstanceScrape> {
    futures_util::future::join_all(store.instances().iter().map(|i| sample(i, keys))).await
}

/// The settings and the cached answer of `/metrics`; one per app, shared by every request.
#[derive(Debug)]
pub struct MetricsState {
    per_worker: bool,
    /// `--metrics-compat rq-exporter`: rq-exporter's families too (see `exporter`).
    compat: bool,
    ttl: Duration,
    token: Option<String>,
    cache: Mutex<Option<Cached>>,
    /// Reads of Redis so far and their total seconds: rq-exporter's `rq_request_processing_seconds`.
    collected: std::sync::Mutex<(u64, f64)>,
    /// Health verdicts for `rq_queue_health` (none: the family is left out).
    health: Option<Arc<super::verdict::Cache>>,
    /// Where the per-function totals are read (`--history-prefix`); None with
    /// `--metrics-no-functions`.
    functions: Option<Keys>,
    /// Where the sampler stores the storage budget's figure (`rqdash_storage_*`).
    storage: Option<Layout>,
}

#[derive(Debug)]
struct Cached {
    started: Instant,
    done: Instant,
    body: Arc<str>,
    /// The same answer in Prometheus text format 0.0.4.
    text: Arc<str>,
}

impl Default for MetricsState {
    /// Per-queue worker counters, a 2 s cache, no bearer token (Basic auth, if any, applies).
    fn default() -> Self {
        Self::new(false, Duration::from_secs(2), None)
    }
}

impl MetricsState {
    /// `token`: the bearer token `/metrics` requires (an empty one counts as none).
    pub fn new(per_worker: bool, ttl: Duration, token: Option<String>) -> Self {
        let token = token.filter(|t| !t.trim().is_empty()).map(|t| t.trim().to_owned());
        let collected = std::sync::Mutex::new((0, 0.0));
        let functions = Some(Keys::new(&Layout::default()));
        Self {
            per_worker,
            compat: false,
            ttl,
            token,
            cache: Mutex::new(None),
            collected,
            health: None,
            functions,
            storage: None,
        }
    }

    /// With rq-exporter's families (`--metrics-compat rq-exporter`).
    #[must_use]
    pub fn with_compat(mut self, compat: bool) -> Self {
        self.compat = compat;
        self
    }

    /// Per-function totals read under `layout` instead of the default `--history-prefix`, or
    /// not at all (`--metrics-no-functions`: no family, no Redis command).
    #[must_use]
    pub fn with_functions(mut self, layout: Option<&Layout>) -> Self {
        self.functions = layout.map(Keys::new);
        self
    }

    fn with_args(mut self, args: &ServeArgs) -> Self {
        let history = Layout::new(&args.history_prefix);
        self.storage = Some(history.clone());
        self.with_compat(args.metrics_compat.is_some())
            .with_functions((!args.metrics_no_functions).then_some(&history))
    }

    /// From `--metrics-per-worker`, `--metrics-cache`, `--metrics-token`, `--metrics-compat`
    /// and `--history-prefix`.
    pub fn from_args(args: &ServeArgs) -> Arc<Self> {
        let s = Self::new(args.metrics_per_worker, args.metrics_cache, args.metrics_token.clone());
        Arc::new(s.with_args(args))
    }

    /// [`Self::from_args`] exporting `rq_queue_health` from `health`'s verdicts.
    pub fn from_args_with_health(args: &ServeArgs, health: Arc<super::verdict::Cache>) -> Arc<Self> {
        let mut s = Self::new(args.metrics_per_worker, args.metrics_cache, args.metrics_token.clone());
        s.health = Some(health);
        Arc::new(s.with_args(args))
    }

    /// A bearer token is configured: `/metrics` requires it and skips HTTP Basic auth.
    pub fn token_required(&self) -> bool {
        self.token.is_some()
    }

    /// Whether an `Authorization` header value lets a scraper in: always without a token,
    /// otherwise only `Bearer <token>` (scheme case-insensitive, constant-time compare).
    pub fn bearer_ok(&self, authorization: Option<&[u8]>) -> bool {
        let Some(token) = &self.token else { return true };
        let Some(v) = authorization else { return false };
        let Some((scheme, given)) = v.split_at_checked(7) else { return false };
        if !scheme.eq_ignore_ascii_case(b"bearer ") {
            return false;
        }
        let given = given.trim_ascii();
        given.len() == token.len() && bool::from(given.ct_eq(token.as_bytes()))
    }

    /// The OpenMetrics text for every instance (see [`MetricsState::render_as`]).
    pub async fn render(&self, store: &Store) -> Arc<str> {
        self.render_as(store, Format::OpenMetrics).await
    }

    /// The exposition for every instance in `format`: the cached one while it is younger than
    /// the cache window, else read afresh. Callers arriving during a refresh wait for it and
    /// share its answer instead of starting their own (even with a window shorter than the read).
    pub async fn render_as(&self, store: &Store, format: Format) -> Arc<str> {
        let arrived = Instant::now();
        let mut slot = self.cache.lock().await;
        if let Some(c) = slot.as_ref()
            && (c.done >= arrived || c.started.elapsed() < self.ttl)
        {
            return c.pick(format);
        }
        let started = Instant::now();
        let scrapes = sample_all(store, self.functions.as_ref()).await;
        for s in &scrapes {
            if let Err(e) = &s.sample {
                tracing::warn!(instance = s.index, error = %e, "metrics: Redis did not answer");
            }
        }
        let mut body = encode(&scrapes, self.per_worker, self.compat, started);
        if self.compat {
            let mut c = self.collected.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *c = (c.0 + 1, c.1 + started.elapsed().as_secs_f64());
            exporter::append_summary(&mut body, c.0, c.1);
        }
        if let Some(h) = &self.health {
            let reports = futures_util::future::join_all(store.instances().iter().map(|i| h.report(i))).await;
            let ok: Vec<_> = reports.into_iter().filter_map(std::result::Result::ok).collect();
            health::append(&mut body, &ok);
        }
        if let Some(layout) = &self.storage {
            let read = store.instances().iter().map(|i| super::budget::state::read(i, layout));
            let statuses = futures_util::future::join_all(read).await.into_iter().enumerate();
            let ok: Vec<_> = statuses.filter_map(|(i, s)| s.ok().flatten().map(|s| (i, s))).collect();
            storage::append(&mut body, &ok);
        }
        let text = text::to_text(&body).into();
        let c = Cached { started, done: Instant::now(), body: body.into(), text };
        slot.insert(c).pick(format)
    }
}

impl Cached {
    fn pick(&self, format: Format) -> Arc<str> {
        match format {
            Format::OpenMetrics => self.body.clone(),
            Format::Text => self.text.clone(),
        }
    }
}
