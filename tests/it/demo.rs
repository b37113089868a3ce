//! `rqdash demo` through the real binary: a private redis-server with RQ data in every state,
//! data `rqdash doctor` finds clean but for the planted orphans, a real `rq worker` of each
//! pinned version running the queued jobs, and nothing left behind after SIGINT.

mod fidelity;
mod shared;
mod workers;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::rq_worker::wait_until;
use crate::support::served::{Served, free_port, http_get};

/// A running `rqdash demo` and what its banner said.
pub struct DemoRun {
    child: Served,
    lines: Receiver<String>,
    pub port: u16,
    /// The demo's Redis URL.
    pub redis: String,
    /// The private server's directory, when the demo made one.
    pub dir: Option<PathBuf>,
    /// The `rq worker ...` command it printed, split into words.
    pub worker_command: Vec<String>,
}

/// Start `rqdash demo --no-open --port <free> EXTRA` and read its banner.
pub fn start(extra: &[&str]) -> DemoRun {
    start_env(extra, &[])
}

pub fn start_env(extra: &[&str], env: &[(&str, &str)]) -> DemoRun {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["demo", "--no-open", "--port", &port.to_string()])
        .args(extra)
        .env("RUST_LOG", "warn")
        .env_remove("RQDASH_REDIS_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("rqdash binary");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut run = DemoRun {
        child: Served(child),
        lines,
        port,
        redis: String::new(),
        dir: None,
        worker_command: Vec::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = run.lines.recv_timeout(left).expect("the demo printed its banner in time");
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Redis", url, rest @ ..] => {
                run.redis = (*url).to_owned();
                let dir = rest.iter().position(|w| *w == "in").and_then(|i| rest.get(i + 1));
                run.dir = dir.map(|d| PathBuf::from(d.trim_end_matches(')')));
            }
            ["rq", "worker", ..] => run.worker_command = words.iter().map(|w| (*w).to_owned()).collect(),
            ["Ctrl-C", ..] => break,
            _ => {}
        }
    }
    assert!(
        !run.redis.is_empty() && !run.worker_command.is_empty(),
        "banner without Redis URL or worker command"
    );
    run
}

impl DemoRun {
    /// A connection to the demo's Redis.
    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.redis.as_str())
            .and_then(|c| c.get_connection())
            .expect("connect to the demo's Redis")
    }

    /// GET a JSON API path of the dashboard.
    pub fn api(&self, path: &str) -> Value {
        let (status, body) = http_get(self.port, path, None).expect("the dashboard answers");
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }

    /// SIGINT, then wait for the exit (at most 30 s); returns the status and the last lines.
    pub fn interrupt(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.0.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Ok(Some(status)) = self.child.0.try_wait() {
                break status;
            }
            assert!(Instant::now() < deadline, "rqdash demo did not exit after SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        };
        (status, self.lines.try_iter().collect())
    }
}

/// `rqdash ARGS` against a Redis URL, as a script runs it.
pub fn rqdash(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["--redis-url", url])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run rqdash")
}

/// Jobs the workers of the demo's Redis report done (successful and failed).
pub fn jobs_done(con: &mut redis::Connection) -> i64 {
    let workers: Vec<String> = redis::cmd("SMEMBERS").arg("rq:workers").query(con).expect("SMEMBERS");
    workers
        .iter()
        .map(|w| {
            let counts: Vec<Option<i64>> = redis::cmd("HMGET")
                .arg(w)
                .arg(&["successful_job_count", "failed_job_count"])
                .query(con)
                .expect("HMGET");
            counts.into_iter().flatten().sum::<i64>()
        })
        .sum()
}

/// doctor's findings as (check, key, count).
pub fn findings(url: &str) -> BTreeSet<(String, String, u64)> {
    let out = rqdash(url, &["doctor", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("doctor --json");
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("-").to_owned();
            (s("check"), s("key"), f["count"].as_u64().unwrap_or(0))
        })
        .collect()
}

#[test]
fn the_demo_shows_every_state_on_its_port_and_sigint_leaves_no_process_and_no_data() {
    let demo = start(&[]);
    assert!(demo.redis.starts_with("redis://127.0.0.1:"), "{}", demo.redis);
    let dir = demo.dir.clone().expect("the private server's directory");
    assert!(dir.is_dir());
    let states = ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled"];
    wait_until(20, "every state non-zero in the overview", || {
        let totals = demo.api("/api/v1/queues")["totals"].clone();
        states.iter().all(|s| totals[s].as_u64().unwrap_or(0) > 0)
    });
    let queues: Vec<String> = demo.api("/api/v1/queues")["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .filter_map(|q| q["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(queues, ["billing", "default", "emails", "reports"]);
    assert_eq!(demo.api("/api/v1/workers")["workers"].as_array().map(Vec::len), Some(4));
    let info: String = redis::cmd("INFO").arg("server").query(&mut demo.conn()).expect("INFO");
    let pid: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|p| p.trim().parse().ok())
        .expect("redis-server's pid");
    let redis = demo.redis.clone();
    let port = demo.port;
    let (status, last) = demo.interrupt();
    assert!(status.success(), "exit status {status}");
    assert!(last.iter().any(|l| l.contains("demo data removed")), "{last:?}");
    assert!(!PathBuf::from(format!("/proc/{pid}")).exists(), "redis-server {pid} still runs");
    assert!(!dir.exists(), "{} was left behind", dir.display());
    assert!(
        redis::Client::open(redis.as_str()).and_then(|c| c.get_connection()).is_err(),
        "Redis still answers"
    );
    assert!(http_get(port, "/healthz", None).is_none(), "the dashboard still answers");
}

#[test]
fn the_demos_data_passes_doctor_apart_from_the_orphans_planted_on_purpose() {
    let demo = start(&[]);
    let planted: BTreeSet<(String, String, u64)> =
        ["rq:failed:billing", "rq:finished:reports", "rq:scheduled:emails"]
            .iter()
            .map(|k| ("missing_job".to_owned(), (*k).to_owned(), 1))
            .collect();
    assert_eq!(findings(&demo.redis), planted, "right after the start");
    // And while the workers move jobs: once they have finished a few more.
    let mut con = demo.conn();
    let before = jobs_done(&mut con);
    wait_until(30, "the simulated workers to finish 5 more jobs", || jobs_done(&mut con) >= before + 5);
    // doctor's walk is not a snapshot (a job may move between two of its reads): one retry.
    let again = findings(&demo.redis);
    let again = if again == planted { again } else { findings(&demo.redis) };
    assert_eq!(again, planted, "after a few ticks");
}

#[test]
fn without_redis_server_on_path_the_demo_names_the_package_to_install() {
    let empty = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["demo", "--no-open", "--port", &free_port().to_string()])
        .env("PATH", empty.path())
        .env_remove("RQDASH_REDIS_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run rqdash");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install redis-server") && err.contains("--redis-url"), "{err}");
}
