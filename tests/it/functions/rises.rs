//! What the sampler's write scripts cost and keep: `lua/functions_record.lua` raises an hour
//! row by what its minutes' merges raised (re-summing the minute hash only when the hour field
//! is absent), and a tick over unchanged data writes nothing; the hour rows and the totals stay
//! the sum of the minute rows over ticks and replicas; keys of another type are left alone.

use std::collections::BTreeMap;

use redis::Commands;

use rqdash::rq::time;
use rqdash::store::archive;
use rqdash::store::functions::read::parse_row;
use rqdash::store::functions::record::Row;
use rqdash::store::functions::{Keys, totals};
use rqdash::store::history::{self, Layout, Sampler, Subject};

use crate::api_basics::plant_queue;
use crate::history::{store, this_minute};
use crate::support::{RedisServer, probe};

/// `n` jobs of function `app.tasks.f<f>` in queue `q`, ended at `ended`, with run and wait
/// times that spread over a few buckets; ids are unique per (`tag`, q, f, i).
fn plant(p: &mut redis::Pipeline, tag: &str, q: &str, f: usize, n: usize, ended: f64) {
    for i in 0..n {
        let id = format!("{tag}-{q}-{f}-{i}");
        let run = 0.03 * (1 + (i + f) % 7) as f64 * (1 + i % 3) as f64;
        let iso = |t: f64| time::from_epoch(t).expect("valid time");
        let desc = format!("app.tasks.f{f}()");
        let fields = [
            ("status", "finished".to_owned()),
            ("origin", q.to_owned()),
            ("description", desc),
            ("enqueued_at", iso(ended - run - 0.5 * (i % 4) as f64)),
            ("started_at", iso(ended - run)),
            ("ended_at", iso(ended)),
        ];
        p.hset_multiple(format!("rq:job:{id}"), &fields).ignore();
        p.zadd(format!("rq:finished:{q}"), &id, ended.floor() as i64 + 500).ignore();
    }
}

/// Every (hour field, minute hash) of the pairs, summed two ways: the hour rows as stored, and
/// the sum of their minute rows; plus the stored totals and the sum of every minute row.
struct Sums {
    hours: BTreeMap<String, (Row, Row)>,
    totals: BTreeMap<String, (Row, Row)>,
}

fn add(to: &mut Row, r: &Row) {
    to.finished += r.finished;
    to.failed += r.failed;
    to.run.merge_sum(&r.run);
    to.wait.merge_sum(&r.wait);
    // Sums travel as whole milliseconds: compare them so.
    to.run_sum = ((to.run_sum + r.run_sum) * 1e3).round() / 1e3;
    to.wait_sum = ((to.wait_sum + r.wait_sum) * 1e3).round() / 1e3;
}

async fn sums(
    r: &RedisServer,
    keys: &Keys,
    queues: &[String],
    funcs: usize,
    hours: &[i64],
    now: i64,
) -> Sums {
    let mut con = r.conn();
    let mut out = Sums { hours: BTreeMap::new(), totals: BTreeMap::new() };
    for q in queues {
        for f in (0..funcs).map(|f| format!("app.tasks.f{f}")) {
            let mut all = Row::default();
            for &h in hours {
                let d = h - h.rem_euclid(86_400);
                let minutes: BTreeMap<String, String> = con.hgetall(keys.minute(q, &f, h)).expect("HGETALL");
                let mut sum = Row::default();
                minutes.values().for_each(|v| add(&mut sum, &parse_row(v)));
                add(&mut all, &sum);
                let stored: Option<String> =
                    con.hget(keys.hour(q, &f, d), ((h - d) / 3600).to_string()).expect("HGET");
                let mut hour = Row::default();
                add(&mut hour, &parse_row(stored.as_deref().unwrap_or("")));
                out.hours.insert(format!("{q} {f} {h}"), (hour, sum));
            }
            out.totals.insert(format!("{q} {f}"), (Row::default(), all));
        }
    }
    let s = crate::history::store(r);
    let inst = s.instance(0).expect("instance");
    for t in totals::read(inst, keys, queues, now).await.expect("totals") {
        let mut row = Row::default();
        let secs = |ms: u64| ms as f64 / 1e3;
        let stored = Row {
            finished: t.finished,
            failed: t.failed,
            run: t.run.clone(),
            wait: t.wait.clone(),
            run_sum: secs(t.run_ms),
            wait_sum: secs(t.wait_ms),
        };
        add(&mut row, &stored);
        if let Some(e) = out.totals.get_mut(&format!("{} {}", t.queue, t.function)) {
            e.0 = row;
        }
    }
    out
}

