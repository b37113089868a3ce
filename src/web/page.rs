//! Page plumbing shared by every HTML handler: the page error, the one place that draws it inside
//! the frame ([`framed`]), and `start`, which validates the query and picks the instance.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::Error;
use super::params::Params;
use super::view::Chrome;
use super::view::workers::ErrorPage;
use crate::store;

/// A page error: the error alone. Handlers return it with `?`; [`framed`] draws it as an HTML
/// page inside the frame, never as JSON.
pub struct PageError(Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError(e)
    }
}

impl From<store::Error> for PageError {
    fn from(e: store::Error) -> Self {
        PageError(e.into())
    }
}

/// What [`framed`] needs to draw a page error: its status is the response's.
#[derive(Clone)]
struct Failure(String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "{}", self.0);
        }
        let mut res = status.into_response();
        res.extensions_mut().insert(Failure(self.0.to_string()));
        res
    }
}

pub(super) type PageResult<T> = Result<T, PageError>;

/// Middleware on every route: a [`PageError`] becomes the framed error page here, in the frame
/// of the instance the URL names (0 when it names none that exists) and the section of its path.
pub async fn framed(State(app): State<AppState>, req: Request, next: Next) -> Response {
    // A cheap clone (shared bytes): the frame is worked out only for a failed page.
    let uri = req.uri().clone();
    let res = next.run(req).await;
    let Some(Failure(message)) = res.extensions().get::<Failure>().cloned() else {
        return res;
    };
    let path = uri.path();
    let nav = nav_of(path.strip_prefix(app.prefix.as_str()).unwrap_or(path));
    let n = super::refresh::instance(uri.query()).filter(|n| app.store.instance(*n).is_ok());
    let status = res.status();
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::BAD_REQUEST => "Bad request",
        StatusCode::SERVICE_UNAVAILABLE => "Redis is unreachable",
        _ => "Something went wrong",
    };
    let c = Chrome::new(&app, n.unwrap_or(0), heading, nav);
    let page = ErrorPage { c, status: status.as_u16(), heading: heading.to_owned(), message };
    (status, page).into_response()
}

/// The navigation entry a page path belongs to (the same one its handler passes to [`start`]).
fn nav_of(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "" => "overview",
        "workers" => "workers",
        "failed" => "failed",
        "search" => "search",
        "schedulers" => "schedulers",
        "rate-limits" => "rate-limits",
        "doctor" => "doctor",
        "audit" => "audit",
        _ => "",
    }
}

/// Validate the query and pick the instance (a 404 when it does not exist).
pub(super) fn start(
    app: &AppState,
    q: Option<&str>,
    allowed: &[&str],
    title: &str,
    nav: &'static str,
) -> PageResult<(Params, Chrome)> {
    let p = Params::parse(q, allowed)?;
    let n = p.instance()?;
    if app.store.instance(n).is_err() {
        return Err(Error::NotFound(format!("no Redis instance {n}")).into());
    }
    Ok((p, Chrome::new(app, n, title, nav)))
}

#[cfg(test)]
mod tests {
    use super::nav_of;

    #[test]
    fn an_error_page_is_framed_in_the_section_of_its_path() {
        assert_eq!(nav_of("/"), "overview");
        assert_eq!(nav_of(""), "overview");
        assert_eq!(nav_of("/failed/groups"), "failed");
        assert_eq!(nav_of("/workers/w1"), "workers");
        assert_eq!(nav_of("/rate-limits/k"), "rate-limits");
        assert_eq!(nav_of("/queues/default"), "");
        assert_eq!(nav_of("/jobs/x"), "");
    }
}
