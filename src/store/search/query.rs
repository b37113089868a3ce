//! The search box's syntax: `key:value` criteria and bare words, all of which must hold (AND).
//!
//! ```text
//! func:send_email exc:Timeout queue:emails state:failed worker:w1 meta:customer_42
//! after:2026-11-01 before:2026-11-20 desc:"nightly digest" id:abc* group:9f0c… history:any words
//! ```
//!
//! Text criteria match case-insensitive substrings. `queue:` and `state:` choose where to look
//! (repeating one widens the choice; `queue:mail*` is a name prefix). `id:abc` is an exact id,
//! `id:abc*` an id prefix. `after:`/`before:` compare the job's latest time (ended, else started,
//! else enqueued, else created); `created_after:`/`created_before:` its creation time. Times
//! are `2026-11-01` (midnight UTC), `2026-11-01T12:30`, RFC 3339, or a relative `90m`, `2h`,
//! `7d` (that long ago). `after:` is inclusive, `before:` exclusive. Values with spaces go in
//! double quotes (`\"` inside); so do bare phrases and text holding a `:`.
//!
//! Exceptions are a job's *current* failure. By default `exc:` and `group:` look only at jobs
//! whose status is failed, stopped or canceled (in the failed and canceled registries), and read
//! the latest failure as RQ's `exc_info` does: the newest results-stream entry when it is a
//! failure, else the hash's `exc_info`. A requeued job keeps its old failure in the stream, so
//! without this a queued job would match. An explicit `state:` looks at the jobs of those states
//! (still by their latest failure); `history:any` looks at jobs in any state and at every failure
//! RQ kept for them (the last 10 results, and `exc_info`). Bare words match the exception under
//! the same rule.

use jiff::{SignedDuration, Timestamp};

use crate::rq::State;
use crate::store::{Error, Result};

pub use super::syntax::{KEYS, Token, merge, quote, render, tokens};

/// Longest query text accepted (a query is typed, or built by the form).
pub const MAX_QUERY_BYTES: usize = 2048;
/// Most criteria and words in one query: each is matched against every job examined.
pub const MAX_TERMS: usize = 50;

/// Where to look for a queue: an exact name or a name prefix (`mail*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueuePattern {
    Exact(String),
    Prefix(String),
}

impl QueuePattern {
    /// Whether `name` is chosen by this pattern.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            QueuePattern::Exact(q) => q == name,
            QueuePattern::Prefix(p) => name.starts_with(p.as_str()),
        }
    }
}

/// `id:abc` or `id:abc*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdPattern {
    Exact(String),
    Prefix(String),
}

/// A parsed query. Text needles are stored lowercased.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub queues: Vec<QueuePattern>,
    pub states: Vec<State>,
    pub id: Option<IdPattern>,
    pub func: Vec<String>,
    pub exc: Vec<String>,
    pub worker: Vec<String>,
    pub meta: Vec<String>,
    pub desc: Vec<String>,
    /// Failure-group ids (`group:<16 hex>`, see [`crate::rq::failure::GroupKey::id`]).
    pub groups: Vec<String>,
    /// Bare words: each must occur in the description, function or exception.
    pub words: Vec<String>,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    /// `history:any`: exceptions of any earlier failure, in any state (see the module doc).
    pub history_any: bool,
    /// `archived:`: whether the job archive is searched too (see [`super::archived`]).
    pub archived: super::archived::Archived,
}

/// Parse a time value relative to `now`.
pub fn parse_time(v: &str, now: Timestamp) -> Option<Timestamp> {
    let v = v.trim();
    if let Some(split) = v.find(|c: char| !c.is_ascii_digit())
        && split > 0
    {
        let (num, unit) = v.split_at(split);
        let n: i64 = num.parse().ok()?;
        let secs = match unit {
            "s" => Some(1),
            "m" | "min" => Some(60),
            "h" => Some(3600),
            "d" => Some(86_400),
            "w" => Some(604_800),
            _ => None,
        };
        if let Some(s) = secs {
            return now.checked_sub(SignedDuration::from_secs(n.checked_mul(s)?)).ok();
        }
    }
    if let Ok(t) = v.parse::<Timestamp>() {
        return Some(t);
    }
    let tz = jiff::tz::TimeZone::UTC;
    if let Ok(dt) = v.replace(' ', "T").parse::<jiff::civil::DateTime>() {
        return tz.to_timestamp(dt).ok();
    }
    v.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight())).ok())
}

