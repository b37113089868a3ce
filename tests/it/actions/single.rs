//! One job at a time: requeue, enqueue now, cancel and delete, then RQ's own view of the result;
//! 404 for an unknown job, 409 (naming the current status) for a job in the wrong state.

use redis::Commands;
use serde_json::json;

use rqdash::store::Error;
use rqdash::store::write::{self, JobChange};

use super::store;
use crate::support::{RedisServer, Rq};

for_each_rq_version!(single_job_actions_leave_what_rq_itself_reports);

fn change(id: &str, queue: &str, from: &str, to: &str) -> JobChange {
    JobChange { id: id.into(), queue: queue.into(), from: from.into(), to: to.into() }
}

fn conflict_naming(r: Result<JobChange, Error>, status: &str) {
    match r {
        Err(Error::Conflict(m)) => assert!(m.contains(status), "{m:?} should name {status:?}"),
        other => panic!("expected a 409 naming {status:?}, got {other:?}"),
    }
}

async fn single_job_actions_leave_what_rq_itself_reports(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    let two = v != "1.16.2";
    let ids = rq.py(&format!(
        r"
from datetime import timedelta
c = conn()
d, h = Queue('default', connection=c), Queue('hold', connection=c)
ids = dict(failed=d.enqueue(flaky, 1).id, fin=d.enqueue(ok, 2).id, queued=h.enqueue(ok, 3).id,
           cancel=h.enqueue(ok, 4).id, sched=h.enqueue_in(timedelta(hours=1), ok, 5).id)
parent = h.enqueue(ok, 6)
ids.update(parent=parent.id, deferred=h.enqueue(ok, 7, depends_on=parent).id)
if {two}:
    from rq.group import Group
    g = Group.create(connection=c, name='g1')
    ids['grouped'] = [j.id for j in g.enqueue_many(d, [Queue.prepare_data(ok, (8,)), Queue.prepare_data(ok, (9,))])]
out(ids)",
        two = if two { "True" } else { "False" }
    ));
    let id = |k: &str| ids[k].as_str().expect("id").to_owned();
    rq.burst(&["default"]);

    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut con = r.conn();

    assert_eq!(
        write::requeue(inst, &id("failed")).await.expect("requeue"),
        change(&id("failed"), "default", "failed", "queued")
    );
    conflict_naming(write::requeue(inst, &id("failed")).await, "queued");
    assert!(matches!(write::requeue(inst, "no-such-job").await, Err(Error::NotFound(_))));

    assert_eq!(
        write::cancel(inst, &id("cancel")).await.expect("cancel"),
        change(&id("cancel"), "hold", "queued", "canceled")
    );
    conflict_naming(write::cancel(inst, &id("cancel")).await, "canceled");
    assert_eq!(
        write::cancel(inst, &id("sched")).await.expect("cancel"),
        change(&id("sched"), "hold", "scheduled", "canceled")
    );

    conflict_naming(write::enqueue_now(inst, &id("queued")).await, "queued");
    let deferred = id("deferred");
    assert_eq!(
        write::enqueue_now(inst, &deferred).await.expect("enqueue"),
        change(&deferred, "hold", "deferred", "queued")
    );
    let still_linked: bool =
        con.sismember(format!("rq:job:{}:dependents", id("parent")), &deferred).expect("SISMEMBER");
    assert!(!still_linked, "the parent must not enqueue it a second time when it finishes");

    let fin = id("fin");
    assert_eq!(
        write::delete(inst, &fin).await.expect("delete"),
        change(&fin, "default", "finished", "deleted")
    );
    assert!(!con.exists::<_, bool>(format!("rq:results:{fin}")).expect("EXISTS"), "results stream deleted");
    assert_eq!(write::delete(inst, &id("queued")).await.expect("delete").from, "queued");
    assert!(matches!(write::delete(inst, &fin).await, Err(Error::NotFound(_))));

    if two {
        // RQ's delete raises NoSuchGroupError when the group key is gone, and ValueError when an
        // execution hash expired before its entry in `rq:executions:<id>`. Neither stops rqdash.
        let grouped: Vec<String> = super::strings(&ids["grouped"]);
        write::delete(inst, &grouped[0]).await.expect("delete a grouped job");
        assert!(!con.sismember::<_, _, bool>("rq:group:g1", &grouped[0]).expect("SISMEMBER"));
        let _: () = con.del("rq:group:g1").expect("DEL");
        let _: () = con
            .zadd(format!("rq:executions:{}", grouped[1]), "0123456789abcdef0123456789abcdef", 1)
            .expect("ZADD");
        write::delete(inst, &grouped[1]).await.expect("delete with a missing group and an expired execution");
        assert!(!con.exists::<_, bool>(format!("rq:executions:{}", grouped[1])).expect("EXISTS"));
    }

    let view = |rq: &Rq| {
        rq.py(&format!(
            r"
c = conn()
ids = {ids}
out({{'status': status_of([v for k, v in ids.items() if k != 'grouped']),
     'default': Queue('default', connection=c).job_ids, 'hold': Queue('hold', connection=c).job_ids,
     'canceled': sorted(CanceledJobRegistry('hold', connection=c).get_job_ids()),
     'scheduled': ScheduledJobRegistry('hold', connection=c).get_job_ids(),
     'deferred': DeferredJobRegistry('hold', connection=c).get_job_ids(),
     'failed': FailedJobRegistry('default', connection=c).get_job_ids(),
     'finished': FinishedJobRegistry('default', connection=c).get_job_ids()}})",
            ids = ids
        ))
    };
    let mut canceled = vec![id("cancel"), id("sched")];
    canceled.sort();
    let seen = view(&rq);
    assert_eq!(seen["status"][id("failed")], "queued");
    assert_eq!(seen["status"][id("cancel")], "canceled");
    assert_eq!(seen["status"][id("sched")], "canceled");
    assert_eq!(seen["status"][&deferred], "queued");
    assert_eq!((&seen["status"][&fin], &seen["status"][id("queued")]), (&json!(null), &json!(null)));
    assert_eq!(seen["default"], json!([id("failed")]));
    assert_eq!(seen["hold"], json!([id("parent"), deferred]));
    assert_eq!(seen["canceled"], json!(canceled));
    for empty in ["scheduled", "deferred", "failed", "finished"] {
        assert_eq!(seen[empty], json!([]), "{empty}");
    }

    // A real worker runs the requeued job, the parent and the child enqueued early, once each.
    let _: () = con.set("rqdash-test:pass", 1).expect("SET");
    rq.burst(&["default", "hold"]);
    let seen = view(&rq);
    for k in ["failed", "parent", "deferred"] {
        assert_eq!(seen["status"][id(k)], "finished", "{k}");
    }
    assert_eq!((&seen["default"], &seen["hold"]), (&json!([]), &json!([])));
}
