//! The schedulers page, API and CLI against state made by real RQ processes (make_cron.py): a
//! killed `rq cron`, overdue scheduled jobs with no scheduler, a lock left by a killed scheduler.

use serde_json::Value;

use crate::cli::{rqdash, stdout};
use crate::support::{CronFixture, TestApp};

fn by<'a>(list: &'a Value, field: &str, value: &Value) -> Option<&'a Value> {
    list.as_array().into_iter().flatten().find(|x| &x[field] == value)
}

for_each_rq_version!(
    cron_schedulers_and_their_jobs_are_what_rqs_api_reports,
    queue_schedulers_and_overdue_jobs_are_what_rq_left,
    the_page_marks_the_stale_scheduler_and_the_overdue_queue,
);

async fn cron_schedulers_and_their_jobs_are_what_rqs_api_reports(version: &'static str) {
    let f = CronFixture::get(version);
    let server = f.server();
    let api = TestApp::new(&server.url()).get_json("/api/v1/schedulers").await;
    let want = f.oracle["cron_schedulers"].as_array().cloned().unwrap_or_default();
    let got = api["cron_schedulers"].as_array().cloned().unwrap_or_default();
    assert_eq!(got.len(), want.len(), "rq {version}: one scheduler per rq cron process");
    assert_eq!(f.oracle["rq_version"], f.version, "the fixture ran under the venv of its version");
    assert_eq!(f.oracle["has_cron"], version != "1.16.2", "the fixture ran rq cron where RQ has it");
    for w in &want {
        let g = by(&api["cron_schedulers"], "name", &w["name"]).expect("scheduler listed by name");
        for field in ["hostname", "pid", "created_at", "config_file"] {
            assert_eq!(g[field], w[field], "rq {version}: scheduler {field}");
        }
        let beat = w["last_heartbeat"].as_f64().expect("RQ reports the heartbeat");
        // RQ's datetime rounds the score to the microsecond its own way: within 1 µs.
        let shown = g["last_heartbeat"].as_str().and_then(rqdash::rq::time::parse).expect("heartbeat shown");
        assert!((shown.as_microsecond() as f64 / 1e6 - beat).abs() < 2e-6, "rq {version}: heartbeat {shown}");
        assert_eq!(g["stale"], true, "rq {version}: killed and its heartbeat older than the TTL");
        assert_eq!(g["ttl_seconds"], 120);
        let jobs = w["jobs"].as_array().cloned().unwrap_or_default();
        assert_eq!(g["jobs"].as_array().map(Vec::len), Some(jobs.len()), "rq {version}: cron jobs");
        for wj in &jobs {
            let gj = by(&g["jobs"], "name", &wj["name"]).expect("cron job listed by name");
            for field in [
                "func_name",
                "queue_name",
                "interval",
                "cron",
                "args",
                "kwargs",
                "latest_enqueue_time",
                "next_enqueue_time",
            ] {
                assert_eq!(gj[field], wj[field], "rq {version}: {} {field}", wj["name"]);
            }
            let ids: Vec<&Value> = wj["job_ids"].as_array().into_iter().flatten().take(10).collect();
            let got_ids: Vec<&Value> =
                gj["recent"].as_array().into_iter().flatten().map(|r| &r["id"]).collect();
            assert_eq!(got_ids, ids, "rq {version}: {} recent enqueues, newest first", wj["name"]);
            assert_eq!(gj["history_total"].as_u64(), wj["job_ids"].as_array().map(|a| a.len() as u64));
            for r in gj["recent"].as_array().into_iter().flatten() {
                let id = r["id"].as_str().unwrap_or_default();
                assert_eq!(r["status"], wj["job_statuses"][id], "rq {version}: outcome of {id}");
            }
            assert_eq!(gj["next_runs"].as_array().map(Vec::len), Some(5), "five next runs");
            if wj["cron"].is_string() {
                // RQ computed its next time at start; a Monday 02:00 UTC has not passed since.
                assert_eq!(
                    gj["next_runs"][0], wj["next_enqueue_time"],
                    "rq {version}: croner agrees with croniter"
                );
                assert_eq!(gj["schedule"], "at 02:00 on Monday");
            } else {
                assert_eq!(
                    gj["next_runs"][0], wj["next_enqueue_time"],
                    "interval jobs start at RQ's next time"
                );
            }
            // tasks.add (every second) was due right after its scheduler was killed; the others not.
            assert_eq!(gj["due"], wj["name"] == "tasks.add", "rq {version}: {} overdue", wj["name"]);
        }
    }
    let names: Vec<&Value> =
        api["cron_job_names"].as_array().into_iter().flatten().map(|n| &n["name"]).collect();
    let mut want_names: Vec<&Value> = f.oracle["cron_job_names"].as_array().into_iter().flatten().collect();
    want_names.reverse(); // RQ lists oldest first, rqdash newest first
    assert_eq!(names, want_names, "rq {version}: rq:cron_jobs");
}

