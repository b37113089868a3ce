//! Beyond the original suite: the compat JSON as rq-dashboard shapes it (full tracebacks,
//! formatted results, clamped per_page, empty pages), orphans shown and requeued safely, and
//! its action routes behind rqdash's guards (GET refused, read-only, CSRF, Basic auth).

use redis::Commands;
use serde_json::{Value, json};

use super::{Dash, RQ, rq};
use crate::support::probe::digest;
use crate::support::{Fixture, RQ_VERSIONS, RedisServer};

fn row<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["jobs"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|j| j["id"] == id)
        .unwrap_or_else(|| panic!("{id} listed"))
}

#[test]
fn failed_rows_carry_the_whole_traceback_and_orphan_rows_carry_missing_true() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let list = d.get("/0/data/jobs/default/failed/500/asc/1.json").json();
    let exc = row(&list, "fail-zero")["exc_info"].as_str().expect("exc_info").to_owned();
    assert!(exc.starts_with("Traceback (most recent call last):"), "{exc}");
    assert!(exc.trim_end().ends_with("ZeroDivisionError: division by zero"), "{exc}");
    assert!(exc.lines().count() > 3, "the whole traceback, not its last line: {exc}");
    assert_eq!(row(&list, "fail-zero")["missing"], false);
    assert_eq!(row(&list, "orphan-failed")["missing"], true);
    assert_eq!(row(&list, "nodata-1")["missing"], true);
    let finished = d.get("/0/data/jobs/default/finished/500/asc/1.json").json();
    assert_eq!(row(&finished, "fin-int")["exc_info"], Value::Null);
}

#[test]
fn job_json_gives_the_result_as_rq_dashboards_flask_json_does() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let result = |id: &str| d.get(&format!("/0/data/job/{id}.json")).json()["result"].clone();
    assert_eq!(result("fin-int"), json!(42));
    assert_eq!(result("fin-str"), json!("plain string result"));
    assert_eq!(result("fin-none"), Value::Null);
    assert!(result("fin-dict").is_object());
    assert!(result("fin-list").is_array());
    assert_eq!(result("fin-decimal"), json!("3.14159265358979323846"));
    // Flask writes datetimes as HTTP dates.
    assert_eq!(result("fin-datetime"), json!("Thu, 29 Feb 2024 12:34:56 GMT"));
    // Dataclasses as an object of their fields, as Flask writes them.
    assert_eq!(result("fin-dataclass"), json!({"x": 3, "y": 4, "label": "ret"}));
    let failed = d.get("/0/data/job/fail-zero.json").json();
    assert_eq!(failed["result"], Value::Null);
    assert!(failed["exc_info"].as_str().is_some_and(|e| e.starts_with("Traceback") && e.lines().count() > 3));
}

#[test]
fn per_page_above_500_is_clamped_and_an_empty_registry_has_no_pages() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let big = d.get("/0/data/jobs/default/queued/1000/asc/1.json");
    assert_eq!(big.status, 200, "{}", big.body);
    let first = big.json()["pagination"]["first_page"]["url"].as_str().expect("url").to_owned();
    assert_eq!(first, "/0/view/jobs/default/queued/500/asc/1");
    assert_eq!(d.follow(&first).status, 200);
    let fresh = Dash::on(RedisServer::start(), &[]);
    rq(RQ, &fresh.redis, &["enqueue", "1"]);
    let empty = fresh.get("/0/data/jobs/default/failed/8/asc/1.json").json();
    assert_eq!(empty["pagination"]["num_pages"], 0);
    assert_eq!(empty["pagination"]["pages_in_window"], json!([]));
    assert!(empty["pagination"].get("next_page").is_none());
    assert_eq!(empty["jobs"], json!([]));
}

#[test]
fn requeue_all_over_orphaned_ids_removes_and_counts_them_instead_of_failing() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let r = d.post("/requeue/default");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "OK");
    assert_eq!(v["count"], v["requeued"]);
    assert!(v["orphans_removed"].as_u64().is_some_and(|n| n >= 2), "orphan-failed and nodata-1: {v}");
    let mut con = d.con();
    assert!(con.zscore::<_, _, Option<f64>>("rq:failed:default", "orphan-failed").expect("ZSCORE").is_none());
}

#[test]
fn requeue_all_without_a_queue_requeues_the_failed_jobs_of_every_queue() {
    let d = Dash::on(RedisServer::start(), &[]);
    let id = rq(RQ, &d.redis, &["fail"])["id"].as_str().expect("id").to_owned();
    assert_eq!(d.get("/requeue-all").status, 405);
    let r = d.post("/requeue-all");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["count"], 1);
    assert_eq!(d.con().lrange::<_, Vec<String>>("rq:queue:default", 0, -1).expect("LRANGE"), vec![id]);
}

#[test]
fn a_get_on_any_action_route_is_a_405_that_changes_nothing() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let mut con = d.con();
    let before = digest(&mut con);
    for path in [
        "/job/fail-zero/delete",
        "/job/fail-zero/requeue",
        "/requeue/default",
        "/requeue-all",
        "/queue/default/empty",
        "/queue/default/failed/empty",
        "/queue/default/compact",
    ] {
        let r = d.get(path);
        assert_eq!(r.status, 405, "{path}: {}", r.body);
        assert_eq!(r.header("allow"), Some("POST"), "{path}");
        assert_eq!(r.json()["status"], "ERROR", "{path}");
    }
    assert_eq!(digest(&mut con), before);
}

