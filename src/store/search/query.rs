//! The search box's syntax: `key:value` criteria and bare words, all of which must hold (AND).
//!
//! ```text
//! func:send_email exc:Timeout queue:emails state:failed worker:w1 meta:customer_42
//! after:2026-11-01 before:2026-11-20 desc:"nightly digest" id:abc* group:9f0c… words
//! ```
//!
//! Text criteria match case-insensitive substrings. `queue:` and `state:` choose where to look
//! (repeating one widens the choice; `queue:mail*` is a name prefix). `id:abc` is an exact id,
//! `id:abc*` an id prefix. `after:`/`before:` compare the job's latest time (ended, else started,
//! else enqueued, else created); `created_after:`/`created_before:` its creation time. Times
//! are `2026-11-01` (midnight UTC), `2026-11-01T12:30`, RFC 3339, or a relative `90m`, `2h`,
//! `7d` (that long ago). `after:` is inclusive, `before:` exclusive. Values with spaces go in
//! double quotes (`\"` inside); so do bare phrases and text holding a `:`.

use jiff::{SignedDuration, Timestamp};

use crate::rq::State;
use crate::store::{Error, Result};

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
}

/// The keys the syntax knows, with their aliases, for error messages and the form controls.
pub const KEYS: [&str; 13] = [
    "func",
    "exc",
    "queue",
    "state",
    "worker",
    "meta",
    "desc",
    "id",
    "group",
    "after",
    "before",
    "created_after",
    "created_before",
];

fn canonical_key(k: &str) -> Option<&'static str> {
    Some(match k {
        "func" | "fn" | "function" => "func",
        "exc" | "exception" | "error" => "exc",
        "queue" | "origin" => "queue",
        "state" | "status" => "state",
        "worker" => "worker",
        "meta" => "meta",
        "desc" | "description" => "desc",
        "id" => "id",
        "group" => "group",
        "after" => "after",
        "before" => "before",
        "created_after" => "created_after",
        "created_before" => "created_before",
        _ => return None,
    })
}

/// One lexical item: an optional key and its (unquoted) value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub key: Option<&'static str>,
    pub value: String,
}

/// Read a quoted value starting after the opening quote; returns it and the index after the close.
fn quoted(chars: &[char], mut i: usize) -> (String, usize) {
    let mut v = String::new();
    while i < chars.len() {
        match chars[i] {
            '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                v.push(chars[i + 1]);
                i += 2;
            }
            '"' => return (v, i + 1),
            c => {
                v.push(c);
                i += 1;
            }
        }
    }
    (v, i)
}

/// Split a query into tokens. Unknown lowercase keys are errors (a typo should not silently
/// become a word that matches nothing); anything else with a `:` is a bare word.
pub fn tokens(q: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        if chars[i] == '"' {
            let (v, next) = quoted(&chars, i + 1);
            i = next;
            out.push(Token { key: None, value: v });
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != ':' && chars[i] != '"' {
            i += 1;
        }
        let head: String = chars[start..i].iter().collect();
        if chars.get(i) == Some(&':') && !head.is_empty() {
            let lower = head.to_lowercase();
            match canonical_key(&lower) {
                Some(key) => {
                    i += 1;
                    let value = if chars.get(i) == Some(&'"') {
                        let (v, next) = quoted(&chars, i + 1);
                        i = next;
                        v
                    } else {
                        let s = i;
                        while i < chars.len() && !chars[i].is_whitespace() {
                            i += 1;
                        }
                        chars[s..i].iter().collect()
                    };
                    out.push(Token { key: Some(key), value });
                    continue;
                }
                None if head.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                    return Err(Error::BadRequest(format!(
                        "unknown search key {head:?} (known: {}); to search for text containing \":\", put it in double quotes",
                        KEYS.join(", ")
                    )));
                }
                None => {}
            }
        }
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        out.push(Token { key: None, value: chars[start..i].iter().collect() });
    }
    Ok(out)
}

/// Quote a value when the syntax needs it.
pub fn quote(v: &str) -> String {
    if !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || c == '"' || c == ':') {
        return v.to_owned();
    }
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Render tokens back into query text (values quoted where needed).
pub fn render(tokens: &[Token]) -> String {
    let parts: Vec<String> = tokens
        .iter()
        .map(|t| match t.key {
            Some(k) => format!("{k}:{}", quote(&t.value)),
            None => quote(&t.value),
        })
        .collect();
    parts.join(" ")
}

/// The query text with the form controls applied: a non-empty control replaces every criterion
/// of its key. Used to fold the form's fields into one bookmarkable `q`.
pub fn merge(q: &str, controls: &[(&str, &str)]) -> Result<String> {
    let mut toks = tokens(q)?;
    for (key, value) in controls {
        let value = value.trim();
        let Some(k) = canonical_key(key) else { continue };
        if value.is_empty() {
            continue;
        }
        toks.retain(|t| t.key != Some(k));
        toks.push(Token { key: Some(k), value: value.to_owned() });
    }
    Ok(render(&toks))
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
        for t in tokens(q)? {
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
