//! Cursors lose and duplicate nothing: real RQ data with tiny budgets, and planted literal keys
//! (2,500 failed ids with runs of equal scores and `+inf` scores, a 1,500-id queue list) with
//! budgets that end pages mid-chunk, mid-run-of-ties and between sources; SCAN paging for id
//! prefixes; and jobs removed behind the cursor do not make the walk skip the rest.

use std::collections::BTreeSet;
use std::time::Duration;

use redis::Commands;

use rqdash::store::search::{Budget, search};

use super::{matching, paged, query, seed, store};
use crate::support::RedisServer;

for_each_rq_version!(tiny_budgets_page_through_real_failures_once);

fn budget(max_ids: u64, max_hits: usize) -> Budget {
    Budget { max_ids, max_time: Duration::from_secs(30), max_hits }
}

async fn tiny_budgets_page_through_real_failures_once(v: &'static str) {
    let s = seed(v);
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    for text in ["state:failed", "queue:emails", "exc:e", "id:inv*", "id:inv* state:failed"] {
        let want = matching(inst, text).await;
        assert!(!want.is_empty(), "rq {v}: {text} matches something");
        for (ids, hits) in [(1, 1), (2, 3), (3, 2), (5, 1), (1000, 1)] {
            let (got, pages) = paged(inst, text, budget(ids, hits)).await;
            let set: BTreeSet<String> = got.iter().cloned().collect();
            assert_eq!(set.len(), got.len(), "rq {v}: {text} with ({ids}, {hits}): duplicates");
            assert_eq!(set, want, "rq {v}: {text} with ({ids}, {hits})");
            // A SCAN batch is judged whole, so an id-prefix page may hold more hits.
            let scan = text == "id:inv*";
            assert!(pages > 1 || want.len() <= hits || scan, "rq {v}: {text} paged");
        }
    }
}

/// Plant `rq:failed:bulk` (2,500 ids; scores in runs of 7 equal values, the first 20 `+inf`) and
/// `rq:queue:bulkq` (1,500 ids), with job hashes.
fn plant(r: &RedisServer) -> (Vec<String>, Vec<String>) {
    let mut con = r.conn();
    let mut p = redis::pipe();
    p.cmd("SADD").arg("rq:queues").arg("rq:queue:bulk").arg("rq:queue:bulkq").ignore();
    let failed: Vec<String> = (0..2500).map(|i| format!("bulk-{i:05}")).collect();
    for (i, id) in failed.iter().enumerate() {
        let score = if i < 20 { "+inf".to_owned() } else { format!("{}.25", 1_800_000_000 + i / 7) };
        p.cmd("ZADD").arg("rq:failed:bulk").arg(score).arg(id).ignore();
        p.cmd("HSET").arg(format!("rq:job:{id}")).arg("status").arg("failed").arg("origin").arg("bulk");
        p.arg("description").arg(format!("tasks.bulk_job({i})")).arg("data").arg("x").ignore();
    }
    let queued: Vec<String> = (0..1500).map(|i| format!("bulkq-{i:05}")).collect();
    for (i, id) in queued.iter().enumerate() {
        p.cmd("RPUSH").arg("rq:queue:bulkq").arg(id).ignore();
        p.cmd("HSET").arg(format!("rq:job:{id}")).arg("status").arg("queued").arg("origin").arg("bulkq");
        p.arg("description").arg(format!("tasks.bulk_job({i})")).arg("data").arg("x").ignore();
    }
    let _: () = p.query(&mut con).expect("plant");
    (failed, queued)
}

