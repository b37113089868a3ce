//! `--metrics-compat rq-exporter`: rq-exporter's families, checked against its source (pinned
//! below as data) and against its computation run with each RQ version on the same data.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use rqdash::store::metrics::{Format, MetricsState};

use super::parse::{families, family, sample_set};
use super::store;
use crate::support::probe::{calls, reset};
use crate::support::{Fixture, RedisServer, Rq};

/// What rq-exporter 3.1.0 (github.com/mdawar/rq-exporter, `rq_exporter/collector.py`, the
/// `RQCollector.collect` method) defines: name, type, help and label names in its order. The
/// Grafana dashboard 12196 (its `grafana/rq-dashboard.json`) queries these names and labels.
const RQ_EXPORTER: [(&str, &str, &str, &[&str]); 5] = [
    ("rq_workers", "gauge", "RQ workers", &["name", "state", "queues"]),
    ("rq_workers_success", "counter", "RQ workers success count", &["name", "queues"]),
    ("rq_workers_failed", "counter", "RQ workers fail count", &["name", "queues"]),
    ("rq_workers_working_time", "counter", "RQ workers spent seconds", &["name", "queues"]),
    ("rq_jobs", "gauge", "RQ jobs by state", &["queue", "status"]),
];

async fn scrape(urls: &[String], compat: bool, format: Format) -> String {
    let m = MetricsState::new(false, Duration::from_secs(60), None).with_compat(compat);
    m.render_as(&store(urls), format).await.to_string()
}

#[tokio::test]
async fn rq_exporter_families_have_its_names_types_help_and_label_names_in_both_formats() {
    let f = Fixture::get("2.12.0");
    let r = f.server();
    for (format, parser) in [(Format::OpenMetrics, "openmetrics"), (Format::Text, "text")] {
        let text = scrape(&[r.url()], true, format).await;
        let fams = families(&text, parser);
        for (name, kind, help, labels) in RQ_EXPORTER {
            let fam = family(&fams, name);
            assert_eq!((fam["type"].as_str(), fam["help"].as_str()), (Some(kind), Some(help)), "{name}");
            let sample = if kind == "counter" { format!("{name}_total") } else { name.to_owned() };
            let samples = fam["samples"].as_array().expect("samples");
            assert!(!samples.is_empty(), "{name} has series on this fixture");
            for s in samples {
                assert_eq!(s["name"], sample.as_str(), "{name}");
                let mut got: Vec<&str> =
                    s["labels"].as_object().expect("labels").keys().map(String::as_str).collect();
                let mut want = labels.to_vec();
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want, "{name}: {s}");
            }
            let type_line = match (format, kind) {
                (Format::Text, "counter") => format!("\n# TYPE {name}_total counter\n"),
                _ => format!("\n# TYPE {name} {kind}\n"),
            };
            assert!(text.contains(&type_line), "{type_line:?} in\n{text}");
        }
        family(&fams, "rqdash_up");
        family(&fams, "rq_queue_workers");
        // rq-exporter's own timing: a summary of the Redis reads (count and sum, no quantiles).
        let timing = family(&fams, "rq_request_processing_seconds");
        let help = "Time spent collecting RQ data";
        assert_eq!((timing["type"].as_str(), timing["help"].as_str()), (Some("summary"), Some(help)));
    }
}

#[tokio::test]
async fn rq_request_processing_seconds_counts_each_read_of_redis_and_its_time() {
    let r = RedisServer::start();
    // No cache: every scrape reads Redis.
    let m = MetricsState::new(false, Duration::ZERO, None).with_compat(true);
    let s = store(&[r.url()]);
    let mut last = (0.0, 0.0);
    for n in 1..=3 {
        let text = m.render_as(&s, if n == 2 { Format::Text } else { Format::OpenMetrics }).await;
        let got = sample_set(&families(&text, if n == 2 { "text" } else { "openmetrics" }));
        let count = got["rq_request_processing_seconds_count{}"];
        let sum = got["rq_request_processing_seconds_sum{}"];
        assert_eq!(count, f64::from(n), "one read per scrape");
        assert!(sum > last.1 && sum < 60.0, "the sum grows with each read: {sum} after {last:?}");
        last = (count, sum);
    }
}

#[tokio::test]
async fn without_the_flag_metrics_has_rqdashs_own_rq_jobs_and_rq_workers_and_no_rq_exporter_family() {
    let f = Fixture::get("2.12.0");
    let r = f.server();
    let fams = families(&scrape(&[r.url()], false, Format::OpenMetrics).await, "openmetrics");
    for (name, ..) in &RQ_EXPORTER[1..4] {
        assert!(!fams.iter().any(|f| f["name"] == *name), "{name} without the flag");
    }
    for name in ["rq_jobs", "rq_workers"] {
        let samples = family(&fams, name)["samples"].as_array().expect("samples").clone();
        assert!(samples.iter().all(|s| s["labels"]["instance"] == "0"), "rqdash's own {name}");
    }
    let fams = families(&scrape(&[r.url()], true, Format::OpenMetrics).await, "openmetrics");
    let jobs = family(&fams, "rq_jobs")["samples"].as_array().expect("samples").clone();
    assert!(
        jobs.iter().all(|s| s["labels"].get("instance").is_none()),
        "rq-exporter's rq_jobs replaces ours"
    );
}

