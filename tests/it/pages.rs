//! HTML pages through the router: status, key content, escaping of hostile data, prefixes, titles.

use redis::Commands;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{Fixture, RQ_VERSIONS, RedisServer, TestApp, seg};

fn title(html: &str) -> String {
    html.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default().to_owned()
}

async fn page(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    assert!(
        r.headers["content-type"].to_str().unwrap_or_default().starts_with("text/html"),
        "{path} is HTML"
    );
    r.text()
}

#[tokio::test]
async fn every_page_renders_real_rq_data_of_every_version() {
    for v in RQ_VERSIONS {
        let f = Fixture::get(v);
        let server = f.server();
        let app = TestApp::new(&server.url());
        let html = page(&app, "/").await;
        assert_eq!(title(&html), "Overview · rqdash");
        for q in f.oracle["queues"].as_object().into_iter().flatten().map(|(k, _)| k) {
            let escaped = q.replace('&', "&#38;");
            assert!(html.contains(&escaped) || html.contains(q.as_str()), "rq {v}: overview lists {q}");
            for state in ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled"] {
                let h = page(&app, &format!("/queues/{}?state={state}&per_page=500", seg(q))).await;
                assert!(
                    title(&h).ends_with(&format!(" · {state} · rqdash")),
                    "rq {v}: title of {q}/{state}: {}",
                    title(&h)
                );
            }
        }
        for id in f.oracle["jobs"].as_object().into_iter().flatten().map(|(k, _)| k) {
            let h = page(&app, &format!("/jobs/{}", seg(id))).await;
            assert!(title(&h).starts_with("Job "), "rq {v}: job {id} title");
            // Retry and Repeat settings decoded on the page (Retry(interval=3600), Repeat(interval=3600)).
            if id == "retry-scheduled" {
                assert!(
                    h.contains("Retry intervals") && h.contains("[3600]"),
                    "rq {v}: {id} shows its retry"
                );
            }
            if id == "repeat-1" {
                assert!(
                    h.contains("Repeat intervals") && h.contains("[3600]"),
                    "rq {v}: {id} shows its repeat"
                );
            }
        }
        let w = page(&app, "/workers").await;
        assert!(w.contains("ghost-worker"), "rq {v}: stale worker listed");
        let failed = page(&app, "/failed").await;
        if let Some(id) = f.label("failed_zero") {
            assert!(failed.contains(id), "rq {v}: failures list {id}");
            assert!(failed.contains("ZeroDivisionError"), "rq {v}: exception first line shown");
        }
        let orphans = page(&app, "/queues/default?state=failed&per_page=500").await;
        assert!(orphans.contains("job data missing"), "rq {v}: orphans shown as their own rows");
    }
}

#[tokio::test]
async fn hostile_descriptions_args_and_queue_names_are_rendered_as_text() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let q = "q\"'<b>ü名";
    plant_queue(&mut con, q);
    plant_job(&mut con, "xss", "queued", q);
    let _: () = con.hset("rq:job:xss", "description", "<img src=x onerror=alert(1)>").expect("HSET");
    let _: () = con.hset("rq:job:xss", "meta", "</script><script>alert(2)</script>").expect("HSET");
    let _: () = con.rpush(format!("rq:queue:{q}"), "xss").expect("RPUSH");
    let app = TestApp::new(&r.url());
    for path in ["/".to_owned(), format!("/queues/{}", seg(q)), "/jobs/xss".to_owned()] {
        let html = page(&app, &path).await;
        assert!(!html.contains("<img src=x"), "{path}: raw HTML injected");
        assert!(!html.contains("<script>alert"), "{path}: raw script injected");
        assert!(!html.contains("<b>ü"), "{path}: queue name not escaped");
        assert!(
            html.contains("&#60;b&#62;ü名") || html.contains("&lt;b&gt;ü名"),
            "{path}: queue name shown as text"
        );
    }
    let job = page(&app, "/jobs/xss").await;
    assert!(job.contains("&#60;img src=x onerror=alert(1)&#62;"), "description shown escaped");
}

