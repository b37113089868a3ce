use serde_json::json;
use std::borrow::Cow;

use super::*;

fn s(v: &str) -> PyValue {
    PyValue::Str(v.to_owned())
}

#[test]
fn keys_match_patterns_as_case_insensitive_substrings() {
    let r = Redactor::default();
    for key in ["password", "user_password", "X-Auth-Token", "API_KEY", "sessionid", "Set-Cookie"] {
        assert!(r.matches(key), "{key}");
    }
    for key in ["user", "email", "pass", "tok"] {
        assert!(!r.matches(key), "{key}");
    }
    assert!(Redactor::new("").is_off() && !Redactor::new(" | ").matches("password"));
    assert!(Redactor::new("Email").matches("to_email"));
}

#[test]
fn nested_dicts_lists_and_object_state_are_walked_but_positional_values_are_not() {
    let r = Redactor::default();
    let mut v = PyValue::Tuple(vec![
        s("tasks.f"),
        PyValue::None,
        PyValue::Tuple(vec![s("hunter2"), PyValue::Dict(vec![(s("token"), s("t0k"))])]),
        PyValue::Dict(vec![
            (s("password"), s("hunter2")),
            (s("auth"), PyValue::Dict(vec![(s("user"), s("bob")), (s("Token"), s("t0k"))])),
            (s("items"), PyValue::List(vec![PyValue::Dict(vec![(s("secret"), PyValue::Int(7))])])),
        ]),
    ]);
    assert_eq!(r.py(&mut v), 4);
    let text = v.to_repr(4096);
    assert!(!text.contains("t0k") && text.contains("'user': 'bob'"), "{text}");
    assert!(text.contains("'hunter2'"), "a positional argument has no key: {text}");
    assert!(text.contains(&format!("'password': {REDACTED}")), "{text}");
    assert_eq!(v.to_json()[3]["password"], REDACTED);
}

#[test]
fn json_objects_are_walked_like_dicts() {
    let mut v = json!({"meta": {"api_key": "k", "list": [{"cookie": "c"}], "n": 1}});
    assert_eq!(Redactor::default().json(&mut v), 2);
    assert_eq!(v, json!({"meta": {"api_key": REDACTED, "list": [{"cookie": REDACTED}], "n": 1}}));
    assert_eq!(Redactor::off().json(&mut v), 0);
}

#[test]
fn a_description_hides_matching_keywords_and_dict_keys_only() {
    let r = Redactor::default();
    let d =
        "tasks.login('bob', password='hunter2, x', opts={'token': ('a', 'b'), 'n': 1}, note='password=no')";
    let out = r.text(d);
    assert_eq!(
        out,
        format!(
            "tasks.login('bob', password={REDACTED}, opts={{'token': {REDACTED}, 'n': 1}}, note='password=no')"
        )
    );
    assert!(matches!(r.text("tasks.add(1, 2)"), Cow::Borrowed(_)));
    assert_eq!(r.text("f(session_id=Obj(a=1)) == 2"), format!("f(session_id={REDACTED}) == 2"));
    assert_eq!(r.text("f(\"api_key\": 'x'"), format!("f(\"api_key\": {REDACTED}"));
}

#[test]
fn blobs_mentioning_a_pattern_are_recognised_whatever_the_case() {
    let r = Redactor::default();
    assert!(r.mentions(b"\x80\x05{'API_KEY': 1}"));
    assert!(!r.mentions(b"plain"));
    assert!(!Redactor::off().mentions(b"password"));
}

#[test]
fn reveal_turns_redaction_off_on_this_thread_only_while_it_runs() {
    assert!(active().is_some());
    revealed(|| {
        assert!(active().is_none());
        assert!(std::thread::spawn(|| active().is_some()).join().expect("thread"));
    });
    assert!(active().is_some());
}

#[test]
fn an_objects_state_and_keyword_arguments_are_walked() {
    let obj = crate::rq::pickle::PyObject {
        class: "tasks.Client".into(),
        args: PyValue::Tuple(vec![]),
        kwargs: vec![(s("api_key"), s("k1"))],
        state: Some(PyValue::Dict(vec![(s("session"), s("k2")), (s("host"), s("h"))])),
        items: Vec::new(),
        dict_items: Vec::new(),
    };
    let mut v = PyValue::Object(Box::new(obj));
    assert_eq!(Redactor::default().py(&mut v), 2);
    let text = v.to_repr(4096);
    assert!(!text.contains("k1") && !text.contains("k2") && text.contains("'h'"), "{text}");
}

#[test]
fn raw_fields_named_like_secrets_or_mentioning_a_pattern_are_hidden() {
    assert!(raw_hidden("session_id", b"abc"));
    assert!(raw_hidden("meta", b"\x80\x05{'api_key': 'x'}"));
    assert!(!raw_hidden("meta", b"\x80\x05{'who': 'bob'}"));
    assert!(!raw_hidden("status", b"token"), "only serialized values are scanned");
    revealed(|| assert!(!raw_hidden("session_id", b"abc")));
}
