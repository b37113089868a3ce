//! `/metrics` formats: content negotiation between OpenMetrics and the text format 0.0.4, both
//! read by the official parser, and RQ 3.0's `ready` state only on RQ 3.0 data.

use clap::Parser;

use rqdash::config::Cli;
use rqdash::store::metrics::{CONTENT_TYPE, TEXT_CONTENT_TYPE};

use super::parse::{families, family, sample_set};
use super::scrape;
use crate::support::{Fixture, TestApp};

/// What Prometheus 3 sends by default: OpenMetrics ranked first, the text format after it.
const PROMETHEUS: &str = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,\
                          text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

async fn get(app: &TestApp, accept: Option<&str>) -> (String, String) {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
    let r = app.send("GET", "/metrics", &headers, axum::body::Body::empty()).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (ct, r.text())
}

#[tokio::test]
async fn accept_text_plain_0_0_4_gets_the_text_format_and_prometheus_default_gets_openmetrics_with_the_same_samples()
 {
    let f = Fixture::get("3.0.0");
    let r = f.server();
    let app = TestApp::with_args(&[r.url()], &["--metrics-compat", "rq-exporter"]);
    let (ct, text) = get(&app, Some("text/plain;version=0.0.4")).await;
    assert_eq!(ct, TEXT_CONTENT_TYPE);
    assert!(!text.contains("# EOF") && !text.contains("# UNIT"), "{text}");
    assert!(text.contains("\n# TYPE rq_workers_success_total counter\n"), "{text}");
    let from_text = families(&text, "text");
    assert_eq!(family(&from_text, "rq_workers_failed")["type"], "counter");
    for accept in [Some(PROMETHEUS), None, Some("*/*")] {
        let (ct, om) = get(&app, accept).await;
        assert_eq!(ct, CONTENT_TYPE, "{accept:?}");
        assert!(om.ends_with("# EOF\n") && om.contains("\n# TYPE rq_workers_success counter\n"), "{om}");
        let from_om = families(&om, "openmetrics");
        let (a, b) = (sample_set(&from_text), sample_set(&from_om));
        let without_timing = |m: &std::collections::BTreeMap<String, f64>| -> Vec<String> {
            m.keys().filter(|k| !k.contains("_seconds")).cloned().collect()
        };
        assert_eq!(without_timing(&a), without_timing(&b), "same series in both formats");
        assert!(a.keys().any(|k| k.starts_with("rq_workers_working_time_total")), "{a:?}");
    }
}

#[test]
fn the_compat_flag_names_rq_exporter_and_nothing_else() {
    let parse =
        |v: &str| Cli::try_parse_from(["rqdash", "--metrics-compat", v]).map(|c| c.serve.metrics_compat);
    assert_eq!(parse("rq-exporter").expect("accepted"), Some("rq-exporter".to_owned()));
    let err = parse("statsd").expect_err("refused").to_string();
    assert!(err.contains("rq-exporter"), "the error names the possible value: {err}");
}

#[tokio::test]
async fn rq_3_ready_series_are_exported_on_rq_3_data_only() {
    for (version, want) in [("1.16.2", false), ("2.12.0", false), ("3.0.0", true)] {
        let f = Fixture::get(version);
        let r = f.server();
        let fams = families(&scrape(&[r.url()], false).await, "openmetrics");
        let samples = family(&fams, "rq_jobs")["samples"].as_array().expect("samples").clone();
        let ready = samples.iter().filter(|s| s["labels"]["state"] == "ready").count();
        let queues = samples.iter().filter(|s| s["labels"]["state"] == "queued").count();
        assert!(queues > 1, "rq {version}: queues");
        assert_eq!(ready, if want { queues } else { 0 }, "rq {version}: ready series");
    }
}
