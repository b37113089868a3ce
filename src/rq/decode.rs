//! Decoding of RQ's stored values (job `data`/`meta`/`result`/`exc_info`, results-stream
//! `return_value`/`exc_string`) into something displayable. Never executes anything and
//! never panics: whatever cannot be decoded comes back as [`Decoded::Undecodable`].

use std::io::Read;

use flate2::bufread::ZlibDecoder;
use serde::Serialize;
use serde_json::{Value, json};

use crate::rq::pickle::{self, Limits, PyValue};
use crate::rq::redact;

mod job;
pub(crate) use job::json_to_py;
mod text;
pub use job::{JobCall, Serializer, decode_job_data, decode_job_data_within};
pub use text::{TextPrefix, decode_text, text_prefix};

/// Cap on decompressed size; a zlib bomb expands about 1000:1, so this is checked while reading.
pub const MAX_INFLATED: usize = 8 << 20;
/// Most bytes of a traceback read for lists, search and failure groups (its last line and
/// exception are what they show and match); the job view reads the same and cuts it further.
pub const TEXT_MAX: usize = 256 * 1024;
/// `repr` length used by the `Serialize` impls.
const SERIALIZE_REPR_LEN: usize = 4096;
/// Bytes shown in `hex_preview` of undecodable values.
const HEX_PREVIEW_BYTES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not zlib data: {0}")]
    Zlib(String),
    #[error("decompressed data exceeds {0} bytes")]
    TooLarge(usize),
}

/// zlib-decompress at most `cap` bytes; more than that is an error (a zlib bomb).
pub fn inflate(bytes: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
    match inflate_capped(bytes, cap)? {
        (out, false) => Ok(out),
        (_, true) => Err(DecodeError::TooLarge(cap)),
    }
}

/// The first `cap` decompressed bytes, and whether there was more.
fn inflate_capped(bytes: &[u8], cap: usize) -> Result<(Vec<u8>, bool), DecodeError> {
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    // The input is already in memory: bufread's decoder reads it in place, where read's would
    // allocate and zero a 32 KB buffer per call (a page of 100 failures decodes 100 of these).
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(cap).min(1 << 16));
    ZlibDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Zlib(e.to_string()))?;
    let over = out.len() > cap;
    out.truncate(cap);
    Ok((out, over))
}

/// A decoded field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Pickle(PyValue),
    Json(Value),
    Text(String),
    Undecodable { error: String, hex_preview: String, len: usize },
}

impl Decoded {
    pub fn format(&self) -> &'static str {
        match self {
            Decoded::Pickle(_) => "pickle",
            Decoded::Json(_) => "json",
            Decoded::Text(_) => "text",
            Decoded::Undecodable { .. } => "undecodable",
        }
    }

    /// Display text, at most about `max_len` bytes.
    pub fn to_repr(&self, max_len: usize) -> String {
        match self {
            Decoded::Pickle(v) => v.to_repr(max_len),
            Decoded::Json(v) => cut(&v.to_string(), max_len),
            Decoded::Text(s) => cut(s, max_len),
            Decoded::Undecodable { error, hex_preview, len } => {
                cut(&format!("<undecodable ({error}), {len} bytes: {hex_preview}>"), max_len)
            }
        }
    }

    /// [`Decoded::to_repr`], and whether the text was cut.
    pub fn to_repr_cut(&self, max_len: usize) -> (String, bool) {
        let whole = match self {
            Decoded::Pickle(v) => return v.to_repr_cut(max_len),
            Decoded::Json(v) => v.to_string(),
            Decoded::Text(s) => return (cut(s, max_len), s.len() > max_len),
            Decoded::Undecodable { .. } => self.to_repr(usize::MAX),
        };
        let over = whole.len() > max_len;
        (cut(&whole, max_len), over)
    }

    /// `{"format": "pickle", "repr": "...", "value": ...}`, or for undecodable values
    /// `{"format": "undecodable", "error": ..., "hex_preview": ..., "len": ...}`.
    pub fn to_json(&self, max_len: usize) -> Value {
        let value = match self {
            Decoded::Pickle(v) => v.to_json(),
            Decoded::Json(v) => v.clone(),
            Decoded::Text(s) => Value::String(cut(s, max_len)),
            Decoded::Undecodable { error, hex_preview, len } => {
                return json!({"format": "undecodable", "error": error, "hex_preview": hex_preview, "len": len});
            }
        };
        json!({"format": self.format(), "repr": self.to_repr(max_len), "value": value})
    }
}

