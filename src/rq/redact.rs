//! Redaction of secrets in job values by key (`--redact`): a kwarg, meta, result or dict entry
//! whose key contains one of the patterns is replaced by [`REDACTED`] on the decoded value tree,
//! where values are decoded ([`crate::rq::decode`]), so nothing downstream can show the original.
//!
//! Positional arguments have no key and are not redacted by key; a dict among them is walked.
//! The patterns are installed once per process ([`install`]); an admin's reveal decodes inside
//! [`revealed`], which turns redaction off for that thread only.

use std::cell::Cell;
use std::sync::OnceLock;

use serde_json::Value;

use crate::rq::pickle::{PyObject, PyValue};

/// What a redacted value reads as, everywhere (pages, JSON, CLI).
pub const REDACTED: &str = "••• (redacted)";

/// The default `--redact` patterns.
pub const DEFAULT_PATTERNS: &str = "password|passwd|secret|token|api_key|apikey|authorization|cookie|session";

/// `|`-separated key patterns, matched case-insensitively as substrings of a key (so
/// `user_password` and `X-Auth-Token` match); no pattern at all turns redaction off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redactor {
    words: Vec<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new(DEFAULT_PATTERNS)
    }
}

impl Redactor {
    /// From `a|b|c`; blanks are dropped, so `""` redacts nothing.
    pub fn new(patterns: &str) -> Self {
        let words = patterns.split('|').map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).collect();
        Self { words }
    }

    /// Redacts nothing (`--no-redact`, `--redact ''`).
    pub fn off() -> Self {
        Self { words: Vec::new() }
    }

    pub fn is_off(&self) -> bool {
        self.words.is_empty()
    }

    /// The patterns, lowercased.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether values under `key` are hidden.
    pub fn matches(&self, key: &str) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let key = key.to_lowercase();
        self.words.iter().any(|w| key.contains(w.as_str()))
    }

    fn key_matches(&self, key: &PyValue) -> bool {
        match key {
            PyValue::Str(s) => self.matches(s),
            PyValue::Bytes(b) => self.matches(&String::from_utf8_lossy(b)),
            _ => false,
        }
    }

    /// Hide every value under a matching key in `v`; returns how many were hidden.
    pub fn py(&self, v: &mut PyValue) -> usize {
        if self.is_off() {
            return 0;
        }
        match v {
            PyValue::List(items)
            | PyValue::Tuple(items)
            | PyValue::Set(items)
            | PyValue::FrozenSet(items) => items.iter_mut().map(|i| self.py(i)).sum(),
            PyValue::Dict(pairs) => self.pairs(pairs),
            PyValue::Object(obj) => self.object(obj),
            _ => 0,
        }
    }

    fn pairs(&self, pairs: &mut [(PyValue, PyValue)]) -> usize {
        pairs
            .iter_mut()
            .map(|(k, v)| {
                if self.key_matches(k) {
                    *v = PyValue::Redacted;
                    1
                } else {
                    self.py(v)
                }
            })
            .sum()
    }

    /// A constructed object: its arguments, keyword arguments, state (`__dict__`) and items.
    fn object(&self, obj: &mut PyObject) -> usize {
        let mut n = self.py(&mut obj.args) + self.pairs(&mut obj.kwargs) + self.pairs(&mut obj.dict_items);
        if let Some(state) = &mut obj.state {
            n += self.py(state);
        }
        n + obj.items.iter_mut().map(|i| self.py(i)).sum::<usize>()
    }

    /// [`Self::py`] for JSON values (RQ's JSONSerializer).
    pub fn json(&self, v: &mut Value) -> usize {
        if self.is_off() {
            return 0;
        }
        match v {
            Value::Array(items) => items.iter_mut().map(|i| self.json(i)).sum(),
            Value::Object(map) => map
                .iter_mut()
                .map(|(k, v)| {
                    if self.matches(k) {
                        *v = Value::String(REDACTED.to_owned());
                        1
                    } else {
                        self.json(v)
                    }
                })
                .sum(),
            _ => 0,
        }
    }

    /// Whether `bytes` (ASCII case aside) contain a pattern: a stored blob that does is not shown
    /// raw, since its bytes may hold a redacted value.
    pub fn mentions(&self, bytes: &[u8]) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let lower = bytes.to_ascii_lowercase();
        self.words.iter().any(|w| {
            let w = w.as_bytes();
            lower.windows(w.len()).any(|win| win == w)
        })
    }
}

static ACTIVE: OnceLock<Redactor> = OnceLock::new();

thread_local! {
    static REVEAL: Cell<bool> = const { Cell::new(false) };
}

/// Set the process's patterns (the binary does, from `--redact`); the first call wins. Without
/// a call (the library in tests) the defaults apply.
pub fn install(r: Redactor) {
    let _ = ACTIVE.set(r);
}

/// The redactor in force on this thread: None when redaction is off or inside [`revealed`].
pub fn active() -> Option<&'static Redactor> {
    if REVEAL.with(Cell::get) {
        return None;
    }
    Some(ACTIVE.get_or_init(Redactor::default)).filter(|r| !r.is_off())
}

/// Run `f` with redaction off on this thread (an admin's reveal); decoding is synchronous, so
/// nothing else runs on the thread meanwhile.
pub fn revealed<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            REVEAL.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(REVEAL.with(|c| c.replace(true)));
    f()
}

/// A description (Python-like call text) with matching keyword and dict-key values hidden.
pub fn description(d: &str) -> std::borrow::Cow<'_, str> {
    match active() {
        Some(r) => r.text(d),
        None => std::borrow::Cow::Borrowed(d),
    }
}

/// Whether the raw-hash view hides field `name` with bytes `v`: a field named like a secret,
/// or a serialized value (`data` is zlib'd) whose bytes mention a pattern, since its raw bytes
/// (text or hex) would carry what the decoded view hides.
pub fn raw_hidden(name: &str, v: &[u8]) -> bool {
    let Some(r) = active() else { return false };
    if r.matches(name) {
        return true;
    }
    match name {
        "data" => match crate::rq::decode::inflate(v, crate::rq::decode::MAX_INFLATED) {
            Ok(inflated) => r.mentions(&inflated),
            // Too big to check: hidden rather than risked.
            Err(crate::rq::decode::DecodeError::TooLarge(_)) => true,
            Err(crate::rq::decode::DecodeError::Zlib(_)) => r.mentions(v),
        },
        "meta" | "result" => r.mentions(v),
        _ => false,
    }
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
