//! The listener: a bounded number of connections, each closed when its client is too slow to send
//! headers or sits idle; at the cap the longest-idle connection makes room, and when every one is
//! busy a newcomer gets a short 503. Graceful shutdown that never waits more than [`GRACE`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::conn::{self, Activity, Tracked};
use crate::config::NetArgs;

/// How long shutdown waits for running requests before dropping them.
pub const GRACE: Duration = Duration::from_millis(1200);

/// Sockets answered "503 busy" at once; past it a newcomer is closed without a word.
const MAX_REFUSING: usize = 32;

/// File descriptors kept for Redis connections, files and refusals when fitting the cap.
const FD_RESERVE: u64 = 64;

/// The listener's limits, from `--max-connections`, `--header-timeout` and `--idle-timeout`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The connection cap, already lowered to fit the open-file limit.
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Limits {
    /// The limits asked for, the cap lowered (and logged) when `ulimit -n` cannot hold it.
    pub fn from_args(net: &NetArgs) -> Self {
        let asked = u64::from(net.max_connections);
        let nofile = open_file_limit();
        let fit = nofile.map_or(asked, |n| n.saturating_sub(FD_RESERVE).max(n / 2));
        if let Some(n) = nofile
            && fit < asked
        {
            tracing::warn!(
                "--max-connections {asked} lowered to {fit}: the open-file limit (ulimit -n) is {n}"
            );
        }
        Self {
            max_connections: usize::try_from(asked.min(fit)).unwrap_or(usize::MAX).max(1),
            header_timeout: net.header_timeout,
            idle_timeout: net.idle_timeout,
        }
    }
}

/// The soft RLIMIT_NOFILE, read from /proc (no libc call: rqdash forbids `unsafe`).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The open connections, each with the token that closes it to make room.
#[derive(Default)]
struct Registry {
    next: u64,
    open: HashMap<u64, (Arc<Activity>, CancellationToken)>,
}

impl Registry {
    /// Room for one more: a free slot, or the idle connection quiet the longest, closed.
    fn admit(&mut self, cap: usize) -> Option<(u64, Arc<Activity>, CancellationToken)> {
        if self.open.len() >= cap {
            let victim =
                self.open.iter().filter(|(_, (a, _))| a.idle()).min_by_key(|(_, (a, _))| a.quiet_since());
            let id = *victim?.0;
            if let Some((_, token)) = self.open.remove(&id) {
                token.cancel();
            }
        }
        self.next += 1;
        let (activity, token) = (Activity::new(), CancellationToken::new());
        self.open.insert(self.next, (Arc::clone(&activity), token.clone()));
        Some((self.next, activity, token))
    }
}

/// Serve `router` until `shutdown` is cancelled.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let registry = Arc::new(Mutex::new(Registry::default()));
    let tracker = TaskTracker::new();
    let refusing = Arc::new(AtomicUsize::new(0));
    let mut last_accept_warning: Option<tokio::time::Instant> = None;
    loop {
        let (stream, addr) = tokio::select! {
            () = shutdown.cancelled() => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors (or a connection reset before accept): wait a
                    // little for some to close rather than spin.
                    if last_accept_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                        tracing::warn!("accept error: {e}");
                        last_accept_warning = Some(tokio::time::Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let admitted = registry.lock().unwrap_or_else(PoisonError::into_inner).admit(limits.max_connections);
        let Some((id, activity, evict)) = admitted else {
            refuse(stream, &refusing, limits.max_connections, &tracker);
            continue;
        };
        let (router, limits, shutdown, registry) =
            (router.clone(), limits.clone(), shutdown.clone(), Arc::clone(&registry));
        tracker.spawn(async move {
            run(stream, addr, router, activity, &limits, evict, shutdown).await;
            registry.lock().unwrap_or_else(PoisonError::into_inner).open.remove(&id);
        });
    }
    drop(listener);
    tracker.close();
    if tokio::time::timeout(GRACE, tracker.wait()).await.is_err() {
        tracing::info!("{} connections still busy after {GRACE:?}: closing them", tracker.len());
    }
    Ok(())
}

/// One connection until it ends, times out, is evicted, or shutdown has let it finish.
async fn run(
    stream: TcpStream,
    addr: SocketAddr,
    router: Router,
    activity: Arc<Activity>,
    limits: &Limits,
    evict: CancellationToken,
    shutdown: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let io = hyper_util::rt::TokioIo::new(Tracked { stream, activity: Arc::clone(&activity) });
    let a = Arc::clone(&activity);
    let svc = hyper::service::service_fn(move |req| conn::handle(router.clone(), addr, Arc::clone(&a), req));
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, svc);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(limits.header_timeout, limits.idle_timeout);
        // While a request runs there is no deadline; look again after a while.
        let wake = deadline.unwrap_or_else(|| tokio::time::Instant::now() + limits.idle_timeout);
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%addr, "connection: {e}");
                }
                return;
            }
            () = tokio::time::sleep_until(wake) => {
                if deadline.is_some() && activity.deadline(limits.header_timeout, limits.idle_timeout)
                    .is_some_and(|d| d <= tokio::time::Instant::now())
                {
                    tracing::debug!(%addr, "closing a slow or idle connection");
                    return;
                }
            }
            () = activity.changed.notified() => {}
            () = evict.cancelled() => return,
            () = shutdown.cancelled(), if !stopping => {
                // Nothing running (idle, or a head still arriving): close now; else let the
                // running request finish (streams end by themselves on shutdown).
                if activity.idle() {
                    return;
                }
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Tell a client past the cap why it is refused, then close (bounded, so refusals cost little).
fn refuse(mut stream: TcpStream, refusing: &Arc<AtomicUsize>, cap: usize, tracker: &TaskTracker) {
    if refusing.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::AcqRel);
        return;
    }
    let refusing = Arc::clone(refusing);
    tracker.spawn(async move {
        let body = format!(
            "rqdash is serving its maximum of {cap} busy connections (--max-connections): try again shortly\n"
        );
        let msg = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
             retry-after: 2\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let answer = async {
            stream.write_all(msg.as_bytes()).await?;
            stream.shutdown().await?;
            // Read what the client sent until it closes: closing with unread data would reset
            // the connection and the client might never see the 503.
            let mut sink = [0u8; 1024];
            while stream.read(&mut sink).await? > 0 {}
            Ok::<_, std::io::Error>(())
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), answer).await;
        refusing.fetch_sub(1, Ordering::AcqRel);
    });
}
