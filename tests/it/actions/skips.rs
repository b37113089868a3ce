//! Whole-registry walks leave jobs whose status no longer fits where they are, count them as
//! skipped, and still reach the end of the registry across chunks (the skip cursor).

use std::collections::HashSet;

use redis::Commands;
use tokio_util::sync::CancellationToken;

use rqdash::rq::State;
use rqdash::store::write::{self, BulkOutcome};

use super::store;
use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, RedisServer};

#[tokio::test]
async fn whole_registry_walks_skip_jobs_that_moved_and_still_reach_the_end() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    // 2,500 failed jobs; 5 stale entries (re-enqueued under the same id, or finished since)
    // at the head, across chunk borders and at the tail of the registry; 2 orphans.
    let stale: HashSet<usize> = [0, 999, 1000, 1717, 2504].into_iter().collect();
    for i in 0..2507usize {
        let id = format!("j-{i:05}");
        let status = match i {
            _ if !stale.contains(&i) => "failed",
            0 | 1717 => "queued",
            _ => "finished",
        };
        if i == 1500 || i == 2000 {
            let _: () = con.zadd("rq:failed:q", &id, FAR + i as i64).expect("ZADD");
            continue;
        }
        plant_job(&mut con, &id, status, "q");
        let _: () = con.zadd("rq:failed:q", &id, FAR + i as i64).expect("ZADD");
    }
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let go = CancellationToken::new();
    let out = write::requeue_all(inst, "q", State::Failed, |_| {}, &go).await.expect("requeue all");
    assert_eq!(out, BulkOutcome { requeued: 2500, orphans_removed: 2, skipped: 5, ..BulkOutcome::default() });
    let left: Vec<String> = con.zrange("rq:failed:q", 0, -1).expect("ZRANGE");
    let expected: Vec<String> = [0, 999, 1000, 1717, 2504].iter().map(|i| format!("j-{i:05}")).collect();
    assert_eq!(left, expected, "stale entries stay, in order");
    assert_eq!(con.llen::<_, u64>("rq:queue:q").expect("LLEN"), 2500);

    // A 2.x Repeat job sits in finished and in scheduled (status scheduled): emptying finished
    // deletes the finished jobs and leaves that one alone.
    for i in 0..1200 {
        plant_job(&mut con, &format!("f-{i}"), if i % 400 == 0 { "scheduled" } else { "finished" }, "q");
        let _: () = con.zadd("rq:finished:q", format!("f-{i}"), FAR + i as i64).expect("ZADD");
    }
    let out = write::empty(inst, "q", State::Finished, |_| {}, &go).await.expect("empty finished");
    assert_eq!(out, BulkOutcome { deleted: 1197, skipped: 3, ..BulkOutcome::default() });
    assert_eq!(con.zcard::<_, u64>("rq:finished:q").expect("ZCARD"), 3);
    assert!(con.exists::<_, bool>("rq:job:f-400").expect("EXISTS"));
    assert!(!con.exists::<_, bool>("rq:job:f-401").expect("EXISTS"));
}
