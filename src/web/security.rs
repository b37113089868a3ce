//! Request guards: the `Host` name (DNS rebinding), HTTP Basic auth on every route, and for
//! mutations read-only mode and CSRF checks. Every request that passes carries its [`Identity`]
//! as a request extension.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use subtle::ConstantTimeEq;

use super::AppState;
use super::access::Denied;
use crate::auth::{Identity, Role};
use crate::config::Credentials;

/// The header pages send with every mutation.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A per-process secret token for forms and fetches; unguessable by other sites.
pub fn new_token() -> String {
    let mut buf = [0u8; 16];
    let ok =
        std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf));
    if ok.is_err() {
        // No /dev/urandom: fall back to std's randomly seeded hasher, still unpredictable.
        use std::hash::{BuildHasher, Hasher};
        for chunk in buf.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(std::time::SystemTime::now().elapsed().map(|d| d.as_nanos()).unwrap_or_default());
            chunk.copy_from_slice(&h.finish().to_le_bytes()[..chunk.len()]);
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Whether the Authorization header carries the configured credentials (constant-time compare).
pub fn authorized(headers: &HeaderMap, creds: &Credentials) -> bool {
    let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(b64) = v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")) else { return false };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else { return false };
    let Some(colon) = raw.iter().position(|b| *b == b':') else { return false };
    let user_ok = eq(&raw[..colon], creds.username.as_bytes());
    let pass_ok = eq(&raw[colon + 1..], creds.password.as_bytes());
    user_ok & pass_ok
}

/// A browser says where a request comes from; anything but this origin is refused for mutations.
pub fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    if origin == "null" {
        return true;
    }
    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
    let hosts = [header::HOST.as_str(), "x-forwarded-host"];
    !hosts.iter().filter_map(|h| headers.get(*h).and_then(|v| v.to_str().ok())).any(|h| h == origin_host)
}

/// Requests from browsers carry these; command-line clients (curl) carry none of them.
fn from_browser(headers: &HeaderMap) -> bool {
    ["origin", "sec-fetch-site", "sec-fetch-mode", "cookie"].iter().any(|h| headers.contains_key(*h))
}

fn refuse(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()
}

/// The first name a request gives that `--allowed-host` does not allow: its `Host`, the authority
/// of an absolute URI, or a proxy's `X-Forwarded-Host`. None when every name is allowed; a request
/// with no name at all (HTTP/1.0) is served, as browsers always send `Host`.
fn foreign_host(app: &AppState, req: &Request) -> Option<String> {
    let headers = req.headers();
    const NAMED: [&str; 2] = ["host", "x-forwarded-host"];
    let named = NAMED
        .iter()
        .filter_map(|h| headers.get(*h))
        .map(|v| String::from_utf8_lossy(v.as_bytes()).split(',').next().unwrap_or_default().to_owned());
    req.uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .into_iter()
        .chain(named)
        .find(|h| !app.hosts.allows(h))
}

fn misdirected(path: &str, host: &str) -> Response {
    let msg = format!(
        "rqdash does not answer to the host name {host:?}: it serves loopback names, its bind \
         address and the names given with --allowed-host (RQDASH_ALLOWED_HOSTS). Start it with \
         --allowed-host NAME for the name you use to reach it (behind a proxy, the proxy's)."
    );
    // JSON where scripts read JSON: the API and rq-dashboard's `/{n}/data/` endpoints.
    if path.starts_with("/api/") || path.split('/').nth(2) == Some("data") {
        return refuse(StatusCode::MISDIRECTED_REQUEST, &msg);
    }
    (StatusCode::MISDIRECTED_REQUEST, msg).into_response()
}

/// The middleware: the host name (every route but the probes), then auth (every route, but the
/// probes with --probes-public and /metrics with --metrics-token), then the mutation rules.
pub async fn guard(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    // Exact paths: a queue or job id may itself end in "/healthz" or "/metrics".
    let path = req.uri().path().strip_prefix(app.prefix.as_str()).unwrap_or("");
    // Health checkers (Docker, Kubernetes) name the host by its IP: the probes answer any name;
    // they say whether rqdash and its Redis answer, with passwords masked, and nothing else.
    if !super::probes::PATHS.contains(&path)
        && let Some(host) = foreign_host(&app, &req)
    {
        return misdirected(path, &host);
    }
    // With --metrics-token, /metrics checks its bearer token itself: Prometheus sends one header.
    let metrics_by_token = app.metrics.token_required() && path == "/metrics";
    let public_probe = app.probes_public && super::probes::PATHS.contains(&path);
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_canonical());
    let who = if !app.access.required() {
        Identity::anonymous(addr)
    } else if public_probe || metrics_by_token {
        // Let in without credentials: an anonymous viewer.
        Identity::anonymous(addr).capped(Role::Viewer)
    } else {
        match app.access.identify(headers, addr).await {
            Ok(who) => who,
            Err(Denied::Unauthenticated) => return unauthenticated(),
            Err(Denied::Throttled(wait)) => return throttled(wait),
        }
    };
    // `--read-only` caps everyone at viewer.
    let who = if app.read_only { who.capped(Role::Viewer) } else { who };
    let headers = req.headers();
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        if app.read_only {
            return refuse(StatusCode::FORBIDDEN, "rqdash runs in read-only mode: actions are disabled");
        }
        if cross_site(headers) {
            return refuse(StatusCode::FORBIDDEN, "cross-site request refused (CSRF protection)");
        }
        let token = headers.get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
        if from_browser(headers) && !eq(token, app.csrf.as_bytes()) {
            return refuse(
                StatusCode::FORBIDDEN,
                "missing or wrong CSRF token: reload the page and try again",
            );
        }
    }
    req.extensions_mut().insert(who.clone());
    // Also task-local, for the page frame (which buttons to draw) deep inside handlers.
    CALLER.scope(who, next.run(req)).await
}

tokio::task_local! {
    static CALLER: Identity;
}

/// The identity of the request being answered on this task (None outside a request).
pub fn caller() -> Option<Identity> {
    CALLER.try_with(Clone::clone).ok()
}

fn unauthenticated() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"rqdash\", charset=\"UTF-8\"")],
        "authentication required",
    )
        .into_response()
}

fn throttled(wait: std::time::Duration) -> Response {
    let secs = wait.as_secs().max(1);
    let msg = format!("too many failed sign-ins from this address: try again in {secs} s");
    let mut res = refuse(StatusCode::TOO_MANY_REQUESTS, &msg);
    res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().expect("header value"));
        }
        m
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        assert!(cross_site(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&h(&[("sec-fetch-site", "same-site")])));
        assert!(!cross_site(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&h(&[("origin", "https://evil.example"), ("host", "127.0.0.1:9181")])));
        assert!(!cross_site(&h(&[("origin", "http://127.0.0.1:9181"), ("host", "127.0.0.1:9181")])));
        assert!(!cross_site(&h(&[])));
    }

    #[test]
    fn basic_auth_checks_user_and_password() {
        let c = Credentials { username: "admin".into(), password: "s3cret".into() };
        let good = base64::engine::general_purpose::STANDARD.encode("admin:s3cret");
        let bad = base64::engine::general_purpose::STANDARD.encode("admin:nope");
        assert!(authorized(&h(&[("authorization", &format!("Basic {good}"))]), &c));
        assert!(!authorized(&h(&[("authorization", &format!("Basic {bad}"))]), &c));
        assert!(!authorized(&h(&[]), &c));
    }

    #[test]
    fn tokens_are_long_and_different() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
