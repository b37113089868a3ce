//! Queue history: idempotent samples, replicas, expiries, read-only reads, exact throughput,
//! range bucket sizes and time to drain, on planted data and on data made by the real `rq`.

use std::collections::BTreeMap;

use clap::Parser;
use redis::Commands;

use rqdash::config::Cli;
use rqdash::rq::time;
use rqdash::store::Store;
use rqdash::store::history::{self, Layout, Range, Sampler, Series};
use rqdash::web::history::charts_for;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{Fixture, RQ_VERSIONS, RedisServer};

fn store(r: &RedisServer) -> Store {
    Store::from_args(&Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("flags").redis)
        .expect("store")
}

/// The start of the current minute: samples are taken 30 s into it, so "now" is never far
/// from the real clock (expiries are absolute) and never crosses into another minute.
fn this_minute() -> i64 {
    let now = time::now_epoch() as i64;
    now - now.rem_euclid(60)
}

/// `yyyymmddhh` (or a shorter pattern) of a unix time, in UTC.
fn utc(t: i64, pattern: &str) -> String {
    jiff::Timestamp::from_second(t).expect("time").strftime(pattern).to_string()
}

/// A job that ended at `ended` in registry `rq:<registry>:<queue>`, scored as RQ does.
fn plant_ended(con: &mut redis::Connection, registry: &str, queue: &str, id: &str, ended: f64, ttl: i64) {
    let status = if registry == "failed" { "failed" } else { "finished" };
    let iso = time::from_epoch(ended).expect("valid time");
    let _: () = con
        .hset_multiple(format!("rq:job:{id}"), &[("status", status), ("origin", queue), ("ended_at", &iso)])
        .expect("HSET");
    let _: () = con.zadd(format!("rq:{registry}:{queue}"), id, ended.floor() as i64 + ttl).expect("ZADD");
}

/// `n` queued jobs in `queue`.
fn plant_queued(con: &mut redis::Connection, queue: &str, n: usize) {
    plant_queue(con, queue);
    for i in 0..n {
        let id = format!("{queue}-q{i}");
        plant_job(con, &id, "queued", queue);
        let _: () = con.rpush(format!("rq:queue:{queue}"), &id).expect("RPUSH");
    }
}

async fn one_hour(s: &Store, queue: Option<&str>, now: i64) -> Series {
    let inst = s.instance(0).expect("instance");
    let mut v =
        history::series_many(inst, &Layout::default(), &[queue], Range::H1, now).await.expect("series");
    v.pop().expect("one series")
}

fn at(s: &Series, t: i64) -> history::Point {
    s.points.iter().find(|p| p.t == t).copied().unwrap_or_else(|| panic!("no bucket at {t}: {:?}", s.points))
}

#[tokio::test]
async fn sampling_twice_in_the_same_minute_does_not_double_count() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queued(&mut con, "default", 3);
    for i in 0..4 {
        plant_ended(&mut con, "finished", "default", &format!("f{i}"), (m + 1 + i) as f64, 500);
    }
    plant_ended(&mut con, "failed", "default", "x", (m + 5) as f64, 31_536_000);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut sampler = Sampler::new(Layout::default());
    for now in [m + 20, m + 30, m + 50] {
        history::sample(inst, &mut sampler, now).await.expect("sample");
    }
    let key = format!("rqdash:history:m:{}:q:default", utc(m, "%Y%m%d%H"));
    let row: String = con.hget(&key, (m % 3600 / 60).to_string()).expect("minute row");
    let age = m + 50 - 1_767_225_600; // the planted enqueued_at, 2026-01-01T00:00:00Z
    assert_eq!(row, format!("3,0,1,4,1,{age}"));
    let p = at(&one_hour(&s, Some("default"), m + 50).await, m);
    assert_eq!((p.queued, p.finished_per_min, p.failed_per_min), (Some(3), Some(4.0), Some(1.0)));
    let all = at(&one_hour(&s, None, m + 50).await, m);
    assert_eq!((all.queued, all.finished_per_min), (Some(3), Some(4.0)));
}

