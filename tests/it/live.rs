//! Server-Sent Events: every open page shares one poller per instance, so Redis load does not grow with tabs.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::api_basics::plant_queue;
use crate::support::probe::{calls, reset};
use crate::support::{RedisServer, TestApp};

/// One open EventSource, read frame by frame.
pub struct Client {
    body: Body,
    buf: String,
}

impl Client {
    pub async fn open(app: &TestApp, path: &str) -> Client {
        let req = Request::builder().uri(path).body(Body::empty()).expect("request");
        let res = app.router.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Client { body: res.into_body(), buf: String::new() }
    }

    /// The next `snapshot` event's data.
    pub async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if event.lines().any(|l| l == "event: snapshot")
                    && let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: "))
                {
                    return serde_json::from_str(data).expect("snapshot JSON");
                }
                continue;
            }
            let frame = tokio::time::timeout(std::time::Duration::from_secs(10), self.body.frame())
                .await
                .expect("an event within 10 s")
                .expect("stream open")
                .expect("frame");
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }

    async fn next_seq(&mut self) -> u64 {
        self.next().await["seq"].as_u64().expect("seq")
    }
}

/// Commands per tick while `client` watches ten ticks.
async fn per_ten_ticks(client: &mut Client, con: &mut redis::Connection) -> u64 {
    let start = client.next_seq().await;
    reset(con);
    let mut seq = start;
    while seq < start + 11 {
        seq = client.next_seq().await;
    }
    calls(con)
}

#[tokio::test]
async fn twenty_open_pages_cost_redis_the_same_as_one() {
    let r = RedisServer::start();
    let mut con = r.conn();
    for i in 0..50 {
        plant_queue(&mut con, &format!("q{i}"));
    }
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "100ms"]);
    let mut first = Client::open(&app, "/events").await;
    let one = per_ten_ticks(&mut first, &mut con).await;
    let mut others = Vec::new();
    for _ in 0..19 {
        let mut c = Client::open(&app, "/events").await;
        c.next().await;
        others.push(c);
    }
    let twenty = per_ten_ticks(&mut first, &mut con).await;
    assert!(one > 0);
    // Ten ticks either way; allow one tick of slack for where the reset falls.
    let per_tick = one / 10;
    assert!(twenty <= one + per_tick + 1, "1 page: {one} commands, 20 pages: {twenty}");
    // And every page sees the same ticks.
    let s = first.next_seq().await;
    for c in &mut others {
        assert!(c.next_seq().await >= s - 1);
    }
}

#[tokio::test]
async fn a_snapshot_carries_the_counts_and_changes_when_rq_data_changes() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "100ms"]);
    let mut c = Client::open(&app, "/events").await;
    let s = c.next().await;
    assert_eq!(s["overview"]["queues"][0]["counts"]["queued"], 0);
    let _: () = redis::Commands::rpush(&mut con, "rq:queue:default", "j1").expect("RPUSH");
    loop {
        let s = c.next().await;
        if s["overview"]["queues"][0]["counts"]["queued"] == 1 {
            break;
        }
    }
}

#[tokio::test]
async fn a_page_never_receives_a_snapshot_read_before_it_was_rendered() {
    // CI found it: a tab reloaded right after a bulk action was sent the snapshot read during the
    // action, and the counts it had just rendered went back to what the action had removed.
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "1s"]);
    let mut watcher = Client::open(&app, "/events").await;
    let old = watcher.next().await;
    assert_eq!(old["overview"]["queues"][0]["counts"]["queued"], 0);
    let _: () = redis::Commands::rpush(&mut con, "rq:queue:default", "j1").expect("RPUSH");
    let html = app.get("/queues/default").await.text();
    let live = html.split("data-live=\"").nth(1).and_then(|s| s.split('"').next()).expect("data-live");
    let live = live.replace("&#38;", "&").replace("&amp;", "&");
    let since: u64 = live.rsplit("since=").next().and_then(|s| s.parse().ok()).expect("since");
    assert!(since >= old["seq"].as_u64().expect("seq"), "{live}");
    let mut page = Client::open(&app, &live).await;
    let first = page.next().await;
    assert!(first["seq"].as_u64().expect("seq") > since, "{first}");
    assert_eq!(
        first["overview"]["queues"][0]["counts"]["queued"], 1,
        "the first snapshot is as new as the page"
    );
    assert!(app.get("/events?since=x").await.status == 400, "a malformed since is refused");
}

#[tokio::test]
async fn a_tab_of_an_earlier_rqdash_is_served_at_once_by_the_next_one() {
    // A restarted rqdash numbers its ticks above the old one's: an open tab reconnects with the
    // `since` its page was rendered with, and must not wait for the new count to catch up.
    let r = RedisServer::start();
    let old = TestApp::with_args(&[r.url()], &["--poll-interval", "100ms"]);
    let mut c = Client::open(&old, "/events").await;
    for _ in 0..5 {
        c.next().await;
    }
    let html = old.get("/").await.text();
    let live = html.split("data-live=\"").nth(1).and_then(|s| s.split('"').next()).expect("data-live");
    let live = live.replace("&#38;", "&").replace("&amp;", "&");
    drop(c);
    old.shutdown.cancel();
    // Ticks 5 s apart: catching up from 0 would take longer than `next`'s 10 s.
    let new = TestApp::with_args(&[r.url()], &["--poll-interval", "5s"]);
    let mut again = Client::open(&new, &live).await;
    again.next().await;
}

#[tokio::test]
async fn the_poller_stops_when_the_last_page_closes() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "100ms"]);
    let mut c = Client::open(&app, "/events").await;
    c.next().await;
    drop(c);
    // Give the poller a few ticks to notice, then check that Redis hears nothing more from it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        reset(&mut con);
        tokio::time::sleep(std::time::Duration::from_millis(350)).await;
        if calls(&mut con) == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the poller kept polling with no page open");
    }
}

#[tokio::test]
async fn open_streams_end_cleanly_when_rqdash_shuts_down() {
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "100ms"]);
    let mut c = Client::open(&app, "/events").await;
    c.next().await;
    app.shutdown.cancel();
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(frame) = c.body.frame().await {
            if frame.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the stream did not end after shutdown");
}
