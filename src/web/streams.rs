//! Live streams (Server-Sent Events: open pages, task progress) held per client address: each
//! stays open as long as its page, so without a cap one client could hold every connection.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::conn::Guarded;

/// Open streams by client address, at most `max` each (0: no limit).
#[derive(Debug)]
pub struct Streams {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl Streams {
    /// At most `max` streams per client address; 0 for no limit.
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self { max, open: Mutex::default() })
    }

    /// A slot for one more stream from `ip`, or None at the cap.
    fn take(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(ip).or_default();
        if self.max > 0 && *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Slot { streams: Arc::clone(self), ip })
    }
}

/// One open stream; its count is given back when the response body is dropped.
pub struct Slot {
    streams: Arc<Streams>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Middleware of the streaming routes: a slot for the client's address, or 429 saying why.
pub async fn limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    // No address when the router is driven in-process (tests): nobody to count against.
    let Some(ip) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_canonical()) else {
        return next.run(req).await;
    };
    let Some(slot) = app.streams.take(ip) else {
        let msg = format!(
            "too many live streams from {ip}: {} are open (--max-streams-per-client); close some \
             tabs, or raise the limit when many users share one address (a reverse proxy)",
            app.streams.max
        );
        return (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({ "error": msg })))
            .into_response();
    };
    next.run(req).await.map(|inner| Body::new(Guarded { inner, _guard: slot }))
}
