//! The storage budget: 1,000 queues of history, 200 functions and a busy archive kept under a
//! 16 MB budget by the sampler, degrading in the stated order; the panel, /metrics and doctor.

use redis::Commands;

use rqdash::store::budget::{Budget, Level, report, state};
use rqdash::store::history::{self, Layout, Limits, Sampler};

use crate::history::{store, this_minute, utc};
use crate::support::RedisServer;

// What the panel, /metrics and doctor show.
mod shown;

pub const QUEUES: usize = 1_000;
/// Queues holding a job (never folded); the functions live in them.
pub const BUSY: usize = 10;
pub const FUNCTIONS: usize = 200;
/// Of which this many are called once (rare), the rest 100 times.
pub const RARE: usize = 50;
pub const ARCHIVED: usize = 20_000;
const MINUTE_HOURS: i64 = 30;
const HOUR_DAYS: i64 = 30;

pub fn queue(i: usize) -> String {
    format!("q{i:04}")
}

fn func(i: usize) -> String {
    format!("app.tasks.f{i:03}")
}

/// Plant RQ's side (queues, one job in each busy queue) and rqdash's keys, at volume, with the
/// key names the sampler uses.
pub fn seed(r: &RedisServer, now: i64) {
    let mut con = r.conn();
    let mut p = redis::pipe();
    for i in 0..QUEUES {
        p.sadd("rq:queues", format!("rq:queue:{}", queue(i))).ignore();
    }
    for i in 0..BUSY {
        let id = format!("job-{i}");
        p.rpush(format!("rq:queue:{}", queue(i)), &id).ignore();
        p.hset_multiple(format!("rq:job:{id}"), &[("status", "queued"), ("origin", &queue(i))]).ignore();
    }
    let minute_row: Vec<(String, &str)> = (0..20).map(|m| (m.to_string(), "0,0,0,0,0,")).collect();
    let hour_row: Vec<(String, &str)> = (0..24).map(|h| (h.to_string(), "0,0,0,0,0,,60,60")).collect();
    let subjects: Vec<String> =
        std::iter::once("all".to_owned()).chain((0..QUEUES).map(|i| format!("q:{}", queue(i)))).collect();
    for s in &subjects {
        for h in 0..MINUTE_HOURS {
            p.hset_multiple(format!("rqdash:history:m:{}:{s}", utc(now - h * 3600, "%Y%m%d%H")), &minute_row)
                .ignore();
        }
        for d in 0..HOUR_DAYS {
            p.hset_multiple(format!("rqdash:history:h:{}:{s}", utc(now - d * 86_400, "%Y%m%d"),), &hour_row)
                .ignore();
        }
    }
    for f in 0..FUNCTIONS {
        let q = queue(f % BUSY);
        let name = func(f);
        let pair = format!("q:{}:{q}:{name}", q.len());
        let calls = if f < RARE { 1 } else { 100 };
        let row = format!("{calls},0,3:{calls};5:1,1:{calls}");
        let frow: Vec<(String, &str)> = (0..20).map(|m| (m.to_string(), row.as_str())).collect();
        for h in 0..MINUTE_HOURS {
            p.hset_multiple(format!("rqdash:history:fn:m:{}:{pair}", utc(now - h * 3600, "%Y%m%d%H")), &frow)
                .ignore();
        }
        for d in 0..HOUR_DAYS {
            let day = utc(now - d * 86_400, "%Y%m%d");
            p.hset(format!("rqdash:history:fn:h:{day}:{pair}"), 0, &row).ignore();
            p.sadd(format!("rqdash:history:fn:n:h:{day}:q:{q}"), &name).ignore();
        }
    }
    p.query::<()>(&mut con).expect("seed history and functions");
    let mut p = redis::pipe();
    let day = utc(now, "%Y%m%d");
    for j in 0..ARCHIVED {
        let id = format!("{j:08x}-5c1e-4e9a-9d7b-7f0c8a6b1e2d");
        let end = format!("{}.250", now - 3600);
        let fields = [
            ("id", id.as_str()),
            ("q", "q0001"),
            ("f", "app.tasks.f100"),
            ("s", "finished"),
            ("enq", &end),
            ("st", &end),
            ("end", &end),
            ("w", "worker-1"),
        ];
        p.cmd("XADD").arg("rqdash:history:archive").arg("*").arg(&fields[..]).ignore();
        p.hset(format!("rqdash:history:archive:idx:h:{day}:all"), &id, format!("{j}-0")).ignore();
    }
    p.query::<()>(&mut con).expect("seed the archive");
}

