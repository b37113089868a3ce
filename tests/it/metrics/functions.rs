//! Per-function families on `/metrics` (`rq_jobs_ended_total`, `rq_job_run_seconds`,
//! `rq_job_wait_seconds`) from jobs the real `rq worker` ran and a real sampler recorded: exact
//! counts, valid histograms, one count per job whatever the ticks and replicas, never lower.

use std::collections::BTreeMap;
use std::time::Duration;

use redis::Commands;

use rqdash::store::functions::{self, record};
use rqdash::store::history::{self, Layout, Sampler};
use rqdash::store::metrics::{Format, MetricsState};

use super::parse::{families, family};
use super::{samples, series, store, value};
use crate::functions::{FAIL, SLEEP, now};
use crate::support::probe::{READ_COMMANDS, calls_of, commands_used, digest, reset};
use crate::support::{RedisServer, Rq};

/// A fresh scrape (no cache) of the server at `url`.
async fn scrape(url: &str) -> String {
    scrape_as(url, Format::OpenMetrics).await
}

async fn scrape_as(url: &str, format: Format) -> String {
    let state = MetricsState::new(false, Duration::ZERO, None);
    state.render_as(&store(&[url.to_owned()]), format).await.to_string()
}

/// The samples of one (queue, function): `(sample name with labels but instance/queue/function, value)`.
fn of_function(m: &BTreeMap<String, f64>, func: &str) -> BTreeMap<String, f64> {
    let tag = format!("queue=\"fq\",function=\"{func}\"");
    m.iter().filter(|(k, _)| k.contains(&tag)).map(|(k, v)| (k.replace(&tag, ""), *v)).collect()
}

/// The buckets of a histogram of `fq`'s `func`, as written (`le` first), in order.
fn les(text: &str, name: &str, func: &str) -> Vec<(String, f64)> {
    let head = format!("{name}_bucket{{le=\"");
    let tail = format!("\",instance=\"0\",queue=\"fq\",function=\"{func}\"}} ");
    text.lines()
        .filter_map(|l| l.strip_prefix(&head))
        .filter_map(|rest| {
            let (le, v) = rest.split_once(&tail)?;
            Some((le.to_owned(), v.parse::<f64>().expect("count")))
        })
        .collect()
}

