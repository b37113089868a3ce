//! Python-like `repr()` text for [`PyValue`], bounded in size and depth.
//!
//! Output goes through [`Out`], which stops accepting text at `max_len` bytes and ends
//! with `…`, so a 200,000-item list costs only as much work as fits on screen.

use super::{PyValue, known};

/// Rendering deeper than this prints `...` (decoded trees are at most `max_depth`
/// deep, but a `PyValue` can also be built by hand).
pub(super) const MAX_RENDER_DEPTH: usize = 256;

/// Size-capped string builder.
pub(super) struct Out {
    buf: String,
    max: usize,
    full: bool,
}

impl Out {
    pub(super) fn new(max: usize) -> Self {
        Out { buf: String::new(), max, full: false }
    }

    /// True once the cap was hit; writers check it to stop iterating early.
    pub(super) fn full(&self) -> bool {
        self.full
    }

    pub(super) fn push(&mut self, s: &str) {
        if self.full {
            return;
        }
        if self.buf.len() + s.len() <= self.max {
            self.buf.push_str(s);
            return;
        }
        let mut cut = self.max.saturating_sub(self.buf.len());
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.buf.push_str(s.get(..cut).unwrap_or_default());
        self.buf.push('…');
        self.full = true;
    }

    pub(super) fn push_char(&mut self, c: char) {
        self.push(c.encode_utf8(&mut [0; 4]));
    }

    pub(super) fn finish(self) -> String {
        self.buf
    }
}

impl PyValue {
    /// Python-like text, at most about `max_len` bytes (then cut with `…`).
    pub fn to_repr(&self, max_len: usize) -> String {
        let mut out = Out::new(max_len);
        write_value(self, &mut out, 0);
        out.finish()
    }

    /// [`PyValue::to_repr`], and whether the text was cut.
    pub fn to_repr_cut(&self, max_len: usize) -> (String, bool) {
        let mut out = Out::new(max_len);
        write_value(self, &mut out, 0);
        let cut = out.full();
        (out.finish(), cut)
    }
}

pub(super) fn write_value(v: &PyValue, out: &mut Out, depth: usize) {
    if depth > MAX_RENDER_DEPTH {
        return out.push("...");
    }
    match v {
        PyValue::None => out.push("None"),
        PyValue::Bool(true) => out.push("True"),
        PyValue::Bool(false) => out.push("False"),
        PyValue::Int(i) => out.push(&i.to_string()),
        PyValue::BigInt(s) => out.push(s),
        PyValue::Float(f) => out.push(&py_float(*f)),
        PyValue::Str(s) => write_str(s, out),
        PyValue::Bytes(b) => write_bytes(b, out),
        PyValue::ByteArray(b) => {
            out.push("bytearray(");
            write_bytes(b, out);
            out.push(")");
        }
        PyValue::List(items) => write_seq("[", items, "]", out, depth),
        PyValue::Tuple(items) if items.len() == 1 => write_seq("(", items, ",)", out, depth),
        PyValue::Tuple(items) => write_seq("(", items, ")", out, depth),
        PyValue::Set(items) if items.is_empty() => out.push("set()"),
        PyValue::Set(items) => write_seq("{", items, "}", out, depth),
        PyValue::FrozenSet(items) if items.is_empty() => out.push("frozenset()"),
        PyValue::FrozenSet(items) => write_seq("frozenset({", items, "})", out, depth),
        PyValue::Dict(pairs) => write_dict(pairs, out, depth),
        PyValue::Global(name) => out.push(short_name(name)),
        PyValue::Object(obj) => known::write_object(obj, out, depth),
        PyValue::Truncated => out.push("…"),
        PyValue::Recursive => out.push("..."),
        PyValue::Redacted => out.push(crate::rq::redact::REDACTED),
    }
}

/// Builtins read better without their module (`ValueError`, `int`), as in Python.
pub(super) fn short_name(name: &str) -> &str {
    name.strip_prefix("builtins.").unwrap_or(name)
}

pub(super) fn write_seq(open: &str, items: &[PyValue], close: &str, out: &mut Out, depth: usize) {
    out.push(open);
    for (i, item) in items.iter().enumerate() {
        if out.full() {
            return;
        }
        if i > 0 {
            out.push(", ");
        }
        write_value(item, out, depth + 1);
    }
    out.push(close);
}

pub(super) fn write_dict(pairs: &[(PyValue, PyValue)], out: &mut Out, depth: usize) {
    out.push("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if out.full() {
            return;
        }
        if i > 0 {
            out.push(", ");
        }
        write_value(k, out, depth + 1);
        out.push(": ");
        write_value(v, out, depth + 1);
    }
    out.push("}");
}

/// Python's float repr: shortest round-trip digits, `.0` on integral values,
/// exponent form below 1e-4 and from 1e16 with a two-digit signed exponent.
pub(super) fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{f:?}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            let mantissa = mantissa.strip_suffix(".0").unwrap_or(mantissa);
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// Python's str repr: single quotes unless the text has `'` and no `"`.
pub(super) fn write_str(s: &str, out: &mut Out) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push_char(quote);
    for c in s.chars() {
        if out.full() {
            return;
        }
        match c {
            '\\' => out.push("\\\\"),
            '\n' => out.push("\\n"),
            '\r' => out.push("\\r"),
            '\t' => out.push("\\t"),
            c if c == quote => {
                out.push_char('\\');
                out.push_char(c);
            }
            c if c.is_control() => out.push(&py_escape(c)),
            c => out.push_char(c),
        }
    }
    out.push_char(quote);
}

/// `\xNN`, `\uNNNN` or `\UNNNNNNNN`, as Python escapes non-printable characters.
fn py_escape(c: char) -> String {
    match u32::from(c) {
        n @ 0..=0xff => format!("\\x{n:02x}"),
        n @ 0x100..=0xffff => format!("\\u{n:04x}"),
        n => format!("\\U{n:08x}"),
    }
}

/// Python's bytes repr: `b'..'`, printable ASCII as-is, the rest as `\xNN`.
pub(super) fn write_bytes(b: &[u8], out: &mut Out) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { b'"' } else { b'\'' };
    out.push("b");
    out.push_char(char::from(quote));
    for &c in b {
        if out.full() {
            return;
        }
        match c {
            b'\\' => out.push("\\\\"),
            b'\n' => out.push("\\n"),
            b'\r' => out.push("\\r"),
            b'\t' => out.push("\\t"),
            c if c == quote => {
                out.push_char('\\');
                out.push_char(char::from(c));
            }
            0x20..=0x7e => out.push_char(char::from(c)),
            c => out.push(&format!("\\x{c:02x}")),
        }
    }
    out.push_char(char::from(quote));
}
