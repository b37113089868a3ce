//! A running sampler reads each ended job's hash once and archives it once: the ticks whose
//! lookback still holds its end recount it from the record kept by the tick that read it, and
//! their rows are those of a fresh sampler reading everything. A failed or budget-skipped tick
//! keeps nothing of what it read.

use std::collections::BTreeMap;

use clap::Parser;
use redis::Commands;

use rqdash::config::Cli;
use rqdash::rq::time;
use rqdash::store::Store;
use rqdash::store::budget::Budget;
use rqdash::store::history::{self, Layout, Limits, Range, Sampler, Tick};

use crate::api_basics::plant_queue;
use crate::history::{store, this_minute};
use crate::support::RedisServer;
use crate::support::probe::{calls_of, reset};

const Q: &str = "oq";
const FINISHED_TTL: i64 = 500;
const FAILED_TTL: i64 = 31_536_000;

/// `n` jobs of `func` that ran 0.2 s and ended at `end(i)`, planted as RQ leaves them (`func`
/// None: a custom description, so the function is looked for in `data`).
fn plant(
    con: &mut redis::Connection,
    batch: &str,
    failed: bool,
    func: Option<&str>,
    n: usize,
    end: impl Fn(usize) -> f64,
) {
    let (status, ttl) = if failed { ("failed", FAILED_TTL) } else { ("finished", FINISHED_TTL) };
    let iso = |t: f64| time::from_epoch(t).expect("valid time");
    if n == 0 {
        return;
    }
    let mut p = redis::pipe();
    for i in 0..n {
        let (id, e) = (format!("{batch}-{status}-{}-{i}", func.unwrap_or("custom")), end(i));
        let desc = func.map_or_else(|| "nightly report".to_owned(), |f| format!("{f}({i})"));
        let mut fields = vec![
            ("status", status.to_owned()),
            ("origin", Q.to_owned()),
            ("description", desc),
            ("enqueued_at", iso(e - 1.0)),
            ("started_at", iso(e - 0.2)),
            ("ended_at", iso(e)),
            ("worker_name", "w1".to_owned()),
        ];
        if failed {
            fields.push(("exc_info", "Traceback (most recent call last):\nValueError: boom".to_owned()));
        }
        p.hset_multiple(format!("rq:job:{id}"), &fields).ignore();
        p.zadd(format!("rq:{status}:{Q}"), &id, e.floor() as i64 + ttl).ignore();
    }
    let _: () = p.query(con).expect("plant");
}

/// Jobs ending from `start` over 45 s: finished and failed calls of two functions, and
/// `undescribed` finished jobs whose description is not a call. Returns how many.
fn batch(con: &mut redis::Connection, name: &str, start: f64, undescribed: usize) -> i64 {
    plant(con, name, false, Some("tasks.resize"), 8, |i| start + i as f64 * 5.0);
    plant(con, name, false, Some("tasks.mail"), 3, |i| start + 2.0 + i as f64 * 15.0);
    plant(con, name, true, Some("tasks.mail"), 2, |i| start + 3.0 + i as f64 * 20.0);
    plant(con, name, false, None, undescribed, |i| start + 4.0 + i as f64 * 10.0);
    13 + undescribed as i64
}

/// What one tick read, as Redis counted it.
#[derive(Debug, PartialEq, Eq)]
struct Cost {
    hmget: i64,
    hstrlen: i64,
    xrevrange: i64,
    archived: i64,
}

async fn tick(r: &RedisServer, s: &Store, sampler: &mut Sampler, now: i64) -> Cost {
    let mut con = r.conn();
    reset(&mut con);
    let t: Tick = history::sample(s.instance(0).expect("instance"), sampler, now).await.expect("tick");
    assert!(!t.skipped);
    // The archive's dedup check (one HEXISTS per record it is given), for the record only.
    eprintln!(
        "tick at {now}: HEXISTS {} rows {} {:?}",
        calls_of(&mut con, "hexists"),
        t.function_rows,
        t.written
    );
    let mut n = |c: &str| calls_of(&mut con, c);
    Cost { hmget: n("hmget"), hstrlen: n("hstrlen"), xrevrange: n("xrevrange"), archived: t.archived }
}

