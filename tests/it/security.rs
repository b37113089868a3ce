//! Auth on every route; mutations refused cross-site, without the page's token, and in read-only mode.

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use tower::ServiceExt;

use crate::support::{RedisServer, TestApp};

async fn send(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> u16 {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let res = app.router.clone().oneshot(b.body(Body::empty()).expect("request")).await.expect("response");
    res.status().as_u16()
}

fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

#[tokio::test]
async fn with_auth_configured_every_route_needs_the_password_probes_included() {
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--username", "admin", "--password", "s3cret"]);
    let paths =
        ["/", "/workers", "/api/v1/queues", "/events", "/static/app.css", "/nowhere", "/healthz", "/readyz"];
    for path in paths {
        assert_eq!(send(&app, "GET", path, &[]).await, 401, "{path} without credentials");
        assert_eq!(
            send(&app, "GET", path, &[("authorization", &basic("admin", "wrong"))]).await,
            401,
            "{path}"
        );
    }
    assert_eq!(send(&app, "GET", "/", &[("authorization", &basic("admin", "s3cret"))]).await, 200);
    assert_eq!(
        send(&app, "GET", "/api/v1/queues", &[("authorization", &basic("admin", "s3cret"))]).await,
        200
    );
    // Without --probes-public (see probes.rs) the probes are no exception.
    assert_eq!(send(&app, "GET", "/healthz", &[("authorization", &basic("admin", "s3cret"))]).await, 200);
}

#[tokio::test]
async fn cross_site_and_tokenless_browser_posts_are_refused_but_curl_is_not() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let path = "/api/v1/queues";
    assert_eq!(send(&app, "POST", path, &[("sec-fetch-site", "cross-site")]).await, 403);
    assert_eq!(
        send(&app, "POST", path, &[("origin", "https://evil.example"), ("host", "127.0.0.1:9181")]).await,
        403
    );
    assert_eq!(send(&app, "POST", path, &[("sec-fetch-site", "same-origin")]).await, 403, "no token");
    // A command-line client sends no browser headers: it reaches the route (405: GET only here).
    assert_eq!(send(&app, "POST", path, &[]).await, 405);
}

#[tokio::test]
async fn read_only_mode_refuses_every_mutation() {
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--read-only"]);
    assert_eq!(send(&app, "POST", "/api/v1/queues", &[]).await, 403);
    assert_eq!(send(&app, "DELETE", "/api/v1/jobs/x", &[]).await, 403);
    assert_eq!(send(&app, "GET", "/api/v1/queues", &[]).await, 200);
}

/// The CSRF token a page fetched with `host` carries (what a rebinding page would read).
async fn token_of_page(app: &TestApp, host: &str) -> String {
    let page = app.send("GET", "/", &[("host", host)], Body::empty()).await.text();
    let at = page.find("name=\"csrf-token\" content=\"").map(|i| i + 27).unwrap_or(0);
    page[at..].split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_foreign_host_name_is_refused_on_pages_reads_and_actions_against_dns_rebinding() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    // What a rebinding page sends: its own name, its own origin, the token it read from a page.
    let token = token_of_page(&app, "127.0.0.1:9181").await;
    assert_eq!(token.len(), 32, "the page carries a token");
    let evil = "evil.example:9181";
    let browser = [
        ("host", evil),
        ("origin", "http://evil.example:9181"),
        ("sec-fetch-site", "same-origin"),
        ("x-csrf-token", token.as_str()),
    ];
    let page = app.send("GET", "/", &[("host", evil)], Body::empty()).await;
    assert_eq!(page.status, 421, "{}", page.text());
    assert!(page.text().contains("--allowed-host") && !page.text().contains("csrf"), "{}", page.text());
    for (method, path) in [
        ("GET", "/api/v1/queues"),
        ("GET", "/events"),
        ("GET", "/0/data/queues.json"),
        ("POST", "/api/v1/jobs/j1/requeue"),
        ("POST", "/api/v1/queues/default/empty?state=queued"),
    ] {
        let reply = app.send(method, path, &browser, Body::empty()).await;
        assert_eq!(reply.status, 421, "{method} {path}: {}", reply.text());
        assert!(reply.text().contains("--allowed-host"), "{path}");
        if path.starts_with("/api/") {
            assert!(reply.json()["error"].as_str().is_some_and(|e| e.contains("--allowed-host")), "{path}");
        }
    }
    // Loopback names are served whatever the port, and so is /healthz (probes name an IP).
    for host in ["localhost:9181", "127.0.0.1", "[::1]:9181", "rq.localhost"] {
        assert_eq!(app.send("GET", "/", &[("host", host)], Body::empty()).await.status, 200, "{host}");
    }
    assert_eq!(app.send("GET", "/healthz", &[("host", evil)], Body::empty()).await.status, 200);
}

