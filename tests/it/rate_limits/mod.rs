//! RQ 3.0 rate limits: the API, pages and CLI against what RQ's own `RateLimitRegistry` and
//! `Job.fetch` report about a real limiter with a real busy worker holding its slot.

use serde_json::{Value, json};

use crate::support::{Fixture, Limits, RedisServer, TestApp};

// Cancel and delete of held jobs, then a real worker runs what the limiter lets through.
mod actions;
// What the held counts cost per poll once counted.
mod cost;

/// The held jobs of one key as the API lists them (every page, oldest first).
async fn held(app: &TestApp, key: &str) -> Vec<Value> {
    let v = app.get_json(&format!("/api/v1/rate-limits/{key}?per_page=2")).await;
    let pages = v["pages"].as_u64().expect("pages");
    let mut out = Vec::new();
    for p in 1..=pages {
        let v = app.get_json(&format!("/api/v1/rate-limits/{key}?per_page=2&page={p}")).await;
        out.extend(v["jobs"].as_array().expect("jobs").iter().cloned());
    }
    out
}

#[tokio::test]
async fn every_rate_limit_key_is_reported_with_rqs_own_concurrency_running_and_held_counts() {
    let r = RedisServer::start();
    let l = Limits::make(&r);
    let app = TestApp::new(&r.url());
    let v = app.get_json("/api/v1/rate-limits").await;
    let keys = v["keys"].as_array().expect("keys");
    let names: Vec<&str> = keys.iter().filter_map(|k| k["key"].as_str()).collect();
    assert_eq!(names, ["batch", "ext"]);
    for k in keys {
        let o = l.key(k["key"].as_str().expect("key"));
        for (ours, rqs) in [("concurrency", "concurrency"), ("running", "running"), ("held", "held")] {
            assert_eq!(k[ours], o[rqs], "{} of {}", ours, k["key"]);
        }
        assert_eq!(k["registered"], true);
    }
    assert_eq!(v["held"], 6);
    assert_eq!(v["running"], 3);
    assert_eq!(v["held_by_queue"], l.oracle["held_by_queue"]);
    assert_eq!(v["held_orphans"], l.oracle["held_orphans"]);
    assert_eq!(v["by_queue_exact"], true);
    assert_eq!(v["corrupt"], json!([]));
}

#[tokio::test]
async fn held_jobs_are_paged_oldest_first_as_rq_lists_them_with_their_call_age_and_orphans() {
    let r = RedisServer::start();
    let l = Limits::make(&r);
    let app = TestApp::new(&r.url());
    for key in ["ext", "batch"] {
        let o = l.key(key);
        let jobs = held(&app, key).await;
        let ids: Vec<&Value> = jobs.iter().map(|j| &j["id"]).collect();
        let want: Vec<&Value> = o["held_ids"].as_array().expect("held ids").iter().collect();
        assert_eq!(ids, want, "order of {key}");
        for (j, w) in jobs.iter().zip(o["held_jobs"].as_array().expect("held jobs")) {
            assert_eq!(j["score"].as_f64(), w["held_since"].as_f64(), "{}", j["id"]);
            let age = j["held_seconds"].as_f64().expect("an age");
            assert!((0.0..3600.0).contains(&age), "{} held for {age}s", j["id"]);
            assert_eq!(j["score_meaning"], "held_since");
            match &w["job"] {
                Value::Null => assert_eq!(j["missing"], true, "{} is an orphan", j["id"]),
                rq => {
                    assert_eq!(j["missing"], false);
                    assert_eq!(j["status"], rq["status"]);
                    assert_eq!(j["origin"], rq["origin"]);
                    assert_eq!(j["func_name"], rq["func_name"]);
                    assert_eq!(j["created_at"], rq["created_at"]);
                }
            }
        }
    }
    // The call is decoded from `data`, as on every list.
    let v = app.get_json("/api/v1/rate-limits/ext?per_page=2&page=1").await;
    assert_eq!(v["jobs"][1]["args_preview"], "'x', k=3");
    let newest = app.get_json("/api/v1/rate-limits/ext?order=desc&per_page=1").await;
    assert_eq!(newest["jobs"][0]["id"], "rl-ghost");
    assert_eq!((newest["total"].clone(), newest["pages"].clone()), (json!(5), json!(5)));
    let mail = app.get_json("/api/v1/rate-limits/ext?queue=mail").await;
    assert_eq!(mail["total"], 1);
    assert_eq!(mail["jobs"][0]["id"], "rl-held-4");
    assert_eq!(app.get("/api/v1/rate-limits/nope").await.status, 404);
}

