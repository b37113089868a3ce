//! The subcommands (their flags are in `flags`); `serve` is the default when none is given.

use clap::{Args, Subcommand};

use super::flags::{
    AuditQuery, DeleteArgs, DemoArgs, DoctorArgs, EmptyArgs, FunctionsArgs, HealthcheckArgs, InfoArgs,
    JobsArgs, RateLimitsArgs, RequeueArgs, SearchArgs,
};

/// The examples and notes at the end of `rqdash --help`.
pub(super) const EXAMPLES: &str = "\
Examples:
  rqdash                                      serve the dashboard on http://127.0.0.1:9181
  rqdash -u redis://cache:6379/2 -b 0.0.0.0   serve another Redis, on every interface
  rqdash info --interval 2                    like `rq info`, refreshed every 2 s, read-only
  rqdash jobs default --state failed -n 20    the first 20 failed jobs of queue default
  rqdash requeue --queue default --all        requeue every failed job of queue default
  rqdash doctor --fix                         find broken RQ data, repair what is safe
  rqdash check                                queue health, Nagios-style: exit 0/1/2 (3 unknown)
  rqdash completions bash > ~/.local/share/bash-completion/completions/rqdash

Without a subcommand rqdash serves, and accepts rq-dashboard's flags and RQ_DASHBOARD_*
variables (-u, -b, -p, --url-prefix, --username, --password, --poll-interval in ms,
--disable-delete, -j, -c/--config and RQ_DASHBOARD_SETTINGS, read without running Python, and
its deprecated -H/-P/-D/--redis-* flags), so it can replace rq-dashboard as is.

Exit status: 0 success, 1 failure, 2 usage error, 3 `doctor` found problems it did not repair,
4 refused by --read-only (RQDASH_READ_ONLY), 130 interrupted.";

/// Options of the command-line subcommands.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Command line")]
pub struct CliArgs {
    /// Redis instance to work on: 0-based, in --redis-url order.
    #[arg(long, env = "RQDASH_INSTANCE", default_value_t = 0, global = true, value_name = "N")]
    pub instance: usize,

    /// Print JSON (the store's own structures) instead of tables.
    // Without a subcommand this is rq-dashboard's -j/--json (its JSONSerializer): accepted, hidden
    // and ignored there (see `scope`), since rqdash recognises each job's serializer by itself.
    #[arg(short = 'j', long, global = true)]
    pub json: bool,

    /// Act without asking for confirmation (required when stdin is not a terminal).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
}