#[tokio::test]
async fn pages_send_a_strict_content_security_policy() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let reply = app.get("/").await;
    let csp = reply.headers["content-security-policy"].to_str().unwrap_or_default().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(!reply.text().contains("<script>"), "no inline script");
    assert!(!reply.text().contains(" onclick="), "no inline handlers");
}

#[tokio::test]
async fn unknown_pages_queues_and_jobs_get_html_404s_with_a_message() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    for (path, needle) in [
        ("/queues/nope", "no queue named"),
        ("/jobs/nope", "no job with id"),
        ("/nowhere", "no such page"),
        ("/jump?id=nope", "no job with id"),
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(reply.text().contains(needle), "{path}: {}", reply.text());
    }
    let bad = app.get("/?sort=evil").await;
    assert_eq!(bad.status, 400);
    let bad = app.get("/queues/x?page=0").await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn the_job_id_box_jumps_to_an_existing_job() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "abc", "queued", "default");
    let app = TestApp::new(&r.url());
    let reply = app.get("/jump?id=abc&instance=0").await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.headers["location"], "/jobs/abc");
}

#[tokio::test]
async fn every_link_form_and_asset_respects_the_url_prefix() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "abc", "queued", "default");
    let _: () = con.rpush("rq:queue:default", "abc").expect("RPUSH");
    let app = TestApp::with_args(&[r.url()], &["--url-prefix", "/rq"]);
    for path in crate::support::PREFIX_PAGES {
        let html = page(&app, path).await;
        for attr in ["href=\"", "src=\"", "action=\""] {
            for (i, _) in html.match_indices(attr) {
                let v = &html[i + attr.len()..];
                if v.starts_with('#') || v.starts_with("http") {
                    continue;
                }
                assert!(
                    v.starts_with("/rq/") || v.starts_with('"'),
                    "{path}: {attr}{}",
                    &v[..v.len().min(40)]
                );
            }
        }
    }
    assert_eq!(app.get("/rq/static/app.css").await.status, 200);
    assert_eq!(app.get("/rq/static/app.js").await.status, 200);
}

#[tokio::test]
async fn a_one_megabyte_argument_is_cut_on_the_page_with_a_link_to_all_of_it() {
    let f = Fixture::get(RQ_VERSIONS[2]);
    let server = f.server();
    let app = TestApp::new(&server.url());
    let id = f.label("big_args").expect("big_args label");
    let html = page(&app, &format!("/jobs/{id}")).await;
    assert!(html.len() < 400_000, "page stays small: {} bytes", html.len());
    assert!(html.contains("show all"));
    let full = app.get(&format!("/jobs/{id}/full?item=arg:0")).await;
    assert_eq!(full.status, 200);
    assert!(full.body.len() > 1_000_000, "raw view has everything: {}", full.body.len());
    assert!(full.headers["content-type"].to_str().unwrap_or_default().starts_with("text/plain"));
}

#[tokio::test]
async fn the_doctor_page_reports_planted_problems_and_its_repair_fixes_them() {
    let f = Fixture::get(RQ_VERSIONS[1]);
    let server = f.server();
    let app = TestApp::new(&server.url());
    let html = page(&app, "/doctor").await;
    assert!(html.contains("missing_job") && html.contains("stale_worker"), "checks listed");
    assert!(html.contains("data-action") && html.contains("/api/v1/doctor/fix"), "repair button");
    let before = app.get_json("/api/v1/doctor").await;
    assert!(before["problems"].as_u64().unwrap_or(0) > 0);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/doctor/fix")
        .body(axum::body::Body::empty())
        .expect("request");
    let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.expect("response");
    assert_eq!(res.status(), 200);
    let after = app.get_json("/api/v1/doctor").await;
    assert_eq!(after["repairable"], 0, "{after}");
}
