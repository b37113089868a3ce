//! Cancel and delete of held jobs follow RQ 3.0's own slot release (`RateLimitRegistry.cancel`
//! and its RELEASE_STALE_AND_ENQUEUE script): a held job gives back no slot, so nothing is
//! promoted; a job holding a slot gives it to the oldest held job. Then a real RQ 3.0 worker
//! runs what the limiter lets through.

use serde_json::json;

use rqdash::store::write::{self, JobChange};

use crate::actions::store;
use crate::support::rq_worker::wait_until;
use crate::support::{Limits, RedisServer, Rq};

const VIEW: &str = r"
from rq.rate_limit import RateLimitRegistry
c = conn()
ext = RateLimitRegistry('ext', connection=c)
ids = ['rl-busy', 'rl-held-1', 'rl-held-2', 'rl-held-3', 'rl-held-4']
out({'status': status_of(ids), 'allowed': ext.get_allowed_job_ids(), 'held': ext.get_rate_limited_job_ids(),
     'canceled': CanceledJobRegistry('api', connection=c).get_job_ids()})";

#[tokio::test]
async fn canceling_and_deleting_held_jobs_frees_no_slot_and_a_real_worker_then_runs_what_the_limiter_lets_through()
 {
    let r = RedisServer::start();
    let _l = Limits::make(&r);
    let rq = Rq::new("3.0.0", &r);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let change = |id: &str, to: &str| JobChange {
        id: id.into(),
        queue: "api".into(),
        from: "rate_limited".into(),
        to: to.into(),
    };
    assert_eq!(write::cancel(inst, "rl-held-1").await.expect("cancel"), change("rl-held-1", "canceled"));
    assert_eq!(write::delete(inst, "rl-held-2").await.expect("delete"), change("rl-held-2", "deleted"));
    // As after RQ's own job.cancel() / job.delete(): out of the limiter, the busy job keeps
    // the only slot, nothing promoted.
    let v = rq.py(VIEW);
    assert_eq!(
        v,
        json!({
            "status": {"rl-busy": "started", "rl-held-1": "canceled", "rl-held-2": null,
                       "rl-held-3": "rate_limited", "rl-held-4": "rate_limited"},
            "allowed": ["rl-busy"],
            "held": ["rl-held-3", "rl-held-4", "rl-ghost"],
            "canceled": ["rl-held-1"],
        })
    );
    let api = crate::support::TestApp::new(&r.url()).get_json("/api/v1/rate-limits/ext").await;
    let ids: Vec<&str> =
        api["jobs"].as_array().expect("jobs").iter().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(ids, ["rl-held-3", "rl-held-4", "rl-ghost"]);

    // RQ stops the busy job: its worker releases the slot, the limiter promotes rl-held-3, the
    // same worker runs it, then rl-held-4 (queue `mail`); the orphan id is dropped on the way.
    rq.py("from rq.command import send_stop_job_command\nsend_stop_job_command(conn(), 'rl-busy')\nout(1)");
    let done = || {
        let v = rq.py(VIEW);
        v["status"]["rl-held-4"] == "finished" && v["held"] == json!([])
    };
    wait_until(60, "the worker to run rl-held-3 and rl-held-4", done);
    let v = rq.py(VIEW);
    assert_eq!(v["status"]["rl-held-3"], "finished");
    assert_eq!(v["status"]["rl-busy"], "stopped");
    assert_eq!((v["allowed"].clone(), v["held"].clone()), (json!([]), json!([])));
    assert_eq!(v["status"]["rl-held-1"], "canceled", "a canceled held job never runs");
}

#[tokio::test]
async fn canceling_a_job_that_holds_a_slot_promotes_the_oldest_held_job_as_rq_does() {
    let r = RedisServer::start();
    let _l = Limits::make(&r);
    let rq = Rq::new("3.0.0", &r);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    // rl-batch-1 and -2 hold both of `batch`'s slots (queued on `reports`, no worker there).
    let c = write::cancel(inst, "rl-batch-1").await.expect("cancel");
    assert_eq!((c.from.as_str(), c.to.as_str()), ("queued", "canceled"));
    let v = rq.py(
        r"
from rq.rate_limit import RateLimitRegistry
c = conn()
b = RateLimitRegistry('batch', connection=c)
out({'status': status_of(['rl-batch-1', 'rl-batch-2', 'rl-batch-3']), 'allowed': sorted(b.get_allowed_job_ids()),
     'held': b.get_rate_limited_job_ids(), 'queue': Queue('reports', connection=c).job_ids})",
    );
    assert_eq!(
        v,
        json!({
            "status": {"rl-batch-1": "canceled", "rl-batch-2": "queued", "rl-batch-3": "queued"},
            "allowed": ["rl-batch-2", "rl-batch-3"],
            "held": [],
            "queue": ["rl-batch-2", "rl-batch-3"],
        })
    );
    // A real RQ 3.0 worker (burst) with the fixture's `tasks` importable runs them both.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    rq.py(&format!(
        "import sys\nsys.path.insert(0, '{fixtures}')\nfrom rq import SimpleWorker\n\
         SimpleWorker(['reports'], connection=conn()).work(burst=True)\nout(1)"
    ));
    let st = rq.py("out(status_of(['rl-batch-2', 'rl-batch-3']))");
    assert_eq!(st, json!({"rl-batch-2": "finished", "rl-batch-3": "finished"}));
}