#[test]
fn emptying_a_started_registry_that_holds_running_jobs_is_refused() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let mut con = d.con();
    let before: i64 = con.zcard("rq:wip:long").expect("ZCARD");
    assert!(before > 0);
    let r = d.post("/queue/long/started/empty");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["error"].as_str().is_some_and(|e| e.contains("stop them")));
    assert_eq!(con.zcard::<_, i64>("rq:wip:long").expect("ZCARD"), before);
}

#[test]
fn action_routes_answer_errors_in_rq_dashboards_shape_with_a_status_that_says_why() {
    let d = Dash::on(Fixture::get(RQ).server(), &[]);
    let missing = d.post("/job/no-such-job/delete");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["status"], "ERROR");
    assert!(missing.json()["error"].is_string());
    // A queued job is not in the failed registry: rq-dashboard answers 500, rqdash 409.
    let queued = d.post("/job/q-add-1/requeue");
    assert_eq!(queued.status, 409, "{}", queued.body);
    assert_eq!(d.post("/queue/default/nonsense/empty").status, 404);
    assert_eq!(d.get("/0/data/jobs/default/nonsense/8/asc/1.json").status, 404);
    // Action routes act on `?instance=N` (default 0), which must exist.
    assert_eq!(d.post("/queue/default/compact?instance=1").status, 404);
}

#[test]
fn the_routes_of_rq_dashboard_before_0_6_cancel_a_job_and_empty_a_queue() {
    let d = Dash::on(RedisServer::start(), &[]);
    let ids = rq(RQ, &d.redis, &["enqueue", "2"]);
    let first = ids["ids"][0].as_str().expect("id");
    let r = d.post(&format!("/job/{first}/cancel"));
    assert_eq!(r.status, 200, "{}", r.body);
    let mut con = d.con();
    assert_eq!(con.hget::<_, _, String>(format!("rq:job:{first}"), "status").expect("HGET"), "canceled");
    assert_eq!(con.llen::<_, i64>("rq:queue:default").expect("LLEN"), 1);
    assert_eq!(d.post("/queue/default/empty").json()["status"], "OK");
    assert_eq!(con.llen::<_, i64>("rq:queue:default").expect("LLEN"), 0);
}

#[test]
fn action_routes_are_refused_in_read_only_mode_and_without_auth_or_csrf_token() {
    let ro = Dash::on(Fixture::get(RQ).server(), &["--read-only"]);
    let mut con = ro.con();
    let before = digest(&mut con);
    for path in [
        "/job/fail-zero/delete",
        "/job/fail-zero/requeue",
        "/job/q-add-1/cancel",
        "/requeue/default",
        "/requeue-all",
        "/queue/default/empty",
        "/queue/default/failed/empty",
        "/queue/default/compact",
    ] {
        assert_eq!(ro.post(path).status, 403, "{path}");
    }
    assert_eq!(digest(&mut con), before);
    assert!(ro.con().exists::<_, bool>("rq:job:fail-zero").expect("EXISTS"));
    let d = Dash::on(Fixture::get(RQ).server(), &["--username", "admin", "--password", "pw"]);
    assert_eq!(d.post("/queue/default/compact").status, 401);
    // "admin:pw" in base64.
    let auth = "Authorization: Basic YWRtaW46cHc=";
    let cross = d.send("POST", "/job/fail-zero/delete", &[auth, "Origin: https://evil.example"]);
    assert_eq!(cross.status, 403, "{}", cross.body);
    let no_token = d.send("POST", "/job/fail-zero/delete", &[auth, "Sec-Fetch-Site: same-origin"]);
    assert_eq!(no_token.status, 403, "{}", no_token.body);
    assert!(d.con().exists::<_, bool>("rq:job:fail-zero").expect("EXISTS"));
    let ok = d.send("POST", "/job/fail-zero/delete", &[auth]);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(!d.con().exists::<_, bool>("rq:job:fail-zero").expect("EXISTS"));
}

/// Every rq-dashboard JSON endpoint and view URL answers with its shape on `version`'s data.
fn route_shapes(version: &'static str) {
    let d = Dash::on(Fixture::get(version).server(), &[]);
    let q = d.get("/0/data/queues.json").json();
    assert!(q["queues"].as_array().is_some_and(|a| a.iter().any(|x| x["name"] == "default")));
    let w = d.get("/0/data/workers.json").json();
    assert!(w["workers"].is_array());
    for reg in super::REGISTRY_NAMES {
        let l = d.get(&format!("/0/data/jobs/default/{reg}/8/asc/1.json")).json();
        assert!(l["jobs"].is_array() && l["pagination"]["num_pages"].is_u64(), "{version} {reg}");
    }
    let j = d.get("/0/data/job/fail-zero.json").json();
    assert_eq!(j["status"], "failed");
    assert!(j["exc_info"].as_str().is_some_and(|e| e.contains("ZeroDivisionError")), "{version}");
    let default_view = d.get("/0/view/jobs");
    let to = "/queues/default?state=queued&per_page=8&order=asc&page=1&instance=0";
    assert_eq!(default_view.header("location"), Some(to), "rq-dashboard's default jobs view");
    let big = d.get("/0/view/jobs/default/failed/1000/dsc/0");
    let to = "/queues/default?state=failed&per_page=500&order=desc&page=1&instance=0";
    assert_eq!(big.header("location"), Some(to), "per_page brought down to 500, page up to 1");
    for view in
        ["/0/", "/0/view", "/0/view/queues", "/0/view/workers", "/0/view/jobs", "/0/view/job/fail-zero"]
    {
        assert_eq!(d.follow(view).status, 200, "{version} {view}");
    }
}

#[test]
fn route_shapes_hold_on_rq_1_16_2() {
    route_shapes(RQ_VERSIONS[0]);
}

#[test]
fn route_shapes_hold_on_rq_3_0_0() {
    route_shapes(RQ_VERSIONS[2]);
}
