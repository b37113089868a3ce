//! The audit log: exact intent and outcome entries for every action over HTTP and the CLI,
//! background tasks stopped between chunks, fail-closed writes, retention, filters and paging.

mod cli;
mod http;
mod read;

use axum::body::Body;
use serde_json::Value;

use crate::support::TestApp;

/// POST `path` with an optional JSON body: (status, JSON answer).
pub async fn post(app: &TestApp, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
    let r = app.send("POST", path, &[("content-type", "application/json")], body).await;
    (r.status.as_u16(), serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

/// Every entry of the log, newest first, through the API.
pub async fn entries(app: &TestApp) -> Vec<Value> {
    let page = app.get_json("/api/v1/audit?limit=500").await;
    page["entries"].as_array().cloned().unwrap_or_default()
}

/// The outcome entry of the intent `intent`.
pub fn outcome_of<'a>(all: &'a [Value], intent: &Value) -> &'a Value {
    all.iter()
        .find(|e| e["phase"] == "outcome" && e["of"] == intent["id"])
        .unwrap_or_else(|| panic!("no outcome for {intent}"))
}

/// Real RQ: five `flaky` jobs in queue `cli`, failed once by a real worker.
pub fn five_failed_jobs(rq: &crate::support::Rq) {
    rq.py("q = Queue('cli', connection=conn())\n\
         out([q.enqueue(flaky, i, job_id='flaky-%d' % i).id for i in range(5)])");
    rq.burst(&["cli"]);
}
