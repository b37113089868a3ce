//! What the sampler's write scripts cost: a tick over unchanged data writes nothing, a tick
//! after new jobs writes per change (measured against the scripts before, see the last test),
//! and keys of another type under the prefix are left untouched.

use std::collections::BTreeMap;

use redis::Commands;

use rqdash::store::archive;
use rqdash::store::functions::Keys;
use rqdash::store::functions::read::parse_row;
use rqdash::store::history::{self, Layout, Sampler, Subject};

use super::rises::{plant, queues};
use crate::api_basics::plant_queue;
use crate::history::{store, this_minute};
use crate::support::{RedisServer, probe};

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