#[tokio::test]
async fn planted_thousands_page_exactly_once_whatever_the_budget() {
    let r = RedisServer::start();
    let (failed, queued) = plant(&r);
    let store = store(&r);
    let inst = store.instance(0).expect("instance");
    let all: BTreeSet<String> = failed.iter().chain(&queued).cloned().collect();
    let ones: BTreeSet<String> = failed
        .iter()
        .chain(&queued)
        .enumerate()
        .filter(|(n, _)| {
            let i = if *n < 2500 { *n } else { n - 2500 };
            i.to_string().starts_with('1')
        })
        .map(|(_, id)| id.clone())
        .collect();
    let prefix: BTreeSet<String> = (1000..2000).map(|i| format!("bulk-{i:05}")).collect();
    let cases: [(&str, &BTreeSet<String>, Budget); 6] = [
        ("queue:bulk*", &all, budget(700, 333)),
        ("queue:bulk*", &all, budget(7, 10_000)),
        ("queue:bulk* desc:bulk_job(1", &ones, budget(450, 50)),
        ("bulk_job(1", &ones, Budget::default()),
        ("id:bulk-01*", &prefix, budget(1000, 10_000)),
        ("id:bulk-01* queue:bulk", &prefix, budget(333, 77)),
    ];
    for (text, want, b) in cases {
        let (got, pages) = paged(inst, text, b).await;
        let set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(set.len(), got.len(), "{text}: duplicates");
        assert_eq!(&set, want, "{text}: {} pages", pages);
    }
    assert_eq!(matching(inst, "queue:bulk*").await, all);
}

#[tokio::test]
async fn removing_jobs_already_seen_does_not_skip_the_rest() {
    let r = RedisServer::start();
    let (failed, _) = plant(&r);
    let store = store(&r);
    let inst = store.instance(0).expect("instance");
    let q = query("queue:bulk state:failed");
    let mut con = r.conn();
    let (mut seen, mut cursor) = (Vec::<String>::new(), None::<String>);
    loop {
        let p = search(inst, &q, cursor.as_deref(), budget(100, 64)).await.expect("page");
        let ids: Vec<String> = p.hits.into_iter().map(|h| h.job.id).collect();
        // Someone requeues what the page showed: the registry shrinks behind the cursor.
        let _: () = con.zrem("rq:failed:bulk", &ids).expect("ZREM");
        seen.extend(ids);
        if p.done {
            break;
        }
        cursor = p.cursor;
    }
    let set: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(set.len(), seen.len(), "duplicates");
    assert_eq!(set, failed.into_iter().collect::<BTreeSet<String>>());
}

#[tokio::test]
async fn a_flood_of_equal_scores_behind_the_cursor_neither_stalls_nor_skips() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let _: () = con.sadd("rq:queues", "rq:queue:ties").expect("SADD");
    let old: Vec<String> = (0..10).map(|i| format!("a-{i:02}")).collect();
    for id in &old {
        let _: () = con.zadd("rq:failed:ties", id, -1).expect("ZADD");
    }
    let store = store(&r);
    let inst = store.instance(0).expect("instance");
    let q = query("queue:ties state:failed");
    let first = search(inst, &q, None, budget(3, 3)).await.expect("page");
    let mut seen: Vec<String> = first.hits.into_iter().map(|h| h.job.id).collect();
    // 2,500 new ids with the same score sort before the cursor's last member (reverse order).
    for i in 0..2500 {
        let _: () = con.zadd("rq:failed:ties", format!("z-{i:04}"), -1).expect("ZADD");
    }
    let mut cursor = first.cursor;
    let mut pages = 1;
    while let Some(c) = cursor {
        let p = search(inst, &q, Some(&c), budget(1000, 10_000)).await.expect("page");
        seen.extend(p.hits.into_iter().map(|h| h.job.id));
        cursor = p.cursor;
        pages += 1;
        assert!(pages < 100, "the walk stalls");
    }
    let olds: Vec<&String> = seen.iter().filter(|id| id.starts_with("a-")).collect();
    assert_eq!(olds.len(), 10, "every old id exactly once: {olds:?}");
    assert_eq!(olds.iter().map(|s| s.as_str()).collect::<BTreeSet<_>>().len(), 10);
}
