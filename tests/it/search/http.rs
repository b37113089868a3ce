//! The routes, in-process: the search API and its cursors, the page (form folded into one
//! bookmarkable `q`, continue links without JavaScript), select-all-matching with the exact count
//! confirmed, the failure-groups page and API, group actions, the overview panel.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use redis::Commands;
use serde_json::Value;

use super::{matching, seed};
use crate::support::{RedisServer, TestApp, seg};

fn ids_of(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["job"]["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Poll a JSON resource until `done` is true (a background task has no other signal).
async fn until_done(app: &TestApp, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = app.get_json(path).await;
        if v["done"] == Value::Bool(true) {
            return v;
        }
        assert!(Instant::now() < deadline, "{path} never finished: {v}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Select everything `q` matches, confirm with the exact count, run `action`; returns the outcome.
async fn act_on_all(app: &TestApp, q: &str, action: &str, expect: u64) -> Value {
    let r = app.request("POST", &format!("/api/v1/search/select?q={}", seg(q))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["selection"].as_str().expect("selection id").to_owned();
    let sel = until_done(app, &format!("/api/v1/search/selections/{id}")).await;
    assert_eq!(sel["count"], expect, "{sel}");
    let wrong =
        app.request("POST", &format!("/api/v1/search/selections/{id}/{action}?count={}", expect + 1)).await;
    assert_eq!(wrong.status, StatusCode::CONFLICT, "a count other than the selection's is refused");
    let r = app.request("POST", &format!("/api/v1/search/selections/{id}/{action}?count={expect}")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let task = r.json()["task"].as_u64().expect("task id");
    let again = app.request("POST", &format!("/api/v1/search/selections/{id}/{action}")).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a selection is acted on once");
    until_done(app, &format!("/api/v1/tasks/{task}")).await["outcome"].clone()
}

#[tokio::test]
async fn the_search_api_pages_with_cursors_and_rejects_bad_input() {
    let s = seed("3.0.0");
    let app = TestApp::new(&s.server.url());
    let v = app.get_json("/api/v1/search?q=exc%3Atimeout").await;
    assert_eq!(ids_of(&v).into_iter().collect::<BTreeSet<_>>(), s.set(&["timeouts", "digest"]));
    assert_eq!((v["done"].clone(), v["cursor"].clone()), (Value::Bool(true), Value::Null));
    // exc: looks at the jobs failed now: the 12 ids of the failed registries.
    assert_eq!((v["scanned"].as_u64(), v["total"].as_u64()), (Some(12), Some(12)));
    let (mut seen, mut cursor) = (Vec::new(), String::new());
    loop {
        let v =
            app.get_json(&format!("/api/v1/search?q=state%3Afailed&limit=1&cursor={}", seg(&cursor))).await;
        assert!(ids_of(&v).len() <= 1);
        seen.extend(ids_of(&v));
        match v["cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let set: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(
        (set.len(), set),
        (seen.len(), s.set(&["timeouts", "digest", "declined_42", "declined_7", "report", "keyerror"]))
    );
    for bad in ["q=fucn%3Ax", "q=", "q=exc%3Ax&cursor=garbage", "q=x&page=2", "q=state%3Anope", "q=x&limit=0"]
    {
        let r = app.get(&format!("/api/v1/search?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
        assert!(r.json()["error"].is_string());
    }
}

#[tokio::test]
async fn the_search_page_folds_the_form_and_continues_without_javascript() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let _: () = con.sadd("rq:queues", "rq:queue:big").expect("SADD");
    for i in 0..120 {
        let id = format!("big-{i:03}");
        let _: () = con.zadd("rq:failed:big", &id, 1_800_000_000 + i).expect("ZADD");
        let fields = [
            ("status", "failed"),
            ("origin", "big"),
            ("description", "tasks.crunch(<b>1</b>)"),
            ("data", "x"),
        ];
        let _: () = con.hset_multiple(format!("rq:job:{id}"), &fields).expect("HSET");
    }
    let app = TestApp::new(&r.url());
    let form = app.get("/search").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text().contains("Build a query") && form.text().contains("<option value=\"big\">big</option>")
    );
    let folded = app.get("/search?q=crunch&queue=big&state=failed&func=&exc=").await;
    assert_eq!(folded.status, StatusCode::SEE_OTHER);
    let to = folded.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(to, "/search?q=crunch%20queue%3Abig%20state%3Afailed");
    let (mut seen, mut next) = (BTreeSet::new(), Some(to));
    while let Some(path) = next.take() {
        let page = app.get(&path.replace("&#38;", "&").replace("&amp;", "&")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let html = page.text();
        assert!(!html.contains("<b>1</b>") && html.contains("scanned"), "escaped, with progress");
        for i in 0..120 {
            let id = format!("big-{i:03}");
            if html.contains(&format!("<code>{id}</code>")) {
                assert!(seen.insert(id), "a job shown on two pages");
            }
        }
        next = html
            .split("href=\"")
            .skip(1)
            .map(|h| h.split('"').next().unwrap_or_default())
            .find(|h| h.contains("cursor="))
            .map(str::to_owned);
    }
    assert_eq!(seen.len(), 120, "the continue links reach every job once");
    let bad = app.get("/search?q=fucn%3A%3Cx%3E").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("unknown search key") && bad.text().contains("Build a query"));
}

#[tokio::test]
async fn select_all_matching_acts_on_exactly_the_confirmed_jobs() {
    let s = seed("3.0.0");
    let app = TestApp::new(&s.server.url());
    let out = act_on_all(&app, "state:failed exc:PaymentDeclined", "requeue", 4).await;
    assert_eq!((out["requeued"].as_u64(), out["skipped"].as_u64()), (Some(4), Some(0)), "{out}");
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    assert_eq!(matching(inst, "state:failed").await, s.set(&["timeouts", "digest", "report", "keyerror"]));
    let out = act_on_all(&app, "queue:later", "cancel", 2).await;
    assert_eq!(out["canceled"].as_u64(), Some(2), "{out}");
    let unknown = app.request("POST", "/api/v1/search/selections/nope/requeue").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn failure_groups_page_api_links_and_group_actions() {
    let s = seed("3.0.0");
    let app = TestApp::new(&s.server.url());
    let v = app.get_json("/api/v1/failed/groups?wait=30000&ids=1").await;
    assert_eq!(v["status"], "ready", "{v}");
    let groups = v["snapshot"]["groups"].as_array().expect("groups").clone();
    let counts: Vec<u64> = groups.iter().filter_map(|g| g["count"].as_u64()).collect();
    assert_eq!(counts, [4, 4, 2, 2]);
    assert!(
        groups.iter().all(|g| g["ids"].as_array().map(Vec::len) == Some(1) && g["ids_truncated"] == true)
    );
    let recent = app.get_json("/api/v1/failed/groups?sort=recent").await;
    let first = &recent["snapshot"]["groups"][0];
    assert!(first["label"].as_str().unwrap_or_default().starts_with("KeyError"), "{first}");
    let billing = app.get_json("/api/v1/failed/groups?queue=billing&wait=30000").await;
    assert_eq!(billing["snapshot"]["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.get("/api/v1/failed/groups?queue=nosuch").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/failed/groups?sort=bogus").await.status, StatusCode::BAD_REQUEST);

    let page = app.get("/failed/groups").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Timeout after &#60;n&#62;s") && html.contains("Requeue group"), "{html}");
    let timeouts = groups.iter().find(|g| g["exc_type"] == "TimeoutError").expect("timeouts group");
    let q = timeouts["search"].as_str().expect("search");
    let link = app.get(&format!("/search?q={}", seg(q))).await.text();
    for id in s.set(&["timeouts", "digest"]) {
        assert!(link.contains(&id), "the group's link lists {id}");
    }
    let out = act_on_all(&app, q, "delete", 4).await;
    assert_eq!(out["deleted"].as_u64(), Some(4), "{out}");
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    assert_eq!(
        matching(inst, "state:failed").await,
        s.set(&["declined_42", "declined_7", "report", "keyerror"])
    );

    let overview = app.get("/").await.text();
    assert!(overview.contains("Top failure groups"), "the overview has the panel");
}
