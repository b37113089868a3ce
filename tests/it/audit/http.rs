//! Actions over HTTP, each recorded as an intent then an outcome with exact counts.

use redis::Commands;
use serde_json::json;

use super::{entries, five_failed_jobs, outcome_of, post};
use crate::api_basics::{plant_job, plant_queue};
use crate::support::probe::digest;
use crate::support::{RedisServer, Rq, TestApp};

async fn every_action_is_recorded_before_and_after_with_its_exact_counts(version: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(version, &r);
    five_failed_jobs(&rq);
    let mut con = r.conn();
    // Two ids whose job hash is gone: orphans, removed and counted.
    let _: () = con.zadd("rq:failed:cli", "ghost-1", 4_000_000_000_i64).expect("ZADD");
    let _: () = con.zadd("rq:failed:cli", "ghost-2", 4_000_000_001_i64).expect("ZADD");
    let app = TestApp::new(&r.url());

    let (s, v) = post(&app, "/api/v1/jobs/flaky-0/requeue", None).await;
    assert_eq!(s, 200, "rq {version}: {v}");
    let (s, v) = post(&app, "/api/v1/queues/cli/requeue?state=failed", None).await;
    assert_eq!((s, &v["requeued"], &v["orphans_removed"]), (200, &json!(4), &json!(2)), "rq {version}: {v}");
    let ids = json!(["flaky-0", "flaky-1", "flaky-2", "flaky-3", "flaky-4", "never-was"]);
    let (s, v) = post(&app, "/api/v1/jobs/bulk", Some(json!({"action": "delete", "ids": ids}))).await;
    assert_eq!((s, &v["deleted"], &v["missing"]), (200, &json!(5), &json!(1)), "rq {version}: {v}");

    let all = entries(&app).await;
    assert_eq!(all.len(), 6, "rq {version}: an intent and an outcome per action: {all:#?}");
    let intents: Vec<&serde_json::Value> = all.iter().filter(|e| e["phase"] == "intent").collect();
    let actions: Vec<&str> = intents.iter().map(|e| e["action"].as_str().unwrap_or_default()).collect();
    assert_eq!(actions, ["bulk.delete", "queue.requeue", "job.requeue"], "newest first");
    for e in &all {
        assert_eq!(
            (&e["user"], &e["role"], &e["via"]),
            (&json!("anonymous"), &json!("admin"), &json!("none"))
        );
    }
    let one = outcome_of(&all, intents[2]);
    assert_eq!(intents[2]["ids"], json!(["flaky-0"]));
    assert_eq!(
        (&one["status"], &one["result"]["from"], &one["result"]["to"]),
        (&json!("done"), &json!("failed"), &json!("queued"))
    );
    let whole = outcome_of(&all, intents[1]);
    assert_eq!((&intents[1]["queue"], &intents[1]["state"]), (&json!("cli"), &json!("failed")));
    assert_eq!(whole["result"]["requeued"], 4, "{whole}");
    assert_eq!(whole["result"]["orphans_removed"], 2, "{whole}");
    let bulk = outcome_of(&all, intents[0]);
    assert_eq!((&intents[0]["ids_total"], &intents[0]["ids"][5]), (&json!(6), &json!("never-was")));
    assert_eq!((&bulk["result"]["deleted"], &bulk["result"]["missing"]), (&json!(5), &json!(1)), "{bulk}");
    assert!(bulk["id"].as_str() > intents[0]["id"].as_str(), "the outcome comes after its intent");
}

for_each_rq_version!(every_action_is_recorded_before_and_after_with_its_exact_counts);

#[tokio::test]
async fn a_bulk_action_keeps_the_first_twenty_ids_and_says_how_many_were_cut() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let ids: Vec<String> = (0..25).map(|i| format!("gone-{i}")).collect();
    let (s, v) = post(&app, "/api/v1/jobs/bulk", Some(json!({"action": "requeue", "ids": ids}))).await;
    assert_eq!((s, &v["missing"]), (200, &json!(25)), "{v}");
    let all = entries(&app).await;
    let intent = all.iter().find(|e| e["phase"] == "intent").expect("intent");
    assert_eq!(intent["ids"].as_array().map(Vec::len), Some(20));
    assert_eq!((&intent["ids_total"], &intent["ids"][19]), (&json!(25), &json!("gone-19")));
    let page = app.get("/audit").await.text();
    assert!(page.contains("(+5 more)"), "the page says how many ids were cut");
}

