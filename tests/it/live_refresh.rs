//! Live refreshes: every open tab of a queue page re-fetches it when its count moves, as
//! `static/app.js` does; the server renders it once for all of them, from data at least as new as
//! the tick that asked, and forgets it when an action changes data.

use axum::body::Body;
use futures_util::future::join_all;
use redis::Commands;
use serde_json::Value;

use crate::api_basics::plant_job;
use crate::history::plant_queued;
use crate::live::Client;
use crate::support::probe::{calls, reset};
use crate::support::{RedisServer, TestApp};

const PAGE: &str = "/queues/default";
/// Jobs in `default` before the producer starts.
const BASE: u64 = 20;

fn seq(s: &Value) -> u64 {
    s["seq"].as_u64().expect("seq")
}

fn queued(s: &Value) -> u64 {
    let queues = s["overview"]["queues"].as_array().cloned().unwrap_or_default();
    queues.iter().find(|q| q["name"] == "default").and_then(|q| q["counts"]["queued"].as_u64()).unwrap_or(0)
}

/// The page as a live tab re-fetches it for `tick`.
async fn refresh(app: &TestApp, tick: u64) -> String {
    let r = app.send("GET", PAGE, &[("x-rqdash-tick", &tick.to_string())], Body::empty()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

/// A tab follows its stream until the queue holds `n` jobs, then re-fetches its page for that tick.
async fn follow(app: &TestApp, tab: &mut Client, n: u64) -> String {
    loop {
        let s = tab.next().await;
        if queued(&s) >= n {
            return refresh(app, seq(&s)).await;
        }
    }
}

/// One enqueue as rq does it: the job hash, then its id on the queue.
fn produce(con: &mut redis::Connection, id: &str) {
    plant_job(con, id, "queued", "default");
    let _: () = con.rpush("rq:queue:default", id).expect("RPUSH");
}

/// Redis commands while `tabs` live tabs of the queue page follow `rounds` enqueues, one every
/// two snapshot ticks (a fixed number of ticks whatever the number of tabs).
async fn cost(tabs: usize, rounds: u64) -> u64 {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queued(&mut con, "default", usize::try_from(BASE).expect("small"));
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "300ms"]);
    let mut open = Vec::new();
    for _ in 0..tabs {
        let mut tab = Client::open(&app, "/events").await;
        tab.next().await;
        open.push(tab);
    }
    let start = seq(&open[0].next().await);
    reset(&mut con);
    for round in 1..=rounds {
        let id = format!("produced-{round}");
        produce(&mut con, &id);
        let pages = join_all(open.iter_mut().map(|tab| follow(&app, tab, BASE + round))).await;
        for page in &pages {
            assert!(page.contains(&id), "a tab refreshed for the tick showing {id} got a page without it");
        }
        while seq(&open[0].next().await) < start + 2 * round {}
    }
    calls(&mut con)
}

#[tokio::test]
async fn twenty_live_tabs_on_a_queue_page_under_a_producer_cost_redis_what_one_costs() {
    let one = cost(1, 8).await;
    let twenty = cost(20, 8).await;
    eprintln!("Redis commands over 16 ticks and 8 enqueues: 1 tab {one}, 20 tabs {twenty}");
    assert!(one > 0);
    assert!(twenty * 10 <= one * 12, "1 tab: {one} Redis commands, 20 tabs: {twenty} (more than 1.2x)");
}

#[tokio::test]
async fn a_live_refresh_is_never_older_than_its_tick_and_an_action_drops_shared_renders() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queued(&mut con, "default", 3);
    let app = TestApp::with_args(&[r.url()], &["--poll-interval", "100ms"]);
    let mut tab = Client::open(&app, "/events").await;
    let mut s = tab.next().await;
    while queued(&s) != 3 {
        s = tab.next().await;
    }
    let old = seq(&s);
    assert!(refresh(&app, old).await.contains("default-q2"));

    // A job arrives: a refresh for the old tick may share the render made for it...
    produce(&mut con, "late");
    assert!(!refresh(&app, old).await.contains("late"), "the refresh for the old tick was rendered again");
    // ... a page load is always fresh, and so is a refresh for the tick that shows the job.
    assert!(app.get(PAGE).await.text().contains("late"));
    while queued(&s) != 4 {
        s = tab.next().await;
    }
    let new = seq(&s);
    assert!(new > old);
    assert!(refresh(&app, new).await.contains("late"), "a refresh older than its tick");

    // An action drops every shared render: the deleted job is gone from the next refresh.
    let done = app.send("POST", "/api/v1/jobs/late/delete", &[], Body::empty()).await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(!refresh(&app, new).await.contains("late"), "a refresh after an action showed its old render");
}
