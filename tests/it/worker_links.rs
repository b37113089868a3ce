//! Worker names are linked only where the worker's page can say something: on every page that
//! names a worker (queue tabs, the job page, search results and their API, failures), a worker
//! that exited and left neither its hash nor its `rq:workers` entry is named without a link.

use crate::support::{Fixture, RQ_VERSIONS, RedisServer, Rq, TestApp};

const WORKER: &str = "short-lived";
const LINK: &str = "href=\"/workers/short-lived\"";
const NAMED: &str = "has exited and left nothing to show\">short-lived<";

/// A real worker that ran one failing and one finishing job on `work`, then exited (burst):
/// the ids of the failed job and of the finished one.
fn ran_and_exited(r: &RedisServer) -> (String, String) {
    let rq = Rq::new("3.0.0", r);
    let v = rq.py(&format!(
        "from rq import SimpleWorker\nc = conn()\nq = Queue('work', connection=c)\n\
         a = q.enqueue(fail_counted)\nb = q.enqueue(ok, 1)\n\
         SimpleWorker([q], connection=c, name='{WORKER}').work(burst=True)\nout([a.id, b.id])"
    ));
    let id = |i: usize| v[i].as_str().expect("id").to_owned();
    (id(0), id(1))
}

/// RQ keeps a dead worker's hash for 60 s: until it goes, the page has something to say.
async fn forget_the_worker(r: &RedisServer, app: &TestApp) {
    assert_eq!(
        app.get("/workers/short-lived").await.status,
        200,
        "the page says something while the hash lasts"
    );
    let _: () = redis::cmd("DEL").arg("rq:worker:short-lived").query(&mut r.conn()).expect("DEL");
    assert_eq!(app.get("/workers/short-lived").await.status, 404, "then nothing is left to say");
}

async fn page(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    r.text()
}

/// The table row of job `id` in `html`.
fn row(html: &str, id: &str) -> String {
    html.split(&format!(">{id}<"))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .map(str::to_owned)
        .expect("row")
}

#[tokio::test]
async fn queue_tabs_link_a_worker_only_while_its_page_can_say_something() {
    let r = RedisServer::start();
    let (failed, finished) = ran_and_exited(&r);
    let app = TestApp::new(&r.url());
    let tabs = [("failed", &failed), ("finished", &finished)];
    for (state, id) in tabs {
        let html = page(&app, &format!("/queues/work?state={state}")).await;
        assert!(row(&html, id).contains(LINK), "{state} tab: the worker is linked: {}", row(&html, id));
    }
    forget_the_worker(&r, &app).await;
    for (state, id) in tabs {
        let html = page(&app, &format!("/queues/work?state={state}")).await;
        let row = row(&html, id);
        assert!(!row.contains("/workers/") && row.contains(NAMED), "{state} tab: named, not linked: {row}");
    }
}

#[tokio::test]
async fn the_job_page_links_its_worker_only_while_its_page_can_say_something() {
    let r = RedisServer::start();
    let (failed, _) = ran_and_exited(&r);
    let app = TestApp::new(&r.url());
    let html = page(&app, &format!("/jobs/{failed}")).await;
    assert!(html.contains(&format!("<dt>Worker</dt><dd><a {LINK}>")), "the worker field is a link");
    assert!(html.contains(&format!("on <a {LINK}>")), "so is the worker of its result: {html}");
    forget_the_worker(&r, &app).await;
    let html = page(&app, &format!("/jobs/{failed}")).await;
    assert!(!html.contains("/workers/short-lived"), "no link is drawn to the exited worker");
    assert!(html.contains(&format!("<dt>Worker</dt><dd><span title=\"This worker {NAMED}")), "it is named");
    assert!(html.contains(&format!("on <span title=\"This worker {NAMED}")), "in its result too");
}

#[tokio::test]
async fn search_results_and_their_api_link_a_worker_only_while_its_page_can_say_something() {
    let r = RedisServer::start();
    let (failed, finished) = ran_and_exited(&r);
    let app = TestApp::new(&r.url());
    let html = page(&app, "/search?q=worker%3Ashort-lived").await;
    for id in [&failed, &finished] {
        assert!(row(&html, id).contains(LINK), "the hit's worker is linked: {}", row(&html, id));
    }
    let api = app.get_json("/api/v1/search?q=worker%3Ashort-lived").await;
    assert_eq!(api["linked_workers"], serde_json::json!([WORKER]), "the API says which to link: {api}");
    assert_eq!(api["hits"].as_array().map(Vec::len), Some(2), "the hits are unchanged: {api}");
    forget_the_worker(&r, &app).await;
    let html = page(&app, "/search?q=worker%3Ashort-lived").await;
    for id in [&failed, &finished] {
        let row = row(&html, id);
        assert!(!row.contains("/workers/") && row.contains(NAMED), "named, not linked: {row}");
    }
    let api = app.get_json("/api/v1/search?q=worker%3Ashort-lived").await;
    assert_eq!(api["linked_workers"], serde_json::json!([]), "nothing to link: {api}");
}

#[tokio::test]
async fn the_started_tab_links_the_running_worker_of_every_rq_version() {
    for v in RQ_VERSIONS {
        let server = Fixture::get(v).server();
        let app = TestApp::new(&server.url());
        let html = page(&app, "/queues/long?state=started").await;
        assert!(html.contains("<a href=\"/workers/fixture-busy\">fixture-busy</a>"), "rq {v}: {html}");
    }
}
