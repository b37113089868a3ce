//! Command-line and environment configuration: one clap struct shared by `serve` and the CLI.
//!
//! Precedence for every option: the flag, then its `RQDASH_*` variable, then rq-dashboard's
//! `RQ_DASHBOARD_*` variable where it has one ([`compat`]), then the built-in default. Every flag
//! is global; each subcommand shows and accepts only those it uses (`scope`).

mod audit;
mod auth;
mod commands;
pub mod compat;
mod flags;
pub mod health;
mod net;
mod pyliteral;
mod resolve;
pub mod rq_dashboard;
mod scope;
mod settings;
mod values;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser};

pub use audit::AuditArgs;
pub use auth::AuthArgs;
use commands::EXAMPLES;
pub use commands::{CliArgs, Command};
pub use flags::{
    AuditQuery, DeleteArgs, DemoArgs, DoctorArgs, EmptyArgs, FunctionsArgs, HealthcheckArgs, InfoArgs,
    JobsArgs, Order, RateLimitsArgs, RequeueArgs, SearchArgs, parse_state, parse_time,
};
pub use net::NetArgs;
pub use scope::{command, completion_command};
pub use values::{EnvBool, parse_interval};

/// rqdash: a fast, safe dashboard and CLI for RQ (Python's Redis Queue).
#[derive(Debug, Parser)]
#[command(name = "rqdash", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub redis: RedisArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub cli: CliArgs,
    #[command(flatten)]
    pub rqd: rq_dashboard::RqDashboardArgs,
}

/// Parse the process's arguments with rq-dashboard's variables as fallbacks; exits on errors
/// and for --help / --version, like clap's `parse()`.
pub fn parse() -> Cli {
    try_parse_from(std::env::args_os(), |k| std::env::var(k).ok()).unwrap_or_else(|e| e.exit())
}

/// Parse `args` with `env` as the source of the `RQ_DASHBOARD_*` fallbacks (tests pass a map).
pub fn try_parse_from<I, T>(args: I, env: impl Fn(&str) -> Option<String>) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = scope::apply(compat::with_rq_dashboard_env(Cli::command(), &env));
    let mut matches = cmd.try_get_matches_from_mut(args.clone())?;
    scope::check(&mut cmd, &matches)?;
    // rq-dashboard's settings and flags concern the dashboard only (its one command).
    if !matches!(matches.subcommand_name(), None | Some("serve")) {
        return Cli::from_arg_matches_mut(&mut matches);
    }
    let refuse = |cmd: &mut clap::Command, m: String| cmd.error(clap::error::ErrorKind::InvalidValue, m);
    let settings = resolve::load(&matches, &env).map_err(|m| refuse(&mut cmd, m))?;
    if let Some(s) = &settings {
        // Parse again with the settings as defaults: flags and variables still win over them.
        cmd = scope::apply(compat::with_rq_dashboard_env(
            resolve::with_defaults(Cli::command(), s, &env),
            &env,
        ));
        matches = cmd.try_get_matches_from_mut(args)?;
    }
    let sources = resolve::Sources::of(&matches);
    let mut cli = Cli::from_arg_matches_mut(&mut matches)?;
    resolve::apply(&mut cli, &sources, settings, &env).map_err(|m| refuse(&mut cmd, m))?;
    Ok(cli)
}

