//! The `slow-function` rule on real states: a 7-day baseline of fast runs written through the
//! store's own record functions, a recent hour of slow runs by a real `rq worker`, then the
//! verdict wherever verdicts show; the minimum calls and the factor at their edges; its cost.

use std::collections::HashMap;

use rqdash::health::Settings;
use rqdash::store::functions::{Keys, record};
use rqdash::store::history::buckets::Kind;
use rqdash::store::history::{self, Layout, Sampler};
use rqdash::store::verdict;

use super::alerts::{Receiver, alerter, tick};
use super::{health, now, queue, rules_of, store};
use crate::cli::{rqdash, rqdash_env, stdout};
use crate::functions::SLEEP;
use crate::support::{RedisServer, Rq, TestApp};

/// Rows of `(queue, function)` at `t`: one call per run time, as the sampler would record them.
fn calls(rows: &mut record::Rows, queue: &str, func: &str, t: i64, runs: &[(usize, f64)]) {
    let row = rows.entry((queue.to_owned(), func.to_owned(), t - t.rem_euclid(60))).or_default();
    for (n, secs) in runs {
        (0..*n).for_each(|_| row.add(Kind::Finished, Some(*secs), Some(0.01)));
    }
}

/// One row a day over the previous 7 days.
fn week(rows: &mut record::Rows, queue: &str, func: &str, t: i64, runs: &[(usize, f64)]) {
    (1..=7).for_each(|d| calls(rows, queue, func, t - d * 86_400, runs));
}

async fn write(r: &RedisServer, rows: &record::Rows) {
    let s = store(r);
    let inst = s.instance(0).expect("instance");
    record::write(inst, &Keys::new(&Layout::default()), rows).await.expect("write");
}

/// The reason of `rule` on `queue` in a health answer.
fn reason<'a>(v: &'a serde_json::Value, q: &str, rule: &str) -> Option<&'a serde_json::Value> {
    queue(v, q)["reasons"].as_array().and_then(|a| a.iter().find(|x| x["rule"] == rule))
}

