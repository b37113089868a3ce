//! The hour rows and totals `lua/functions_record.lua` keeps: over ticks, replicas and a lost
//! hour row, every hour row and every totals hash is the sum of its minute rows. (What the
//! write scripts cost, and keys of another type: `cost.rs`.)

use std::collections::BTreeMap;

use redis::Commands;

use rqdash::rq::time;
use rqdash::store::functions::read::parse_row;
use rqdash::store::functions::record::Row;
use rqdash::store::functions::{Keys, totals};
use rqdash::store::history::{self, Layout, Sampler};

use crate::api_basics::plant_queue;
use crate::history::{store, this_minute};
use crate::support::RedisServer;

/// `n` jobs of function `app.tasks.f<f>` in queue `q`, ended at `ended`, with run and wait
/// times that spread over a few buckets; ids are unique per (`tag`, q, f, i).
pub fn plant(p: &mut redis::Pipeline, tag: &str, q: &str, f: usize, n: usize, ended: f64) {
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

pub fn queues(n: usize) -> Vec<String> {
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
