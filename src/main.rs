//! The rqdash binary: parse the command line, set up logging, dispatch: `serve` (the default)
//! or one of the command-line subcommands in [`rqdash::cli`].

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use rqdash::config::{self, Command};
use rqdash::store::Store;
use rqdash::web;
use tokio_util::sync::CancellationToken;

/// mimalloc: the overview of 1,000 queues is ~10,000 small Redis replies, and glibc malloc was a
/// third of its CPU time in a profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Threads for blocking work (decoding a job page, grouping failures). Each keeps its own
/// allocator heap, so hundreds of them (tokio's default cap is 512) hold memory long after a
/// burst; the render gate keeps fewer than this busy, and idle ones exit after [`THREAD_IDLE`].
const MAX_BLOCKING_THREADS: usize = 16;
const THREAD_IDLE: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_keep_alive(THREAD_IDLE)
        .build();
    match rt {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "Error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = config::parse();
    // Before anything is decoded: every page, API and command shows values through it.
    rqdash::rq::redact::install(cli.redis.redactor());
    match cli.command {
        None | Some(Command::Serve) => {
            // rq-dashboard's flags and settings that were accepted but mean nothing here.
            for w in &cli.rqd.warnings {
                let _ = writeln!(std::io::stderr(), "warning: {w}");
            }
            match cli.rqd.log_level() {
                // --debug / -v say it on the command line: they win over RUST_LOG.
                Some(level) => init_logging_at(level, false),
                None => init_logging("info", false),
            }
            // A mistake in the users file stops rqdash before it listens (exit status 2).
            if let Err(e) = cli.serve.access.validate() {
                let _ = writeln!(std::io::stderr(), "Error: {e}");
                return ExitCode::from(2);
            }
            match serve(cli.redis, cli.serve).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    // Not eprintln!: it panics when stderr is a closed pipe.
                    let _ = writeln!(std::io::stderr(), "Error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Healthcheck(args)) => rqdash::cli::healthcheck::run(&args, &cli.serve),
        Some(Command::HashPassword) => rqdash::cli::hash_password::run(),
        Some(Command::Check) => {
            init_logging("warn", true);
            rqdash::cli::check::run(&cli.redis, &cli.serve, &cli.cli).await
        }
        Some(Command::Demo(args)) => {
            // The banner goes to stdout; logs (warnings) to stderr.
            init_logging("warn", true);
            rqdash::cli::demo::run(args, cli.redis, cli.serve, run_server).await
        }
        Some(mut command) => {
            // Command output goes to stdout; only warnings are logged, and to stderr.
            init_logging("warn", true);
            if let Command::Functions(a) = &mut command {
                a.history_prefix.clone_from(&cli.serve.history_prefix);
            }
            if let Command::Doctor(a) = &mut command {
                a.history_prefix.clone_from(&cli.serve.history_prefix);
                a.storage = cli.serve.storage_max_memory;
            }
            if let Command::Search(a) = &mut command {
                a.history_prefix.clone_from(&cli.serve.history_prefix);
            }
            rqdash::cli::run(command, &cli.redis, &cli.cli, cli.serve.read_only, &cli.serve.audit).await
        }
    }
}

/// Colours only on a terminal. A log line that cannot be written (the reader of a pipe is gone)
/// is dropped silently: tracing's own complaint goes to stderr through `eprintln!`, which panics
/// when stderr is that closed pipe, and a panic in the signal task left rqdash deaf to SIGTERM.
fn init_logging(default: &str, stderr: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    init_logging_with(filter, stderr);
}

/// [`init_logging`] at `level` whatever RUST_LOG says.
fn init_logging_at(level: &str, stderr: bool) {
    init_logging_with(level.into(), stderr);
}

fn init_logging_with(filter: tracing_subscriber::EnvFilter, stderr: bool) {
    use std::io::IsTerminal;
    let ansi = if stderr { std::io::stderr().is_terminal() } else { std::io::stdout().is_terminal() };
    let fmt = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).log_internal_errors(false);
    if stderr { fmt.with_writer(std::io::stderr).init() } else { fmt.init() }
}

async fn serve(redis: rqdash::config::RedisArgs, args: rqdash::config::ServeArgs) -> anyhow::Result<()> {
    let addr = format!("{}:{}", args.bind, args.port);
    let listener =
        tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        // Cancel before anything else can fail: this task is what makes rqdash stop.
        stop.cancel();
        force_exit_after(web::server::GRACE + Duration::from_millis(600));
        tracing::info!("shutting down");
        // A second signal while requests finish: stop at once.
        wait_for_signal().await;
        std::process::exit(0);
    });
    run_server(listener, redis, args, shutdown).await
}

