//! `--redact`: real RQ jobs carrying secrets under secret-looking keys (a kwarg `password`, meta
//! `api_key`, a nested `{"auth": {"token": ...}}`, a result dict's `session`), checked on whole
//! bodies of every page, API and CLI output: the secret strings appear nowhere. Then the reveal.

use axum::body::Body;
use axum::http::StatusCode;
use rqdash::auth::{Identity, Role};

use crate::cli::{rqdash, stdout};
use crate::support::{RedisServer, Rq, TestApp};

const SECRETS: [&str; 4] = ["hunter2-XYZ", "sk-live-META", "tok-NESTED", "sess-RESULT"];

struct Jobs {
    failed: String,
    finished: String,
    queued: String,
}

/// A failed job (its kwarg `password` makes `fail_counted` raise TypeError), a finished one
/// returning a dict with a `session`, and a queued one with nested secrets in its meta.
fn seed(rq: &Rq) -> Jobs {
    let ids = rq.py(r#"
c = conn()
work, waiting = Queue('work', connection=c), Queue('waiting', connection=c)
meta = {'api_key': 'sk-live-META', 'nested': {'auth': {'token': 'tok-NESTED'}}, 'who': 'bob'}
f = work.enqueue(fail_counted, password='hunter2-XYZ', meta=meta)
d = work.enqueue(ok, {'user': 'bob', 'session': 'sess-RESULT'})
w = waiting.enqueue(ok, {'auth': {'token': 'tok-NESTED'}}, user_password='hunter2-XYZ', meta=meta)
out([f.id, d.id, w.id])"#);
    rq.burst(&["work"]);
    let ids: Vec<String> =
        ids.as_array().expect("ids").iter().map(|v| v.as_str().expect("id").to_owned()).collect();
    Jobs { failed: ids[0].clone(), finished: ids[1].clone(), queued: ids[2].clone() }
}

fn assert_hidden(what: &str, body: &str) {
    for s in SECRETS {
        assert!(!body.contains(s), "{what} shows {s}:\n{body}");
    }
}

async fn no_page_api_or_cli_output_shows_a_redacted_value(version: &'static str) {
    let server = RedisServer::start();
    let rq = Rq::new(version, &server);
    let j = seed(&rq);
    let app = TestApp::new(&server.url());
    let mut paths = vec![
        "/".to_owned(),
        "/queues/work?state=failed".to_owned(),
        "/queues/work?state=finished".to_owned(),
        "/queues/waiting".to_owned(),
        "/failed".to_owned(),
        "/failed/groups".to_owned(),
        "/workers".to_owned(),
        "/search?q=bob".to_owned(),
        "/api/v1/queues/work/jobs?state=failed".to_owned(),
        "/api/v1/queues/work/jobs?state=finished".to_owned(),
        "/api/v1/queues/waiting/jobs".to_owned(),
        "/api/v1/failed".to_owned(),
        "/api/v1/failed/groups".to_owned(),
        "/api/v1/search?q=bob".to_owned(),
        "/0/data/jobs/work/failed/10/asc/1.json".to_owned(),
        "/0/data/jobs/waiting/queued/10/asc/1.json".to_owned(),
    ];
    for id in [&j.failed, &j.finished, &j.queued] {
        paths.push(format!("/jobs/{id}"));
        paths.push(format!("/api/v1/jobs/{id}"));
        paths.push(format!("/0/data/job/{id}"));
        for item in
            ["call", "description", "kwarg:password", "kwarg:user_password", "arg:0", "meta", "result"]
        {
            paths.push(format!("/jobs/{id}/full?item={item}"));
        }
        for field in ["data", "meta", "result", "description"] {
            paths.push(format!("/jobs/{id}/full?item=raw:{field}"));
        }
    }
    for p in &paths {
        let r = app.get(p).await;
        assert_hidden(&format!("GET {p} ({})", r.status), &r.text());
    }
    // What is not a secret is still shown, and the mask says what happened.
    let page = app.get(&format!("/jobs/{}", j.queued)).await.text();
    assert!(page.contains("bob") && page.contains("••• (redacted)"), "{page}");
    let api = app.get_json(&format!("/api/v1/jobs/{}", j.failed)).await;
    assert_eq!(api["kwargs"][0]["value"], "••• (redacted)", "{api}");
    assert_eq!(api["meta"]["value"]["nested"]["auth"]["token"], "••• (redacted)", "{api}");
    assert_eq!(api["meta"]["value"]["who"], "bob", "{api}");
    // Searching by a redacted value finds nothing (the query itself is echoed back, so these
    // bodies are checked for the jobs instead).
    for p in ["/api/v1/search?q=hunter2-XYZ", "/search?q=hunter2-XYZ", "/api/v1/search?q=sk-live-META"] {
        let found = app.get(p).await.text();
        for id in [&j.failed, &j.queued] {
            assert!(!found.contains(id.as_str()), "{p} found a job by a redacted value: {found}");
        }
    }
    let found = app.get("/api/v1/search?q=bob").await.text();
    assert!(found.contains(j.finished.as_str()), "the search itself works: {found}");
    for args in [
        vec!["job", &j.failed],
        vec!["job", &j.finished, "--json"],
        vec!["job", &j.queued],
        vec!["jobs", "work", "--state", "failed"],
        vec!["jobs", "work", "--state", "finished", "--json"],
        vec!["jobs", "waiting"],
    ] {
        let o = rqdash(&server, &args);
        assert!(o.status.success(), "rqdash {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert_hidden(&format!("rqdash {args:?}"), &stdout(&o));
    }
}

for_each_rq_version!(no_page_api_or_cli_output_shows_a_redacted_value);

#[tokio::test]
async fn an_admin_reveals_with_a_post_and_nobody_else_does() {
    let server = RedisServer::start();
    let j = seed(&Rq::new("3.0.0", &server));
    let app = TestApp::new(&server.url());
    let url = format!("/api/v1/jobs/{}/reveal", j.queued);
    let page = app.get(&format!("/jobs/{}", j.queued)).await.text();
    assert!(page.contains(&format!("data-reveal=\"{url}?instance=0\"")), "no reveal button: {page}");
    let r = app.request("POST", &url).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["kwargs"][0]["value"], "hunter2-XYZ", "{v}");
    assert_eq!(v["meta"]["value"]["api_key"], "sk-live-META", "{v}");
    assert_eq!(app.request("GET", &url).await.status, StatusCode::METHOD_NOT_ALLOWED);
    let no_token = app.send("POST", &url, &[("sec-fetch-site", "same-origin")], Body::empty()).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(!no_token.text().contains("hunter2"), "{}", no_token.text());
    let read_only = TestApp::with_args(&[server.url()], &["--read-only"]);
    assert_eq!(read_only.request("POST", &url).await.status, StatusCode::FORBIDDEN);
    // Viewers and operators (the guard gives each request its Identity): 403 naming the role.
    let state = rqdash::web::AppState::from_args(
        rqdash::store::Store::from_args(
            &clap::Parser::try_parse_from(["rqdash", "--redis-url", &server.url()])
                .map(|c: rqdash::config::Cli| c.redis)
                .expect("flags"),
        )
        .expect("store"),
        &clap::Parser::try_parse_from(["rqdash"]).map(|c: rqdash::config::Cli| c.serve).expect("flags"),
        tokio_util::sync::CancellationToken::new(),
    )
    .expect("state");
    for role in [Role::Viewer, Role::Operator] {
        let mut who = Identity::anonymous(None);
        who.role = role;
        let r = rqdash::web::reveal::reveal_job(&state, &who, &j.queued, 0).await.expect("answer");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role}");
        let body = http_body_util::BodyExt::collect(r.into_body()).await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("admin role") && !body.contains("hunter2"), "{body}");
    }
}

#[tokio::test]
async fn the_cli_reveals_on_request_and_the_patterns_are_configurable() {
    let server = RedisServer::start();
    let j = seed(&Rq::new("2.12.0", &server));
    let shown = |args: &[&str]| stdout(&rqdash(&server, args));
    assert!(!shown(&["job", &j.failed]).contains("hunter2-XYZ"));
    assert!(shown(&["job", &j.failed, "--reveal"]).contains("hunter2-XYZ"));
    assert!(shown(&["--no-redact", "job", &j.failed]).contains("hunter2-XYZ"));
    assert!(shown(&["--redact", "", "job", &j.failed]).contains("hunter2-XYZ"));
    let by_env = stdout(&crate::cli::rqdash_env(&server, &["job", &j.failed], &[("RQDASH_REDACT", "")]));
    assert!(by_env.contains("hunter2-XYZ"), "RQDASH_REDACT='' shows every value: {by_env}");
    let custom = shown(&["--redact", "who|PASSWORD", "job", &j.queued, "--json"]);
    assert!(!custom.contains("hunter2-XYZ") && !custom.contains("\"bob\""), "{custom}");
    assert!(custom.contains("sk-live-META"), "only the given patterns apply: {custom}");
}
