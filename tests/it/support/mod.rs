//! Test fixtures: a redis-server per test, RQ data snapshots made by the real `rq`, an in-process app.

pub mod app;
pub mod cron_fixture;
pub mod fixture;
pub mod limits;
pub mod probe;
pub mod redis_server;
pub mod rq_worker;
pub mod served;

pub use app::{TestApp, seg};
pub use cron_fixture::CronFixture;
pub use fixture::{Fixture, RQ_VERSIONS};
pub use limits::Limits;
pub use redis_server::RedisServer;
pub use rq_worker::Rq;

/// A registry score far in the future (year 2096): planted entries that must not count as
/// expired (RQ's cleanup drops scores in `[0, now]`, and rqdash reports what RQ reports).
pub const FAR: i64 = 4_000_000_000;

/// The pages the `--url-prefix /rq` tests open (with queue `default` and job `abc` planted);
/// the nginx example must route each of them (tests/it/deploy/nginx.rs).
pub const PREFIX_PAGES: [&str; 5] =
    ["/rq/", "/rq/queues/default", "/rq/jobs/abc", "/rq/workers", "/rq/failed"];
