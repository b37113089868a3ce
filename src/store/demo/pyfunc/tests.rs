//! The emulated builtins against what CPython 3.11 answers (the expected texts were printed by
//! `python3.11 -c "..."` and by a real rq 2.12 worker).

use serde_json::json;

use super::*;
use crate::rq::decode::decode_job_data;
use crate::store::demo::encode::job_data;

fn outcome(func: &str, args: serde_json::Value) -> Outcome {
    let call = decode_job_data(&job_data(func, &args, &json!({}))).expect("a call");
    run(&call)
}

fn last_line(o: &Outcome) -> String {
    match o {
        Outcome::Raise { traceback } => traceback.lines().last().unwrap_or_default().to_owned(),
        Outcome::Return(v) => panic!("returned {v:?}"),
    }
}

#[test]
fn good_calls_return_what_python_returns() {
    assert_eq!(outcome("builtins.sum", json!([[12, 30, 7]])), Outcome::Return(Some(json!(49))));
    assert_eq!(outcome("builtins.max", json!([3, 17, 9])), Outcome::Return(Some(json!(17))));
    assert_eq!(outcome("builtins.min", json!([[4, 2, 8]])), Outcome::Return(Some(json!(2))));
    assert_eq!(outcome("builtins.len", json!(["héllo"])), Outcome::Return(Some(json!(5))));
    assert_eq!(outcome("builtins.sorted", json!([[5, 3, 9]])), Outcome::Return(Some(json!([3, 5, 9]))));
    assert_eq!(outcome("builtins.divmod", json!([7, -2])), Outcome::Return(Some(json!([-4, -1]))));
    assert_eq!(outcome("builtins.divmod", json!([129_900, 100])), Outcome::Return(Some(json!([1299, 0]))));
    assert_eq!(outcome("builtins.int", json!([" 4_200 "])), Outcome::Return(Some(json!(4200))));
    assert_eq!(outcome("builtins.pow", json!([2, 10])), Outcome::Return(Some(json!(1024))));
    assert_eq!(outcome("builtins.print", json!(["hi"])), Outcome::Return(None));
}

#[test]
fn bad_calls_raise_pythons_exceptions() {
    let cases = [
        ("builtins.len", json!([null]), "TypeError: object of type 'NoneType' has no len()"),
        ("builtins.max", json!([[]]), "ValueError: max() arg is an empty sequence"),
        (
            "builtins.int",
            json!(["12.50 EUR"]),
            "ValueError: invalid literal for int() with base 10: '12.50 EUR'",
        ),
        (
            "builtins.sum",
            json!([[1999, "4.99"]]),
            "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        ),
        ("builtins.divmod", json!([10, 0]), "ZeroDivisionError: integer division or modulo by zero"),
        ("tasks.add", json!([1]), "ValueError: Invalid attribute name: tasks.add"),
    ];
    for (func, args, line) in cases {
        assert_eq!(last_line(&outcome(func, args)), line, "{func}");
    }
}

#[test]
fn a_failure_is_framed_as_rq_frames_it() {
    let Outcome::Raise { traceback } = outcome("builtins.int", json!(["x"])) else { panic!("raised") };
    assert!(traceback.starts_with("Traceback (most recent call last):\n  File \""));
    assert!(traceback.contains("in perform_job\n    return_value = job.perform()\n"));
    assert!(traceback.contains("result = self.func(*self.args, **self.kwargs)\n             ^^^^"));
    assert!(traceback.ends_with("'x'\n"));
}
