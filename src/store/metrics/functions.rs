//! Per-function families from the totals of [`crate::store::functions::totals`]:
//! `rq_jobs_ended_total{instance,queue,function,outcome}` (outcome `finished` or `failed`) and the
//! histograms `rq_job_run_seconds` and `rq_job_wait_seconds{instance,queue,function}` with the
//! fixed bounds of [`hist::BOUNDS`] then `+Inf`. Functions past `--functions-max` are already
//! folded into `other`. Every number is a total kept in Redis, so it only grows and is the same
//! whichever replica is scraped. Written by a collector: prometheus-client's own histogram
//! type only counts observations, these counts come whole from Redis.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabel, EncodeLabelSet, LabelSetEncoder, NoLabelSet,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use super::InstanceScrape;

use crate::store::Instance;
use crate::store::functions::hist::{BOUNDS, Hist, LEN};
use crate::store::functions::{Keys, Totals, totals};

/// The totals of `queues`' functions: None without `keys` (`--metrics-no-functions`), none when
/// they cannot be read (e.g. an ACL user limited to `rq:*`): the RQ families stay up either way.
pub async fn read(inst: &Instance, keys: Option<&Keys>, queues: &[String]) -> Option<Vec<Totals>> {
    let now = crate::rq::time::now_epoch() as i64;
    Some(totals::read(inst, keys?, queues, now).await.unwrap_or_else(|e| {
        tracing::debug!(instance = inst.index, error = %e, "metrics: no per-function totals");
        Vec::new()
    }))
}

/// Add the families to `reg` when any instance read totals (never with `--metrics-no-functions`).
pub fn register(reg: &mut Registry, scrapes: &[InstanceScrape]) {
    let read: Vec<(usize, &Vec<Totals>)> =
        scrapes.iter().filter_map(|s| Some((s.index, s.sample.as_ref().ok()?.functions.as_ref()?))).collect();
    if read.is_empty() {
        return;
    }
    let all = read.into_iter().flat_map(|(i, t)| t.iter().map(move |t| (i.to_string(), t.clone())));
    reg.register_collector(Box::new(Functions(all.collect())));
}

/// The totals of one scrape, per instance index.
#[derive(Debug, Default)]
pub struct Functions(pub Vec<(String, Totals)>);

/// `instance`, `queue`, `function` and, for the counter, `outcome`; values escaped by the encoder.
struct Labels<'a> {
    instance: &'a str,
    queue: &'a str,
    function: &'a str,
    outcome: Option<&'static str>,
}

impl EncodeLabelSet for Labels<'_> {
    fn encode(&self, e: &mut LabelSetEncoder) -> std::fmt::Result {
        ("instance", self.instance).encode(e.encode_label())?;
        ("queue", self.queue).encode(e.encode_label())?;
        ("function", self.function).encode(e.encode_label())?;
        if let Some(o) = self.outcome {
            ("outcome", o).encode(e.encode_label())?;
        }
        Ok(())
    }
}

/// Which histogram of a pair's totals, with its sum in milliseconds.
type Pick = fn(&Totals) -> (&Hist, u64);

/// Per-bucket (not cumulative: the encoder accumulates) counts with their upper bounds.
fn buckets(h: &Hist) -> Vec<(f64, u64)> {
    (0..LEN)
        .map(|i| (BOUNDS.get(i).copied().unwrap_or(f64::INFINITY), h.0.get(&i).copied().unwrap_or(0)))
        .collect()
}

impl Collector for Functions {
    fn encode(&self, mut e: DescriptorEncoder) -> std::fmt::Result {
        let help = "Jobs that ended per queue, function and outcome, counted once across rqdash replicas";
        let mut m = e.encode_descriptor("rq_jobs_ended", help, None, MetricType::Counter)?;
        for (instance, t) in &self.0 {
            for (outcome, n) in [("finished", t.finished), ("failed", t.failed)] {
                let l = Labels { instance, queue: &t.queue, function: &t.function, outcome: Some(outcome) };
                m.encode_family(&l)?.encode_counter::<NoLabelSet, u64, u64>(&n, None)?;
            }
        }
        let hists: [(&str, &str, Pick); 2] = [
            ("rq_job_run", "Run time of jobs that ended (ended_at - started_at)", |t| (&t.run, t.run_ms)),
            ("rq_job_wait", "Queue wait of jobs that ended (started_at - enqueued_at)", |t| {
                (&t.wait, t.wait_ms)
            }),
        ];
        for (name, help, pick) in hists {
            let mut m = e.encode_descriptor(name, help, Some(&Unit::Seconds), MetricType::Histogram)?;
            for (instance, t) in &self.0 {
                let (h, ms) = pick(t);
                let l = Labels { instance, queue: &t.queue, function: &t.function, outcome: None };
                let sum = ms as f64 / 1e3;
                m.encode_family(&l)?.encode_histogram::<NoLabelSet>(sum, h.total(), &buckets(h), None)?;
            }
        }
        Ok(())
    }
}
