//! What the real `rq` leaves behind after a requeue: the old failure stays in `rq:results:<id>`,
//! so `exc:` must look at the latest failure of jobs failed now, and only `state:` or
//! `history:any` reach further. Orphaned ids (planted next to real data) are found by `id:`. The
//! selection API says how many jobs of each state it holds.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use redis::Commands;
use serde_json::{Value, json};

use rqdash::rq::State;
use rqdash::rq::failure::GroupKey;
use rqdash::store::search::collect::collect;
use rqdash::store::search::{Budget, search};
use tokio_util::sync::CancellationToken;

use super::{Seeded, matching, paged, query, seed};
use crate::support::{TestApp, seg};

for_each_rq_version!(
    exc_matches_the_latest_failure_of_jobs_failed_now_and_history_any_reaches_old_ones,
    orphaned_ids_are_found_by_id_in_the_list_or_registry_holding_them,
);

/// After `seed`: two of the three `timeouts` requeued by RQ and left queued (their failure is
/// still the newest result), and `flaky-1`, which failed, was requeued and then finished.
fn requeue_some(s: &Seeded) -> (Vec<String>, String) {
    let t = &s.ids["timeouts"];
    let requeued = vec![t[0].clone(), t[1].clone()];
    s.rq.py(r#"
c = conn()
Queue('flaky', connection=c).enqueue('rqdash_action_tasks.flaky', 7, job_id='flaky-1')
out(1)"#);
    s.rq.burst(&["flaky"]);
    s.rq.py(&format!(
        r#"
c = conn()
c.set(PASS_KEY, 1)
FailedJobRegistry('flaky', connection=c).requeue('flaky-1')
for i in {ids}:
    FailedJobRegistry('emails', connection=c).requeue(i)
out(1)"#,
        ids = json!(requeued)
    ));
    s.rq.burst(&["flaky"]);
    let st = s.rq.py(&format!("out(status_of({}))", json!([&requeued[0], &requeued[1], "flaky-1"])));
    assert_eq!(st, json!({ &requeued[0]: "queued", &requeued[1]: "queued", "flaky-1": "finished" }));
    (requeued, "flaky-1".to_owned())
}

async fn exc_matches_the_latest_failure_of_jobs_failed_now_and_history_any_reaches_old_ones(v: &'static str) {
    let s = seed(v);
    let (requeued, flaky) = requeue_some(&s);
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    let failed_now: BTreeSet<String> =
        [s.ids["timeouts"][2].clone(), s.ids["digest"][0].clone()].into_iter().collect();
    let requeued: BTreeSet<String> = requeued.into_iter().collect();
    let flaky = BTreeSet::from([flaky]);
    let tb = "Traceback (most recent call last):\n  File \"x\"\nTimeoutError: Timeout after 1s\n";
    let group = GroupKey::of(Some(tb)).id();
    let cases: Vec<(String, BTreeSet<String>)> = vec![
        ("exc:timeout".into(), failed_now.clone()),
        ("timeout".into(), failed_now.clone()),
        (format!("group:{group}"), failed_now.clone()),
        ("exc:timeout history:any".into(), &failed_now | &requeued),
        (format!("group:{group} history:any"), &failed_now | &requeued),
        ("timeout history:any".into(), &failed_now | &requeued),
        // An explicit state: looks there, by the latest failure (still the requeued jobs' own).
        ("exc:timeout state:queued".into(), requeued.clone()),
        ("exc:timeout state:failed state:queued".into(), &failed_now | &requeued),
        // Failed, requeued, then finished: its latest result is a success.
        ("exc:\"fails until\"".into(), BTreeSet::new()),
        ("exc:\"fails until\" state:finished".into(), BTreeSet::new()),
        ("exc:\"fails until\" history:any".into(), flaky.clone()),
        ("exc:RuntimeError history:any queue:flaky state:finished".into(), flaky.clone()),
        // By id: the same rule.
        (format!("id:{} exc:timeout", s.ids["timeouts"][0]), BTreeSet::new()),
        (
            format!("id:{} exc:timeout history:any", s.ids["timeouts"][0]),
            BTreeSet::from([s.ids["timeouts"][0].clone()]),
        ),
        ("id:flaky* exc:fails".into(), BTreeSet::new()),
        ("id:flaky* exc:fails history:any".into(), flaky.clone()),
    ];
    for (text, want) in cases {
        assert_eq!(matching(inst, &text).await, want, "rq {v}: {text}");
    }
    // exc: alone walks only the failed and canceled registries.
    let p = search(inst, &query("exc:timeout"), None, Budget::default()).await.expect("search");
    assert_eq!(p.total, 10, "rq {v}: the 10 ids still in failed registries");
    assert!(p.hits.iter().all(|h| h.state == Some(State::Failed)));
}

async fn orphaned_ids_are_found_by_id_in_the_list_or_registry_holding_them(v: &'static str) {
    let s = seed(v);
    let mut con = s.server.conn();
    let eid = "0123456789abcdef0123456789abcdef";
    let _: () = con.zadd("rq:failed:billing", "orphan-f-1", 1_800_000_000).expect("ZADD");
    let _: () = con.rpush("rq:queue:later", "orphan-q-1").expect("RPUSH");
    let _: () = con.zadd("rq:wip:emails", format!("orphan-s-1:{eid}"), 1_800_000_000).expect("ZADD");
    let _: () = con.zadd("rq:deferred:later", "inv-9999-orphan", 5).expect("ZADD");
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    for (id, queue, state) in [
        ("orphan-f-1", "billing", State::Failed),
        ("orphan-q-1", "later", State::Queued),
        ("orphan-s-1", "emails", State::Started),
    ] {
        let p = search(inst, &query(&format!("id:{id}")), None, Budget::default()).await.expect("search");
        assert_eq!((p.mode, p.done, p.hits.len()), ("id", true, 1), "rq {v}: {id}");
        let h = &p.hits[0];
        assert_eq!((h.job.id.as_str(), h.queue.as_str(), h.state, h.listed), (id, queue, Some(state), true));
        assert!(h.job.missing, "rq {v}: {id} is shown as job data missing");
        assert_eq!(matching(inst, &format!("id:{id} queue:{queue}")).await, BTreeSet::from([id.to_owned()]));
        assert!(matching(inst, &format!("id:{id} queue:nosuch")).await.is_empty());
        assert!(matching(inst, &format!("id:{id} exc:x")).await.is_empty(), "rq {v}: no hash, no exception");
    }
    let page = TestApp::new(&s.server.url()).get("/search?q=id%3Aorphan-f-1").await.text();
    assert!(page.contains("job data missing") && page.contains("state=failed"), "rq {v}: {page}");
    assert!(matching(inst, "id:orphan-f-1 state:queued").await.is_empty());
    assert!(matching(inst, "id:orphan-nowhere").await.is_empty());
    // Prefixes: the SCAN of job keys, then the lists and registries for orphans.
    let orphans: BTreeSet<String> = ["orphan-f-1", "orphan-q-1", "orphan-s-1"].map(str::to_owned).into();
    assert_eq!(matching(inst, "id:orphan*").await, orphans, "rq {v}");
    let inv = &(&s.set(&["declined_42"]) | &BTreeSet::from(["inv-2027-001".to_owned()]))
        | &BTreeSet::from(["inv-9999-orphan".to_owned()]);
    assert_eq!(matching(inst, "id:inv*").await, inv, "rq {v}");
    assert_eq!(
        matching(inst, "id:inv* state:deferred").await,
        BTreeSet::from(["inv-9999-orphan".to_owned()])
    );
    for (ids, hits) in [(1, 1), (3, 2), (1000, 1), (20_000, 50)] {
        let b = Budget { max_ids: ids, max_time: Duration::from_secs(30), max_hits: hits };
        let (got, _) = paged(inst, "id:orphan*", b).await;
        let set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!((set.len(), set), (got.len(), orphans.clone()), "rq {v}: budget ({ids}, {hits})");
    }
    // A selection knows where each orphan sits, so a bulk action can remove it from there.
    let c = collect(inst, &query("id:orphan*"), |_| {}, &CancellationToken::new()).await.expect("collect");
    let mut sources: Vec<(String, State)> = c.groups.iter().filter_map(|g| g.source.clone()).collect();
    sources.sort_by_key(|(q, s)| (q.clone(), s.as_str()));
    let want = [("billing", State::Failed), ("emails", State::Started), ("later", State::Queued)];
    assert_eq!(sources, want.map(|(q, s)| (q.to_owned(), s)));
}

/// Poll a JSON resource until `done` is true.
async fn until_done(app: &TestApp, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = app.get_json(path).await;
        if v["done"] == Value::Bool(true) {
            return v;
        }
        assert!(Instant::now() < deadline, "{path} never finished: {v}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Select what `q` matches and wait for the count.
async fn select(app: &TestApp, q: &str) -> Value {
    let r = app.request("POST", &format!("/api/v1/search/select?q={}", seg(q))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["selection"].as_str().expect("selection id").to_owned();
    let mut sel = until_done(app, &format!("/api/v1/search/selections/{id}")).await;
    sel["id"] = Value::String(id);
    sel
}

#[tokio::test]
async fn the_selection_api_says_how_many_jobs_of_each_state_an_action_will_touch() {
    let s = seed("3.0.0");
    let (requeued, _) = requeue_some(&s);
    let app = TestApp::new(&s.server.url());
    let sel = select(&app, "exc:timeout history:any").await;
    assert_eq!(
        (sel["count"].clone(), sel["by_state"].clone()),
        (json!(4), json!({ "failed": 2, "queued": 2 }))
    );
    let sel = select(&app, "queue:emails").await;
    assert_eq!(sel["by_state"], json!({ "failed": 2, "queued": 2, "finished": 2 }), "{sel}");
    // "Delete all matching" on exc:timeout touches the failed ones only; the queued ones wait.
    let sel = select(&app, "exc:timeout").await;
    assert_eq!((sel["count"].clone(), sel["by_state"].clone()), (json!(2), json!({ "failed": 2 })));
    let id = sel["id"].as_str().expect("id");
    let r = app.request("POST", &format!("/api/v1/search/selections/{id}/delete?count=2")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let task = r.json()["task"].as_u64().expect("task id");
    let out = until_done(&app, &format!("/api/v1/tasks/{task}")).await["outcome"].clone();
    assert_eq!(out["deleted"], json!(2), "{out}");
    let st = s.rq.py(&format!("out(status_of({}))", json!(requeued)));
    assert_eq!(st, json!({ &requeued[0]: "queued", &requeued[1]: "queued" }));
    // An id selection counts by the job's own status.
    let sel = select(&app, &format!("id:{}", requeued[0])).await;
    assert_eq!(sel["by_state"], json!({ "queued": 1 }));
}
