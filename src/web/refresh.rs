//! Live refreshes cost Redis one render however many tabs ask: a page re-fetched for a snapshot
//! tick is rendered once per (path, query) and shared, in flight and for a few seconds after.
//!
//! Every open tab gets the same tick from the shared stream at the same moment and re-fetches the
//! same page; without this, N tabs meant N identical sets of reads. A refresh names its tick in
//! [`TICK`]; a render may answer it only if it started after that tick was sent (its stamp, the
//! instance's last sent tick when it started, is at least the tick asked for), so a tab never
//! gets data older than what told it to refresh. Any action (a non-GET request) drops every render.
//! Requests without the header (navigation, scripts, the API) are never served from here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body::Body as _;
use tokio::sync::OnceCell;

use super::AppState;

/// The request header of a live refresh: the `seq` of the snapshot that asked for it.
pub const TICK: &str = "x-rqdash-tick";
/// A render is shared this long at most; ticks come every second or so, so a few renders live.
const TTL: Duration = Duration::from_secs(5);
/// At most this many pages are kept (each is one rendered HTML page).
const MAX_ENTRIES: usize = 32;
/// Larger pages are served but not kept (so at most 64 MB are ever held, and usually a few pages
/// of some 100 kB, dropped [`TTL`] after their render).
const MAX_BODY: u64 = 2 << 20;

/// One rendered page, shared.
struct Page {
    headers: HeaderMap,
    body: Bytes,
}

struct Entry {
    /// The instance's last sent tick when this render started.
    stamp: u64,
    /// [`Renders::generation`] when it started: an action since then makes it unusable.
    generation: u64,
    born: Instant,
    page: Arc<OnceCell<Page>>,
}

/// The shared renders of live refreshes.
#[derive(Default)]
pub struct Renders {
    entries: Mutex<HashMap<String, Entry>>,
    /// Bumped before and after every action.
    generation: AtomicU64,
}

impl Renders {
    /// The render that answers a refresh of `key` for tick `wanted`: one in flight or kept, or a
    /// new empty one stamped `published` that the caller fills.
    fn join(&self, key: &str, wanted: u64, published: u64) -> Arc<OnceCell<Page>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let usable = |e: &Entry| e.generation == generation && now.duration_since(e.born) < TTL;
        if let Some(e) = map.get(key)
            && e.stamp >= wanted
            && usable(e)
        {
            return Arc::clone(&e.page);
        }
        map.retain(|_, e| usable(e));
        if map.len() >= MAX_ENTRIES
            && let Some(oldest) = map.iter().min_by_key(|(_, e)| e.born).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        let page = Arc::new(OnceCell::new());
        map.insert(
            key.to_owned(),
            Entry { stamp: published, generation, born: now, page: Arc::clone(&page) },
        );
        page
    }

    /// Forget the renders past their time.
    fn sweep(&self) {
        let generation = self.generation.load(Ordering::SeqCst);
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, e| e.generation == generation && now.duration_since(e.born) < TTL);
    }

    /// Forget every render: data may have changed under them.
    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// How many renders are kept (for tests and debugging).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Middleware: actions invalidate; live refreshes of a page share one render.
pub async fn layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        // Before: no render that starts during the action is kept. After: none that started
        // before it ended either.
        app.renders.invalidate();
        let res = next.run(req).await;
        app.renders.invalidate();
        return res;
    }
    let wanted = req.headers().get(TICK).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let (Some(wanted), true) = (wanted, req.method() == Method::GET) else {
        return next.run(req).await;
    };
    let Some(published) = instance(req.uri().query()).and_then(|n| app.hub.published(n)) else {
        // Nobody watches that instance: no tick to be at least as new as; render as usual.
        return next.run(req).await;
    };
    let key = share_key(&req);
    let cell = app.renders.join(&key, wanted, published);
    let got = cell
        .get_or_try_init(|| async move {
            let res = next.run(req).await;
            let page = keep(res).await?;
            // Memory comes back when the tabs go quiet: drop the render once it cannot be shared.
            let renders = Arc::clone(&app.renders);
            tokio::spawn(async move {
                tokio::time::sleep(TTL).await;
                renders.sweep();
            });
            Ok(page)
        })
        .await;
    match got {
        Ok(page) => {
            let mut res = Response::new(Body::from(page.body.clone()));
            *res.headers_mut() = page.headers.clone();
            res
        }
        // Not a page to share (an error, too large): this caller's own answer; the next one
        // waiting renders again.
        Err(res) => res,
    }
}

