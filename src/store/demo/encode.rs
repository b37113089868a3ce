//! RQ's own encodings, written the way Python writes them: `json.dumps` output (RQ's
//! `JSONSerializer`), the `description` call string, zlib `data`, base64 result payloads,
//! timestamps and float seconds, uuid4 ids. Pure functions, no I/O.

use std::fmt::Write as _;
use std::io::Write as _;

use base64::Engine as _;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use serde_json::Value;

use crate::rq::decode::decode_job_data;

/// `json.dumps(v)` with Python's defaults: `", "` and `": "` separators, `ensure_ascii=True`
/// (every character outside space..`~` escaped as `\uXXXX`, surrogate pairs beyond the BMP).
pub fn py_json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_json_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_str(k, out);
                out.push_str(": ");
                write_json(x, out);
            }
            out.push('}');
        }
    }
}

fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// zlib at Python's default level, as RQ compresses `data` and `exc_string`.
pub fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::with_capacity(bytes.len() / 2 + 16), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(bytes);
    z.finish().unwrap_or_default()
}

/// A job's `data` field: zlib of `JSONSerializer.dumps((func_name, None, args, kwargs))`.
pub fn job_data(func: &str, args: &Value, kwargs: &Value) -> Vec<u8> {
    let call = Value::Array(vec![Value::String(func.to_owned()), Value::Null, args.clone(), kwargs.clone()]);
    zlib(py_json(&call).as_bytes())
}

/// RQ's `get_call_string(func_name, args, kwargs, max_length=75)`, the default `description`:
/// `func(repr(arg), ..., k=repr(v))`, each repr cut at 75 characters plus `...`, keyword
/// arguments sorted. Read back from `data` so the reprs are those of the decoded values.
pub fn description(data: &[u8]) -> String {
    let Ok(call) = decode_job_data(data) else { return String::new() };
    let cut = |r: String| {
        if r.chars().count() > 75 { format!("{}...", r.chars().take(75).collect::<String>()) } else { r }
    };
    let mut parts: Vec<String> = call.args.iter().map(|a| cut(a.to_repr(usize::MAX))).collect();
    let mut kw: Vec<String> =
        call.kwargs.iter().map(|(k, v)| format!("{k}={}", cut(v.to_repr(usize::MAX)))).collect();
    kw.sort();
    parts.extend(kw);
    format!("{}({})", call.func_name.unwrap_or_default(), parts.join(", "))
}

/// A results-stream `return_value`: base64 of the serializer's bytes.
pub fn b64_json(v: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(py_json(v))
}

/// A results-stream `exc_string`: base64 of zlib of the UTF-8 traceback.
pub fn b64_exc(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(zlib(text.as_bytes()))
}

/// Python's `repr(float)` for the epoch seconds RQ writes in executions and results
/// (`1796234836.96908`: shortest round trip, at least one decimal).
pub fn py_float(secs: f64) -> String {
    let s = format!("{secs}");
    if s.contains('.') || s.contains('e') || !secs.is_finite() { s } else { format!("{s}.0") }
}

/// Epoch seconds with microseconds, as a Python datetime's `.timestamp()` gives them.
pub fn micros_to_secs(micros: i64) -> f64 {
    // Whole seconds and the fraction apart, so the float is the nearest to the decimal value.
    (micros.div_euclid(1_000_000) as f64) + (micros.rem_euclid(1_000_000) as f64) / 1e6
}

/// `str(uuid4())` (job ids) or `uuid4().hex` (execution ids, worker names) from 128 random bits.
pub fn uuid4(bits: u128, hyphens: bool) -> String {
    // Version 4, variant 10xx, as uuid.uuid4() sets them.
    let b = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{b:032x}");
    if !hyphens {
        return hex;
    }
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_written_with_pythons_separators_and_ascii_escapes() {
        let v =
            json!(["builtins.print", null, ["Sending 'x' \u{e9} \n\u{1F600}"], {"a": 1.5, "flush": true}]);
        assert_eq!(
            py_json(&v),
            r#"["builtins.print", null, ["Sending 'x' \u00e9 \n\ud83d\ude00"], {"a": 1.5, "flush": true}]"#
        );
    }

    #[test]
    fn the_description_is_rqs_call_string() {
        let data =
            job_data("builtins.print", &json!(["it's", [1, 2], "x".repeat(80)]), &json!({"flush": true}));
        assert_eq!(
            description(&data),
            format!("builtins.print(\"it's\", [1, 2], '{}..., flush=True)", "x".repeat(74))
        );
    }

    #[test]
    fn floats_and_ids_look_like_pythons() {
        assert_eq!(py_float(micros_to_secs(1_796_234_836_969_080)), "1796234836.96908");
        assert_eq!(py_float(2.0), "2.0");
        let id = uuid4(u128::MAX, true);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid4(0, false), "00000000000040008000000000000000");
    }
}
