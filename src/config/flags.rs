//! The flags of the subcommands (`Command`'s variants carry them), and their value parsers.

use std::time::Duration;

use clap::{ArgGroup, Args, ValueEnum};

use crate::rq::State;

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

/// Flags of `functions`.
#[derive(Debug, Clone, Args)]
pub struct FunctionsArgs {
    /// The period: 1h, 24h, 7d or 90d (the trend compares with the period before).
    #[arg(long, default_value = "24h", value_parser = ["1h", "24h", "7d", "90d"])]
    pub range: String,
    /// Where the sampler keeps its data (`--history-prefix`, set by main).
    #[arg(skip)]
    pub history_prefix: String,
}

/// Flags of `search`.
#[derive(Debug, Clone, Args)]
pub struct SearchArgs {
    /// The query, as typed in the search box (`func:send_email exc:Timeout archived:yes ...`).
    pub query: String,
    /// At most this many hits.
    #[arg(short = 'n', long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub limit: u64,
    /// Continue a search where the last page stopped (its `cursor`).
    #[arg(long)]
    pub cursor: Option<String>,
    /// Where the sampler keeps the archive (`--history-prefix`, set by main).
    #[arg(skip)]
    pub history_prefix: String,
}

/// Flags of `rate-limits`.
#[derive(Debug, Clone, Args)]
pub struct RateLimitsArgs {
    /// List the jobs this key holds back.
    pub key: Option<String>,
    /// At most this many held jobs.
    #[arg(short = 'n', long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
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

/// Flags of `demo` (with serve's: --port, --bind, ...; --redis-url uses that Redis instead of a
/// private one).
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Do not open the dashboard in a web browser.
    #[arg(long)]
    pub no_open: bool,
}

/// Flags of `doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Repair what is safe to repair: show what would be done, ask (unless --yes), repair in
    /// chunks, then check again.
    #[arg(long)]
    pub fix: bool,
    /// Where the sampler keeps its data (`--history-prefix`, set by main).
    #[arg(skip)]
    pub history_prefix: String,
    /// `--storage-max-memory`, set by main: doctor reports what rqdash stores against it.
    #[arg(skip)]
    pub storage: crate::store::budget::Budget,
}

/// Flags of `healthcheck`.
#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The URL to ask (http:// only: the probe is local) instead of the one built from the
    /// server's flags. (Not `--url`: that names the Redis, as in `rq info --url`.)
    #[arg(long, value_name = "URL")]
    pub probe_url: Option<String>,
    /// Give up after this long: "5s", "500ms", or a bare number of milliseconds.
    #[arg(long, default_value = "5s", value_parser = super::parse_interval)]
    pub timeout: Duration,
}

/// Flags of `audit`: the filters of the `/audit` page.
#[derive(Debug, Clone, Args)]
pub struct AuditQuery {
    /// Only entries of this user (as recorded: the Basic-auth user, token name, proxy user or
    /// the OS user of a CLI command).
    #[arg(long)]
    pub user: Option<String>,
    /// Only this action (`queue.empty`), or every action of a kind (`queue`, `job`, `bulk`).
    #[arg(long)]
    pub action: Option<String>,
    /// Only actions on this queue.
    #[arg(long)]
    pub queue: Option<String>,
    /// Only entries at or after this time (RFC 3339, e.g. 2026-01-31T03:00:00Z).
    #[arg(long, value_parser = parse_time)]
    pub since: Option<i64>,
    /// Only entries at or before this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub until: Option<i64>,
    /// At most this many entries.
    #[arg(short = 'n', long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub limit: u64,
}

/// An RFC 3339 time (or a date, meaning its midnight UTC) as milliseconds since the epoch.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    t.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp().as_millisecond())
        .ok_or_else(|| format!("not a time: {s:?} (try 2026-01-31T03:00:00Z or 2026-01-31)"))
}