impl Serialize for Decoded {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json(SERIALIZE_REPR_LEN).serialize(s)
    }
}

fn undecodable(error: impl Into<String>, data: &[u8]) -> Decoded {
    Decoded::Undecodable {
        error: error.into(),
        hex_preview: hex_preview(data, HEX_PREVIEW_BYTES),
        len: data.len(),
    }
}

/// Decode a stored value. `compressed` is true for job `data`; if it is not valid zlib,
/// the raw bytes are used, as RQ does. Callers base64-decode stream values first.
pub fn decode_payload(raw: &[u8], compressed: bool) -> Decoded {
    decode_payload_within(raw, compressed, MAX_INFLATED)
}

/// [`decode_payload`] with a smaller inflation cap, for callers that show only a preview.
/// Values under keys matching `--redact` are hidden here, on the decoded tree, so that every
/// page, API, CLI output and search sees them hidden (unless inside [`redact::revealed`]).
pub fn decode_payload_within(raw: &[u8], compressed: bool, cap: usize) -> Decoded {
    let mut d = match compressed.then(|| inflate(raw, cap)) {
        Some(Ok(data)) => sniff(&data),
        Some(Err(e @ DecodeError::TooLarge(_))) => return undecodable(e.to_string(), raw),
        Some(Err(DecodeError::Zlib(_))) | None => sniff(raw),
    };
    if let Some(r) = redact::active() {
        match &mut d {
            Decoded::Pickle(v) => {
                r.py(v);
            }
            Decoded::Json(v) => {
                r.json(v);
            }
            Decoded::Text(_) | Decoded::Undecodable { .. } => {}
        }
    }
    d
}

/// The serializer is not recorded in Redis: pickle starts with PROTO (0x80), JSON with
/// `[`/`{`/a scalar; old protocols 0-1 pickles are tried before falling back to text.
fn sniff(data: &[u8]) -> Decoded {
    let limits = Limits::default();
    match data.first() {
        None => return undecodable("empty value", data),
        Some(0x80) => {
            return match pickle::decode(data, &limits) {
                Ok(v) => Decoded::Pickle(v),
                Err(e) => undecodable(e.to_string(), data),
            };
        }
        Some(_) => {}
    }
    let first = data.iter().find(|b| !b.is_ascii_whitespace()).copied().unwrap_or(b' ');
    if b"[{\"-0123456789tfn".contains(&first)
        && let Ok(v) = serde_json::from_slice::<Value>(data)
    {
        return Decoded::Json(v);
    }
    if let Ok(v) = pickle::decode(data, &limits) {
        return Decoded::Pickle(v);
    }
    match std::str::from_utf8(data) {
        Ok(s) => Decoded::Text(s.to_owned()),
        Err(_) => undecodable("not pickle, JSON or UTF-8 text", data),
    }
}

/// Owned bytes as text: valid UTF-8 is kept without a copy (the common case, checked by the
/// fast validator), anything else gets U+FFFD replacements.
pub fn into_text(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The first `n` bytes as space-separated hex pairs, with `…` if there is more.
pub fn hex_preview(bytes: &[u8], n: usize) -> String {
    let shown = bytes.get(..n).unwrap_or(bytes);
    let mut out = shown.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
    if bytes.len() > shown.len() {
        out.push_str(" …");
    }
    out
}

/// Cut `s` to at most `max` bytes on a char boundary, marking the cut with `…`.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests;