/// rq-exporter 3.1.0's `get_workers_stats` and `get_jobs_by_queue` (`rq_exporter/utils.py`), run
/// with the fixture's own RQ; RQ 1.16 has no `get_job_count`, so its `cleanup=False` is a ZCARD.
const RQ_EXPORTER_UTILS: &str = r#"
from rq import Worker
conn = redis.Redis.from_url(os.environ['REDIS_URL'])
def size(reg):
    if hasattr(reg, 'get_job_count'):
        return reg.get_job_count(cleanup=False)
    return conn.zcard(reg.key)
series = {}
for w in Worker.all(connection=conn):
    queues = ','.join(w.queue_names())
    state = w.get_state()  # an enum in some versions: prometheus_client writes its value
    series['rq_workers|name=%s|queues=%s|state=%s' % (w.name, queues, getattr(state, 'value', state))] = 1
    for metric, value in [('success', w.successful_job_count), ('failed', w.failed_job_count),
                          ('working_time', w.total_working_time)]:
        series['rq_workers_%s_total|name=%s|queues=%s' % (metric, w.name, queues)] = float(value)
for q in Queue.all(connection=conn):
    for status, n in [('queued', q.count), ('started', size(q.started_job_registry)),
                      ('finished', size(q.finished_job_registry)), ('failed', size(q.failed_job_registry)),
                      ('deferred', size(q.deferred_job_registry)), ('scheduled', size(q.scheduled_job_registry))]:
        series['rq_jobs|queue=%s|status=%s' % (q.name, status)] = n
out(series)
"#;

/// The rq-exporter series of a parsed exposition, keyed as [`RQ_EXPORTER_UTILS`] keys them.
fn exporter_series(fams: &[Value]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (name, ..) in RQ_EXPORTER {
        for s in family(fams, name)["samples"].as_array().into_iter().flatten() {
            let labels: BTreeMap<&str, &str> = s["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
                .collect();
            let mut key = s["name"].as_str().unwrap_or("").to_owned();
            for (k, v) in labels {
                key.push_str(&format!("|{k}={v}"));
            }
            out.insert(key, s["value"].as_f64().unwrap_or(f64::NAN));
        }
    }
    out
}

#[tokio::test]
async fn every_rq_exporter_series_matches_what_rq_exporter_computes_with_each_rq_version() {
    for version in ["1.16.2", "2.12.0", "3.0.0"] {
        let f = Fixture::get(version);
        let r = f.server();
        // Distinct counters on one live worker, so a swapped or dropped field shows.
        let live = f.oracle["workers"].as_array().into_iter().flatten().find(|w| w["stale"] == false);
        let name = live.and_then(|w| w["name"].as_str()).expect("a live worker in the fixture");
        let counters = ["successful_job_count", "7", "failed_job_count", "3", "total_working_time", "1.25"];
        let _: () = redis::cmd("HSET")
            .arg(format!("rq:worker:{name}"))
            .arg(&counters)
            .query(&mut r.conn())
            .expect("HSET");
        let ours =
            exporter_series(&families(&scrape(&[r.url()], true, Format::OpenMetrics).await, "openmetrics"));
        // After our scrape: RQ's `Worker.all` removes the ghost worker's entry from rq:workers.
        let want: BTreeMap<String, f64> = serde_json::from_value(Rq::new(version, &r).py(RQ_EXPORTER_UTILS))
            .unwrap_or_else(|e| panic!("rq {version}: {e}"));
        assert_eq!(ours.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "rq {version}: series");
        for (k, v) in &want {
            assert!(
                (ours[k] - v).abs() <= 1e-9 * v.abs().max(1.0),
                "rq {version}: {k} is {} not {v}",
                ours[k]
            );
        }
        for (metric, v) in [("success", 7.0), ("failed", 3.0), ("working_time", 1.25)] {
            let k = want.keys().find(|k| k.starts_with(&format!("rq_workers_{metric}_total|name={name}|")));
            assert_eq!(k.map(|k| ours[k]), Some(v), "rq {version}: {metric} of {name}");
        }
        assert!(
            want.iter().filter(|(k, v)| k.starts_with("rq_jobs|") && **v > 0.0).count() > 5,
            "rq {version}"
        );
    }
}

#[tokio::test]
async fn rq_exporter_families_describe_only_the_first_redis_instance() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    for (r, q) in [(&a, "first"), (&b, "second")] {
        let _: () = redis::cmd("SADD")
            .arg("rq:queues")
            .arg(format!("rq:queue:{q}"))
            .query(&mut r.conn())
            .expect("SADD");
    }
    let fams = families(&scrape(&[a.url(), b.url()], true, Format::OpenMetrics).await, "openmetrics");
    let queues: Vec<Value> = family(&fams, "rq_jobs")["samples"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["labels"]["queue"].clone())
        .collect();
    assert_eq!(queues, vec![json!("first"); 6], "one series per rq-exporter status, first instance only");
    let own = sample_set(&fams);
    assert!(
        own.keys().any(|k| k.starts_with("rq_queue_workers") && k.contains("\"second\"")),
        "ours cover both"
    );
}

#[tokio::test]
async fn rq_exporter_families_cost_no_redis_command_of_their_own() {
    let f = Fixture::get("3.0.0");
    let r = f.server();
    let mut con = r.conn();
    let s = store(&[r.url()]);
    let read = |compat: bool| MetricsState::new(false, Duration::ZERO, None).with_compat(compat);
    read(false).render(&s).await; // connects
    let mut sent = Vec::new();
    for compat in [false, true] {
        reset(&mut con);
        let text = read(compat).render(&s).await;
        assert_eq!(text.contains("rq_workers_success_total{"), compat);
        sent.push(calls(&mut con));
    }
    assert_eq!(sent[0], sent[1], "commands per scrape without and with --metrics-compat");
}
