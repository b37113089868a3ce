//! rqdash reports what RQ's own API reports on the same data: expired registry entries apart
//! (never as corrupt jobs), queues that `rq:queues` forgot, the call from `data`, the newest
//! failure first whatever its TTL, the latest result's exception only.

use std::time::{Duration, Instant};

use redis::Commands;
use serde_json::Value;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, Fixture, RedisServer, Rq, TestApp};

for_each_rq_version!(expired_entries_are_counted_apart_and_never_shown_as_missing_job_data);

async fn expired_entries_are_counted_apart_and_never_shown_as_missing_job_data(v: &'static str) {
    let f = Fixture::get(v);
    let r = f.server();
    let app = TestApp::new(&r.url());
    // The snapshot holds 3 finished and 2 failed entries of `expiring` past their expiry
    // (result_ttl/failure_ttl=1) whose hashes are gone; RQ's count left them out.
    let live = app.get_json("/api/v1/queues/expiring/jobs?state=finished").await;
    assert_eq!(live["total"], f.oracle["queues"]["expiring"]["finished"], "rq {v}: what RQ counts");
    assert_eq!(live["expired"], 3, "rq {v}");
    assert!(live["jobs"].as_array().expect("jobs").iter().all(|j| j["missing"] == false), "rq {v}: {live}");
    let gone = app.get_json("/api/v1/queues/expiring/jobs?state=finished&expired=1").await;
    let ids: Vec<&str> =
        gone["jobs"].as_array().expect("jobs").iter().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(ids, ["exp-fin-0", "exp-fin-1", "exp-fin-2"], "rq {v}: the expired view lists them");
    let page = app.get("/queues/expiring?state=finished").await.text();
    assert!(page.contains("3 expired entries awaiting RQ"), "rq {v}: one quiet line");
    assert!(!page.contains("job data missing"), "rq {v}: expired entries are not corruption");
    let failed = app.get_json("/api/v1/failed").await;
    assert_eq!(failed["expired"], 2, "rq {v}: /failed leaves them out too");
    assert!(!failed["rows"].to_string().contains("exp-fail-"), "rq {v}");
}

#[tokio::test]
async fn a_started_entry_past_its_heartbeat_deadline_is_not_counted_as_running() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    plant_job(&mut con, "alive", "started", "q");
    plant_job(&mut con, "dead", "started", "q");
    let now = jiff::Timestamp::now().as_second();
    let _: () = con.zadd("rq:wip:q", "alive", now + 90).expect("ZADD");
    let _: () = con.zadd("rq:wip:q", "dead", now - 100).expect("ZADD");
    let app = TestApp::new(&r.url());
    let q = app.get_json("/api/v1/queues").await;
    assert_eq!(q["queues"][0]["counts"]["started"], 1);
    assert_eq!(q["queues"][0]["counts"]["expired"]["started"], 1);
    let list = app.get_json("/api/v1/queues/q/jobs?state=started").await;
    assert_eq!(list["jobs"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["jobs"][0]["id"], "alive");
}

#[tokio::test]
async fn pages_of_a_registry_with_expired_and_never_expiring_entries_cover_the_live_ones_once() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    let now = jiff::Timestamp::now().as_second();
    // 3 that never expire (failure_ttl=-1), 4 expired, 5 live.
    let mut live = Vec::new();
    for (i, score) in
        [-1, -1, -1, 10, 20, now - 5, now, now + 100, now + 200, FAR, FAR + 1, FAR + 2].iter().enumerate()
    {
        let id = format!("j{i:02}");
        plant_job(&mut con, &id, "failed", "q");
        let _: () = con.zadd("rq:failed:q", &id, *score).expect("ZADD");
        if *score < 0 || *score > now {
            live.push(id);
        }
    }
    // Over the exact-order bound the pages follow the score; under it, ended_at (absent here,
    // so the score again): both orders must list each live entry exactly once.
    let app = TestApp::new(&r.url());
    for order in ["asc", "desc"] {
        let mut got = Vec::new();
        for page in 1..=5 {
            let v = app
                .get_json(&format!("/api/v1/queues/q/jobs?state=failed&per_page=2&page={page}&order={order}"))
                .await;
            assert_eq!(v["total"], 8);
            assert_eq!(v["expired"], 4);
            got.extend(
                v["jobs"].as_array().expect("jobs").iter().map(|j| j["id"].as_str().expect("id").to_owned()),
            );
        }
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(sorted, live, "{order}: every live entry once");
    }
}

