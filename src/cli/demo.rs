//! `rqdash demo`: a private redis-server (or `--redis-url`), filled and kept moving by
//! [`store::demo`](crate::store::demo), served by the same server code as `serve` (passed in by
//! `main`), until SIGINT or SIGTERM; then everything is stopped and the data removed.

mod private;

use std::future::Future;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::EXIT_READ_ONLY;
use crate::config::{DemoArgs, RedisArgs, ServeArgs};
use crate::store::Store;
use crate::store::demo::{Demo, ORPHANS};
use private::PrivateRedis;

/// Run the demo; `server` is `serve`'s own server, run on `listener` until the token is
/// canceled.
pub async fn run<F, Fut>(args: DemoArgs, redis: RedisArgs, serve: ServeArgs, server: F) -> ExitCode
where
    F: FnOnce(TcpListener, RedisArgs, ServeArgs, CancellationToken) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    if serve.read_only && !redis.redis_url.is_empty() {
        eprintln!(
            "rqdash: read-only mode: `rqdash demo --redis-url` writes demo queues into that Redis and \
             was refused; nothing was changed (without --redis-url the demo uses a private Redis)"
        );
        return ExitCode::from(EXIT_READ_ONLY);
    }
    match demo(args, redis, serve, server).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rqdash: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn demo<F, Fut>(
    args: DemoArgs,
    mut redis: RedisArgs,
    mut serve: ServeArgs,
    server: F,
) -> anyhow::Result<()>
where
    F: FnOnce(TcpListener, RedisArgs, ServeArgs, CancellationToken) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let shared = !redis.redis_url.is_empty();
    if redis.redis_url.len() > 1 {
        anyhow::bail!("rqdash demo works on one Redis: give one --redis-url, or none for a private one");
    }
    // Signals are caught from the start, so that even an early Ctrl-C removes what was made.
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        stop.cancel();
    });
    let private = if shared { None } else { Some(PrivateRedis::start()?) };
    if let Some(p) = &private {
        redis.redis_url = vec![p.url()];
        redis.redis_password_file = None;
    }
    let token = seed_value();
    // On a shared Redis the dashboard's history goes under a prefix of its own, removed at the end.
    let history = shared.then(|| format!("rqdash-demo:{:08x}:history", token as u32));
    if let Some(h) = &history {
        serve.history_prefix = h.clone();
    }
    let store = Store::from_args(&redis)?;
    let mut demo = Demo::new(store, shared, history, token);
    let seeded = tokio::select! {
        r = demo.seed() => r.map_err(anyhow::Error::from),
        () = shutdown.cancelled() => Err(anyhow::anyhow!("interrupted while writing the demo data")),
    };
    let result = match seeded {
        Ok(_) => live(&args, &mut demo, &redis, serve, private.as_ref(), server, shutdown).await,
        Err(e) => Err(e),
    };
    let removed = if shared {
        tokio::time::timeout(Duration::from_secs(20), demo.remove())
            .await
            .context("removing the demo data timed out")?
    } else {
        Ok(())
    };
    drop(private);
    result?;
    removed.context("removing the demo data")?;
    println!("rqdash demo: stopped, demo data removed.");
    Ok(())
}

/// Serve and simulate until a signal (or a server error).
async fn live<F, Fut>(
    args: &DemoArgs,
    demo: &mut Demo,
    redis: &RedisArgs,
    serve: ServeArgs,
    private: Option<&PrivateRedis>,
    server: F,
    shutdown: CancellationToken,
) -> anyhow::Result<()>
where
    F: FnOnce(TcpListener, RedisArgs, ServeArgs, CancellationToken) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let listener = bind(&serve).await?;
    let port = listener.local_addr()?.port();
    let host = if serve.bind == "0.0.0.0" || serve.bind == "::" { "127.0.0.1" } else { serve.bind.as_str() };
    let dashboard = format!("http://{host}:{port}{}/", serve.prefix());
    let url = redis.redis_url.first().cloned().unwrap_or_default();
    banner(&dashboard, &url, demo, private, serve.port != 0 && port != serve.port);
    if !args.no_open && std::io::stdout().is_terminal() {
        open_browser(&dashboard);
    }
    let sim = simulate(demo, shutdown.clone());
    let served = server(listener, redis.clone(), serve, shutdown.clone());
    let (_, served) = tokio::join!(sim, async {
        let r = served.await;
        shutdown.cancel();
        r
    });
    served
}

/// The simulation, one tick a second, until `shutdown`.
async fn simulate(demo: &mut Demo, shutdown: CancellationToken) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failures = 0u64;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        if let Err(e) = demo.live_tick().await {
            // Once, then every minute: a Redis that went away should not flood the terminal.
            if failures.is_multiple_of(60) {
                tracing::warn!("demo simulation: {e}");
            }
            failures += 1;
        }
    }
}

/// The configured address; when the port is taken, any free port (the banner says which).
async fn bind(serve: &ServeArgs) -> anyhow::Result<TcpListener> {
    let addr = format!("{}:{}", serve.bind, serve.port);
    match TcpListener::bind(&addr).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let any = format!("{}:0", serve.bind);
            TcpListener::bind(&any).await.with_context(|| format!("cannot listen on {any}"))
        }
        Err(e) => Err(e).with_context(|| format!("cannot listen on {addr}")),
    }
}

fn banner(dashboard: &str, url: &str, demo: &Demo, private: Option<&PrivateRedis>, moved: bool) {
    let queues = demo.queues.join(" ");
    let moved = if moved { "   (the configured port was taken)" } else { "" };
    println!("rqdash demo: realistic RQ data, simulated workers, and the dashboard.\n");
    println!("  Dashboard  {dashboard}{moved}");
    match private {
        Some(p) => println!("  Redis      {url}   (private redis-server, data in {})", p.dir().display()),
        None => println!("  Redis      {url}   (demo queues only: {queues})"),
    }
    println!(
        "\n  {} simulated RQ 2.12 workers move jobs every second through queues {}.",
        demo.worker_names().len(),
        demo.queues.join(", ")
    );
    println!("  {ORPHANS} orphan ids are planted on purpose; `rqdash doctor -u {url}` finds them.");
    println!("\n  Point a real RQ worker at it (the jobs call Python builtins, JSON serializer):");
    println!("    rq worker -u {url} -S rq.serializers.JSONSerializer {}", demo.queues[0]);
    println!("\nCtrl-C stops everything and removes the demo data.");
}

/// Open the dashboard in the desktop's browser; quietly does nothing where there is none.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let child = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut c) = child {
        std::thread::spawn(move || c.wait());
    }
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Variety per run: the clock and the process id.
fn seed_value() -> u64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}