impl Query {
    /// Parse query text; `now` anchors relative times.
    pub fn parse(q: &str, now: Timestamp) -> Result<Query> {
        let mut out = Query::default();
        let bad = |m: String| Error::BadRequest(m);
        let too_many =
            |n: usize, what: &str, max: usize| bad(format!("the query has {n} {what}; at most {max}"));
        if q.len() > MAX_QUERY_BYTES {
            return Err(too_many(q.len(), "bytes", MAX_QUERY_BYTES));
        }
        let toks = tokens(q)?;
        if toks.len() > MAX_TERMS {
            return Err(too_many(toks.len(), "terms", MAX_TERMS));
        }
        for t in toks {
            let v = t.value.trim();
            if v.is_empty() {
                match t.key {
                    Some(k) => return Err(bad(format!("{k}: needs a value"))),
                    None => continue,
                }
            }
            let lower = v.to_lowercase();
            let time = || {
                parse_time(v, now).ok_or_else(|| {
                    bad(format!(
                        "{}: cannot read the time {v:?} (try 2026-11-01, 2026-11-01T12:30, 2h, 7d)",
                        t.key.unwrap_or("")
                    ))
                })
            };
            match t.key {
                None => out.words.push(lower),
                Some("func") => out.func.push(lower),
                Some("exc") => out.exc.push(lower),
                Some("worker") => out.worker.push(lower),
                Some("meta") => out.meta.push(lower),
                Some("desc") => out.desc.push(lower),
                Some("group") => out.groups.push(lower),
                Some("history") => {
                    out.history_any = match lower.as_str() {
                        "any" => true,
                        "latest" => false,
                        _ => {
                            return Err(bad(format!(
                                "history:{v} is not known (history:any or history:latest)"
                            )));
                        }
                    };
                }
                Some("queue") => out.queues.push(match v.strip_suffix('*') {
                    Some(p) => QueuePattern::Prefix(p.to_owned()),
                    None => QueuePattern::Exact(v.to_owned()),
                }),
                Some("state") => {
                    let s = State::parse(&lower).ok_or_else(|| {
                        let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                        bad(format!("state:{v} is not a state (one of {})", names.join(", ")))
                    })?;
                    if !out.states.contains(&s) {
                        out.states.push(s);
                    }
                }
                Some("id") => {
                    if out.id.is_some() {
                        return Err(bad("give at most one id: criterion".into()));
                    }
                    out.id = Some(match v.strip_suffix('*') {
                        Some(p) if !p.is_empty() => IdPattern::Prefix(p.to_owned()),
                        Some(_) => return Err(bad("id:* needs at least one character before the *".into())),
                        None => IdPattern::Exact(v.to_owned()),
                    });
                }
                Some("archived") => out.archived = super::archived::Archived::parse(v)?,
                Some("after") => out.after = out.after.max(Some(time()?)),
                Some("created_after") => out.created_after = out.created_after.max(Some(time()?)),
                Some("before") => out.before = min_time(out.before, time()?),
                Some("created_before") => out.created_before = min_time(out.created_before, time()?),
                Some(_) => {}
            }
        }
        if out == Query::default() {
            return Err(bad("type something to search for".into()));
        }
        Ok(out)
    }

    /// Whether the exception text is needed (fetched only then).
    pub fn needs_exception(&self) -> bool {
        !self.exc.is_empty() || !self.groups.is_empty() || !self.words.is_empty()
    }

    /// Whether only jobs currently failed (failed, stopped or canceled) can match: an exception
    /// criterion without `state:` or `history:any`.
    pub fn failures_only(&self) -> bool {
        (!self.exc.is_empty() || !self.groups.is_empty()) && self.states.is_empty() && !self.history_any
    }

    /// The lists and registries to walk: the `state:` criteria, else the failed and canceled
    /// registries for [`Query::failures_only`], else every one; in [`State::ALL`] order (the
    /// order a walk's cursor relies on).
    pub fn looks_in(&self) -> Vec<State> {
        let failures = self.failures_only();
        State::ALL
            .into_iter()
            .filter(|s| match (self.states.is_empty(), failures) {
                (false, _) => self.states.contains(s),
                (true, true) => matches!(s, State::Failed | State::Canceled),
                (true, false) => true,
            })
            .collect()
    }

    /// Whether anything about the job hash is needed at all (a bare `state:failed` is not).
    pub fn needs_hash(&self) -> bool {
        !(self.func.is_empty()
            && self.worker.is_empty()
            && self.meta.is_empty()
            && self.desc.is_empty()
            && self.words.is_empty()
            && self.after.is_none()
            && self.before.is_none()
            && self.created_after.is_none()
            && self.created_before.is_none())
            || self.needs_exception()
    }
}

fn min_time(cur: Option<Timestamp>, t: Timestamp) -> Option<Timestamp> {
    Some(cur.map_or(t, |c| c.min(t)))
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