#[tokio::test]
async fn jobs_ended_and_run_time_histograms_count_real_jobs_once_whatever_the_ticks_and_replicas() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    rq.py("q = Queue('fq', connection=conn())\n[q.enqueue(sleep, 0.05) for _ in range(3)]\n\
           [q.enqueue(sleep, 0.2) for _ in range(2)]\nq.enqueue(fail_counted)\nout(1)");
    rq.burst(&["fq"]);
    let s = store(&[r.url()]);
    let inst = s.instance(0).expect("instance");
    let t = now();
    history::sample(inst, &mut Sampler::new(Layout::default()), t).await.expect("tick");

    let mut con = r.conn();
    let before = digest(&mut con);
    reset(&mut con);
    let text = scrape(&r.url()).await;
    let used = commands_used(&mut con);
    assert_eq!(digest(&mut con), before, "a scrape changed Redis");
    assert!(used.iter().all(|c| READ_COMMANDS.contains(&c.as_str())), "{used:?}");
    assert!(!used.contains("scan") && !used.contains("keys"), "the keyspace is not walked: {used:?}");
    let m = samples(&text);
    let l = |f: &'static str, o: &'static str| {
        [("instance", "0"), ("queue", "fq"), ("function", f), ("outcome", o)]
    };
    assert_eq!(value(&m, "rq_jobs_ended_total", &l(SLEEP, "finished")), 5.0);
    assert_eq!(value(&m, "rq_jobs_ended_total", &l(SLEEP, "failed")), 0.0);
    assert_eq!(value(&m, "rq_jobs_ended_total", &l(FAIL, "failed")), 1.0);
    assert_eq!(value(&m, "rq_jobs_ended_total", &l(FAIL, "finished")), 0.0);

    // Cumulative buckets ending with +Inf = _count = the jobs that ended.
    for (func, ended) in [(SLEEP, 5.0), (FAIL, 1.0)] {
        for name in ["rq_job_run_seconds", "rq_job_wait_seconds"] {
            let b = les(&text, name, func);
            assert_eq!(b.len(), 23, "{b:?}\n{text}");
            assert!(b.windows(2).all(|w| w[0].1 <= w[1].1), "not cumulative: {b:?}");
            assert_eq!(b.last().map(|x| (x.0.as_str(), x.1)), Some(("+Inf", ended)), "{name} {func}");
            let labels = [("instance", "0"), ("queue", "fq"), ("function", func)];
            assert_eq!(value(&m, &format!("{name}_count"), &labels), ended);
        }
    }
    let run = |le: &str| les(&text, "rq_job_run_seconds", SLEEP).into_iter().find(|b| b.0 == le).expect(le).1;
    assert_eq!(run("0.1") - run("0.05"), 3.0, "the 0.05 s jobs in (0.05, 0.1]");
    assert_eq!(run("0.25") - run("0.1"), 2.0, "the 0.2 s jobs in (0.1, 0.25]");
    let sum = value(&m, "rq_job_run_seconds_sum", &[("instance", "0"), ("queue", "fq"), ("function", SLEEP)]);
    assert!((3.0 * 0.05 + 2.0 * 0.2..=3.0 * 0.1 + 2.0 * 0.25).contains(&sum), "sum {sum} within the buckets");

    // Prometheus' own parser takes both formats and sees histograms and a counter.
    let fams = families(&text, "openmetrics");
    assert_eq!(family(&fams, "rq_job_run_seconds")["type"], "histogram");
    assert_eq!(family(&fams, "rq_jobs_ended")["type"], "counter");
    let text_fams = families(&scrape_as(&r.url(), Format::Text).await, "text");
    assert_eq!(family(&text_fams, "rq_job_wait_seconds")["type"], "histogram");

    // The same tick again, then a second replica (a fresh sampler): no counter moves.
    let first = (of_function(&m, SLEEP), of_function(&m, FAIL));
    history::sample(inst, &mut Sampler::new(Layout::default()), t + 5).await.expect("tick again");
    history::sample(inst, &mut Sampler::new(Layout::default()), t + 10).await.expect("replica");
    let m2 = samples(&scrape(&r.url()).await);
    assert_eq!((of_function(&m2, SLEEP), of_function(&m2, FAIL)), first);

    // Minute and hour rows expire (deleted here): the counters stay.
    let rows: Vec<String> = con.keys("rqdash:history:fn:[mh]:*").expect("KEYS");
    assert!(!rows.is_empty());
    let _: () = con.del(&rows).expect("DEL");
    let m3 = samples(&scrape(&r.url()).await);
    assert_eq!((of_function(&m3, SLEEP), of_function(&m3, FAIL)), first);
}

