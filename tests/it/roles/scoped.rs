//! Queue-scoped roles, buttons drawn per role, sign-in throttling, and the users file re-read.

use super::{basic, call, users_file};
use crate::support::TestApp;
use crate::support::fixture::Fixture;

fn auth(user: &str, pw: &str) -> Vec<(String, String)> {
    vec![("authorization".to_owned(), basic(user, pw))]
}

#[tokio::test]
async fn a_queue_scoped_operator_acts_on_its_queues_only_and_never_in_bulk() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = TestApp::with_args(&[server.url()], &["--users-file", &users_file(&dir)]);
    let emma = auth("emma", "pw-emma");
    // fail-zero's origin is "default", which "def*" matches: the job's queue is read to decide.
    let (s, t) = call(&app, "POST", "/api/v1/jobs/fail-zero/requeue", &emma, "127.0.0.1", "").await;
    assert_eq!(s, 200, "{t}");
    let (s, t) = call(&app, "POST", "/api/v1/jobs/fail-zero/delete", &emma, "127.0.0.1", "").await;
    assert_eq!((s, t.contains("needs the admin role")), (403, true), "{t}");
    let (s, t) = call(&app, "POST", "/api/v1/queues/high/requeue?state=failed", &emma, "127.0.0.1", "").await;
    assert_eq!(s, 403, "{t}");
    assert!(t.contains(r#"requeue on queue \"high\" needs the operator role"#), "{t}");
    let (s, _) =
        call(&app, "POST", "/api/v1/queues/default/requeue?state=failed", &emma, "127.0.0.1", "").await;
    assert_eq!(s, 200);
    let body = r#"{"action":"requeue","ids":["fail-zero"]}"#;
    let (s, t) = call(&app, "POST", "/api/v1/jobs/bulk", &emma, "127.0.0.1", body).await;
    assert_eq!(s, 403, "bulk ids may span queues: an unscoped grant is needed: {t}");
}

#[tokio::test]
async fn a_viewer_sees_no_action_buttons_and_an_operator_sees_requeue_but_not_delete() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = TestApp::with_args(&[server.url()], &["--users-file", &users_file(&dir)]);
    let page = |who: (&'static str, &'static str), path: &'static str| {
        let app = &app;
        async move {
            let mut h = auth(who.0, who.1);
            h.push(("x-test".into(), "1".into()));
            let r = app
                .send(
                    "GET",
                    path,
                    &h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(),
                    axum::body::Body::empty(),
                )
                .await;
            assert_eq!(r.status, 200, "{path} as {}", who.0);
            r.text()
        }
    };
    let job = "/jobs/fail-zero";
    let viewer = page(("vera", "pw-vera"), job).await;
    assert!(!viewer.contains("/api/v1/jobs/fail-zero/"), "a viewer's job page has no action URL");
    let operator = page(("otto", "pw-otto"), job).await;
    assert!(operator.contains("/api/v1/jobs/fail-zero/requeue"));
    assert!(!operator.contains("/api/v1/jobs/fail-zero/delete"));
    let admin = page(("ada", "pw-ada"), job).await;
    assert!(
        admin.contains("/api/v1/jobs/fail-zero/requeue") && admin.contains("/api/v1/jobs/fail-zero/delete")
    );
    let queue = "/queues/default?state=failed";
    let operator = page(("otto", "pw-otto"), queue).await;
    assert!(operator.contains("/requeue?state=failed") && !operator.contains("/empty?state=failed"));
    assert!(page(("ada", "pw-ada"), queue).await.contains("/empty?state=failed"));
    assert!(!page(("vera", "pw-vera"), queue).await.contains("/requeue?state=failed"));
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_client_address() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = TestApp::with_args(&[server.url()], &["--users-file", &users_file(&dir)]);
    for i in 0..6 {
        let (s, _) = call(&app, "GET", "/api/v1/queues", &auth("ada", "guess"), "10.9.9.9", "").await;
        assert_eq!(s, 401, "attempt {i}");
    }
    let (s, t) = call(&app, "GET", "/api/v1/queues", &auth("ada", "pw-ada"), "10.9.9.9", "").await;
    assert_eq!(s, 429, "even the right password waits: {t}");
    assert!(t.contains("too many failed sign-ins"), "{t}");
    let (s, _) = call(&app, "GET", "/api/v1/queues", &auth("ada", "pw-ada"), "10.9.9.10", "").await;
    assert_eq!(s, 200, "another address is not throttled");
}

