//! rq-dashboard 0.9's remaining flags, accepted on `rqdash` without a subcommand (its only form):
//! the settings module and file ([`super::settings`]), the deprecated Redis parts that build a
//! URL (`-H/-P/-D/--redis-password/--redis-sentinels/--redis-master-name`), `--interval`,
//! `--debug`, `-v`, and the flags that mean nothing here, which start anyway with a warning.
//!
//! The flags are not `global`: rq-dashboard has no subcommands, and `rqdash info --interval`
//! has a meaning of its own. Each reads the `RQ_DASHBOARD_*` variable click gives it.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::{EnvBool, parse_interval};

/// rq-dashboard's flags that rqdash's own set does not already spell the same way.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "rq-dashboard compatibility")]
pub struct RqDashboardArgs {
    /// rq-dashboard's settings module (a Python module name, e.g. `rq_settings`), looked for in
    /// the --extra-path directories and the current directory; read, never executed.
    #[arg(short = 'c', long = "config", env = "RQ_DASHBOARD_CONFIG", value_name = "MODULE")]
    pub config: Option<String>,

    /// Directory (repeatable) where --config's module is looked for (rq-dashboard's sys.path
    /// entries; RQ_DASHBOARD_EXTRA_PATH, whitespace-separated, is read too).
    #[arg(long = "extra-path", value_name = "DIR")]
    pub extra_path: Vec<PathBuf>,

    /// rq-dashboard's spelling of --poll-interval (milliseconds).
    #[arg(long = "interval", hide = true, value_parser = parse_interval, value_name = "MS")]
    pub interval: Option<Duration>,

    /// Log at debug level (rq-dashboard: Flask's debug mode; rqdash never runs a debugger).
    #[arg(long, env = "RQ_DASHBOARD_DEBUG", value_parser = EnvBool, overrides_with = "normal")]
    pub debug: bool,

    /// Undo --debug (rq-dashboard's --debug/--normal pair).
    #[arg(long, hide = true, overrides_with = "debug")]
    pub normal: bool,

    /// Log at debug level (rq-dashboard: werkzeug's request log).
    #[arg(short = 'v', long, env = "RQ_DASHBOARD_VERBOSE", value_parser = EnvBool)]
    pub verbose: bool,

    /// Accepted: rqdash's job page always shows the whole call.
    #[arg(long, env = "RQ_DASHBOARD_SHOW_FULL_ARGS", value_parser = EnvBool)]
    pub show_full_args: bool,

    #[arg(short = 'H', long, env = "RQ_DASHBOARD_REDIS_HOST", hide = true)]
    pub redis_host: Option<String>,
    #[arg(short = 'P', long, env = "RQ_DASHBOARD_REDIS_PORT", hide = true)]
    pub redis_port: Option<u16>,
    #[arg(short = 'D', long, env = "RQ_DASHBOARD_REDIS_DATABASE", hide = true)]
    pub redis_database: Option<u32>,
    #[arg(long, env = "RQ_DASHBOARD_REDIS_PASSWORD", hide = true, hide_env_values = true)]
    pub redis_password: Option<String>,
    #[arg(long, env = "RQ_DASHBOARD_REDIS_SENTINELS", hide = true, value_name = "HOST:PORT,...")]
    pub redis_sentinels: Option<String>,
    #[arg(long, env = "RQ_DASHBOARD_REDIS_MASTER_NAME", hide = true)]
    pub redis_master_name: Option<String>,

    #[arg(long, env = "RQ_DASHBOARD_WEB_BACKGROUND", hide = true)]
    pub web_background: Option<String>,
    #[arg(long, env = "RQ_DASHBOARD_DELETE_JOBS", hide = true)]
    pub delete_jobs: Option<String>,

    /// Sentences for stderr at start: what was accepted and ignored (filled by [`super::resolve`]).
    #[arg(skip)]
    pub warnings: Vec<String>,
}

/// The argument ids that locate Redis (the password alone does not: it fills in URLs).
pub const PARTS: [&str; 5] =
    ["redis_host", "redis_port", "redis_database", "redis_sentinels", "redis_master_name"];

impl RqDashboardArgs {
    /// The level `--debug`, `-v` (or a settings file's `DEBUG`) ask for.
    pub fn log_level(&self) -> Option<&'static str> {
        (self.debug || self.verbose).then_some("debug")
    }

    /// The URL rq-dashboard builds from the deprecated parts (`cli.py`), when any locates Redis:
    /// `redis://[:pw@]host[:port][/db]` or `redis+sentinel://[:pw@]h1:p1,h2:p2/master[/db]`.
    pub fn parts_url(&self) -> Result<Option<String>, String> {
        let located = self.redis_host.is_some()
            || self.redis_port.is_some()
            || self.redis_database.is_some()
            || self.redis_sentinels.is_some()
            || self.redis_master_name.is_some();
        if !located {
            return Ok(None);
        }
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let (scheme, mut netloc) = match &self.redis_sentinels {
            Some(s) => {
                if self.redis_master_name.is_none() {
                    return Err(
                        "--redis-sentinels needs --redis-master-name (the service the sentinels watch)"
                            .into(),
                    );
                }
                ("redis+sentinel", s.split(',').map(str::trim).collect::<Vec<_>>().join(","))
            }
            None => {
                let host = self.redis_host.clone().unwrap_or_else(|| "localhost".to_owned());
                let host =
                    if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host };
                ("redis", self.redis_port.map_or(host.clone(), |p| format!("{host}:{p}")))
            }
        };
        if let Some(pw) = self.redis_password.as_deref().filter(|p| !p.is_empty()) {
            netloc = format!(":{}@{netloc}", enc(pw));
        }
        let mut path = String::new();
        if let Some(m) = &self.redis_master_name {
            path.push('/');
            path.push_str(&enc(m));
        }
        // rq-dashboard writes the database only when it is not 0 (`if redis_database:`).
        if let Some(db) = self.redis_database.filter(|d| *d != 0) {
            path.push_str(&format!("/{db}"));
        }
        Ok(Some(format!("{scheme}://{netloc}{path}")))
    }

    /// Flags given that mean nothing here, one warning each.
    pub fn no_effect_warnings(&self, json: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.web_background.is_some() {
            out.push(
                "--web-background is ignored: rqdash has light and dark themes of its own (rq-dashboard \
                 ignores it too since it was deprecated)"
                    .to_owned(),
            );
        }
        if self.delete_jobs.is_some() {
            out.push(
                "--delete-jobs is ignored: it does nothing in rq-dashboard either (deprecated); rqdash's \
                 delete and cancel are separate actions"
                    .to_owned(),
            );
        }
        if json {
            out.push(
                "-j/--json is ignored: rqdash recognises each job's serializer (pickle or JSON) by itself"
                    .to_owned(),
            );
        }
        out
    }
}
