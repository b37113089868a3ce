//! Throughput: the jobs that ended in each minute, exactly, in small and big registries and in
//! data made by the real `rq`.

use std::collections::BTreeMap;

use redis::Commands;

use rqdash::rq::time;
use rqdash::store::history::{self, Layout, Sampler, Series};

use super::{at, one_hour, plant_ended, plant_many, store, this_minute};
use crate::api_basics::plant_queue;
use crate::support::probe::{calls_of, reset};
use crate::support::{Fixture, RQ_VERSIONS, RedisServer};

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
    reset(&mut con);
    history::sample(inst, &mut sampler, m + 90).await.expect("second tick");
    assert_eq!(calls_of(&mut con, "hmget"), 1, "only the new job is read (the first tick's two were kept)");
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
        assert!(!want.is_empty(), "rq {version}: the fixture's jobs ended within the lookback");
        assert_eq!(got, want, "rq {version}");
    }
}
