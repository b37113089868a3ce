//! A job's hash is read once by a running sampler: while its end can still count, later ticks
//! recount it from the record kept by the tick that read it, and once a tick's lookback has
//! passed its end only its end time is kept (bench/sampler_cost.sh; functions::once).

use rqdash::store::history::{self, Layout, Sampler};

use super::{now, run_jobs};
use crate::history::store;
use crate::support::probe::{calls_of, reset};
use crate::support::{RedisServer, Rq};

#[tokio::test]
async fn a_job_is_read_by_the_first_tick_that_sees_it_and_not_again() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    run_jobs(&rq); // 11 jobs in queue fq
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut con = r.conn();
    let mut sampler = Sampler::new(Layout::default());
    let t = now();
    // `HSTRLEN result` is sent once per registry member read, by the sampler alone.
    history::sample(inst, &mut sampler, t).await.expect("tick 1, 600 s back");
    reset(&mut con);
    history::sample(inst, &mut sampler, t + 130).await.expect("tick 2, back to the minute of t - 60");
    assert_eq!(calls_of(&mut con, "hstrlen"), 0, "their minutes are recounted from the records kept");
    reset(&mut con);
    history::sample(inst, &mut sampler, t + 250).await.expect("tick 3, back to the minute of t + 70");
    assert_eq!(calls_of(&mut con, "hstrlen"), 0, "they all ended before this lookback");

    rq.py("out(Queue('fq', connection=conn()).enqueue(ok, 99).id)");
    rq.burst(&["fq"]);
    reset(&mut con);
    let tick = history::sample(inst, &mut sampler, t + 310).await.expect("tick 4");
    assert_eq!(calls_of(&mut con, "hstrlen"), 1, "only the job that ended since is read");
    assert_eq!(tick.archived, 1);

    // A restart (a new sampler) reads every member once more, and archives nothing twice.
    reset(&mut con);
    let fresh = history::sample(inst, &mut Sampler::new(Layout::default()), t + 310).await.expect("fresh");
    assert_eq!(calls_of(&mut con, "hstrlen"), 12);
    assert_eq!(fresh.archived, 0);
}

#[tokio::test]
async fn a_member_whose_job_expired_is_read_once() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    let ids = run_jobs(&rq);
    let mut con = r.conn();
    // A finished job past its result_ttl (500 s) whose hash is gone while RQ's registry
    // cleanup has not run yet: the id stays in rq:finished:fq.
    let gone = ids["ok"][0].as_str().expect("id");
    let _: () = redis::cmd("DEL").arg(format!("rq:job:{gone}")).query(&mut con).expect("DEL");
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let mut sampler = Sampler::new(Layout::default());
    let t = now();
    // Scored end + 500 (< t + 500): expired at tick 1, yet inside both ticks' registry windows.
    reset(&mut con);
    history::sample(inst, &mut sampler, t + 505).await.expect("tick 1, after its expiry");
    assert_eq!(calls_of(&mut con, "hstrlen"), 11);
    reset(&mut con);
    history::sample(inst, &mut sampler, t + 510).await.expect("tick 2");
    assert_eq!(
        calls_of(&mut con, "hstrlen"),
        0,
        "the others ended before the lookback, the expired one is gone"
    );
    reset(&mut con);
    history::sample(inst, &mut sampler, t + 515).await.expect("tick 3");
    assert_eq!(calls_of(&mut con, "hstrlen"), 0, "nor read again on any later tick");
}
