//! The JSON API on RQ-shaped data planted with literal keys.

use std::collections::HashSet;

use redis::Commands;
use serde_json::Value;

use crate::support::{FAR, RedisServer, TestApp, seg};

const TS: &str = "2026-01-01T00:00:00.000000Z";

/// A minimal job hash as RQ writes it (data is a valid zlib'd pickle of ("tasks.f", None, (), {})).
pub fn plant_job(con: &mut redis::Connection, id: &str, status: &str, origin: &str) {
    let data = hex_to_bytes("789c6b609d2ac400011a3dec2589c5d9c57a6953fc346ba7944cd103005db307f4");
    let _: () = con
        .hset_multiple(
            format!("rq:job:{id}"),
            &[
                ("status", status.as_bytes().to_vec()),
                ("origin", origin.as_bytes().to_vec()),
                ("description", format!("tasks.f({id:?})").into_bytes()),
                ("created_at", TS.as_bytes().to_vec()),
                ("enqueued_at", TS.as_bytes().to_vec()),
                ("data", data),
            ],
        )
        .expect("HSET job");
}

/// Register a queue in `rq:queues`.
pub fn plant_queue(con: &mut redis::Connection, name: &str) {
    let _: () = con.sadd("rq:queues", format!("rq:queue:{name}")).expect("SADD");
}

fn hex_to_bytes(h: &str) -> Vec<u8> {
    (0..h.len()).step_by(2).filter_map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok()).collect()
}

fn ids(v: &Value) -> Vec<String> {
    v["jobs"].as_array().expect("jobs").iter().map(|j| j["id"].as_str().expect("id").to_owned()).collect()
}

#[tokio::test]
async fn an_empty_redis_has_no_queues_and_no_workers() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let q = app.get_json("/api/v1/queues").await;
    assert_eq!(q["queues"], serde_json::json!([]));
    let w = app.get_json("/api/v1/workers").await;
    assert_eq!(w["workers"], serde_json::json!([]));
    assert_eq!(w["suspended"], false);
}

#[tokio::test]
async fn failed_registry_pages_never_overlap_and_cover_every_id_in_both_orders() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    for i in 0..1234 {
        let id = format!("job-{i:05}");
        plant_job(&mut con, &id, "failed", "default");
        let _: () = con.zadd("rq:failed:default", &id, FAR + i).expect("ZADD");
    }
    let app = TestApp::new(&r.url());
    for order in ["asc", "desc"] {
        let mut seen = Vec::new();
        for page in 1..=13 {
            let v = app
                .get_json(&format!(
                    "/api/v1/queues/default/jobs?state=failed&per_page=100&page={page}&order={order}"
                ))
                .await;
            assert_eq!(v["total"], 1234);
            assert_eq!(v["pages"], 13);
            seen.extend(ids(&v));
        }
        assert_eq!(seen.len(), 1234, "{order}: every id exactly once");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 1234);
        let mut sorted = seen.clone();
        sorted.sort();
        if order == "desc" {
            sorted.reverse();
        }
        assert_eq!(seen, sorted, "{order}: ordered by score");
    }
    let past = app.get_json("/api/v1/queues/default/jobs?state=failed&per_page=100&page=14").await;
    assert_eq!(ids(&past).len(), 0);
}

#[tokio::test]
async fn queued_pages_in_descending_order_end_with_the_head_of_the_queue() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    for i in 0..7 {
        let id = format!("j{i}");
        plant_job(&mut con, &id, "queued", "q");
        let _: () = con.rpush("rq:queue:q", &id).expect("RPUSH");
    }
    let app = TestApp::new(&r.url());
    let p1 = app.get_json("/api/v1/queues/q/jobs?per_page=3&order=desc").await;
    let p3 = app.get_json("/api/v1/queues/q/jobs?per_page=3&order=desc&page=3").await;
    assert_eq!(ids(&p1), vec!["j6", "j5", "j4"]);
    assert_eq!(ids(&p3), vec!["j0"]);
    let asc = app.get_json("/api/v1/queues/q/jobs?per_page=5&page=2").await;
    assert_eq!(ids(&asc), vec!["j5", "j6"]);
}

#[tokio::test]
async fn orphaned_ids_are_listed_as_missing_rows_and_counted() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "real", "failed", "default");
    let _: () = con.zadd("rq:failed:default", "real", FAR + 1).expect("ZADD");
    let _: () = con.zadd("rq:failed:default", "ghost", FAR + 2).expect("ZADD");
    let _: () = con.hset("rq:job:nodata", "last_heartbeat", TS).expect("HSET");
    let _: () = con.zadd("rq:failed:default", "nodata", FAR + 3).expect("ZADD");
    let app = TestApp::new(&r.url());
    let v = app.get_json("/api/v1/queues/default/jobs?state=failed").await;
    assert_eq!(v["total"], 3);
    let missing: Vec<(String, bool)> = v["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (j["id"].as_str().unwrap_or_default().to_owned(), j["missing"].as_bool().unwrap_or_default())
        })
        .collect();
    assert_eq!(missing, vec![("real".into(), false), ("ghost".into(), true), ("nodata".into(), true)]);
    let q = app.get_json("/api/v1/queues").await;
    assert_eq!(q["queues"][0]["counts"]["failed"], 3);
}

