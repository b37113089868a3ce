//! The audit log in Redis: one capped stream per instance, under rqdash's own prefix (never
//! RQ's), trimmed by length and by age on every write; each entry also goes to the structured
//! log (tracing target `audit`).
//!
//! XADD is atomic by itself, so no Lua script: an entry is written whole or not at all.

use std::time::Duration;

use super::{Instance, Result, value};
use crate::audit::{Entry, FIELDS, Filter, StreamId};

/// The default stream key (`--audit-prefix`).
pub const DEFAULT_PREFIX: &str = "rqdash:audit";
/// Entries kept by default (`--audit-max-entries`): 25,000 actions, about 10 MB (MEMORY USAGE:
/// ~190 bytes per entry of a one-job action, ~680 for a bulk action's entries with 20 UUIDs).
pub const DEFAULT_MAX_ENTRIES: u64 = 50_000;
/// Age kept by default (`--audit-max-age`).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(90 * 86_400);
/// Most entries one page read examines, so a filter that matches little cannot read the whole
/// stream in one request: the page then ends early with a cursor to go on.
pub const MAX_SCAN: usize = 5_000;
const CHUNK: usize = 500;

/// Where and how long the log is kept.
#[derive(Debug, Clone)]
pub struct Log {
    key: String,
    max_entries: u64,
    max_age: Duration,
}

impl Default for Log {
    fn default() -> Self {
        Self::new(DEFAULT_PREFIX, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_AGE)
    }
}

impl Log {
    /// The stream at `prefix` (a trailing `:` dropped; empty means the default).
    pub fn new(prefix: &str, max_entries: u64, max_age: Duration) -> Self {
        let p = prefix.trim().trim_end_matches(':');
        let key = if p.is_empty() { DEFAULT_PREFIX } else { p }.to_owned();
        Self { key, max_entries: max_entries.max(1), max_age }
    }

    /// The stream key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Append `e` (its `id` is ignored) and return the id Redis gave it. The stream is trimmed in
/// the same round trip: by length with `MAXLEN ~` on the XADD (whole stream nodes, cheap), by
/// age with an exact `XTRIM MINID` (only what is past the age goes, however it is packed; Redis
/// 6.2+: on older servers only the length cap applies, the XTRIM's error is ignored).
pub async fn record(inst: &Instance, log: &Log, e: &Entry) -> Result<String> {
    let values = e.values();
    let mut p = redis::pipe();
    p.ignore_errors();
    let add = p.cmd("XADD").arg(&log.key).arg("MAXLEN").arg("~").arg(log.max_entries).arg("*");
    for (k, v) in FIELDS.iter().zip(&values) {
        add.arg(*k).arg(v);
    }
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let oldest = now_ms.saturating_sub(i64::try_from(log.max_age.as_millis()).unwrap_or(i64::MAX));
    p.cmd("XTRIM").arg(&log.key).arg("MINID").arg(oldest.max(0));
    let reply: Result<Vec<redis::Value>> = inst.query(&p).await;
    let id = reply.and_then(|v| match v.first() {
        Some(redis::Value::ServerError(err)) => Err(inst.err(err.clone().into())),
        Some(v) => value::string(v).ok_or_else(|| super::Error::Internal("XADD gave no id".into())),
        None => Err(super::Error::Internal("XADD gave no reply".into())),
    });
    trace(e, id.as_ref().map(String::as_str), &log.key);
    id
}

/// The structured log line of an entry, written or not.
fn trace(e: &Entry, id: std::result::Result<&str, &super::Error>, key: &str) {
    let t = &e.target;
    let result = serde_json::to_string(&e.result).unwrap_or_default();
    let (phase, user, role, via, addr, action) = (&e.phase, &e.user, &e.role, &e.via, &e.addr, &e.action);
    let (queue, state, target, ids, query) = (&t.queue, &t.state, &t.target, t.ids_total, &t.query);
    let (status, of, error) = (&e.status, &e.of, &e.error);
    match id {
        Ok(id) => tracing::info!(
            target: "audit", id, of, phase, user, role, via, addr, action, queue, state, target, ids,
            query, status, result, error, "{action} {phase}"
        ),
        Err(err) => tracing::error!(
            target: "audit", key, phase, user, role, via, addr, action, queue, state, target, ids,
            query, status, result, error, "{action} {phase}: the audit stream was not written: {err}"
        ),
    }
}

/// One page of the log, newest first.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// Where the next (older) page starts (`before=`); None at the end of the log.
    pub next: Option<String>,
    /// Entries examined for this page (at most [`MAX_SCAN`]).
    pub scanned: u64,
}

/// Up to `limit` entries matching `f`, newest first, older than `before` (an entry id). Reads
/// the stream backwards in chunks between the filter's time bounds, never past [`MAX_SCAN`].
pub async fn page(
    inst: &Instance,
    log: &Log,
    f: &Filter,
    before: Option<StreamId>,
    limit: usize,
) -> Result<Page> {
    let until = f.until_ms.map(|ms| StreamId(u64::try_from(ms).unwrap_or(0), u64::MAX));
    let mut end = match (before.map(StreamId::before), until) {
        (Some(None), _) => return Ok(Page::default()),
        (Some(Some(b)), Some(u)) => Some(b.min(u)),
        (Some(Some(b)), None) => Some(b),
        (None, u) => u,
    };
    let start = f.since_ms.map_or_else(|| "-".to_owned(), |ms| format!("{}-0", ms.max(0)));
    let mut out = Page::default();
    loop {
        let count = CHUNK.min(MAX_SCAN - usize::try_from(out.scanned).unwrap_or(MAX_SCAN));
        let mut p = redis::pipe();
        let hi = end.map_or_else(|| "+".to_owned(), |e| e.to_string());
        p.cmd("XREVRANGE").arg(&log.key).arg(hi).arg(&start).arg("COUNT").arg(count);
        let (v,): (redis::Value,) = inst.query(&p).await?;
        let rows = value::stream_entries(&v);
        let got = rows.len();
        let mut last = None;
        for (id, fields) in rows {
            out.scanned += 1;
            end = StreamId::parse(&id).and_then(StreamId::before);
            let e = Entry::from_fields(id, &fields);
            last = Some(e.id.clone());
            if f.matches(&e) {
                out.entries.push(e);
                if out.entries.len() >= limit {
                    out.next = last;
                    return Ok(out);
                }
            }
        }
        if got < count || end.is_none() {
            return Ok(out);
        }
        if usize::try_from(out.scanned).unwrap_or(MAX_SCAN) >= MAX_SCAN {
            // The budget is spent: the next page goes on below the last entry examined.
            out.next = last;
            return Ok(out);
        }
    }
}
