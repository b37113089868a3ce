//! The pages, the API and the job fallback over functions and archive recorded from real jobs.

use axum::http::StatusCode;
use redis::Commands;

use rqdash::store::history::{self, Layout, Sampler};

use super::{FAIL, SLEEP, now, run_jobs};
use crate::history::store;
use crate::support::{RedisServer, Rq, TestApp, seg};

async fn pages_and_api_show_functions_and_expired_jobs_from_the_archive(version: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(version, &r);
    let ids = run_jobs(&rq);
    let s = store(&r);
    history::sample(s.instance(0).expect("instance"), &mut Sampler::new(Layout::default()), now())
        .await
        .expect("tick");
    let app = TestApp::new(&r.url());

    let api = app.get_json("/api/v1/functions?range=1h").await;
    let rows = api["functions"].as_array().expect("functions");
    let sleep = rows.iter().find(|f| f["function"] == SLEEP).expect("sleep row");
    assert_eq!(sleep["calls"], 6);
    assert_eq!(sleep["queue"], "fq");
    let fail = rows.iter().find(|f| f["function"] == FAIL).expect("fail row");
    assert_eq!(fail["failure_rate"], 1.0);

    let page = app.get("/functions?range=1h&sort=p95&dir=desc").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("data-function=\"{SLEEP}\"")), "{html}");
    let first = html.find("data-function=").expect("a row");
    assert!(html[first..].starts_with(&format!("data-function=\"{SLEEP}\"")), "slowest p95 first");
    assert_eq!(app.get("/functions?sort=nope").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/functions?range=2y").await.status, StatusCode::BAD_REQUEST);

    let detail = app.get_json(&format!("/api/v1/functions/{}?range=1h", seg(FAIL))).await;
    assert_eq!(detail["failures"].as_array().map(Vec::len), Some(2), "{detail}");
    let fpage = app.get(&format!("/functions/{}", seg(FAIL))).await;
    assert_eq!(fpage.status, StatusCode::OK);
    let failed_id = ids["fail"][0].as_str().expect("id");
    assert!(fpage.text().contains(&format!("/jobs/{failed_id}")), "archived failures linked");

    // RQ deletes the job: the API answers the archived record, the page says so.
    let mut con = r.conn();
    let _: () = con.del(format!("rq:job:{failed_id}")).expect("DEL");
    let job = app.get_json(&format!("/api/v1/jobs/{failed_id}")).await;
    assert_eq!(job["archived"], true);
    assert_eq!(job["exc_type"], "RuntimeError");
    assert_eq!(job["function"], FAIL);
    let jp = app.get(&format!("/jobs/{failed_id}")).await;
    assert_eq!(jp.status, StatusCode::OK);
    assert!(jp.text().contains("data-archived"), "the page says the record is archived");
    assert_eq!(app.get("/api/v1/jobs/never-was").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/jobs/never-was").await.status, StatusCode::NOT_FOUND);

    // The CLI reads the same table.
    let out = crate::cli::rqdash(&r, &["functions", "--range", "1h", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(cli["functions"], api["functions"]);
    let out = crate::cli::rqdash(&r, &["functions", "--range", "1h"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(SLEEP));
}

for_each_rq_version!(pages_and_api_show_functions_and_expired_jobs_from_the_archive);