/// Reads of `n` jobs' hashes, `archived` of them archived.
fn read(n: i64, archived: i64) -> Cost {
    Cost { hmget: n, hstrlen: n, xrevrange: n, archived }
}

/// Every per-function row key (minute and hour rows, totals, names) under `base`, prefix stripped.
fn function_keys(con: &mut redis::Connection, base: &str) -> BTreeMap<String, String> {
    let keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{base}:fn*")).query(con).expect("KEYS (a test's own Redis)");
    let mut out = BTreeMap::new();
    // The samplers' epoch is a random token (a cache check), not a recorded row.
    for k in keys.into_iter().filter(|k| !k.ends_with(":fn:epoch")) {
        let v = match redis::cmd("TYPE").arg(&k).query::<String>(con).expect("TYPE").as_str() {
            "hash" => format!("{:?}", con.hgetall::<_, BTreeMap<String, String>>(&k).expect("HGETALL")),
            "zset" => {
                format!("{:?}", con.zrange_withscores::<_, Vec<(String, f64)>>(&k, 0, -1).expect("ZRANGE"))
            }
            "set" => {
                format!("{:?}", con.smembers::<_, std::collections::BTreeSet<String>>(&k).expect("SMEMBERS"))
            }
            other => panic!("{k} is a {other}"),
        };
        out.insert(k[base.len()..].to_owned(), v);
    }
    out
}

/// Jobs finished and failed per minute of the last hour, in the queue and in the sum of queues.
async fn throughput(s: &Store, layout: &Layout, now: i64) -> Vec<(i64, Option<f64>, Option<f64>)> {
    let inst = s.instance(0).expect("instance");
    let all = history::series_many(inst, layout, &[Some(Q), None], Range::H1, now).await.expect("series");
    all.iter()
        .flat_map(|s| &s.points)
        .filter(|p| p.finished_per_min.is_some_and(|f| f > 0.0) || p.failed_per_min.is_some_and(|f| f > 0.0))
        .map(|p| (p.t, p.finished_per_min, p.failed_per_min))
        .collect()
}

/// The rows `base`'s sampler wrote equal those of a fresh sampler (another prefix) whose first
/// tick at `now` reads every job at once.
async fn same_as_a_fresh_sampler(r: &RedisServer, s: &Store, base: &str, now: i64) {
    let fresh = Layout::new("fresh");
    let t = history::sample(s.instance(0).expect("instance"), &mut Sampler::new(fresh.clone()), now).await;
    t.expect("fresh tick");
    let mut con = r.conn();
    let (kept, read) = (function_keys(&mut con, base), function_keys(&mut con, "fresh"));
    assert!(kept.len() > 4, "{kept:?}");
    assert_eq!(kept, read, "function rows");
    let (kept, read) = (throughput(s, &Layout::new(base), now).await, throughput(s, &fresh, now).await);
    assert!(!kept.is_empty());
    assert_eq!(kept, read, "throughput per minute");
}

#[tokio::test]
async fn over_ticks_a_minute_apart_each_job_is_read_once_archived_once_and_counted_as_a_fresh_read_would() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, Q);
    let s = store(&r);
    let t0 = this_minute() + 30;
    let mut sampler = Sampler::new(Layout::default());

    // A ends across the minute before t0 and t0's; B and C in the minute after each tick.
    let a = batch(&mut con, "a", (t0 - 50) as f64, 4);
    let first = tick(&r, &s, &mut sampler, t0).await;
    let b = batch(&mut con, "b", (t0 + 10) as f64, 0);
    let second = tick(&r, &s, &mut sampler, t0 + 60).await;
    let c = batch(&mut con, "c", (t0 + 70) as f64, 0);
    let third = tick(&r, &s, &mut sampler, t0 + 120).await;
    // Nothing new: B's and C's ends are still inside this lookback, A's are before it.
    let fourth = tick(&r, &s, &mut sampler, t0 + 180).await;
    eprintln!("per tick (new jobs {a}, {b}, {c}, 0): {first:?} {second:?} {third:?} {fourth:?}");

    assert_eq!(first, read(a, a), "tick 1 reads and archives A");
    assert_eq!(second, read(b, b), "tick 2 reads B alone; A is recounted from its records");
    assert_eq!(third, read(c, c), "tick 3 reads C alone");
    assert_eq!(fourth, read(0, 0), "tick 4 reads nothing");
    let mut con = r.conn();
    let len: i64 = con.xlen("rqdash:history:archive").expect("XLEN");
    assert_eq!(len, a + b + c, "each job archived once");

    same_as_a_fresh_sampler(&r, &s, "rqdash:history", t0 + 180).await;

    // The clock set back two minutes: the lookback starts 4 minutes earlier, before the records
    // kept (from the minute before tick 3 on). The members in between are read again (and found
    // archived), the others recounted from their records: no row changes.
    let rows = function_keys(&mut con, "rqdash:history");
    let counted = throughput(&s, &Layout::default(), t0 + 180).await;
    let back = tick(&r, &s, &mut sampler, t0 + 60).await;
    eprintln!("clock set back: {back:?}");
    assert_eq!(back, read(a + 7, 0), "A and the 7 jobs of B that ended in t0's minute");
    assert_eq!(function_keys(&mut con, "rqdash:history"), rows);
    assert_eq!(throughput(&s, &Layout::default(), t0 + 180).await, counted);
}

