//! The rqdash binary: parse the command line, set up logging, dispatch: `serve` (the default)
//! or one of the command-line subcommands in [`rqdash::cli`].

use std::process::ExitCode;

use anyhow::Context;
use rqdash::config::{self, Command};
use rqdash::store::Store;
use rqdash::web;
use tokio_util::sync::CancellationToken;

/// mimalloc: the overview of 1,000 queues is ~10,000 small Redis replies, and glibc malloc was a
/// third of its CPU time in a profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = config::parse();
    match cli.command {
        None | Some(Command::Serve) => {
            init_logging("info", false);
            match serve(cli.redis, cli.serve).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("Error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Healthcheck(args)) => rqdash::cli::healthcheck::run(&args, &cli.serve),
        Some(command) => {
            // Command output goes to stdout; only warnings are logged, and to stderr.
            init_logging("warn", true);
            rqdash::cli::run(command, &cli.redis, &cli.cli, cli.serve.read_only).await
        }
    }
}

fn init_logging(default: &str, stderr: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    let fmt = tracing_subscriber::fmt().with_env_filter(filter);
    if stderr { fmt.with_writer(std::io::stderr).init() } else { fmt.init() }
}

async fn serve(redis: rqdash::config::RedisArgs, args: rqdash::config::ServeArgs) -> anyhow::Result<()> {
    let store = Store::from_args(&redis)?;
    let addr = format!("{}:{}", args.bind, args.port);
    let listener =
        tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let shutdown = CancellationToken::new();
    let history = rqdash::store::history::Layout::new(&args.history_prefix);
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
            history.clone(),
            args.history_interval,
            shutdown.clone(),
        );
    }
    let auth = args.credentials().map_err(anyhow::Error::msg)?;
    let state = web::AppState::new(
        store.clone(),
        args.prefix(),
        args.read_only,
        args.poll_interval,
        shutdown.clone(),
    )
    .with_auth(auth)
    .with_public_probes(args.probes_public)
    .with_metrics(rqdash::store::metrics::MetricsState::from_args(&args))
    .with_history(history);
    for inst in store.instances() {
        tracing::info!(instance = inst.index, url = %inst.url, "Redis instance configured");
    }
    tracing::info!("rqdash listening on http://{addr}{}/", args.prefix());
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    web::serve(listener, state).await?;
    Ok(())
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
