//! rq-exporter's families (`--metrics-compat rq-exporter`), name for name, label for label, help
//! for help, as rq-exporter 3.1.0 defines them in `rq_exporter/collector.py` and computes them in
//! `rq_exporter/utils.py`, so Grafana boards and alerts written for it (dashboard 12196) work.
//!
//! They describe the first Redis instance only: rq-exporter has no label telling two Redis
//! apart, and the same queue name on two instances would give one series twice.

use std::sync::atomic::AtomicU64;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabel, EncodeLabelSet, EncodeMetric, LabelSetEncoder,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;

use super::Sample;
use crate::rq::State;

/// rq-exporter's `rq_jobs` statuses, in its order: the queue's list length and the raw size of
/// five registries (`get_job_count(cleanup=False)`, expired entries included). No `canceled`
/// and no `ready`: rq-exporter reads neither.
const STATUSES: [State; 6] =
    [State::Queued, State::Started, State::Finished, State::Failed, State::Deferred, State::Scheduled];

/// Label sets of these families; `None` labels are not written, the rest in rq-exporter's order.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
struct X {
    name: Option<String>,
    state: Option<String>,
    queues: Option<String>,
    queue: Option<String>,
    status: Option<&'static str>,
}

impl EncodeLabelSet for X {
    fn encode(&self, e: &mut LabelSetEncoder) -> std::fmt::Result {
        let all = [
            ("name", self.name.as_deref()),
            ("state", self.state.as_deref()),
            ("queues", self.queues.as_deref()),
            ("queue", self.queue.as_deref()),
            ("status", self.status),
        ];
        for (k, v) in all {
            if let Some(v) = v {
                (k, v).encode(e.encode_label())?;
            }
        }
        Ok(())
    }
}

/// The five families, filled by [`Exporter::record`] and written by the registry as a collector
/// (a collector writes its help text as given; `Registry::register` would append a period).
#[derive(Debug, Default)]
pub struct Exporter {
    workers: Family<X, Gauge>,
    success: Family<X, Counter>,
    failed: Family<X, Counter>,
    working: Family<X, Counter<f64, AtomicU64>>,
    jobs: Family<X, Gauge>,
}

impl Exporter {
    /// One series per live worker (a worker hash that is gone is skipped, as RQ's `Worker.all`
    /// does), and one per queue and status.
    pub fn record(&self, s: &Sample) {
        for w in s.workers.workers.iter().filter(|w| !w.stale) {
            let queues = w.queues.join(",");
            let id = X { name: Some(w.name.clone()), queues: Some(queues), ..X::default() };
            let state = X { state: Some(w.state.clone()), ..id.clone() };
            self.workers.get_or_create(&state).set(1);
            // RQ's counters are never negative; a corrupt hash must not wrap to 2^64.
            self.success.get_or_create(&id).inc_by(w.successful_job_count.max(0).unsigned_abs());
            self.failed.get_or_create(&id).inc_by(w.failed_job_count.max(0).unsigned_abs());
            self.working.get_or_create(&id).inc_by(w.total_working_time.max(0.0));
        }
        for q in &s.overview.queues {
            for st in STATUSES {
                let l = X { queue: Some(q.name.clone()), status: Some(st.as_str()), ..X::default() };
                self.jobs.get_or_create(&l).set(q.counts.get(st) + q.counts.expired.get(st));
            }
        }
    }
}

/// rq-exporter's own timing, a summary without quantiles (its `Summary` in `collector.py`):
/// how many times Redis was read for /metrics and the seconds it took in all. The board's
/// "processing time" panel is `rate(rq_request_processing_seconds_sum[..])`. prometheus-client
/// has no summary type, so its lines are written here, before `# EOF`.
pub fn append_summary(body: &mut String, count: u64, sum: f64) {
    let name = "rq_request_processing_seconds";
    let lines = format!(
        "# HELP {name} Time spent collecting RQ data\n# TYPE {name} summary\n{name}_count {count}\n{name}_sum {sum:?}\n"
    );
    super::text::insert_before_eof(body, &lines);
}

impl Collector for Exporter {
    fn encode(&self, mut e: DescriptorEncoder) -> std::fmt::Result {
        let families: [(&str, &str, &dyn EncodeMetric); 5] = [
            ("rq_workers", "RQ workers", &self.workers),
            ("rq_workers_success", "RQ workers success count", &self.success),
            ("rq_workers_failed", "RQ workers fail count", &self.failed),
            ("rq_workers_working_time", "RQ workers spent seconds", &self.working),
            ("rq_jobs", "RQ jobs by state", &self.jobs),
        ];
        for (name, help, m) in families {
            m.encode(e.encode_descriptor(name, help, None, m.metric_type())?)?;
        }
        Ok(())
    }
}