/// MEMORY USAGE of every key under `rqdash:`, found by SCAN on this private Redis.
pub fn rqdash_bytes(con: &mut redis::Connection) -> u64 {
    let keys: Vec<String> =
        con.scan_match("rqdash:*").expect("SCAN").collect::<Result<_, _>>().expect("SCAN keys");
    keys.iter()
        .map(|k| {
            redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(k)
                .arg("SAMPLES")
                .arg(0)
                .query::<Option<u64>>(con)
                .expect("MEMORY USAGE")
                .unwrap_or(0)
        })
        .sum()
}

/// A digest of RQ's keys: the budget must never touch them.
pub fn rq_digest(con: &mut redis::Connection) -> Vec<String> {
    let mut keys: Vec<String> =
        con.scan_match("rq:*").expect("SCAN").collect::<Result<_, _>>().expect("SCAN keys");
    keys.sort();
    keys.iter()
        .map(|k| {
            redis::cmd("DEBUG").arg("DIGEST-VALUE").arg(k).query::<Vec<String>>(con).expect("DIGEST").join("")
        })
        .collect()
}

fn exists(con: &mut redis::Connection, key: &str) -> bool {
    con.exists(key).expect("EXISTS")
}

fn limits(max: u64) -> Limits {
    Limits { storage: Budget { max: Some(max) }, ..Limits::default() }
}