/// What to run.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the dashboard and JSON API (the default).
    Serve,
    /// Queues with counts and bars, workers with state and counters, like `rq info` (read-only).
    #[command(after_help = "Examples:\n  rqdash info\n  rqdash info high default --interval 1\n  \
                            rqdash info --by-queue\n  rqdash info --json")]
    Info(InfoArgs),
    /// Every queue with its number of jobs in each state.
    #[command(after_help = "Examples:\n  rqdash queues\n  rqdash queues --json | jq '.totals'")]
    Queues,
    /// The jobs of one queue in one state (the queue list or a registry).
    #[command(after_help = "Examples:\n  rqdash jobs default\n  \
                            rqdash jobs default --state failed --limit 20 --order desc")]
    Jobs(JobsArgs),
    /// One job in full: decoded call and arguments, traceback, results history, dependencies.
    #[command(after_help = "Examples:\n  rqdash job 5a1c9e0f-...\n  rqdash job my-job --json")]
    Job {
        /// The job id.
        id: String,
        /// Show values hidden by `--redact` (the local CLI runs as admin).
        #[arg(long)]
        reveal: bool,
    },
    /// Workers with state, queues, current job and counters.
    Workers,
    /// Cron schedulers (`rq cron`) and their jobs' next runs, queue scheduler locks and overdue
    /// scheduled jobs; exit status 3 when one is stale or overdue with no scheduler.
    #[command(after_help = "Examples:\n  rqdash schedulers\n  rqdash schedulers --json")]
    Schedulers,
    /// RQ 3.0 rate limits: every key with its concurrency, running and held jobs; with a KEY,
    /// the jobs it holds back (oldest first, the order RQ lets them through).
    #[command(
        name = "rate-limits",
        after_help = "Examples:\n  rqdash rate-limits\n  rqdash rate-limits api --limit 20\n  \
                      rqdash rate-limits --json"
    )]
    RateLimits(RateLimitsArgs),
    /// Per-function performance recorded by the sampler: calls, run time p50/p95/p99, p95 wait,
    /// failure rate and trend, per queue and function, busiest first.
    #[command(after_help = "Examples:\n  rqdash functions\n  rqdash functions --range 7d --json")]
    Functions(FunctionsArgs),
    /// Search jobs with the dashboard's query syntax: live jobs, then the job archive (records
    /// of jobs RQ deleted, marked "archived"); one bounded page, with a cursor to continue.
    #[command(after_help = "Examples:\n  rqdash search 'exc:Timeout queue:emails'\n  \
                      rqdash search 'archived:yes func:send_email' --json")]
    Search(SearchArgs),
    /// Requeue failed, stopped or canceled jobs at the back of their queue.
    #[command(after_help = "Examples:\n  rqdash requeue 5a1c9e0f-... 77b2d1aa-...\n  \
                            rqdash requeue --queue default --all\n  \
                            rqdash requeue --queue default --all --state canceled --yes")]
    Requeue(RequeueArgs),
    /// Enqueue scheduled or deferred jobs now.
    #[command(after_help = "Example:\n  rqdash enqueue my-scheduled-job")]
    Enqueue {
        /// Job ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Delete jobs (never running ones: stop them first), like RQ's `Job.delete()`.
    #[command(after_help = "Examples:\n  rqdash delete 5a1c9e0f-...\n  \
                            rqdash delete --queue default --all --state finished")]
    Delete(DeleteArgs),
    /// Cancel queued, deferred or scheduled jobs into the canceled registry.
    #[command(after_help = "Example:\n  rqdash cancel 5a1c9e0f-... 77b2d1aa-...")]
    Cancel {
        /// Job ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Delete every job of a queue list (RQ's `rq empty`) or of one registry.
    #[command(after_help = "Examples:\n  rqdash empty default\n  rqdash empty default --state failed --yes")]
    Empty(EmptyArgs),
    /// Remove ids whose job is gone from a queue list, keeping the order of the others.
    #[command(after_help = "Example:\n  rqdash compact default")]
    Compact {
        /// The queue.
        queue: String,
    },
    /// Stop a running job (RQ's stop-job command to its worker); it becomes `stopped`.
    #[command(after_help = "Example:\n  rqdash stop 5a1c9e0f-...")]
    Stop {
        /// The job id.
        id: String,
    },
    /// Suspend every worker of the instance (RQ's `rq suspend`): running jobs finish, no new ones start.
    #[command(after_help = "Examples:\n  rqdash suspend\n  rqdash suspend --duration 300")]
    Suspend {
        /// Lift the suspension by itself after this many seconds.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
        duration: Option<u64>,
    },
    /// Resume suspended workers (RQ's `rq resume`).
    Resume,
    /// Check the integrity of the RQ data; with --fix, repair what is safe to repair.
    #[command(after_help = "Examples:\n  rqdash doctor\n  rqdash doctor --json\n  \
                            rqdash doctor --fix            (shows what it would do, then asks)\n  \
                            rqdash doctor --fix --yes\n\n\
                            Exit status: 0 when clean, 3 when problems remain (after --fix: the \
                            ones it leaves alone), 1 on errors.")]
    Doctor(DoctorArgs),
    /// Exit 0 when the local dashboard's /readyz answers 200 (it serves, every Redis answers
    /// PING), else 1: for a container HEALTHCHECK or a service manager. The server is found as it
    /// was started: --bind (loopback for 0.0.0.0 or ::), --port, --url-prefix, Basic auth flags.
    #[command(after_help = "Examples:\n  rqdash healthcheck\n  \
                            rqdash healthcheck --probe-url http://127.0.0.1:9181/rq/readyz --timeout 2s")]
    Healthcheck(HealthcheckArgs),
    /// Queue health verdicts as a Nagios-style check, for cron and CI: one summary line, then a
    /// line per reason. Exit 0 ok, 1 warning, 2 critical, 3 unknown (Redis unreachable).
    #[command(after_help = "Examples:\n  rqdash check\n  rqdash check --json\n  \
                            rqdash check --health-oldest-warning 5m --health-off stale-worker\n\n\
                            Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")]
    Check,
    /// Try rqdash in one command: a private redis-server filled with realistic RQ data, simulated
    /// workers keeping it moving, and the dashboard. Ctrl-C stops everything and removes the data.
    #[command(after_help = "Examples:\n  rqdash demo\n  rqdash demo --port 9200 --no-open\n  \
                            rqdash demo --redis-url redis://127.0.0.1:6379/5   (its own queues only, \
                            removed at the end)\n\n\
                            The private redis-server is started from PATH (Debian/Ubuntu: apt-get \
                            install redis-server). The demo's jobs call Python builtins with RQ's \
                            JSON serializer, so a real worker can run them: the demo prints the \
                            `rq worker` command.")]
    Demo(DemoArgs),
    /// Print the argon2id hash of a password or API token for the users file (`--users-file`):
    /// read from a prompt without echo, or from stdin when it is not a terminal; never argv.
    #[command(after_help = "Examples:\n  rqdash hash-password\n  \
                            openssl rand -hex 32 | tee token.txt | rqdash hash-password")]
    HashPassword,
    /// The audit log: every action taken through rqdash (web or CLI), newest first, with who,
    /// how, on what, and what came of it. Entries come in pairs: the intent, then its outcome.
    #[command(after_help = "Examples:\n  rqdash audit\n  rqdash audit --user ana --action queue.empty\n  \
                            rqdash audit --queue default --since 2026-01-31T00:00:00Z --json")]
    Audit(AuditQuery),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  rqdash completions bash > ~/.local/share/bash-completion/completions/rqdash\n  \
                            rqdash completions zsh > ~/.zfunc/_rqdash\n  \
                            rqdash completions fish > ~/.config/fish/completions/rqdash.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}