#[tokio::test]
async fn held_jobs_are_counted_per_queue_as_their_own_state_on_the_overview_and_the_queue_tabs() {
    let r = RedisServer::start();
    let l = Limits::make(&r);
    let app = TestApp::new(&r.url());
    let v = app.get_json("/api/v1/queues").await;
    let held: Vec<(String, i64)> = v["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .filter(|q| q["counts"]["held"].as_i64().unwrap_or(0) > 0)
        .map(|q| {
            (q["name"].as_str().unwrap_or_default().to_owned(), q["counts"]["held"].as_i64().unwrap_or(0))
        })
        .collect();
    let want: Vec<(String, i64)> = serde_json::from_value(l.oracle["held_by_queue"].clone()).expect("pairs");
    assert_eq!(held, want);
    assert_eq!(v["totals"]["held"], 6, "every held id, the orphan included");
    // Held jobs are in no other count: RQ's queue `api` holds none of them.
    let api = v["queues"].as_array().expect("queues").iter().find(|q| q["name"] == "api").expect("api");
    assert_eq!((api["counts"]["queued"].clone(), api["counts"]["started"].clone()), (json!(0), json!(1)));

    let page = app.get("/queues/api").await.text();
    assert!(page.contains(r#"data-count="held">3<"#), "the queue page has a Held tab of 3");
    let overview = app.get("/").await.text();
    assert!(overview.contains(r#"data-total="held">6<"#), "the overview has a Held card");
    let tab = app.get("/rate-limits?queue=api").await.text();
    assert!(tab.contains(r#"data-held-key="ext">3<"#), "{tab}");
}

#[tokio::test]
async fn the_rate_limits_page_lists_every_key_and_one_keys_held_jobs() {
    let r = RedisServer::start();
    let _l = Limits::make(&r);
    let app = TestApp::new(&r.url());
    let page = app.get("/rate-limits").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains(r#"data-key="ext""#) && html.contains(r#"data-key="batch""#));
    assert!(html.contains(r#"data-held-queue="mail">1<"#));
    // Every link of the page leads somewhere (a queue's held jobs are per key, on this page).
    for href in html.split(r#"href=""#).skip(1).filter_map(|s| s.split('"').next()) {
        let href = href.replace("&amp;", "&");
        if href.starts_with('/') && !href.starts_with("/static/") {
            assert_eq!(app.get(&href).await.status, 200, "{href}");
        }
    }
    assert!(html.contains(r#"data-held-orphans>1<"#));
    let key = app.get("/rate-limits/ext").await.text();
    assert!(key.contains("rl-held-3") && key.contains("job data missing"), "{key}");
    assert!(key.contains("/api/v1/jobs/rl-held-1/cancel"), "held jobs can be canceled");
    assert!(key.contains(r#"href="/rate-limits""#), "the nav links the page");
}

#[tokio::test]
async fn the_navigation_hides_rate_limits_from_rq_1_16_and_2_12_users() {
    for v in ["1.16.2", "2.12.0"] {
        let server = Fixture::get(v).server();
        let app = TestApp::new(&server.url());
        for page in ["/", "/workers", "/queues/default"] {
            let html = app.get(page).await.text();
            assert!(!html.contains("/rate-limits"), "rq {v}: {page} links rate limits");
        }
    }
    // RQ 3.0 without any rate limit yet: its workers say 3.0, so the page is offered.
    let server = Fixture::get("3.0.0").server();
    let app = TestApp::new(&server.url());
    app.get("/workers").await;
    assert!(app.get("/").await.text().contains(r#"href="/rate-limits""#));
    let empty = app.get_json("/api/v1/rate-limits").await;
    assert_eq!((empty["keys"].clone(), empty["held"].clone()), (json!([]), json!(0)));
}

#[tokio::test]
async fn rqdash_rate_limits_prints_the_keys_and_one_keys_held_jobs_as_the_api_does() {
    use crate::cli::{json_expect, run_expect};
    let r = RedisServer::start();
    let l = Limits::make(&r);
    let all = json_expect(&r, &["rate-limits", "--json"], 0);
    assert_eq!(all["held_by_queue"], l.oracle["held_by_queue"]);
    let table = run_expect(&r, &["rate-limits"], 0);
    assert!(table.contains("2 keys, 6 jobs held, 3 running"), "{table}");
    let ext = json_expect(&r, &["rate-limits", "ext", "--limit", "2", "--json"], 0);
    let ids: Vec<&str> =
        ext["jobs"].as_array().expect("jobs").iter().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(ids, ["rl-held-1", "rl-held-2"]);
    let held = run_expect(&r, &["rate-limits", "ext"], 0);
    assert!(held.contains("job data missing") && held.contains("5 of 5 held by ext"), "{held}");
}