#[tokio::test]
async fn two_replicas_sampling_the_same_minute_record_one_value() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queued(&mut con, "default", 2);
    for i in 0..5 {
        plant_ended(&mut con, "finished", "default", &format!("f{i}"), (m + 2 + i) as f64, 500);
    }
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let (mut a, mut b) = (Sampler::new(Layout::default()), Sampler::new(Layout::default()));
    history::sample(inst, &mut a, m + 10).await.expect("replica a");
    history::sample(inst, &mut b, m + 40).await.expect("replica b");
    // A job expiring from the registry afterwards does not lower what was seen.
    let _: () = con.zrem("rq:finished:default", "f0").expect("ZREM");
    history::sample(inst, &mut a, m + 55).await.expect("replica a again");
    let p = at(&one_hour(&s, Some("default"), m + 55).await, m);
    assert_eq!(p.finished_per_min, Some(5.0));
    let day = format!("rqdash:history:h:{}:q:default", utc(m, "%Y%m%d"));
    let hour: String = con.hget(&day, (m % 86_400 / 3600).to_string()).expect("hour row");
    let fields: Vec<&str> = hour.split(',').collect();
    assert_eq!(fields[3], "5", "the hour sums each minute once: {hour}");
    assert_eq!(fields[0], "2");
}

#[tokio::test]
async fn buckets_expire_48_hours_and_90_days_after_their_period() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queued(&mut con, "default", 1);
    let s = store(&r);
    let mut sampler = Sampler::new(Layout::new("custom:hist"));
    history::sample(s.instance(0).expect("instance"), &mut sampler, m + 30).await.expect("sample");
    let now = time::now_epoch() as i64;
    let hour_end = m - m.rem_euclid(3600) + 3600;
    let day_end = m - m.rem_euclid(86_400) + 86_400;
    for (key, expires) in [
        (format!("custom:hist:m:{}:q:default", utc(m, "%Y%m%d%H")), hour_end + 48 * 3600),
        (format!("custom:hist:m:{}:all", utc(m, "%Y%m%d%H")), hour_end + 48 * 3600),
        (format!("custom:hist:h:{}:q:default", utc(m, "%Y%m%d")), day_end + 90 * 86_400),
        (format!("custom:hist:h:{}:all", utc(m, "%Y%m%d")), day_end + 90 * 86_400),
    ] {
        let ttl: i64 = con.ttl(&key).expect("TTL");
        assert!((ttl - (expires - now)).abs() <= 5, "{key}: ttl {ttl}, want {}", expires - now);
    }
    let mut everything: Vec<String> = con.keys("*").expect("KEYS");
    everything.retain(|k| !k.starts_with("rq:"));
    assert!(
        everything.iter().all(|k| k.starts_with("custom:hist:")),
        "writes outside the prefix: {everything:?}"
    );
}

#[tokio::test]
async fn reading_history_and_drawing_charts_writes_nothing() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queued(&mut con, "default", 4);
    plant_ended(&mut con, "finished", "default", "f", (m + 1) as f64, 500);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    history::sample(inst, &mut Sampler::new(Layout::default()), m + 30).await.expect("sample");
    let digest = |con: &mut redis::Connection| -> String {
        redis::cmd("DEBUG").arg("DIGEST").query(con).expect("DIGEST")
    };
    let before = digest(&mut con);
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut con).expect("RESETSTAT");
    let layout = Layout::default();
    for range in Range::ALL {
        for q in [None, Some("default"), Some("missing")] {
            history::series(inst, &layout, q, range).await.expect("series");
            charts_for(inst, &layout, q, range).await.expect("charts");
        }
    }
    history::drain_times(inst, &layout, &["default", "missing"]).await.expect("drains");
    assert_eq!(digest(&mut con), before);
    let stats: String = redis::cmd("INFO").arg("commandstats").query(&mut con).expect("INFO");
    let used: Vec<&str> =
        stats.lines().filter_map(|l| l.strip_prefix("cmdstat_")?.split(':').next()).collect();
    // HGETALL is the only command of the reads; the rest are this test's own probes.
    let allowed = ["hgetall", "debug", "debug|digest", "config|resetstat", "info"];
    assert!(used.iter().all(|c| allowed.contains(c)), "commands used: {used:?}");
}

