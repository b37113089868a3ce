//! Test fixtures: a redis-server per test, RQ data snapshots made by the real `rq`, an in-process app.

pub mod app;
pub mod fixture;
pub mod probe;
pub mod redis_server;
pub mod rq_worker;
pub mod served;

pub use app::{TestApp, seg};
pub use fixture::{Fixture, RQ_VERSIONS};
pub use redis_server::RedisServer;
pub use rq_worker::Rq;
