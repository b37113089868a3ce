//! The parts of a case beside the router's routes: the live stream, one history sampler tick,
//! "select all matching" with its task, and the CLI's reads through the real binary.

use std::process::Command;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::routes::{JOBS, STATES, judge, post};
use crate::support::TestApp;

/// The live stream's first real snapshot carries no error.
pub async fn live(app: &TestApp) -> Option<String> {
    let req = Request::builder().uri("/events").body(Body::empty()).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    if res.status().as_u16() >= 500 {
        return Some(format!("GET /events: {}", res.status()));
    }
    let mut body = res.into_body();
    let mut seen = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(f)) = body.frame().await {
            if let Some(d) = f.data_ref() {
                seen.push_str(&String::from_utf8_lossy(d));
            }
            if seen.contains("\"seq\":1") {
                return;
            }
        }
    })
    .await;
    if read.is_err() {
        return Some(format!(
            "GET /events: no snapshot in 5 s: {}",
            seen.chars().take(200).collect::<String>()
        ));
    }
    (!seen.contains("\"error\":null"))
        .then(|| format!("GET /events: {}", seen.chars().take(300).collect::<String>()))
}

/// One tick of the history sampler succeeds.
pub async fn sample(url: &str) -> Option<String> {
    use clap::Parser;
    let cli = rqdash::config::Cli::try_parse_from(["rqdash", "--redis-url", url]).expect("flags");
    let store = rqdash::store::Store::from_args(&cli.redis).expect("store");
    let inst = store.instance(0).expect("instance 0");
    let mut s = rqdash::store::history::Sampler::new(rqdash::store::history::Layout::default());
    let now = jiff::Timestamp::now().as_second();
    rqdash::store::history::sample(inst, &mut s, now).await.err().map(|e| format!("history sampler: {e}"))
}

/// "Select all matching" collects without an error, and its action's task does not fail with 5xx.
pub async fn selection(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for q in ["state%3Afailed", "queue%3Adefault"] {
        let (status, text) = post(app, &format!("/api/v1/search/select?q={q}"), None).await;
        if let Some(f) = judge(&format!("POST select {q}"), status, &text) {
            out.push(f);
            continue;
        }
        let Some(id) = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["selection"].as_str().map(str::to_owned))
        else {
            out.push(format!("POST select {q}: {status} {text}"));
            continue;
        };
        let mut state = Value::Null;
        for _ in 0..250 {
            let r = app.get(&format!("/api/v1/search/selections/{id}")).await;
            if let Some(f) = judge("GET selection", r.status.as_u16(), &r.text()) {
                out.push(f);
                break;
            }
            state = r.json();
            if state["done"] == true {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if !state["error"].is_null() {
            out.push(format!("selection {q}: {}", state["error"]));
            continue;
        }
        let count = state["count"].as_u64().unwrap_or(0);
        if count == 0 {
            continue;
        }
        let (status, text) =
            post(app, &format!("/api/v1/search/selections/{id}/requeue?count={count}"), None).await;
        out.extend(judge(&format!("POST selection {q} requeue"), status, &text));
        if let Some(task) = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["task"].as_u64()) {
            out.extend(task_result(app, task).await);
        }
    }
    out
}

async fn task_result(app: &TestApp, task: u64) -> Option<String> {
    for _ in 0..250 {
        let r = app.get(&format!("/api/v1/tasks/{task}")).await;
        if r.status != 200 {
            return Some(format!("GET /api/v1/tasks/{task}: {}", r.status));
        }
        let v = r.json();
        if v["done"] == true {
            let s = v["error_status"].as_u64().unwrap_or(0);
            return (s >= 500 || v["error"].to_string().contains("WRONGTYPE"))
                .then(|| format!("task {task}: {} {}", s, v["error"]));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Some(format!("task {task} did not finish"))
}

/// The CLI's reads exit 0 (doctor: 0 or 3, "problems found"): the screens every case touches,
/// plus the list and the job the planted key belongs to (a process each, so only those).
pub fn cli(url: &str, key: &str) -> Vec<String> {
    let mut runs: Vec<Vec<&str>> = vec![vec!["info"], vec!["doctor", "--json"], vec!["jobs", "default"]];
    if let Some(s) = STATES.iter().find(|s| key == super::named::state_key(s)) {
        runs.push(vec!["jobs", "default", "--state", s]);
    }
    if let Some(id) = JOBS.iter().find(|id| key.contains(&format!(":{id}"))) {
        runs.push(vec!["job", id]);
    }
    if key.starts_with("rq:worker") {
        runs.push(vec!["workers"]);
    }
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            let child = Command::new(env!("CARGO_BIN_EXE_rqdash"))
                .arg("--redis-url")
                .arg(url)
                .args(args)
                .env("RUST_LOG", "warn")
                .env_remove("RQDASH_INSTANCE")
                .env_remove("RQDASH_READ_ONLY")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run rqdash");
            (args, child)
        })
        .collect();
    let mut out = Vec::new();
    for (args, child) in children {
        let o = child.wait_with_output().expect("rqdash output");
        let code = o.status.code().unwrap_or(-1);
        let ok = if args[0] == "doctor" {
            code == 0 || code == 3
        } else {
            code == 0
                || args[0] == "job" && code == 1 && !String::from_utf8_lossy(&o.stderr).contains("WRONGTYPE")
        };
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        if !ok || all.contains("WRONGTYPE") {
            out.push(format!(
                "rqdash {}: exit {code}: {}",
                args.join(" "),
                all.chars().take(300).collect::<String>()
            ));
        }
    }
    out
}
