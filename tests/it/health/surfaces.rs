//! Where verdicts show: the API's shape, badges on the overview and queue pages, the
//! `rq_queue_health` series of `/metrics`, and `rqdash check`'s exit codes and lines.

use redis::Commands;

use super::{health, iso_ago, queue};
use crate::cli::{rqdash, stdout};
use crate::support::{RedisServer, Rq, TestApp};

/// A queue with jobs and no worker (critical), one empty (ok), and a stale worker (warning).
fn troubled(r: &RedisServer) {
    Rq::new("2.12.0", r).py("Queue('orders', connection=conn()).enqueue(ok, 1); Queue('idle', connection=conn()).enqueue(ok, 1); out(1)");
    let mut con = r.conn();
    let _: i64 = con.del("rq:queue:idle").expect("DEL");
    let _: () = con.sadd("rq:workers", "rq:worker:ghost").expect("SADD");
    let fields =
        [("state", "idle".to_owned()), ("queues", "idle".to_owned()), ("last_heartbeat", iso_ago(3600))];
    let _: () = con.hset_multiple("rq:worker:ghost", &fields).expect("HSET");
}

#[tokio::test]
async fn the_health_api_answers_every_queue_and_the_instance_with_reasons_in_words() {
    let r = RedisServer::start();
    troubled(&r);
    let v = health(&r, &[]).await;
    assert_eq!(v["instance"], 0);
    assert_eq!((v["verdict"].as_str(), v["status"].as_i64()), (Some("critical"), Some(2)), "{v:#}");
    assert!(v["url"].as_str().is_some_and(|u| u.starts_with("unix://")));
    assert!(v["checked_at"].as_i64().is_some_and(|t| t > 1_700_000_000));
    assert_eq!(v["instance_verdict"], "warning");
    let reason = &v["instance_reasons"][0];
    assert_eq!(
        (reason["rule"].as_str(), reason["severity"].as_str()),
        (Some("stale-worker"), Some("warning"))
    );
    let orders = queue(&v, "orders");
    assert_eq!(orders["reasons"][0]["severity"], "critical");
    assert_eq!(orders["reasons"][0]["text"], "1 job queued and no worker listens");
    assert_eq!(queue(&v, "idle")["reasons"], serde_json::json!([]));
    let app = TestApp::new(&r.url());
    assert_eq!(app.get("/api/v1/health?instance=7").await.status, 404);
    assert_eq!(app.get("/api/v1/health?bogus=1").await.status, 400);
}

#[tokio::test]
async fn the_overview_and_queue_pages_show_each_verdict_as_a_badge_with_its_reason() {
    let r = RedisServer::start();
    troubled(&r);
    let app = TestApp::new(&r.url());
    let page = app.get("/").await.text();
    assert!(
        page.contains(r#"<span class="badge health-critical" data-health="critical" title="1 job queued and no worker listens">critical</span>"#),
        "{page}"
    );
    assert!(
        page.contains("1 worker is stale (no heartbeat within its ttl): ghost"),
        "instance reasons shown"
    );
    let page = app.get("/queues/orders").await.text();
    assert!(
        page.contains(r#"data-health="critical""#) && page.contains("1 job queued and no worker listens"),
        "{page}"
    );
    let page = app.get("/queues/idle").await.text();
    assert!(page.contains(r#"data-health="ok""#), "an ok queue says so");
}

#[tokio::test]
async fn metrics_export_one_health_series_per_queue_and_severity() {
    let r = RedisServer::start();
    troubled(&r);
    let text = TestApp::new(&r.url()).get("/metrics").await.text();
    for line in [
        r#"rq_queue_health{instance="0",queue="orders",severity="critical"} 1"#,
        r#"rq_queue_health{instance="0",queue="orders",severity="ok"} 0"#,
        r#"rq_queue_health{instance="0",queue="idle",severity="ok"} 1"#,
        r#"rq_instance_health{instance="0",severity="warning"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
    }
    assert!(text.trim_end().ends_with("# EOF"), "still one valid exposition");
}

#[test]
fn rqdash_check_exits_0_ok_1_warning_2_critical_and_3_unknown() {
    let r = RedisServer::start();
    let o = rqdash(&r, &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("RQ OK - 0 critical, 0 warning, 0 ok queues | critical=0 warning=0 ok=0"));
    let mut con = r.conn();
    let _: () = con.sadd("rq:workers", "rq:worker:ghost").expect("SADD");
    let o = rqdash(&r, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).starts_with("RQ WARNING - 0 critical, 0 warning, 0 ok queues; Redis: 1 worker is stale")
    );
    Rq::new("2.12.0", &r).py("Queue('orders', connection=conn()).enqueue(ok, 1); out(1)");
    let o = rqdash(&r, &["check"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "RQ CRITICAL - 1 critical, 0 warning, 0 ok queues; orders: 1 job queued and no worker listens | critical=1 warning=0 ok=0"
    );
    assert_eq!(
        lines[1..],
        [
            "CRITICAL queue orders: 1 job queued and no worker listens",
            "WARNING Redis: 1 worker is stale (no heartbeat within its ttl): ghost"
        ]
    );
    let o = rqdash(&r, &["check", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        (o.status.code(), v["verdict"].as_str(), v["status"].as_i64()),
        (Some(2), Some("critical"), Some(2))
    );
    let o = rqdash(&r, &["check", "--health-off", "no-worker,stale-worker"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["check", "--redis-url", "redis://127.0.0.1:1", "--redis-connect-timeout", "1"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("RQ UNKNOWN - "), "{}", stdout(&o));
}

/// The health task's report is reused until its next tick is due, so pages between two samples
/// read no second overview; a report read on demand is reused only briefly.
#[tokio::test]
async fn a_report_kept_by_the_health_task_serves_pages_until_its_next_tick() {
    use std::sync::Arc;
    use std::time::Duration;
    let r = RedisServer::start();
    let store = super::store(&r);
    let inst = store.instance(0).expect("instance");
    let cache = rqdash::store::verdict::Cache::default();
    let first = cache.report(inst).await.expect("report");
    let kept = cache.put_for((*first).clone(), Duration::from_secs(60));
    let again = cache.report(inst).await.expect("report");
    assert!(Arc::ptr_eq(&kept, &again), "a kept report is reused, not read again");
    let expired = cache.put_for((*first).clone(), Duration::ZERO);
    let fresh = cache.report(inst).await.expect("report");
    assert!(!Arc::ptr_eq(&expired, &fresh), "an expired report is read again");
}
