//! rqdash's one integration test binary. Every test gets its own redis-server.

// Defined before the modules so that every one of them can use it.
/// Run an `async fn name(version)` once per RQ version, as `name::rq_1_16_2` etc.
macro_rules! for_each_rq_version {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn rq_1_16_2() {
                super::$name("1.16.2").await
            }
            #[tokio::test]
            async fn rq_2_12_0() {
                super::$name("2.12.0").await
            }
            #[tokio::test]
            async fn rq_3_0_0() {
                super::$name("3.0.0").await
            }
        }
    )*};
}

mod support;

// Least-privilege Redis users (ACL): reads with read commands alone, actions refused as 403.
mod acl;
// JSON API behaviour on hand-planted RQ-shaped data: pagination, errors, names, headers.
mod api_basics;
// The real binary: flags, socket, signals, `rqdash healthcheck`.
mod binary;
// Actions over HTTP: answers, counts, background tasks, buttons.
mod actions_http;
// Hostile sizes and names: bounded job pages, answers and "show all"; search budget; bidi.
mod caps;
// `rqdash demo`: every state, doctor-clean, real workers of each version, nothing left behind.
mod demo;
// rq-dashboard compatible endpoints.
mod compat;
// --redact: secrets under secret-looking keys appear nowhere; an admin's reveal.
mod redaction;
// rq-dashboard's own test suite, ported: the real binary, real rq data, its action routes.
mod rq_dashboard_suite;
// The command line through the real binary: info, lists, actions, doctor, rq-dashboard flags.
mod cli;
// Probes: /healthz without Redis, /readyz per instance, auth unless --probes-public.
mod probes;
// Deployment files: Dockerfile, compose.yaml, systemd unit, nginx example.
mod deploy;
// Redis outages, URLs and masking.
mod connection;
// RQ 2.0+ groups: a group's jobs and status counts as RQ reports them, linked from its jobs.
mod groups;
// Health verdicts per rule on real RQ states, API, pages, /metrics, `check`, webhooks, contrib/.
mod health;
// Per-function performance and the job archive, from real workers.
mod functions;
// The storage budget: 1,000 queues under 16 MB, the degradation order, panel, /metrics, doctor.
mod budget;
// Queue history: idempotent samples, replicas, expiries, exact throughput, ranges, time to drain.
mod history;
// Hostile data: corrupt pickles, bad zlib, non-UTF-8, missing fields. No panic, no 500.
mod hostile_data;
// Actions (requeue, enqueue, delete, cancel, empty, compact, stop) on data made by the real `rq`.
mod actions;
// Prometheus /metrics: numbers against RQ's own counts, escaping, outages, cache, bearer token.
mod metrics;
// Memory under load: at most N answers computed at once, the rest wait and succeed.
mod memory;
// HTML pages: content, escaping, prefixes, errors.
mod pages;
// Links the pages render, resolved as a browser would: names made of dots.
mod links;
// Live updates: one poller per instance whatever the number of open pages.
mod live;
// Live refreshes: tabs of one page share one render, never older than the tick that asked.
mod live_refresh;
// The real binary on a hostile network: host names, slow clients, caps, shutdown, logs.
mod network;
// RQ 3.0 rate limits: keys, held jobs (counted per queue), cancel/delete with a real limiter.
mod rate_limits;
// Worker names linked only where the worker's page can say something, on every page naming one.
mod worker_links;
// Worker pools: a real `rq worker-pool` grouped on the workers page and API, a named worker not.
mod pools;
// Reads are side-effect free.
mod reads_never_write;
// Wrong bodies, parameters and paths: refused with a status and a message that say why.
mod requests;
// The API agrees with what the real `rq` (1.16.2, 2.12.0, 3.0.0) says about real data.
mod rq_oracle;
// What RQ's own API reports: expired entries apart, forgotten queues, calls from data, order.
mod truth;
// Issue 16's pages: failures first and filtered, what runs now, 1,000 queues, big values folded.
mod ui_pages;
// Schedulers: cron schedulers and jobs, queue scheduler locks, overdue jobs (make_cron.py).
mod schedulers;
// Search (every criterion, cursors) and failure groups on real RQ failures.
mod search;
// The audit log: every action recorded before and after, exact counts, fail closed, filters.
mod audit;
// Basic auth, CSRF, read-only mode.
mod security;
// Users file, tokens, proxy header: the permission matrix of every route, scopes, throttling.
mod roles;
// TLS with a private CA; Sentinel discovery and failover.
mod tls_and_sentinel;
// Keys of the wrong type (a string at rq:queue:x...) at every key read, on every route: no 5xx.
mod wrong_types;
// Worker control (suspend, resume, shutdown, kill-horse, stale entries) with real workers.
mod workers_control;
