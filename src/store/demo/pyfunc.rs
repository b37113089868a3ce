//! What the simulated workers "run": a few Python builtins, evaluated on the decoded call with
//! CPython 3.11's results and error messages, so a simulated outcome is the one a real
//! `rq worker` would record for the same job. Tracebacks are framed as RQ 2.12 on Python 3.11
//! frames them (`perform_job` -> `perform` -> `_execute`, with 3.11's `^^^` markers).

use serde_json::{Value, json};

use crate::rq::decode::JobCall;
use crate::rq::pickle::PyValue;

/// How a call ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The return value as JSON (None: Python's `None`, which RQ does not store).
    Return(Option<Value>),
    /// An exception, rendered as RQ stores it: the whole traceback text.
    Raise { traceback: String },
}

/// Run `call` as a worker whose code base holds only the builtins below.
pub fn run(call: &JobCall) -> Outcome {
    let func = call.func_name.as_deref().unwrap_or_default();
    let Some(name) = func.strip_prefix("builtins.") else {
        // RQ's import_attribute, on a module this worker cannot import.
        return raise_from_lookup(func);
    };
    match builtin(name, &call.args) {
        Ok(v) => Outcome::Return(v),
        Err(line) => raise_from_call(&line),
    }
}

/// The result of `builtins.<name>(*args)`, or the exception line (`Type: message`).
fn builtin(name: &str, args: &[PyValue]) -> Result<Option<Value>, String> {
    use PyValue::{Int, List, Str};
    match (name, args) {
        ("print", _) => Ok(None),
        ("sum", [List(items)]) => {
            let mut acc: i64 = 0;
            for x in items {
                match x {
                    Int(n) => acc = acc.checked_add(*n).ok_or_else(unsupported)?,
                    other => return Err(operands("+", "int", other)),
                }
            }
            Ok(Some(json!(acc)))
        }
        ("max" | "min", [List(items)]) if items.is_empty() => {
            Err(format!("ValueError: {name}() arg is an empty sequence"))
        }
        ("max" | "min", [List(items)]) => extreme(name, items),
        ("max" | "min", items) if items.len() > 1 => extreme(name, items),
        ("len", [Str(s)]) => Ok(Some(json!(s.chars().count()))),
        ("len", [List(items)]) => Ok(Some(json!(items.len()))),
        ("len", [other]) => Err(format!("TypeError: object of type '{}' has no len()", type_name(other))),
        ("sorted", [List(items)]) if items.iter().all(|x| matches!(x, Int(_))) => {
            let mut v: Vec<i64> =
                items.iter().filter_map(|x| if let Int(n) = x { Some(*n) } else { None }).collect();
            v.sort_unstable();
            Ok(Some(json!(v)))
        }
        ("abs", [Int(n)]) => n.checked_abs().map(|a| Some(json!(a))).ok_or_else(unsupported),
        ("divmod", [Int(_), Int(0)]) => Err("ZeroDivisionError: integer division or modulo by zero".into()),
        ("divmod", [Int(a), Int(b)]) => {
            py_divmod(*a, *b).map(|(q, r)| Some(json!([q, r]))).ok_or_else(unsupported)
        }
        ("pow", [Int(a), Int(b)]) if *b >= 0 => u32::try_from(*b)
            .ok()
            .and_then(|e| a.checked_pow(e))
            .map(|p| Some(json!(p)))
            .ok_or_else(unsupported),
        ("int", [Int(n)]) => Ok(Some(json!(n))),
        ("int", [Str(s)]) => parse_int(s).map(|n| Some(json!(n))).ok_or_else(|| {
            format!(
                "ValueError: invalid literal for int() with base 10: {}",
                Str(s.clone()).to_repr(usize::MAX)
            )
        }),
        _ => Err(unsupported()),
    }
}

