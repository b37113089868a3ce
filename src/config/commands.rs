//! The subcommands and their flags; `serve` is the default when none is given.

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use crate::rq::State;

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
    },
    /// Workers with state, queues, current job and counters.
    Workers,
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

/// A job state as a flag value: queued, started (or wip), finished, failed, deferred,
/// scheduled, canceled, ready.
pub fn parse_state(s: &str) -> Result<State, String> {
    State::parse(s).ok_or_else(|| {
        format!(
            "unknown state {s:?}: queued, started, finished, failed, deferred, scheduled, canceled, ready"
        )
    })
}

/// Flags of `info`, named as `rq info` names them.
#[derive(Debug, Clone, Args)]
pub struct InfoArgs {
    /// Only these queues (and the workers listening on them), in this order.
    pub queues: Vec<String>,
    /// Repeat every N seconds, clearing the screen, until Ctrl-C.
    #[arg(short = 'i', long, value_name = "SECONDS")]
    pub interval: Option<f64>,
    /// List the workers of each queue instead of each worker.
    #[arg(short = 'R', long)]
    pub by_queue: bool,
    /// Only the queues.
    #[arg(short = 'Q', long, conflicts_with = "only_workers")]
    pub only_queues: bool,
    /// Only the workers.
    #[arg(short = 'W', long)]
    pub only_workers: bool,
    /// RQ's raw format: one `queue ...` / `worker ...` line each, no bars, no totals.
    #[arg(short = 'r', long)]
    pub raw: bool,
}

/// List order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Order {
    Asc,
    Desc,
}

/// Flags of `jobs`.
#[derive(Debug, Clone, Args)]
pub struct JobsArgs {
    /// The queue.
    pub queue: String,
    /// Which list: queued, started, finished, failed, deferred, scheduled, canceled.
    #[arg(short = 's', long, default_value = "queued", value_parser = parse_state)]
    pub state: State,
    /// At most this many jobs.
    #[arg(short = 'n', long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// asc: oldest first (the head of the queue); desc: newest first.
    #[arg(long, value_enum, default_value_t = Order::Asc)]
    pub order: Order,
}

/// Flags of `requeue`: ids, or a whole registry.
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["ids", "all"])))]
pub struct RequeueArgs {
    /// Job ids.
    pub ids: Vec<String>,
    /// Every job of --queue's registry (--state), in chunks; orphaned ids are removed on the way.
    #[arg(long, requires = "queue")]
    pub all: bool,
    /// The queue for --all.
    #[arg(short = 'q', long, requires = "all")]
    pub queue: Option<String>,
    /// The registry for --all: failed (stopped jobs included) or canceled.
    #[arg(short = 's', long, default_value = "failed", value_parser = parse_state, requires = "all")]
    pub state: State,
}

/// Flags of `delete`: ids, or a whole list or registry.
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["ids", "all"])))]
pub struct DeleteArgs {
    /// Job ids.
    pub ids: Vec<String>,
    /// Every job of --queue in --state (required, so nothing is deleted by default).
    #[arg(long, requires_all = ["queue", "state"])]
    pub all: bool,
    /// The queue for --all.
    #[arg(short = 'q', long, requires = "all")]
    pub queue: Option<String>,
    /// The list or registry for --all: queued, finished, failed, deferred, scheduled, canceled.
    #[arg(short = 's', long, value_parser = parse_state, requires = "all")]
    pub state: Option<State>,
}

/// Flags of `empty`.
#[derive(Debug, Clone, Args)]
pub struct EmptyArgs {
    /// The queue.
    pub queue: String,
    /// The queue list (queued, the default) or a registry: finished, failed, deferred,
    /// scheduled, canceled.
    #[arg(short = 's', long, default_value = "queued", value_parser = parse_state)]
    pub state: State,
}

/// Flags of `doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Repair what is safe to repair: show what would be done, ask (unless --yes), repair in
    /// chunks, then check again.
    #[arg(long)]
    pub fix: bool,
}