/// How to reach the Redis instances that hold RQ data.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Redis")]
pub struct RedisArgs {
    /// Redis URL (repeatable): redis://, rediss://, unix://, redis+sentinel://h1:p1,h2:p2/master[/db].
    /// The env var takes a whitespace-separated list; RQ_DASHBOARD_REDIS_URL, then RQ's own
    /// RQ_REDIS_URL, are read as fallbacks. `--url` is an alias, as in `rq info --url`.
    #[arg(
        short = 'u',
        long = "redis-url",
        visible_alias = "url",
        env = "RQDASH_REDIS_URL",
        value_delimiter = ' ',
        global = true,
        hide_env_values = true
    )]
    pub redis_url: Vec<String>,

    /// File holding the Redis password (used for URLs that carry none), so it stays out of `ps`.
    #[arg(long, env = "RQDASH_REDIS_PASSWORD_FILE", global = true)]
    pub redis_password_file: Option<PathBuf>,

    /// PEM file with the CA certificate(s) used to verify rediss:// servers.
    #[arg(long, env = "RQDASH_TLS_CA_FILE", global = true)]
    pub tls_ca_file: Option<PathBuf>,

    /// Do not verify TLS certificates (explicit opt-in; never the default).
    #[arg(long, env = "RQDASH_TLS_INSECURE", global = true, value_parser = EnvBool)]
    pub tls_insecure: bool,

    /// RQ's key prefix (RQ 3.0's RQ_KEY_PREFIX, read as a fallback).
    #[arg(long, env = "RQDASH_RQ_KEY_PREFIX", default_value = "rq", global = true)]
    pub rq_key_prefix: String,

    /// Seconds to wait for a TCP/TLS connection to Redis.
    #[arg(long, env = "RQDASH_REDIS_CONNECT_TIMEOUT", default_value_t = 3.0, global = true)]
    pub redis_connect_timeout: f64,

    /// Seconds to wait for any Redis reply (redis-rs' 500 ms default is too short for big pipelines).
    #[arg(long, env = "RQDASH_REDIS_TIMEOUT", default_value_t = 10.0, global = true)]
    pub redis_timeout: f64,

    /// Hide argument, kwarg, meta, result and raw-hash values whose key contains one of these
    /// `|`-separated words (case-insensitive), as `••• (redacted)`; '' hides nothing.
    #[arg(long, env = "RQDASH_REDACT", global = true, help_heading = "Redaction",
          default_value = crate::rq::redact::DEFAULT_PATTERNS)]
    pub redact: String,

    /// Show every value as stored (the same as `--redact ''`).
    #[arg(long, env = "RQDASH_NO_REDACT", global = true, value_parser = EnvBool, help_heading = "Redaction")]
    pub no_redact: bool,

    /// URLs used when no flag or variable gives one: rq-dashboard's Redis parts from its
    /// variables, else its settings' RQ_DASHBOARD_REDIS_URL ([`resolve`]).
    #[arg(skip)]
    pub fallback_urls: Vec<String>,
    /// What set `fallback_urls`, for messages.
    #[arg(skip)]
    pub fallback_source: Option<&'static str>,
    /// rq-dashboard's --redis-password (or its settings' RQ_DASHBOARD_REDIS_PASSWORD): the
    /// password of URLs that carry none, unless --redis-password-file gives one.
    #[arg(skip)]
    pub redis_password: Option<String>,
}

/// Options of the HTTP server.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Dashboard (serve)")]
pub struct ServeArgs {
    /// Address to bind; loopback by default so nothing is exposed by accident (rq-dashboard
    /// binds 0.0.0.0). RQ_DASHBOARD_BIND is read as a fallback.
    #[arg(short = 'b', long, env = "RQDASH_BIND", default_value = "127.0.0.1", global = true)]
    pub bind: String,

    /// Port to listen on (rq-dashboard's default); RQ_DASHBOARD_PORT is read as a fallback.
    #[arg(short = 'p', long, env = "RQDASH_PORT", default_value_t = 9181, global = true)]
    pub port: u16,

    /// Serve everything under this path, e.g. /rq behind a reverse proxy
    /// (RQ_DASHBOARD_URL_PREFIX is read as a fallback).
    #[arg(long, env = "RQDASH_URL_PREFIX", default_value = "", global = true)]
    pub url_prefix: String,

    /// How often open pages are refreshed: "2s", "500ms", or a bare number of milliseconds
    /// (rq-dashboard's unit; RQ_DASHBOARD_POLL_INTERVAL is read as a fallback).
    #[arg(long, env = "RQDASH_POLL_INTERVAL", default_value = "2s", value_parser = parse_interval, global = true)]
    pub poll_interval: Duration,