#[tokio::test]
async fn throughput_counts_exactly_the_jobs_that_ended_in_each_minute() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queue(&mut con, "q");
    let mf = m as f64;
    for (id, ended) in [("a", -170.0), ("b", -125.0), ("c", -100.0), ("d", -90.0), ("e", -61.0), ("f", -1.0)]
    {
        plant_ended(&mut con, "finished", "q", id, mf + ended, 500);
    }
    plant_ended(&mut con, "finished", "q", "now", mf + 0.5, 86_400); // another ttl, same queue
    plant_ended(&mut con, "finished", "q", "old", mf - 700.0, 500); // before the lookback
    let _: () = con.zadd("rq:finished:q", "ghost", m + 400).expect("ZADD orphan");
    plant_ended(&mut con, "finished", "q", "keep", mf + 1.0, 0);
    let _: () = con.zadd("rq:finished:q", "keep", "+inf").expect("ZADD kept forever");
    for (id, ended) in [("h", -61.0), ("i", 10.0), ("j", 20.0)] {
        plant_ended(&mut con, "failed", "q", id, mf + ended, 31_536_000);
    }
    // Moved to failed without running (no ended_at): placed at its score minus its failure_ttl.
    let _: () = con.hset_multiple("rq:job:k", &[("status", "failed"), ("failure_ttl", "100")]).expect("HSET");
    let _: () = con.zadd("rq:failed:q", "k", m - 65 + 100).expect("ZADD");

    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut sampler = Sampler::new(Layout::default());
    history::sample(inst, &mut sampler, m + 30).await.expect("first tick");
    let got = |s: &Series| -> BTreeMap<i64, (Option<f64>, Option<f64>)> {
        s.points.iter().map(|p| (p.t - m, (p.finished_per_min, p.failed_per_min))).collect()
    };
    let mut want: BTreeMap<i64, (Option<f64>, Option<f64>)> =
        (-600..=0).step_by(60).map(|t| (t, (Some(0.0), Some(0.0)))).collect();
    want.insert(-180, (Some(2.0), Some(0.0)));
    want.insert(-120, (Some(3.0), Some(2.0)));
    want.insert(-60, (Some(1.0), Some(0.0)));
    want.insert(0, (Some(1.0), Some(2.0)));
    assert_eq!(got(&one_hour(&s, Some("q"), m + 30).await), want);

    // Next minute: one more job kept forever is counted by the growth of their number.
    plant_ended(&mut con, "finished", "q", "keep2", mf + 61.0, 0);
    let _: () = con.zadd("rq:finished:q", "keep2", "+inf").expect("ZADD kept forever");
    history::sample(inst, &mut sampler, m + 90).await.expect("second tick");
    want.insert(60, (Some(1.0), Some(0.0)));
    assert_eq!(got(&one_hour(&s, Some("q"), m + 90).await), want);
}

