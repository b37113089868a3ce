//! Prometheus `/metrics`: numbers against RQ's own counts, escaping, outages (this file); the
//! cache and the bearer token ([`access`]); rq-exporter's families ([`exporter`]); formats and
//! the `ready` state ([`formats`]), read by the official parser ([`parse`]); per-function
//! counters and histograms from real workers ([`functions`]).

mod access;
mod exporter;
mod formats;
mod functions;
mod parse;

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Parser;
use serde_json::Value;

use rqdash::config::Cli;
use rqdash::store::Store;
use rqdash::store::metrics::MetricsState;

use crate::support::probe::digest;
use crate::support::{Fixture, RedisServer};

const STATES: [&str; 7] = ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled"];

fn store(urls: &[String]) -> Store {
    let mut argv = vec!["rqdash".to_owned()];
    for u in urls {
        argv.extend(["--redis-url".to_owned(), u.clone()]);
    }
    Store::from_args(&Cli::try_parse_from(argv).expect("flags").redis).expect("store")
}

async fn scrape(urls: &[String], per_worker: bool) -> String {
    MetricsState::new(per_worker, Duration::from_secs(60), None).render(&store(urls)).await.to_string()
}

/// A series as the exposition writes it: labels in order, values escaped.
fn series(name: &str, labels: &[(&str, &str)]) -> String {
    let esc = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", esc(v))).collect();
    format!("{name}{{{}}}", l.join(","))
}

/// Every sample line, by series; each line must be `series value` with a numeric value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    assert!(text.ends_with("# EOF\n"), "no EOF marker:\n{text}");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (s, v) = l.rsplit_once(' ').unwrap_or_else(|| panic!("bad line {l:?}"));
            assert!(s.starts_with("rq_") || s.starts_with("rqdash_"), "bad line {l:?}");
            (s.to_owned(), v.parse::<f64>().unwrap_or_else(|_| panic!("bad value in {l:?}")))
        })
        .collect()
}

fn value(m: &BTreeMap<String, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let k = series(name, labels);
    *m.get(&k).unwrap_or_else(|| panic!("{k} missing"))
}

fn live_workers(oracle: &Value) -> Vec<&Value> {
    oracle["workers"].as_array().into_iter().flatten().filter(|w| w["stale"] == false).collect()
}

fn serves(w: &Value, list: &str, q: &str) -> bool {
    w[list].as_array().into_iter().flatten().any(|x| x == q)
}

#[tokio::test]
async fn a_scrape_of_real_rq_3_data_matches_rqs_own_counts_for_every_queue_and_state() {
    let f = Fixture::get("3.0.0");
    let r = f.server();
    let mut con = r.conn();
    let before = digest(&mut con);
    let m = samples(&scrape(&[r.url()], false).await);
    let after = digest(&mut con);
    assert_eq!(before, after, "a scrape changed Redis");
    let i = ("instance", "0");
    assert_eq!(value(&m, "rqdash_up", &[i]), 1.0);
    let live = live_workers(&f.oracle);
    let queues = f.oracle["queues"].as_object().expect("queues");
    for (q, want) in queues {
        for s in STATES {
            let got = value(&m, "rq_jobs", &[i, ("queue", q), ("state", s)]);
            assert_eq!(Some(got), want[s].as_f64(), "{q}/{s}");
        }
        value(&m, "rq_jobs", &[i, ("queue", q), ("state", "ready")]);
        let serving: Vec<&&Value> = live.iter().filter(|w| serves(w, "in_queue_sets", q)).collect();
        assert_eq!(value(&m, "rq_queue_workers", &[i, ("queue", q)]), serving.len() as f64, "{q}");
        for (metric, field) in [
            ("rq_worker_successful_jobs", "successful_job_count"),
            ("rq_worker_failed_jobs", "failed_job_count"),
        ] {
            let sum: i64 = serving.iter().filter_map(|w| w[field].as_i64()).sum();
            assert_eq!(value(&m, metric, &[i, ("queue", q)]), sum as f64, "{metric} {q}");
        }
        let age = value(&m, "rq_queue_oldest_job_age_seconds", &[i, ("queue", q)]);
        assert_eq!(age > 0.0, want["queued"].as_i64() > Some(0), "{q}: oldest job age {age}");
        assert!(age < 3600.0, "{q}: the fixture was made by this test run, not {age} s ago");
    }
    let jobs = m.keys().filter(|k| k.starts_with("rq_jobs{")).count();
    assert_eq!(jobs, queues.len() * 8, "one series per queue and state, nothing else");
    for state in ["busy", "idle", "suspended", "started"] {
        let n = live.iter().filter(|w| w["state"] == state).count();
        assert_eq!(value(&m, "rq_workers", &[i, ("state", state)]), n as f64, "{state} workers");
    }
    let stale = f.oracle["workers"].as_array().map_or(0, |w| w.len() - live.len());
    assert_eq!(value(&m, "rq_workers_stale", &[i]), stale as f64);
    assert!(stale > 0, "the fixture has a ghost worker");
    let suspended = f.oracle["suspended"].as_bool().map(f64::from);
    assert_eq!(Some(value(&m, "rq_workers_suspended", &[i])), suspended);
}

