//! Rendering of recorded objects: well-known classes from their pickled state (never by
//! running Python), everything else as `module.Class(args, k=v)`.

use super::known_time::{date, datetime, time, timedelta, timezone};
use super::repr::{Out, py_float, short_name, write_dict, write_seq, write_str, write_value};
use super::{PyObject, PyValue};

pub(super) fn write_object(obj: &PyObject, out: &mut Out, depth: usize) {
    let args = match &obj.args {
        PyValue::Tuple(items) => items.as_slice(),
        _ => &[],
    };
    let d = depth + 1;
    let done = match (obj.class.as_str(), args) {
        ("datetime.datetime", [PyValue::Bytes(b), tz @ ..]) => datetime(b, tz.first(), out, d),
        ("datetime.date", [PyValue::Bytes(b)]) => date(b, out),
        ("datetime.time", [PyValue::Bytes(b), tz @ ..]) => time(b, tz.first(), out, d),
        ("datetime.timedelta", [days, secs, us]) => timedelta(days, secs, us, out),
        ("datetime.timezone", [offset, name @ ..]) => timezone(offset, name.first(), out, d),
        ("decimal.Decimal", [PyValue::Str(s)]) => wrap("decimal.Decimal(", s, out),
        ("zoneinfo.ZoneInfo._unpickle", [PyValue::Str(key), ..]) => wrap("zoneinfo.ZoneInfo(key=", key, out),
        ("uuid.UUID", []) => uuid(obj.state.as_ref(), out),
        ("builtins.complex", [re, im]) => complex(re, im, out),
        ("collections.OrderedDict", []) if obj.state.is_none() && obj.items.is_empty() => {
            out.push("collections.OrderedDict(");
            if !obj.dict_items.is_empty() {
                write_dict(&obj.dict_items, out, d);
            }
            out.push(")");
            true
        }
        ("collections.defaultdict", [factory]) if obj.state.is_none() && obj.items.is_empty() => {
            out.push("collections.defaultdict(");
            write_value(factory, out, d);
            out.push(", ");
            write_dict(&obj.dict_items, out, d);
            out.push(")");
            true
        }
        _ => false,
    };
    if !done {
        generic(obj, out, d);
    }
}

/// `module.Class(arg, k=v, attr=value, __items__=[..], __dict_items__={..})`.
fn generic(obj: &PyObject, out: &mut Out, depth: usize) {
    out.push(short_name(&obj.class));
    out.push("(");
    let mut p = Parts { first: true };
    match &obj.args {
        PyValue::Tuple(items) => items.iter().for_each(|a| {
            p.sep(out);
            write_value(a, out, depth);
        }),
        other => {
            p.sep(out);
            out.push("*");
            write_value(other, out, depth);
        }
    }
    p.keywords(&obj.kwargs, out, depth);
    if let Some(state) = &obj.state {
        match state_attrs(state) {
            Some(attrs) => attrs.into_iter().for_each(|a| p.keywords(a, out, depth)),
            None => {
                p.name("__state__", out);
                write_value(state, out, depth);
            }
        }
    }
    if !obj.items.is_empty() {
        p.name("__items__", out);
        write_seq("[", &obj.items, "]", out, depth);
    }
    if !obj.dict_items.is_empty() {
        p.name("__dict_items__", out);
        write_dict(&obj.dict_items, out, depth);
    }
    out.push(")");
}

/// Comma bookkeeping for an argument list.
struct Parts {
    first: bool,
}

impl Parts {
    fn sep(&mut self, out: &mut Out) {
        if !std::mem::take(&mut self.first) {
            out.push(", ");
        }
    }

    fn name(&mut self, name: &str, out: &mut Out) {
        self.sep(out);
        out.push(name);
        out.push("=");
    }

    fn keywords(&mut self, pairs: &[(PyValue, PyValue)], out: &mut Out, depth: usize) {
        for (k, v) in pairs {
            if out.full() {
                return;
            }
            match k {
                PyValue::Str(name) => self.name(name, out),
                other => {
                    self.sep(out);
                    write_value(other, out, depth);
                    out.push("=");
                }
            }
            write_value(v, out, depth);
        }
    }
}

/// A BUILD state shown as `attr=value`: a str-keyed `__dict__`, or the
/// `(__dict__ or None, __slots__ dict)` pair that classes with slots produce.
fn state_attrs(state: &PyValue) -> Option<Vec<&[(PyValue, PyValue)]>> {
    let str_keyed = |p: &[(PyValue, PyValue)]| p.iter().all(|(k, _)| matches!(k, PyValue::Str(_)));
    match state {
        PyValue::Dict(p) if str_keyed(p) => Some(vec![p.as_slice()]),
        PyValue::Tuple(t) => match t.as_slice() {
            [PyValue::None, PyValue::Dict(s)] if str_keyed(s) => Some(vec![s.as_slice()]),
            [PyValue::Dict(d), PyValue::Dict(s)] if str_keyed(d) && str_keyed(s) => {
                Some(vec![d.as_slice(), s.as_slice()])
            }
            _ => None,
        },
        _ => None,
    }
}

fn wrap(prefix: &str, s: &str, out: &mut Out) -> bool {
    out.push(prefix);
    write_str(s, out);
    out.push(")");
    true
}

/// `uuid.UUID` pickles its 128-bit value as state `{'int': N}`.
fn uuid(state: Option<&PyValue>, out: &mut Out) -> bool {
    let Some(PyValue::Dict(pairs)) = state else {
        return false;
    };
    let n = pairs.iter().find_map(|(k, v)| match (k, v) {
        (PyValue::Str(k), PyValue::Int(i)) if k == "int" => u128::try_from(*i).ok(),
        (PyValue::Str(k), PyValue::BigInt(s)) if k == "int" => s.parse::<u128>().ok(),
        _ => None,
    });
    let Some(n) = n else { return false };
    let h = format!("{n:032x}");
    out.push(&format!(
        "uuid.UUID('{}-{}-{}-{}-{}')",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ));
    true
}

/// Python's complex repr: `(1-2j)`, or `2j` when the real part is +0.
fn complex(re: &PyValue, im: &PyValue, out: &mut Out) -> bool {
    let num = |v: &PyValue| match v {
        PyValue::Float(f) => Some(*f),
        PyValue::Int(i) => Some(*i as f64),
        _ => None,
    };
    let (Some(re), Some(im)) = (num(re), num(im)) else {
        return false;
    };
    let part = |f: f64| {
        let s = py_float(f);
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    };
    let sign = if im.is_sign_negative() && !im.is_nan() { "-" } else { "+" };
    if re == 0.0 && re.is_sign_positive() {
        out.push(&format!("{}j", part(im)));
    } else {
        out.push(&format!("({}{sign}{}j)", part(re), part(im.abs())));
    }
    true
}