fn assert_sums(s: &Sums, what: &str) {
    let mut rows = 0;
    for (k, (hour, sum)) in &s.hours {
        assert_eq!(hour, sum, "{what}: the hour row of {k} is the sum of its minute rows");
        rows += sum.finished;
    }
    assert!(rows > 0, "{what}: rows were written");
    for (k, (stored, sum)) in &s.totals {
        assert_eq!(stored, sum, "{what}: the totals of {k} are the sum of its minute rows");
    }
}

/// The hours a test's ticks can touch (a test may cross an hour).
fn hours_around(t: i64) -> Vec<i64> {
    let h = t - t.rem_euclid(3600);
    vec![h - 3600, h, h + 3600]
}

fn queues(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("fq{i}")).collect()
}

#[tokio::test]
async fn hour_rows_and_totals_stay_the_sum_of_their_minute_rows_over_ticks_and_replicas() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let keys = Keys::new(&layout);
    let qs = queues(3);
    let t = this_minute() + 30;
    let mut p = redis::pipe();
    for q in &qs {
        plant_queue(&mut con, q);
        for f in 0..3 {
            plant(&mut p, "a", q, f, 2 + f, (t - 200) as f64);
            plant(&mut p, "b", q, f, 3, (t - 20) as f64);
        }
    }
    let _: () = p.query(&mut con).expect("plant");
    let (mut one, mut two) = (Sampler::new(layout.clone()), Sampler::new(layout.clone()));
    history::sample(inst, &mut one, t).await.expect("tick");
    assert_sums(&sums(&r, &keys, &qs, 3, &hours_around(t), t).await, "first tick");

    // New jobs in minutes already recorded (the recount raises them) and in new minutes; each
    // sampler ticks, the second one a replica that sees what the first wrote.
    for (k, at) in [(1, t + 60), (2, t + 120), (3, t + 180)] {
        let mut p = redis::pipe();
        for q in &qs {
            for f in 0..3 {
                plant(&mut p, &format!("c{k}"), q, f, 1 + (k + f) % 3, (at - 70) as f64);
                plant(&mut p, &format!("d{k}"), q, f, 2, (at - 10) as f64);
            }
        }
        let _: () = p.query(&mut con).expect("plant");
        history::sample(inst, &mut one, at).await.expect("tick");
        history::sample(inst, &mut two, at + 1).await.expect("replica");
        assert_sums(&sums(&r, &keys, &qs, 3, &hours_around(t), at).await, &format!("tick {k}"));
    }
    let all = sums(&r, &keys, &qs, 3, &hours_around(t), t + 180).await;
    let counted: u64 = all.totals.values().map(|(s, _)| s.finished).sum();
    // Per queue and function: 2+f + 3, then per tick 1+(k+f)%3 + 2.
    let planted: u64 =
        3 * (0..3u64).map(|f| 5 + f + (1..=3).map(|k| 3 + (k + f) % 3).sum::<u64>()).sum::<u64>();
    assert_eq!(counted, planted, "every job counted once");
}

#[tokio::test]
async fn a_tick_over_unchanged_data_writes_nothing() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let qs = queues(4);
    let t = this_minute() + 30;
    let mut p = redis::pipe();
    for q in &qs {
        plant_queue(&mut con, q);
        for f in 0..3 {
            plant(&mut p, "a", q, f, 3, (t - 90) as f64);
            plant(&mut p, "b", q, f, 2, (t - 10) as f64);
        }
    }
    let _: () = p.query(&mut con).expect("plant");
    let mut one = Sampler::new(layout.clone());
    history::sample(inst, &mut one, t).await.expect("tick");

    // A second sampler (a replica) over the same jobs: only the storage budget's status is
    // written (a fresh sampler measures the storage first), by no write script.
    probe::reset(&mut con);
    let tick = history::sample(inst, &mut Sampler::new(layout.clone()), t + 3).await.expect("replica");
    for (cmd, n) in [("hset", 1), ("expireat", 0), ("hincrby", 0), ("xadd", 0), ("hgetall", 0)] {
        assert_eq!(probe::calls_of(&mut con, cmd), n, "{cmd} in a replica's tick over unchanged data");
    }
    assert_eq!((tick.written.minute_rows, tick.written.hour_rows, tick.function_rows), (0, 0, 0));

    // The first sampler again: nothing at all.
    let before = probe::digest(&mut con);
    probe::reset(&mut con);
    let tick = history::sample(inst, &mut one, t + 5).await.expect("repeated tick");
    for cmd in ["hset", "expireat", "expire", "hincrby", "sadd", "xadd", "hgetall"] {
        assert_eq!(probe::calls_of(&mut con, cmd), 0, "{cmd} in a repeated tick over unchanged data");
    }
    assert_eq!((tick.written.minute_rows, tick.written.hour_rows, tick.function_rows), (0, 0, 0));
    assert_eq!(probe::digest(&mut con), before, "nothing changed");
}

