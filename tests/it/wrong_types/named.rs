//! Where a planted key of the wrong type must be named: the pages that show what it holds, the
//! doctor, the whole-list actions on it; and the other queues stay listed.

use std::time::{Duration, Instant};

use super::{Kind, routes};
use crate::support::TestApp;

/// The key of `state`'s list or registry of queue `default`.
pub fn state_key(state: &str) -> String {
    match state {
        "queued" => "rq:queue:default".to_owned(),
        "started" => "rq:wip:default".to_owned(),
        s => format!("rq:{s}:default"),
    }
}

fn human(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::List => "a list",
        Kind::Set => "a set",
        Kind::Hash => "a hash",
        Kind::Zset => "a sorted set",
        Kind::Stream => "a stream",
    }
}

/// The pages that must name a planted key (where they show what it holds), and whether the
/// doctor reads it.
fn shown_on(key: &str) -> (Vec<String>, bool) {
    let job = routes::JOBS.iter().find(|id| key.contains(&format!(":{id}")));
    let worker = routes::WORKERS.iter().find(|w| key.starts_with(&format!("rq:worker:{w}")));
    let state = routes::STATES.iter().find(|s| key == state_key(s));
    match (job, worker, state) {
        _ if key == "rq:queues" || key == "rq:workers" => (vec!["/".into()], true),
        (Some(id), ..) => {
            (vec![format!("/jobs/{id}")], !key.contains("results") && !key.contains("executions"))
        }
        (_, Some(w), _) => (vec![format!("/workers/{w}")], !key.ends_with(":executions")),
        (.., Some(s)) => (vec![format!("/queues/default?state={s}"), "/".into()], true),
        _ if key == "rq:workers:default" => (vec!["/".into()], true),
        _ => (Vec::new(), key == "rq:queue:default:intermediate"),
    }
}

/// The planted key is named where it is shown, by the doctor, and by the whole-list actions
/// on it (409).
pub async fn named(app: &TestApp, key: &str, kind: Kind, right: Kind) -> Vec<String> {
    let message = format!("{key} is {}, not {}: RQ cannot use it", human(kind), human(right));
    let mut out = Vec::new();
    let (pages, doctor) = shown_on(key);
    for path in pages {
        let r = app.get(&path).await;
        if r.status != 200 || !r.text().contains(&message) {
            out.push(format!("GET {path}: {} does not say {message:?}", r.status));
        }
    }
    if doctor {
        let r = app.get("/api/v1/doctor").await;
        let r = if r.status == 200 { r.json() } else { serde_json::Value::Null };
        let found =
            r["findings"].as_array().into_iter().flatten().any(|f| {
                f["check"] == "wrong_type" && f["key"] == key && f["examples"][0] == message.as_str()
            });
        if !found {
            out.push(format!("doctor does not report {message:?}"));
        }
    }
    let state = routes::STATES.iter().find(|s| key == state_key(s));
    let mut actions = Vec::new();
    match state.copied() {
        Some("queued") => actions.extend(["compact".to_owned(), "empty?state=queued".to_owned()]),
        Some(s @ ("failed" | "canceled")) => {
            actions.extend([format!("requeue?state={s}"), format!("empty?state={s}")])
        }
        Some(s @ ("finished" | "deferred" | "scheduled")) => actions.push(format!("empty?state={s}")),
        _ => {}
    }
    for a in actions {
        let r = app.request("POST", &format!("/api/v1/queues/default/{a}")).await;
        if r.status != 409 || !r.text().contains(&message) {
            out.push(format!("POST {a}: {} {} (wanted 409 naming the key)", r.status, r.text()));
        }
    }
    out
}

/// Poll `GET /api/v1/queues` until the queues of the fixture other than `default` are listed
/// (a corrupt `rq:queues` leaves them to the background scan, which takes a moment).
pub async fn others_listed(app: &TestApp) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app.get("/api/v1/queues").await;
        let names: Vec<String> = if r.status == 200 {
            r.json()["queues"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|q| q["name"].as_str().map(str::to_owned))
                .collect()
        } else {
            Vec::new()
        };
        if ["high", "low", "long", "tenant:42"].iter().all(|q| names.iter().any(|n| n == q)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the overview lost the other queues: {} {names:?}", r.status));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
