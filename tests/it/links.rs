//! Links the pages render, resolved as a browser resolves them (WHATWG URL, which drops `.` and
//! `..` segments, `%2E` and `%2E%2E` included) and then followed through the router.

use crate::support::{RedisServer, Rq, TestApp};

for_each_rq_version!(queues_workers_and_jobs_named_dot_and_dot_dot_open_from_the_links_the_pages_render);

fn title(html: &str) -> String {
    html.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default().to_owned()
}

/// The value of the first `attr="..."` after `anchor` in `html`, unescaped.
fn attr_after(html: &str, anchor: &str, attr: &str) -> String {
    let rest = html.split_once(anchor).unwrap_or_else(|| panic!("{anchor} not in the page")).1;
    let value = rest.split_once(&format!("{attr}=\"")).and_then(|(_, v)| v.split_once('"')).map(|(v, _)| v);
    unescape(value.unwrap_or_else(|| panic!("no {attr} after {anchor}")))
}

/// Where a browser on `/` goes for `href`: path and query as the URL parser leaves them.
fn resolve(href: &str) -> String {
    let base = url::Url::parse("http://rqdash.test/").expect("base URL");
    let u = base.join(href).unwrap_or_else(|e| panic!("href {href:?}: {e}"));
    u[url::Position::BeforePath..url::Position::AfterQuery].to_owned()
}

/// Every `attr="..."` value in `html`, unescaped.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let open = format!(" {attr}=\"");
    html.split(&open).skip(1).filter_map(|s| s.split_once('"')).map(|(v, _)| unescape(v)).collect()
}

fn unescape(v: &str) -> String {
    v.replace("&#38;", "&").replace("&amp;", "&")
}

async fn follow(app: &TestApp, href: &str) -> String {
    let path = resolve(href);
    let r = app.get(&path).await;
    assert_eq!(r.status, 200, "GET {path} (href {href:?}): {}", r.text());
    r.text()
}

async fn queues_workers_and_jobs_named_dot_and_dot_dot_open_from_the_links_the_pages_render(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    // RQ 1.16 takes any job id; later versions only letters, digits, `_` and `-`.
    let dot_id = v == "1.16.2";
    rq.py(&format!(
        r"
from rq import Worker
c = conn()
for name in ['.', '..', '...']:
    Queue(name, connection=c).enqueue(ok, 1)
if {dot_id}:
    Queue('..', connection=c).enqueue(ok, 2, job_id='..')
Worker([Queue('..', connection=c)], name='..', connection=c).register_birth()
out(None)",
        dot_id = if dot_id { "True" } else { "False" }
    ));
    let app = TestApp::new(&r.url());
    let overview = follow(&app, "/").await;
    for name in [".", "..", "..."] {
        let href = attr_after(&overview, &format!("<tr data-queue=\"{name}\">"), "href");
        let html = follow(&app, &href).await;
        assert_eq!(title(&html), format!("{name} · queued · rqdash"), "rq {v}: the overview link {href:?}");
        let failed = attr_after(&html, "class=\"tab state-failed", "href");
        assert_eq!(
            title(&follow(&app, &failed).await),
            format!("{name} · failed · rqdash"),
            "rq {v}: {failed:?}"
        );
    }

    let workers = follow(&app, "/workers").await;
    let links: Vec<String> =
        attrs(&workers, "href").into_iter().filter(|h| resolve(h).starts_with("/workers/")).collect();
    assert_eq!(links.len(), 1, "rq {v}: one worker link: {links:?}");
    assert_eq!(title(&follow(&app, &links[0]).await), "Worker .. · rqdash", "rq {v}: worker link {links:?}");

    let queue = follow(&app, &attr_after(&overview, "<tr data-queue=\"..\">", "href")).await;
    if dot_id {
        // The row of job `..` (the queue holds one more job).
        let row = queue.split_once("\"><code>..</code>").map(|(before, _)| before).expect("row of job ..");
        let href = unescape(row.rsplit_once("href=\"").map(|(_, h)| h).expect("href of job .."));
        assert_eq!(title(&follow(&app, &href).await), "Job .. · rqdash", "rq {v}: job link {href:?}");
    }

    // The queue's "Empty queue" button empties `..` and nothing else.
    let urls = attrs(&queue, "data-url");
    let empty = urls
        .iter()
        .find(|u| u.contains("/empty?"))
        .unwrap_or_else(|| panic!("rq {v}: no empty button: {urls:?}"));
    let r = app.request("POST", &resolve(empty)).await;
    assert_eq!(r.status, 200, "rq {v}: POST {empty}: {}", r.text());
    let counts = rq.py("c = conn()\nout({n: Queue(n, connection=c).count for n in ['.', '..', '...']})");
    assert_eq!(counts, serde_json::json!({".": 1, "..": 0, "...": 1}), "rq {v}");
}
