//! contrib/'s Grafana dashboard and Prometheus alert rules use only metric names `/metrics`
//! exports: every name in their expressions is looked up in a real scrape, so renaming a metric
//! breaks this test rather than someone's dashboard.

use std::collections::BTreeSet;

use redis::Commands;
use serde_json::Value;

use super::iso_ago;
use crate::support::fixture::root;
use crate::support::{RedisServer, Rq, TestApp};

/// Every string under an `expr` or `query` key of the dashboard.
fn dashboard_exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("expr" | "query", Value::String(s)) => out.push(s.clone()),
                    _ => dashboard_exprs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| dashboard_exprs(x, out)),
        _ => {}
    }
}

/// The metric names of a PromQL expression: identifiers starting `rq_` or `rqdash_`, outside
/// quoted label values.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut unquoted = String::new();
    let mut quoted = false;
    for c in expr.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            unquoted.push(c);
        }
    }
    unquoted
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|t| t.starts_with("rq_") || t.starts_with("rqdash_"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_metric_in_the_grafana_dashboard_and_the_alert_rules_is_exported() {
    let dir = root().join("contrib");
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("grafana/rqdash-dashboard.json")).expect("read"),
    )
    .expect("the dashboard is JSON");
    let mut exprs = Vec::new();
    dashboard_exprs(&dashboard, &mut exprs);
    let rules = std::fs::read_to_string(dir.join("prometheus/rqdash-alerts.yml")).expect("read");
    let rule_exprs: Vec<String> =
        rules.lines().filter_map(|l| l.trim().strip_prefix("expr:")).map(|e| e.trim().to_owned()).collect();
    assert!(rule_exprs.len() >= 5 && exprs.len() >= 10, "{rule_exprs:?} {exprs:?}");
    assert_eq!(rules.matches("alert:").count(), rule_exprs.len(), "one single-line expr per alert");
    let used: BTreeSet<String> = exprs.iter().chain(&rule_exprs).flat_map(|e| metric_names(e)).collect();
    assert!(used.contains("rq_queue_health") && used.contains("rq_instance_health"), "{used:?}");

    // A scrape with data behind every family: jobs, a live worker, a stale one, a scheduled job.
    let r = RedisServer::start();
    // A job that ran and a sampler tick give the per-function families their series.
    let rq = Rq::new("2.12.0", &r);
    rq.py("q = Queue('done', connection=conn()); q.enqueue(ok, 1); out(1)");
    rq.burst(&["done"]);
    let store = crate::history::store(&r);
    let (inst, layout) = (store.instance(0).expect("instance"), rqdash::store::history::Layout::default());
    let now = rqdash::rq::time::now_epoch() as i64;
    rqdash::store::history::sample(inst, &mut rqdash::store::history::Sampler::new(layout), now)
        .await
        .expect("tick");
    rq.py("from datetime import timedelta\nq = Queue('orders', connection=conn())\n\
         q.enqueue(ok, 1); q.enqueue_in(timedelta(hours=1), ok, 2); out(1)");
    let mut con = r.conn();
    for (name, ago) in [("live", 10), ("ghost", 3600)] {
        let _: () = con.sadd("rq:workers", format!("rq:worker:{name}")).expect("SADD");
        let f =
            [("state", "busy".to_owned()), ("queues", "orders".to_owned()), ("last_heartbeat", iso_ago(ago))];
        let _: () = con.hset_multiple(format!("rq:worker:{name}"), &f).expect("HSET");
    }
    let _: () = con.sadd("rq:workers", "rq:worker:gone").expect("SADD");
    let text = TestApp::new(&r.url()).get("/metrics").await.text();
    let exported: BTreeSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    let missing: Vec<&String> = used.iter().filter(|m| !exported.contains(m.as_str())).collect();
    assert!(
        missing.is_empty(),
        "contrib/ uses metrics /metrics does not export: {missing:?}\nexported: {exported:?}"
    );
    assert_eq!(metric_names(r#"rq_jobs{state="rq_not_a_metric"} > 0 and rqdash_up"#).len(), 2);
}
