//! What the settings reader accepts, and how it names what it refuses.

use super::*;

fn values(src: &str) -> Vec<(String, Value)> {
    parse(src).expect("parses").into_iter().map(|a| (a.key, a.value)).collect()
}

#[test]
fn plain_assignments_comments_and_docstrings_are_read() {
    let src = "\"\"\"Settings for\nthe dashboard.\"\"\"\n# a comment\n\nRQ_DASHBOARD_REDIS_URL = \"redis://h:6379/1\"  # trailing\nRQ_DASHBOARD_USERNAME = 'admin'\nRQ_DASHBOARD_POLL_INTERVAL = 2_500\nDEBUG = True\nX = None\nF = -1.5e-1\nR = r'a\\b'\n";
    assert_eq!(
        values(src),
        vec![
            ("RQ_DASHBOARD_REDIS_URL".into(), Value::Str("redis://h:6379/1".into())),
            ("RQ_DASHBOARD_USERNAME".into(), Value::Str("admin".into())),
            ("RQ_DASHBOARD_POLL_INTERVAL".into(), Value::Int(2500)),
            ("DEBUG".into(), Value::Bool(true)),
            ("X".into(), Value::None),
            ("F".into(), Value::Float(-0.15)),
            ("R".into(), Value::Str("a\\b".into())),
        ]
    );
}

#[test]
fn lists_and_tuples_may_span_lines() {
    let src =
        "URLS = [\n    \"redis://a\",  # first\n    'redis://b',\n]\nT = ('x',)\nP = ('y')\nS = 'a' 'b'\n";
    let v = values(src);
    assert_eq!(v[0].1, Value::List(vec![Value::Str("redis://a".into()), Value::Str("redis://b".into())]));
    assert_eq!(v[1].1, Value::List(vec![Value::Str("x".into())]));
    assert_eq!(v[2].1, Value::Str("y".into()));
    assert_eq!(v[3].1, Value::Str("ab".into()));
    assert_eq!(parse(src).expect("parses")[1].line, 5);
}

#[test]
fn code_is_refused_with_its_line_and_what_it_is() {
    let cases = [
        ("A = 1\nimport os\n", 2, "an import"),
        ("from os import environ\n", 1, "an import"),
        ("A = 1\n\nB = os.environ.get('X')\n", 3, "an expression (os. ...)"),
        ("URL = get_url()\n", 1, "a function call (get_url(...))"),
        ("A = 1 + 2\n", 1, "an expression (`+`)"),
        ("A = f'{x}'\n", 1, "a f-string"),
        ("A = {'k': 1}\n", 1, "an expression (`{`)"),
        ("def f():\n    pass\n", 1, "a `def` statement"),
        ("A = 'open\n", 1, "never closed"),
        ("A = B\n", 1, "a name (B)"),
        ("print('x')\n", 1, "a function call (print(...))"),
    ];
    for (src, line, what) in cases {
        let e = parse(src).expect_err(src);
        assert_eq!(e.line, line, "{src:?}: {e:?}");
        assert!(e.what.contains(what), "{src:?}: {e:?}");
    }
}
