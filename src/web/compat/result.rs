//! A job's return value as rq-dashboard sends it: `job.return_value()` through Flask's JSON
//! provider. JSON types stay JSON; datetimes become HTTP dates, `Decimal` and `UUID` strings,
//! dataclasses objects of their fields. Where Flask has no answer (rq-dashboard then fails with
//! a 500: sets, bytes, other objects) the value comes as its Python text or nearest JSON.

use jiff::civil::DateTime;
use serde_json::{Map, Value};

use crate::rq::decode::Decoded;
use crate::rq::pickle::{PyObject, PyValue};

/// Longest Python text given for a value Flask cannot serialise.
const REPR_MAX: usize = 64 * 1024;

/// The JSON of a decoded return value.
pub fn flask_json(d: &Decoded) -> Value {
    match d {
        Decoded::Pickle(v) => py(v, 0),
        Decoded::Json(v) => v.clone(),
        Decoded::Text(s) => Value::String(s.clone()),
        Decoded::Undecodable { .. } => Value::String(d.to_repr(REPR_MAX)),
    }
}

fn py(v: &PyValue, depth: usize) -> Value {
    if depth > 64 {
        return Value::String(v.to_repr(REPR_MAX));
    }
    let d = depth + 1;
    match v {
        PyValue::None => Value::Null,
        PyValue::Bool(b) => Value::Bool(*b),
        PyValue::Int(i) => Value::from(*i),
        PyValue::Float(f) if f.is_finite() => Value::from(*f),
        PyValue::Str(s) => Value::String(s.clone()),
        PyValue::List(items) | PyValue::Tuple(items) | PyValue::Set(items) | PyValue::FrozenSet(items) => {
            Value::Array(items.iter().map(|x| py(x, d)).collect())
        }
        PyValue::Dict(pairs) => dict(pairs, d),
        PyValue::Object(o) => object(o, v, d),
        other => Value::String(other.to_repr(REPR_MAX)),
    }
}

/// `json.dumps` turns str, int, float, bool and None keys into strings.
fn dict(pairs: &[(PyValue, PyValue)], depth: usize) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        let key = match k {
            PyValue::Str(s) => s.clone(),
            PyValue::Bool(b) => b.to_string(),
            PyValue::None => "null".to_owned(),
            other => other.to_repr(REPR_MAX),
        };
        m.insert(key, py(v, depth));
    }
    Value::Object(m)
}

fn args(o: &PyObject) -> &[PyValue] {
    match &o.args {
        PyValue::Tuple(a) => a,
        _ => &[],
    }
}

fn object(o: &PyObject, whole: &PyValue, depth: usize) -> Value {
    let text = |s: &str| Value::String(s.to_owned());
    match (o.class.as_str(), args(o)) {
        ("datetime.datetime", [PyValue::Bytes(b), tz @ ..]) => http_date(b, tz.first()),
        ("datetime.date", [PyValue::Bytes(b)]) => {
            http_date(&[b.as_slice(), &[0, 0, 0, 0, 0, 0]].concat(), None)
        }
        ("decimal.Decimal", [PyValue::Str(s)]) => text(s),
        ("uuid.UUID", _) => uuid(o).map_or_else(|| text(&whole.to_repr(REPR_MAX)), Value::String),
        // Flask serialises dataclasses as a dict of their fields (their pickled state).
        (_, _) => match &o.state {
            Some(PyValue::Dict(pairs)) => dict(pairs, depth),
            _ => text(&whole.to_repr(REPR_MAX)),
        },
    }
}

fn uuid(o: &PyObject) -> Option<String> {
    let Some(PyValue::Dict(pairs)) = &o.state else { return None };
    let n: u128 = pairs.iter().find_map(|(k, v)| match (k, v) {
        (PyValue::Str(k), PyValue::BigInt(s)) if k == "int" => s.parse().ok(),
        (PyValue::Str(k), PyValue::Int(i)) if k == "int" => u128::try_from(*i).ok(),
        _ => None,
    })?;
    let h = format!("{n:032x}");
    Some(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
}

/// Werkzeug's `http_date`: `Wed, 03 Dec 2026 09:00:00 GMT`, aware datetimes moved to UTC.
fn http_date(b: &[u8], tz: Option<&PyValue>) -> Value {
    let [y0, y1, mo, day, h, mi, s, ..] = b else { return Value::Null };
    let year = i16::from_be_bytes([*y0, *y1]);
    let dt = DateTime::new(year, (mo & 0x7f) as i8, *day as i8, *h as i8, *mi as i8, *s as i8, 0);
    let Ok(dt) = dt else { return Value::Null };
    let offset = tz.and_then(offset_seconds).unwrap_or(0);
    let Ok(utc) = dt.checked_sub(jiff::SignedDuration::from_secs(offset)) else { return Value::Null };
    Value::String(utc.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// The UTC offset of a `datetime.timezone(timedelta(...))`, in seconds.
fn offset_seconds(tz: &PyValue) -> Option<i64> {
    let PyValue::Object(o) = tz else { return None };
    let [PyValue::Object(delta), ..] = args(o) else { return None };
    match args(delta) {
        [PyValue::Int(days), PyValue::Int(secs), ..] => Some(days * 86_400 + secs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_pass_and_dates_are_http_dates() {
        assert_eq!(flask_json(&Decoded::Pickle(PyValue::Int(42))), Value::from(42));
        let b = [0x07, 0xea, 12, 3, 9, 5, 7, 0, 0, 0];
        assert_eq!(http_date(&b, None), Value::String("Thu, 03 Dec 2026 09:05:07 GMT".into()));
    }
}
