//! RQ 2.0+ groups: the group page and API against what RQ's own `Job.fetch` reports of the
//! fixture's group `grp-1` (jobs in two queues, one finished, one queued).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::{Fixture, TestApp};

async fn a_group_lists_its_jobs_with_the_status_counts_rq_reports(version: &'static str) {
    let f = Fixture::get(version);
    let server = f.server();
    let app = TestApp::new(&server.url());
    if version.starts_with("1.") {
        assert_eq!(app.get("/api/v1/groups/grp-1").await.status, 404, "RQ 1.x has no groups");
        return;
    }
    let jobs = f.oracle["jobs"].as_object().expect("oracle jobs");
    let mut want: Vec<(&str, &Value)> = jobs
        .iter()
        .filter(|(_, j)| j["group_id"] == "grp-1")
        .map(|(id, j)| (id.as_str(), &j["status"]))
        .collect();
    want.sort_by_key(|(id, _)| *id);
    assert!(want.len() >= 2, "the fixture's group has jobs: {want:?}");
    let mut counts = BTreeMap::<String, i64>::new();
    for (_, s) in &want {
        *counts.entry(s.as_str().expect("status").to_owned()).or_default() += 1;
    }
    let v = app.get_json("/api/v1/groups/grp-1").await;
    assert_eq!(v["total"], json!(want.len()));
    assert_eq!(v["registered"], true);
    assert_eq!(v["counts"], serde_json::to_value(&counts).expect("counts"));
    let got: Vec<(&str, &Value)> = v["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| (j["id"].as_str().unwrap_or_default(), &j["status"]))
        .collect();
    assert_eq!(got, want);
    let one = app.get_json("/api/v1/groups/grp-1?per_page=1&page=2").await;
    assert_eq!((one["pages"].clone(), one["jobs"][0]["id"].clone()), (json!(want.len()), json!(want[1].0)));

    let job = app.get(&format!("/jobs/{}", want[0].0)).await.text();
    assert!(job.contains(r#"href="/groups/grp-1" data-group"#), "the job page links its group");
    let page = app.get("/groups/grp-1").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    for (id, _) in &want {
        assert!(html.contains(&format!("/jobs/{id}")), "{id} listed");
    }
    assert_eq!(app.get("/api/v1/groups/no-such-group").await.status, 404);
}

for_each_rq_version!(a_group_lists_its_jobs_with_the_status_counts_rq_reports);
