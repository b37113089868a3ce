//! Reading history writes nothing; every range has buckets of its size; time to drain.

use redis::Commands;

use rqdash::store::history::{self, Layout, Range, Sampler};
use rqdash::web::history::charts_for;

use super::{one_hour, plant_ended, plant_queued, store, this_minute};
use crate::support::RedisServer;
use crate::support::probe::{commands_used, digest, reset};

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
    let before = digest(&mut con);
    reset(&mut con);
    let layout = Layout::default();
    for range in Range::ALL {
        for q in [None, Some("default"), Some("missing")] {
            history::series(inst, &layout, q, range).await.expect("series");
            charts_for(inst, &layout, q, range).await.expect("charts");
        }
    }
    history::drain_times(inst, &layout, &["default", "missing"]).await.expect("drains");
    assert_eq!(digest(&mut con), before);
    let used = commands_used(&mut con);
    // HGETALL is the only command of the reads; the rest are this test's own probes.
    let allowed = ["hgetall", "debug", "debug|digest", "config|resetstat", "info"];
    assert!(used.iter().all(|c| allowed.contains(&c.as_str())), "commands used: {used:?}");
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
    let p = series.points.last().copied().unwrap_or_default();
    assert_eq!((p.finished_per_min, p.failed_per_min), (Some(0.0), Some(0.0)), "empty registries count zero");
    let secs = history::time_to_drain(&series).expect("shrinking");
    assert!((secs - 360.0).abs() < 1e-6, "{secs}");
    let drains = history::drain_times(inst, &Layout::default(), &["busy"]).await.expect("drains");
    assert!(drains[0].is_some_and(|d| (d - 360.0).abs() < 1e-6), "{drains:?}");
}