#[tokio::test]
async fn started_members_with_execution_ids_are_split_into_job_and_execution() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "run-1", "started", "default");
    let eid = "0123456789abcdef0123456789abcdef";
    let _: () = con.zadd("rq:wip:default", format!("run-1:{eid}"), 4_102_444_800i64).expect("ZADD");
    let app = TestApp::new(&r.url());
    let v = app.get_json("/api/v1/queues/default/jobs?state=started").await;
    assert_eq!(v["jobs"][0]["id"], "run-1");
    assert_eq!(v["jobs"][0]["execution_id"], eid);
    assert_eq!(v["jobs"][0]["missing"], false);
    assert_eq!(v["jobs"][0]["score_at"], "2100-01-01T00:00:00.000000Z");
    assert_eq!(v["score_meaning"], "heartbeat_expires_at");
}

#[tokio::test]
async fn queue_names_with_colons_slashes_spaces_and_unicode_round_trip() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let names = ["tenant:42", "emails.v2", "with space", "ünïcödé/名前", "quote\"'q"];
    for (i, n) in names.iter().enumerate() {
        plant_queue(&mut con, n);
        let id = format!("n{i}");
        plant_job(&mut con, &id, "queued", n);
        let _: () = con.rpush(format!("rq:queue:{n}"), &id).expect("RPUSH");
    }
    let app = TestApp::new(&r.url());
    let q = app.get_json("/api/v1/queues").await;
    let listed: HashSet<String> = q["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(|x| x["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    for (i, n) in names.iter().enumerate() {
        assert!(listed.contains(*n), "{n} listed");
        let v = app.get_json(&format!("/api/v1/queues/{}/jobs", seg(n))).await;
        assert_eq!(v["queue"], *n);
        assert_eq!(ids(&v), vec![format!("n{i}")]);
    }
}

#[tokio::test]
async fn bad_parameters_get_400_and_unknown_things_get_404_with_a_message() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    let app = TestApp::new(&r.url());
    for (path, status) in [
        ("/api/v1/queues/default/jobs?page=-1", 400),
        ("/api/v1/queues/default/jobs?page=0", 400),
        ("/api/v1/queues/default/jobs?per_page=1000000000", 400),
        ("/api/v1/queues/default/jobs?per_page=501", 400),
        ("/api/v1/queues/default/jobs?order=sideways", 400),
        ("/api/v1/queues/default/jobs?bogus=1", 400),
        ("/api/v1/queues?instance=abc", 400),
        ("/api/v1/queues?instance=3", 404),
        ("/api/v1/queues/default/jobs?state=limbo", 404),
        ("/api/v1/queues/nope/jobs", 404),
        ("/api/v1/jobs/nope", 404),
        ("/api/v1/nothing-here", 404),
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status.as_u16(), status, "{path}: {}", reply.text());
        let msg = reply.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(msg.len() > 5, "{path} explains itself: {msg:?}");
    }
    let ok = app.get("/api/v1/queues/default/jobs?per_page=500").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn responses_carry_security_headers_and_other_methods_get_405() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let reply = app.get("/api/v1/queues").await;
    for h in ["content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"] {
        assert!(reply.headers.contains_key(h), "missing {h}");
    }
    assert_eq!(reply.headers["x-frame-options"], "DENY");
    assert_eq!(app.request("POST", "/api/v1/queues").await.status, 405);
    assert_eq!(app.request("DELETE", "/api/v1/jobs/x").await.status, 405);
}

#[tokio::test]
async fn the_url_prefix_moves_every_route() {
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--url-prefix", "/rq/"]);
    assert_eq!(app.get("/rq/api/v1/queues").await.status, 200);
    assert_eq!(app.get("/api/v1/queues").await.status, 404);
}

#[tokio::test]
async fn a_second_instance_is_addressed_by_its_index() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let mut con = b.conn();
    plant_queue(&mut con, "only-in-b");
    let app = TestApp::with_args(&[a.url(), b.url()], &[]);
    let inst = app.get_json("/api/v1/instances").await;
    assert_eq!(inst["instances"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.get_json("/api/v1/queues").await["queues"], serde_json::json!([]));
    assert_eq!(app.get_json("/api/v1/queues?instance=1").await["queues"][0]["name"], "only-in-b");
}

#[tokio::test]
async fn rq3_ready_registries_are_counted_when_present_and_zero_otherwise() {
    let r = RedisServer::start();
    let mut con = r.conn();
    for q in ["a", "b", "c"] {
        plant_queue(&mut con, q);
        plant_job(&mut con, &format!("{q}-1"), "queued", q);
        let _: () = con.rpush(format!("rq:queue:{q}"), format!("{q}-1")).expect("RPUSH");
    }
    let app = TestApp::new(&r.url());
    let v = app.get_json("/api/v1/queues").await;
    assert!(v["queues"].as_array().into_iter().flatten().all(|q| q["counts"]["ready"] == 0));
    let _: () = con.zadd("rq:ready:b", "b-2", 1).expect("ZADD");
    let _: () = con.zadd("rq:ready:b", "b-3", 2).expect("ZADD");
    let v = app.get_json("/api/v1/queues").await;
    let ready: Vec<i64> = v["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|q| q["counts"]["ready"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(ready, vec![0, 2, 0]);
    assert_eq!(v["queues"][1]["counts"]["queued"], 1);
    assert!(v["queues"][1]["oldest_enqueued_at"].is_string(), "{v}");
    assert_eq!(v["totals"]["ready"], 2);
}
