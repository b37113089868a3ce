//! Entries of RQ's results stream `rq:results:<id>` (1.12+): one per execution outcome.

use base64::Engine;
use serde::Serialize;

use crate::rq::cap::{self, Budget};
use crate::rq::decode::{self, Decoded, TextPrefix};
use crate::rq::shown::Shown;
use crate::rq::time;

/// Raw hash or stream-entry fields, as read: (name, bytes).
pub type Fields = Vec<(String, Vec<u8>)>;
/// Raw results-stream entries: (entry id, fields).
pub type RawEntries = Vec<(String, Fields)>;

/// One result entry as a job view shows it (values cut to the view's budget).
#[derive(Debug, Clone, Serialize)]
pub struct ResultEntry {
    /// The stream entry id (`<ms>-<seq>`).
    pub id: String,
    /// From the entry id's millisecond part, as RQ derives `Result.created_at`.
    pub created_at: Option<String>,
    /// 1 successful, 2 failed, 3 stopped, 4 retried, 5 max retries exceeded.
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    pub type_name: &'static str,
    /// Absent when the job returned None (RQ omits the field then).
    pub return_value: Option<Shown>,
    /// The traceback text for failures.
    pub exc_string: Option<String>,
    pub worker_name: Option<String>,
    pub execution_id: Option<String>,
    pub execution_started_at: Option<String>,
    pub execution_ended_at: Option<String>,
    /// Seconds between execution start and end (2.8+ data only).
    pub duration_seconds: Option<f64>,
}

/// One result entry decoded, before it is cut for a view.
#[derive(Debug, Clone)]
pub struct ResultData {
    pub entry: ResultEntry,
    /// The decoded return value and its stored size.
    pub return_value: Option<(Decoded, usize)>,
    /// The traceback, up to [`decode::TEXT_MAX`] bytes, with its full size.
    pub exc: Option<TextPrefix>,
}

/// RQ's `Result.Type` names.
pub fn type_name(kind: Option<i64>) -> &'static str {
    match kind {
        Some(1) => "successful",
        Some(2) => "failed",
        Some(3) => "stopped",
        Some(4) => "retried",
        Some(5) => "max_retries_exceeded",
        _ => "unknown",
    }
}

fn text(fields: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .filter(|s| !s.is_empty())
}

fn raw<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
}

impl ResultEntry {
    /// Only the exception text of a stream entry (base64 of zlib text, as RQ writes it), or
    /// None when empty or absent: what lists need, without the rest of the entry.
    pub fn exc_text(fields: &[(String, Vec<u8>)]) -> Option<String> {
        let b64 = base64::engine::general_purpose::STANDARD;
        raw(fields, "exc_string")
            .map(|v| match b64.decode(v) {
                Ok(bytes) => decode::decode_text(&bytes, true),
                Err(_) => decode::decode_text(v, false),
            })
            .filter(|s| !s.is_empty())
    }

    /// Only the exception of a stream entry, its first `keep` bytes and full size (counted up
    /// to `count_to`), or None when empty or absent.
    pub fn exc_prefix(fields: &[(String, Vec<u8>)], keep: usize, count_to: usize) -> Option<TextPrefix> {
        let b64 = base64::engine::general_purpose::STANDARD;
        raw(fields, "exc_string")
            .map(|v| match b64.decode(v) {
                Ok(bytes) => decode::text_prefix(&bytes, true, keep, count_to),
                Err(_) => decode::text_prefix(v, false, keep, count_to),
            })
            .filter(|t| !t.text.is_empty())
    }
}

impl ResultData {
    /// Decode one stream entry; nothing here fails, undecodable parts are marked instead.
    pub fn from_entry(id: &str, fields: &[(String, Vec<u8>)]) -> Self {
        let created_at = id
            .split('-')
            .next()
            .and_then(|ms| ms.parse::<f64>().ok())
            .and_then(|ms| time::from_epoch(ms / 1000.0));
        let kind = text(fields, "type").and_then(|t| t.trim().parse::<i64>().ok());
        let b64 = base64::engine::general_purpose::STANDARD;
        let return_value = raw(fields, "return_value").map(|v| {
            let d = match b64.decode(v) {
                Ok(bytes) => decode::decode_payload(&bytes, false),
                Err(e) => Decoded::Undecodable {
                    error: format!("bad base64: {e}"),
                    hex_preview: decode::hex_preview(v, 64),
                    len: v.len(),
                },
            };
            (d, v.len())
        });
        let exc = ResultEntry::exc_prefix(fields, decode::TEXT_MAX, cap::FULL_MAX);
        let epoch = |name: &str| text(fields, name).and_then(|t| t.trim().parse::<f64>().ok());
        let (st, en) = (epoch("execution_started_at"), epoch("execution_ended_at"));
        let name = |n: &str| text(fields, n).map(|s| cap::name(&s));
        let entry = ResultEntry {
            id: cap::name(id),
            created_at,
            kind,
            type_name: type_name(kind),
            return_value: None,
            exc_string: None,
            worker_name: name("worker_name"),
            execution_id: name("execution_id"),
            execution_started_at: st.and_then(time::from_epoch),
            execution_ended_at: en.and_then(time::from_epoch),
            duration_seconds: match (st, en) {
                (Some(a), Some(b)) if b >= a => Some(b - a),
                _ => None,
            },
        };
        ResultData { entry, return_value, exc }
    }

    /// The entry as the `i`-th of a view, its values cut to the budget.
    pub fn show(&self, i: usize, b: &mut Budget) -> ResultEntry {
        let mut e = self.entry.clone();
        e.return_value = self.return_value.as_ref().map(|(d, len)| {
            Shown::decoded(d, *len, &format!("results[{i}].return_value"), Some(&format!("result:{i}")), b)
        });
        e.exc_string = self.exc.as_ref().map(|t| {
            let field = format!("results[{i}].exc_string");
            b.text(&field, Some(&format!("exc:{i}")), &t.text, Some((t.len, t.at_least)))
        });
        e
    }
}
