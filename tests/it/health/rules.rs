//! One test per rule, each made true on a real state: jobs enqueued by RQ itself, a real worker
//! running failing jobs, Redis reconfigured with CONFIG SET, a stale worker hash.

use redis::Commands;

use super::{health, iso_ago, now, queue, rules_of, store};
use crate::support::rq_worker::wait_until;
use crate::support::{RedisServer, Rq};

for_each_rq_version!(jobs_queued_with_no_worker_listening_make_the_queue_critical);

async fn jobs_queued_with_no_worker_listening_make_the_queue_critical(version: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(version, &r);
    rq.py("q = Queue('emails', connection=conn()); q.enqueue(ok, 1); q.enqueue(ok, 2); out(1)");
    let v = health(&r, &[]).await;
    let q = queue(&v, "emails");
    assert_eq!(q["verdict"], "critical", "{v:#}");
    assert_eq!(rules_of(&q["reasons"]), ["no-worker"]);
    assert_eq!(q["reasons"][0]["text"], "2 jobs queued and no worker listens");
    assert_eq!(v["verdict"], "critical");
    rq.burst(&["emails"]);
    assert_eq!(queue(&health(&r, &[]).await, "emails")["verdict"], "ok");
}

#[tokio::test]
async fn a_job_queued_behind_a_busy_listening_worker_is_not_a_no_worker_verdict() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    rq.py("q = Queue('busy', connection=conn()); q.enqueue(sleep, 10); q.enqueue(ok, 1); out(1)");
    let worker = rq.spawn_quiet_worker(&["busy"]);
    let mut con = r.conn();
    wait_until(30, "the worker to take the first job", || {
        con.llen::<_, i64>("rq:queue:busy").unwrap_or(0) == 1
            && con.scard::<_, i64>("rq:workers").unwrap_or(0) == 1
    });
    let v = health(&r, &[]).await;
    let mut worker = worker;
    let _ = worker.kill();
    let _ = worker.wait();
    let q = queue(&v, "busy");
    assert!(!rules_of(&q["reasons"]).contains(&"no-worker".to_owned()), "{v:#}");
    assert_eq!(q["verdict"], "ok");
}

#[tokio::test]
async fn a_queued_job_waiting_past_the_thresholds_is_a_warning_then_critical() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    let id = rq.py("out(Queue('slow', connection=conn()).enqueue(ok, 1).id)");
    let id = id.as_str().expect("job id");
    let mut con = r.conn();
    let off = ["--health-off", "no-worker"];
    assert_eq!(queue(&health(&r, &off).await, "slow")["verdict"], "ok", "a fresh job is fine");
    let _: () = con.hset(format!("rq:job:{id}"), "enqueued_at", iso_ago(20 * 60)).expect("HSET");
    let v = health(&r, &off).await;
    let q = queue(&v, "slow");
    assert_eq!(
        (q["verdict"].as_str(), rules_of(&q["reasons"])),
        (Some("warning"), vec!["oldest-job".to_owned()])
    );
    assert_eq!(q["reasons"][0]["text"], "oldest queued job waiting 20 min (over 10 min)");
    let _: () = con.hset(format!("rq:job:{id}"), "enqueued_at", iso_ago(2 * 3600 + 300)).expect("HSET");
    assert_eq!(queue(&health(&r, &off).await, "slow")["verdict"], "critical");
    let v = health(&r, &["--health-off", "no-worker,oldest-job"]).await;
    assert_eq!(queue(&v, "slow")["verdict"], "ok", "rules can be turned off");
    let v = health(&r, &["--health-off", "no-worker", "--health-oldest-critical", "3h"]).await;
    assert_eq!(queue(&v, "slow")["verdict"], "warning", "thresholds are flags");
}

#[tokio::test]
async fn scheduled_jobs_overdue_with_no_scheduler_are_a_warning() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    rq.py("from datetime import datetime, timedelta, timezone\n\
         q = Queue('later', connection=conn())\n\
         q.enqueue_at(datetime.now(timezone.utc) - timedelta(minutes=10), ok, 1)\n\
         q.enqueue_at(datetime.now(timezone.utc) + timedelta(hours=1), ok, 2)\nout(1)");
    let v = health(&r, &[]).await;
    let q = queue(&v, "later");
    assert_eq!(rules_of(&q["reasons"]), ["overdue-scheduled"], "{v:#}");
    assert_eq!(q["verdict"], "warning");
    assert_eq!(q["reasons"][0]["text"], "1 scheduled job overdue and no scheduler runs");
}

/// Enqueue `fail` failing and `ok` passing jobs on `queue`, run them with a real worker, and
/// record the history sample that counts them.
async fn run_and_sample(r: &RedisServer, rq: &Rq, queue: &str, fail: usize, ok: usize) {
    rq.py(&format!(
        "q = Queue('{queue}', connection=conn())\n\
         for i in range({fail}): q.enqueue(fail_counted)\n\
         for i in range({ok}): q.enqueue(ok, i)\nout(1)"
    ));
    rq.burst(&[queue]);
    let s = store(r);
    let mut sampler = rqdash::store::history::Sampler::new(Default::default());
    rqdash::store::history::sample(s.instance(0).expect("instance"), &mut sampler, now())
        .await
        .expect("sample");
}

