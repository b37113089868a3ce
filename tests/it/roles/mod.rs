//! Who may do what: users-file users (Basic), API tokens (Bearer), a trusted proxy's header, and
//! `--read-only`, against every route of the route table; refusals change nothing in Redis.

mod matrix;
mod scoped;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use base64::Engine;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::TestApp;

/// Users and tokens of the tests, with their secrets.
pub const USERS: [(&str, &str, &str, &str); 4] = [
    ("ada", "pw-ada", "admin", ""),
    ("otto", "pw-otto", "operator", ""),
    ("vera", "pw-vera", "viewer", ""),
    ("emma", "pw-emma", "operator", "queues = [\"def*\"]"),
];
pub const TOKEN: (&str, &str) = ("ci", "tok-ci-0123456789");

/// A users file with [`USERS`] and the operator token [`TOKEN`].
pub fn users_file(dir: &tempfile::TempDir) -> String {
    let mut text = String::new();
    for (name, pw, role, extra) in USERS {
        let h = rqdash::auth::password::hash(pw).expect("hash");
        text +=
            &format!("[[user]]\nname = \"{name}\"\npassword_hash = \"{h}\"\nrole = \"{role}\"\n{extra}\n\n");
    }
    let h = rqdash::auth::password::hash(TOKEN.1).expect("hash");
    text += &format!("[[token]]\nname = \"{}\"\ntoken_hash = \"{h}\"\nrole = \"operator\"\n", TOKEN.0);
    let path = dir.path().join("users.toml");
    std::fs::write(&path, text).expect("write users file");
    path.display().to_string()
}

pub fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

/// Status and body of one request from `addr` (the body is not read for a 200 GET: live streams
/// never end).
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    addr: &str,
    body: &str,
) -> (u16, String) {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    if !body.is_empty() {
        b = b.header("content-type", "application/json");
    }
    let addr: SocketAddr = format!("{addr}:40000").parse().expect("addr");
    let req = b.extension(ConnectInfo(addr)).body(Body::from(body.to_owned())).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("infallible router");
    let status = res.status().as_u16();
    if status == 200 && method == "GET" {
        return (status, String::new());
    }
    let bytes = res.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}
