//! Hostile data in Redis never panics and never 500s: it is shown as undecodable.

use redis::Commands;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, RedisServer, TestApp};

fn set(con: &mut redis::Connection, id: &str, field: &str, value: &[u8]) {
    let _: () = con.hset(format!("rq:job:{id}"), field, value).expect("HSET");
}

#[tokio::test]
async fn corrupt_payloads_non_utf8_fields_and_missing_data_still_render() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    let mut deep = vec![0x80u8, 5];
    deep.extend(std::iter::repeat_n(b'(', 100_000)); // MARK bomb, never closed
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("bad-zlib", "data", b"x\x9c\xff\xff garbage".to_vec()),
        ("truncated-pickle", "data", vec![0x80, 5, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x8c]),
        ("garbage", "data", b"\x00\x01\x02 not a pickle".to_vec()),
        ("deep", "data", deep),
        ("long-binput", "data", vec![0x80, 4, b'N', b'r', 0xff, 0xff, 0xff, 0x7f, b'.']),
        ("non-utf8", "description", vec![0xff, 0xfe, b'<', b'b', b'>', 0xc3]),
        ("non-utf8", "created_at", vec![0xff, 0xfe]),
        ("bad-meta", "meta", vec![0x80, 5, 0xff]),
        ("bad-exc", "exc_info", vec![0x78, 0x9c, 0x01, 0x02]),
    ];
    for (id, field, value) in &cases {
        plant_job(&mut con, id, "failed", "default");
        set(&mut con, id, field, value);
        let _: () = con.zadd("rq:failed:default", *id, FAR).expect("ZADD");
    }
    let _: () = con.hset("rq:job:nodata", "last_heartbeat", "2026-01-01T00:00:00Z").expect("HSET");
    let _: () = con.zadd("rq:failed:default", "nodata", FAR + 2).expect("ZADD");
    // A results stream with garbage in every field.
    let _: () = redis::cmd("XADD")
        .arg("rq:results:garbage")
        .arg("*")
        .arg("type")
        .arg("x")
        .arg("return_value")
        .arg(&b"!!!notbase64"[..])
        .arg("exc_string")
        .arg(&[0xffu8, 0x00][..])
        .query(&mut con)
        .expect("XADD");
    let app = TestApp::new(&r.url());
    let list = app.get_json("/api/v1/queues/default/jobs?state=failed&per_page=100").await;
    assert_eq!(list["total"], cases.len() - 1 + 1);
    for id in [
        "bad-zlib",
        "truncated-pickle",
        "garbage",
        "deep",
        "long-binput",
        "non-utf8",
        "bad-meta",
        "bad-exc",
        "nodata",
    ] {
        let v = app.get_json(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(v["id"], id);
    }
    let v = app.get_json("/api/v1/jobs/bad-zlib").await;
    assert!(v["data_error"].is_object(), "undecodable data is marked: {v}");
    let v = app.get_json("/api/v1/jobs/nodata").await;
    assert_eq!(v["missing"], true);
}

#[tokio::test]
async fn a_worker_hash_with_missing_fields_and_a_stale_member_are_listed() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let _: () = con.sadd("rq:workers", &["rq:worker:partial", "rq:worker:ghost"][..]).expect("SADD");
    let _: () =
        con.hset_multiple("rq:worker:partial", &[("state", "idle"), ("pid", "not-a-number")]).expect("HSET");
    let app = TestApp::new(&r.url());
    let w = app.get_json("/api/v1/workers").await;
    let list = w["workers"].as_array().expect("workers");
    assert_eq!(list.len(), 2);
    let ghost = list.iter().find(|x| x["name"] == "ghost").expect("ghost listed");
    assert_eq!(ghost["stale"], true);
    let partial = list.iter().find(|x| x["name"] == "partial").expect("partial listed");
    assert_eq!(partial["stale"], false);
    assert_eq!(partial["pid"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_queue_key_of_the_wrong_type_does_not_break_the_overview() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "weird");
    let _: () = con.set("rq:queue:weird", "not a list").expect("SET");
    let _: () = con.set("rq:failed:weird", "not a zset").expect("SET");
    let app = TestApp::new(&r.url());
    let v = app.get_json("/api/v1/queues").await;
    assert_eq!(v["queues"][0]["name"], "weird");
    assert_eq!(v["queues"][0]["counts"]["queued"], 0);
}
