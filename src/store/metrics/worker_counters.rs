//! RQ's worker counters (successful, failed, working time) as /metrics writes them: gauges
//! summed per queue (a sum drops when a worker leaves, which a counter must never do), or with
//! `--metrics-per-worker` counters written with `_total` (one worker's count only grows).

use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::{Registry, Unit};

use super::encode::{Float, Int, L, int, seconds};

type Count = Family<L, Counter>;
type FloatCount = Family<L, Counter<f64, AtomicU64>>;

/// The worker counters: gauges summed per queue, or counters labelled per worker.
pub(super) struct WorkerCounters {
    pub(super) successful: Int,
    pub(super) failed: Int,
    pub(super) working: Float,
    pub(super) successful_total: Count,
    pub(super) failed_total: Count,
    pub(super) working_total: FloatCount,
}

impl WorkerCounters {
    pub(super) fn new(reg: &mut Registry, per_worker: bool) -> Self {
        let (ok, failed, working) = (
            "Jobs RQ workers report as successful",
            "Jobs RQ workers report as failed",
            "Total working time RQ workers report",
        );
        let (successful_total, failed_total, working_total) =
            (Count::default(), Count::default(), FloatCount::default());
        if per_worker {
            reg.register("rq_worker_successful_jobs", ok, successful_total.clone());
            reg.register("rq_worker_failed_jobs", failed, failed_total.clone());
            reg.register_with_unit("rq_worker_working", working, Unit::Seconds, working_total.clone());
            return Self {
                successful: Int::default(),
                failed: Int::default(),
                working: Float::default(),
                successful_total,
                failed_total,
                working_total,
            };
        }
        Self {
            successful: int(reg, "rq_worker_successful_jobs", ok),
            failed: int(reg, "rq_worker_failed_jobs", failed),
            working: seconds(reg, "rq_worker_working", working),
            successful_total,
            failed_total,
            working_total,
        }
    }
}
