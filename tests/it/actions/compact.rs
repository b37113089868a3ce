//! Compact removes orphan ids and keeps FIFO order, even when the list is popped at the head and
//! pushed at both ends between its chunks (what workers and producers do meanwhile).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use redis::Commands;
use tokio_util::sync::CancellationToken;

use rqdash::store::write;

use super::{store, strings};
use crate::support::{RedisServer, Rq};

for_each_rq_version!(compact_removes_orphans_and_keeps_fifo_order_while_workers_pop_and_producers_push);

/// The test's own picture of the list, updated with every pop and push it makes.
struct World {
    con: redis::Connection,
    model: VecDeque<String>,
    orphans: HashSet<String>,
    reserve: Vec<String>,
    popped_orphans: u64,
}

impl World {
    /// What a worker and a producer do between two chunks: pop 3 at the head, push 2 at the
    /// tail and 1 at the front (RQ's at_front).
    fn interfere(&mut self) {
        for _ in 0..3 {
            let Some(id) = self.con.lpop::<_, Option<String>>("rq:queue:compact", None).expect("LPOP") else {
                return;
            };
            // The head may already have lost orphans to compact; never a live job.
            let at = self.model.iter().position(|m| *m == id).expect("popped id is in the model");
            assert!(self.model.iter().take(at).all(|m| self.orphans.contains(m)), "LPOP skipped a live job");
            self.model.drain(..at);
            self.model.pop_front();
            self.popped_orphans += u64::from(self.orphans.contains(&id));
        }
        for front in [false, false, true] {
            let Some(id) = self.reserve.pop() else { return };
            if front {
                let _: () = self.con.lpush("rq:queue:compact", &id).expect("LPUSH");
                self.model.push_front(id);
            } else {
                let _: () = self.con.rpush("rq:queue:compact", &id).expect("RPUSH");
                self.model.push_back(id);
            }
        }
    }
}

async fn compact_removes_orphans_and_keeps_fifo_order_while_workers_pop_and_producers_push(v: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(v, &r);
    let made = rq.py(r"
c = conn()
q = Queue('compact', connection=c)
jobs = q.enqueue_many([Queue.prepare_data(ok, (i,), job_id='c-%04d' % i) for i in range(3500)])
reserve = []
for i in range(40):
    j = q.create_job(ok, args=(i,), job_id='r-%02d' % i)
    j.save()
    reserve.append(j.id)
out({'queued': q.job_ids, 'reserve': reserve})");
    let ids = strings(&made["queued"]);
    assert_eq!(ids.len(), 3500);
    let mut con = r.conn();
    let mut orphans = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if i % 7 == 0 {
            let _: () = con.del(format!("rq:job:{id}")).expect("DEL");
            orphans.insert(id.clone());
        } else if i % 50 == 3 {
            let _: () = con.hdel(format!("rq:job:{id}"), "data").expect("HDEL");
            orphans.insert(id.clone());
        }
    }
    let world = Mutex::new(World {
        con,
        model: ids.iter().cloned().collect(),
        orphans: orphans.clone(),
        reserve: strings(&made["reserve"]),
        popped_orphans: 0,
    });

    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let out = write::compact(
        inst,
        "compact",
        |_| world.lock().expect("lock").interfere(),
        &CancellationToken::new(),
    )
    .await
    .expect("compact");

    let w = world.into_inner().expect("lock");
    assert_eq!(out.orphans_removed + w.popped_orphans, orphans.len() as u64, "every orphan went once");
    let expected: Vec<String> = w.model.iter().filter(|m| !orphans.contains(*m)).cloned().collect();
    let seen = strings(&rq.py("out(Queue('compact', connection=conn()).job_ids)"));
    assert_eq!(seen.len(), expected.len());
    assert!(seen == expected, "RQ sees the survivors in their original order");
}
