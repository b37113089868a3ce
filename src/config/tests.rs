//! Parsing of intervals and URL prefixes; which subcommand takes which flag.

use super::*;

#[test]
fn poll_intervals_accept_seconds_milliseconds_and_bare_numbers() {
    assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
    assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_interval("2500"), Ok(Duration::from_millis(2500)));
    assert!(parse_interval("1ms").is_err());
    assert!(parse_interval("soon").is_err());
}

#[test]
fn prefixes_are_normalised() {
    assert_eq!(normalize_prefix("/rq/"), "/rq");
    assert_eq!(normalize_prefix("rq"), "/rq");
    assert_eq!(normalize_prefix("/"), "");
    assert_eq!(normalize_prefix(""), "");
}

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    try_parse_from(std::iter::once("rqdash").chain(args.iter().copied()), |_| None)
}

#[test]
fn the_scoped_commands_are_consistent() {
    command().debug_assert();
    completion_command().debug_assert();
}

#[test]
fn the_subcommands_that_take_read_only_are_the_ones_that_write() {
    // One invocation per subcommand: `writes()` (what is refused) and scope's WRITERS (what shows
    // --yes and --read-only) must agree, and every subcommand must be listed here.
    let cases: [(&[&str], bool); 28] = [
        (&["serve"], false),
        (&["audit"], false),
        (&["healthcheck"], false),
        (&["check"], false),
        (&["demo"], false),
        (&["info"], false),
        (&["queues"], false),
        (&["jobs", "q"], false),
        (&["job", "j"], false),
        (&["workers"], false),
        (&["rate-limits"], false),
        (&["functions"], false),
        (&["search", "x"], false),
        (&["schedulers"], false),
        (&["completions", "bash"], false),
        (&["hash-password"], false),
        (&["doctor"], false),
        (&["doctor", "--fix"], true),
        (&["requeue", "j"], true),
        (&["enqueue", "j"], true),
        (&["delete", "j"], true),
        (&["cancel", "j"], true),
        (&["empty", "q"], true),
        (&["compact", "q"], true),
        (&["stop", "j"], true),
        (&["suspend"], true),
        (&["resume"], true),
        (&["requeue", "--all", "-q", "q"], true),
    ];
    for (args, writes) in cases {
        let cmd = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}")).command.expect("a subcommand");
        assert_eq!(cmd.writes().is_some(), writes, "{args:?}");
        assert_eq!(scope::WRITERS.contains(&args[0]), writes || args[0] == "doctor", "{args:?}");
    }
    let listed: Vec<&str> = cases.iter().map(|(a, _)| a[0]).collect();
    for sub in command().get_subcommands() {
        assert!(listed.contains(&sub.get_name()), "{} is not covered", sub.get_name());
    }
}

#[test]
fn a_flag_a_subcommand_does_not_use_is_refused_wherever_it_is_written() {
    for args in [
        &["jobs", "q", "--port", "1"][..],
        &["--port", "1", "jobs", "q"],
        &["queues", "--yes"],
        &["serve", "--instance", "1"],
        &["--yes"],
        &["completions", "bash", "--poll-interval", "2s"],
        &["healthcheck", "-u", "redis://h:1"],
    ] {
        let e = parse(args).expect_err("refused");
        assert!(e.to_string().contains("does not apply to `rqdash"), "{args:?}: {e}");
    }
    // Flags where they apply, before or after the subcommand; --read-only and rq-dashboard's -j
    // are accepted everywhere they are harmless.
    for args in [
        &["-u", "redis://h:1", "--instance", "1", "--json", "queues"][..],
        &["queues", "--instance", "1", "-j"],
        &["--read-only", "jobs", "q"],
        &["-j", "--disable-delete", "-p", "1"],
        &["requeue", "j", "--yes", "--read-only"],
        &["-u", "redis://h:1", "completions", "bash"],
        &["-b", "0.0.0.0", "-p", "1", "--url-prefix", "/rq", "--username", "u", "healthcheck"],
        &["--probes-public"],
    ] {
        parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
}

/// Parse `args` for serve with RQ_DASHBOARD_SETTINGS naming a file holding `settings`.
fn with_settings(settings: &str, args: &[&str], env: &[(&str, &str)]) -> Cli {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("s.cfg");
    std::fs::write(&f, settings).expect("write");
    let path = f.to_string_lossy().into_owned();
    let lookup = |k: &str| match k {
        "RQ_DASHBOARD_SETTINGS" => Some(path.clone()),
        _ => env.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned()),
    };
    try_parse_from(std::iter::once("rqdash").chain(args.iter().copied()), lookup).expect("parses")
}

#[test]
fn settings_fill_in_below_flags_and_variables() {
    let s = "RQ_DASHBOARD_POLL_INTERVAL = 5000\nRQ_DASHBOARD_DISABLE_DELETE = True\nDEBUG = True\n";
    let cli = with_settings(s, &[], &[]);
    assert_eq!(cli.serve.poll_interval, Duration::from_secs(5));
    assert!(cli.serve.read_only);
    assert_eq!(cli.rqd.log_level(), Some("debug"));
    let cli = with_settings(s, &[], &[("RQ_DASHBOARD_POLL_INTERVAL", "2500")]);
    assert_eq!(cli.serve.poll_interval, Duration::from_millis(2500));
    let cli =
        with_settings(s, &["--poll-interval", "1s", "--normal"], &[("RQ_DASHBOARD_POLL_INTERVAL", "2500")]);
    assert_eq!(cli.serve.poll_interval, Duration::from_secs(1));
    assert_eq!(cli.rqd.log_level(), None, "--normal undoes the settings' DEBUG");
    let cli = with_settings(s, &["--interval", "3000"], &[]);
    assert_eq!(cli.serve.poll_interval, Duration::from_secs(3), "rq-dashboard's --interval");
    let cli = with_settings("", &["-v"], &[]);
    assert_eq!(cli.rqd.log_level(), Some("debug"));
}

#[test]
fn settings_do_not_apply_to_the_command_line_subcommands() {
    let cli = with_settings("RQ_DASHBOARD_REDIS_URL = 'redis://s:1'\n", &["queues"], &[]);
    assert_eq!(cli.redis.urls_with(|_| None), vec![DEFAULT_REDIS_URL]);
    let cli = with_settings("RQ_DASHBOARD_REDIS_URL = 'redis://s:1'\n", &[], &[]);
    assert_eq!(cli.redis.urls_with(|_| None), vec!["redis://s:1"]);
}

#[test]
fn the_storage_budget_is_serves_and_doctors_and_defaults_to_64_mb() {
    use crate::store::budget::Budget;
    assert_eq!(parse(&[]).expect("parses").serve.storage_max_memory, Budget { max: Some(64_000_000) });
    let cli = parse(&["--storage-max-memory", "512MiB"]).expect("parses");
    assert_eq!(cli.serve.storage_max_memory, Budget { max: Some(512 << 20) });
    let cli = parse(&["doctor", "--storage-max-memory", "off"]).expect("doctor reports against it");
    assert_eq!(cli.serve.storage_max_memory, Budget { max: None });
    let e = parse(&["jobs", "q", "--storage-max-memory", "1MB"]).expect_err("refused");
    assert!(e.to_string().contains("does not apply"), "{e}");
    assert!(parse(&["--storage-max-memory", "lots"]).is_err());
}
