//! Selections of ids (bulk delete, cancel, requeue) and whole structures (empty a queue, empty a
//! registry), with orphan ids planted among real jobs.

use redis::Commands;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use rqdash::rq::State;
use rqdash::store::Error;
use rqdash::store::write::{self, BulkAction, BulkOutcome, Source};

use super::{py_list, store, strings};
use crate::support::{FAR, RedisServer, Rq};

for_each_rq_version!(bulk_actions_and_empty_count_every_id_once_and_rq_agrees);

fn source(queue: &str, state: State) -> Option<Source> {
    Some(Source { queue: queue.into(), state })
}

async fn bulk_actions_and_empty_count_every_id_once_and_rq_agrees(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    let made = rq.py(r"
c = conn()
d, h, done = (Queue(n, connection=c) for n in ('default', 'hold', 'done'))
out({'failed': [d.enqueue(flaky, i).id for i in range(20)],
     'queued': [h.enqueue(ok, i).id for i in range(30)],
     'finished': [done.enqueue(ok, i).id for i in range(10)]})");
    let (failed, queued, finished) =
        (strings(&made["failed"]), strings(&made["queued"]), strings(&made["finished"]));
    rq.burst(&["default", "done"]);

    let mut con = r.conn();
    for i in 0..3 {
        let _: () = con.zadd("rq:failed:default", format!("ghost-f{i}"), FAR).expect("ZADD");
    }
    let _: () = con.rpush("rq:queue:hold", &["ghost-q0", "ghost-q1"]).expect("RPUSH");
    let _: () = con.zadd("rq:finished:done", "ghost-d0", FAR).expect("ZADD");
    let _: () = con.zadd("rq:finished:done", "ghost-d1", FAR).expect("ZADD");

    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let go = CancellationToken::new();

    let mut ids: Vec<String> = failed[..10].to_vec();
    ids.extend(["ghost-f0", "ghost-f1", "ghost-f2", "never-existed"].map(String::from));
    let out =
        write::bulk(inst, BulkAction::Delete, &ids, source("default", State::Failed).as_ref(), |_| {}, &go)
            .await
            .expect("bulk delete");
    assert_eq!(out, BulkOutcome { deleted: 10, orphans_removed: 3, missing: 1, ..BulkOutcome::default() });

    let mut ids: Vec<String> = queued[..10].to_vec();
    ids.push(failed[10].clone());
    let out =
        write::bulk(inst, BulkAction::Cancel, &ids, source("hold", State::Queued).as_ref(), |_| {}, &go)
            .await
            .expect("bulk cancel");
    assert_eq!(
        out,
        BulkOutcome { canceled: 10, skipped: 1, ..BulkOutcome::default() },
        "a failed job is skipped"
    );

    let out =
        write::bulk(inst, BulkAction::Requeue, &failed[10..], None, |_| {}, &go).await.expect("bulk requeue");
    assert_eq!(out, BulkOutcome { requeued: 10, ..BulkOutcome::default() });

    let out = write::empty(inst, "hold", State::Queued, |_| {}, &go).await.expect("empty queue");
    assert_eq!(out, BulkOutcome { deleted: 20, orphans_removed: 2, ..BulkOutcome::default() });
    let out = write::empty(inst, "done", State::Finished, |_| {}, &go).await.expect("empty finished");
    assert_eq!(out, BulkOutcome { deleted: 10, orphans_removed: 2, ..BulkOutcome::default() });

    match write::empty(inst, "hold", State::Started, |_| {}, &go).await {
        Err(Error::BadRequest(m)) => assert!(m.contains("stop"), "{m}"),
        other => panic!("emptying started must be refused, got {other:?}"),
    }
    assert!(matches!(write::empty(inst, "nope", State::Queued, |_| {}, &go).await, Err(Error::NotFound(_))));
    assert!(matches!(
        write::requeue_all(inst, "default", State::Finished, |_| {}, &go).await,
        Err(Error::BadRequest(_))
    ));
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    let out =
        write::empty(inst, "default", State::Queued, |_| {}, &cancelled).await.expect("cancelled empty");
    assert_eq!(
        out,
        BulkOutcome { interrupted: true, ..BulkOutcome::default() },
        "nothing done once cancelled"
    );

    let seen = rq.py(&format!(
        r"
c = conn()
st = status_of({all})
out({{'statuses': [st[i] for i in {all}], 'hold': Queue('hold', connection=c).count,
     'default': Queue('default', connection=c).job_ids,
     'canceled': sorted(CanceledJobRegistry('hold', connection=c).get_job_ids()),
     'failed': FailedJobRegistry('default', connection=c).get_job_ids(),
     'finished': FinishedJobRegistry('done', connection=c).get_job_ids()}})",
        all = py_list(&[failed.clone(), queued.clone(), finished.clone()].concat())
    ));
    let mut expect: Vec<serde_json::Value> = vec![json!(null); 10];
    expect.extend(vec![json!("queued"); 10]);
    expect.extend(vec![json!("canceled"); 10]);
    expect.extend(vec![json!(null); 30]);
    assert_eq!(seen["statuses"], json!(expect));
    let mut canceled = queued[..10].to_vec();
    canceled.sort();
    assert_eq!(seen["canceled"], json!(canceled));
    assert_eq!(seen["default"], json!(failed[10..]));
    assert_eq!((&seen["hold"], &seen["failed"], &seen["finished"]), (&json!(0), &json!([]), &json!([])));

    let _: () = con.set("rqdash-test:pass", 1).expect("SET");
    rq.burst(&["default"]);
    let seen = rq.py(&format!("out(sorted(set(status_of({}).values())))", py_list(&failed[10..])));
    assert_eq!(seen, json!(["finished"]));
}
