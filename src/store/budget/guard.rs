//! The sampler's side of the budget: measure when due, degrade before writing, and say whether
//! this tick may write. State in memory is a cache only; the figure is in Redis ([`state`]).

use std::collections::HashSet;

use super::enforce::{self, Plan};
use super::measure::{self, Measurement};
use super::state::{self, Status};
use super::{Budget, Level, MEASURE_EVERY};
use crate::rq::State;
use crate::store::history::Layout;
use crate::store::overview::QueueInfo;
use crate::store::{Instance, Result};

/// Bytes a tick is expected to add per history record, per function row and per archived job
/// (generous: a new field plus, once an hour, a new hash).
const RECORD_BYTES: u64 = 100;
const ROW_BYTES: u64 = 150;
const JOB_BYTES: u64 = super::ARCHIVE_JOB_BYTES;

/// One instance's budget keeper, owned by its sampler.
#[derive(Debug)]
pub struct Guard {
    pub budget: Budget,
    audit_key: String,
    /// The last measured total plus what was written since.
    projected: Option<u64>,
    ticks: u32,
    folded: HashSet<String>,
    skipping: bool,
    /// The archive held its budget's share of entries at the last measurement.
    archive_full: bool,
    /// The last measurement's plan.
    pub plan: Plan,
}

impl Default for Guard {
    fn default() -> Self {
        Self::new(Budget::default(), crate::store::audit::DEFAULT_PREFIX)
    }
}

/// A record appended to an archive at its cap displaces the oldest (`XADD MAXLEN`): only its day
/// index entry is new.
const INDEX_BYTES: u64 = 100;

/// A queue holding no job at all now.
pub fn idle(q: &QueueInfo) -> bool {
    State::ALL.iter().all(|s| q.counts.get(*s) == 0)
}

impl Guard {
    pub fn new(budget: Budget, audit_prefix: &str) -> Self {
        Self {
            budget,
            audit_key: measure::audit_key(audit_prefix),
            projected: None,
            ticks: 0,
            folded: HashSet::new(),
            skipping: false,
            archive_full: false,
            plan: Plan::default(),
        }
    }

    /// What a tick is about to write: `records` history rows and `ended` newly read jobs. An
    /// archive at its cap grows only by the jobs' index entries; counting whole records there
    /// made a sampler near its budget measure again every other tick (about 1 s of Redis CPU
    /// each at 1,000 queues: bench/sampler_results.md).
    pub fn expected(&self, records: usize, ended: usize) -> u64 {
        let job = if self.archive_full { INDEX_BYTES } else { JOB_BYTES };
        records as u64 * RECORD_BYTES + ended as u64 * (ROW_BYTES + job)
    }

    /// Before writing `expected` bytes at `now`: measure if due and degrade if needed. Returns
    /// whether the tick may write.
    pub async fn before_write(
        &mut self,
        inst: &Instance,
        layout: &Layout,
        queues: &[QueueInfo],
        expected: u64,
        now: i64,
    ) -> Result<bool> {
        self.ticks += 1;
        // Early only when this write would pass the budget itself; while skipping nothing grows,
        // so the next measurement waits its turn.
        let past =
            self.budget.max.is_some_and(|m| self.projected.unwrap_or(u64::MAX).saturating_add(expected) > m);
        if self.projected.is_none() || self.ticks >= MEASURE_EVERY || (past && !self.skipping) {
            self.ticks = 0;
            let names: Vec<String> = queues.iter().map(|q| q.name.clone()).collect();
            let m = measure::measure(inst, layout, &names, &self.audit_key, now).await?;
            let idle: Vec<String> = queues.iter().filter(|q| idle(q)).map(|q| q.name.clone()).collect();
            self.enforce(inst, layout, &m, &idle, expected, now).await?;
        }
        Ok(!self.skipping)
    }

    async fn enforce(
        &mut self,
        inst: &Instance,
        layout: &Layout,
        m: &Measurement,
        idle: &[String],
        expected: u64,
        now: i64,
    ) -> Result<()> {
        let plan = enforce::plan(m, self.budget, idle.len(), m.queues.len(), expected);
        let dropped = enforce::apply(inst, layout, m, &plan, idle, now).await?;
        // After deleting, measure again: what is shown and projected is what is left.
        let after = if plan.level > Level::Normal {
            measure::measure(inst, layout, &m.queues, &self.audit_key, now).await?
        } else {
            m.clone()
        };
        if plan.level > Level::Normal {
            tracing::info!(total = m.usage.total(), budget = ?self.budget.max, level = plan.level.as_str(), ?dropped, "storage over budget: degraded");
        }
        if plan.skip && !self.skipping {
            tracing::warn!(total = m.usage.total(), budget = ?self.budget.max, "storage budget reached: history, functions and archive writes skipped until it is under again");
        }
        self.skipping = plan.skip;
        self.folded = if plan.fold { idle.iter().cloned().collect() } else { HashSet::new() };
        self.projected = Some(after.usage.total());
        // "~" trimming keeps the stream a little over or under its cap: within 1 % is full.
        self.archive_full = self
            .budget
            .archive_entries()
            .is_some_and(|cap| after.archive_entries.saturating_mul(100) >= cap.saturating_mul(99));
        self.plan = plan;
        state::write(inst, layout, &Status::new(&after, self.budget, &plan, dropped)).await
    }

    /// `bytes` were written.
    pub fn wrote(&mut self, bytes: u64) {
        self.projected = self.projected.map(|p| p + bytes);
    }

    /// Whether the queue's own history is folded (not written) for now.
    pub fn folded(&self, queue: &str) -> bool {
        self.folded.contains(queue)
    }
}

#[cfg(test)]
mod tests {
    use super::{Guard, INDEX_BYTES, JOB_BYTES, ROW_BYTES};

    #[test]
    fn jobs_appended_to_a_full_archive_count_only_their_index_entries() {
        let mut g = Guard::default();
        assert_eq!(g.expected(0, 10), 10 * (ROW_BYTES + JOB_BYTES));
        g.archive_full = true;
        assert_eq!(g.expected(0, 10), 10 * (ROW_BYTES + INDEX_BYTES));
    }
}
