//! `tests/test_basic.py`, test for test, in order (names as sentences; the original's name in
//! each comment). Data: the shared RQ 2.12.0 fixture, or what the original test enqueues.

use redis::Commands;

use super::{Dash, REGISTRY_NAMES, RQ, rq};
use crate::support::probe::digest;
use crate::support::{Fixture, RedisServer};

fn fixture() -> Dash {
    Dash::on(Fixture::get(RQ).server(), &[])
}

fn fresh() -> Dash {
    Dash::on(RedisServer::start(), &[])
}

// test_dashboard_ok
#[test]
fn the_dashboard_answers_at_its_root() {
    assert_eq!(fixture().get("/").status, 200);
}

// test_queues_list_json
#[test]
fn queues_json_is_a_dict_of_queues_and_never_cached() {
    let r = fixture().get("/0/data/queues.json");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["queues"].is_array());
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

// test_workers_list_json
#[test]
fn workers_json_is_a_dict_of_workers() {
    let r = fixture().get("/0/data/workers.json");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["workers"].is_array());
}

// test_queued_jobs_list
#[test]
fn the_jobs_view_urls_land_on_a_page_and_the_queued_list_is_json() {
    let d = fixture();
    assert_eq!(d.follow("/0/view/jobs").status, 200);
    assert_eq!(d.follow("/0/view/jobs/default/queued/8/asc/1").status, 200);
    let r = d.get("/0/data/jobs/default/queued/8/asc/1.json");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["jobs"].is_array());
}