#[tokio::test]
async fn a_function_name_with_quotes_backslashes_and_a_newline_is_escaped() {
    let r = RedisServer::start();
    let s = store(&[r.url()]);
    let inst = s.instance(0).expect("instance");
    let mut con = r.conn();
    let _: () = con.sadd("rq:queues", "rq:queue:fq").expect("SADD");
    let func = "tasks.\"quoted\"\\back\nline";
    let mut row = record::Row::default();
    row.add(history::buckets::Kind::Finished, Some(0.3), Some(0.01));
    let t = now();
    let rows = record::Rows::from([(("fq".to_owned(), func.to_owned(), t - t.rem_euclid(60)), row)]);
    record::write(inst, &functions::Keys::new(&Layout::default()), &rows).await.expect("write");

    let text = scrape(&r.url()).await;
    let labels = [("instance", "0"), ("queue", "fq"), ("function", func), ("outcome", "finished")];
    let line = series("rq_jobs_ended_total", &labels);
    assert!(line.contains(r#"function="tasks.\"quoted\"\\back\nline""#), "{line}");
    assert_eq!(value(&samples(&text), "rq_jobs_ended_total", &labels), 1.0);
    let fams = families(&text, "openmetrics");
    let ended = family(&fams, "rq_jobs_ended")["samples"].as_array().expect("samples").clone();
    assert!(ended.iter().any(|x| x["labels"]["function"] == func), "{ended:?}");
}

#[tokio::test]
async fn only_functions_recorded_today_or_yesterday_have_series() {
    let r = RedisServer::start();
    let s = store(&[r.url()]);
    let inst = s.instance(0).expect("instance");
    let mut con = r.conn();
    let _: () = con.sadd("rq:queues", "rq:queue:fq").expect("SADD");
    let t = now();
    let mut rows = record::Rows::new();
    for (func, ago) in [("tasks.today", 0), ("tasks.yesterday", 86_400), ("tasks.three_days_ago", 3 * 86_400)]
    {
        let mut row = record::Row::default();
        row.add(history::buckets::Kind::Finished, Some(0.3), Some(0.01));
        rows.insert(("fq".to_owned(), func.to_owned(), t - ago - (t - ago).rem_euclid(60)), row);
    }
    record::write(inst, &functions::Keys::new(&Layout::default()), &rows).await.expect("write");
    let m = samples(&scrape(&r.url()).await);
    let has = |f: &str| m.keys().any(|k| k.contains(&format!("function=\"{f}\"")));
    assert!(has("tasks.today") && has("tasks.yesterday"), "{m:?}");
    assert!(!has("tasks.three_days_ago"), "a function idle since before yesterday has no series");
}

#[tokio::test]
async fn a_scrape_reads_2000_function_pairs_with_one_hgetall_each_and_two_smembers_a_queue() {
    let r = RedisServer::start();
    let s = store(&[r.url()]);
    let inst = s.instance(0).expect("instance");
    let mut con = r.conn();
    let t = now();
    let mut rows = record::Rows::new();
    for q in 0..100 {
        let _: () = con.sadd("rq:queues", format!("rq:queue:q{q}")).expect("SADD");
        for f in 0..20 {
            let mut row = record::Row::default();
            row.add(history::buckets::Kind::Finished, Some(0.3), Some(0.01));
            rows.insert((format!("q{q}"), format!("app.tasks.f{f}"), t - t.rem_euclid(60)), row);
        }
    }
    record::write(inst, &functions::Keys::new(&Layout::default()), &rows).await.expect("write");
    reset(&mut con);
    let started = std::time::Instant::now();
    let text = scrape(&r.url()).await;
    let took = started.elapsed();
    let (hgetall, smembers) = (calls_of(&mut con, "hgetall"), calls_of(&mut con, "smembers"));
    eprintln!("2,000 pairs: scrape {took:?}, {} bytes, {hgetall} HGETALL, {smembers} SMEMBERS", text.len());
    assert_eq!(text.matches("rq_jobs_ended_total{").count(), 4_000);
    let fams = ["rq_jobs_ended_total{", "rq_job_run_seconds_", "rq_job_wait_seconds_"];
    let series = text.lines().filter(|l| fams.iter().any(|f| l.starts_with(f))).count();
    assert_eq!(series, 2_000 * (2 + 2 * (23 + 2)), "52 series a pair");
    assert!((8_000_000..10_000_000).contains(&text.len()), "{}", text.len());
    assert_eq!(hgetall, 2_000);
    assert!((200..=210).contains(&smembers), "{smembers}");
}

#[tokio::test]
async fn metrics_no_functions_leaves_the_families_out_and_reads_no_totals() {
    use clap::Parser;
    let r = RedisServer::start();
    let s = store(&[r.url()]);
    let inst = s.instance(0).expect("instance");
    let mut con = r.conn();
    let _: () = con.sadd("rq:queues", "rq:queue:fq").expect("SADD");
    let mut row = record::Row::default();
    row.add(history::buckets::Kind::Finished, Some(0.3), Some(0.01));
    let t = now();
    let rows = record::Rows::from([(("fq".to_owned(), "tasks.f".to_owned(), t - t.rem_euclid(60)), row)]);
    record::write(inst, &functions::Keys::new(&Layout::default()), &rows).await.expect("write");
    let flags = rqdash::config::Cli::try_parse_from(["rqdash", "--metrics-no-functions"]).expect("flags");
    reset(&mut con);
    let text = MetricsState::from_args(&flags.serve).render(&s).await;
    assert!(!text.contains("rq_jobs_ended") && !text.contains("rq_job_run_seconds"), "{text}");
    assert!(text.contains("rq_jobs{"), "the RQ families stay");
    assert_eq!(calls_of(&mut con, "hgetall"), 0, "no totals read");
    assert!(scrape(&r.url()).await.contains("function=\"tasks.f\""), "exported by default");
}