async fn queue_schedulers_and_overdue_jobs_are_what_rq_left(version: &'static str) {
    let f = CronFixture::get(version);
    let server = f.server();
    let api = TestApp::new(&server.url()).get_json("/api/v1/schedulers").await;
    let q = |name: &str| by(&api["queues"], "queue", &Value::from(name)).cloned().unwrap_or(Value::Null);
    let sched = q("sched");
    let want: Vec<f64> = f.oracle["scheduled"]["sched"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e[1].as_f64())
        .collect();
    assert_eq!(sched["scheduled"].as_u64(), Some(want.len() as u64), "rq {version}: scheduled in sched");
    let now = rqdash::rq::time::now_epoch();
    assert_eq!(sched["overdue"].as_u64(), Some(want.iter().filter(|s| **s <= now).count() as u64));
    assert_eq!(sched["overdue"], 3);
    assert_eq!(sched["lock"], Value::Null);
    assert_eq!(sched["alert"], true, "rq {version}: 10 minutes late and no scheduler");
    let ticks = q("ticks");
    assert_eq!(ticks["lock"], f.oracle["locks"]["ticks"], "rq {version}: the lock's value");
    assert_eq!(ticks["alert"], false);
    assert_eq!(ticks["overdue"], 0);
    match f.oracle["lock_holder"].as_object() {
        Some(h) => {
            assert_eq!(ticks["holder"]["hostname"], h["hostname"]);
            assert_eq!(ticks["holder"]["pid"].to_string(), h["pid"].as_str().unwrap_or_default());
            assert_eq!(ticks["holder"]["queues"], serde_json::json!(["ticks"]));
        }
        None => assert_eq!(ticks["holder"], Value::Null, "rq {version}: a PID lock names no scheduler hash"),
    }
    assert_eq!(api["overdue_alerts"], serde_json::json!(["sched"]));
}

async fn the_page_marks_the_stale_scheduler_and_the_overdue_queue(version: &'static str) {
    let f = CronFixture::get(version);
    let server = f.server();
    let app = TestApp::new(&server.url());
    let page = app.get("/schedulers").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("data-overdue"), "rq {version}: the overdue alert");
    assert!(html.contains(r#"data-queue="sched""#) && html.contains(r#"data-queue="ticks""#));
    if let Some(name) = f.oracle["cron_scheduler"].as_str() {
        assert!(html.contains(&format!(r#"data-name="{name}""#)) && html.contains(">stale<"));
        assert!(html.contains("at 02:00 on Monday") && html.contains("every second"));
    }
    let overview = app.get("/").await.text();
    assert!(overview.contains(r#"id="scheduler-banner""#), "rq {version}: the overview warns");
    let nav =
        overview.split(r#"<nav class="nav""#).nth(1).and_then(|n| n.split("</nav>").next()).unwrap_or("");
    let has_nav = nav.contains("/schedulers\"");
    assert_eq!(has_nav, version != "1.16.2", "rq {version}: the nav shows Schedulers only with rq cron");
    let queue = app.get("/queues/sched").await.text();
    assert!(queue.contains(r#"id="scheduler-banner""#), "rq {version}: the queue page warns");
}

#[test]
fn the_cli_lists_schedulers_and_exits_3_on_a_stale_one() {
    let f = CronFixture::get("3.0.0");
    let server = f.server();
    let o = rqdash(&server, &["schedulers"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("stale") && out.contains("tasks.add") && out.contains("at 02:00 on Monday"),
        "{out}"
    );
    let o = rqdash(&server, &["schedulers", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["overdue_alerts"], serde_json::json!(["sched"]));
}

#[tokio::test]
async fn doctor_and_metrics_report_the_overdue_queue_and_the_dead_cron_scheduler() {
    let f = CronFixture::get("2.12.0");
    let server = f.server();
    let app = TestApp::new(&server.url());
    let report = app.get_json("/api/v1/doctor").await;
    let count = |check: &str| by(&report["checks"], "check", &Value::from(check)).map(|c| c["count"].clone());
    assert_eq!(count("overdue_scheduled"), Some(Value::from(3)), "the three jobs due 10 minutes ago");
    assert_eq!(count("stale_cron_scheduler"), Some(Value::from(1)));
    let finding = by(&report["findings"], "check", &Value::from("overdue_scheduled")).expect("a finding");
    assert_eq!(finding["key"], "rq:scheduled:sched");
    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains(r#"rq_scheduled_overdue{instance="0",queue="sched"} 3"#), "{metrics}");
    assert!(metrics.contains(r#"rq_scheduled_overdue{instance="0",queue="ticks"} 0"#));
    let name = f.oracle["cron_scheduler"].as_str().expect("a cron scheduler");
    assert!(
        metrics.contains(&format!(r#"rq_cron_scheduler_up{{instance="0",name="{name}"}} 0"#)),
        "{metrics}"
    );
}