// test_single_job_view
#[test]
fn the_job_view_url_lands_on_the_jobs_page() {
    let d = fresh();
    let id = rq(RQ, &d.redis, &["enqueue", "1"])["ids"][0].as_str().expect("id").to_owned();
    let r = d.follow(&format!("/0/view/job/{id}"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains(&id));
}

// test_del_job_mechanism
#[test]
fn deleting_a_job_by_post_answers_ok_and_the_job_is_gone() {
    let d = fresh();
    let id = rq(RQ, &d.redis, &["enqueue", "1"])["ids"][0].as_str().expect("id").to_owned();
    let r = d.post(&format!("/job/{id}/delete"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "OK");
    let mut con = d.con();
    assert!(!con.exists::<_, bool>(format!("rq:job:{id}")).expect("EXISTS"));
    assert_eq!(con.llen::<_, i64>("rq:queue:default").expect("LLEN"), 0);
}

// test_registry_jobs_list
#[test]
fn every_registry_lists_its_jobs_as_json() {
    let d = fixture();
    for reg in REGISTRY_NAMES {
        let r = d.get(&format!("/0/data/jobs/default/{reg}/8/asc/1.json"));
        assert_eq!(r.status, 200, "{reg}: {}", r.body);
        assert!(r.json()["jobs"].is_array(), "{reg}");
    }
}

/// A worker registered by the real rq (as the original's `Worker(['q']).register_birth()`).
fn born_worker() -> (Dash, serde_json::Value, serde_json::Value) {
    let d = fresh();
    let w = rq(RQ, &d.redis, &["worker-birth"]);
    let workers = d.get("/0/data/workers.json").json();
    (d, w, workers["workers"][0].clone())
}

// test_worker_python_version_field
#[test]
fn workers_json_gives_the_python_version_the_worker_recorded() {
    let (_d, w, listed) = born_worker();
    assert!(w["python_version"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(listed["python_version"], w["python_version"]);
}

// test_worker_version_field
#[test]
fn workers_json_gives_the_rq_version_the_worker_recorded() {
    let (_d, w, listed) = born_worker();
    assert_eq!(w["version"], RQ);
    assert_eq!(listed["version"], w["version"]);
}

// test_instance_escaping: rq-dashboard masks `user:pass@` as `***:***@`; rqdash keeps the
// user name and masks the password, wherever it lists instances.
#[test]
fn redis_passwords_are_masked_wherever_instances_are_listed() {
    // Instances nobody answers on: they are listed all the same, and masked.
    let port = crate::support::served::free_port();
    let with_user = format!("redis://myuser:secretpassword@127.0.0.1:{port}");
    let no_user = format!("redis://:secretpassword@127.0.0.1:{port}/1");
    let d = Dash::on(RedisServer::start(), &["--redis-url", &with_user, "--redis-url", &no_user]);
    let api = d.get("/api/v1/instances");
    let page = d.get("/");
    for body in [&api.body, &page.body] {
        assert!(!body.contains("secretpassword"), "{body}");
    }
    assert!(api.body.contains("redis://myuser:***@127.0.0.1"), "{}", api.body);
}

// test_job_sort_order (the original sleeps 2 s between enqueues; list order needs none)
#[test]
fn queued_jobs_list_in_enqueue_order_ascending_and_reversed_descending() {
    let d = fresh();
    let ids: Vec<String> =
        serde_json::from_value(rq(RQ, &d.redis, &["enqueue", "3"])["ids"].clone()).expect("ids");
    let listed = |path: &str| -> Vec<String> {
        let v = d.get(path).json();
        v["jobs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|j| j["id"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(listed("/0/data/jobs/default/queued/3/asc/1.json"), ids);
    let mut rev = ids.clone();
    rev.reverse();
    assert_eq!(listed("/0/data/jobs/default/queued/10/dsc/1.json"), rev);
}

// test_job_info
#[test]
fn job_json_answers_for_an_enqueued_job() {
    let d = fresh();
    let id = rq(RQ, &d.redis, &["enqueue", "1"])["ids"][0].as_str().expect("id").to_owned();
    let r = d.get(&format!("/0/data/job/{id}.json"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["id"], id.as_str());
    assert_eq!(r.json()["status"], "queued");
}

// test_compact_queue (the fixture's `default` holds an orphan id, `orphan-q1`)
#[test]
fn compacting_a_queue_by_post_answers_ok_and_drops_only_its_orphans() {
    let d = fixture();
    let mut con = d.con();
    let before: i64 = con.llen("rq:queue:default").expect("LLEN");
    let r = d.post("/queue/default/compact");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "OK");
    let after: Vec<String> = con.lrange("rq:queue:default", 0, -1).expect("LRANGE");
    assert!(!after.contains(&"orphan-q1".to_owned()));
    assert_eq!(after.len() as i64, before - 1, "only the orphan went");
}

// test_empty_queue
#[test]
fn emptying_each_registry_by_post_answers_ok() {
    let d = fresh();
    rq(RQ, &d.redis, &["enqueue", "1"]);
    for reg in REGISTRY_NAMES {
        let r = d.post(&format!("/queue/default/{reg}/empty"));
        assert_eq!(r.status, 200, "{reg}: {}", r.body);
        assert_eq!(r.json()["status"], "OK", "{reg}");
    }
    assert_eq!(d.con().llen::<_, i64>("rq:queue:default").expect("LLEN"), 0);
}

// test_requeue_all: the original asserts 200 for POST and for GET. A GET must never change
// data, so here GET answers 405 (Allow: POST) and leaves the failed job in place; then the
// POST requeues it.
#[test]
fn requeue_all_refuses_get_with_405_and_requeues_the_failed_jobs_by_post() {
    let d = fresh();
    let id = rq(RQ, &d.redis, &["fail"])["id"].as_str().expect("id").to_owned();
    let mut con = d.con();
    let before = digest(&mut con);
    let g = d.get("/requeue/default");
    assert_eq!(g.status, 405, "{}", g.body);
    assert_eq!(g.header("allow"), Some("POST"));
    assert!(g.json()["error"].as_str().is_some_and(|e| e.contains("POST")));
    assert_eq!(digest(&mut con), before, "a GET changed nothing");
    let p = d.post("/requeue/default");
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.json()["status"], "OK");
    assert_eq!(p.json()["count"], 1);
    assert_eq!(con.zcard::<_, i64>("rq:failed:default").expect("ZCARD"), 0);
    assert_eq!(con.lrange::<_, Vec<String>>("rq:queue:default", 0, -1).expect("LRANGE"), vec![id]);
}

// test_requeue_one
#[test]
fn requeuing_one_failed_job_by_post_answers_ok_and_queues_it() {
    let d = fresh();
    let id = rq(RQ, &d.redis, &["fail"])["id"].as_str().expect("id").to_owned();
    let r = d.post(&format!("/job/{id}/requeue"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "OK");
    let mut con = d.con();
    assert_eq!(con.hget::<_, _, String>(format!("rq:job:{id}"), "status").expect("HGET"), "queued");
    assert_eq!(con.lrange::<_, Vec<String>>("rq:queue:default", 0, -1).expect("LRANGE"), vec![id]);
}

// test_workers_overview
#[test]
fn the_workers_view_url_lands_on_the_workers_page() {
    assert_eq!(fixture().follow("/0/view/workers").status, 200);
}

// test_registry_cleanup_not_triggered: the original checks that counting passes
// cleanup=False. The fixture holds entries past their expiry (queue `expiring`), which RQ's
// cleanup would remove: after queues.json, Redis is byte-for-byte unchanged.
#[test]
fn queues_json_runs_no_registry_cleanup() {
    let d = fixture();
    let mut con = d.con();
    assert!(con.zcard::<_, i64>("rq:failed:expiring").expect("ZCARD") > 0, "expired entries planted");
    let before = digest(&mut con);
    assert_eq!(d.get("/0/data/queues.json").status, 200);
    assert_eq!(digest(&mut con), before);
}