/// The dashboard on `listener` until `shutdown` (`serve`'s, and `demo`'s once its data is ready).
async fn run_server(
    listener: tokio::net::TcpListener,
    redis: rqdash::config::RedisArgs,
    args: rqdash::config::ServeArgs,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let store = Store::from_args(&redis)?;
    let state =
        web::AppState::from_args(store.clone(), &args, shutdown.clone()).map_err(anyhow::Error::msg)?;
    // Read-only means nothing is written to Redis at all, history buckets included (a read-only
    // ACL user could not write them anyway); charts still show what a writing rqdash records.
    if args.read_only && !args.no_history {
        tracing::info!(
            "--read-only: history sampling is off (charts show what other rqdash instances record)"
        );
    }
    if !args.no_history && !args.read_only {
        rqdash::store::history::spawn_sampler(
            store.clone(),
            state.history.clone(),
            rqdash::store::history::Limits {
                functions_max: args.functions_max,
                archive: rqdash::store::archive::Retention {
                    max_age: args.archive_max_age,
                    max_entries: args.archive_max_entries,
                },
                storage: args.storage_max_memory,
                audit_prefix: args.audit.audit_prefix.clone(),
            },
            args.history_interval,
            shutdown.clone(),
        );
        // Health verdicts at the sampler's period; alerts only when a webhook is configured.
        let hooks = args.health.hooks();
        let lease = (args.history_interval * 3).max(Duration::from_secs(15));
        let alerter = (!hooks.is_empty()).then(|| rqdash::health::alerter::Alerter::new(hooks, lease));
        rqdash::health::task::spawn(
            store.clone(),
            state.health.clone(),
            alerter,
            args.history_interval,
            shutdown.clone(),
        );
    } else if !args.health.hooks().is_empty() {
        tracing::warn!("health alerts are off: they need history sampling (no --read-only, no --no-history)");
    }
    warn_about_hosts(&args);
    let limits = web::server::Limits::from_args(&args.net);
    for inst in store.instances() {
        tracing::info!(instance = inst.index, url = %inst.url, "Redis instance configured");
    }
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("rqdash listening on http://{addr}{}/", args.prefix());
    }
    web::serve(listener, state, limits).await?;
    Ok(())
}

/// Exit after `d` even if something (a blocking task, a stuck connection) holds the runtime.
fn force_exit_after(d: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(d);
        std::process::exit(0);
    });
}

/// DNS rebinding: say at start what a listener on every interface will and will not answer.
fn warn_about_hosts(args: &rqdash::config::ServeArgs) {
    let everywhere = args.bind.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_unspecified());
    if args.net.allowed_host.iter().any(|h| h.trim() == "*") {
        tracing::warn!(
            "--allowed-host '*': any Host name is served; a web page can reach this dashboard \
             through DNS rebinding. List the names you use instead."
        );
    } else if everywhere && args.net.allowed_host.is_empty() {
        tracing::warn!(
            "listening on {} without --allowed-host: requests are served only when they name a \
             loopback host (localhost, 127.0.0.1, [::1]); others get 421. Pass --allowed-host \
             with the name or address clients use (behind a proxy, the proxy's host name).",
            args.bind
        );
    }
}

/// SIGINT (Ctrl-C) or SIGTERM (service managers, containers).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
