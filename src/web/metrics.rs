//! `GET /metrics`: every instance's RQ gauges for Prometheus, as OpenMetrics text, or as the
//! classic text format 0.0.4 for a scraper that prefers it (see [`negotiate`]).
//!
//! With `--metrics-token` the route wants `Authorization: Bearer <token>` and `security::guard`
//! lets it past HTTP Basic auth; without one it is covered by Basic auth like every route.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::store::metrics::Format;

/// The exposition of every configured instance (cached for `--metrics-cache`).
pub async fn metrics(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if !app.metrics.bearer_ok(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes())) {
        let challenge = [(header::WWW_AUTHENTICATE, "Bearer realm=\"rqdash\"")];
        return (StatusCode::UNAUTHORIZED, challenge, "bearer token required").into_response();
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let format = negotiate(accept);
    let text = app.metrics.render_as(&app.store, format).await;
    let body = Body::from(Bytes::from_owner(ArcText(text)));
    ([(header::CONTENT_TYPE, format.content_type()), (header::VARY, "Accept")], body).into_response()
}

/// The format an `Accept` header prefers: the text format only when `text/plain` (no version,
/// 0.0.4, or the 1.0.0 it is a subset of) has a higher `q` than OpenMetrics (also reached by
/// `*/*` and `application/*`). Prometheus lists both and ranks OpenMetrics first, so it gets
/// OpenMetrics unless its `scrape_protocols` ask for the text format; no header means OpenMetrics.
pub fn negotiate(accept: &str) -> Format {
    let (mut om, mut text) = (0.0_f64, 0.0_f64);
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let mime = parts.next().unwrap_or("").to_ascii_lowercase();
        let (mut q, mut version) = (1.0, None);
        for p in parts {
            match p.split_once('=').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim())) {
                Some((k, v)) if k == "q" => q = v.parse::<f64>().unwrap_or(0.0).clamp(0.0, 1.0),
                Some((k, v)) if k == "version" => version = Some(v.to_owned()),
                _ => {}
            }
        }
        match mime.as_str() {
            "application/openmetrics-text" | "application/*" | "*/*" => om = om.max(q),
            "text/plain" if version.as_deref().is_none_or(|v| v == "0.0.4" || v == "1.0.0") => {
                text = text.max(q);
            }
            _ => {}
        }
    }
    if text > om { Format::Text } else { Format::OpenMetrics }
}

/// The cached text shared with the response body, without a copy per scrape.
struct ArcText(std::sync::Arc<str>);

impl AsRef<[u8]> for ArcText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, negotiate};

    #[test]
    fn prometheus_gets_openmetrics_unless_it_ranks_the_text_format_first() {
        let cases = [
            ("", Format::OpenMetrics),
            ("*/*", Format::OpenMetrics),
            ("text/plain;version=0.0.4", Format::Text),
            ("text/plain; version=0.0.4; charset=utf-8", Format::Text),
            ("text/plain;version=0.0.4;q=1,*/*;q=0.1", Format::Text),
            // Prometheus 2.x and 3.x defaults.
            (
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,\
                 text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                Format::OpenMetrics,
            ),
            (
                "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,\
                 text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
                Format::OpenMetrics,
            ),
            ("text/plain;version=0.0.4;q=0.2,application/openmetrics-text;q=0.1", Format::Text),
            ("text/plain;version=0.0.4;q=0", Format::OpenMetrics),
            ("text/plain;version=9.9.9", Format::OpenMetrics),
        ];
        for (accept, want) in cases {
            assert_eq!(negotiate(accept), want, "{accept}");
        }
    }
}