#[tokio::test]
async fn worker_counters_are_summed_per_queue_over_its_live_workers() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let mut run = |args: &[&str]| {
        let _: () = redis::cmd(args[0]).arg(&args[1..]).query(&mut con).expect("setup");
    };
    run(&["SADD", "rq:queues", "rq:queue:q1", "rq:queue:q2", "rq:queue:idle"]);
    run(&["SADD", "rq:workers", "rq:worker:a", "rq:worker:b", "rq:worker:gone"]);
    let a = ["state", "busy", "queues", "q1,q2", "successful_job_count", "3", "failed_job_count", "1"];
    run(&[&["HSET", "rq:worker:a"][..], &a, &["total_working_time", "1.5"]].concat());
    let b = ["state", "weird", "queues", "q2", "successful_job_count", "4", "total_working_time", "2.25"];
    run(&[&["HSET", "rq:worker:b"][..], &b].concat());
    let m = samples(&scrape(&[r.url()], false).await);
    let i = ("instance", "0");
    for (q, workers, ok, failed, secs) in
        [("q1", 1, 3, 1, 1.5), ("q2", 2, 7, 1, 3.75), ("idle", 0, 0, 0, 0.0)]
    {
        assert_eq!(value(&m, "rq_queue_workers", &[i, ("queue", q)]), f64::from(workers), "{q}");
        assert_eq!(value(&m, "rq_worker_successful_jobs", &[i, ("queue", q)]), f64::from(ok), "{q}");
        assert_eq!(value(&m, "rq_worker_failed_jobs", &[i, ("queue", q)]), f64::from(failed), "{q}");
        assert_eq!(value(&m, "rq_worker_working_seconds", &[i, ("queue", q)]), secs, "{q}");
    }
    for (state, n) in [("busy", 1.0), ("idle", 0.0), ("suspended", 0.0), ("started", 0.0), ("other", 1.0)] {
        assert_eq!(value(&m, "rq_workers", &[i, ("state", state)]), n, "{state}");
    }
    assert_eq!(value(&m, "rq_workers_stale", &[i]), 1.0);
    assert_eq!(value(&m, "rq_queue_oldest_job_age_seconds", &[i, ("queue", "idle")]), 0.0);
}

#[tokio::test]
async fn per_worker_mode_labels_worker_counters_by_worker_instead_of_queue_as_counters() {
    let f = Fixture::get("3.0.0");
    let r = f.server();
    let m = samples(&scrape(&[r.url()], true).await);
    for w in live_workers(&f.oracle) {
        let name = w["name"].as_str().expect("name");
        let queues: Vec<&str> =
            w["queues"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let l = [("instance", "0"), ("worker", name), ("queues", &queues.join(","))];
        let ok = w["successful_job_count"].as_f64();
        assert_eq!(Some(value(&m, "rq_worker_successful_jobs_total", &l)), ok);
        assert_eq!(Some(value(&m, "rq_worker_failed_jobs_total", &l)), w["failed_job_count"].as_f64());
        assert!(m.keys().any(|k| k.starts_with("rq_worker_working_seconds_total{")), "working time");
    }
    assert!(!m.keys().any(|k| k.starts_with("rq_worker_successful_jobs") && k.contains("queue=\"")));
    let text = scrape(&[r.url()], true).await;
    for family in ["rq_worker_successful_jobs", "rq_worker_failed_jobs", "rq_worker_working_seconds"] {
        assert!(text.contains(&format!("# TYPE {family} counter\n")), "{family} is a counter:\n{text}");
    }
}

#[tokio::test]
async fn queue_names_with_quotes_backslashes_and_newlines_are_escaped() {
    let r = RedisServer::start();
    let mut con = r.conn();
    for q in ["a\"b\\c", "x\ny"] {
        let _: () =
            redis::cmd("SADD").arg("rq:queues").arg(format!("rq:queue:{q}")).query(&mut con).expect("SADD");
        let _: () =
            redis::cmd("RPUSH").arg(format!("rq:queue:{q}")).arg("j1").query(&mut con).expect("RPUSH");
    }
    let text = scrape(&[r.url()], false).await;
    assert!(text.contains("rq_jobs{instance=\"0\",queue=\"a\\\"b\\\\c\",state=\"queued\"} 1\n"), "{text}");
    assert!(text.contains("rq_jobs{instance=\"0\",queue=\"x\\ny\",state=\"queued\"} 1\n"), "{text}");
    let m = samples(&text);
    assert_eq!(value(&m, "rq_jobs", &[("instance", "0"), ("queue", "x\ny"), ("state", "queued")]), 1.0);
}

#[tokio::test]
async fn a_down_instance_gives_up_0_and_the_others_are_still_scraped() {
    let up = RedisServer::start();
    let mut down = RedisServer::start();
    let _: () = redis::cmd("SADD").arg("rq:queues").arg("rq:queue:q").query(&mut up.conn()).expect("SADD");
    down.kill();
    let m = samples(&scrape(&[up.url(), down.url()], false).await);
    assert_eq!(value(&m, "rqdash_up", &[("instance", "0")]), 1.0);
    assert_eq!(value(&m, "rqdash_up", &[("instance", "1")]), 0.0);
    value(&m, "rqdash_redis_roundtrip_seconds", &[("instance", "1")]);
    value(&m, "rq_jobs", &[("instance", "0"), ("queue", "q"), ("state", "queued")]);
    assert!(!m.keys().any(|k| k.starts_with("rq_") && k.contains("instance=\"1\"")));
}
