//! Per-function performance and the job archive, from jobs the real `rq worker` ran (every
//! pinned RQ version), recorded by one sampler tick at a chosen time.

use redis::Commands;

use rqdash::rq::time;
use rqdash::store::archive::{self, read as archive_read};
use rqdash::store::functions::{self, Stat};
use rqdash::store::history::{self, Layout, Limits, Range, Sampler};

use crate::history::store;
use crate::support::{RedisServer, Rq};

// Pages, API, search, metrics and the CLI over the same recorded data.
mod front;
// The totals behind /metrics: what functions_record.lua adds on each merge, their cost.
mod totals;
// Ticks read a job's hash only while its end can still count.
mod reread;
// Hour rows and totals stay the sum of the minute rows (functions_record.lua's rises).
mod rises;
// The write scripts cost per change; keys of another type are left alone.
mod cost;
// Each job read and archived once by a running sampler; lost ticks keep nothing.
mod once;

pub const SLEEP: &str = "rqdash_action_tasks.sleep";
pub const FAIL: &str = "rqdash_action_tasks.fail_counted";
pub const OK: &str = "rqdash_action_tasks.ok";

/// Jobs of known run times and failures in queue `fq`, run by a burst worker; their ids by kind.
pub fn run_jobs(rq: &Rq) -> serde_json::Value {
    let made = rq.py(r"
q = Queue('fq', connection=conn())
out({
  'fast': [q.enqueue(sleep, 0.05).id for _ in range(4)],
  'slow': [q.enqueue(sleep, 0.3).id for _ in range(2)],
  'fail': [q.enqueue(fail_counted).id for _ in range(2)],
  'ok': [q.enqueue(ok, i).id for i in range(3)],
})");
    rq.burst(&["fq"]);
    made
}

pub fn now() -> i64 {
    time::now_epoch() as i64
}

pub fn stat<'a>(table: &'a [Stat], func: &str) -> &'a Stat {
    table.iter().find(|s| s.function == func).unwrap_or_else(|| panic!("no {func} in {table:?}"))
}

async fn run_times_failure_rates_and_the_archive_come_from_real_workers(version: &'static str) {
    let r = RedisServer::start();
    let rq = Rq::new(version, &r);
    let ids = run_jobs(&rq);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let t = now();
    let tick = history::sample(inst, &mut Sampler::new(layout.clone()), t).await.expect("tick");
    assert_eq!(tick.archived, 11, "every job archived once");

    let keys = functions::Keys::new(&layout);
    let queues = vec!["fq".to_owned()];
    let table = functions::table(inst, &keys, &queues, Range::H1, t, None).await.expect("table");
    let sleep = stat(&table, SLEEP);
    assert_eq!((sleep.calls, sleep.failed), (6, 0));
    let p50 = sleep.run_p50.expect("p50");
    assert!((0.05..=0.1).contains(&p50), "p50 {p50} in the bucket of 0.05 s jobs");
    let p95 = sleep.run_p95.expect("p95");
    assert!((0.25..=0.5).contains(&p95), "p95 {p95} in the bucket of 0.3 s jobs");
    assert!(sleep.wait_p95.is_some());
    let fail = stat(&table, FAIL);
    assert_eq!((fail.calls, fail.failed, fail.failure_rate), (2, 2, Some(1.0)));
    assert_eq!(stat(&table, OK).failure_rate, Some(0.0));

    // A second replica (a fresh sampler) and a repeated tick count nothing twice.
    let again = history::sample(inst, &mut Sampler::new(layout.clone()), t + 5).await.expect("replica");
    assert_eq!(again.archived, 0, "nothing archived twice");
    let table2 = functions::table(inst, &keys, &queues, Range::H1, t + 5, None).await.expect("table");
    assert_eq!(stat(&table2, SLEEP).calls, 6);
    assert_eq!(stat(&table2, FAIL).calls, 2);
    let mut con = r.conn();
    let len: i64 = con.xlen("rqdash:history:archive").expect("XLEN");
    assert_eq!(len, 11);

    // The record of a failed job names the exception, and is found by id without its hash.
    let failed_id = ids["fail"][0].as_str().expect("id").to_owned();
    let _: () = con.del(format!("rq:job:{failed_id}")).expect("DEL");
    let akeys = archive::Keys::new(&layout);
    let rec = archive_read::find(inst, &akeys, &failed_id, t).await.expect("find").expect("archived");
    assert_eq!(rec.queue, "fq");
    assert_eq!(rec.function.as_deref(), Some(FAIL));
    assert_eq!(rec.status.as_deref(), Some("failed"));
    assert_eq!(rec.exc_type.as_deref(), Some("RuntimeError"));
    assert_eq!(rec.exc_line.as_deref(), Some("fails every time"));
    assert!(rec.worker.is_some() && rec.started_at.is_some() && rec.ended_at.is_some());
    let ok_id = ids["ok"][1].as_str().expect("id");
    let ok_rec = archive_read::find(inst, &akeys, ok_id, t).await.expect("find").expect("archived");
    assert!(ok_rec.result_size.is_some_and(|n| n > 0), "{ok_rec:?}");
}

