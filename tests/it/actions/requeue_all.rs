//! The scenario rqdash was founded on: "requeue all" of a failed registry of thousands of real
//! failed jobs with orphaned ids among them.

use std::collections::HashSet;

use redis::Commands;
use tokio_util::sync::CancellationToken;

use rqdash::rq::State;
use rqdash::store::write::{self, BulkOutcome};

use super::{Reports, ZLIB_EMPTY, py_list, store, strings};
use crate::support::{RedisServer, Rq};

for_each_rq_version!(requeue_all_moves_every_real_failed_job_removes_every_orphan_and_loses_nothing);

async fn requeue_all_moves_every_real_failed_job_removes_every_orphan_and_loses_nothing(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    // Some failures by a real worker, the rest through RQ's own FailedJobRegistry.add (a
    // worker needs ~5 ms per failure; the registry call is what the worker ends with).
    let mut ids = strings(
        &rq.py("q = Queue('default', connection=conn())\nout([q.enqueue(flaky, i).id for i in range(150)])"),
    );
    rq.burst(&["default"]);
    ids.extend(strings(&rq.py(r"
c = conn()
q = Queue('default', connection=c)
reg = FailedJobRegistry('default', connection=c)
ids = []
for start in range(0, 1850, 500):
    with c.pipeline() as p:
        for i in range(start, min(start + 500, 1850)):
            job = q.create_job(flaky, args=(i,))
            job.set_status(JobStatus.FAILED, pipeline=p)
            reg.add(job, exc_string='RuntimeError: made by FailedJobRegistry.add', pipeline=p)
            ids.append(job.id)
        p.execute()
out(ids)")));
    assert_eq!(ids.len(), 2000);

    // Orphans among them, at the scores of real members: ids without a hash, and hashes
    // without `data` (a heartbeat racing a delete leaves those).
    let mut con = r.conn();
    let score: f64 = con.zscore("rq:failed:default", &ids[700]).expect("ZSCORE");
    for i in 0..7 {
        let _: () = con.zadd("rq:failed:default", format!("ghost-{i}"), score).expect("ZADD");
    }
    for i in 0..3 {
        let _: () = con.hset(format!("rq:job:nodata-{i}"), "last_heartbeat", "x").expect("HSET");
        let _: () = con.zadd("rq:failed:default", format!("nodata-{i}"), score).expect("ZADD");
    }
    let worker_before: String = con.hget(format!("rq:job:{}", ids[0]), "worker_name").expect("HGET");
    let ttl_before: i64 = con.ttl(format!("rq:job:{}", ids[0])).expect("TTL");
    assert!(ttl_before > 0, "a failed job carries its failure TTL");

    let s = store(&r);
    let reports = Reports::default();
    let inst = s.instance(0).expect("instance");
    let out =
        write::requeue_all(inst, "default", State::Failed, |p| reports.push(p), &CancellationToken::new())
            .await
            .expect("requeue all");
    assert_eq!(out, BulkOutcome { requeued: 2000, orphans_removed: 10, ..BulkOutcome::default() });
    let reports = reports.all();
    // Several chunks, each bounded (rqdash::store::write::pace sizes them), progress rising to the end.
    assert!(reports.len() >= 3, "2,010 ids take at least three chunks of at most 1,000");
    assert!(
        reports
            .windows(2)
            .all(|w| w[0].processed < w[1].processed && w[1].processed - w[0].processed <= 1000)
    );
    assert_eq!(reports.last().map(|p| (p.processed, p.total)), Some((2010, 2010)));

    // Nothing lost, nothing twice, nothing left behind.
    assert_eq!(con.zcard::<_, u64>("rq:failed:default").expect("ZCARD"), 0);
    let queued: Vec<String> = con.lrange("rq:queue:default", 0, -1).expect("LRANGE");
    assert_eq!(queued.len(), 2000);
    assert_eq!(queued.iter().collect::<HashSet<_>>(), ids.iter().collect::<HashSet<_>>());

    // The hash as RQ's requeue leaves it, failure TTL included (RQ's enqueue neither PERSISTs
    // nor re-EXPIREs a job without its own `ttl`).
    let key = format!("rq:job:{}", ids[0]);
    let h: std::collections::HashMap<String, Vec<u8>> = con.hgetall(&key).expect("HGETALL");
    let field = |f: &str| h.get(f).cloned().unwrap_or_default();
    assert_eq!(field("status"), b"queued");
    assert_eq!((field("started_at"), field("ended_at")), (Vec::new(), Vec::new()));
    assert_eq!(field("exc_info"), ZLIB_EMPTY);
    assert_eq!(String::from_utf8_lossy(&field("worker_name")), worker_before, "worker_name is kept");
    assert!(String::from_utf8_lossy(&field("enqueued_at")).ends_with('Z'));
    let ttl_after: i64 = con.ttl(&key).expect("TTL");
    assert!(0 < ttl_after && ttl_after <= ttl_before, "TTL kept: {ttl_before} then {ttl_after}");

    // A real worker runs every requeued job, and RQ's own API agrees.
    let _: () = con.set("rqdash-test:pass", 1).expect("SET");
    rq.burst(&["default"]);
    let seen = rq.py(&format!(
        r"
c = conn()
ids = {ids}
out({{'queued': Queue('default', connection=c).count,
     'failed': FailedJobRegistry('default', connection=c).count,
     'finished': len(set(FinishedJobRegistry('default', connection=c).get_job_ids()) & set(ids)),
     'statuses': sorted(set(str(s) for s in status_of(ids).values()))}})",
        ids = py_list(&ids)
    ));
    assert_eq!(
        seen,
        serde_json::json!({"queued": 0, "failed": 0, "finished": 2000, "statuses": ["finished"]})
    );
}
