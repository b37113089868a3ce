//! A job's call from its `data` field: `(func_name, instance, args, kwargs)` as a pickled
//! 4-tuple or a 4-item JSON array, rendered like RQ's `description`
//! (`tasks.add(1, 'a', k=2)`, or `tasks.Calc(k=5).mul(3)` for bound methods).

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Decoded, cut, decode_payload_within};
use crate::rq::pickle::PyValue;

/// Which serializer wrote a job's `data` (it is not recorded in Redis; we sniff it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Serializer {
    Pickle,
    Json,
}

/// A decoded job call.
#[derive(Debug, Clone, PartialEq)]
pub struct JobCall {
    /// `module.func`; just the method name (`"mul"`, `"__call__"`) when `instance` is set.
    pub func_name: Option<String>,
    /// The bound object for method jobs.
    pub instance: Option<PyValue>,
    pub args: Vec<PyValue>,
    pub kwargs: Vec<(String, PyValue)>,
    pub serializer: Serializer,
}

/// Decode a job's `data` field (zlib, falling back to raw bytes like RQ). Anything that
/// is not a call comes back as its [`Decoded`] form so the page can still show it.
pub fn decode_job_data(raw: &[u8]) -> Result<JobCall, Decoded> {
    decode_job_data_within(raw, super::MAX_INFLATED)
}

/// [`decode_job_data`] inflating at most `cap` bytes: list rows show 120 characters of a call,
/// and 16 KB of zlib can otherwise inflate to the full 8 MB cap (100 rows: 800 MB a page).
pub fn decode_job_data_within(raw: &[u8], cap: usize) -> Result<JobCall, Decoded> {
    match decode_payload_within(raw, true, cap) {
        Decoded::Pickle(PyValue::Tuple(items)) => {
            job_call(items, Serializer::Pickle).map_err(|items| Decoded::Pickle(PyValue::Tuple(items)))
        }
        Decoded::Json(Value::Array(items)) => {
            let converted = items.iter().map(|v| json_to_py(v, 0)).collect();
            job_call(converted, Serializer::Json).map_err(|_| Decoded::Json(Value::Array(items)))
        }
        other => Err(other),
    }
}

/// Accept the shape RQ itself enforces (args a tuple/list, kwargs a str-keyed dict);
/// otherwise hand the items back untouched.
fn job_call(items: Vec<PyValue>, serializer: Serializer) -> Result<JobCall, Vec<PyValue>> {
    let ok = matches!(items.as_slice(),
        [PyValue::Str(_) | PyValue::None, _, PyValue::Tuple(_) | PyValue::List(_), PyValue::Dict(kw)]
            if kw.iter().all(|(k, _)| matches!(k, PyValue::Str(_))));
    if !ok {
        return Err(items);
    }
    let mut it = items.into_iter();
    let (
        Some(func),
        Some(instance),
        Some(PyValue::Tuple(args) | PyValue::List(args)),
        Some(PyValue::Dict(kw)),
    ) = (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(Vec::new()); // unreachable: the shape was checked above
    };
    Ok(JobCall {
        func_name: match func {
            PyValue::Str(s) => Some(s),
            _ => None,
        },
        instance: Some(instance).filter(|i| *i != PyValue::None),
        args,
        kwargs: kw
            .into_iter()
            .filter_map(|(k, v)| match k {
                PyValue::Str(k) => Some((k, v)),
                _ => None,
            })
            .collect(),
        serializer,
    })
}

/// JSON job data as a `PyValue`, so both serializers render the same way.
pub(crate) fn json_to_py(v: &Value, depth: usize) -> PyValue {
    // serde_json already stops at 128 levels; this guard keeps the recursion honest.
    if depth > 200 {
        return PyValue::Truncated;
    }
    match v {
        Value::Null => PyValue::None,
        Value::Bool(b) => PyValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => PyValue::Int(i),
            (None, _) if n.is_u64() => PyValue::BigInt(n.to_string()),
            (None, Some(f)) => PyValue::Float(f),
            (None, None) => PyValue::Str(n.to_string()),
        },
        Value::String(s) => PyValue::Str(s.clone()),
        Value::Array(a) => PyValue::List(a.iter().map(|x| json_to_py(x, depth + 1)).collect()),
        Value::Object(o) => PyValue::Dict(
            o.iter().map(|(k, x)| (PyValue::Str(k.clone()), json_to_py(x, depth + 1))).collect(),
        ),
    }
}

impl JobCall {
    /// `module.func(1, 'a', k=2)`, or `instance_repr.method(...)`, at most about `max_len` bytes.
    pub fn call_string(&self, max_len: usize) -> String {
        let mut s = String::new();
        if let Some(instance) = &self.instance {
            s.push_str(&instance.to_repr(max_len));
            s.push('.');
        }
        s.push_str(self.func_name.as_deref().unwrap_or("?"));
        s.push('(');
        s.push_str(&self.args_string(max_len.saturating_sub(s.len()).max(1)));
        s.push(')');
        cut(&s, max_len)
    }

    /// The arguments as written in the call, `1, 'a', k=2`, at most about `max_len` bytes.
    pub fn args_string(&self, max_len: usize) -> String {
        let mut s = String::new();
        let args = self.args.iter().map(|a| (None, a));
        let kwargs = self.kwargs.iter().map(|(k, v)| (Some(k), v));
        for (i, (name, value)) in args.chain(kwargs).enumerate() {
            if s.len() > max_len {
                break;
            }
            if i > 0 {
                s.push_str(", ");
            }
            if let Some(name) = name {
                s.push_str(name);
                s.push('=');
            }
            s.push_str(&value.to_repr(max_len.saturating_sub(s.len()).max(1)));
        }
        cut(&s, max_len)
    }

    pub fn args_json(&self) -> Value {
        Value::Array(self.args.iter().map(PyValue::to_json).collect())
    }

    pub fn kwargs_json(&self) -> Value {
        let map: Map<String, Value> = self.kwargs.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
        Value::Object(map)
    }

    /// `{"func_name", "instance", "args", "kwargs", "call", "serializer"}`.
    pub fn to_json(&self, max_len: usize) -> Value {
        json!({
            "func_name": self.func_name,
            "instance": self.instance.as_ref().map(PyValue::to_json),
            "args": self.args_json(),
            "kwargs": self.kwargs_json(),
            "call": self.call_string(max_len),
            "serializer": self.serializer,
        })
    }
}

impl Serialize for JobCall {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json(super::SERIALIZE_REPR_LEN).serialize(s)
    }
}
