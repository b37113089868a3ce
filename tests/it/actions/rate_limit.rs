//! RQ 3.0 rate limits: cancel and delete give the job's slot back (promoting the next waiting
//! job) and requeue goes back through the limiter, as RQ's own calls do.

use redis::Commands;
use serde_json::json;

use rqdash::store::write::{self, JobChange};

use super::store;
use crate::support::{RedisServer, Rq};

const VIEW: &str = r"
from rq.rate_limit import RateLimitRegistry
c = conn()
reg = RateLimitRegistry('api', connection=c)
st = status_of([A, B])
out({'a': st[A], 'b': st[B], 'allowed': reg.get_allowed_job_ids(), 'waiting': reg.get_rate_limited_job_ids(),
     'queue': Queue('rl', connection=c).job_ids})";

#[tokio::test]
async fn rq_3_rate_limited_jobs_release_their_slot_on_cancel_and_requeue_through_the_limiter() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    let ids = rq.py(r"
from rq.rate_limit import RateLimit
q = Queue('rl', connection=conn())
a = q.enqueue(flaky, 1, rate_limit=RateLimit('api', 1))
b = q.enqueue(ok, 2, rate_limit=RateLimit('api', 1))
out([a.id, b.id])");
    let (a, b) = (ids[0].as_str().expect("id").to_owned(), ids[1].as_str().expect("id").to_owned());
    let view = || rq.py(&format!("A, B = '{a}', '{b}'\n{VIEW}"));
    assert_eq!(
        view(),
        json!({"a": "queued", "b": "rate_limited", "allowed": [a], "waiting": [b], "queue": [a]})
    );

    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let change = |id: &str, from: &str, to: &str| JobChange {
        id: id.into(),
        queue: "rl".into(),
        from: from.into(),
        to: to.into(),
    };
    assert_eq!(write::cancel(inst, &a).await.expect("cancel"), change(&a, "queued", "canceled"));
    assert_eq!(view(), json!({"a": "canceled", "b": "queued", "allowed": [b], "waiting": [], "queue": [b]}));

    assert_eq!(write::requeue(inst, &a).await.expect("requeue"), change(&a, "canceled", "rate_limited"));
    assert_eq!(
        view(),
        json!({"a": "rate_limited", "b": "queued", "allowed": [b], "waiting": [a], "queue": [b]})
    );

    // RQ's worker runs b, releases the slot, promotes a and runs it.
    let mut con = r.conn();
    let _: () = con.set("rqdash-test:pass", 1).expect("SET");
    rq.burst(&["rl"]);
    let seen = view();
    assert_eq!(
        (&seen["a"], &seen["b"], &seen["waiting"]),
        (&json!("finished"), &json!("finished"), &json!([]))
    );
}
