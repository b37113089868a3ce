//! One click acts once: a requeue-all never requeues a job twice while real workers fail it
//! again, and a requeue-all whose connection drops resumes by itself and reports the chunk it
//! could not confirm.

use std::collections::HashMap;
use std::sync::Mutex;

use clap::Parser;
use redis::Commands;
use tokio_util::sync::CancellationToken;

use rqdash::config::Cli;
use rqdash::rq::State;
use rqdash::store::Store;
use rqdash::store::write::{self, Progress};

use super::store;
use crate::support::rq_worker::wait_until;
use crate::support::{FAR, RedisServer, Rq};

for_each_rq_version!(requeue_all_never_requeues_a_job_twice_while_workers_fail_it_again);

/// `n` failed jobs of `fail_counted` in `default`, made by RQ (create_job, FailedJobRegistry.add)
/// and copied under `f-00000`... with registry score `score` (their failure TTL stays RQ's
/// default year: a job that fails again gets a lower score than these).
fn make_failed(rq: &Rq, n: u32, score: i64) {
    let code = format!(
        r"
c = conn()
q = Queue('default', connection=c)
reg = FailedJobRegistry('default', connection=c)
t = q.create_job(fail_counted, job_id='f-template')
with c.pipeline() as p:
    t.set_status(JobStatus.FAILED, pipeline=p)
    reg.add(t, exc_string='RuntimeError: planted', pipeline=p)
    p.execute()
fields, ttl = c.hgetall('rq:job:f-template'), c.ttl('rq:job:f-template')
c.delete('rq:job:f-template')
c.zrem('rq:failed:default', 'f-template')
c.sadd('rq:queues', 'rq:queue:default')
with c.pipeline(transaction=False) as p:
    for n in range({n}):
        jid = 'f-%05d' % n
        p.hset('rq:job:' + jid, mapping=fields)
        p.expire('rq:job:' + jid, ttl)
        p.zadd('rq:failed:default', {{jid: {score} + n}})
    p.execute()
out(c.zcard('rq:failed:default'))"
    );
    assert_eq!(rq.py(&code), n);
}

fn runs(con: &mut redis::Connection) -> HashMap<String, u32> {
    con.hgetall("rqdash-test:runs").expect("HGETALL")
}

async fn requeue_all_never_requeues_a_job_twice_while_workers_fail_it_again(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    make_failed(&rq, 3000, FAR);
    let mut workers: Vec<_> =
        (0..2).map(|_| rq.spawn_quiet_worker(&["-w", "rq.worker.SimpleWorker", "default"])).collect();

    // Between two chunks the workers fail at least one more requeued job again: it is back in
    // the registry (its new expiry is below FAR), ahead of the entries still to walk.
    let refailed = |c: &mut redis::Connection| -> u64 {
        c.zcount("rq:failed:default", "-inf", FAR - 1).expect("ZCOUNT")
    };
    let interleave = Mutex::new((r.conn(), 0u64));
    let let_them_fail = |p: Progress| {
        let mut g = interleave.lock().expect("lock");
        let (c, last) = &mut *g;
        if p.outcome.requeued == 0 {
            return;
        }
        wait_until(60, "a worker to fail a requeued job again", || refailed(c) > *last);
        *last = refailed(c);
    };
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let out = write::requeue_all(inst, "default", State::Failed, let_them_fail, &CancellationToken::new())
        .await
        .expect("requeue all");
    let mut con = r.conn();
    wait_until(120, "the workers to run every requeued job", || runs(&mut con).len() == 3000);
    wait_until(30, "the queue to drain", || con.llen::<_, u64>("rq:queue:default").expect("LLEN") == 0);
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let twice: Vec<(String, u32)> = runs(&mut con).into_iter().filter(|(_, n)| *n > 1).take(5).collect();
    assert!(twice.is_empty(), "rq {v}: jobs run twice by one requeue-all: {twice:?} ({out:?})");
    assert_eq!(out.requeued, 3000, "rq {v}: every job there at the start, once ({out:?})");
    assert!(out.arrived > 0, "rq {v}: jobs that failed again during the walk were seen and left ({out:?})");
    assert_eq!(con.zcard::<_, u64>("rq:failed:default").expect("ZCARD"), 3000, "rq {v}: all failed again");
}

#[tokio::test]
async fn a_requeue_all_whose_connection_drops_resumes_and_reports_the_unconfirmed_chunk() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    make_failed(&rq, 3000, FAR);
    let cli =
        Cli::try_parse_from(["rqdash", "--redis-url", &r.url(), "--redis-timeout", "0.2"]).expect("flags");
    let s = Store::from_args(&cli.redis).expect("store");
    let inst = s.instance(0).expect("instance");
    // After the first chunk, Redis holds every write for 600 ms: the next call's reply does not
    // come within the 200 ms timeout, and Redis runs that call when the pause ends.
    let paused = Mutex::new((r.conn(), false));
    let pause_once = |_: Progress| {
        let mut g = paused.lock().expect("lock");
        if !g.1 {
            g.1 = true;
            let _: () =
                redis::cmd("CLIENT").arg("PAUSE").arg(600).arg("WRITE").query(&mut g.0).expect("PAUSE");
        }
    };
    let out = write::requeue_all(inst, "default", State::Failed, pause_once, &CancellationToken::new())
        .await
        .expect("the walk resumes by itself");
    assert!(out.resumed >= 1 && out.unconfirmed > 0, "a lost reply is reported: {out:?}");
    assert!(out.requeued <= 3000 && out.requeued + out.unconfirmed >= 3000, "at least / at most: {out:?}");
    let mut con = r.conn();
    let queued: Vec<String> = con.lrange("rq:queue:default", 0, -1).expect("LRANGE");
    let unique: std::collections::HashSet<&String> = queued.iter().collect();
    assert_eq!((queued.len(), unique.len()), (3000, 3000), "every job once in the queue");
    assert_eq!(con.zcard::<_, u64>("rq:failed:default").expect("ZCARD"), 0, "nothing left behind");
}
