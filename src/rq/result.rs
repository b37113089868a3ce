//! Entries of RQ's results stream `rq:results:<id>` (1.12+): one per execution outcome.

use base64::Engine;
use serde::Serialize;

use crate::rq::decode::{self, Decoded};
use crate::rq::time;

/// Raw hash or stream-entry fields, as read: (name, bytes).
pub type Fields = Vec<(String, Vec<u8>)>;
/// Raw results-stream entries: (entry id, fields).
pub type RawEntries = Vec<(String, Fields)>;

/// One decoded result entry.
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
    pub return_value: Option<Decoded>,
    /// The traceback text for failures.
    pub exc_string: Option<String>,
    pub worker_name: Option<String>,
    pub execution_id: Option<String>,
    pub execution_started_at: Option<String>,
    pub execution_ended_at: Option<String>,
    /// Seconds between execution start and end (2.8+ data only).
    pub duration_seconds: Option<f64>,
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
                Err(_) => String::from_utf8_lossy(v).into_owned(),
            })
            .filter(|s| !s.is_empty())
    }

    /// Decode one stream entry; nothing here fails, undecodable parts are marked instead.
    pub fn from_entry(id: &str, fields: &[(String, Vec<u8>)], decode_values: bool) -> Self {
        let created_at = id
            .split('-')
            .next()
            .and_then(|ms| ms.parse::<f64>().ok())
            .and_then(|ms| time::from_epoch(ms / 1000.0));
        let kind = text(fields, "type").and_then(|t| t.trim().parse::<i64>().ok());
        let b64 = base64::engine::general_purpose::STANDARD;
        let return_value = match raw(fields, "return_value") {
            Some(v) if decode_values => Some(match b64.decode(v) {
                Ok(bytes) => decode::decode_payload(&bytes, false),
                Err(e) => Decoded::Undecodable {
                    error: format!("bad base64: {e}"),
                    hex_preview: decode::hex_preview(v, 64),
                    len: v.len(),
                },
            }),
            _ => None,
        };
        let exc_string = Self::exc_text(fields);
        let epoch = |name: &str| text(fields, name).and_then(|t| t.trim().parse::<f64>().ok());
        let (st, en) = (epoch("execution_started_at"), epoch("execution_ended_at"));
        Self {
            id: id.to_owned(),
            created_at,
            kind,
            type_name: type_name(kind),
            return_value,
            exc_string,
            worker_name: text(fields, "worker_name"),
            execution_id: text(fields, "execution_id"),
            execution_started_at: st.and_then(time::from_epoch),
            execution_ended_at: en.and_then(time::from_epoch),
            duration_seconds: match (st, en) {
                (Some(a), Some(b)) if b >= a => Some(b - a),
                _ => None,
            },
        }
    }
}
