//! The rules: what one read of an instance saw ([`Facts`]), the thresholds ([`Settings`]) and one
//! function per rule. To add a rule: a [`Rule`] variant, its name, and its function in
//! [`Rule::queue`] or [`Rule::instance`] (plus the facts it needs, read in `store::verdict`).
//! A rule needing more than a few lines gets a file of its own ([`slow`]).

mod slow;

use serde::Serialize;

use super::{Reason, Severity};

pub use super::facts::*;

/// The thresholds (`--health-*` flags; see README "Health and alerts").
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub oldest_warning_s: i64,
    pub oldest_critical_s: i64,
    /// Percent of the jobs ended in the window.
    pub failure_rate_warning: f64,
    pub failure_rate_critical: f64,
    /// Fewer jobs ended than this in the window: no failure-rate verdict (2 of 3 is not a trend).
    pub failure_min_jobs: u64,
    /// Failed per minute above this multiple of the same hour's baseline is a spike.
    pub spike_factor: f64,
    pub spike_min_failures: u64,
    /// Percent of maxmemory.
    pub memory_critical: f64,
    /// A function's recent run time p95 over this multiple of its 7-day baseline p95 is slow.
    pub slow_factor: f64,
    /// Calls needed on each side (recent, baseline) before a p95 counts (at least 5): the p95 of
    /// 20 calls is the 19th fastest, so one slow call among 20 is not a slow function.
    pub slow_min_calls: u64,
    /// Rules turned off (`--health-off`).
    pub off: Vec<Rule>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            oldest_warning_s: 600,
            oldest_critical_s: 3600,
            failure_rate_warning: 10.0,
            failure_rate_critical: 50.0,
            failure_min_jobs: 10,
            spike_factor: 3.0,
            spike_min_failures: 10,
            memory_critical: 90.0,
            slow_factor: 3.0,
            slow_min_calls: 20,
            off: Vec::new(),
        }
    }
}

impl Settings {
    /// Whether `rule` is on.
    pub fn enabled(&self, rule: Rule) -> bool {
        !self.off.contains(&rule)
    }
}

/// Every rule; queue rules first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Rule {
    NoWorker,
    OldestJob,
    OverdueScheduled,
    FailureRate,
    FailureSpike,
    SlowFunction,
    EvictionPolicy,
    Memory,
    StaleWorker,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::NoWorker,
        Rule::OldestJob,
        Rule::OverdueScheduled,
        Rule::FailureRate,
        Rule::FailureSpike,
        Rule::SlowFunction,
        Rule::EvictionPolicy,
        Rule::Memory,
        Rule::StaleWorker,
    ];

    /// The name in flags, JSON and payloads.
    pub fn name(self) -> &'static str {
        match self {
            Rule::NoWorker => "no-worker",
            Rule::OldestJob => "oldest-job",
            Rule::OverdueScheduled => "overdue-scheduled",
            Rule::FailureRate => "failure-rate",
            Rule::FailureSpike => "failure-spike",
            Rule::SlowFunction => "slow-function",
            Rule::EvictionPolicy => "eviction-policy",
            Rule::Memory => "memory",
            Rule::StaleWorker => "stale-worker",
        }
    }

    /// Parse [`Rule::name`].
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == s.trim())
    }

    /// Whether the rule judges the instance rather than a queue.
    pub fn instance_wide(self) -> bool {
        matches!(self, Rule::EvictionPolicy | Rule::Memory | Rule::StaleWorker)
    }

    /// This queue rule's reason, if it fires.
    pub fn queue(self, q: &QueueFacts, s: &Settings) -> Option<Reason> {
        let (severity, text) = match self {
            Rule::NoWorker => no_worker(q)?,
            Rule::OldestJob => oldest_job(q, s)?,
            Rule::OverdueScheduled => overdue_scheduled(q)?,
            Rule::FailureRate => failure_rate(q, s)?,
            Rule::FailureSpike => failure_spike(q, s)?,
            Rule::SlowFunction => slow::slow_function(q, s)?,
            _ => return None,
        };
        Some(Reason { rule: self.name(), severity, text })
    }

    /// This instance rule's reason, if it fires.
    pub fn instance(self, i: &InstanceFacts, s: &Settings) -> Option<Reason> {
        let (severity, text) = match self {
            Rule::EvictionPolicy => eviction_policy(i)?,
            Rule::Memory => memory(i, s)?,
            Rule::StaleWorker => stale_worker(i)?,
            _ => return None,
        };
        Some(Reason { rule: self.name(), severity, text })
    }
}

