//! Which global flag each subcommand uses: the others are hidden from its help and completions,
//! and refused when given.
//!
//! Every flag is a clap `global` so that it works before or after the subcommand (`rqdash -u URL
//! jobs q`, `rqdash --instance 1 doctor`, as earlier releases accepted). clap copies a global flag
//! into every subcommand, unless the subcommand already has an argument with that id: [`apply`]
//! gives each subcommand its own copy of every global flag first, visible where it is used and
//! hidden elsewhere, and [`check`] refuses a hidden one given on the command line, so that
//! `rqdash jobs q --port 1` is an error instead of a flag silently ignored.

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Command, CommandFactory};

use super::{Cli, RedisArgs, ServeArgs};

/// Subcommands that write to Redis: they take `--yes` and `--read-only` (`doctor` with `--fix`).
/// [`Command::writes`](super::Command::writes) decides per invocation; a test keeps the two in step.
pub const WRITERS: [&str; 10] =
    ["requeue", "enqueue", "delete", "cancel", "empty", "compact", "stop", "suspend", "resume", "doctor"];

impl super::Command {
    /// What this invocation would write to Redis, named for a refusal ("requeue", "doctor
    /// --fix"); None for reads. Every new subcommand must answer here (the match is exhaustive).
    pub fn writes(&self) -> Option<&'static str> {
        match self {
            Self::Serve
            | Self::Info(_)
            | Self::Queues
            | Self::Jobs(_)
            | Self::Job { .. }
            | Self::Workers
            | Self::Schedulers
            | Self::RateLimits(_)
            | Self::Functions(_)
            | Self::Search(_)
            | Self::Completions { .. }
            | Self::Healthcheck(_)
            | Self::HashPassword
            | Self::Check
            | Self::Audit(_) => None,
            // The demo writes to its own private Redis; with --redis-url it refuses --read-only itself.
            Self::Demo(_) => None,
            Self::Doctor(d) => d.fix.then_some("doctor --fix"),
            Self::Requeue(_) => Some("requeue"),
            Self::Enqueue { .. } => Some("enqueue"),
            Self::Delete(_) => Some("delete"),
            Self::Cancel { .. } => Some("cancel"),
            Self::Empty(_) => Some("empty"),
            Self::Compact { .. } => Some("compact"),
            Self::Stop { .. } => Some("stop"),
            Self::Suspend { .. } => Some("suspend"),
            Self::Resume => Some("resume"),
        }
    }
}

/// The command as parsed: each subcommand shows only the flags it uses.
pub fn command() -> clap::Command {
    apply(Cli::command())
}

/// The command whose shell completions `rqdash completions` prints: each subcommand completes
/// only the flags it uses.
pub fn completion_command() -> clap::Command {
    let base = clap::Command::new("rqdash").version(env!("CARGO_PKG_VERSION"));
    let base = <super::Command as clap::Subcommand>::augment_subcommands(ServeArgs::augment_args(
        RedisArgs::augment_args(base),
    ));
    for_completions(base, &Cli::command())
}

fn ids<A: Args>() -> Vec<String> {
    A::augment_args(Command::new("ids")).get_arguments().map(|a| a.get_id().to_string()).collect()
}

/// The ids of the Redis and serve flags.
struct Scope {
    redis: Vec<String>,
    serve: Vec<String>,
}

impl Scope {
    fn new() -> Self {
        Self { redis: ids::<RedisArgs>(), serve: ids::<ServeArgs>() }
    }

    /// Whether subcommand `sub` ("" without one) uses the global flag `id`.
    fn uses(&self, sub: &str, id: &str) -> bool {
        let redis = self.redis.iter().any(|r| r == id);
        match sub {
            "completions" | "hash-password" => false,
            // The probe reaches the server as it was started, and never Redis itself.
            "healthcheck" => {
                matches!(id, "bind" | "port" | "url_prefix" | "username" | "password" | "password_file")
            }
            // `read_only` is a field of ServeArgs: serve uses all of them.
            "" | "serve" | "demo" => redis || self.serve.iter().any(|s| s == id),
            // The health thresholds and the history they read; alerts are serve's alone.
            "check" => {
                redis || matches!(id, "instance" | "json" | "history_prefix") || id.starts_with("health_")
            }
            // Doctor also reports what rqdash stores against its budget.
            "doctor" => {
                redis
                    || matches!(
                        id,
                        "instance" | "json" | "yes" | "read_only" | "history_prefix" | "storage_max_memory"
                    )
                    || audit(id)
            }
            // Writers record what they do in the audit log, kept as `serve` keeps it.
            s if WRITERS.contains(&s) => {
                redis || matches!(id, "instance" | "json" | "yes" | "read_only") || audit(id)
            }
            "audit" => redis || matches!(id, "instance" | "json" | "audit_prefix"),
            // The archive it searches is kept under the history prefix.
            "search" => redis || matches!(id, "instance" | "json" | "history_prefix"),
            _ => redis || matches!(id, "instance" | "json"),
        }
    }

