//! What a job view is built from (everything read from Redis), typed access to the raw hash,
//! the raw-hash view, the current exception, small JSON settings; each cut to the view's budget.

use serde::Serialize;

use crate::rq::cap::{self, Budget, ITEMS_MAX, prefix, rendered_len};
use crate::rq::decode::{self, TextPrefix};
use crate::rq::detail::{RAW_TEXT_MAX, Related};
use crate::rq::result::ResultData;
use crate::rq::time;

/// One raw hash field, shown without trusting its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct RawField {
    pub name: String,
    pub len: usize,
    /// The value as text when it is valid UTF-8 (capped); None for binary data.
    pub text: Option<String>,
    pub hex_preview: String,
}

impl RawField {
    /// A field whose bytes may hold a `--redact`ed value: neither text nor hex is shown.
    pub(crate) fn redacted(name: &str, len: usize) -> Self {
        let text = format!("{} (holds redacted values; decoded above)", crate::rq::redact::REDACTED);
        RawField { name: cap::name(name), len, text: Some(text), hex_preview: String::new() }
    }
}

/// Everything read from Redis about one job, before decoding.
#[derive(Debug, Default)]
pub struct DetailInput {
    pub id: String,
    pub fields: Vec<(String, Vec<u8>)>,
    pub key_ttl: i64,
    pub results: crate::rq::result::RawEntries,
    pub dependencies: Vec<Related>,
    pub dependents: Vec<Related>,
    pub position: Option<i64>,
    pub executions: Vec<(String, Option<f64>)>,
    pub corrupt: Vec<super::key_type::WrongType>,
}

/// A job hash as read (name, bytes), with typed getters.
pub(crate) struct Fields<'a>(pub &'a [(String, Vec<u8>)]);

impl Fields<'_> {
    pub(crate) fn raw(&self, k: &str) -> Option<&[u8]> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_slice())
    }
    pub(crate) fn text(&self, k: &str) -> Option<String> {
        self.raw(k).map(|v| String::from_utf8_lossy(v).into_owned()).filter(|s| !s.is_empty())
    }
    /// A name-like field (status, origin, worker), cut at [`cap::NAME_MAX`].
    pub(crate) fn name(&self, k: &str) -> Option<String> {
        self.raw(k).map(|v| cap::name(&String::from_utf8_lossy(v))).filter(|s| !s.is_empty())
    }
    pub(crate) fn int(&self, k: &str) -> Option<i64> {
        self.text(k).and_then(|s| s.trim().parse().ok())
    }
    pub(crate) fn ts(&self, k: &str) -> Option<String> {
        self.text(k).and_then(|s| time::normalize(&s))
    }
    pub(crate) fn json(&self, k: &str) -> Option<serde_json::Value> {
        self.raw(k).and_then(|v| serde_json::from_slice(v).ok())
    }
}

pub(crate) fn raw_view(fields: &[(String, Vec<u8>)], b: &mut Budget) -> Vec<RawField> {
    if fields.len() > ITEMS_MAX {
        b.cut("raw", None, fields.len(), false);
    }
    fields
        .iter()
        .take(ITEMS_MAX)
        .map(|(name, v)| {
            if crate::rq::redact::raw_hidden(name, v) {
                return RawField::redacted(name, v.len());
            }
            let name = cap::name(name);
            let text = std::str::from_utf8(v)
                .ok()
                .filter(|s| !s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
                .map(|s| {
                    let (p, whole) = prefix(s, b.allowance().min(RAW_TEXT_MAX));
                    b.charge(rendered_len(p));
                    if whole {
                        return p.to_owned();
                    }
                    b.cut(&format!("raw.{name}"), Some(&format!("raw:{name}")), v.len(), false);
                    format!("{p}…")
                });
            let hex_preview = decode::hex_preview(v, 48);
            RawField { name, len: v.len(), text, hex_preview }
        })
        .collect()
}

/// The job's current exception: the newest result's when that result is a failure, else the
/// hash's `exc_info` (which a requeue blanks), as RQ's `job.exc_info` reads it.
pub(crate) fn latest_exc(results: &[ResultData], f: &Fields<'_>) -> Option<TextPrefix> {
    let hash = || {
        f.raw("exc_info")
            .map(|v| decode::text_prefix(v, true, decode::TEXT_MAX, cap::FULL_MAX))
            .filter(|t| !t.text.trim().is_empty())
    };
    results.first().and_then(|r| r.exc.clone()).or_else(hash)
}

/// JSON config fields (`retry_intervals`, `webhooks`...): dropped (and the cut recorded) when
/// bigger than the allowance.
pub(crate) fn small_json(f: &Fields<'_>, name: &str, b: &mut Budget) -> Option<serde_json::Value> {
    let raw = f.raw(name)?;
    if raw.len() > b.allowance() {
        b.cut(name, Some(&format!("raw:{name}")), raw.len(), false);
        return None;
    }
    b.charge(raw.len());
    serde_json::from_slice(raw).ok()
}