#[tokio::test]
async fn a_function_over_three_times_its_weekly_p95_is_a_warning_wherever_verdicts_show() {
    let r = RedisServer::start();
    let t = now();
    // 70 runs over the week: p95 175 ms (63 in the 50–100 ms bucket, 7 in the 100–250 ms one).
    let mut rows = record::Rows::new();
    week(&mut rows, "render", SLEEP, t, &[(9, 0.06), (1, 0.2)]);
    write(&r, &rows).await;
    let rq = Rq::new("2.12.0", &r);
    rq.py("q = Queue('render', connection=conn())\nfor i in range(20): q.enqueue(sleep, 0.6)\nout(1)");
    rq.burst(&["render"]);
    let s = store(&r);
    history::sample(s.instance(0).expect("instance"), &mut Sampler::new(Layout::default()), now())
        .await
        .expect("sample");

    let text = "rqdash_action_tasks.sleep p95 975 ms, 5.6× its 7-day 175 ms";
    let v = health(&r, &[]).await;
    let q = queue(&v, "render");
    assert_eq!(
        (q["verdict"].as_str(), rules_of(&q["reasons"])),
        (Some("warning"), vec!["slow-function".into()])
    );
    assert_eq!(q["reasons"][0]["text"], text, "{v:#}");
    assert_eq!(v["verdict"], "warning");

    let app = TestApp::new(&r.url());
    let badge =
        format!(r#"<span class="badge health-warning" data-health="warning" title="{text}">warning</span>"#);
    assert!(app.get("/").await.text().contains(&badge), "the overview's badge");
    let page = app.get("/queues/render").await.text();
    assert!(page.contains(r#"data-health="warning""#) && page.contains(text), "the queue page");
    let metrics = app.get("/metrics").await.text();
    let line = r#"rq_queue_health{instance="0",queue="render",severity="warning"} 1"#;
    assert!(metrics.lines().any(|l| l == line), "{metrics}");
    let o = rqdash(&r, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).lines().any(|l| l == format!("WARNING queue render: {text}")), "{}", stdout(&o));
    let (rx, url) = Receiver::start(&[]).await;
    assert!(tick(&s, &alerter(vec![rqdash::health::alerter::Hook::Json(url)])).await);
    let change = &rx.bodies()[0]["changes"][0];
    assert_eq!((change["queue"].as_str(), change["to"].as_str()), (Some("render"), Some("warning")));
    assert_eq!(change["reasons"][0]["text"], text);

    // Turned off, or a factor above the 5.6× measured: ok.
    assert_eq!(queue(&health(&r, &["--health-off", "slow-function"]).await, "render")["verdict"], "ok");
    assert_eq!(queue(&health(&r, &["--health-slow-factor", "6"]).await, "render")["verdict"], "ok");
    let o = rqdash_env(&r, &["check"], &[("RQDASH_HEALTH_SLOW_FACTOR", "5.5")]);
    assert_eq!(o.status.code(), Some(1), "5.6× is over 5.5×: {}", stdout(&o));
    let o = rqdash_env(&r, &["check"], &[("RQDASH_HEALTH_SLOW_FACTOR", "5.7")]);
    assert_eq!(o.status.code(), Some(0), "the variable sets the factor: {}", stdout(&o));
}

#[tokio::test]
async fn too_few_calls_or_a_function_under_three_times_its_baseline_is_ok() {
    let r = RedisServer::start();
    let t = now();
    let mut rows = record::Rows::new();
    // 19 recent calls 9× slower than a week of 70: one call short of the minimum.
    week(&mut rows, "few", "app.few", t, &[(10, 0.06)]);
    calls(&mut rows, "few", "app.few", t, &[(19, 0.6)]);
    // 2.9× slower: p95 2.425 s (1–2.5 s bucket) against 825 ms (84 at 0.3 s, 14 at 0.8 s).
    week(&mut rows, "close", "app.close", t, &[(12, 0.3), (2, 0.8)]);
    calls(&mut rows, "close", "app.close", t, &[(40, 2.0)]);
    // And a baseline of 14 calls: too thin to compare with.
    week(&mut rows, "new", "app.new", t, &[(2, 0.06)]);
    calls(&mut rows, "new", "app.new", t, &[(40, 2.0)]);
    write(&r, &rows).await;
    let queues = ["rq:queue:few", "rq:queue:close", "rq:queue:new"];
    let _: () = redis::cmd("SADD").arg("rq:queues").arg(&queues).query(&mut r.conn()).expect("SADD");
    let v = health(&r, &[]).await;
    for q in ["few", "close", "new"] {
        assert_eq!(queue(&v, q)["verdict"], "ok", "{q}: {v:#}");
    }
    // The same data judged just past each edge fires: the edges are what kept them ok.
    let v = health(&r, &["--health-slow-min-calls", "14", "--health-slow-factor", "2.8"]).await;
    let few = reason(&v, "few", "slow-function").expect("19 calls are enough for a 14-call minimum");
    assert!(few["text"].as_str().is_some_and(|t| t.starts_with("app.few p95 975 ms, ")), "{few:#}");
    let close = reason(&v, "close", "slow-function").expect("2.9× is over 2.8×");
    assert_eq!(close["text"], "app.close p95 2.4 s, 2.9× its 7-day 825 ms");
    assert!(reason(&v, "new", "slow-function").is_some(), "a 14-call baseline");
}

/// 1,000 queues of 3 slow functions each: the rule's reads stay within their caps.
#[tokio::test]
async fn the_slow_function_reads_are_capped_at_a_thousand_queues() {
    let r = RedisServer::start();
    let t = now();
    let mut rows = record::Rows::new();
    for i in 0..1000 {
        // q0500's functions are the busiest: the baseline is read for the busiest pairs first.
        let n = if i == 500 || i == 999 { 30 } else { 20 };
        for f in ["a", "b", "c"] {
            week(&mut rows, &format!("q{i:04}"), f, t, &[(3, 0.06)]);
            calls(&mut rows, &format!("q{i:04}"), f, t, &[(n, 0.6)]);
        }
    }
    write(&r, &rows).await;
    let mut con = r.conn();
    let members: Vec<String> = (0..1000).map(|i| format!("rq:queue:q{i:04}")).collect();
    let _: () = redis::cmd("SADD").arg("rq:queues").arg(&members).query(&mut con).expect("SADD");
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let off = Settings { off: vec![rqdash::health::Rule::SlowFunction], ..Settings::default() };
    let (_, base, base_took) = cost(&mut con, inst, off).await;
    let (report, with, took) = cost(&mut con, inst, Settings::default()).await;
    let slow: Vec<&str> = report
        .queues
        .iter()
        .filter(|q| q.reasons.iter().any(|x| x.rule == "slow-function"))
        .map(|q| q.queue.as_str())
        .collect();
    let total = |c: &HashMap<String, u64>| c.values().sum::<u64>();
    let added = |cmd: &str| with.get(cmd).copied().unwrap_or(0) - base.get(cmd).copied().unwrap_or(0);
    eprintln!(
        "1,000 queues × 3 functions: {} commands in {base_took:?} without the rule, {} in {took:?} with it; {} queues judged slow",
        total(&base),
        total(&with),
        slow.len()
    );
    // Recent rows span 1 day hash (2 in the first hour of a UTC day); the baseline 8 (7 at 01:00).
    let prev = t - t.rem_euclid(3600) - 3600;
    let recent_days = if prev.div_euclid(86_400) == t.div_euclid(86_400) { 1 } else { 2 };
    let base_days = if prev.rem_euclid(86_400) == 0 { 7 } else { 8 };
    let (pairs, judged) = (verdict::functions::PAIRS_MAX, verdict::functions::JUDGED_MAX);
    assert_eq!(added("smembers"), 1000 * recent_days, "one names set per queue and day");
    assert_eq!(added("hmget"), pairs as u64 * recent_days, "recent rows of the first {pairs} pairs");
    assert_eq!(added("hgetall"), judged as u64 * base_days, "the baseline of {judged} pairs");
    assert_eq!(total(&with) - total(&base), added("smembers") + added("hmget") + added("hgetall"));
    assert!(slow.contains(&"q0500") && slow.contains(&"q0000"), "the busiest, then in order: {slow:?}");
    assert!(!slow.contains(&"q0999"), "pairs past the cap are not judged, however busy");
    assert_eq!(slow.len(), 67, "200 pairs of 3 functions a queue: {slow:?}");
}

/// One report judged with `settings`: it, the Redis commands it took by name, and how long.
async fn cost(
    con: &mut redis::Connection,
    inst: &rqdash::store::Instance,
    settings: Settings,
) -> (rqdash::health::Report, HashMap<String, u64>, std::time::Duration) {
    let calls = commandstats;
    let before = calls(con);
    let started = std::time::Instant::now();
    let report = verdict::report(inst, &Layout::default(), &settings).await.expect("report");
    let took = started.elapsed();
    let after = calls(con);
    let delta = after.iter().map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0))).collect();
    (report, delta, took)
}