/// How the second of three ticks is lost.
enum Lost {
    /// Its writes are refused (NOPERM) after it read every member.
    Refused,
    /// The storage budget skips it.
    Skipped,
}

async fn a_lost_tick_keeps_nothing_it_read(lost: Lost) {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, Q);
    let s = store(&r);
    let t0 = this_minute() + 30;
    let mut sampler = Sampler::new(Layout::default());
    let a = batch(&mut con, "a", (t0 - 50) as f64, 2);
    assert_eq!(tick(&r, &s, &mut sampler, t0).await.hmget, a);

    let b = batch(&mut con, "b", (t0 + 10) as f64, 2);
    match lost {
        Lost::Refused => {
            let url = r.acl_reader();
            let args = Cli::try_parse_from(["rqdash", "--redis-url", &url]).expect("flags");
            let reader = Store::from_args(&args.redis).expect("store");
            let t = history::sample(reader.instance(0).expect("instance"), &mut sampler, t0 + 60).await;
            assert!(t.is_err(), "a reader may not write: {t:?}");
        }
        Lost::Skipped => {
            // The audit log alone is over a 1 MB budget (the budget never drops audit entries).
            let mut p = redis::pipe();
            for _ in 0..3_000 {
                p.cmd("XADD").arg("rqdash:audit").arg("*").arg("action").arg("x".repeat(500)).ignore();
            }
            p.query::<()>(&mut con).expect("seed the audit log");
            let tight = Limits { storage: Budget { max: Some(1_000_000) }, ..Limits::default() };
            sampler = sampler.with_limits(tight);
            let t = history::sample(s.instance(0).expect("instance"), &mut sampler, t0 + 60).await;
            assert!(t.expect("tick").skipped);
            let _: () = con.del("rqdash:audit").expect("DEL");
            sampler = sampler.with_limits(Limits::default());
        }
    }

    let c = batch(&mut con, "c", (t0 + 70) as f64, 0);
    let third = tick(&r, &s, &mut sampler, t0 + 120).await;
    assert_eq!(
        (third.hmget, third.archived),
        (b + c, b + c),
        "B, read by the lost tick, is read and archived again; A is not"
    );
    same_as_a_fresh_sampler(&r, &s, "rqdash:history", t0 + 120).await;
}

#[tokio::test]
async fn a_tick_whose_writes_are_refused_keeps_nothing_it_read_and_the_next_counts_everything() {
    a_lost_tick_keeps_nothing_it_read(Lost::Refused).await;
}

#[tokio::test]
async fn a_tick_the_budget_skips_keeps_nothing_it_read_and_the_next_counts_everything() {
    a_lost_tick_keeps_nothing_it_read(Lost::Skipped).await;
}
