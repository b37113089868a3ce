//! JSON view of a [`PyValue`] for the API: plain JSON where Python maps cleanly,
//! `{"$...": ...}` wrappers where it does not. Capped in nodes, string size and depth.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

use super::PyValue;
use super::repr::MAX_RENDER_DEPTH;

/// Default caps of [`PyValue::to_json`]: as large as what `decode` accepts by default,
/// so values decoded with default [`super::Limits`] come out whole (a 1 MiB string
/// argument must round-trip); use [`PyValue::to_json_capped`] for previews.
const DEFAULT_MAX_NODES: usize = 200_000;
const DEFAULT_MAX_STR: usize = 8 << 20;
/// Size of the `$repr` text of objects.
const OBJECT_REPR_LEN: usize = 1024;

impl PyValue {
    /// JSON view with default caps (200,000 nodes, strings cut at 8 MiB).
    pub fn to_json(&self) -> Value {
        self.to_json_capped(DEFAULT_MAX_NODES, DEFAULT_MAX_STR)
    }

    /// JSON view; past `max_nodes` values, or for strings/bytes longer than `max_str`
    /// bytes, the output holds `{"$truncated": true}` or a cut string ending in `…`.
    pub fn to_json_capped(&self, max_nodes: usize, max_str: usize) -> Value {
        self.to_json_cut(max_nodes, max_str).0
    }

    /// [`PyValue::to_json_capped`], and whether anything was cut.
    pub fn to_json_cut(&self, max_nodes: usize, max_str: usize) -> (Value, bool) {
        let mut j = Json { left: max_nodes, max_str, cut: false };
        let v = j.value(self, 0);
        (v, j.cut)
    }
}

struct Json {
    left: usize,
    max_str: usize,
    cut: bool,
}

impl Json {
    fn truncated(&mut self) -> Value {
        self.cut = true;
        json!({"$truncated": true})
    }
}

impl Json {
    fn value(&mut self, v: &PyValue, depth: usize) -> Value {
        if self.left == 0 || depth > MAX_RENDER_DEPTH {
            return self.truncated();
        }
        self.left -= 1;
        let d = depth + 1;
        match v {
            PyValue::None => Value::Null,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Int(i) => Value::from(*i),
            // BigInt only holds values outside i64: a string keeps every digit.
            PyValue::BigInt(s) => Value::String(s.clone()),
            PyValue::Float(f) if f.is_finite() => Value::from(*f),
            PyValue::Float(f) => Value::String(super::repr::py_float(*f)),
            PyValue::Str(s) => Value::String(self.cut(s)),
            PyValue::Bytes(b) => json!({"$bytes": self.base64(b)}),
            PyValue::ByteArray(b) => json!({"$bytearray": self.base64(b)}),
            PyValue::List(items)
            | PyValue::Tuple(items)
            | PyValue::Set(items)
            | PyValue::FrozenSet(items) => self.array(items, d),
            PyValue::Dict(pairs) => self.dict(pairs, d),
            PyValue::Global(name) => json!({"$global": name}),
            PyValue::Object(obj) => {
                json!({"$class": obj.class, "$repr": v.to_repr(OBJECT_REPR_LEN)})
            }
            PyValue::Truncated => self.truncated(),
            PyValue::Recursive => json!({"$recursive": true}),
            PyValue::Redacted => Value::String(crate::rq::redact::REDACTED.to_owned()),
        }
    }

    fn array(&mut self, items: &[PyValue], depth: usize) -> Value {
        let mut out = Vec::new();
        for item in items {
            if self.left == 0 {
                out.push(self.truncated());
                break;
            }
            out.push(self.value(item, depth));
        }
        Value::Array(out)
    }

    /// Str-keyed dicts become objects; others `{"$dict": [[k, v], ...]}`.
    fn dict(&mut self, pairs: &[(PyValue, PyValue)], depth: usize) -> Value {
        if pairs.iter().all(|(k, _)| matches!(k, PyValue::Str(_))) {
            let mut map = Map::new();
            for (k, v) in pairs {
                if self.left == 0 {
                    self.cut = true;
                    map.insert("$truncated".into(), Value::Bool(true));
                    break;
                }
                if let PyValue::Str(k) = k {
                    let value = self.value(v, depth);
                    map.insert(self.cut(k), value);
                }
            }
            return Value::Object(map);
        }
        let mut out = Vec::new();
        for (k, v) in pairs {
            if self.left == 0 {
                out.push(self.truncated());
                break;
            }
            out.push(Value::Array(vec![self.value(k, depth), self.value(v, depth)]));
        }
        json!({"$dict": out})
    }

    fn cut(&mut self, s: &str) -> String {
        if s.len() <= self.max_str {
            return s.to_owned();
        }
        self.cut = true;
        let mut end = self.max_str;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", s.get(..end).unwrap_or_default())
    }

    fn base64(&mut self, b: &[u8]) -> String {
        if b.len() <= self.max_str {
            BASE64.encode(b)
        } else {
            self.cut = true;
            format!("{}…", BASE64.encode(b.get(..self.max_str).unwrap_or_default()))
        }
    }
}
