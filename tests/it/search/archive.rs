//! Search over the job archive: jobs the real `rq worker` ran, archived by one sampler tick,
//! some then deleted as RQ does after `result_ttl` (their hash removed); and paging over planted
//! records.

use std::collections::BTreeSet;

use redis::Commands;

use rqdash::store::archive::{self, Retention};
use rqdash::store::history::buckets::Kind;
use rqdash::store::history::ended::Ended;
use rqdash::store::history::{self, Layout, Sampler};
use rqdash::store::search::{Budget, SearchPage, search};

use super::{query, store};
use crate::functions::{FAIL, now, run_jobs};
use crate::support::{RedisServer, Rq, TestApp, seg};

/// (id, archived) of every hit of one page of the default budget.
async fn hits(inst: &rqdash::store::Instance, text: &str) -> Vec<(String, bool)> {
    let p = search(inst, &query(text), None, Budget::default()).await.expect("search");
    assert!(p.done, "{text}: one page");
    p.hits.into_iter().map(|h| (h.job.id, h.archived)).collect()
}

#[tokio::test]
async fn a_job_rq_deleted_is_found_in_the_archive_marked_archived_and_a_live_job_only_once() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    let ids = run_jobs(&rq);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let tick = history::sample(inst, &mut Sampler::new(Layout::default()), now()).await.expect("tick");
    assert_eq!(tick.archived, 11);
    let id = |kind: &str, i: usize| ids[kind][i].as_str().expect("id").to_owned();
    let (gone_fail, live_fail, gone_ok) = (id("fail", 0), id("fail", 1), id("ok", 0));
    // RQ's result_ttl ran out for two of them: their hashes are gone, their records stay.
    let mut con = r.conn();
    for j in [&gone_fail, &gone_ok] {
        let _: () = con.del(format!("rq:job:{j}")).expect("DEL");
    }

    let func = format!("func:{FAIL}");
    assert_eq!(
        hits(inst, &func).await,
        [(live_fail.clone(), false), (gone_fail.clone(), true)],
        "live first, then the archived record of the deleted job; the live job's record is not listed"
    );
    assert_eq!(hits(inst, &format!("{func} archived:no")).await, [(live_fail.clone(), false)]);
    assert_eq!(hits(inst, &format!("{func} archived:yes")).await, [(gone_fail.clone(), true)]);
    let only: BTreeSet<(String, bool)> = hits(inst, "archived:yes").await.into_iter().collect();
    assert_eq!(only, BTreeSet::from([(gone_fail.clone(), true), (gone_ok.clone(), true)]));
    // The record's fields answer the criteria they can; the others never match a record.
    assert_eq!(
        hits(inst, "archived:yes exc:runtimeerror queue:fq state:failed").await,
        [(gone_fail.clone(), true)]
    );
    assert_eq!(hits(inst, "archived:yes fails every time").await, [(gone_fail.clone(), true)]);
    for none in [
        "archived:yes queue:other",
        "archived:yes desc:fail",
        "archived:yes meta:x",
        "archived:yes before:1d",
    ] {
        assert_eq!(hits(inst, none).await, [], "{none}");
    }
    // By id: the orphaned id in its registry ("job data missing"), and what the archive knows.
    assert_eq!(
        hits(inst, &format!("id:{gone_fail}")).await,
        [(gone_fail.clone(), false), (gone_fail.clone(), true)]
    );
    assert_eq!(hits(inst, &format!("id:{gone_fail} func:fail")).await, [(gone_fail.clone(), true)]);
    assert_eq!(hits(inst, &format!("id:{live_fail}")).await, [(live_fail.clone(), false)]);
    assert_eq!(hits(inst, &format!("id:{gone_ok} archived:no")).await, [(gone_ok.clone(), false)]);
    assert_eq!(hits(inst, &format!("id:{gone_ok} archived:yes")).await, [(gone_ok.clone(), true)]);

    // "Select all matching" acts on live jobs only: a record has nothing left to act on.
    assert_eq!(super::matching(inst, &func).await, BTreeSet::from([live_fail.clone()]));
    assert_eq!(super::matching(inst, "archived:yes").await, BTreeSet::new());

    // The API marks archived hits; the page shows the badge and links the job page.
    let app = TestApp::new(&r.url());
    let api = app.get_json(&format!("/api/v1/search?q={}", seg(&func))).await;
    let got: Vec<(String, bool)> = api["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| (h["job"]["id"].as_str().unwrap_or("").to_owned(), h["archived"] == true))
        .collect();
    assert_eq!(got, [(live_fail.clone(), false), (gone_fail.clone(), true)], "{api}");
    let page = app.get(&format!("/search?q={}", seg(&func))).await;
    let html = page.text();
    assert_eq!(html.matches("data-archived").count(), 1, "{html}");
    let badge = html.find("data-archived").expect("badge");
    let row = html[..badge].rfind("<tr").expect("its row");
    assert!(html[row..badge].contains(&format!("/jobs/{gone_fail}")), "the archived row links its job");
    assert_eq!(app.get(&format!("/jobs/{gone_fail}")).await.status, axum::http::StatusCode::OK);

    // The CLI marks the archived record on its line, and says the same in JSON.
    let out = crate::cli::rqdash(&r, &["search", &func]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |id: &str| {
        text.lines().find(|l| l.contains(id)).unwrap_or_else(|| panic!("{id} in {text}")).to_owned()
    };
    assert!(line(&gone_fail).contains("(archived)") && !line(&live_fail).contains("archived"), "{text}");
    let out = crate::cli::rqdash(&r, &["search", "archived:yes", "--json"]);
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        cli["hits"].as_array().is_some_and(|h| h.len() == 2 && h.iter().all(|h| h["archived"] == true)),
        "{cli}"
    );
    // One hit a page: the hint names the cursor, and the same command with it (flags kept) goes on.
    let out = crate::cli::rqdash(&r, &["search", "archived:yes", "-n", "1"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let cursor = text
        .lines()
        .find_map(|l| l.strip_prefix("more to scan: run the same command with --cursor "))
        .unwrap_or_else(|| panic!("a cursor hint in {text}"));
    let next = crate::cli::rqdash(&r, &["search", "archived:yes", "-n", "1", "--cursor", cursor]);
    let next = String::from_utf8_lossy(&next.stdout);
    let first = [&gone_fail, &live_fail].into_iter().find(|id| text.contains(id.as_str()));
    assert!(first.is_some() && !next.contains(first.map_or("", |s| s.as_str())), "{text}\n---\n{next}");
    assert!(next.contains("(archived)"), "the second page holds the other record: {next}");
}

/// `n` records of jobs that ended (no hashes) in queue `queue`, ids `<queue>-<i>`.
fn records(queue: &str, n: usize, t: i64) -> Vec<Ended> {
    (0..n)
        .map(|i| Ended {
            queue: queue.into(),
            id: format!("{queue}-{i:04}"),
            kind: Kind::Finished,
            func: Some("app.tasks.work".into()),
            status: Some("finished".into()),
            enqueued_at: Some(t as f64 - 3.0),
            started_at: Some(t as f64 - 2.0),
            ended_at: t as f64 - 1.0,
            worker: Some("w1".into()),
            exc_type: None,
            exc_line: None,
            result_size: Some(4),
        })
        .collect()
}

#[tokio::test]
async fn pages_over_the_archive_are_newest_first_and_neither_overlap_nor_skip() {
    let r = RedisServer::start();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let t = now();
    let keys = archive::Keys::new(&Layout::default());
    // Interleaved queues, appended oldest first.
    let (a, b) = (records("a", 130, t), records("b", 130, t));
    let mixed: Vec<&Ended> = a.iter().zip(&b).flat_map(|(x, y)| [x, y]).collect();
    let added = archive::write::append(inst, &keys, Retention::default(), mixed.into_iter(), t)
        .await
        .expect("append");
    assert_eq!(added.added, 260);

    for (text, want) in [("archived:yes", 260), ("func:work", 260), ("queue:a archived:yes", 130)] {
        let q = query(text);
        let budget = Budget { max_ids: 17, max_hits: 9, ..Budget::default() };
        let (mut got, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
        let mut last_scanned = 0;
        loop {
            let p: SearchPage = search(inst, &q, cursor.as_deref(), budget).await.expect("page");
            pages += 1;
            assert!(p.hits.len() <= 9, "{text}: page over its hit budget");
            assert!(p.scanned - last_scanned <= 17, "{text}: a page read past its id budget");
            assert!(p.hits.iter().all(|h| h.archived && (text != "queue:a archived:yes" || h.queue == "a")));
            last_scanned = p.scanned;
            got.extend(p.hits.into_iter().map(|h| h.job.id));
            if p.done {
                break;
            }
            cursor = p.cursor;
            assert!(pages < 1000, "{text}: no end");
        }
        assert!(pages >= 2, "{text}: {pages} pages");
        let set: BTreeSet<&String> = got.iter().collect();
        assert_eq!((got.len(), set.len()), (want, want), "{text}: every record once");
        // Newest first: the last appended record comes first.
        let first = if text.starts_with("queue:a") { "a-0129" } else { "b-0129" };
        assert_eq!(got.first().map(String::as_str), Some(first), "{text}");
        assert_eq!(got.last().map(String::as_str), Some("a-0000"), "{text}");
    }
}

/// A full scan of a 100,000-record archive that matches nothing, at the default budget, and the
/// first page of a query matching every record. Ignored: a measurement, printed.
#[tokio::test]
#[ignore = "measurement: cargo test --release --test it -- --ignored archive_scan"]
async fn archive_scan_of_100k_records_is_measured() {
    let r = RedisServer::start();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let t = now();
    let keys = archive::Keys::new(&Layout::default());
    let all = records("big", 100_000, t);
    archive::write::append(inst, &keys, Retention::default(), all.iter(), t).await.expect("append");
    let started = std::time::Instant::now();
    let q = query("archived:yes func:nothing_like_this");
    let (mut cursor, mut pages, mut slowest) = (None::<String>, 0, 0);
    loop {
        let p = search(inst, &q, cursor.as_deref(), Budget::default()).await.expect("page");
        pages += 1;
        slowest = slowest.max(p.elapsed_ms);
        if p.done {
            break;
        }
        cursor = p.cursor;
    }
    let full = started.elapsed();
    let first = search(inst, &query("archived:yes func:work"), None, Budget::default()).await.expect("page");
    eprintln!(
        "archive of 100,000: full scan {full:?} in {pages} pages (slowest {slowest} ms); first page of 50 hits {} ms",
        first.elapsed_ms
    );
    assert_eq!(first.hits.len(), 50);
}
