//! rq-dashboard drop-in: its `RQ_DASHBOARD_*` variables as fallbacks of rqdash's own.
//!
//! clap reads one variable per flag, so a fallback cannot be a second `env`. Instead, when the
//! `RQDASH_*` variable is unset and rq-dashboard's is set, rq-dashboard's value becomes the
//! flag's default before parsing. Clap then applies its usual order (flag, `RQDASH_*`, default)
//! and parses the value with the flag's own parser, so a bad value is reported like any other.
//! `RQ_DASHBOARD_REDIS_URL`, `_USERNAME` and `_PASSWORD` are read where they are used
//! ([`RedisArgs::urls`](super::RedisArgs::urls), [`ServeArgs::credentials`](super::ServeArgs::credentials)).

/// (rqdash's variable, rq-dashboard's variable, the clap argument id).
pub const FALLBACKS: [(&str, &str, &str); 6] = [
    ("RQDASH_BIND", "RQ_DASHBOARD_BIND", "bind"),
    ("RQDASH_PORT", "RQ_DASHBOARD_PORT", "port"),
    ("RQDASH_URL_PREFIX", "RQ_DASHBOARD_URL_PREFIX", "url_prefix"),
    ("RQDASH_POLL_INTERVAL", "RQ_DASHBOARD_POLL_INTERVAL", "poll_interval"),
    ("RQDASH_READ_ONLY", "RQ_DASHBOARD_DISABLE_DELETE", "read_only"),
    // Not rq-dashboard's but RQ's own (3.0: `RQ_KEY_PREFIX`), honoured the same way.
    ("RQDASH_RQ_KEY_PREFIX", "RQ_KEY_PREFIX", "rq_key_prefix"),
];

/// rq-dashboard's variable that falls back for rqdash's `ours`, for error messages.
pub fn fallback_of(ours: &str) -> Option<&'static str> {
    FALLBACKS.iter().find(|(o, _, _)| *o == ours).map(|(_, theirs, _)| *theirs)
}

/// `cmd` with rq-dashboard's variables (looked up with `env`) as defaults where rqdash's own
/// variable is not set.
pub fn with_rq_dashboard_env(cmd: clap::Command, env: impl Fn(&str) -> Option<String>) -> clap::Command {
    FALLBACKS.iter().fold(cmd, |cmd, (ours, theirs, id)| match (env(ours), env(theirs)) {
        (None, Some(v)) if !v.trim().is_empty() => {
            // A boolean is parsed by the flag's own parser (`EnvBool`), which knows click's spellings.
            // clap wants a 'static default; this runs once per process, for at most six values.
            let v: &'static str = Box::leak(v.into_boxed_str());
            cmd.mut_arg(*id, |a| a.default_value(v))
        }
        _ => cmd,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use crate::config::{Cli, Command, try_parse_from};

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Cli, clap::Error> {
        let env: HashMap<String, String> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        try_parse_from(std::iter::once("rqdash").chain(args.iter().copied()), |k| env.get(k).cloned())
    }

    #[test]
    fn rq_dashboard_variables_fill_in_when_rqdash_ones_are_unset() {
        let env = [
            ("RQ_DASHBOARD_BIND", "0.0.0.0"),
            ("RQ_DASHBOARD_PORT", "5555"),
            ("RQ_DASHBOARD_URL_PREFIX", "/rq"),
            ("RQ_DASHBOARD_POLL_INTERVAL", "2500"),
            ("RQ_DASHBOARD_DISABLE_DELETE", "True"),
        ];
        let cli = parse(&[], &env).expect("parses");
        assert_eq!(cli.serve.bind, "0.0.0.0");
        assert_eq!(cli.serve.port, 5555);
        assert_eq!(cli.serve.prefix(), "/rq");
        assert_eq!(cli.serve.poll_interval, Duration::from_millis(2500));
        assert!(cli.serve.read_only);
    }

    #[test]
    fn flags_and_rqdash_variables_win_over_rq_dashboard_variables() {
        let env =
            [("RQ_DASHBOARD_PORT", "5555"), ("RQDASH_BIND", "10.0.0.1"), ("RQ_DASHBOARD_BIND", "0.0.0.0")];
        let cli = parse(&["-p", "7000"], &env).expect("parses");
        assert_eq!(cli.serve.port, 7000);
        // RQDASH_BIND is read by clap itself from the real environment, not from the test map:
        // what matters here is that RQ_DASHBOARD_BIND was not applied over it.
        assert_eq!(cli.serve.bind, "127.0.0.1");
    }

    #[test]
    fn a_false_disable_delete_keeps_actions_enabled() {
        for v in ["0", "false", "False", "no", ""] {
            let cli = parse(&[], &[("RQ_DASHBOARD_DISABLE_DELETE", v)]).expect("parses");
            assert!(!cli.serve.read_only, "{v:?}");
        }
    }

    #[test]
    fn a_bad_rq_dashboard_value_is_a_usage_error_naming_the_flag() {
        let e = parse(&[], &[("RQ_DASHBOARD_PORT", "http")]).expect_err("refused");
        assert!(e.to_string().contains("--port"), "{e}");
        // Click refuses such a value too; treating it as false would turn read-only off.
        let e = parse(&[], &[("RQ_DASHBOARD_DISABLE_DELETE", "enabled")]).expect_err("refused");
        assert!(e.to_string().contains("RQ_DASHBOARD_DISABLE_DELETE"), "{e}");
    }

    #[test]
    fn rq_dashboard_flags_are_accepted_without_a_subcommand() {
        let args = [
            "-u",
            "redis://a:6379",
            "-u",
            "redis://b:6379/2",
            "-b",
            "0.0.0.0",
            "-p",
            "9999",
            "--url-prefix",
            "/rq",
            "--username",
            "u",
            "--password",
            "p",
            "--poll-interval",
            "2500",
            "--disable-delete",
            "-j",
        ];
        let cli = parse(&args, &[]).expect("parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.redis.urls(), vec!["redis://a:6379", "redis://b:6379/2"]);
        assert_eq!(cli.serve.port, 9999);
        assert!(cli.serve.read_only);
        assert_eq!(cli.serve.poll_interval, Duration::from_millis(2500));
        assert!(cli.serve.credentials().expect("both halves").is_some());
    }

    #[test]
    fn cli_flags_are_global_and_subcommands_parse() {
        let cli = parse(&["--instance", "1", "doctor", "--fix", "--yes", "--json"], &[]).expect("parses");
        assert!(matches!(cli.command, Some(Command::Doctor(ref d)) if d.fix));
        assert_eq!((cli.cli.instance, cli.cli.yes, cli.cli.json), (1, true, true));
    }

    #[test]
    fn requeue_needs_ids_or_all_with_a_queue() {
        assert!(parse(&["requeue"], &[]).is_err());
        assert!(parse(&["requeue", "--all"], &[]).is_err());
        assert!(parse(&["requeue", "a", "--all", "--queue", "q"], &[]).is_err());
        assert!(parse(&["requeue", "--all", "--queue", "q", "--state", "canceled"], &[]).is_ok());
        assert!(parse(&["delete", "--all", "--queue", "q"], &[]).is_err(), "delete --all needs --state");
    }

    #[test]
    fn the_command_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
