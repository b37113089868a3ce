//! The binary as a drop-in for rq-dashboard (its flags and RQ_DASHBOARD_* variables), help,
//! and shell completions.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{run_expect, stdout};
use crate::support::RedisServer;
use crate::support::served::{Served, free_port, http_get};

/// GET a path; the status code, or None while nothing listens.
fn status_of(port: u16, path: &str) -> Option<u16> {
    http_get(port, path, None).map(|(status, _)| status)
}

#[test]
fn rq_dashboard_environment_variables_configure_the_server() {
    let redis = RedisServer::start();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .env("RQ_DASHBOARD_REDIS_URL", redis.url())
        .env("RQ_DASHBOARD_PORT", port.to_string())
        .env("RQ_DASHBOARD_URL_PREFIX", "/rq")
        .env("RQ_DASHBOARD_POLL_INTERVAL", "2500")
        .env("RQ_DASHBOARD_DISABLE_DELETE", "True")
        .env_remove("RQDASH_PORT")
        .env_remove("RQDASH_URL_PREFIX")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rqdash binary");
    let _server = Served(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = status_of(port, "/rq/api/v1/queues") {
            break s;
        }
        assert!(Instant::now() < deadline, "rqdash did not listen on RQ_DASHBOARD_PORT {port}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status, 200, "served under RQ_DASHBOARD_URL_PREFIX");
    assert_eq!(status_of(port, "/api/v1/queues"), Some(404), "nothing outside the prefix");
}

#[test]
fn rq_dashboard_flags_are_accepted_without_a_subcommand() {
    // --help after the flags: everything parses, nothing is served.
    let o = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["-u", "redis://127.0.0.1:1", "-b", "0.0.0.0", "-p", "9999", "--url-prefix", "/rq"])
        .args(["--username", "u", "--password", "p", "--poll-interval", "2500", "--disable-delete", "-j"])
        .arg("--help")
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn help_shows_examples_and_completions_are_generated() {
    let redis = RedisServer::start();
    let help = run_expect(&redis, &["--help"], 0);
    assert!(help.contains("Examples:") && help.contains("rqdash doctor --fix"), "{help}");
    let doctor_help = run_expect(&redis, &["doctor", "--help"], 0);
    assert!(doctor_help.contains("rqdash doctor --fix --yes"), "{doctor_help}");
    for shell in ["bash", "zsh", "fish"] {
        let o = super::rqdash(&redis, &["completions", shell]);
        assert!(o.status.success());
        let script = stdout(&o);
        assert!(
            script.contains("rqdash") && script.contains("doctor") && script.contains("requeue"),
            "{shell}"
        );
    }
}

/// `rqdash ARGS --help`, without Redis.
fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_rqdash")).args(args).arg("--help").output().expect("run");
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const SERVE_ONLY: [&str; 8] = [
    "--bind",
    "--port",
    "--url-prefix",
    "--poll-interval",
    "--username",
    "--metrics-cache",
    "--no-history",
    "--history-prefix",
];

#[test]
fn each_subcommand_help_lists_only_the_flags_it_uses() {
    for read in ["info", "queues", "jobs", "job", "workers"] {
        let h = help(&[read]);
        for flag in SERVE_ONLY.iter().chain(&["--yes", "--read-only"]) {
            assert!(!h.contains(flag), "`rqdash {read} --help` lists {flag}:\n{h}");
        }
        assert!(
            h.contains("--redis-url") && h.contains("--instance") && h.contains("--json"),
            "{read}:\n{h}"
        );
    }
    for write in ["requeue", "delete", "empty", "stop", "suspend", "doctor"] {
        let h = help(&[write]);
        assert!(
            h.contains("--yes") && h.contains("--read-only") && h.contains("--instance"),
            "{write}:\n{h}"
        );
        assert!(!h.contains("--port") && !h.contains("--poll-interval"), "{write}:\n{h}");
    }
    for serve in [&[][..], &["serve"]] {
        let h = help(serve);
        assert!(h.contains("--port") && h.contains("--read-only") && h.contains("--redis-url"), "{h}");
        assert!(
            !h.contains("--instance") && !h.contains("--yes") && !h.contains("--json"),
            "{serve:?}:\n{h}"
        );
    }
    let h = help(&["completions"]);
    assert!(!h.contains("--redis-url") && !h.contains("--port"), "{h}");
    // Completions offer the same flags as the help (clap_complete would list hidden ones too).
    let o = Command::new(env!("CARGO_BIN_EXE_rqdash")).args(["completions", "fish"]).output().expect("run");
    let fish = String::from_utf8_lossy(&o.stdout);
    let of = |sub: &str, flag: &str| {
        let cond = format!("__fish_rqdash_using_subcommand {sub}\"");
        fish.lines().any(|l| l.contains(&cond) && l.contains(&format!(" -l {flag}")))
    };
    assert!(of("jobs", "instance") && of("requeue", "yes") && of("serve", "port"), "{fish}");
    assert!(!of("jobs", "port") && !of("jobs", "yes") && !of("serve", "instance"), "{fish}");
    // A flag the subcommand does not use is an error, not silently ignored.
    let o =
        Command::new(env!("CARGO_BIN_EXE_rqdash")).args(["jobs", "q", "--port", "1"]).output().expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--port does not apply to `rqdash jobs`"));
}