/// Python's `divmod` on ints (`b != 0`): floor division, the remainder has the divisor's sign.
fn py_divmod(a: i64, b: i64) -> Option<(i64, i64)> {
    let (q, r) = (a.checked_div(b)?, a.checked_rem(b)?);
    Some(if r != 0 && (r < 0) != (b < 0) { (q - 1, r + b) } else { (q, r) })
}

/// max()/min() over ints or over strings; mixing them is Python's TypeError.
fn extreme(name: &str, items: &[PyValue]) -> Result<Option<Value>, String> {
    let op = if name == "max" { ">" } else { "<" };
    let mut best = &items[0];
    for x in &items[1..] {
        let better = match (x, best) {
            (PyValue::Int(a), PyValue::Int(b)) => {
                if name == "max" {
                    a > b
                } else {
                    a < b
                }
            }
            (PyValue::Str(a), PyValue::Str(b)) => {
                if name == "max" {
                    a > b
                } else {
                    a < b
                }
            }
            _ => {
                return Err(format!(
                    "TypeError: '{op}' not supported between instances of '{}' and '{}'",
                    type_name(x),
                    type_name(best)
                ));
            }
        };
        if better {
            best = x;
        }
    }
    Ok(Some(best.to_json()))
}

/// `int(str)` in base 10: surrounding whitespace, a sign, digits with single underscores.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let ok = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !ok {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -n } else { n })
}

fn operands(op: &str, left: &str, right: &PyValue) -> String {
    format!("TypeError: unsupported operand type(s) for {op}: '{left}' and '{}'", type_name(right))
}

fn unsupported() -> String {
    "NotImplementedError: rqdash demo's simulated workers only emulate a few builtins with small \
     ints; run a real `rq worker` for this job"
        .to_owned()
}

fn type_name(v: &PyValue) -> &'static str {
    match v {
        PyValue::None => "NoneType",
        PyValue::Bool(_) => "bool",
        PyValue::Int(_) | PyValue::BigInt(_) => "int",
        PyValue::Float(_) => "float",
        PyValue::Str(_) => "str",
        PyValue::List(_) => "list",
        PyValue::Dict(_) => "dict",
        _ => "object",
    }
}

const RQ: &str = "/usr/local/lib/python3.11/site-packages/rq";

/// The frames every failing job shows: RQ's worker calling the job's function.
fn frames() -> String {
    format!(
        "Traceback (most recent call last):\n  File \"{RQ}/worker/base.py\", line 1552, in perform_job\n    \
         return_value = job.perform()\n                   ^^^^^^^^^^^^^\n  File \"{RQ}/job.py\", line 1368, \
         in perform\n    self._result = self._execute()\n                   ^^^^^^^^^^^^^^^\n"
    )
}

fn raise_from_call(line: &str) -> Outcome {
    Outcome::Raise {
        traceback: format!(
            "{}  File \"{RQ}/job.py\", line 1428, in _execute\n    result = self.func(*self.args, \
             **self.kwargs)\n             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n{line}\n",
            frames()
        ),
    }
}

/// RQ's `Job.func` failing to import the function (its `KeyError` chained, as Python prints it).
fn raise_from_lookup(func: &str) -> Outcome {
    let key = PyValue::Str(func.to_owned()).to_repr(usize::MAX);
    Outcome::Raise {
        traceback: format!(
            "Traceback (most recent call last):\n  File \"{RQ}/utils.py\", line 199, in \
             import_attribute\n    return __builtins__[name]  # type: ignore[index]\n           \
             ~~~~~~~~~~~~^^^^^^\nKeyError: {key}\n\nDuring handling of the above exception, another \
             exception occurred:\n\n{}  File \"{RQ}/job.py\", line 1426, in _execute\n    if not \
             self.func:\n           ^^^^^^^^^\n  File \"{RQ}/job.py\", line 523, in func\n    return \
             import_attribute(func_name)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"{RQ}/utils.py\", \
             line 201, in import_attribute\n    raise ValueError(f'Invalid attribute name: {{name}}')\n\
             ValueError: Invalid attribute name: {func}\n",
            frames()
        ),
    }
}

#[cfg(test)]
mod tests;