#[tokio::test]
async fn a_thousand_queues_two_hundred_functions_and_a_busy_archive_stay_under_a_16_mb_budget_in_order() {
    let r = RedisServer::start();
    let now = this_minute() + 30;
    seed(&r, now);
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let layout = Layout::default();
    let mut con = r.conn();
    let rq_before = rq_digest(&mut con);
    let before = rqdash_bytes(&mut con);
    let old_minute = format!("rqdash:history:m:{}:q:q0999", utc(now - 29 * 3600, "%Y%m%d%H"));
    let idle_day = format!("rqdash:history:h:{}:q:q0999", utc(now - 3 * 86_400, "%Y%m%d"));
    let busy_day = format!("rqdash:history:h:{}:q:q0001", utc(now - 3 * 86_400, "%Y%m%d"));
    assert!(before > 40_000_000, "the seed is well over budget: {before} B");

    // Under budget: nothing is dropped.
    let tick =
        history::sample(inst, &mut Sampler::new(layout.clone()).with_limits(limits(1_000_000_000)), now)
            .await
            .expect("tick");
    assert!(!tick.skipped);
    let st = state::read(inst, &layout).await.expect("read").expect("stored");
    assert_eq!(st.level, Level::Normal);
    assert_eq!(con.xlen::<_, usize>("rqdash:history:archive").expect("XLEN"), ARCHIVED);
    assert!(exists(&mut con, &old_minute) && exists(&mut con, &idle_day));
    let measured = st.total;
    let off = rqdash_bytes(&mut con);
    let err = measured.abs_diff(off) as f64 / off as f64;
    assert!(err < 0.10, "rqdash's sampled measure {measured} is within 10% of the SCAN total {off}");

    // A budget the archive alone can meet: only the archive is trimmed.
    let tick = history::sample(
        inst,
        &mut Sampler::new(layout.clone()).with_limits(limits(measured / 100 * 105)),
        now + 60,
    )
    .await
    .expect("tick");
    assert!(!tick.skipped);
    let st = state::read(inst, &layout).await.expect("read").expect("stored");
    assert_eq!(st.level, Level::ArchiveTrimmed, "{st:?}");
    let left: usize = con.xlen("rqdash:history:archive").expect("XLEN");
    assert!(left < ARCHIVED && left > 1_000, "archive trimmed first: {left} records left");
    assert!(exists(&mut con, &old_minute), "the per-minute tier is untouched while the archive suffices");
    assert!(exists(&mut con, &idle_day), "nothing folded");
    assert!(rqdash_bytes(&mut con) <= measured);

    // 16 MB: archive to its floor, then the minute tier, then folding, in that order.
    let budget = 16_000_000;
    crate::support::probe::reset(&mut con);
    let mut sampler = Sampler::new(layout.clone()).with_limits(limits(budget));
    let tick = history::sample(inst, &mut sampler, now + 120).await.expect("tick");
    let used = crate::support::probe::commands_used(&mut con);
    assert!(!used.contains("scan") && !used.contains("keys"), "measured without SCAN or KEYS: {used:?}");
    let after = rqdash_bytes(&mut con);
    assert!(after <= budget, "one tick brings {after} B under the {budget} B budget");
    let st = state::read(inst, &layout).await.expect("read").expect("stored");
    assert!(st.level >= Level::Folded, "{st:?}");
    assert!(!tick.skipped, "folding was enough: the tick still wrote");
    let left: usize = con.xlen("rqdash:history:archive").expect("XLEN");
    assert!(left <= 1_000, "the archive is at its floor: {left}");
    let index: usize =
        con.hlen(format!("rqdash:history:archive:idx:h:{}:all", utc(now, "%Y%m%d"))).expect("HLEN");
    assert_eq!(index, left, "trimmed records leave the day's index too");
    assert_eq!(st.minute_hours, Some(6), "the minute tier at its shortest before folding");
    assert!(!exists(&mut con, &old_minute));
    let six_hours = format!("rqdash:history:m:{}:q:q0001", utc(now - 5 * 3600, "%Y%m%d%H"));
    assert!(exists(&mut con, &six_hours), "the last 6 hours of a busy queue are kept");
    assert!(!exists(&mut con, &idle_day), "an idle queue is folded");
    assert!(exists(&mut con, &busy_day), "a busy queue keeps its history");
    assert_eq!(st.dropped.folded_queues as usize, QUEUES - BUSY);
    assert_eq!(st.dropped.folded_functions as usize, RARE, "rare functions folded, busy ones kept");
    let rare_fn = format!("rqdash:history:fn:h:{}:q:5:q0000:app.tasks.f000", utc(now - 86_400, "%Y%m%d"));
    let busy_fn = format!("rqdash:history:fn:h:{}:q:5:q0000:app.tasks.f190", utc(now - 86_400, "%Y%m%d"));
    assert!(!exists(&mut con, &rare_fn) && exists(&mut con, &busy_fn));
    let rare_now = format!("rqdash:history:fn:m:{}:q:5:q0000:app.tasks.f000", utc(now, "%Y%m%d%H"));
    let rare_old =
        format!("rqdash:history:fn:m:{}:q:5:q0000:app.tasks.f000", utc(now - 3 * 3600, "%Y%m%d%H"));
    assert!(
        exists(&mut con, &rare_now) && !exists(&mut con, &rare_old),
        "a rare function keeps the minute rows the next lookback recounts (else /metrics counts them twice)"
    );
    let all = format!("rqdash:history:h:{}:all", utc(now - 3 * 86_400, "%Y%m%d"));
    assert!(exists(&mut con, &all), "the aggregate of every queue stays");

    // More ticks stay under the budget, measured independently; RQ's keys are untouched.
    for i in 3..6 {
        history::sample(inst, &mut sampler, now + 60 * i).await.expect("tick");
        let used = rqdash_bytes(&mut con);
        assert!(used <= budget, "tick {i}: rqdash stores {used} B, over the {budget} B budget");
    }
    let folded_again = format!("rqdash:history:m:{}:q:q0999", utc(now + 300, "%Y%m%d%H"));
    assert!(!exists(&mut con, &folded_again), "a folded queue is not written again");
    assert_eq!(rq_digest(&mut con), rq_before, "RQ's keys untouched");

    // What doctor measures agrees, and is not over.
    let st = report::status(inst, &layout, Budget { max: Some(budget) }, "rqdash:audit", now + 360)
        .await
        .expect("status");
    assert!(!st.over() && st.total <= budget, "{st:?}");
    let scanned = rqdash_bytes(&mut con);
    let err = st.total.abs_diff(scanned) as f64 / scanned as f64;
    assert!(err < 0.15, "doctor's sampled figure {} is within 15% of the SCAN total {scanned}", st.total);
}