#[tokio::test]
async fn the_users_file_is_re_read_when_it_changes_and_a_broken_version_keeps_the_last_good() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = users_file(&dir);
    let app = TestApp::with_args(&[server.url()], &["--users-file", &file]);
    let vera = auth("vera", "pw-vera");
    let empty = "/api/v1/queues/nothing-here/empty?state=failed";
    assert_eq!(call(&app, "POST", empty, &vera, "127.0.0.1", "").await.0, 403);
    let good = std::fs::read_to_string(&file).expect("read");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    // Promote vera: re-read within about a second (the file's mtime is checked once a second).
    std::fs::write(&file, good.replace("role = \"viewer\"", "role = \"admin\"")).expect("write");
    loop {
        let (s, t) = call(&app, "POST", empty, &vera, "127.0.0.1", "").await;
        if s != 403 {
            assert_ne!(s, 401, "{t}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the change was not picked up: {t}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Broken: the last good version stays (vera still signs in, still an admin).
    std::fs::write(&file, "[[user]]\nname = ").expect("write broken");
    let until = std::time::Instant::now() + std::time::Duration::from_millis(2500);
    while std::time::Instant::now() < until {
        let (s, t) = call(&app, "GET", "/api/v1/queues", &vera, "127.0.0.1", "").await;
        assert_eq!(s, 200, "a broken file keeps the last good version: {t}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_proxy_user_takes_the_role_of_a_group_then_of_a_users_file_entry_and_may_still_use_basic() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = users_file(&dir);
    let flags = [
        "--users-file",
        &file,
        "--auth-proxy-header",
        "X-Forwarded-User",
        "--auth-proxy-groups-header",
        "X-Forwarded-Groups",
        "--auth-proxy-role",
        "operator=oncall",
        "--trusted-proxy",
        "10.0.0.0/8",
    ];
    let app = TestApp::with_args(&[server.url()], &flags);
    let h = |user: &str, groups: &str| {
        vec![
            ("x-forwarded-user".to_owned(), user.to_owned()),
            ("x-forwarded-groups".to_owned(), groups.to_owned()),
        ]
    };
    let requeue = "/api/v1/queues/nothing-here/requeue?state=failed";
    let empty = "/api/v1/queues/nothing-here/empty?state=failed";
    // A mapped group: operator.
    assert_ne!(call(&app, "POST", requeue, &h("zed", "staff,oncall"), "10.0.0.5", "").await.0, 403);
    assert_eq!(call(&app, "POST", empty, &h("zed", "oncall"), "10.0.0.5", "").await.0, 403);
    // No mapped group, but a [[user]] of that name (ada, admin): its role.
    assert_ne!(call(&app, "POST", empty, &h("ada", "staff"), "10.0.0.5", "").await.0, 403);
    // Neither: the default role, viewer.
    assert_eq!(call(&app, "POST", requeue, &h("zed", "staff"), "10.0.0.5", "").await.0, 403);
    // From the proxy without the header: Basic auth still works.
    let (s, _) = call(&app, "POST", empty, &auth("ada", "pw-ada"), "10.0.0.5", "").await;
    assert!(s != 401 && s != 403, "{s}");
    // The header from elsewhere: ignored, so no identity at all.
    assert_eq!(call(&app, "GET", "/api/v1/queues", &h("ada", "oncall"), "172.16.0.1", "").await.0, 401);
}
