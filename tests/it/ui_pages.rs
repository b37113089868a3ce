//! Issue 16's pages through the router, on data real RQ wrote: failed lists newest first and
//! filtered, the workers page saying what runs now, the overview's queue table in pages, and
//! values over the cap folded with what was cut.

use crate::support::{Fixture, RQ_VERSIONS, RedisServer, Rq, TestApp};

async fn page(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    r.text()
}

/// Where each of `ids` first appears in `html`, in the order given.
fn positions(html: &str, ids: &[String]) -> Vec<usize> {
    ids.iter().map(|id| html.find(&format!(">{id}<")).unwrap_or_else(|| panic!("{id} not listed"))).collect()
}

/// Three jobs failed one after another on `q`, with real RQ: their ids, oldest failure first.
fn fail_three(rq: &Rq, q: &str) -> Vec<String> {
    let v = rq.py(&format!(
        "c = conn()\nq = Queue('{q}', connection=c)\nout([q.enqueue(fail_counted).id for _ in range(3)])"
    ));
    rq.burst(&[q]);
    v.as_array().expect("ids").iter().map(|x| x.as_str().expect("id").to_owned()).collect()
}

#[tokio::test]
async fn a_failed_tab_opens_on_the_newest_failure_and_oldest_first_is_one_click_away() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    let ids = fail_three(&rq, "work");
    let app = TestApp::new(&r.url());
    let html = page(&app, "/queues/work?state=failed").await;
    let p = positions(&html, &ids);
    assert!(p[2] < p[1] && p[1] < p[0], "newest failure first by default: {p:?}");
    let html = page(&app, "/queues/work?state=failed&order=asc").await;
    let p = positions(&html, &ids);
    assert!(p[0] < p[1] && p[1] < p[2], "order=asc shows the oldest first: {p:?}");
    let html = page(&app, "/queues/work?state=failed").await;
    assert!(html.contains("aria-current=\"true\">Newest first"), "the order switch says newest first");
}

#[tokio::test]
async fn failures_can_be_filtered_by_queue_function_and_exception() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    let counted = fail_three(&rq, "alpha");
    let zero = rq.py(
        "import operator\nc = conn()\nq = Queue('beta', connection=c)\nout([q.enqueue(operator.truediv, 1, 0).id])",
    );
    rq.burst(&["beta"]);
    let zero = zero[0].as_str().expect("id").to_owned();
    let app = TestApp::new(&r.url());
    let all = page(&app, "/failed").await;
    assert!(all.contains(&zero) && counted.iter().all(|id| all.contains(id.as_str())), "no filter: all four");
    let alpha = page(&app, "/failed?queue=alpha").await;
    assert!(!alpha.contains(&zero) && counted.iter().all(|id| alpha.contains(id.as_str())), "queue=alpha");
    assert!(alpha.contains("<option value=\"alpha\" selected>"), "the queue filter shows its choice");
    for q in ["function=TRUEDIV", "exception=ZeroDivision", "queue=beta&exception=division+by+zero"] {
        let html = page(&app, &format!("/failed?{q}")).await;
        assert!(html.contains(&zero), "{q}: the ZeroDivisionError is listed");
        assert!(counted.iter().all(|id| !html.contains(id.as_str())), "{q}: nothing else is");
    }
    let none = page(&app, "/failed?exception=NoSuchError").await;
    assert!(none.contains("No failed job matches these filters."), "{none}");
    assert!(none.contains("Clear filters"), "a filtered page offers to clear the filters");
    let api = app.get_json("/api/v1/failed").await;
    assert_eq!(api["rows"].as_array().map(Vec::len), Some(4), "the API is unchanged: {api}");
}

#[tokio::test]
async fn failures_link_neither_orphan_ids_nor_workers_that_exited_and_left_nothing() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    let id = rq.py(
        "from rq import SimpleWorker\nc = conn()\nq = Queue('work', connection=c)\nj = q.enqueue(fail_counted)\n\
         SimpleWorker([q], connection=c, name='short-lived').work(burst=True)\nout(j.id)",
    );
    let id = id.as_str().expect("id").to_owned();
    let mut con = r.conn();
    // An id whose job hash is gone, as a cleanup by hand leaves it.
    let _: () = redis::cmd("ZADD")
        .arg("rq:failed:work")
        .arg(4_102_444_800_i64)
        .arg("orphan-x")
        .query(&mut con)
        .expect("ZADD");
    let app = TestApp::new(&r.url());
    let row = |html: &str, id: &str| {
        html.split(&format!(">{id}<"))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .map(str::to_owned)
            .expect("row")
    };
    let html = page(&app, "/failed").await;
    assert!(
        html.contains(">orphan-x<") && !html.contains("/jobs/orphan-x"),
        "the orphan id is named, not linked"
    );
    // RQ keeps a dead worker's hash for 60 s: its page can still say something.
    assert!(row(&html, &id).contains("href=\"/workers/short-lived\""), "a worker with a hash is linked");
    let _: () = redis::cmd("DEL").arg("rq:worker:short-lived").query(&mut con).expect("DEL");
    assert_eq!(app.get("/workers/short-lived").await.status, 404, "its page has nothing left to say");
    let row = row(&page(&app, "/failed").await, &id);
    assert!(!row.contains("/workers/"), "so no link is drawn: {row}");
    assert!(row.contains("has exited") && row.contains("short-lived"), "but it is named: {row}");
}

