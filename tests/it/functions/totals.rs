//! The totals hash `lua/functions_record.lua` keeps per (queue, function): it grows by what a
//! merge raises a minute row by and by nothing else, outlives the rows, and its cost.

use redis::Commands;

use rqdash::store::functions::record::{Row, Rows, write};
use rqdash::store::functions::{Keys, Totals, totals};
use rqdash::store::history::Layout;
use rqdash::store::history::buckets::Kind;

use super::{memory, now};
use crate::history::store;
use crate::support::RedisServer;

/// A minute row of `fin` finished and `fail` failed jobs, each run `run` s after a `wait` s wait.
fn row(fin: u64, fail: u64, run: f64, wait: f64) -> Row {
    let mut r = Row::default();
    (0..fin).for_each(|_| r.add(Kind::Finished, Some(run), Some(wait)));
    (0..fail).for_each(|_| r.add(Kind::Failed, Some(run), None));
    r
}

#[tokio::test]
async fn totals_grow_by_what_a_merge_raises_and_never_by_a_recount() {
    let r = RedisServer::start();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let keys = Keys::new(&Layout::default());
    let t = now();
    let m = t - t.rem_euclid(60) - 120;
    let q = vec!["fq".to_owned()];
    let put = |rows: Vec<(i64, Row)>| {
        rows.into_iter().map(|(at, r)| (("fq".to_owned(), "m.f".to_owned(), at), r)).collect::<Rows>()
    };
    let read = || async { totals::read(inst, &keys, &q, t).await.expect("read").pop().expect("one pair") };

    write(inst, &keys, &put(vec![(m, row(2, 1, 0.2, 0.01))])).await.expect("write");
    let first: Totals = read().await;
    assert_eq!((first.finished, first.failed, first.run.total(), first.wait.total()), (2, 1, 3, 2));
    assert_eq!((first.run_ms, first.wait_ms), (600, 20));

    // The same minute recounted (a repeated tick, a replica) or counted lower (RQ deleted jobs).
    write(inst, &keys, &put(vec![(m, row(2, 1, 0.2, 0.01))])).await.expect("recount");
    write(inst, &keys, &put(vec![(m, row(1, 0, 0.2, 0.01))])).await.expect("lower");
    assert_eq!(read().await, first);

    // The minute counted higher, and a new minute: only the rise and the new jobs are added.
    write(inst, &keys, &put(vec![(m, row(3, 1, 0.2, 0.01)), (m + 60, row(4, 0, 2.0, 0.0))]))
        .await
        .expect("more");
    let more = read().await;
    assert_eq!((more.finished, more.failed, more.run.total()), (7, 1, 8));
    assert_eq!(more.run.0.get(&7), Some(&4), "the 0.2 s runs in (0.1, 0.25]");
    assert_eq!(more.run.0.get(&10), Some(&4), "the 2 s runs in (1, 2.5]");
    assert_eq!(more.run_ms, 800 + 8_000);

    // Rows expire (48 h) or are deleted: the totals stay; they expire 90 days after the day written.
    let mut con = r.conn();
    let _: () = con.del(keys.minute("fq", "m.f", m - m.rem_euclid(3600))).expect("DEL");
    let _: () = con.del(keys.hour("fq", "m.f", m - m.rem_euclid(86_400))).expect("DEL");
    assert_eq!(read().await, more);
    let ttl: i64 = con.ttl(keys.totals("fq", "m.f")).expect("TTL");
    assert!((89 * 86_400..=91 * 86_400).contains(&ttl), "{ttl}");

    // A totals key of another type is left alone; the rows are still written.
    let _: () = con.del(keys.totals("fq", "m.f")).expect("DEL");
    let _: () = con.set(keys.totals("fq", "m.f"), "x").expect("SET");
    let n = write(inst, &keys, &put(vec![(m + 120, row(1, 0, 0.2, 0.0))])).await.expect("write");
    assert_eq!(n, 1);
    let v: String = con.get(keys.totals("fq", "m.f")).expect("GET");
    assert_eq!(v, "x");

    // A totals field that is not a count (or would overflow) stops counting, and nothing else:
    // the rows are written with their expiry and the other fields still grow.
    let _: () = con.del(keys.totals("fq", "m.f")).expect("DEL");
    let _: () = con.hset(keys.totals("fq", "m.f"), "finished", "garbage").expect("HSET");
    let _: () = con.hset(keys.totals("fq", "m.f"), "failed", i64::MAX).expect("HSET");
    let n =
        write(inst, &keys, &put(vec![(m + 180, row(1, 1, 0.2, 0.0))])).await.expect("write past bad fields");
    assert_eq!(n, 1);
    let minute_ttl: i64 =
        con.ttl(keys.minute("fq", "m.f", (m + 180) - (m + 180).rem_euclid(3600))).expect("TTL");
    assert!(minute_ttl > 0, "the minute row keeps its expiry: {minute_ttl}");
    let bad: Vec<String> = redis::cmd("HMGET")
        .arg(keys.totals("fq", "m.f"))
        .arg("finished")
        .arg("failed")
        .query(&mut con)
        .expect("HMGET");
    assert_eq!(bad, vec!["garbage".to_owned(), i64::MAX.to_string()]);
    let after = read().await;
    assert_eq!((after.run.total(), after.run_ms), (2, 400), "the other fields still count");
}

#[tokio::test]
async fn totals_of_a_busy_function_cost_a_few_hundred_bytes() {
    let r = RedisServer::start();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let keys = Keys::new(&Layout::default());
    let t = now();
    let hour = t - t.rem_euclid(3600);
    // Calls every minute of an hour over 4 run time and 4 wait buckets, as in the rows' measure.
    let mut rows = Rows::new();
    for m in 0..60 {
        let mut r = Row::default();
        for (i, d) in [0.04, 0.2, 0.7, 3.0, 0.04, 0.2, 0.7, 12.0].iter().enumerate() {
            r.add(if i == 7 { Kind::Failed } else { Kind::Finished }, Some(*d), Some(*d / 3.0));
        }
        rows.insert(("default".to_owned(), "app.tasks.send_email".to_owned(), hour + m * 60), r);
    }
    write(inst, &keys, &rows).await.expect("write");
    let mut con = r.conn();
    let bytes = memory(&mut con, &keys.totals("default", "app.tasks.send_email"));
    eprintln!("functions: totals hash of a busy pair {bytes} B");
    assert!(bytes > 0 && bytes < 400, "{bytes}");
}