#[tokio::test]
async fn an_hour_row_whose_field_was_deleted_is_rebuilt_as_the_sum_of_its_minutes() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let keys = Keys::new(&layout);
    let qs = queues(2);
    let t = this_minute() + 30;
    let mut p = redis::pipe();
    for q in &qs {
        plant_queue(&mut con, q);
        // Every job in the minute of `t` (so in one hour, whenever the test runs).
        plant(&mut p, "a", q, 0, 4, (t - 25) as f64);
        plant(&mut p, "b", q, 1, 2, (t - 10) as f64);
    }
    let _: () = p.query(&mut con).expect("plant");
    let mut one = Sampler::new(layout.clone());
    history::sample(inst, &mut one, t).await.expect("tick");
    // The hour rows lost (an older layout, a row folded): the next rise rebuilds them whole.
    for q in &qs {
        for f in ["app.tasks.f0", "app.tasks.f1"] {
            for h in hours_around(t) {
                let d = h - h.rem_euclid(86_400);
                let _: () = con.hdel(keys.hour(q, f, d), ((h - d) / 3600).to_string()).expect("HDEL");
            }
        }
    }
    let mut p = redis::pipe();
    for q in &qs {
        plant(&mut p, "c", q, 0, 1, (t - 5) as f64);
        plant(&mut p, "c", q, 1, 1, (t - 1) as f64);
    }
    let _: () = p.query(&mut con).expect("plant");
    history::sample(inst, &mut one, t + 60).await.expect("tick");
    let sums = sums(&r, &keys, &qs, 2, &hours_around(t), t + 60).await;
    assert_sums(&sums, "rebuilt");
    let rebuilt: u64 = sums.hours.values().map(|(h, _)| h.finished).sum();
    assert_eq!(rebuilt, 2 * (4 + 2 + 2), "every job of the hour, not only the new ones");
}

#[tokio::test]
async fn keys_of_another_type_under_the_prefix_are_left_untouched() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let keys = Keys::new(&layout);
    let t = this_minute() + 30;
    let (h, d) = (t - t.rem_euclid(3600), t - t.rem_euclid(86_400));
    plant_queue(&mut con, "fq0");
    plant_queue(&mut con, "fq1");
    let mut p = redis::pipe();
    for f in 0..4 {
        plant(&mut p, "a", "fq0", f, 2, (t - 20) as f64);
    }
    plant(&mut p, "a", "fq1", 0, 2, (t - 20) as f64);
    let _: () = p.query(&mut con).expect("plant");
    // f0's minute hash is a string, f1's hour hash a list, f2's totals a set, the names a string;
    // fq1's history minute hash a string, the all-queues hour hash a list, the day's archive
    // index a set.
    let wrong = [
        keys.minute("fq0", "app.tasks.f0", h),
        keys.hour("fq0", "app.tasks.f1", d),
        keys.totals("fq0", "app.tasks.f2"),
        keys.names("fq0", d),
        layout.minute_key(Subject::Queue("fq1"), h),
        layout.hour_key(Subject::All, d),
        archive::Keys::new(&layout).index(d),
    ];
    for (i, k) in wrong.iter().enumerate() {
        let _: () = match i % 3 {
            0 => con.set(k, "x").expect("SET"),
            1 => con.rpush(k, "x").expect("RPUSH"),
            _ => con.sadd(k, "x").expect("SADD"),
        };
    }
    let digest = |con: &mut redis::Connection| -> Vec<String> {
        redis::cmd("DEBUG").arg("DIGEST-VALUE").arg(&wrong[..]).query(con).expect("DIGEST-VALUE")
    };
    let before = digest(&mut con);
    let mut one = Sampler::new(layout.clone());
    history::sample(inst, &mut one, t).await.expect("tick");
    let mut p = redis::pipe();
    for f in 0..4 {
        plant(&mut p, "b", "fq0", f, 1, (t + 20) as f64);
    }
    let _: () = p.query(&mut con).expect("plant");
    history::sample(inst, &mut one, t + 60).await.expect("tick");
    assert_eq!(digest(&mut con), before, "keys of another type unchanged");
    for k in &wrong {
        let ttl: i64 = con.ttl(k).expect("TTL");
        assert_eq!(ttl, -1, "{k} got no expiry");
    }
    // The rest is written: f3 whole, f1's minute rows and totals, f0's hour row stays absent.
    let f3: Option<String> =
        con.hget(keys.hour("fq0", "app.tasks.f3", d), ((h - d) / 3600).to_string()).expect("HGET");
    assert_eq!(parse_row(f3.as_deref().unwrap_or("")).finished, 3);
    let f1: BTreeMap<String, String> = con.hgetall(keys.minute("fq0", "app.tasks.f1", h)).expect("HGETALL");
    assert_eq!(f1.values().map(|v| parse_row(v).finished).sum::<u64>(), 3);
    let ttl: i64 = con.ttl(keys.totals("fq0", "app.tasks.f1")).expect("TTL");
    assert!(ttl > 0, "written keys expire: {ttl}");
    let all: BTreeMap<String, String> = con.hgetall(layout.minute_key(Subject::All, h)).expect("HGETALL");
    assert!(!all.is_empty(), "the all-queues minute rows are written");
    let fq0: BTreeMap<String, String> =
        con.hgetall(layout.hour_key(Subject::Queue("fq0"), d)).expect("HGETALL");
    assert!(!fq0.is_empty(), "fq0's hour row is written");
    let archived: i64 = con.xlen(archive::Keys::new(&layout).stream()).expect("XLEN");
    assert_eq!(archived, 0, "no record archived without its day's index");
}

