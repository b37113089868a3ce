//! Alerts on a change of verdict: webhooks (generic JSON, Slack-compatible `{"text": ...}`),
//! sent once per change by the one rqdash holding the lease in Redis, with retries and
//! exponential backoff, in a task of their own so a slow webhook never holds up a sample.
//!
//! A change is a subject (the instance, or a queue) whose verdict differs from the verdict last
//! sent, kept in Redis (`store::alert_state`): a restart or a failover to another replica does
//! not send it again. A queue first seen ok is no change; a queue that disappears is forgotten.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde_json::json;
use tokio::task::JoinHandle;

use super::{Reason, Report, Severity, webhook};
use crate::store::{Result, Store, alert_state};

/// Where alerts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hook {
    /// `--alert-webhook`: the generic JSON payload.
    Json(String),
    /// `--alert-slack-webhook`: `{"text": ...}`.
    Slack(String),
}

/// One subject's change of verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// None for the instance-wide verdict.
    pub queue: Option<String>,
    pub from: Severity,
    pub to: Severity,
    pub reasons: Vec<Reason>,
}

impl Change {
    fn subject(&self) -> String {
        self.queue.as_ref().map_or_else(|| "instance".to_owned(), |q| format!("queue:{q}"))
    }

    fn line(&self) -> String {
        let who = self.queue.as_ref().map_or_else(|| "Redis instance".to_owned(), |q| format!("queue {q}"));
        let why: Vec<&str> = self.reasons.iter().map(|r| r.text.as_str()).collect();
        let why = if why.is_empty() { String::new() } else { format!(": {}", why.join("; ")) };
        format!("{} {who} is {} (was {}){why}", self.to.upper(), self.to.as_str(), self.from.as_str())
    }
}

/// The changes between `report` and the verdicts last sent.
pub fn changes(report: &Report, sent: &HashMap<String, String>) -> Vec<Change> {
    let was = |k: &str| sent.get(k).and_then(|v| Severity::parse(v)).unwrap_or_default();
    let mut out = Vec::new();
    let inst = Change {
        queue: None,
        from: was("instance"),
        to: report.instance_verdict,
        reasons: report.instance_reasons.clone(),
    };
    if inst.from != inst.to {
        out.push(inst);
    }
    for q in &report.queues {
        let c = Change {
            queue: Some(q.queue.clone()),
            from: Severity::Ok,
            to: q.verdict,
            reasons: q.reasons.clone(),
        };
        let c = Change { from: was(&c.subject()), ..c };
        if c.from != c.to {
            out.push(c);
        }
    }
    out
}

/// The generic payload: every change of one instance, with its reasons.
pub fn json_payload(instance: usize, url: &str, verdict: Severity, changes: &[Change]) -> serde_json::Value {
    json!({
        "source": "rqdash",
        "instance": instance,
        "redis": url,
        "verdict": verdict,
        "changes": changes,
        "text": slack_text(url, changes),
    })
}

/// Slack's incoming-webhook payload.
pub fn slack_payload(url: &str, changes: &[Change]) -> serde_json::Value {
    json!({ "text": slack_text(url, changes) })
}

fn slack_text(url: &str, changes: &[Change]) -> String {
    let lines: Vec<String> = changes.iter().map(Change::line).collect();
    format!("rqdash health ({url}):\n{}", lines.join("\n"))
}

/// The sender: its lease identity, its hooks, how hard it tries.
#[derive(Debug, Clone)]
pub struct Alerter {
    pub owner: String,
    pub hooks: Vec<Hook>,
    /// Attempts per hook and change (the first one included).
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
    pub lease_ttl: Duration,
    delivering: Arc<AtomicBool>,
}

impl Alerter {
    /// An alerter with a random owner id, 5 attempts from 1 s backoff, the lease held for `lease_ttl`.
    pub fn new(hooks: Vec<Hook>, lease_ttl: Duration) -> Self {
        let owner = format!("{}-{:x}", std::process::id(), rand_id());
        Self {
            owner,
            hooks,
            attempts: 5,
            backoff: Duration::from_secs(1),
            lease_ttl,
            delivering: Arc::default(),
        }
    }

    /// After a sample: when this rqdash holds the lease and a verdict changed since the last
    /// alert, start sending (the handle ends when delivery is done). None when nothing to send,
    /// not the holder, or a delivery is still under way (its changes are recorded when it ends).
    pub async fn tick(&self, store: &Store, report: &Report) -> Result<Option<JoinHandle<()>>> {
        if self.hooks.is_empty() || self.delivering.load(Ordering::Acquire) {
            return Ok(None);
        }
        let inst = store.instance(report.instance)?;
        if !alert_state::hold(inst, &self.owner, self.lease_ttl).await? {
            return Ok(None);
        }
        let sent = alert_state::sent(inst).await?;
        let changes = changes(report, &sent);
        let mut record: Vec<(String, String)> =
            changes.iter().map(|c| (c.subject(), c.to.as_str().to_owned())).collect();
        // Forget queues that are gone, so a queue re-created later starts from ok.
        let live: std::collections::HashSet<&str> = report.queues.iter().map(|q| q.queue.as_str()).collect();
        let seen = |k: &str| k == "instance" || k.strip_prefix("queue:").is_some_and(|q| live.contains(q));
        record.extend(sent.keys().filter(|k| !seen(k)).map(|k| (k.clone(), String::new())));
        if record.is_empty() {
            return Ok(None);
        }
        if changes.is_empty() {
            alert_state::record(inst, &self.owner, &record).await?;
            return Ok(None);
        }
        self.delivering.store(true, Ordering::Release);
        let (me, store, url) = (self.clone(), store.clone(), inst.url.clone());
        let (index, verdict) = (report.instance, report.verdict);
        Ok(Some(tokio::spawn(async move {
            let json = json_payload(index, &url, verdict, &changes).to_string();
            let slack = slack_payload(&url, &changes).to_string();
            let sends = me.hooks.iter().map(|h| match h {
                Hook::Json(u) => me.deliver(u, json.as_bytes()),
                Hook::Slack(u) => me.deliver(u, slack.as_bytes()),
            });
            futures_util::future::join_all(sends).await;
            // Recorded even when a hook gave up: a change is sent once, not retried forever.
            if let Ok(inst) = store.instance(index)
                && let Err(e) = alert_state::record(inst, &me.owner, &record).await
            {
                tracing::warn!(instance = index, error = %e, "health alerts: cannot record what was sent");
            }
            me.delivering.store(false, Ordering::Release);
        })))
    }

    /// POST `body` to `url` until a 2xx, at most `attempts` times, backing off exponentially.
    async fn deliver(&self, url: &str, body: &[u8]) -> bool {
        let mut wait = self.backoff;
        for attempt in 1..=self.attempts.max(1) {
            match webhook::post(url, body).await {
                Ok(s) if (200..300).contains(&s) => return true,
                Ok(s) => {
                    tracing::warn!(url = %webhook::mask(url), attempt, status = s, "health alert refused")
                }
                Err(e) => {
                    tracing::warn!(url = %webhook::mask(url), attempt, error = %e, "health alert not sent")
                }
            }
            if attempt < self.attempts {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
        false
    }
}

/// A process-unique id without a random-number crate: time, pid and an address.
fn rand_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
    );
    h.finish()
}
