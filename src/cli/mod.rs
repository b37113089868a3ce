//! The command-line subcommands: the same store calls as the web UI, printed as aligned tables
//! (coloured on a terminal, never with `NO_COLOR`) or, with `--json`, as the store's own
//! structures. Actions ask before they act unless `--yes`, and refuse without a terminal.
//!
//! # Layout
//! - [`info`]: `rq info`'s screen (queues with bars, workers), read-only.
//! - [`list`]: `queues`, `jobs`, `workers`; [`job`]: one job in full; [`schedulers`]: cron and
//!   queue schedulers; [`rate_limits`]: RQ 3.0's limiter keys and held jobs.
//! - [`actions`]: requeue / enqueue / delete / cancel by id, and stop.
//! - [`bulk`]: requeue --all, delete --all, empty, compact.
//! - [`control`]: suspend, resume; [`doctor`]: the integrity report and its repairs.
//! - [`check`]: queue health verdicts as a Nagios-style check (exit 0/1/2/3).
//! - [`audit`]: records every command that writes; `rqdash audit` prints the log.
//! - [`healthcheck`]: the local server's `/readyz` as an exit status (no Redis of its own).
//! - [`demo`]: a private Redis with simulated workers, served like `serve`.
//! - [`output`]: colours, numbers, JSON; [`table`]: aligned tables; [`prompt`]: confirmation,
//!   progress bars, Ctrl-C.

pub mod actions;
pub mod audit;
pub mod bulk;
pub mod check;
pub mod control;
pub mod demo;
pub mod doctor;
pub mod functions;
pub mod hash_password;
pub mod healthcheck;
pub mod info;
pub mod job;
pub mod list;
pub mod output;
pub mod prompt;
pub mod rate_limits;
pub mod schedulers;
pub mod search;
pub mod table;

use std::process::ExitCode;

use crate::config::{AuditArgs, CliArgs, Command, RedisArgs};
use crate::store::write::BulkAction;
use crate::store::{self, Instance, Store};
use output::Style;

/// Exit status when `doctor` leaves problems behind.
pub const EXIT_PROBLEMS: u8 = 3;
/// Exit status when `--read-only` (or `RQDASH_READ_ONLY`) refuses a command that writes.
pub const EXIT_READ_ONLY: u8 = 4;
/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// What every command gets: the instance to work on and the output options.
pub struct Ctx {
    store: Store,
    pub instance: usize,
    pub json: bool,
    pub yes: bool,
    /// Colours for stdout.
    pub style: Style,
    /// Which flag or variable named the Redis URL; None when rqdash fell back to localhost.
    pub url_source: Option<&'static str>,
    /// Where actions are recorded (`--audit-*`).
    pub audit: store::audit::Log,
    /// What the command did, for its audit outcome (see [`Ctx::done`]).
    results: std::sync::Mutex<std::collections::BTreeMap<String, serde_json::Value>>,
    /// The audit intent of a writing command: written once the user confirms (see [`audit`]).
    intent: std::sync::Mutex<Option<crate::audit::Entry>>,
}

impl Ctx {
    /// The instance chosen with --instance.
    pub fn inst(&self) -> Result<&Instance, store::Error> {
        self.store.instance(self.instance)
    }

    /// Ask `question` (unless `--yes`), then record the command's intent in the audit log: the
    /// point of no return of every command that writes. A refused question writes nothing; an
    /// intent that cannot be written stops the command before it acts (fail closed).
    pub async fn confirm(&self, question: &str) -> anyhow::Result<()> {
        prompt::confirm(self.yes, question)?;
        audit::write_intent(self).await
    }

    /// Note what a writing command did (its counts), for the audit log's outcome entry.
    pub fn done<T: serde::Serialize>(&self, what: &T) {
        let found = crate::audit::results(&serde_json::to_value(what).unwrap_or_default());
        if let Ok(mut r) = self.results.lock() {
            r.extend(found);
        }
    }

    /// RQ's key prefix of the chosen instance ("rq" unless configured).
    pub fn key_prefix(&self) -> String {
        self.inst().map_or_else(|_| "rq".to_owned(), |i| i.keys.prefix().to_owned())
    }

