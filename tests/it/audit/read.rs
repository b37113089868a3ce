//! Reading the log: filters, paging by entry id without repeats, retention by length and age,
//! and the page (escaped, linked in the nav).

use redis::Commands;
use serde_json::{Value, json};

use crate::support::{RedisServer, TestApp};
use rqdash::audit::{Entry, Target};
use rqdash::auth::Identity;
use rqdash::store::Store;
use rqdash::store::audit::{Log, record};

async fn write(store: &Store, log: &Log, user: &str, action: &str, queue: &str) -> String {
    let mut who = Identity::cli();
    who.name = user.into();
    let e = Entry::intent(&who, action, Target { queue: queue.into(), ..Target::default() });
    record(store.instance(0).expect("instance"), log, &e).await.expect("XADD")
}

fn store(r: &RedisServer) -> Store {
    use clap::Parser;
    let cli = rqdash::config::Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("flags");
    Store::from_args(&cli.redis).expect("store")
}

#[tokio::test]
async fn filters_and_pages_find_every_entry_once_newest_first() {
    let r = RedisServer::start();
    let s = store(&r);
    let log = Log::default();
    for i in 0..130 {
        let (user, action) = if i % 3 == 0 { ("ana", "queue.empty") } else { ("bob", "job.requeue") };
        write(&s, &log, user, action, if i % 2 == 0 { "emails" } else { "billing" }).await;
    }
    let app = TestApp::new(&r.url());
    let mut seen = Vec::new();
    let mut url = "/api/v1/audit?user=ana&limit=7".to_owned();
    loop {
        let page = app.get_json(&url).await;
        let ids: Vec<String> = page["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(page["entries"].as_array().into_iter().flatten().all(|e| e["user"] == "ana"));
        seen.extend(ids);
        match page["next"].as_str() {
            Some(next) => url = format!("/api/v1/audit?user=ana&limit=7&before={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 44, "every entry of ana once");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(sorted.len(), 44);
    let both = app.get_json("/api/v1/audit?action=queue&queue=emails&limit=500").await;
    // i % 3 == 0 and i % 2 == 0: i % 6 == 0, 22 of 0..130.
    assert_eq!(both["entries"].as_array().map(Vec::len), Some(22));
    let future = app.get_json("/api/v1/audit?since=2999-01-01").await;
    assert_eq!(future["entries"], json!([]));
    let past = app.get_json("/api/v1/audit?until=2000-01-01").await;
    assert_eq!(past["entries"], json!([]));
    assert_eq!(app.get("/api/v1/audit?before=yesterday").await.status, 400);
    assert_eq!(app.get("/api/v1/audit?since=soon").await.status, 400);
}

#[tokio::test]
async fn the_stream_is_capped_by_length_and_by_age() {
    let r = RedisServer::start();
    let s = store(&r);
    let mut con = r.conn();
    // An entry from 1970: older than any age limit, dropped by the next write.
    let _: String = redis::cmd("XADD")
        .arg("rqdash:audit")
        .arg("1000-0")
        .arg("phase")
        .arg("intent")
        .query(&mut con)
        .expect("XADD");
    let aged = Log::new("rqdash:audit", 1_000_000, std::time::Duration::from_secs(3600));
    write(&s, &aged, "ana", "queue.empty", "q").await;
    let first: Vec<(String, Vec<(String, String)>)> = con
        .xrange_count("rqdash:audit", "-", "+", 1)
        .map(|r: redis::streams::StreamRangeReply| r.ids.into_iter().map(|i| (i.id, vec![])).collect())
        .expect("XRANGE");
    assert_ne!(first[0].0, "1000-0", "the old entry is gone");
    let short = Log::new("rqdash:audit", 100, std::time::Duration::from_secs(3600));
    for _ in 0..1000 {
        write(&s, &short, "ana", "queue.empty", "q").await;
    }
    let len: u64 = con.xlen("rqdash:audit").expect("XLEN");
    // MAXLEN ~ trims whole stream nodes (100 entries each by default).
    assert!((100..=200).contains(&len), "{len}");
}

#[tokio::test]
async fn the_audit_page_lists_entries_escaped_and_is_in_the_nav() {
    let r = RedisServer::start();
    let s = store(&r);
    write(&s, &Log::default(), "<b>mallory</b>", "queue.empty", "<i>q</i>").await;
    let app = TestApp::new(&r.url());
    let page = app.get("/audit").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("queue.empty") && !html.contains("<b>mallory") && !html.contains("<i>q"), "{html}");
    assert!(html.contains(r#"href="/audit" aria-current="page">Audit</a>"#), "nav entry");
    let filtered = app.get("/audit?user=nobody").await.text();
    assert!(filtered.contains("No audit entries match"), "{filtered}");
    let v: Value = app.get_json("/api/v1/audit").await;
    assert_eq!(v["entries"][0]["user"], "<b>mallory</b>", "JSON keeps the value as written");
}