type Fired = Option<(Severity, String)>;

fn no_worker(q: &QueueFacts) -> Fired {
    let n = q.queued;
    (n > 0 && q.listening_workers == 0)
        .then(|| (Severity::Critical, format!("{n} {} queued and no worker listens", jobs(n))))
}

fn oldest_job(q: &QueueFacts, s: &Settings) -> Fired {
    let age = q.oldest_age_s?;
    let severity = if age >= s.oldest_critical_s {
        Severity::Critical
    } else if age >= s.oldest_warning_s {
        Severity::Warning
    } else {
        return None;
    };
    let limit = if severity == Severity::Critical { s.oldest_critical_s } else { s.oldest_warning_s };
    Some((severity, format!("oldest queued job waiting {} (over {})", span(age), span(limit))))
}

fn overdue_scheduled(q: &QueueFacts) -> Fired {
    let n = q.overdue_without_scheduler;
    (n > 0).then(|| (Severity::Warning, format!("{n} scheduled {} overdue and no scheduler runs", jobs(n))))
}

fn failure_rate(q: &QueueFacts, s: &Settings) -> Fired {
    let f = q.failures?;
    let ended = f.finished + f.failed;
    if ended < s.failure_min_jobs.max(1) {
        return None;
    }
    let pct = f.failed as f64 * 100.0 / ended as f64;
    let severity = if pct > s.failure_rate_critical {
        Severity::Critical
    } else if pct > s.failure_rate_warning {
        Severity::Warning
    } else {
        return None;
    };
    let text = format!("{pct:.0}% of the {ended} jobs ended in the last {FAILURE_WINDOW_MIN} min failed");
    Some((severity, text))
}

fn failure_spike(q: &QueueFacts, s: &Settings) -> Fired {
    let f = q.failures?;
    let base = f.baseline_failed_per_min?;
    let rate = f.failed as f64 / FAILURE_WINDOW_MIN as f64;
    let spike = f.failed >= s.spike_min_failures.max(1) && rate > s.spike_factor * base;
    spike.then(|| {
        let text = format!(
            "{rate:.1} failures/min in the last {FAILURE_WINDOW_MIN} min, over {}× this hour's usual {base:.1}/min",
            s.spike_factor
        );
        (Severity::Warning, text)
    })
}

fn eviction_policy(i: &InstanceFacts) -> Fired {
    let p = i.maxmemory_policy.as_deref()?;
    (p != "noeviction").then(|| {
        (
            Severity::Warning,
            format!("Redis maxmemory-policy is {p}: Redis may evict job data (use noeviction)"),
        )
    })
}

fn memory(i: &InstanceFacts, s: &Settings) -> Fired {
    let (used, max) = (i.used_memory?, i.maxmemory.filter(|m| *m > 0)?);
    let pct = used as f64 * 100.0 / max as f64;
    (pct > s.memory_critical).then(|| {
        (Severity::Critical, format!("Redis uses {pct:.0}% of its maxmemory (over {}%)", s.memory_critical))
    })
}

fn stale_worker(i: &InstanceFacts) -> Fired {
    let n = i.stale_workers.len();
    (n > 0).then(|| {
        let mut names: Vec<&str> = i.stale_workers.iter().take(5).map(String::as_str).collect();
        if n > 5 {
            names.push("…");
        }
        let what = if n == 1 { "worker is" } else { "workers are" };
        (Severity::Warning, format!("{n} {what} stale (no heartbeat within its ttl): {}", names.join(", ")))
    })
}

fn jobs(n: i64) -> &'static str {
    if n == 1 { "job" } else { "jobs" }
}

/// "45 s", "12 min", "3 h 5 min", "2 d 4 h".
pub fn span(s: i64) -> String {
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else if s < 172_800 && s % 3600 >= 60 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else if s < 172_800 {
        format!("{} h", s / 3600)
    } else {
        format!("{} d {} h", s / 86_400, s % 86_400 / 3600)
    }
}
