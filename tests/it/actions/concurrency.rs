//! Requeue all of 20,000 failed jobs while a real worker consumes the queue and a producer
//! enqueues into it: afterwards every job is in exactly one place, none lost, none twice.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::Commands;
use tokio_util::sync::CancellationToken;

use rqdash::rq::State;
use rqdash::store::write::{self, BulkOutcome, Progress};

use super::store;
use crate::support::rq_worker::{finish, wait_until};
use crate::support::{RedisServer, Rq};

for_each_rq_version!(requeue_all_of_20000_under_a_worker_and_a_producer_accounts_for_every_job_once);

/// 20,000 failed jobs: one made by RQ (create_job, FailedJobRegistry.add), its hash copied under
/// 20,000 ids with the same registry score and TTL (RQ needs ~0.3 ms per job; this ~20 µs).
const MAKE_FAILED: &str = r"
c = conn()
q = Queue('default', connection=c)
reg = FailedJobRegistry('default', connection=c)
t = q.create_job(flaky, args=(0,), job_id='f-template')
with c.pipeline() as p:
    t.set_status(JobStatus.FAILED, pipeline=p)
    reg.add(t, exc_string='RuntimeError: planted', pipeline=p)
    p.execute()
fields, score, ttl = c.hgetall('rq:job:f-template'), c.zscore('rq:failed:default', 'f-template'), c.ttl('rq:job:f-template')
c.delete('rq:job:f-template')
c.zrem('rq:failed:default', 'f-template')
c.sadd('rq:queues', 'rq:queue:default')
with c.pipeline(transaction=False) as p:
    for n in range(20000):
        jid = 'f-%05d' % n
        p.hset('rq:job:' + jid, mapping=fields)
        p.expire('rq:job:' + jid, ttl)
        p.zadd('rq:failed:default', {jid: score})
        if n % 2000 == 1999:
            p.execute()
out(c.zcard('rq:failed:default'))";

/// Enqueues `ok` jobs `p-00000`, `p-00001`, ... until told to stop; prints how many.
const PRODUCE: &str = r"
import time
c = conn()
q = Queue('default', connection=c)
n = 0
while n < 20000 and not c.exists('rqdash-test:stop-producing'):
    q.enqueue(ok, n, job_id='p-%05d' % n)
    n += 1
    time.sleep(0.0005)
out(n)";

async fn requeue_all_of_20000_under_a_worker_and_a_producer_accounts_for_every_job_once(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    assert_eq!(rq.py(MAKE_FAILED), 20000);
    let mut con = r.conn();
    let _: () = con.set("rqdash-test:pass", 1).expect("SET");

    let producer = rq.spawn_py(PRODUCE);
    let worker = rq.spawn_worker(&["-w", "rq.worker.SimpleWorker", "--max-jobs", "300", "default"]);
    wait_until(30, "the worker to finish its first jobs", || {
        con.zcard::<_, u64>("rq:finished:default").expect("ZCARD") >= 5
    });

    // Between two chunks the real worker finishes at least one more job (and the producer
    // keeps pushing), so every chunk runs against a queue that is being consumed and fed.
    let interleave =
        Mutex::new((r.conn(), con.zcard::<_, u64>("rq:finished:default").expect("ZCARD"), Duration::ZERO));
    let let_the_worker_run = |_: Progress| {
        let mut g = interleave.lock().expect("lock");
        let (c, last, waited) = &mut *g;
        let t = Instant::now();
        wait_until(30, "the worker to finish a job between two chunks", || {
            c.zcard::<_, u64>("rq:finished:default").expect("ZCARD") > *last
        });
        *last = c.zcard("rq:finished:default").expect("ZCARD");
        *waited += t.elapsed();
    };
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let finished_before: u64 = con.zcard("rq:finished:default").expect("ZCARD");
    let started = Instant::now();
    let out =
        write::requeue_all(inst, "default", State::Failed, let_the_worker_run, &CancellationToken::new())
            .await
            .expect("requeue all");
    let took = started.elapsed();
    let finished_after: u64 = con.zcard("rq:finished:default").expect("ZCARD");
    assert_eq!(out, BulkOutcome { requeued: 20000, ..BulkOutcome::default() });
    let waited = interleave.into_inner().expect("lock").2;

    let _: () = con.set("rqdash-test:stop-producing", 1).expect("SET");
    let produced: u64 = serde_json::from_str(finish(producer, "producer").trim()).expect("count");
    finish(worker, "worker");
    eprintln!(
        "rq {v}: requeue-all of 20,000 took {} ms (+{} ms letting the worker run between chunks); \
         the worker finished {} jobs meanwhile; {produced} produced",
        (took - waited).as_millis(),
        waited.as_millis(),
        finished_after - finished_before
    );
    assert!(finished_after - finished_before >= 20, "the worker ran between every two chunks");

    // Every job exactly once across the queue, the worker's intermediate list and every registry.
    let mut seen: HashMap<String, u32> = HashMap::new();
    for key in ["rq:queue:default", "rq:queue:default:intermediate"] {
        for id in con.lrange::<_, Vec<String>>(key, 0, -1).expect("LRANGE") {
            *seen.entry(id).or_default() += 1;
        }
    }
    for reg in ["finished", "failed", "wip", "scheduled", "deferred", "canceled"] {
        for m in con.zrange::<_, Vec<String>>(format!("rq:{reg}:default"), 0, -1).expect("ZRANGE") {
            let (id, _) = rqdash::rq::split_started_member(&m);
            *seen.entry(id.to_owned()).or_default() += 1;
        }
    }
    let expected: Vec<String> =
        (0..20000).map(|n| format!("f-{n:05}")).chain((0..produced).map(|n| format!("p-{n:05}"))).collect();
    let twice: Vec<&String> = seen.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id).take(5).collect();
    assert!(twice.is_empty(), "ids in two places: {twice:?}");
    let lost: Vec<&String> = expected.iter().filter(|id| !seen.contains_key(*id)).take(5).collect();
    assert!(lost.is_empty(), "lost ids: {lost:?}");
    assert_eq!(seen.len(), expected.len(), "no id from elsewhere");

    let counts = rq.py(
        "c = conn()\nout([Queue('default', connection=c).count, FinishedJobRegistry('default', connection=c).count, \
         FailedJobRegistry('default', connection=c).count])",
    );
    assert_eq!(counts, serde_json::json!([expected.len() as u64 - 300, 300, 0]), "RQ agrees");
}
