//! One HTTP connection: its socket watched for activity, so that a client that never finishes its
//! headers, or sits idle, is closed on time; a response body that says when it is done.

use std::convert::Infallible;
use std::io::IoSlice;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tower::ServiceExt;

/// What the watchdog of a connection needs to know; times in ms since the connection opened.
pub struct Activity {
    opened: Instant,
    /// Requests whose response, body included, is not finished (SSE streams count until closed).
    busy: AtomicUsize,
    /// When the first byte of a request head arrived while nothing ran; 0 when none is pending.
    head_since: AtomicU64,
    /// The last byte read or written.
    last_io: AtomicU64,
    /// Woken when a deadline may have come closer (a request head began).
    pub changed: tokio::sync::Notify,
}

impl Activity {
    /// A connection opened now: its first request head is due within the header timeout.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            busy: AtomicUsize::new(0),
            head_since: AtomicU64::new(1),
            last_io: AtomicU64::new(1),
            changed: tokio::sync::Notify::new(),
        })
    }

    fn now(&self) -> u64 {
        // +1 so that 0 keeps meaning "none" in `head_since`.
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Whether no request is running: such a connection may be closed to make room.
    pub fn idle(&self) -> bool {
        self.busy.load(Ordering::Acquire) == 0
    }

    /// When the last byte was read or written (or the connection opened), for picking the
    /// connection quiet the longest.
    pub fn quiet_since(&self) -> Instant {
        self.at(self.last_io.load(Ordering::Relaxed))
    }

    fn at(&self, ms: u64) -> Instant {
        self.opened + Duration::from_millis(ms.saturating_sub(1))
    }

    fn saw_io(&self, read: bool) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if read
            && self.idle()
            && self.head_since.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            self.changed.notify_one();
        }
    }

    /// When this connection must be closed if nothing changes: None while a request runs.
    pub fn deadline(&self, header: Duration, idle: Duration) -> Option<Instant> {
        if !self.idle() {
            return None;
        }
        let idle_at = self.quiet_since() + idle;
        match self.head_since.load(Ordering::Relaxed) {
            0 => Some(idle_at),
            since => Some(idle_at.min(self.at(since) + header)),
        }
    }
}

/// Held while a request runs, from its parsed head to the end of its response body.
pub struct Busy(Arc<Activity>);

impl Busy {
    fn start(a: &Arc<Activity>) -> Self {
        a.busy.fetch_add(1, Ordering::AcqRel);
        a.head_since.store(0, Ordering::Relaxed);
        Self(Arc::clone(a))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.saw_io(false);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps `G` alive until the body is finished or dropped.
pub struct Guarded<G> {
    pub inner: Body,
    /// Held, never read: dropping it is what signals the end.
    pub _guard: G,
}

impl<G: Unpin + Send + 'static> http_body::Body for Guarded<G> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The socket, noting each read and write in its [`Activity`].
pub struct Tracked {
    pub stream: TcpStream,
    pub activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.saw_io(true);
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.stream).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.saw_io(false);
        }
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.saw_io(false);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Answer one request with `router`, the client's address attached, the connection marked busy
/// until the response body is done.
pub async fn handle(
    router: Router,
    addr: SocketAddr,
    activity: Arc<Activity>,
    mut req: axum::http::Request<hyper::body::Incoming>,
) -> Result<axum::http::Response<Guarded<Busy>>, Infallible> {
    let busy = Busy::start(&activity);
    req.extensions_mut().insert(ConnectInfo(addr));
    let res = router.oneshot(req.map(Body::new)).await?;
    Ok(res.map(|inner| Guarded { inner, _guard: busy }))
}