    /// Write nothing to Redis: commands that would are refused (exit status 4); the dashboard
    /// hides every action, answers 403 to every mutation and samples no history (rq-dashboard's
    /// --disable-delete; RQ_DASHBOARD_DISABLE_DELETE is read as a fallback).
    #[arg(long, env = "RQDASH_READ_ONLY", global = true, alias = "disable-delete", value_parser = EnvBool,
          help_heading = None::<&str>)]
    pub read_only: bool,

    /// HTTP Basic auth user (RQ_DASHBOARD_USERNAME also read); auth covers every route.
    #[arg(long, env = "RQDASH_USERNAME", global = true)]
    pub username: Option<String>,

    /// HTTP Basic auth password (RQ_DASHBOARD_PASSWORD also read); prefer --password-file.
    #[arg(long, env = "RQDASH_PASSWORD", global = true, hide_env_values = true)]
    pub password: Option<String>,

    /// File holding the HTTP Basic auth password.
    #[arg(long, env = "RQDASH_PASSWORD_FILE", global = true)]
    pub password_file: Option<PathBuf>,

    /// Let /healthz and /readyz answer without HTTP Basic auth, for orchestrators' probes (they
    /// tell whether rqdash and each Redis are up; /readyz names each Redis by its masked URL).
    #[arg(long, env = "RQDASH_PROBES_PUBLIC", global = true, value_parser = EnvBool)]
    pub probes_public: bool,

    /// Label the worker counters of /metrics per worker instead of per queue (worker names are
    /// often UUIDs: one new series per worker ever started).
    #[arg(long, env = "RQDASH_METRICS_PER_WORKER", global = true, value_parser = EnvBool)]
    pub metrics_per_worker: bool,

    /// Leave the per-function families out of /metrics (rq_jobs_ended_total, rq_job_run_seconds,
    /// rq_job_wait_seconds: about 52 series per queue and function that ran today or yesterday).
    #[arg(long, env = "RQDASH_METRICS_NO_FUNCTIONS", global = true, value_parser = EnvBool)]
    pub metrics_no_functions: bool,

    /// How long one /metrics answer is reused, so several scrapers do not multiply the Redis
    /// load: "2s", "500ms", or a bare number of milliseconds.
    #[arg(long, env = "RQDASH_METRICS_CACHE", default_value = "2s", value_parser = parse_interval, global = true)]
    pub metrics_cache: Duration,

    /// Bearer token that /metrics requires; /metrics then skips HTTP Basic auth (Prometheus
    /// sends one or the other).
    #[arg(long, env = "RQDASH_METRICS_TOKEN", global = true, hide_env_values = true,
          value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub metrics_token: Option<String>,

    /// Also export another exporter's metric families on /metrics; "rq-exporter": its
    /// rq_jobs{queue,status}, rq_workers{name,state,queues} and rq_workers_*_total counters.
    #[arg(long, env = "RQDASH_METRICS_COMPAT", global = true, value_parser = ["rq-exporter"])]
    pub metrics_compat: Option<String>,

    /// How often queue history is sampled into Redis (per-minute buckets: sampling more often
    /// only refreshes the current minute): "60s", "30s", or a bare number of milliseconds.
    #[arg(long, env = "RQDASH_HISTORY_INTERVAL", default_value = "60s", value_parser = parse_interval, global = true)]
    pub history_interval: Duration,

    /// Do not sample queue history (charts still show what other rqdash replicas record).
    #[arg(long, env = "RQDASH_NO_HISTORY", global = true, value_parser = EnvBool)]
    pub no_history: bool,

    /// Key prefix of the history rqdash keeps in each Redis (only keys under it are written).
    #[arg(long, env = "RQDASH_HISTORY_PREFIX", default_value = "rqdash:history", global = true)]
    pub history_prefix: String,

    /// Functions recorded per queue and day by the per-function performance (the rest is folded
    /// into "other").
    #[arg(long, env = "RQDASH_FUNCTIONS_MAX", default_value_t = 200, global = true)]
    pub functions_max: usize,

    /// How long the job archive keeps records: "7d", "12h", "90m", "3600s" (at most 30 days).
    #[arg(long, env = "RQDASH_ARCHIVE_MAX_AGE", default_value = "7d", value_parser = crate::store::archive::parse_age, global = true)]
    pub archive_max_age: i64,

    /// Most records the job archive keeps (trimmed approximately, oldest first).
    #[arg(long, env = "RQDASH_ARCHIVE_MAX_ENTRIES", default_value_t = 100_000, global = true)]
    pub archive_max_entries: u64,

    /// Most memory rqdash may use in each Redis for what it stores (history, per-function rows,
    /// archive, audit log, alert state): "64MB", "512MiB", bytes, or "off". Over it, rqdash
    /// trims the archive, then the per-minute tier, then folds idle queues, then stops writing.
    #[arg(long, env = "RQDASH_STORAGE_MAX_MEMORY", default_value = "64MB", value_parser = crate::store::budget::parse_size, global = true)]
    pub storage_max_memory: crate::store::budget::Budget,

    #[command(flatten)]
    pub net: NetArgs,

    #[command(flatten)]
    pub access: AuthArgs,

    #[command(flatten)]
    pub health: health::HealthArgs,

    #[command(flatten)]
    pub audit: AuditArgs,
}