    /// "redis://host:6379 (instance 0)", for questions and headers (password masked).
    pub fn target(&self) -> String {
        match self.inst() {
            Ok(i) => format!("{} (instance {})", i.url, i.index),
            Err(_) => format!("instance {}", self.instance),
        }
    }
}

/// Run one subcommand; errors are printed to stderr as `rqdash: <message>` (exit status 1).
/// Under `read_only` a command that writes is refused before Redis is even reached.
pub async fn run(
    command: Command,
    redis: &RedisArgs,
    opts: &CliArgs,
    read_only: bool,
    audit: &AuditArgs,
) -> ExitCode {
    if let Command::Completions { shell } = command {
        clap_complete::generate(
            shell,
            &mut crate::config::completion_command(),
            "rqdash",
            &mut std::io::stdout(),
        );
        return ExitCode::SUCCESS;
    }
    if let (true, Some(what)) = (read_only, command.writes()) {
        eprintln!(
            "rqdash: read-only mode (--read-only, RQDASH_READ_ONLY or RQ_DASHBOARD_DISABLE_DELETE): \
             `rqdash {what}` writes to Redis and was refused; nothing was changed (reads such as \
             `rqdash jobs` still work)"
        );
        return ExitCode::from(EXIT_READ_ONLY);
    }
    let ctx = match Store::from_args(redis) {
        Ok(store) => {
            let url_source = redis.url_source();
            Ctx {
                store,
                instance: opts.instance,
                json: opts.json,
                yes: opts.yes,
                style: Style::stdout(),
                url_source,
                audit: audit.log(),
                results: std::sync::Mutex::default(),
                intent: std::sync::Mutex::default(),
            }
        }
        Err(e) => return fail(&e.into()),
    };
    // Every command that writes is recorded, around the one dispatch (see [`audit`]). Read-only
    // has refused those already, and writes no entry for the rest (`job --reveal`) either.
    let answer = if read_only {
        dispatch(&ctx, command).await
    } else {
        audit::audited(&ctx, &command.clone(), dispatch(&ctx, command)).await
    };
    match answer {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

async fn dispatch(ctx: &Ctx, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        // Handled before a store is built: serve, healthcheck, check and demo by main, completions above.
        Command::Serve
        | Command::Completions { .. }
        | Command::Healthcheck(_)
        | Command::Check
        | Command::Demo(_)
        | Command::HashPassword => Ok(ExitCode::SUCCESS),
        Command::Info(a) => info::info(ctx, &a).await,
        Command::Queues => list::queues(ctx).await,
        Command::Jobs(a) => list::jobs(ctx, &a).await,
        Command::Job { id, reveal } => job::job(ctx, &id, reveal).await,
        Command::Workers => list::workers(ctx).await,
        Command::Schedulers => schedulers::schedulers(ctx).await,
        Command::RateLimits(a) => rate_limits::rate_limits(ctx, &a).await,
        Command::Functions(a) => functions::functions(ctx, &a).await,
        Command::Search(a) => search::search(ctx, &a).await,
        Command::Requeue(a) if a.all => {
            bulk::requeue_all(ctx, a.queue.as_deref().unwrap_or_default(), a.state).await
        }
        Command::Requeue(a) => actions::per_id(ctx, BulkAction::Requeue, &a.ids).await,
        Command::Enqueue { ids } => actions::per_id(ctx, BulkAction::Enqueue, &ids).await,
        Command::Delete(a) => match (a.all, a.queue.as_deref(), a.state) {
            (true, Some(q), Some(s)) => bulk::empty(ctx, q, s).await,
            _ => actions::per_id(ctx, BulkAction::Delete, &a.ids).await,
        },
        Command::Cancel { ids } => actions::per_id(ctx, BulkAction::Cancel, &ids).await,
        Command::Empty(a) => bulk::empty(ctx, &a.queue, a.state).await,
        Command::Compact { queue } => bulk::compact(ctx, &queue).await,
        Command::Stop { id } => actions::stop(ctx, &id).await,
        Command::Suspend { duration } => control::suspend(ctx, duration).await,
        Command::Resume => control::resume(ctx).await,
        Command::Doctor(a) => doctor::doctor(ctx, &a).await,
        Command::Audit(a) => audit::show(ctx, &a).await,
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("rqdash: {}", output::clean_text(&format!("{e:#}")));
    ExitCode::FAILURE
}