/// Commands, their calls and the EVALSHA calls and time since the last reset, printed.
fn measured(con: &mut redis::Connection, label: &str) {
    let info: String = redis::cmd("INFO").arg("commandstats").query(con).expect("INFO");
    let stat = |cmd: &str, what: &str| -> i64 {
        let line = info.lines().find_map(|l| l.strip_prefix(&format!("cmdstat_{cmd}:"))).unwrap_or("");
        line.split(',').find_map(|kv| kv.strip_prefix(&format!("{what}="))?.parse().ok()).unwrap_or(0)
    };
    let mut per: Vec<String> = info
        .lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter(|l| !l.starts_with("info") && !l.starts_with("config"))
        .map(|l| l.split(",usec=").next().unwrap_or(l).replace(":calls=", " "))
        .collect();
    per.sort();
    eprintln!(
        "{label}: {} commands, evalsha {} calls {} usec; {}",
        probe::calls(con),
        stat("evalsha", "calls"),
        stat("evalsha", "usec"),
        per.join(", ")
    );
}

/// Measure: `--nocapture` prints the commands and EVALSHA time of a tick after one new job per
/// (queue, function), 100 queues × 10 functions, then of a tick that only recounts.
/// Measured 2026-12-03 (shared 2-core machine under load, 3 runs each). After 1,000 new jobs:
/// before (13d2ffb) 35,365 commands, 118-172 ms of EVALSHA (7,515 TYPE, 5,404 EXPIREAT, 1,101
/// HGETALL, 1,002 EXISTS); after 24,567 commands, 68-104 ms (10 TYPE, 3,212 EXPIREAT, 101
/// HGETALL, 2 EXISTS). A tick over the same jobs: before 28,355 commands, 124-128 ms; after
/// 11,446 commands, 19-28 ms (no HINCRBY, SADD or function row written). The before's hour
/// re-sums also grow with the minutes already in the hour; the rises do not.
#[tokio::test]
async fn a_tick_costs_the_write_scripts_per_change_not_per_row_recounted() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let qs = queues(100);
    let t = this_minute() + 30;
    let mut p = redis::pipe();
    for q in &qs {
        plant_queue(&mut con, q);
        for f in 0..10 {
            plant(&mut p, "a", q, f, 3, (t - 100) as f64);
            plant(&mut p, "b", q, f, 1, (t - 10) as f64);
        }
    }
    let _: () = p.query(&mut con).expect("plant");
    let mut one = Sampler::new(layout.clone());
    history::sample(inst, &mut one, t).await.expect("tick");
    let mut p = redis::pipe();
    for q in &qs {
        for f in 0..10 {
            plant(&mut p, "c", q, f, 1, (t + 20) as f64);
        }
    }
    let _: () = p.query(&mut con).expect("plant");
    probe::reset(&mut con);
    history::sample(inst, &mut one, t + 60).await.expect("tick");
    measured(&mut con, "tick after 1,000 new jobs");
    assert!(probe::calls_of(&mut con, "type") <= 10, "one TYPE per archive call (the stream's)");
    // Function hour rows are raised, not re-summed: HGETALL only re-sums the history hours of
    // the queues (and of all queues) whose minute changed.
    assert!(probe::calls_of(&mut con, "hgetall") <= 2 * 101, "{}", probe::calls_of(&mut con, "hgetall"));

    // The next tick recounts the same minutes, no job new: the scripts write nothing but the
    // gauges of the new minute (a row per queue, its hour row).
    probe::reset(&mut con);
    history::sample(inst, &mut one, t + 120).await.expect("tick");
    measured(&mut con, "tick over the same jobs");
    for cmd in ["hincrby", "xadd", "sadd"] {
        assert_eq!(probe::calls_of(&mut con, cmd), 0, "{cmd}");
    }
    assert!(probe::calls_of(&mut con, "hset") <= 2 * 101, "{}", probe::calls_of(&mut con, "hset"));
}
