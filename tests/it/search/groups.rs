//! Failure groups on real RQ failures: sizes, labels, functions, example tracebacks, per queue
//! and across all; the cache; the overview's last hour; requeueing a whole group moves exactly
//! its jobs (selected through `group:` search, then the bulk machinery), and RQ agrees.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use rqdash::rq::State;
use rqdash::store::failure_groups::{self, Status, compute, top_groups_last_hour};
use rqdash::store::search::collect::collect;
use rqdash::store::write::{self, BulkAction, BulkOutcome, Source};

use super::{matching, query, seed, strings};

for_each_rq_version!(groups_have_the_expected_sizes, requeueing_a_group_moves_exactly_its_jobs);

async fn groups_have_the_expected_sizes(v: &'static str) {
    let s = seed(v);
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    let snap = compute(inst, None, |_| {}).await.expect("groups");
    let sizes: Vec<(String, u64)> = snap.groups.iter().map(|g| (g.label.clone(), g.count)).collect();
    assert_eq!(
        sizes,
        [
            ("rqdash_search_tasks.PaymentDeclined: card for '<str>' declined: code <n>".to_owned(), 4),
            ("TimeoutError: Timeout after <n>s".to_owned(), 4),
            ("KeyError: '<str>'".to_owned(), 2),
            ("ValueError: Berichtsvorlage »Übersicht« fehlt – Zeile <n>".to_owned(), 2),
        ],
        "rq {v}: largest first, then most recent"
    );
    assert_eq!((snap.scanned, snap.orphans), (12, 0));
    let timeouts = &snap.groups[1];
    assert_eq!(timeouts.ids.iter().cloned().collect::<BTreeSet<_>>(), s.set(&["timeouts", "digest"]));
    // The digest's description is custom: its function comes from `data`.
    assert_eq!(timeouts.functions, [("rqdash_search_tasks.send_email".to_owned(), 4)]);
    assert_eq!(timeouts.queues, [("emails".to_owned(), 4)]);
    assert!(timeouts.example_traceback.starts_with("Traceback (most recent call last):"), "rq {v}");
    assert!(timeouts.example_exception.starts_with("TimeoutError: Timeout after 3"), "rq {v}");
    assert!(timeouts.first_seen <= timeouts.last_seen && timeouts.last_seen.is_some());
    let keyerrors = &snap.groups[2];
    assert_eq!(keyerrors.ids.iter().cloned().collect::<BTreeSet<_>>(), s.set(&["keyerror"]));
    // A group's search link finds exactly its jobs.
    for g in &snap.groups {
        let ids: BTreeSet<String> = g.ids.iter().cloned().collect();
        assert_eq!(matching(inst, &format!("state:failed group:{}", g.id)).await, ids, "rq {v}: {}", g.label);
    }
    // Per queue.
    let billing = compute(inst, Some("billing"), |_| {}).await.expect("billing groups");
    assert_eq!(billing.groups.len(), 1);
    assert_eq!(billing.groups[0].count, 4);
    assert!(compute(inst, Some("nosuchqueue"), |_| {}).await.is_err(), "unknown queue is a 404");
    // Cached: the second answer is the same snapshot.
    let cache = std::sync::Arc::new(failure_groups::Cache::default());
    let first = failure_groups::groups(&store, &cache, 0, Some("reports"), Duration::from_secs(30))
        .await
        .expect("groups");
    let again =
        failure_groups::groups(&store, &cache, 0, Some("reports"), Duration::ZERO).await.expect("groups");
    match (first, again) {
        (Status::Ready(a), Status::Ready(b)) => {
            assert!(std::sync::Arc::ptr_eq(&a, &b), "rq {v}: served from the cache");
            assert_eq!(a.groups.len(), 2);
        }
        _ => panic!("rq {v}: groups of 4 jobs are ready within 30 s"),
    }
    // The overview's top groups of the last hour: everything failed just now.
    failure_groups::groups(&store, &cache, 0, None, Duration::from_secs(30)).await.expect("all groups");
    let top = top_groups_last_hour(&store, &cache, 0, 3).await;
    assert!(!top.computing && top.error.is_none(), "rq {v}: {top:?}");
    let counts: Vec<u64> = top.groups.iter().map(|g| g.last_hour).collect();
    assert_eq!(counts, [4, 4, 2], "rq {v}: limited to 3, most first");
}

async fn requeueing_a_group_moves_exactly_its_jobs(v: &'static str) {
    let s = seed(v);
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    let snap = compute(inst, None, |_| {}).await.expect("groups");
    let declined = snap.groups.iter().find(|g| g.label.contains("PaymentDeclined")).expect("group");
    let q = query(&format!("state:failed group:{}", declined.id));
    let selected = collect(inst, &q, |_| {}, &CancellationToken::new()).await.expect("collect");
    assert_eq!(selected.count, 4);
    let mut total = BulkOutcome::default();
    for g in &selected.groups {
        assert_eq!(g.source, Some(("billing".to_owned(), State::Failed)));
        let source = g.source.clone().map(|(queue, state)| Source { queue, state });
        let out = write::bulk(
            inst,
            BulkAction::Requeue,
            &g.ids,
            source.as_ref(),
            |_| {},
            &CancellationToken::new(),
        )
        .await
        .expect("requeue");
        total.requeued += out.requeued;
        total.skipped += out.skipped;
    }
    assert_eq!((total.requeued, total.skipped), (4, 0));
    let group: BTreeSet<String> = declined.ids.iter().cloned().collect();
    let rest = s.set(&["timeouts", "digest", "report", "keyerror"]);
    assert_eq!(matching(inst, "state:failed").await, rest, "rq {v}: the other groups stay failed");
    assert_eq!(
        matching(inst, "state:queued queue:billing").await,
        group,
        "rq {v}: the group is queued again"
    );
    // RQ agrees.
    let seen = s.rq.py(
        "from rq.registry import FailedJobRegistry\n\
         c = conn()\n\
         out({'failed': sorted(j for q in ('emails', 'billing', 'reports') for j in FailedJobRegistry(q, connection=c).get_job_ids()),\n\
              'queued': sorted(Queue('billing', connection=c).job_ids)})",
    );
    assert_eq!(strings(&seen["failed"]).into_iter().collect::<BTreeSet<_>>(), rest);
    assert_eq!(strings(&seen["queued"]).into_iter().collect::<BTreeSet<_>>(), group);
}