for_each_rq_version!(a_queue_missing_from_rq_queues_is_listed_and_its_failed_jobs_can_be_requeued);

async fn a_queue_missing_from_rq_queues_is_listed_and_its_failed_jobs_can_be_requeued(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    rq.py("c = conn()\nq = Queue('gone', connection=c)\n\
         [q.enqueue(flaky, job_id='g-%d' % i) for i in range(20)]\nout(1)");
    rq.burst(&["gone"]);
    // RQ's Queue.delete() forgets the queue and keeps its registries.
    let left = rq.py("c = conn()\nQueue('gone', connection=c).delete(delete_jobs=True)\n\
         out([c.sismember('rq:queues', 'rq:queue:gone'), FailedJobRegistry('gone', connection=c).count])");
    assert_eq!(left, serde_json::json!([0, 20]), "rq {v}: RQ still counts them");
    let app = TestApp::new(&r.url());
    let deadline = Instant::now() + Duration::from_secs(20);
    let gone = loop {
        let q = app.get_json("/api/v1/queues").await;
        if let Some(g) = q["queues"].as_array().and_then(|a| a.iter().find(|x| x["name"] == "gone")).cloned()
        {
            break g;
        }
        assert!(Instant::now() < deadline, "rq {v}: the background scan finds the queue: {q}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(gone["registered"], false, "rq {v}");
    assert_eq!(gone["counts"]["failed"], 20, "rq {v}");
    assert!(app.get("/").await.text().contains("not registered"), "rq {v}: marked on the overview");
    let page = app.get("/queues/gone?state=failed").await;
    assert_eq!(page.status, 200, "rq {v}");
    let res = app.request("POST", "/api/v1/queues/gone/requeue?state=failed").await;
    assert_eq!(res.status, 200, "rq {v}: {}", res.text());
    assert_eq!(res.json()["requeued"], 20, "rq {v}");
    let after = rq.py(
        "c = conn()\nout([Queue('gone', connection=c).count, c.sismember('rq:queues', 'rq:queue:gone')])",
    );
    assert_eq!(after, serde_json::json!([20, 1]), "rq {v}: back in its queue, which RQ registers again");
}

for_each_rq_version!(list_rows_take_the_function_and_arguments_from_the_job_data);

async fn list_rows_take_the_function_and_arguments_from_the_job_data(v: &'static str) {
    let f = Fixture::get(v);
    let r = f.server();
    let app = TestApp::new(&r.url());
    let id = f.label("html_description").expect("label");
    let rows = app.get_json("/api/v1/queues/default/jobs?per_page=500").await;
    let row = rows["jobs"].as_array().expect("jobs").iter().find(|j| j["id"] == id).cloned().expect("row");
    assert_eq!(row["func_name"], f.oracle["jobs"][id]["func_name"], "rq {v}: not from the description");
    assert_eq!(row["args_preview"], "'x'", "rq {v}");
    // A call too big to decode for a list says so.
    let rq = Rq::new(v, &r);
    rq.py(
        "import os\nQueue('big', connection=conn()).enqueue(ok, os.urandom(40000), job_id='big-1')\nout(1)",
    );
    let big = app.get_json("/api/v1/queues/big/jobs").await;
    assert_eq!(big["jobs"][0]["func_name"], Value::Null, "rq {v}");
    assert_eq!(big["jobs"][0]["call_note"], "call not decoded (40 KB)", "rq {v}");
    // 1 KB of zlib that inflates to 1 MB is not inflated for a row that shows 120 characters.
    rq.py("Queue('bomb', connection=conn()).enqueue(ok, 'y' * 1000000, job_id='bomb-1')\nout(1)");
    let bomb = app.get_json("/api/v1/queues/bomb/jobs").await;
    assert_eq!(bomb["jobs"][0]["func_name"], Value::Null, "rq {v}");
    assert_eq!(bomb["jobs"][0]["call_note"], "call not decoded (over 256 KB inflated)", "rq {v}");
    // The job's own page still decodes all of it.
    let job = app.get_json("/api/v1/jobs/bomb-1").await;
    assert!(job["func_name"].as_str().is_some_and(|f| f.ends_with("ok")), "rq {v}: {}", job["func_name"]);
}

for_each_rq_version!(a_finished_job_that_failed_before_shows_no_exception);

async fn a_finished_job_that_failed_before_shows_no_exception(v: &'static str) {
    let f = Fixture::get(v);
    let r = f.server();
    let app = TestApp::new(&r.url());
    let id = f.label("history").expect("label");
    let job = app.get_json(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(job["status"], "finished", "rq {v}");
    assert_eq!(job["exc_info"], Value::Null, "rq {v}: RQ's exc_info is empty after a success");
    assert!(job["results"].to_string().contains("RuntimeError"), "rq {v}: the failure stays in the timeline");
}

#[tokio::test]
async fn an_orphan_id_at_the_head_of_a_queue_does_not_hide_the_oldest_job() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    plant_job(&mut con, "real", "queued", "q");
    let _: () = con.rpush("rq:queue:q", &["ghost-1", "ghost-2", "real"][..]).expect("RPUSH");
    let app = TestApp::new(&r.url());
    let q = app.get_json("/api/v1/queues").await;
    assert_eq!(q["queues"][0]["oldest_enqueued_at"], "2026-01-01T00:00:00.000000Z");
}

for_each_rq_version!(the_newest_failure_comes_first_whatever_its_failure_ttl);

async fn the_newest_failure_comes_first_whatever_its_failure_ttl(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    let year = 365 * 86400;
    rq.py(&format!(
        "c = conn()\n[Queue('old', connection=c).enqueue(flaky, job_id='old-%d' % i, failure_ttl={year}) for i in range(120)]\n\
         [Queue('mixed', connection=c).enqueue(flaky, job_id='mixed-%d' % i, failure_ttl={year}) for i in range(30)]\nout(1)"
    ));
    rq.burst(&["old", "mixed"]);
    rq.py("c = conn()\nQueue('new', connection=c).enqueue(flaky, job_id='newest', failure_ttl=3600)\n\
         Queue('mixed', connection=c).enqueue(flaky, job_id='mixed-newest', failure_ttl=3600)\nout(1)");
    rq.burst(&["new", "mixed"]);
    let app = TestApp::new(&r.url());
    let failed = app.get_json("/api/v1/failed?limit=50").await;
    let first: Vec<&str> =
        failed["rows"].as_array().expect("rows").iter().take(2).filter_map(|x| x[1]["id"].as_str()).collect();
    assert_eq!(first, ["mixed-newest", "newest"], "rq {v}: by time failed, not by expiry");
    assert_eq!(failed["total"], 152, "rq {v}");
    let tab = app.get_json("/api/v1/queues/mixed/jobs?state=failed&order=desc&per_page=5").await;
    assert_eq!(tab["jobs"][0]["id"], "mixed-newest", "rq {v}: newest first means newest failure");
    assert_eq!(tab["order_by"], "ended_at", "rq {v}");
    let page = app.get("/failed").await.text();
    assert!(page.contains("newest failure first, by time ended"), "rq {v}: the page says what the order is");
}