/// `n` jobs of `queue` ended at `ended(i)`, planted in one pipeline.
fn plant_many(
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

fn calls(con: &mut redis::Connection, command: &str) -> i64 {
    let stats: String = redis::cmd("INFO").arg("commandstats").query(con).expect("INFO");
    let prefix = format!("cmdstat_{command}:calls=");
    stats.lines().find_map(|l| l.strip_prefix(&prefix)?.split(',').next()?.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn a_year_of_failures_is_read_through_a_narrow_window_once_its_ttl_is_known() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queue(&mut con, "q");
    let mf = m as f64;
    plant_many(&mut con, "failed", "q", 1500, 31_536_000, |i| mf - 86_400.0 - i as f64 * 60.0);
    plant_ended(&mut con, "failed", "q", "new1", mf + 1.0, 31_536_000);
    plant_ended(&mut con, "failed", "q", "new2", mf + 2.0, 31_536_000);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut sampler = Sampler::new(Layout::default());
    history::sample(inst, &mut sampler, m + 30).await.expect("first tick");
    assert_eq!(at(&one_hour(&s, Some("q"), m + 30).await, m).failed_per_min, Some(2.0));

    plant_ended(&mut con, "failed", "q", "new3", mf + 61.0, 31_536_000);
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut con).expect("RESETSTAT");
    history::sample(inst, &mut sampler, m + 90).await.expect("second tick");
    assert_eq!(calls(&mut con, "hmget"), 3, "only the three jobs of the lookback are read");
    let series = one_hour(&s, Some("q"), m + 90).await;
    assert_eq!((at(&series, m).failed_per_min, at(&series, m + 60).failed_per_min), (Some(2.0), Some(1.0)));
}

#[tokio::test]
async fn over_a_thousand_jobs_in_a_minute_are_counted_by_their_score_range() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queue(&mut con, "q");
    let mf = m as f64;
    plant_many(&mut con, "finished", "q", 1200, 500, |i| mf - 60.0 + i as f64 * 0.049);
    for i in 0..5 {
        plant_ended(&mut con, "finished", "q", &format!("now{i}"), mf + 1.0 + f64::from(i), 500);
    }
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    history::sample(inst, &mut Sampler::new(Layout::default()), m + 30).await.expect("tick");
    let series = one_hour(&s, Some("q"), m + 30).await;
    assert_eq!(at(&series, m).finished_per_min, Some(5.0), "read one by one");
    assert_eq!(at(&series, m - 60).finished_per_min, Some(1200.0), "counted by ZCOUNT");
    assert_eq!(at(&series, m - 120).finished_per_min, Some(0.0));
}

#[tokio::test]
async fn each_range_returns_buckets_of_its_size_over_its_span() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queued(&mut con, "default", 1);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let (two_hours, three_days, thirty_days) = (m - 2 * 3600, m - 3 * 86_400, m - 30 * 86_400);
    for t in [thirty_days, three_days, two_hours, m] {
        history::sample(inst, &mut Sampler::new(Layout::default()), t + 30).await.expect("sample");
    }
    let hour = |t: i64| t - t.rem_euclid(3600);
    for (range, step, buckets, present, absent) in [
        (Range::H1, 60, 60, vec![m], vec![two_hours]),
        (Range::H24, 60, 1440, vec![m, two_hours], vec![hour(three_days)]),
        (Range::D7, 3600, 168, vec![hour(m), hour(two_hours), hour(three_days)], vec![hour(thirty_days)]),
        (Range::D90, 3600, 2160, vec![hour(m), hour(three_days), hour(thirty_days)], vec![]),
    ] {
        let series = history::series_many(inst, &Layout::default(), &[Some("default")], range, m + 30)
            .await
            .expect("series")
            .pop()
            .expect("one");
        assert_eq!(series.step, step, "{range:?}");
        assert_eq!(series.to, (m + 30) - (m + 30).rem_euclid(step), "{range:?}");
        assert_eq!(series.to - series.from, (buckets - 1) * step, "{range:?}");
        let ts: Vec<i64> = series.points.iter().map(|p| p.t).collect();
        assert!(
            ts.iter().all(|t| t % step == 0 && (series.from..=series.to).contains(t)),
            "{range:?}: {ts:?}"
        );
        assert!(present.iter().all(|t| ts.contains(t)), "{range:?}: {present:?} in {ts:?}");
        assert!(absent.iter().all(|t| !ts.contains(t)), "{range:?}: {absent:?} not in {ts:?}");
    }
}

