//! Stop a running job: RQ's `stop-job` command reaches the worker running it, which kills the
//! work horse and records the job as stopped; a job nobody runs is reported, not guessed.

use redis::Commands;
use serde_json::json;

use rqdash::store::Error;
use rqdash::store::write;

use super::store;
use crate::api_basics::plant_job;
use crate::support::rq_worker::{finish, wait_until};
use crate::support::{RedisServer, Rq};

for_each_rq_version!(stop_reaches_the_worker_running_the_job_and_rq_records_it_stopped);

async fn stop_reaches_the_worker_running_the_job_and_rq_records_it_stopped(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    let id = rq.py("out(Queue('slow', connection=conn()).enqueue(sleep, 60, job_timeout=120).id)");
    let id = id.as_str().expect("id").to_owned();
    // The default (forking) worker: stop-job kills its work horse.
    let worker = rq.spawn_worker(&["--burst", "slow"]);
    let mut con = r.conn();
    let key = format!("rq:job:{id}");
    wait_until(30, "the worker to start the job", || {
        con.hget::<_, _, Option<String>>(&key, "status").expect("HGET").as_deref() == Some("started")
    });
    let name: String = con.hget(&key, "worker_name").expect("HGET");
    let channel = format!("rq:pubsub:{name}");
    wait_until(10, "the worker to listen", || {
        let subs: Vec<(String, u64)> =
            redis::cmd("PUBSUB").arg("NUMSUB").arg(&channel).query(&mut con).expect("NUMSUB");
        subs.first().is_some_and(|(_, n)| *n > 0)
    });

    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let out = write::stop(inst, &id).await.expect("stop");
    assert_eq!((out.worker.as_str(), out.command, out.receivers), (name.as_str(), "stop-job", 1));
    finish(worker, "the worker running the stopped job");

    let seen = rq.py(&format!(
        "out({{'status': status_of(['{id}'])['{id}'], 'failed': FailedJobRegistry('slow', connection=conn()).get_job_ids()}})"
    ));
    assert_eq!(seen, json!({"status": "stopped", "failed": [id]}));
    match write::stop(inst, &id).await {
        Err(Error::Conflict(m)) => assert!(m.contains("stopped"), "{m}"),
        other => panic!("a stopped job cannot be stopped again, got {other:?}"),
    }
    // A stopped job is requeued like a failed one.
    assert_eq!(write::requeue(inst, &id).await.expect("requeue").from, "stopped");

    // A job whose worker is gone: the command is published to nobody, and that is reported.
    plant_job(&mut con, "orphaned-run", "started", "slow");
    let _: () = con.hset("rq:job:orphaned-run", "worker_name", "gone-worker").expect("HSET");
    let out = write::stop(inst, "orphaned-run").await.expect("stop");
    assert!(!out.heard(), "nobody listens on rq:pubsub:gone-worker");
    assert!(matches!(write::stop(inst, "no-such-job").await, Err(Error::NotFound(_))));
}