/// Credentials for HTTP Basic auth, when configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// rq-dashboard's, then RQ's own variable for the Redis URL, read when rqdash's is unset.
pub const URL_FALLBACKS: [&str; 2] = ["RQ_DASHBOARD_REDIS_URL", "RQ_REDIS_URL"];

/// The Redis rqdash reads when no URL is configured anywhere (RQ's own default).
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

impl RedisArgs {
    /// What `--redact` / `--no-redact` hide.
    pub fn redactor(&self) -> crate::rq::redact::Redactor {
        if self.no_redact {
            crate::rq::redact::Redactor::off()
        } else {
            crate::rq::redact::Redactor::new(&self.redact)
        }
    }

    /// The configured URLs: flags or RQDASH_REDIS_URL, else RQ_DASHBOARD_REDIS_URL, else RQ's
    /// RQ_REDIS_URL, else localhost.
    pub fn urls(&self) -> Vec<String> {
        self.urls_with(|k| std::env::var(k).ok())
    }

    /// [`Self::urls`] with the environment looked up through `env` (for tests).
    pub fn urls_with(&self, env: impl Fn(&str) -> Option<String>) -> Vec<String> {
        let mut urls: Vec<String> =
            self.redis_url.iter().flat_map(|u| u.split_whitespace()).map(str::to_owned).collect();
        for var in URL_FALLBACKS {
            if urls.is_empty()
                && let Some(v) = env(var)
            {
                urls = v.split_whitespace().map(str::to_owned).collect();
            }
        }
        if urls.is_empty() {
            urls.clone_from(&self.fallback_urls);
        }
        if urls.is_empty() {
            urls.push(DEFAULT_REDIS_URL.to_owned());
        }
        urls
    }

    /// Where the URLs came from, for messages such as "no RQ data at …": the flag/variable that
    /// set them, or None when rqdash fell back to the local default.
    pub fn url_source(&self) -> Option<&'static str> {
        if !self.redis_url.iter().all(|u| u.trim().is_empty()) {
            return Some("--redis-url/RQDASH_REDIS_URL");
        }
        URL_FALLBACKS
            .into_iter()
            .find(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()))
            .or(self.fallback_source)
    }

    /// Connect timeout as a Duration (clamped to something sane).
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.redis_connect_timeout.clamp(0.05, 600.0))
    }

    /// Response timeout as a Duration (clamped to something sane).
    pub fn response_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.redis_timeout.clamp(0.05, 3600.0))
    }
}

impl ServeArgs {
    /// The URL prefix normalised to "" or "/something" (no trailing slash).
    pub fn prefix(&self) -> String {
        normalize_prefix(&self.url_prefix)
    }

    /// Basic-auth credentials from flags, files or rq-dashboard's variables; an error when only
    /// half is given (rq-dashboard silently ignores a password without a user: we refuse to start).
    pub fn credentials(&self) -> Result<Option<Credentials>, String> {
        let user = self.username.clone().or_else(|| std::env::var("RQ_DASHBOARD_USERNAME").ok());
        let pass = match &self.password_file {
            Some(p) => Some(
                std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?
                    .trim_end_matches(['\r', '\n'])
                    .to_owned(),
            ),
            None => self.password.clone().or_else(|| std::env::var("RQ_DASHBOARD_PASSWORD").ok()),
        };
        match (user.filter(|u| !u.is_empty()), pass.filter(|p| !p.is_empty())) {
            (Some(username), Some(password)) => Ok(Some(Credentials { username, password })),
            (None, None) => Ok(None),
            (Some(_), None) => Err("--username needs --password or --password-file".to_owned()),
            (None, Some(_)) => Err("a password was given without --username".to_owned()),
        }
    }
}

/// "/rq/" and "rq" both become "/rq"; "/" and "" become "".
pub fn normalize_prefix(p: &str) -> String {
    let t = p.trim().trim_matches('/');
    if t.is_empty() { String::new() } else { format!("/{t}") }
}

#[cfg(test)]
mod tests;
