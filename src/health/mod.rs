//! Queue health verdicts: each queue (and the instance) is ok, warning or critical, with its
//! reasons in words, from a list of rules over what one read of an instance saw ([`Facts`]).
//! Pure: no I/O here; `store::verdict` reads the facts and `health::alerter` sends the changes.
//!
//! # Layout
//! - [`rules`]: the facts, the settings and one function per rule (the list a rule is added to).
//! - [`alerter`]: a change of verdict as webhook payloads (generic JSON, Slack), delivery with
//!   retries; [`webhook`]: the HTTP(S) POST itself.
//! - [`task`]: the task judging every instance at the sampler's period, and alerting.

pub mod alerter;
pub mod facts;
pub mod rules;
pub mod task;
pub mod webhook;

use serde::Serialize;

pub use rules::{Facts, InstanceFacts, QueueFacts, Rule, Settings};

/// How bad: ordered, so the verdict of a subject is the worst of its reasons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Ok,
    Warning,
    Critical,
}

impl Severity {
    /// Every severity, best first (the label values of `rq_queue_health`).
    pub const ALL: [Severity; 3] = [Severity::Ok, Severity::Warning, Severity::Critical];

    /// `ok`, `warning`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// Parse [`Severity::as_str`]'s words (what is kept in Redis as the verdict last sent).
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// A Nagios plugin's exit status: 0 ok, 1 warning, 2 critical.
    pub fn exit_code(self) -> u8 {
        self as u8
    }

    /// `OK`, `WARNING`, `CRITICAL` (Nagios' words).
    pub fn upper(self) -> &'static str {
        match self {
            Severity::Ok => "OK",
            Severity::Warning => "WARNING",
            Severity::Critical => "CRITICAL",
        }
    }
}

/// One rule that fired, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The rule's name (as `--health-off` takes it).
    pub rule: &'static str,
    pub severity: Severity,
    pub text: String,
}

/// One queue's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueHealth {
    pub queue: String,
    pub verdict: Severity,
    pub reasons: Vec<Reason>,
}

impl QueueHealth {
    /// The reasons joined in one sentence (badges' titles, the check's details).
    pub fn summary(&self) -> String {
        self.reasons.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("; ")
    }
}

/// One instance's verdicts: the instance-wide rules and every queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub instance: usize,
    /// The worst of everything below.
    pub verdict: Severity,
    /// The worst of the instance-wide reasons alone.
    pub instance_verdict: Severity,
    pub instance_reasons: Vec<Reason>,
    pub queues: Vec<QueueHealth>,
    /// When the facts were read (unix seconds).
    pub checked_at: i64,
}

impl Report {
    /// The verdict of `queue`, if it was seen.
    pub fn queue(&self, queue: &str) -> Option<&QueueHealth> {
        self.queues.iter().find(|q| q.queue == queue)
    }

    /// How many queues have each severity (ok, warning, critical).
    pub fn counts(&self) -> [usize; 3] {
        let mut c = [0; 3];
        for q in &self.queues {
            c[q.verdict as usize] += 1;
        }
        c
    }
}

/// Apply every enabled rule of `settings` to `facts`.
pub fn evaluate(instance: usize, facts: &Facts, settings: &Settings) -> Report {
    let mut instance_reasons = Vec::new();
    for rule in Rule::ALL.into_iter().filter(|r| r.instance_wide() && settings.enabled(*r)) {
        instance_reasons.extend(rule.instance(&facts.instance, settings));
    }
    let queues: Vec<QueueHealth> = facts
        .queues
        .iter()
        .map(|q| {
            let mut reasons = Vec::new();
            for rule in Rule::ALL.into_iter().filter(|r| !r.instance_wide() && settings.enabled(*r)) {
                reasons.extend(rule.queue(q, settings));
            }
            let verdict = worst(&reasons);
            QueueHealth { queue: q.name.clone(), verdict, reasons }
        })
        .collect();
    let instance_verdict = worst(&instance_reasons);
    let verdict = queues.iter().map(|q| q.verdict).fold(instance_verdict, Severity::max);
    Report { instance, verdict, instance_verdict, instance_reasons, queues, checked_at: facts.now }
}

fn worst(reasons: &[Reason]) -> Severity {
    reasons.iter().map(|r| r.severity).max().unwrap_or_default()
}

#[cfg(test)]
mod tests;