#[tokio::test]
async fn a_background_action_stopped_between_chunks_records_its_partial_counts() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    let n = 30_000;
    let mut p = redis::pipe();
    for i in 0..n {
        let id = format!("j{i:05}");
        p.hset_multiple(
            format!("rq:job:{id}"),
            &[("status", "failed"), ("origin", "default"), ("data", "x")],
        )
        .ignore();
        p.zadd("rq:failed:default", &id, 4_000_000_000_i64 + i).ignore();
    }
    let _: () = p.query(&mut con).expect("plant");
    // A few real-looking jobs too, so the walk is not all the same shape.
    plant_job(&mut con, "real-1", "failed", "default");
    let app = TestApp::new(&r.url());
    let (s, v) = post(&app, "/api/v1/queues/default/requeue?state=failed&background=1", None).await;
    assert_eq!(s, 202, "{v}");
    let task = v["task"].as_u64().expect("task");
    let (s, v) = post(&app, &format!("/api/v1/tasks/{task}/cancel"), None).await;
    assert_eq!(s, 200, "{v}");
    let mut outcome = None;
    for _ in 0..600 {
        let all = entries(&app).await;
        let intent = all.iter().find(|e| e["action"] == "queue.requeue" && e["phase"] == "intent").cloned();
        if let Some(i) = intent
            && let Some(o) = all.iter().find(|e| e["of"] == i["id"])
        {
            outcome = Some((all.clone(), o.clone()));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (all, o) = outcome.expect("the task's outcome is written when it ends");
    let queued: u64 = con.llen("rq:queue:default").expect("LLEN");
    assert_eq!(o["status"], "stopped", "{o}");
    assert_eq!(o["result"]["interrupted"], true, "{o}");
    assert_eq!(o["result"]["requeued"].as_u64().unwrap_or(0), queued, "the partial count is exact: {o}");
    assert!(queued < n as u64 + 1, "stopped before the end (of {} jobs): {queued}", n + 1);
    assert_eq!(o["result"]["task"], task);
    let stop = all.iter().find(|e| e["action"] == "task.stop" && e["phase"] == "intent").expect("the stop");
    assert_eq!(stop["queue"], "default", "the stop names what it stopped: {stop}");
    assert!(stop["target"].as_str().unwrap_or_default().contains("queue.requeue"), "{stop}");
}

#[tokio::test]
async fn an_action_whose_intent_cannot_be_recorded_is_refused_and_changes_nothing() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "f1", "failed", "default");
    let _: () = con.zadd("rq:failed:default", "f1", 4_000_000_000_i64).expect("ZADD");
    // A string where the stream should be: every XADD fails (WRONGTYPE).
    let _: () = con.set("rqdash:audit", "not a stream").expect("SET");
    let before = digest(&mut con);
    let app = TestApp::new(&r.url());
    let (s, v) = post(&app, "/api/v1/jobs/f1/requeue", None).await;
    assert_eq!(s, 503, "{v}");
    assert!(v["error"].as_str().unwrap_or_default().contains("audit log could not be written"), "{v}");
    let (s, _) = post(&app, "/api/v1/queues/default/empty?state=failed", None).await;
    assert_eq!(s, 503);
    assert_eq!(digest(&mut con), before, "nothing changed");
}

