//! Page plumbing shared by every HTML handler: the page error (rendered inside the frame) and
//! `start`, which validates the query and picks the instance.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::Error;
use super::params::Params;
use super::view::Chrome;
use super::view::workers::ErrorPage;

/// A page error: rendered as an HTML page with the frame, never as JSON.
pub struct PageError(pub(super) Error, pub(super) Box<Chrome>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "{}", self.0);
        }
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::SERVICE_UNAVAILABLE => "Redis is unreachable",
            _ => "Something went wrong",
        };
        let mut c = *self.1;
        c.title = heading.to_owned();
        let page = ErrorPage {
            c,
            status: status.as_u16(),
            heading: heading.to_owned(),
            message: self.0.to_string(),
        };
        (status, page).into_response()
    }
}

pub(super) type PageResult<T> = Result<T, PageError>;

/// Turn any error into a page error inside the given frame: `.map_err(pe(&c))`.
pub(super) fn pe<E: Into<Error>>(c: &Chrome) -> impl Fn(E) -> PageError + '_ {
    move |e| PageError(e.into(), Box::new(c.clone()))
}

/// Validate the query and pick the instance; errors render inside the frame of instance 0.
pub(super) fn start(
    app: &AppState,
    q: Option<&str>,
    allowed: &[&str],
    title: &str,
    nav: &'static str,
) -> PageResult<(Params, Chrome)> {
    let fallback = || Chrome::new(app, 0, title, nav);
    let p = Params::parse(q, allowed).map_err(|e| PageError(e, Box::new(fallback())))?;
    let n = p.instance().map_err(|e| PageError(e, Box::new(fallback())))?;
    if app.store.instance(n).is_err() {
        return Err(PageError(Error::NotFound(format!("no Redis instance {n}")), Box::new(fallback())));
    }
    Ok((p, Chrome::new(app, n, title, nav)))
}
