//! The command line, through the real binary, against Redis data made by the real `rq`.

mod actions;
mod compat;
mod doctor;
mod info;
mod read_only;
mod rq_conventions;
mod rq_dashboard_flags;

use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::support::{Fixture, RQ_VERSIONS, RedisServer};

/// Run `rqdash --redis-url <server> ARGS` with stdin closed (not a terminal), as a script would.
pub fn rqdash(server: &RedisServer, args: &[&str]) -> Output {
    rqdash_env(server, args, &[])
}

/// [`rqdash`] with these environment variables set.
pub fn rqdash_env(server: &RedisServer, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .arg("--redis-url")
        .arg(server.url())
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("RQDASH_INSTANCE")
        .env_remove("RQDASH_READ_ONLY")
        .env_remove("RQ_DASHBOARD_DISABLE_DELETE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run the rqdash binary")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run and expect exit status `code`; returns stdout.
pub fn run_expect(server: &RedisServer, args: &[&str], code: i32) -> String {
    let o = rqdash(server, args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "rqdash {args:?}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Run, expect exit status `code`, parse stdout as JSON.
pub fn json_expect(server: &RedisServer, args: &[&str], code: i32) -> Value {
    let out = run_expect(server, args, code);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("rqdash {args:?} printed no JSON ({e}):\n{out}"))
}

/// Generate the fixtures of every RQ version at once (each takes seconds; in parallel it is one wait).
pub fn all_fixtures() -> Vec<&'static Fixture> {
    std::thread::scope(|s| {
        let handles: Vec<_> = RQ_VERSIONS.iter().map(|v| s.spawn(move || Fixture::get(v))).collect();
        handles.into_iter().map(|h| h.join().expect("fixture thread")).collect()
    })
}