#[tokio::test]
async fn a_worker_failing_most_jobs_of_the_last_fifteen_minutes_makes_the_queue_critical() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    run_and_sample(&r, &rq, "flaky", 12, 2).await;
    run_and_sample(&r, &rq, "steady", 1, 13).await;
    let v = health(&r, &[]).await;
    let q = queue(&v, "flaky");
    assert_eq!(q["verdict"], "critical", "{v:#}");
    assert!(rules_of(&q["reasons"]).contains(&"failure-rate".to_owned()));
    let text =
        q["reasons"].as_array().and_then(|a| a.iter().find(|x| x["rule"] == "failure-rate")).expect("reason");
    assert_eq!(text["text"], "86% of the 14 jobs ended in the last 15 min failed");
    assert_eq!(queue(&v, "steady")["verdict"], "ok", "1 failure in 14 is under 10%");
    let v = health(&r, &["--health-failure-rate-warning", "5"]).await;
    assert_eq!(queue(&v, "steady")["verdict"], "warning", "7% is over a 5% threshold");
}

#[tokio::test]
async fn a_failure_spike_against_the_same_hours_baseline_is_a_warning() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    let mut con = r.conn();
    let t = now();
    let hour = (t.rem_euclid(86_400) / 3600).to_string();
    // The previous 7 days of hour rows, as the sampler writes them: 0.1 and 6 failures a minute.
    for d in 1..=7 {
        let day = crate::history::utc(t - d * 86_400, "%Y%m%d");
        let _: () =
            con.hset(format!("rqdash:history:h:{day}:q:spiky"), &hour, "0,0,0,600,6,,60,60").expect("HSET");
        let _: () =
            con.hset(format!("rqdash:history:h:{day}:q:usual"), &hour, "0,0,0,600,360,,60,60").expect("HSET");
    }
    run_and_sample(&r, &rq, "spiky", 12, 30).await;
    run_and_sample(&r, &rq, "usual", 12, 30).await;
    // 12 of 42 is also over the 10% failure rate: that rule is off to see the spike alone.
    let v = health(&r, &["--health-off", "failure-rate"]).await;
    let spiky = queue(&v, "spiky");
    assert_eq!(rules_of(&spiky["reasons"]), ["failure-spike"], "{v:#}");
    assert_eq!(spiky["verdict"], "warning");
    assert!(
        spiky["reasons"][0]["text"].as_str().is_some_and(|t| t.contains("0.8 failures/min")),
        "{spiky:#}"
    );
    assert_eq!(queue(&v, "usual")["verdict"], "ok", "12 failures in 15 min is under 3× of 6/min");
}

#[tokio::test]
async fn redis_allowed_to_evict_job_data_is_an_instance_warning() {
    let r = RedisServer::start();
    let v = health(&r, &[]).await;
    assert_eq!((v["instance_verdict"].as_str(), v["verdict"].as_str()), (Some("ok"), Some("ok")), "{v:#}");
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("allkeys-lru")
        .query(&mut r.conn())
        .expect("CONFIG SET");
    let v = health(&r, &[]).await;
    assert_eq!(rules_of(&v["instance_reasons"]), ["eviction-policy"], "{v:#}");
    assert_eq!((v["instance_verdict"].as_str(), v["verdict"].as_str()), (Some("warning"), Some("warning")));
    assert!(v["instance_reasons"][0]["text"].as_str().is_some_and(|t| t.contains("allkeys-lru")));
}

#[tokio::test]
async fn redis_memory_over_ninety_percent_of_maxmemory_is_critical() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let info: String = redis::cmd("INFO").arg("memory").query(&mut con).expect("INFO");
    let used: i64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("used_memory");
    let _: () = redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg(used * 10).query(&mut con).expect("SET");
    assert_eq!(health(&r, &[]).await["instance_verdict"], "ok", "10% used");
    let _: () =
        redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg(used * 100 / 95).query(&mut con).expect("SET");
    let v = health(&r, &[]).await;
    assert_eq!(rules_of(&v["instance_reasons"]), ["memory"], "{v:#}");
    assert_eq!(v["instance_verdict"], "critical");
}

#[tokio::test]
async fn a_worker_hash_without_a_fresh_heartbeat_is_a_stale_worker_warning() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let plant = |con: &mut redis::Connection, name: &str, ago: i64| {
        let _: () = con.sadd("rq:workers", format!("rq:worker:{name}")).expect("SADD");
        let fields = [
            ("state", "idle".to_owned()),
            ("queues", "default".to_owned()),
            ("last_heartbeat", iso_ago(ago)),
            ("birth", iso_ago(ago + 60)),
        ];
        let _: () = con.hset_multiple(format!("rq:worker:{name}"), &fields).expect("HSET");
    };
    plant(&mut con, "fresh", 30);
    assert_eq!(health(&r, &[]).await["instance_verdict"], "ok");
    plant(&mut con, "ghost", 20 * 60);
    let v = health(&r, &[]).await;
    assert_eq!(rules_of(&v["instance_reasons"]), ["stale-worker"], "{v:#}");
    assert_eq!(v["instance_reasons"][0]["text"], "1 worker is stale (no heartbeat within its ttl): ghost");
    assert_eq!(v["instance_verdict"], "warning");
}