#[tokio::test]
async fn allowed_host_names_and_the_bind_address_are_served_and_nothing_else() {
    let r = RedisServer::start();
    let flags = ["--bind", "10.1.2.3", "--allowed-host", "dash.example.com", "--allowed-host", ".corp.test"];
    let app = TestApp::with_args(&[r.url()], &flags);
    for host in ["dash.example.com", "DASH.example.com:443", "corp.test", "a.corp.test:9181", "10.1.2.3:9181"]
    {
        let reply = app.send("GET", "/api/v1/queues", &[("host", host)], Body::empty()).await;
        assert_eq!(reply.status, 200, "{host}");
    }
    for host in ["evil.example", "example.com", "evilcorp.test", "10.1.2.4"] {
        let reply = app.send("GET", "/api/v1/queues", &[("host", host)], Body::empty()).await;
        assert_eq!(reply.status, 421, "{host}");
    }
    // A proxy that forwards a foreign name is refused too; `*` turns the check off.
    let forwarded = [("host", "127.0.0.1"), ("x-forwarded-host", "evil.example")];
    assert_eq!(app.send("GET", "/", &forwarded, Body::empty()).await.status, 421);
    let open = TestApp::with_args(&[r.url()], &["--allowed-host", "*"]);
    assert_eq!(open.send("GET", "/", &[("host", "evil.example")], Body::empty()).await.status, 200);
}

#[tokio::test]
async fn webhook_credentials_rq_stored_are_masked_on_the_page_the_raw_hash_the_api_and_the_cli() {
    let r = RedisServer::start();
    let rq = crate::support::Rq::new("3.0.0", &r);
    rq.py("from rq.webhook import Webhook\n\
         hook = Webhook('https://bot:pw-s3cret@hooks.example.com/x?token=tok-s3cret', 'failed', \
         method='POST', headers={'Authorization': 'Bearer hdr-s3cret'})\n\
         Queue('hooks', connection=conn()).enqueue(ok, 1, job_id='hook-1', webhooks=[hook])\nout(1)");
    let raw: Vec<u8> =
        redis::cmd("HGET").arg("rq:job:hook-1").arg("webhooks").query(&mut r.conn()).expect("HGET");
    assert!(String::from_utf8_lossy(&raw).contains("hdr-s3cret"), "RQ stored the header as given");
    let app = TestApp::new(&r.url());
    let page = app.get("/jobs/hook-1").await;
    let api = app.get("/api/v1/jobs/hook-1").await;
    let full = app.get("/jobs/hook-1/full?item=raw:webhooks").await;
    let cli = crate::cli::rqdash(&r, &["job", "hook-1", "--json"]);
    let cli = String::from_utf8_lossy(&cli.stdout).into_owned();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (what, status, body) in [
        ("page", page.status.as_u16(), text(&page.body)),
        ("api", api.status.as_u16(), text(&api.body)),
        ("show all", full.status.as_u16(), text(&full.body)),
        ("cli", 200, cli),
    ] {
        assert_eq!(status, 200, "{what}");
        assert!(body.contains("hooks.example.com"), "{what} shows the webhook: {body}");
        for secret in ["pw-s3cret", "tok-s3cret", "hdr-s3cret"] {
            assert!(!body.contains(secret), "{what} shows {secret}");
        }
    }
}
