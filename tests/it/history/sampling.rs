//! Sampling: one value per minute whatever the number of samples or replicas, expiries, the
//! background task.

use redis::Commands;

use rqdash::rq::time;
use rqdash::store::history::{self, Layout, Sampler};

use super::{at, one_hour, plant_ended, plant_queued, store, this_minute, utc};
use crate::support::RedisServer;

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

/// Poll until the current hour's all-queues minute hash exists (the sampler ticks in the
/// background), or fail after 20 s.
async fn until_sampled(con: &mut redis::Connection) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let key = format!("rqdash:history:m:{}:all", utc(time::now_epoch() as i64, "%Y%m%d%H"));
        if con.exists::<_, bool>(&key).unwrap_or(false) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{key} was never written");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_sampler_runs_with_no_page_open_survives_an_outage_and_stops_on_shutdown() {
    let mut r = RedisServer::start();
    let s = store(&r);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let tasks = history::spawn_sampler(
        s,
        Layout::default(),
        history::Limits::default(),
        history::MIN_PERIOD,
        shutdown.clone(),
    );
    assert_eq!(tasks.len(), 1, "one task per instance");
    until_sampled(&mut r.conn()).await;
    r.kill();
    r.restart(); // empty again: nothing is saved
    until_sampled(&mut r.conn()).await;
    shutdown.cancel();
    for t in tasks {
        tokio::time::timeout(std::time::Duration::from_secs(5), t).await.expect("stops").expect("no panic");
    }
}
