//! The API agrees, field by field, with what the real `rq` says about data it made itself.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{Fixture, RQ_VERSIONS, TestApp, seg};

const STATES: [&str; 7] = ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled"];

fn obj(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flatten()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_owned)).collect()
}

async fn list_all(app: &TestApp, queue: &str, state: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let v = app
            .get_json(&format!("/api/v1/queues/{}/jobs?state={state}&per_page=500&page={page}", seg(queue)))
            .await;
        let jobs = v["jobs"].as_array().cloned().unwrap_or_default();
        if jobs.is_empty() {
            break;
        }
        out.extend(jobs);
    }
    out
}

async fn queues_agree(f: &Fixture, app: &TestApp) {
    let api = app.get_json("/api/v1/queues").await;
    let by_name = |n: &str| api["queues"].as_array().into_iter().flatten().find(|q| q["name"] == n).cloned();
    let expected: BTreeSet<&String> = obj(&f.oracle["queues"]).map(|(n, _)| n).collect();
    let got: BTreeSet<String> = api["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(got, expected.iter().map(|s| (*s).clone()).collect(), "rq {}: queue names", f.version);
    for (name, want) in obj(&f.oracle["queues"]) {
        let q = by_name(name).unwrap_or_else(|| panic!("rq {}: queue {name} missing", f.version));
        for s in STATES {
            assert_eq!(q["counts"][s], want[s], "rq {}: {name}.{s}", f.version);
        }
        assert_eq!(q["workers"], want["workers"], "rq {}: {name} workers", f.version);
        // What RQ's cleanup dropped from the snapshot is reported apart, never as jobs.
        for s in ["started", "finished", "failed"] {
            let dropped = f.oracle["expired"][name.as_str()][s].as_i64().unwrap_or(0);
            assert_eq!(
                q["counts"]["expired"][s].as_i64(),
                Some(dropped),
                "rq {}: {name} expired {s}",
                f.version
            );
        }
    }
    assert!(
        f.oracle["expired"]["expiring"]["finished"].as_i64() == Some(3),
        "rq {}: the fixture has expired entries to disagree about",
        f.version
    );
}

async fn members_agree(f: &Fixture, app: &TestApp) {
    for (queue, states) in obj(&f.oracle["registry_members"]) {
        for (state, members) in obj(states) {
            let rows = list_all(app, queue, state).await;
            let got: Vec<String> = rows
                .iter()
                .map(|r| match r["execution_id"].as_str() {
                    Some(e) => format!("{}:{e}", r["id"].as_str().unwrap_or_default()),
                    None => r["id"].as_str().unwrap_or_default().to_owned(),
                })
                .collect();
            let mut want = strs(members);
            let mut got_sorted = got.clone();
            if state != "queued" {
                // Equal scores may tie-break differently; the set and the count must match exactly.
                want.sort();
                got_sorted.sort();
            }
            assert_eq!(got_sorted, want, "rq {}: members of {queue}/{state}", f.version);
            let orphans = strs(&f.oracle["orphans"][queue.as_str()][state.as_str()]);
            for r in &rows {
                let id = r["id"].as_str().unwrap_or_default();
                assert_eq!(
                    r["missing"].as_bool(),
                    Some(orphans.iter().any(|o| o == id)),
                    "rq {}: {queue}/{state} {id} missing flag",
                    f.version
                );
            }
        }
    }
}

async fn jobs_agree(f: &Fixture, app: &TestApp) {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let age = f.oracle["snapshot_at"].as_f64().map_or(0, |at| (now - at).round() as i64);
    for (id, want) in obj(&f.oracle["jobs"]) {
        let v = app.get_json(&format!("/api/v1/jobs/{}", seg(id))).await;
        let ctx = format!("rq {} job {id}", f.version);
        for k in [
            "status",
            "origin",
            "description",
            "created_at",
            "enqueued_at",
            "started_at",
            "ended_at",
            "worker_name",
        ] {
            assert_eq!(v[k], want[k], "{ctx}: {k}");
        }
        assert_eq!(v["missing"], false, "{ctx}");
        if want["serializer"] == "pickle" || want["serializer"] == "json" {
            assert!(v["data_error"].is_null(), "{ctx}: data decodes: {}", v["data_error"]);
            assert_eq!(v["func_name"], want["func_name"], "{ctx}: func_name");
        }
        if let Some(want_args) = want["args_json"].as_array() {
            let args: Vec<Value> =
                v["args"].as_array().into_iter().flatten().map(|a| a["value"].clone()).collect();
            assert_eq!(args.len(), want_args.len(), "{ctx}: args");
            for (i, (got, want)) in args.iter().zip(want_args).enumerate() {
                // Values over the view's cap (a 1 MB string) come cut, and say so.
                let cut =
                    v["cut"].as_array().into_iter().flatten().any(|c| c["field"] == format!("args[{i}]"));
                match (cut, got.as_str(), want.as_str()) {
                    (true, Some(g), Some(w)) => {
                        assert!(w.starts_with(g.trim_end_matches('…')), "{ctx}: args[{i}]")
                    }
                    _ => assert_eq!(got, want, "{ctx}: args[{i}]"),
                }
            }
        }
        if let Some(kw) = want["kwargs_json"].as_object() {
            for (k, val) in kw {
                let got = v["kwargs"].as_array().into_iter().flatten().find(|a| a["name"] == k.as_str());
                assert_eq!(got.map(|a| &a["value"]), Some(val), "{ctx}: kwarg {k}");
            }
        }
        if let Some(meta) = want["meta"].as_object().filter(|m| !m.is_empty()) {
            for (k, val) in meta {
                assert_eq!(&v["meta"]["value"][k], val, "{ctx}: meta {k}");
            }
        }
        let deps: BTreeSet<String> = strs(&v["dependency_ids"]).into_iter().collect();
        assert_eq!(deps, strs(&want["dependency_ids"]).into_iter().collect(), "{ctx}: dependency_ids");
        let dependents: BTreeSet<String> = v["dependents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["id"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(dependents, strs(&want["dependents"]).into_iter().collect(), "{ctx}: dependents");
        let count = want["result_count"].as_u64().unwrap_or(0).min(10);
        assert_eq!(v["results"].as_array().map_or(0, Vec::len) as u64, count, "{ctx}: results");
        if !want["latest_result_type"].is_null() {
            assert_eq!(v["results"][0]["type"], want["latest_result_type"], "{ctx}: latest result type");
        }
        if let Some(exc) = want["exc_first_line_contains"].as_str() {
            let text = v["exc_info"].as_str().unwrap_or_default();
            assert!(text.contains(exc), "{ctx}: traceback mentions {exc}: {text:?}");
        }
        assert_eq!(v["position"], want["position"], "{ctx}: position");
        // The oracle read TTLs when the snapshot was taken; a loaded machine runs this minutes later.
        let (ttl, wttl) = (v["key_ttl"].as_i64().unwrap_or(-3), want["ttl"].as_i64().unwrap_or(-3));
        let aged = if wttl > 0 { wttl - age } else { wttl };
        assert!(
            ttl == wttl || (wttl > 0 && (ttl - aged).abs() <= 15),
            "{ctx}: ttl {ttl} vs {wttl} aged {age} s"
        );
    }
}

async fn workers_agree(f: &Fixture, app: &TestApp) {
    let api = app.get_json("/api/v1/workers").await;
    assert_eq!(api["suspended"], f.oracle["suspended"], "rq {}: suspended", f.version);
    let list = api["workers"].as_array().cloned().unwrap_or_default();
    let want = f.oracle["workers"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), want.len(), "rq {}: worker count", f.version);
    for w in want {
        let ctx = format!("rq {} worker {}", f.version, w["name"]);
        let got = list.iter().find(|x| x["name"] == w["name"]).unwrap_or_else(|| panic!("{ctx} listed"));
        assert_eq!(got["stale"], w["stale"], "{ctx}: stale");
        if w["stale"] == false {
            for k in [
                "state",
                "queues",
                "current_job",
                "hostname",
                "pid",
                "successful_job_count",
                "failed_job_count",
            ] {
                if !w[k].is_null() {
                    assert_eq!(got[k], w[k], "{ctx}: {k}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_api_agrees_with_rq_1_16_2() {
    check(RQ_VERSIONS[0]).await;
}

#[tokio::test]
async fn the_api_agrees_with_rq_2_12_0() {
    check(RQ_VERSIONS[1]).await;
}

#[tokio::test]
async fn the_api_agrees_with_rq_3_0_0() {
    check(RQ_VERSIONS[2]).await;
}

async fn check(version: &'static str) {
    let f = Fixture::get(version);
    let server = f.server();
    let app = TestApp::new(&server.url());
    queues_agree(f, &app).await;
    members_agree(f, &app).await;
    jobs_agree(f, &app).await;
    workers_agree(f, &app).await;
}
