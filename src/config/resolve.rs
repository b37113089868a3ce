//! Where rq-dashboard's settings and deprecated flags land among rqdash's options, keeping one
//! order for everything: the command line, then the environment, then the settings (the
//! `RQ_DASHBOARD_SETTINGS` file over the `-c` module), then the defaults.
//!
//! Settings become clap defaults before the second parse, so clap itself applies "flag, then
//! variable, then settings". The Redis URL is assembled here, as its sources are several flags.

use std::path::PathBuf;

use clap::ArgMatches;
use clap::parser::ValueSource;

use super::Cli;
use super::rq_dashboard::PARTS;
use super::settings::{self, Settings};

/// The settings named by `-c` (with `--extra-path`) and `RQ_DASHBOARD_SETTINGS`, if any.
pub fn load(matches: &ArgMatches, env: &impl Fn(&str) -> Option<String>) -> Result<Option<Settings>, String> {
    let module = matches.get_one::<String>("config").cloned();
    let file = env("RQ_DASHBOARD_SETTINGS");
    settings::load(module.as_deref(), &extra_paths(matches, env), file.as_deref())
}

/// `--extra-path` values, else `RQ_DASHBOARD_EXTRA_PATH` split on whitespace (click's way).
fn extra_paths(matches: &ArgMatches, env: &impl Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let given: Vec<PathBuf> =
        matches.get_many::<PathBuf>("extra_path").into_iter().flatten().cloned().collect();
    if !given.is_empty() {
        return given;
    }
    env("RQ_DASHBOARD_EXTRA_PATH")
        .map(|v| v.split_whitespace().map(PathBuf::from).collect())
        .unwrap_or_default()
}

/// `cmd` with the settings as the defaults of the flags they set; a setting yields to an
/// `RQ_DASHBOARD_*` variable that rqdash reads outside clap (username, password).
pub fn with_defaults(
    cmd: clap::Command,
    s: &Settings,
    env: &impl Fn(&str) -> Option<String>,
) -> clap::Command {
    // clap wants 'static defaults; this runs once per process, for at most four values.
    let leak = |v: &str| -> &'static str { Box::leak(v.to_owned().into_boxed_str()) };
    let mut cmd = cmd;
    if let Some(ms) = &s.poll_ms {
        cmd = cmd.mut_arg("poll_interval", |a| a.default_value(leak(ms)));
    }
    if let Some(ro) = s.read_only {
        cmd = cmd.mut_arg("read_only", |a| a.default_value(if ro { "true" } else { "false" }));
    }
    if let Some(u) = s.username.as_deref().filter(|_| env("RQ_DASHBOARD_USERNAME").is_none()) {
        cmd = cmd.mut_arg("username", |a| a.default_value(leak(u)).hide_default_value(true));
    }
    if let Some(p) = s.password.as_deref().filter(|_| env("RQ_DASHBOARD_PASSWORD").is_none()) {
        cmd = cmd.mut_arg("password", |a| a.default_value(leak(p)).hide_default_value(true));
    }
    cmd
}

/// Where each value came from, read before clap hands the values over.
pub struct Sources {
    url_on_command_line: bool,
    parts_on_command_line: bool,
    poll_on_command_line: bool,
    debug_given: bool,
}

impl Sources {
    pub fn of(m: &ArgMatches) -> Self {
        let is = |id: &str, s: ValueSource| m.try_contains_id(id).is_ok() && m.value_source(id) == Some(s);
        let given = |id: &str| is(id, ValueSource::CommandLine) || is(id, ValueSource::EnvVariable);
        Self {
            url_on_command_line: is("redis_url", ValueSource::CommandLine),
            parts_on_command_line: PARTS.iter().any(|p| is(p, ValueSource::CommandLine)),
            poll_on_command_line: is("poll_interval", ValueSource::CommandLine),
            debug_given: given("debug") || given("normal"),
        }
    }
}

/// Settle the Redis URL, password, poll interval and log level of `serve`, and collect the
/// warnings; an error for parts that cannot make a URL.
pub fn apply(
    cli: &mut Cli,
    src: &Sources,
    settings: Option<Settings>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let s = settings.unwrap_or_default();
    let rqd = &mut cli.rqd;
    let mut warnings = s.warnings.clone();
    if let Some(url) = rqd.parts_url()? {
        let env_url = super::URL_FALLBACKS.iter().any(|v| env(v).is_some_and(|x| !x.trim().is_empty()));
        if src.url_on_command_line
            || (!src.parts_on_command_line && (!cli.redis.redis_url.is_empty() || env_url))
        {
            warnings.push(
                "-H/-P/-D/--redis-sentinels/--redis-master-name are ignored: a Redis URL is given \
                 (rq-dashboard ignores them too then)"
                    .to_owned(),
            );
        } else if src.parts_on_command_line {
            cli.redis.redis_url = vec![url];
        } else {
            cli.redis.fallback_urls = vec![url];
            cli.redis.fallback_source = Some("RQ_DASHBOARD_REDIS_HOST/_PORT/_DATABASE/_SENTINELS");
        }
    }
    if cli.redis.fallback_urls.is_empty() && !s.urls.is_empty() {
        cli.redis.fallback_urls = s.urls.clone();
        cli.redis.fallback_source = Some("the rq-dashboard settings (-c/RQ_DASHBOARD_SETTINGS)");
    }
    cli.redis.redis_password = rqd.redis_password.clone().or(s.redis_password);
    if let Some(i) = rqd.interval.filter(|_| !src.poll_on_command_line) {
        cli.serve.poll_interval = i;
    }
    if !src.debug_given && s.debug == Some(true) {
        rqd.debug = true;
    }
    if !rqd.extra_path.is_empty() && rqd.config.is_none() {
        warnings.push(
            "--extra-path is ignored: it is where the -c/--config module is looked for, and no -c is given"
                .to_owned(),
        );
    }
    warnings.extend(rqd.no_effect_warnings(cli.cli.json));
    rqd.warnings = warnings;
    Ok(())
}
