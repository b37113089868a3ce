//! compose.yaml: its services reference the Dockerfile, the ports and each other; its producer
//! and its worker command run real jobs through every state with the pinned RQ.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use crate::support::fixture::{root, venv_python};
use crate::support::{RedisServer, TestApp};

use super::{active_lines, assert_known_variables, read};

/// Each service's lines (indented under `services:`), by name; a minimal reader of the file's
/// own two-space layout, enough for these checks.
fn services() -> BTreeMap<String, String> {
    let text = read("compose.yaml");
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current = None;
    for line in text.lines().skip_while(|l| *l != "services:").skip(1) {
        if let Some(name) =
            line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')).filter(|n| !n.starts_with(' '))
        {
            current = Some(name.to_owned());
        } else if let Some(name) = &current {
            let body = out.entry(name.clone()).or_default();
            body.push_str(line.trim());
            body.push('\n');
        }
    }
    out
}

#[test]
fn compose_builds_rqdash_from_the_dockerfile_and_publishes_its_port_on_loopback_only() {
    let s = services();
    assert_eq!(s.keys().map(String::as_str).collect::<Vec<_>>(), ["producer", "redis", "rqdash", "worker"]);
    let rqdash = &s["rqdash"];
    assert!(rqdash.contains("build: .\n") && root().join("Dockerfile").exists(), "{rqdash}");
    let expose = read("Dockerfile").lines().find_map(|l| l.strip_prefix("EXPOSE ")).map(str::to_owned);
    let port = expose.expect("EXPOSE");
    assert!(rqdash.contains(&format!("\"127.0.0.1:{port}:{port}\"")), "{rqdash}");
    assert!(rqdash.contains("read_only: true"), "the image runs with a read-only root filesystem");
    // Every redis:// URL names the redis service on its default port.
    for (name, body) in &s {
        for (i, _) in body.match_indices("redis://") {
            assert!(body[i..].starts_with("redis://redis:6379"), "{name}: {}", &body[i..]);
        }
        if body.contains("redis://") {
            assert!(
                body.contains("depends_on:\nredis:\ncondition: service_healthy"),
                "{name} waits for redis"
            );
        }
    }
    for (i, _) in s["producer"].match_indices("- ./") {
        let src = s["producer"][i + 2..].split(':').next().unwrap_or_default();
        assert!(root().join(src).is_file(), "volume {src} is missing");
    }
    assert!(active_lines(&read("compose.yaml")).any(|l| l.contains("rq==3.0.0")), "a pinned RQ");
    assert_known_variables("compose.yaml");
}

/// compose's `rq worker ...` arguments, with the test's Redis in place of the service's.
fn worker_args(url: &str) -> Vec<String> {
    let s = services();
    let line =
        s["worker"].lines().find(|l| l.contains("rq worker")).expect("an rq worker command").to_owned();
    let args = line.split("rq worker").nth(1).unwrap_or_default().trim().trim_end_matches('"');
    args.split_whitespace()
        .map(|a| if a == "redis://redis:6379" { url.to_owned() } else { a.to_owned() })
        .collect()
}

#[tokio::test]
async fn compose_producer_and_worker_run_real_jobs_with_the_json_serializer_into_every_state() {
    let redis = RedisServer::start();
    let python = venv_python("3.0.0");
    let produced = Command::new(&python)
        .arg(root().join("contrib/compose/produce.py"))
        .env("REDIS_URL", redis.url())
        .env("PRODUCE_LIMIT", "8")
        .output()
        .expect("run the producer");
    assert!(produced.status.success(), "{}", String::from_utf8_lossy(&produced.stderr));
    let worked = Command::new(python.with_file_name("rq"))
        .arg("worker")
        .args(worker_args(&redis.url()))
        .args(["--burst", "--logging_level", "WARNING"])
        .output()
        .expect("run the worker");
    assert!(worked.status.success(), "{}", String::from_utf8_lossy(&worked.stderr));
    let app = TestApp::new(&redis.url());
    let v = app.get_json("/api/v1/queues").await;
    let total = |state: &str| -> i64 {
        v["queues"].as_array().into_iter().flatten().map(|q| q["counts"][state].as_i64().unwrap_or(0)).sum()
    };
    // One round: five computations and two sleeps finish, int('not a number') fails, one waits.
    let counts: Vec<i64> = ["finished", "failed", "scheduled", "queued"].map(total).into();
    assert_eq!(counts, [6, 1, 1, 0], "{v}");
    // JSON all the way: no job was pickled.
    let keys: Vec<String> = redis::cmd("KEYS").arg("rq:job:*").query(&mut redis.conn()).expect("KEYS");
    let ids: Vec<&str> =
        keys.iter().filter_map(|k| k.strip_prefix("rq:job:")).filter(|id| !id.contains(':')).collect();
    assert_eq!(ids.len(), 8, "{keys:?}");
    for id in ids {
        let job: Value = app.get_json(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(job["serializer"], "json", "{job}");
    }
}
