//! The audit log's model as pure types: who did what to which jobs, and what came of it.
//!
//! Every mutation writes two entries to the stream: an *intent* before it acts and an *outcome*
//! (`of` = the intent's id) when it ends, so a crash in between still leaves the intent. Both
//! carry the whole who/what, so a filter by user, action or queue finds both. Every entry has
//! the same fields in the same order (empty when unused): Redis then stores the field names once
//! per stream node, not once per entry.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::auth::Identity;

mod stream_id;
pub use stream_id::StreamId;

/// Ids kept per entry; the rest are counted in `ids_total` (a bulk action may name 100,000).
pub const IDS_KEPT: usize = 20;

/// The stream fields, in the order every entry writes them.
pub const FIELDS: [&str; 16] = [
    "phase",
    "of",
    "user",
    "role",
    "via",
    "addr",
    "action",
    "queue",
    "state",
    "target",
    "ids",
    "ids_total",
    "query",
    "status",
    "result",
    "error",
];

/// What an action works on: a queue and its list or registry, a worker or task, ids, a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    pub queue: String,
    /// The list or registry (`failed`, `queued`, ...).
    pub state: String,
    /// Anything else named: a worker, a task number.
    pub target: String,
    /// The first [`IDS_KEPT`] job ids.
    pub ids: Vec<String>,
    /// How many ids the action named (`ids_total - ids.len()` were cut).
    pub ids_total: u64,
    /// A selection's search query.
    pub query: String,
}

impl Target {
    /// Keep the first [`IDS_KEPT`] of `all` and count them all.
    pub fn with_ids(mut self, all: &[String]) -> Self {
        self.ids = all.iter().take(IDS_KEPT).cloned().collect();
        self.ids_total = all.len() as u64;
        self
    }

    /// How many ids were not stored.
    pub fn ids_cut(&self) -> u64 {
        self.ids_total.saturating_sub(self.ids.len() as u64)
    }
}

/// One entry of the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entry {
    /// The stream id (`<ms>-<seq>`); empty until written.
    pub id: String,
    /// `intent` or `outcome`.
    pub phase: String,
    /// For an outcome: the id of its intent.
    pub of: String,
    pub user: String,
    pub role: String,
    pub via: String,
    pub addr: String,
    /// `queue.empty`, `job.requeue`, `bulk.delete`, `workers.suspend`, ...
    pub action: String,
    #[serde(flatten)]
    pub target: Target,
    /// For an outcome: `done`, `stopped` (cancelled between chunks: the counts are partial) or
    /// `failed`.
    pub status: String,
    /// For an outcome: the counts (`requeued`, `orphans_removed`, ...) and other results.
    pub result: BTreeMap<String, Value>,
    pub error: String,
}

impl Entry {
    /// The intent of `who` to do `action` on `target`.
    pub fn intent(who: &Identity, action: &str, target: Target) -> Self {
        Self {
            phase: "intent".into(),
            user: who.name.clone(),
            role: who.role.as_str().into(),
            via: who.via.as_str().into(),
            addr: who.addr.map(|a| a.to_string()).unwrap_or_default(),
            action: action.into(),
            target,
            ..Self::default()
        }
    }

    /// The outcome of this (written) intent: the same who and what, with a status. The ids stay
    /// with the intent (`of` links them): repeating them would double a bulk entry's size.
    pub fn outcome(&self, status: &str, result: BTreeMap<String, Value>, error: &str) -> Self {
        let target = Target { ids: Vec::new(), ..self.target.clone() };
        Self {
            target,
            id: String::new(),
            phase: "outcome".into(),
            of: self.id.clone(),
            status: status.into(),
            result,
            error: error.into(),
            ..self.clone()
        }
    }

    /// Milliseconds since the epoch, from the stream id.
    pub fn ms(&self) -> i64 {
        self.id.split('-').next().and_then(|m| m.parse().ok()).unwrap_or(0)
    }

    /// The values of [`FIELDS`], in order.
    pub fn values(&self) -> [String; 16] {
        let t = &self.target;
        [
            self.phase.clone(),
            self.of.clone(),
            self.user.clone(),
            self.role.clone(),
            self.via.clone(),
            self.addr.clone(),
            self.action.clone(),
            t.queue.clone(),
            t.state.clone(),
            t.target.clone(),
            if t.ids.is_empty() { String::new() } else { json(&t.ids) },
            if t.ids_total == 0 { String::new() } else { t.ids_total.to_string() },
            t.query.clone(),
            self.status.clone(),
            if self.result.is_empty() { String::new() } else { json(&self.result) },
            self.error.clone(),
        ]
    }

    /// An entry read back (unknown fields ignored, bad values read as empty: the stream is
    /// data from Redis like any other).
    pub fn from_fields(id: String, fields: &[(String, Vec<u8>)]) -> Self {
        let mut e = Entry { id, ..Entry::default() };
        for (k, v) in fields {
            let v = String::from_utf8_lossy(v).into_owned();
            match k.as_str() {
                "phase" => e.phase = v,
                "of" => e.of = v,
                "user" => e.user = v,
                "role" => e.role = v,
                "via" => e.via = v,
                "addr" => e.addr = v,
                "action" => e.action = v,
                "queue" => e.target.queue = v,
                "state" => e.target.state = v,
                "target" => e.target.target = v,
                "ids" => e.target.ids = serde_json::from_str(&v).unwrap_or_default(),
                "ids_total" => e.target.ids_total = v.parse().unwrap_or(0),
                "query" => e.target.query = v,
                "status" => e.status = v,
                "result" => e.result = serde_json::from_str(&v).unwrap_or_default(),
                "error" => e.error = v,
                _ => {}
            }
        }
        e
    }
}

/// Longest text result kept (a message, a state name).
const TEXT_KEPT: usize = 200;

/// What to keep of an action's answer: its top-level counts other than 0, flags that are set,
/// short texts (a job's `from`/`to` state, a message), and the counts of an `outcome` inside it.
pub fn results(answer: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Value::Object(m) = answer else { return out };
    for (k, v) in m {
        let keep = match v {
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::Bool(b) => *b,
            Value::String(s) => s.len() <= TEXT_KEPT,
            Value::Object(_) if k == "outcome" || k == "stop" => {
                out.extend(results(v));
                false
            }
            _ => false,
        };
        if keep {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The status of an outcome: `stopped` when the action was interrupted between chunks.
pub fn status_of(results: &BTreeMap<String, Value>, failed: bool) -> &'static str {
    if failed {
        "failed"
    } else if results.get("interrupted") == Some(&Value::Bool(true)) {
        "stopped"
    } else {
        "done"
    }
}

/// Compact JSON (ids and counts always serialize).
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Which entries to show: every given field must match (user and queue exactly, action exactly
/// or by its first word: `queue` matches `queue.empty`), within `[since, until]` milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub user: Option<String>,
    pub action: Option<String>,
    pub queue: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

impl Filter {
    /// Whether `e` passes (the time range is applied by the stream bounds, not here).
    pub fn matches(&self, e: &Entry) -> bool {
        let action_ok =
            self.action.as_deref().is_none_or(|a| e.action == a || e.action.split('.').next() == Some(a));
        self.user.as_deref().is_none_or(|u| e.user == u)
            && self.queue.as_deref().is_none_or(|q| e.target.queue == q)
            && action_ok
    }
}

#[cfg(test)]
mod tests;