for_each_rq_version!(run_times_failure_rates_and_the_archive_come_from_real_workers);

#[tokio::test]
async fn functions_past_the_cap_are_folded_into_other() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    run_jobs(&rq);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let limits = Limits { functions_max: 1, ..Limits::default() };
    let t = now();
    history::sample(inst, &mut Sampler::new(layout.clone()).with_limits(limits), t).await.expect("tick");
    let keys = functions::Keys::new(&layout);
    let table = functions::table(inst, &keys, &["fq".to_owned()], Range::H1, t, None).await.expect("table");
    let names: Vec<&str> = table.iter().map(|s| s.function.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(stat(&table, SLEEP).calls, 6, "the busiest function keeps its row");
    assert_eq!(stat(&table, functions::OTHER).calls, 5, "the rest is folded");
    // The totals behind /metrics are capped the same way.
    let totals = functions::totals::read(inst, &keys, &["fq".to_owned()], t).await.expect("totals");
    let names: Vec<(&str, u64)> =
        totals.iter().map(|x| (x.function.as_str(), x.finished + x.failed)).collect();
    assert_eq!(names, [(functions::OTHER, 5), (SLEEP, 6)]);
}

/// `MEMORY USAGE` of a key (0 when absent).
fn memory(con: &mut redis::Connection, key: &str) -> i64 {
    redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(key)
        .arg("SAMPLES")
        .arg(0)
        .query::<Option<i64>>(con)
        .expect("MEMORY USAGE")
        .unwrap_or(0)
}

#[tokio::test]
async fn functions_and_archive_storage_cost_is_measured() {
    use functions::record::{Row, Rows, write};
    use rqdash::store::history::buckets::Kind;
    use rqdash::store::history::ended::Ended;

    let r = RedisServer::start();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let keys = functions::Keys::new(&layout);
    let t = now();
    let hour = t - t.rem_euclid(3600);
    // A busy function: every minute of an hour has calls with run times over 4 buckets.
    let mut rows = Rows::new();
    for m in 0..60 {
        let mut row = Row::default();
        for (i, d) in [0.04, 0.2, 0.7, 3.0, 0.04, 0.2, 0.7, 12.0].iter().enumerate() {
            row.add(if i == 7 { Kind::Failed } else { Kind::Finished }, Some(*d), Some(*d / 3.0));
        }
        rows.insert(("default".to_owned(), "app.tasks.send_email".to_owned(), hour + m * 60), row);
    }
    write(inst, &keys, &rows).await.expect("write");
    let mut con = r.conn();
    let minute = memory(&mut con, &keys.minute("default", "app.tasks.send_email", hour));
    let day = hour - hour.rem_euclid(86_400);
    let hourly = memory(&mut con, &keys.hour("default", "app.tasks.send_email", day));
    let names = memory(&mut con, &keys.names("default", day));
    eprintln!(
        "functions: one hour of minute rows {minute} B, one hour row in its day hash {hourly} B, names set {names} B"
    );
    assert!(minute > 0 && minute < 6_000, "{minute}");
    assert!(hourly > 0 && hourly < 1_000, "{hourly}");

    // 1,000 archived jobs.
    let ended: Vec<Ended> = (0..1000)
        .map(|i| Ended {
            queue: "default".into(),
            id: format!("9b2c6a4e-1f7d-4c2a-8e3b-{i:012}"),
            kind: if i % 10 == 0 { Kind::Failed } else { Kind::Finished },
            func: Some("app.tasks.send_email".into()),
            status: Some(if i % 10 == 0 { "failed" } else { "finished" }.into()),
            enqueued_at: Some(t as f64 - 3.0),
            started_at: Some(t as f64 - 2.0),
            ended_at: t as f64 - 1.0,
            worker: Some("worker-7f3a.host-1".into()),
            exc_type: (i % 10 == 0).then(|| "TimeoutError".into()),
            exc_line: (i % 10 == 0).then(|| "SMTP server did not answer in 30 s".into()),
            result_size: Some(42),
        })
        .collect();
    let akeys = archive::Keys::new(&layout);
    let done = archive::write::append(inst, &akeys, archive::Retention::default(), ended.iter(), t)
        .await
        .expect("append");
    assert_eq!(done.added, 1000);
    let stream = memory(&mut con, akeys.stream());
    let index = memory(&mut con, &akeys.index(t - t.rem_euclid(86_400)));
    eprintln!("archive: stream {} B per record, index {} B per record", stream / 1000, index / 1000);
    assert!(stream / 1000 < 400 && index / 1000 < 150, "{stream} {index}");
}
