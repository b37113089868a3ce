//! Actions on a key of the wrong type refuse with a 409 that names it, and change nothing; the
//! walks that meet a corrupt job key leave it and its id where they are.

use redis::Commands;
use serde_json::Value;

use crate::api_basics::{plant_job, plant_queue};
use crate::cli::{rqdash, stdout};
use crate::support::probe::digest_of_data as digest;
use crate::support::{FAR, RedisServer, TestApp};

/// Queue `default` with failed jobs f1, f2 and queued job q1.
fn planted() -> (RedisServer, redis::Connection) {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    for (i, id) in ["f1", "f2"].iter().enumerate() {
        plant_job(&mut con, id, "failed", "default");
        let _: () = con.zadd("rq:failed:default", *id, FAR + i as i64).expect("ZADD");
    }
    plant_job(&mut con, "q1", "queued", "default");
    let _: () = con.rpush("rq:queue:default", "q1").expect("RPUSH");
    (r, con)
}

async fn post(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.request("POST", path).await;
    let error =
        serde_json::from_slice::<Value>(&r.body).ok().and_then(|v| v["error"].as_str().map(str::to_owned));
    (r.status.as_u16(), error.unwrap_or_else(|| r.text()))
}

#[tokio::test]
async fn whole_list_actions_on_a_list_or_registry_of_the_wrong_type_answer_409_and_change_nothing() {
    let (r, mut con) = planted();
    let _: () = con.del("rq:failed:default").expect("DEL");
    let _: () = con.rpush("rq:failed:default", &["f1", "f2"][..]).expect("RPUSH");
    let _: () = con.set("rq:canceled:default", "junk").expect("SET");
    let app = TestApp::new(&r.url());
    let before = digest(&mut con);
    let failed = "rq:failed:default is a list, not a sorted set: RQ cannot use it; nothing was changed";
    let canceled = "rq:canceled:default is a string, not a sorted set: RQ cannot use it";
    for (path, says) in [
        ("/api/v1/queues/default/requeue?state=failed", failed),
        ("/api/v1/queues/default/empty?state=failed", failed),
        ("/api/v1/queues/default/requeue?state=canceled", canceled),
        ("/api/v1/queues/default/empty?state=canceled", canceled),
    ] {
        let (status, error) = post(&app, path).await;
        assert_eq!((status, error.contains(says)), (409, true), "{path}: {error}");
    }
    assert_eq!(digest(&mut con), before, "nothing was changed");
    let _: () = con.del(&["rq:failed:default", "rq:canceled:default"][..]).expect("DEL");
    let _: () = con.set("rq:queue:default", "junk").expect("SET");
    let before = digest(&mut con);
    for path in ["/api/v1/queues/default/empty?state=queued", "/api/v1/queues/default/compact"] {
        let (status, error) = post(&app, path).await;
        assert_eq!(status, 409, "{path}: {error}");
        assert!(
            error.contains("rq:queue:default is a string, not a list: RQ cannot use it"),
            "{path}: {error}"
        );
    }
    assert_eq!(digest(&mut con), before, "nothing was changed");
}

#[tokio::test]
async fn job_actions_refuse_a_job_key_or_an_origin_queue_of_the_wrong_type_and_leave_its_id_in_place() {
    let (r, mut con) = planted();
    let _: () = con.del("rq:job:f1").expect("DEL");
    let _: () = con.set("rq:job:f1", "not a job").expect("SET");
    let app = TestApp::new(&r.url());
    let before = digest(&mut con);
    for action in ["requeue", "delete", "cancel", "enqueue", "stop"] {
        let (status, error) = post(&app, &format!("/api/v1/jobs/f1/{action}")).await;
        assert_eq!(status, 409, "{action}: {error}");
        assert!(error.contains("rq:job:f1 is a string, not a hash: RQ cannot use it"), "{action}: {error}");
    }
    assert_eq!(digest(&mut con), before, "refused actions change nothing");
    // Walks leave the corrupt job and its id alone: counted as skipped, not removed as orphans.
    let body = r#"{"action":"delete","ids":["f1"],"queue":"default","state":"failed"}"#;
    let req = axum::http::Request::post("/api/v1/jobs/bulk").body(axum::body::Body::from(body));
    let res = tower::ServiceExt::oneshot(app.router.clone(), req.expect("request")).await.expect("answer");
    assert_eq!(res.status(), 200);
    let (status, error) = post(&app, "/api/v1/doctor/fix").await;
    assert_eq!(status, 200, "{error}");
    let (status, _) = post(&app, "/api/v1/queues/default/requeue?state=failed").await;
    assert_eq!(status, 200);
    let kept: Option<f64> = con.zscore("rq:failed:default", "f1").expect("ZSCORE");
    let kind: String = redis::cmd("TYPE").arg("rq:job:f1").query(&mut con).expect("TYPE");
    assert_eq!((kept.is_some(), kind.as_str()), (true, "string"), "f1 and its key stay as they are");
    // A queue key of another type blocks the moves into it, with the reason.
    let _: () = con.del("rq:queue:default").expect("DEL");
    let _: () = con.sadd("rq:queue:default", "q1").expect("SADD");
    plant_job(&mut con, "f3", "failed", "default");
    let _: () = con.zadd("rq:failed:default", "f3", FAR + 5).expect("ZADD");
    let (status, error) = post(&app, "/api/v1/jobs/f3/requeue").await;
    assert_eq!(status, 409, "{error}");
    assert!(error.contains("rq:queue:default is a set, not a list: RQ cannot use it"), "{error}");
}

#[tokio::test]
async fn the_doctor_and_rqdash_info_name_a_key_of_the_wrong_type() {
    let (r, mut con) = planted();
    let _: () = con.del("rq:failed:default").expect("DEL");
    let _: () = con.hset("rq:failed:default", "f1", "1").expect("HSET");
    let app = TestApp::new(&r.url());
    let report = app.get_json("/api/v1/doctor").await;
    let wrong: Vec<&Value> =
        report["findings"].as_array().into_iter().flatten().filter(|f| f["check"] == "wrong_type").collect();
    assert_eq!(wrong.len(), 1, "{report}");
    assert_eq!(wrong[0]["key"], "rq:failed:default");
    assert_eq!(wrong[0]["examples"][0], "rq:failed:default is a hash, not a sorted set: RQ cannot use it");
    let check = report["checks"].as_array().into_iter().flatten().find(|c| c["check"] == "wrong_type");
    assert_eq!(check.map(|c| c["policy"]["action"].clone()), Some(Value::from("leave_alone")), "{report}");
    let page = app.get("/queues/default?state=failed").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("rq:failed:default is a hash, not a sorted set: RQ cannot use it"));
    let overview = app.get("/").await.text();
    assert!(overview.contains("data-wrong-type>wrong key type</span>"), "the queue row has a badge");
    let o = rqdash(&r, &["info"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("warning: rq:failed:default is a hash, not a sorted set: RQ cannot use it"),
        "{}",
        stdout(&o)
    );
    let o = rqdash(&r, &["doctor"]);
    assert_eq!(o.status.code(), Some(3), "problems found: {}", stdout(&o));
    assert!(stdout(&o).contains("wrong_type"), "{}", stdout(&o));
}