#[tokio::test]
async fn a_queue_shrinking_by_ten_jobs_a_minute_drains_its_last_sixty_in_six_minutes() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let m = this_minute();
    plant_queued(&mut con, "busy", 100);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut sampler = Sampler::new(Layout::default());
    for i in 0..5 {
        history::sample(inst, &mut sampler, m - (4 - i) * 60 + 30).await.expect("sample");
        let _: () = con.ltrim("rq:queue:busy", 10, -1).expect("LTRIM");
    }
    let series = one_hour(&s, Some("busy"), m + 30).await;
    // The first tick also recounted the ten minutes before it: throughput only, no depth.
    let depths: Vec<i64> = series.points.iter().filter_map(|p| p.queued).collect();
    assert_eq!(depths, [100, 90, 80, 70, 60]);
    let secs = history::time_to_drain(&series).expect("shrinking");
    assert!((secs - 360.0).abs() < 1e-6, "{secs}");
    let drains = history::drain_times(inst, &Layout::default(), &["busy"]).await.expect("drains");
    assert!(drains[0].is_some_and(|d| (d - 360.0).abs() < 1e-6), "{drains:?}");
}

#[tokio::test]
async fn real_rq_data_is_counted_by_the_minute_its_jobs_ended() {
    for version in RQ_VERSIONS {
        let r = Fixture::get(version).server();
        let mut con = r.conn();
        let now = time::now_epoch() as i64;
        let from = (now - 600) - (now - 600).rem_euclid(60);
        // The oracle, from the documented rule: each member with a finite, non-negative score
        // and a job hash ends at its `ended_at`, else (a stopped job in RQ 1.16, for one) at its
        // score minus its ttl; those ending inside the first tick's lookback are counted.
        let mut want: BTreeMap<(String, i64), u64> = BTreeMap::new();
        let queues: Vec<String> = con.smembers("rq:queues").expect("SMEMBERS");
        for q in queues.iter().filter_map(|k| k.strip_prefix("rq:queue:")) {
            for (reg, ttl_field, default_ttl) in
                [("finished", "result_ttl", 500), ("failed", "failure_ttl", 31_536_000)]
            {
                let members: Vec<(String, f64)> =
                    con.zrangebyscore_withscores(format!("rq:{reg}:{q}"), 0, "(+inf").expect("ZRANGE");
                for (id, score) in members {
                    let (ended, ttl, exists): (Option<String>, Option<i64>, bool) = redis::pipe()
                        .hget(format!("rq:job:{id}"), "ended_at")
                        .hget(format!("rq:job:{id}"), ttl_field)
                        .exists(format!("rq:job:{id}"))
                        .query(&mut con)
                        .expect("job fields");
                    let t = match ended.as_deref().and_then(time::parse) {
                        Some(t) => t.as_second(),
                        None if exists => score as i64 - ttl.filter(|t| *t >= 0).unwrap_or(default_ttl),
                        None => continue,
                    };
                    if (from..now - now.rem_euclid(60) + 60).contains(&t) {
                        *want.entry((format!("{q}/{reg}"), t - t.rem_euclid(60))).or_default() += 1;
                    }
                }
            }
        }
        let s = store(&r);
        let inst = s.instance(0).expect("instance");
        history::sample(inst, &mut Sampler::new(Layout::default()), now).await.expect("sample");
        let mut got: BTreeMap<(String, i64), u64> = BTreeMap::new();
        for q in queues.iter().filter_map(|k| k.strip_prefix("rq:queue:")) {
            for p in one_hour(&s, Some(q), now).await.points {
                for (reg, v) in [("finished", p.finished_per_min), ("failed", p.failed_per_min)] {
                    if let Some(n) = v.filter(|n| *n > 0.0) {
                        got.insert((format!("{q}/{reg}"), p.t), n as u64);
                    }
                }
            }
        }
        assert_eq!(got, want, "rq {version}");
    }
}