    /// Given but unused, and still accepted: rq-dashboard's `-j` (its JSON serializer) on serve;
    /// `--read-only` anywhere (a read is read-only anyway: `rqdash --read-only jobs q` must work);
    /// the Redis flags on `completions` (for an alias such as `rqdash -u URL`).
    fn tolerates(&self, sub: &str, id: &str) -> bool {
        (matches!(sub, "" | "serve") && id == "json")
            || id == "read_only"
            || (sub == "completions" && self.redis.iter().any(|r| r == id))
    }
}

/// The audit log's flags.
fn audit(id: &str) -> bool {
    matches!(id, "audit_prefix" | "audit_max_entries" | "audit_max_age")
}

/// `cmd` with every subcommand holding its own copy of each global flag, hidden where unused;
/// the top level (serve) hides the command-line flags it does not use.
pub fn apply(cmd: Command) -> Command {
    let globals: Vec<clap::Arg> = cmd.get_arguments().filter(|a| a.is_global_set()).cloned().collect();
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let scope = Scope::new();
    let cmd = subs.iter().fold(cmd, |cmd, name| {
        cmd.mut_subcommand(name, |sub| {
            globals.iter().fold(sub, |sub, a| {
                let used = scope.uses(name, a.get_id().as_str());
                sub.arg(a.clone().hide(a.is_hide_set() || !used))
            })
        })
    });
    globals
        .iter()
        .filter(|a| !scope.uses("", a.get_id().as_str()))
        .fold(cmd, |cmd, a| cmd.mut_arg(a.get_id(), |a| a.hide(true)))
}

/// The command for shell completions, built on `base` (the subcommands and only serve's and
/// Redis's flags): clap_complete lists hidden flags too, so here each subcommand gets a copy of
/// the flags of `full` it uses and nothing else, and no flag is global.
pub fn for_completions(base: Command, full: &Command) -> Command {
    let globals: Vec<clap::Arg> = full.get_arguments().filter(|a| a.is_global_set()).cloned().collect();
    let subs: Vec<String> = base.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let scope = Scope::new();
    let cmd = subs.iter().fold(base, |cmd, name| {
        cmd.mut_subcommand(name, |sub| {
            let used = globals.iter().filter(|a| scope.uses(name, a.get_id().as_str()));
            used.fold(sub, |sub, a| sub.arg(a.clone().global(false)))
        })
    });
    let own: Vec<clap::Id> = cmd.get_arguments().map(|a| a.get_id().clone()).collect();
    own.iter().fold(cmd, |cmd, id| cmd.mut_arg(id, |a| a.global(false)))
}

/// A usage error when a flag the chosen subcommand does not use was given on the command line.
pub fn check(cmd: &mut Command, matches: &ArgMatches) -> Result<(), clap::Error> {
    let sub = matches.subcommand_name().unwrap_or_default();
    let scope = Scope::new();
    let unused = cmd
        .get_arguments()
        .filter(|a| {
            let id = a.get_id().as_str();
            a.is_global_set() && !scope.uses(sub, id) && !scope.tolerates(sub, id)
        })
        .find(|a| matches.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine));
    let Some(arg) = unused else { return Ok(()) };
    let flag = arg.get_long().map_or_else(|| arg.get_id().to_string(), |l| format!("--{l}"));
    let who = if sub.is_empty() { "rqdash".to_owned() } else { format!("rqdash {sub}") };
    let msg = format!("{flag} does not apply to `{who}` (see `{who} --help`)");
    // The subcommand's usage line under the message, not the top level's.
    let target = match cmd.find_subcommand_mut(sub) {
        Some(s) => s,
        None => cmd,
    };
    Err(target.error(clap::error::ErrorKind::ArgumentConflict, msg))
}