#[tokio::test]
async fn read_only_mode_writes_no_audit_entry_and_reads_write_none_either() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "f1", "failed", "default");
    let _: () = con.zadd("rq:failed:default", "f1", 4_000_000_000_i64).expect("ZADD");
    let ro = TestApp::with_args(&[r.url()], &["--read-only"]);
    let (s, _) = post(&ro, "/api/v1/jobs/f1/requeue", None).await;
    assert_eq!(s, 403);
    let app = TestApp::new(&r.url());
    for path in ["/", "/queues/default", "/failed", "/audit", "/api/v1/audit", "/api/v1/jobs/f1", "/doctor"] {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
    let (s, _) = post(&app, "/api/v1/search/select", Some(json!({"q": "status:failed"}))).await;
    assert!(s < 500, "{s}");
    let exists: bool = con.exists("rqdash:audit").expect("EXISTS");
    assert!(!exists, "neither read-only refusals nor reads are recorded");
}

/// Every POST route of the route table, with a name in the log (a route the audit middleware
/// does not know is still recorded, as `POST <route>`: this keeps the names in step).
#[tokio::test]
async fn every_post_route_is_recorded_under_the_name_of_its_action() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    let app = TestApp::new(&r.url());
    let routes = [
        ("/api/v1/jobs/x/requeue", "job.requeue"),
        ("/api/v1/jobs/x/reveal", "job.reveal"),
        ("/api/v1/jobs/bulk", "bulk.cancel"),
        ("/api/v1/queues/default/requeue?state=failed", "queue.requeue"),
        ("/api/v1/queues/default/empty?state=failed", "queue.empty"),
        ("/api/v1/queues/default/compact", "queue.compact"),
        ("/api/v1/search/selections/nope/requeue", "selection.requeue"),
        ("/api/v1/workers/suspend?duration=60", "workers.suspend"),
        ("/api/v1/workers/resume", "workers.resume"),
        ("/api/v1/workers/remove-stale", "workers.remove-stale"),
        ("/api/v1/workers/w1/shutdown", "worker.shutdown"),
        ("/api/v1/doctor/fix", "doctor.fix"),
        ("/api/v1/tasks/99/cancel", "task.stop"),
        ("/job/x/delete", "job.delete"),
        ("/requeue/default", "queue.requeue"),
        ("/requeue-all", "queue.requeue"),
        ("/queue/default/empty", "queue.empty"),
        ("/queue/default/compact", "queue.compact"),
        ("/queue/default/failed/empty", "queue.empty"),
    ];
    // The list covers every POST rule of the route table, so a new action route shows up here.
    let covers = |rule: &str, path: &str| {
        let path = path.split('?').next().unwrap_or_default();
        let (r, p): (Vec<&str>, Vec<&str>) = (rule.split('/').collect(), path.split('/').collect());
        r.len() == p.len() && r.iter().zip(&p).all(|(a, b)| a.starts_with('{') || a == b)
    };
    // (Collecting a selection's ids is a POST that only reads: it is not recorded.)
    let posts = rqdash::web::authz::RULES.iter().filter(|r| r.method == "POST");
    for rule in posts.filter(|r| r.path != "/api/v1/search/select") {
        assert!(routes.iter().any(|(path, _)| covers(rule.path, path)), "{} is not in the list", rule.path);
    }
    for (i, (path, action)) in routes.iter().enumerate() {
        let body = path.ends_with("bulk").then(|| json!({"action": "cancel", "ids": ["x"]}));
        post(&app, path, body).await;
        let all = entries(&app).await;
        assert_eq!(all.len(), 2 * (i + 1), "{path}: an intent and an outcome");
        assert_eq!((&all[0]["action"], &all[1]["action"]), (&json!(action), &json!(action)), "{path}");
        assert_eq!((&all[0]["phase"], &all[1]["phase"]), (&json!("outcome"), &json!("intent")), "{path}");
    }
    let all = entries(&app).await;
    let suspend = all.iter().find(|e| e["action"] == "workers.suspend").expect("suspend");
    assert_eq!(suspend["target"], "60s");
    let failed = all.iter().find(|e| e["action"] == "job.requeue" && e["phase"] == "outcome").expect("x");
    assert_eq!((&failed["status"], &failed["result"]["http_status"]), (&json!("failed"), &json!(404)));
    assert!(failed["error"].as_str().unwrap_or_default().contains('x'), "{failed}");
}
