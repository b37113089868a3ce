//! `datetime` module classes rendered from their pickled state, like Python's reprs
//! (`datetime.datetime(2026, 11, 27, 4, 35, 17, 903457, tzinfo=datetime.timezone.utc)`).

use super::PyValue;
use super::repr::{Out, write_value};

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b))
}

/// Python drops trailing zero fields (microsecond, then second) from the repr.
fn clock(fields: &mut Vec<u32>, min_len: usize) {
    while fields.len() > min_len && fields.last() == Some(&0) {
        fields.pop();
    }
}

fn join(fields: &[u32]) -> String {
    fields.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// Shared tail of datetime/time: `, tzinfo=..., fold=1)`.
fn tz_fold(tz: Option<&PyValue>, fold: bool, out: &mut Out, depth: usize) {
    if let Some(tz) = tz.filter(|t| **t != PyValue::None) {
        out.push(", tzinfo=");
        write_value(tz, out, depth);
    }
    out.push(if fold { ", fold=1)" } else { ")" });
}

/// State: year (2 bytes BE), month (+128 if fold), day, hour, minute, second, µs (3 bytes BE).
pub(super) fn datetime(b: &[u8], tz: Option<&PyValue>, out: &mut Out, depth: usize) -> bool {
    let [y0, y1, mo, day, h, mi, s, us @ ..] = b else {
        return false;
    };
    if b.len() != 10 || !(1..=12).contains(&(mo & 0x7f)) {
        return false;
    }
    let mut f = vec![
        be(&[*y0, *y1]),
        u32::from(mo & 0x7f),
        (*day).into(),
        (*h).into(),
        (*mi).into(),
        (*s).into(),
        be(us),
    ];
    clock(&mut f, 5);
    out.push(&format!("datetime.datetime({}", join(&f)));
    tz_fold(tz, mo & 0x80 != 0, out, depth);
    true
}

pub(super) fn date(b: &[u8], out: &mut Out) -> bool {
    let [y0, y1, mo, day] = b else { return false };
    out.push(&format!("datetime.date({}, {mo}, {day})", be(&[*y0, *y1])));
    true
}

/// State: hour (+128 if fold), minute, second, µs (3 bytes BE).
pub(super) fn time(b: &[u8], tz: Option<&PyValue>, out: &mut Out, depth: usize) -> bool {
    let [h, mi, s, us @ ..] = b else { return false };
    if b.len() != 6 {
        return false;
    }
    let mut f = vec![u32::from(h & 0x7f), (*mi).into(), (*s).into(), be(us)];
    clock(&mut f, 2);
    out.push(&format!("datetime.time({}", join(&f)));
    tz_fold(tz, h & 0x80 != 0, out, depth);
    true
}

pub(super) fn timedelta(days: &PyValue, secs: &PyValue, us: &PyValue, out: &mut Out) -> bool {
    let (PyValue::Int(d), PyValue::Int(s), PyValue::Int(u)) = (days, secs, us) else {
        return false;
    };
    let parts: Vec<String> = [("days", d), ("seconds", s), ("microseconds", u)]
        .iter()
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let body = if parts.is_empty() { "0".to_string() } else { parts.join(", ") };
    out.push(&format!("datetime.timedelta({body})"));
    true
}

pub(super) fn timezone(offset: &PyValue, name: Option<&PyValue>, out: &mut Out, depth: usize) -> bool {
    let zero = matches!(offset, PyValue::Object(o) if o.class == "datetime.timedelta"
        && o.args == PyValue::Tuple(vec![PyValue::Int(0), PyValue::Int(0), PyValue::Int(0)]));
    if zero && name.is_none() {
        out.push("datetime.timezone.utc");
        return true;
    }
    out.push("datetime.timezone(");
    write_value(offset, out, depth);
    if let Some(name) = name {
        out.push(", ");
        write_value(name, out, depth);
    }
    out.push(")");
    true
}

#[cfg(test)]
mod tests {
    use crate::rq::pickle::{PyObject, PyValue};

    fn obj(class: &str, args: Vec<PyValue>) -> PyValue {
        PyValue::Object(Box::new(PyObject {
            class: class.into(),
            args: PyValue::Tuple(args),
            kwargs: vec![],
            state: None,
            items: vec![],
            dict_items: vec![],
        }))
    }

    fn td(d: i64, s: i64, us: i64) -> PyValue {
        obj("datetime.timedelta", vec![PyValue::Int(d), PyValue::Int(s), PyValue::Int(us)])
    }

    #[test]
    fn reprs_like_python() {
        let bytes = |b: &[u8]| PyValue::Bytes(b.to_vec());
        let plus_one = obj("datetime.timezone", vec![td(0, 3600, 0)]);
        let named = obj("datetime.timezone", vec![td(-1, 82800, 0), PyValue::Str("X".into())]);
        let cases = [
            // Trailing zero second/microsecond are dropped; fold is the month's high bit.
            (
                obj("datetime.datetime", vec![bytes(&[7, 234, 1, 2, 3, 4, 0, 0, 0, 0])]),
                "datetime.datetime(2026, 1, 2, 3, 4)",
            ),
            (
                obj("datetime.datetime", vec![bytes(&[7, 234, 129, 2, 3, 4, 5, 0, 0, 0]), plus_one.clone()]),
                "datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(seconds=3600)), fold=1)",
            ),
            (obj("datetime.time", vec![bytes(&[1, 2, 0, 0, 0, 0])]), "datetime.time(1, 2)"),
            (
                obj("datetime.time", vec![bytes(&[1, 2, 3, 0, 1, 0]), PyValue::None]),
                "datetime.time(1, 2, 3, 256)",
            ),
            (obj("datetime.date", vec![bytes(&[0, 1, 1, 1])]), "datetime.date(1, 1, 1)"),
            (td(0, 0, 0), "datetime.timedelta(0)"),
            (td(-1, 0, 5), "datetime.timedelta(days=-1, microseconds=5)"),
            (named, "datetime.timezone(datetime.timedelta(days=-1, seconds=82800), 'X')"),
            // Malformed states fall back to the generic form instead of guessing.
            (
                obj("datetime.datetime", vec![bytes(&[7, 234, 13, 2, 3, 4, 0, 0, 0, 0])]),
                "datetime.datetime(b'\\x07\\xea\\r\\x02\\x03\\x04\\x00\\x00\\x00\\x00')",
            ),
            (obj("datetime.date", vec![bytes(&[1])]), "datetime.date(b'\\x01')"),
        ];
        for (v, want) in cases {
            assert_eq!(v.to_repr(500), want);
        }
    }
}