#[tokio::test]
async fn the_workers_page_says_what_each_busy_worker_runs_on_which_queue_and_since_when() {
    for v in RQ_VERSIONS {
        let f = Fixture::get(v);
        let server = f.server();
        let app = TestApp::new(&server.url());
        let html = page(&app, "/workers").await;
        let row = html.split("<tr id=\"w-fixture-busy\"").nth(1).and_then(|r| r.split("</tr>").next());
        let row = row.expect("busy row");
        assert!(row.contains("<code class=\"fn\">tasks.sleep</code>"), "rq {v}: function: {row}");
        assert!(row.contains("<code class=\"args\">3600</code>"), "rq {v}: arguments: {row}");
        assert!(row.contains("data-running-queue>long</a>"), "rq {v}: queue: {row}");
        assert!(row.contains("data-running-since=\""), "rq {v}: run time, ticking from started_at: {row}");
    }
}

#[tokio::test]
async fn the_overview_sends_one_page_of_queues_and_its_count_follows_the_filter() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    rq.py("c = conn()\nfor i in range(120):\n    Queue('q%03d' % i, connection=c).enqueue(ok, i)\nout(None)");
    let app = TestApp::new(&r.url());
    let rows = |html: &str| html.matches("<tr data-queue=").count();
    let first = page(&app, "/").await;
    assert_eq!(rows(&first), 50, "one page of 50 rows, not 120");
    assert!(first.contains("queues 1–50 of 120, page 1 of 3"), "the pager says where it is");
    assert!(first.contains("id=\"queue-count\" data-matched=\"120\">120<"), "the heading counts all");
    let last = page(&app, "/?qpage=3").await;
    assert_eq!(rows(&last), 20);
    assert!(last.contains("data-queue=\"q119\"") && !last.contains("data-queue=\"q000\""));
    let filtered = page(&app, "/?q=q01").await;
    assert_eq!(rows(&filtered), 10, "q010 to q019");
    assert!(filtered.contains(">10 of 120<"), "the heading count follows the filter");
    let none = page(&app, "/?q=nothing-like-it").await;
    assert!(none.contains("No queue matches “nothing-like-it”."), "the empty filter says so");
    assert!(none.contains(">0 of 120<"));
    let sorted = page(&app, "/?sort=name&dir=desc").await;
    let p = (sorted.find("data-queue=\"q119\""), sorted.find("data-queue=\"q118\""));
    assert!(matches!(p, (Some(a), Some(b)) if a < b), "sorted Z→A, on the server, across pages");
    assert_eq!(app.get("/?qpage=0").await.status, 400, "a page number below 1 is a bad request");
}

#[tokio::test]
async fn values_over_the_cap_are_folded_with_their_size_and_say_how_much_was_cut() {
    for v in RQ_VERSIONS {
        let f = Fixture::get(v);
        let server = f.server();
        let app = TestApp::new(&server.url());
        for label in ["big_args", "finished_big_string"] {
            let id = f.label(label).expect("label");
            let html = page(&app, &format!("/jobs/{id}")).await;
            assert!(html.contains("<details class=\"folded\"><summary>"), "rq {v} {label}: folded");
            assert!(
                html.contains(" in all; the first ") || html.contains(" stored; the first "),
                "rq {v} {label}: the fold gives the sizes"
            );
            let links: Vec<&str> =
                html.split("show all (").skip(1).filter_map(|s| s.split("</a>").next()).collect();
            let said =
                !links.is_empty() && links.iter().all(|l| l.ends_with(" cut") || l.ends_with(" shown"));
            assert!(said, "rq {v} {label}: show all says how much was cut: {links:?}");
        }
    }
}

#[tokio::test]
async fn a_failed_job_page_leads_with_the_exception_type_and_message_above_the_call() {
    for v in RQ_VERSIONS {
        let f = Fixture::get(v);
        let server = f.server();
        let app = TestApp::new(&server.url());
        let id = f.label("failed_zero").expect("failed_zero");
        let html = page(&app, &format!("/jobs/{id}")).await;
        let lead = html.find("data-exc-lead").expect("a lead");
        let call = html.find("class=\"call\"").expect("the call");
        assert!(lead < call, "rq {v}: the exception comes before the call");
        let lead_html = html[lead..call].to_owned();
        assert!(lead_html.contains(">ZeroDivisionError</span>"), "rq {v}: type: {lead_html}");
        assert!(lead_html.contains("division by zero"), "rq {v}: message: {lead_html}");
    }
}
