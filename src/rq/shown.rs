//! A decoded value as a job view shows it: its Python-like text and its JSON form, each cut to
//! what is left of the view's [`Budget`], with the cut recorded.

use serde::Serialize;
use serde_json::{Value, json};

use crate::rq::cap::{Budget, prefix, rendered_len};
use crate::rq::decode::{Decoded, json_to_py};
use crate::rq::pickle::PyValue;

/// Most nodes of a value's JSON form in a view.
const JSON_NODES: usize = 2_000;
/// Longest error text of an undecodable value.
const ERROR_MAX: usize = 1_024;

/// A value prepared for a view.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// `pickle`, `json`, `text` or `undecodable`.
    pub format: &'static str,
    /// Python-like text (for undecodable values: the error, size and hex preview).
    pub repr: String,
    /// The JSON form; `Null` when it did not fit (see `cut`) or the value is undecodable.
    pub value: Value,
    /// Something of the value was left out: the page links to all of it.
    pub cut: bool,
    /// `(error, hex_preview, stored length)` of an undecodable value.
    pub undecodable: Option<(String, String, usize)>,
}

/// What a value is made of, borrowed.
enum Src<'a> {
    Py(&'a PyValue),
    /// JSON data: shown as JSON text, its JSON form capped through the `PyValue` caps.
    Json(&'a Value, PyValue),
    Text(&'a str),
}

impl Shown {
    /// Show a decoded value stored in `stored_len` bytes, as `field` (served as `item` by
    /// `/jobs/{id}/full`).
    pub fn decoded(d: &Decoded, stored_len: usize, field: &str, item: Option<&str>, b: &mut Budget) -> Self {
        match d {
            Decoded::Pickle(v) => Self::build("pickle", Src::Py(v), stored_len, field, item, b),
            Decoded::Json(v) => {
                Self::build("json", Src::Json(v, json_to_py(v, 0)), stored_len, field, item, b)
            }
            Decoded::Text(s) => Self::build("text", Src::Text(s), stored_len, field, item, b),
            Decoded::Undecodable { error, hex_preview, len } => {
                let error = b.text(&format!("{field}.error"), None, error, None);
                let error = crate::rq::decode::cut(&error, ERROR_MAX);
                b.charge(rendered_len(hex_preview));
                Shown {
                    format: "undecodable",
                    repr: d.to_repr(ERROR_MAX * 2),
                    value: Value::Null,
                    cut: false,
                    undecodable: Some((error, hex_preview.clone(), *len)),
                }
            }
        }
    }

    /// Show one argument of a call.
    pub fn py(v: &PyValue, stored_len: usize, field: &str, item: Option<&str>, b: &mut Budget) -> Self {
        Self::build("pickle", Src::Py(v), stored_len, field, item, b)
    }

    fn build(
        format: &'static str,
        src: Src<'_>,
        stored_len: usize,
        field: &str,
        item: Option<&str>,
        b: &mut Budget,
    ) -> Self {
        let room = b.allowance();
        let (text, mut cut) = match &src {
            Src::Py(v) => v.to_repr_cut(room),
            Src::Json(v, _) => {
                let t = v.to_string();
                let (p, whole) = prefix(&t, room);
                (p.to_owned(), !whole)
            }
            Src::Text(s) => {
                let (p, whole) = prefix(s, room);
                (p.to_owned(), !whole)
            }
        };
        let (shown, whole) = prefix(&text, room);
        cut |= !whole;
        let mut repr = shown.to_owned();
        if !whole {
            repr.push('…');
        }
        b.charge(rendered_len(shown));
        // The JSON form gets what is left, strings at most half of it (quotes and keys).
        let room = b.allowance();
        let (value, value_cut) = match &src {
            Src::Py(v) => v.to_json_cut(JSON_NODES, room / 2),
            Src::Json(_, v) => v.to_json_cut(JSON_NODES, room / 2),
            Src::Text(s) => {
                let (p, whole) = prefix(s, room / 2);
                (Value::String(p.to_owned()), !whole)
            }
        };
        let size = serde_json::to_string(&value).map_or(usize::MAX, |t| rendered_len(&t));
        let value = if size <= room {
            b.charge(size);
            cut |= value_cut;
            value
        } else {
            cut = true;
            Value::Null
        };
        if cut {
            b.cut(field, item, stored_len, false);
        }
        Shown { format, repr, value, cut, undecodable: None }
    }

    /// The API form: `{"format", "repr", "value"}`, or for undecodable values
    /// `{"format": "undecodable", "error", "hex_preview", "len"}` (as before caps existed).
    pub fn to_json(&self) -> Value {
        match &self.undecodable {
            Some((error, hex, len)) => {
                json!({"format": "undecodable", "error": error, "hex_preview": hex, "len": len})
            }
            None => json!({"format": self.format, "repr": self.repr, "value": self.value}),
        }
    }
}

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_string_is_cut_in_both_forms_and_the_cut_is_recorded() {
        let mut b = Budget::default();
        let v = PyValue::Str("y".repeat(1 << 20));
        let s = Shown::py(&v, 1 << 20, "args[0]", Some("arg:0"), &mut b);
        assert!(s.cut);
        assert!(s.repr.len() <= crate::rq::cap::VALUE_MAX + 4);
        assert!(s.value.as_str().is_some_and(|v| v.starts_with("yyy") && v.len() < 64 * 1024));
        assert_eq!(b.cuts.len(), 1);
        assert_eq!(b.cuts[0].item.as_deref(), Some("arg:0"));
    }

    #[test]
    fn a_small_value_is_whole() {
        let mut b = Budget::default();
        let s = Shown::decoded(&Decoded::Json(json!({"k": [1, 2]})), 12, "meta", Some("meta"), &mut b);
        assert!(!s.cut);
        assert_eq!(s.value, json!({"k": [1, 2]}));
        assert!(b.cuts.is_empty());
    }
}
