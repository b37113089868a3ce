//! The rqdash binary: parse the command line, set up logging, dispatch.

use anyhow::Context;
use clap::Parser;
use rqdash::config::{Cli, Command};
use rqdash::store::Store;
use rqdash::web;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.redis, cli.serve).await,
    }
}

async fn serve(redis: rqdash::config::RedisArgs, args: rqdash::config::ServeArgs) -> anyhow::Result<()> {
    let store = Store::from_args(&redis)?;
    let addr = format!("{}:{}", args.bind, args.port);
    let listener =
        tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let shutdown = CancellationToken::new();
    let auth = args.credentials().map_err(anyhow::Error::msg)?;
    let state = web::AppState::new(
        store.clone(),
        args.prefix(),
        args.read_only,
        args.poll_interval,
        shutdown.clone(),
    )
    .with_auth(auth);
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