/// Which refreshes may share one render: the same page for the same identity. The page shows the
/// buttons its user may use (and the user's name), so a viewer must never be handed a render
/// made for an admin.
fn share_key(req: &Request) -> String {
    let page = req.uri().path_and_query().map_or_else(|| req.uri().path().to_owned(), ToString::to_string);
    let who = req.extensions().get::<crate::auth::Identity>();
    let who = who.map(|w| format!("{}\0{}\0{}\0{}", w.name, w.via.as_str(), w.role, w.queues.join(",")));
    format!("{}\0{page}", who.unwrap_or_default())
}

/// The rendered page, or the response itself when it is not one to share.
async fn keep(res: Response) -> Result<Page, Response> {
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let small = res.body().size_hint().exact().is_some_and(|n| n <= MAX_BODY);
    if res.status() != StatusCode::OK || !html || !small {
        return Err(res);
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, usize::try_from(MAX_BODY).unwrap_or(usize::MAX)).await {
        Ok(body) => Ok(Page { headers: parts.headers, body }),
        Err(e) => {
            tracing::warn!("a page could not be read back for sharing: {e}");
            Err(Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from("the page could not be rendered"))
                .unwrap_or_default())
        }
    }
}

/// The instance a page URL names (`instance=N`; 0 when absent), as the page itself reads it.
pub(super) fn instance(query: Option<&str>) -> Option<usize> {
    let mut found = None;
    for pair in query.unwrap_or("").split('&') {
        // An encoded name could be `instance` to the page and not to this reader: leave it alone.
        if pair.split('=').next().is_some_and(|k| k.contains(['%', '+'])) {
            return None;
        }
        if let Some(v) = pair.strip_prefix("instance=") {
            if found.is_some() {
                return None;
            }
            found = Some(v.parse().ok()?);
        }
    }
    Some(found.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::{Request, instance, share_key};
    use crate::auth::{Identity, Role};

    #[test]
    fn a_viewer_and_an_admin_never_share_a_render_of_the_same_page() {
        let req = |who: Option<Identity>| {
            let mut r = Request::builder()
                .uri("/queues/q?state=failed")
                .body(axum::body::Body::empty())
                .expect("request");
            if let Some(w) = who {
                r.extensions_mut().insert(w);
            }
            r
        };
        let admin = Identity::anonymous(None);
        let viewer = admin.clone().capped(Role::Viewer);
        let mut scoped = admin.clone();
        scoped.queues = vec!["q*".into()];
        let keys = [req(Some(admin.clone())), req(Some(viewer)), req(Some(scoped)), req(None)]
            .map(|r| share_key(&r));
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            share_key(&req(Some(admin.clone()))),
            share_key(&req(Some(admin))),
            "one user's tabs share"
        );
    }

    #[test]
    fn the_instance_of_a_page_url_is_read_as_the_page_reads_it() {
        assert_eq!(instance(None), Some(0));
        assert_eq!(instance(Some("state=failed&page=2")), Some(0));
        assert_eq!(instance(Some("state=failed&instance=3")), Some(3));
        assert_eq!(instance(Some("instance=x")), None);
        assert_eq!(instance(Some("instance=1&instance=2")), None);
        assert_eq!(instance(Some("inst%61nce=1")), None);
    }
}
