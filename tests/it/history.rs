//! Queue history: idempotent samples, replicas, expiries, read-only reads, exact throughput,
//! range bucket sizes and time to drain, on planted data and on data made by the real `rq`.
//! Samples are taken at explicit times near the real clock (expiries are absolute).

use clap::Parser;
use redis::Commands;

use rqdash::config::Cli;
use rqdash::rq::time;
use rqdash::store::Store;
use rqdash::store::history::{self, Layout, Range, Series};

use crate::api_basics::{plant_job, plant_queue};
use crate::support::RedisServer;

// Reads: nothing written, bucket sizes per range, time to drain.
// Hour rows moved by deltas stay the full re-sum.
mod hours;
mod reads;
// Sampling: repeated samples, replicas, expiries, the background task.
mod sampling;
// Throughput: exact per-minute counts, big registries, real RQ data.
mod throughput;

pub fn store(r: &RedisServer) -> Store {
    Store::from_args(&Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("flags").redis)
        .expect("store")
}

/// The start of the current minute: samples are taken 30 s into it, so "now" is never far
/// from the real clock (expiries are absolute) and never crosses into another minute.
pub fn this_minute() -> i64 {
    let now = time::now_epoch() as i64;
    now - now.rem_euclid(60)
}

/// `yyyymmddhh` (or a shorter pattern) of a unix time, in UTC.
pub fn utc(t: i64, pattern: &str) -> String {
    jiff::Timestamp::from_second(t).expect("time").strftime(pattern).to_string()
}

/// A job that ended at `ended` in registry `rq:<registry>:<queue>`, scored as RQ does.
pub fn plant_ended(con: &mut redis::Connection, registry: &str, queue: &str, id: &str, ended: f64, ttl: i64) {
    let status = if registry == "failed" { "failed" } else { "finished" };
    let iso = time::from_epoch(ended).expect("valid time");
    let _: () = con
        .hset_multiple(format!("rq:job:{id}"), &[("status", status), ("origin", queue), ("ended_at", &iso)])
        .expect("HSET");
    let _: () = con.zadd(format!("rq:{registry}:{queue}"), id, ended.floor() as i64 + ttl).expect("ZADD");
}

/// `n` queued jobs in `queue`.
pub fn plant_queued(con: &mut redis::Connection, queue: &str, n: usize) {
    plant_queue(con, queue);
    for i in 0..n {
        let id = format!("{queue}-q{i}");
        plant_job(con, &id, "queued", queue);
        let _: () = con.rpush(format!("rq:queue:{queue}"), &id).expect("RPUSH");
    }
}

/// `n` jobs of `queue` ended at `ended(i)`, planted in one pipeline.
pub fn plant_many(
    con: &mut redis::Connection,
    registry: &str,
    queue: &str,
    n: usize,
    ttl: i64,
    ended: impl Fn(usize) -> f64,
) {
    let mut p = redis::pipe();
    for i in 0..n {
        let (id, t) = (format!("{registry}-{i}"), ended(i));
        let iso = time::from_epoch(t).expect("valid time");
        p.hset_multiple(format!("rq:job:{id}"), &[("status", registry), ("ended_at", &iso)]).ignore();
        p.zadd(format!("rq:{registry}:{queue}"), &id, t.floor() as i64 + ttl).ignore();
    }
    let _: () = p.query(con).expect("plant");
}

pub async fn one_hour(s: &Store, queue: Option<&str>, now: i64) -> Series {
    let inst = s.instance(0).expect("instance");
    let mut v =
        history::series_many(inst, &Layout::default(), &[queue], Range::H1, now).await.expect("series");
    v.pop().expect("one series")
}

pub fn at(s: &Series, t: i64) -> history::Point {
    s.points.iter().find(|p| p.t == t).copied().unwrap_or_else(|| panic!("no bucket at {t}: {:?}", s.points))
}
