//! What the held counts cost on every overview poll: each key's breakdown per queue is counted
//! once (one HGET + HEXISTS per held id) and then reused while its held set is unchanged.

use serde_json::Value;

use rqdash::store::write;

use crate::actions::store;
use crate::support::probe::{calls_of, reset};
use crate::support::{Limits, RedisServer, TestApp};

/// The held count of each queue on the overview API.
fn held_per_queue(v: &Value) -> Vec<(String, i64)> {
    v["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(|q| {
            (q["name"].as_str().unwrap_or_default().to_owned(), q["counts"]["held"].as_i64().unwrap_or(-1))
        })
        .filter(|(_, n)| *n != 0)
        .collect()
}

/// (HGET, HEXISTS) calls since the last reset. Counting held jobs per queue costs one of each
/// per held id; the overview's other HGETs (each key's concurrency, queue heads) stay.
fn hash_reads(con: &mut redis::Connection) -> (i64, i64) {
    (calls_of(con, "hget"), calls_of(con, "hexists"))
}

#[tokio::test]
async fn a_second_overview_read_with_the_same_held_jobs_reads_no_job_hash_and_a_change_shows_on_the_next() {
    let r = RedisServer::start();
    let l = Limits::make(&r);
    l.freeze();
    let app = TestApp::new(&r.url());
    let mut con = r.conn();

    reset(&mut con);
    let first = app.get_json("/api/v1/queues").await;
    let want: Vec<(String, i64)> = serde_json::from_value(l.oracle["held_by_queue"].clone()).expect("pairs");
    assert_eq!(held_per_queue(&first), want);
    let (hget_first, hexists_first) = hash_reads(&mut con);
    assert_eq!(hexists_first, 6, "the first read counts every held id, the orphan included");

    reset(&mut con);
    let second = app.get_json("/api/v1/queues").await;
    assert_eq!(second["queues"], first["queues"]);
    assert_eq!(second["totals"]["held"], 6);
    let (hget, hexists) = hash_reads(&mut con);
    assert_eq!((hget_first - hget, hexists), (6, 0), "nothing held changed: no held job is read again");
    // The queue tab reuses the same counts.
    reset(&mut con);
    let page = app.get("/queues/api").await.text();
    assert!(page.contains(r#"data-count="held">3<"#), "{page}");
    assert_eq!(hash_reads(&mut con).1, 0, "the queue tab reads no held job either");

    // RQ's own cancel takes a held job of `api` out of the limiter: the next read shows it.
    write::cancel(store(&r).instance(0).expect("instance"), "rl-held-1").await.expect("cancel");
    reset(&mut con);
    let third = app.get_json("/api/v1/queues").await;
    let api = held_per_queue(&third).into_iter().find(|(q, _)| q == "api").map(|(_, n)| n);
    assert_eq!(api, Some(2), "one of api's 3 held jobs was canceled");
    assert_eq!(third["totals"]["held"], 5);
    assert_eq!(hash_reads(&mut con).1, 4, "the changed key (ext, 4 held now) is counted again, batch is not");
}