/// Calls so far, by command name (`INFO commandstats`).
fn commandstats(con: &mut redis::Connection) -> HashMap<String, u64> {
    let info: String = redis::cmd("INFO").arg("commandstats").query(con).expect("INFO");
    info.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            Some((name.to_owned(), rest.split("calls=").nth(1)?.split(',').next()?.parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn the_health_task_reads_a_baseline_once_an_hour_and_judges_the_same() {
    let r = RedisServer::start();
    let t = now();
    let mut rows = record::Rows::new();
    for q in ["q1", "q2"] {
        week(&mut rows, q, "a", t, &[(3, 0.06)]);
        calls(&mut rows, q, "a", t, &[(20, 0.6)]);
    }
    write(&r, &rows).await;
    let mut con = r.conn();
    let _: () = redis::cmd("SADD")
        .arg("rq:queues")
        .arg(&["rq:queue:q1", "rq:queue:q2"])
        .query(&mut con)
        .expect("SADD");
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let cache = verdict::Cache::default();
    let hour = || now().div_euclid(3600);
    let (h0, c0) = (hour(), commandstats(&mut con));
    let first = cache.judge(inst).await.expect("judge");
    let c1 = commandstats(&mut con);
    let second = cache.judge(inst).await.expect("judge");
    let (h1, c2) = (hour(), commandstats(&mut con));
    let hgetall = |a: &HashMap<String, u64>, b: &HashMap<String, u64>| {
        b.get("hgetall").unwrap_or(&0) - a.get("hgetall").unwrap_or(&0)
    };
    assert!(hgetall(&c0, &c1) >= 2 * 7, "the first judgement reads both baselines");
    assert_eq!(cache.baselines.len(), 2);
    if h0 == h1 {
        assert_eq!(hgetall(&c1, &c2), 0, "the second reads none again within the hour");
    }
    let slow = |r: &rqdash::health::Report| -> Vec<String> {
        r.queues
            .iter()
            .flat_map(|q| {
                q.reasons
                    .iter()
                    .filter(|x| x.rule == "slow-function")
                    .map(|x| format!("{}: {}", q.queue, x.text))
            })
            .collect()
    };
    assert_eq!(slow(&first).len(), 2, "{:?}", slow(&first));
    assert_eq!(slow(&first), slow(&second));
}

#[tokio::test]
async fn hostile_function_rows_do_not_break_the_verdicts() {
    use redis::Commands;
    let r = RedisServer::start();
    let mut con = r.conn();
    let t = now();
    let day = |ago: i64| crate::history::utc(t - ago, "%Y%m%d");
    let hour = (t.rem_euclid(86_400) / 3600).to_string();
    let _: () = con.sadd("rq:queues", "rq:queue:junk").expect("SADD");
    let _: () =
        con.sadd(format!("rqdash:history:fn:n:h:{}:q:junk", day(0)), &["wrong", "huge"]).expect("SADD");
    let _: () = con.set(format!("rqdash:history:fn:h:{}:q:4:junk:wrong", day(0)), "x").expect("SET");
    let max = u64::MAX;
    let row = format!("{max},{max},4:{max};4:{max};21:{max},");
    let _: () = con.hset(format!("rqdash:history:fn:h:{}:q:4:junk:huge", day(0)), &hour, &row).expect("HSET");
    let base = format!("rqdash:history:fn:h:{}:q:4:junk:huge", day(86_400));
    let fields = [("99999999999999999", row.as_str()), ("-3", "1,1,4:1,"), ("3", "garbage"), ("4", &row)];
    let _: () = con.hset_multiple(&base, &fields).expect("HSET");
    let v = health(&r, &[]).await;
    assert!(queue(&v, "junk")["verdict"].is_string(), "{v:#}");
}
