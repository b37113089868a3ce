//! Golden tests: pickles written by real CPython (`tests/fixtures/gen_pickles.py`) must
//! decode and render exactly as expected, for every protocol.

use serde_json::json;

use super::*;

fn dec(bytes: &[u8]) -> PyValue {
    match decode(bytes, &Limits::default()) {
        Ok(v) => v,
        Err(e) => panic!("decode failed: {e}"),
    }
}

/// Python's `repr()` of the same dict, as written by the generator.
fn python_repr() -> String {
    String::from_utf8_lossy(fixture!("dict.repr.txt")).into_owned()
}

#[test]
fn rich_dict_every_protocol_matches_python_repr() {
    let all: [&[u8]; 6] = [
        fixture!("dict_p0.pkl"),
        fixture!("dict_p1.pkl"),
        fixture!("dict_p2.pkl"),
        fixture!("dict_p3.pkl"),
        fixture!("dict_p4.pkl"),
        fixture!("dict_p5.pkl"),
    ];
    let expected = python_repr();
    let first = dec(all[0]);
    for (proto, bytes) in all.iter().enumerate() {
        let v = dec(bytes);
        assert_eq!(v.to_repr(10_000), expected, "protocol {proto}");
        // Same tree whatever the protocol (sets, bytes, True/False are folded alike).
        assert_eq!(v, first, "protocol {proto}");
    }
}

#[test]
fn rich_dict_json_view() {
    let j = dec(fixture!("dict_p5.pkl")).to_json();
    assert_eq!(j["big"], json!("1180591620717411303424"));
    assert_eq!(j["nbig"], json!("-1180591620717411303424"));
    assert_eq!(j["bytes"], json!({"$bytes": "AAFhYv8n"}));
    assert_eq!(j["ints"], json!([1, 2, 3]));
    assert_eq!(j["frozen"], json!([4]));
    assert_eq!(j["tuple"], json!([1]));
    assert_eq!(j["none"], json!(null));
    assert_eq!(j["bools"], json!([true, false]));
    assert_eq!(j["nested"], json!({"k": [{"deep": [1, 2.0, "x"]}]}));
    assert_eq!(j["str"], json!("h\u{e9}llo 'w\"orld'\n\u{2603}"));
}

const RICH_ARGS: &str = "(1, 1180591620717411303424, -1180591620717411303424, 1.5, \
    '\u{fc}nic\u{f8}de \u{2603}', b'\\x00raw\\xff', bytearray(b'ba'), {1, 2}, frozenset({3}), \
    (1, 't'), [1, 'l'], {'a': {'b': [1, 2]}}, None, True, False)";
const RICH_KWARGS: &str = "{'naive': datetime.datetime(2026, 11, 27, 4, 35, 17, 903457), \
    'utc': datetime.datetime(2026, 11, 27, 4, 35, 17, 903457, tzinfo=datetime.timezone.utc), \
    'date': datetime.date(2026, 11, 27), 'time': datetime.time(4, 35, 17, 5), \
    'delta': datetime.timedelta(days=1, seconds=5, microseconds=7), \
    'dec': decimal.Decimal('1.10'), 'uid': uuid.UUID('12345678-1234-5678-1234-567812345678'), \
    'pt': tasks.Point(x=1, y=2.0), 'plain': tasks.Plain(a=1, b='b'), 'color': tasks.Color(2), \
    'od': collections.OrderedDict({'a': 1, 'b': 2}), 'dd': collections.defaultdict(int, {'x': 1}), \
    'cx': (1-2j)}";

#[test]
fn rich_values_protocols_0_and_2() {
    // Protocol 0 uses copyreg._reconstructor, _codecs.encode and text opcodes; protocol 2
    // uses builtins.set/bytearray REDUCEs. Both must read like protocol 5.
    let expected = format!("({RICH_ARGS}, {RICH_KWARGS})");
    assert_eq!(dec(fixture!("rich_p0.pkl")).to_repr(10_000), expected);
    assert_eq!(dec(fixture!("rich_p2.pkl")).to_repr(10_000), expected);
}

#[test]
fn return_value_and_meta() {
    let point = dec(fixture!("result_point.pkl"));
    assert_eq!(point.to_repr(100), "tasks.Point(x=3, y=4.5)");
    assert_eq!(point.to_json(), json!({"$class": "tasks.Point", "$repr": "tasks.Point(x=3, y=4.5)"}));
    let PyValue::Object(obj) = &point else { panic!("not an object") };
    assert_eq!(obj.class, "tasks.Point");
    assert_eq!(obj.args, PyValue::Tuple(vec![]));
    let meta = dec(fixture!("meta.pkl"));
    assert_eq!(meta.to_repr(100), "{'progress': 0.5, 'stage': 'load'}");
    assert_eq!(meta.to_json(), json!({"progress": 0.5, "stage": "load"}));
}

#[test]
fn float_and_string_reprs_follow_python() {
    let cases = [
        (PyValue::Float(1e16), "1e+16"),
        (PyValue::Float(1e15), "1000000000000000.0"),
        (PyValue::Float(1.5e-7), "1.5e-07"),
        (PyValue::Float(0.0001), "0.0001"),
        (PyValue::Float(0.1), "0.1"),
        (PyValue::Float(-0.0), "-0.0"),
        (PyValue::Float(f64::NAN), "nan"),
        (PyValue::Float(f64::NEG_INFINITY), "-inf"),
        (PyValue::Str("it's".into()), "\"it's\""),
        (PyValue::Str("a\\b\t\u{7}\u{85}".into()), "'a\\\\b\\t\\x07\\x85'"),
        (PyValue::Bytes(b"it's \"x\"".to_vec()), "b'it\\'s \"x\"'"),
        (PyValue::Tuple(vec![]), "()"),
        (PyValue::Set(vec![]), "set()"),
        (PyValue::FrozenSet(vec![]), "frozenset()"),
        (PyValue::Global("builtins.ValueError".into()), "ValueError"),
        (PyValue::Recursive, "..."),
    ];
    for (v, want) in cases {
        assert_eq!(v.to_repr(100), want);
    }
    let j = PyValue::List(vec![PyValue::Float(f64::INFINITY), PyValue::Truncated]).to_json();
    assert_eq!(j, json!(["inf", {"$truncated": true}]));
    let d = PyValue::Dict(vec![(PyValue::Int(1), PyValue::Str("a".into()))]);
    assert_eq!(d.to_json(), json!({"$dict": [[1, "a"]]}));
}

#[test]
fn repr_and_json_are_capped() {
    let long = PyValue::Str("x".repeat(10_000));
    let r = long.to_repr(50);
    assert!(r.len() <= 50 + '…'.len_utf8() && r.ends_with('…'), "{r}");
    let big = PyValue::List((0..200_000).map(PyValue::Int).collect());
    let r = big.to_repr(100);
    assert!(r.starts_with("[0, 1, 2") && r.ends_with('…') && r.len() < 110);
    let j = big.to_json_capped(10, 10);
    assert_eq!(j.as_array().map(Vec::len), Some(10));
    let cut = PyValue::Str("\u{e9}".repeat(10)).to_json_capped(10, 5);
    assert_eq!(cut, json!("\u{e9}\u{e9}…"));
    // Multi-byte characters are never split.
    assert_eq!(PyValue::Str("\u{2603}\u{2603}".into()).to_repr(5), "'\u{2603}…");
}

#[test]
fn hand_written_protocol_0_and_1_opcodes() {
    // Classic text pickle with INST, STRING escapes, LONG, FLOAT, PUT/GET, DUP, POP.
    let p = b"(lp0\nI5\naL12345678901234567890L\naF-2.5\naS'a\\nb'\nag0\na(S'x'\nI1\nitasks\nPoint\np1\n(dp2\nS'y'\nI2\nsbaI9\n0.";
    let v = dec(p);
    assert_eq!(v.to_repr(500), "[5, 12345678901234567890, -2.5, 'a\\nb', ..., tasks.Point('x', 1, y=2)]");
    // OBJ, EMPTY_TUPLE, BINPUT/BINGET, POP_MARK, EXT codes, NEWOBJ_EX.
    let p = [
        &b"\x80\x04(\x82\x07\x83\x00\x01\x84\x00\x00\x01\x00"[..],
        b"(\x8c\x01c\x8c\x01K\x93K\x01o\x94(K\x071h\x000",
        b"\x8c\x01m\x8c\x01C\x93)}\x8c\x01k\x88s\x92t.",
    ]
    .concat();
    let v = dec(&p);
    assert_eq!(v.to_repr(500), "(ext:7, ext:256, ext:65536, c.K(1), m.C(k=True))");
}

#[test]
fn remaining_scalar_and_container_opcodes() {
    let p = [
        &b"\x80\x05\x95\x00\x00\x00\x00\x00\x00\x00\x00("[..],
        b"B\x03\x00\x00\x00abc\x8e\x01\x00\x00\x00\x00\x00\x00\x00z",
        b"\x8d\x02\x00\x00\x00\x00\x00\x00\x00\xc3\xa9X\x01\x00\x00\x00x",
        b"T\x02\x00\x00\x00hiU\x01\xffM\xff\xffJ\xfe\xff\xff\xff",
        b"G\x3f\xf8\x00\x00\x00\x00\x00\x00Vs\\u00e9\n\x8a\x00K\x012\x86",
        b"(\x8c\x01kK\x01d(\x8c\x01jN\x8c\x01iNuq\x05r\x06\x00\x00\x00",
        b"\x88\x89t.trailing bytes after STOP are ignored",
    ]
    .concat();
    assert_eq!(
        dec(&p).to_repr(500),
        "(b'abc', b'z', '\u{e9}', 'x', 'hi', b'\\xff', 65535, -2, 1.5, 's\u{e9}', 0, (1, 1), \
         {'k': 1, 'j': None, 'i': None}, True, False)"
    );
}

#[test]
fn values_are_send_sync_clone() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    check::<PyValue>();
    check::<PickleError>();
    check::<crate::rq::decode::Decoded>();
    check::<crate::rq::decode::JobCall>();
}

#[test]
fn json_keeps_big_values_whole_by_default() {
    // RQ jobs can carry a 1 MiB string argument; the API must return it intact.
    let big = PyValue::Str("y".repeat(1 << 20));
    assert_eq!(big.to_json().as_str().map(str::len), Some(1 << 20));
    let many = PyValue::List((0..100_000).map(PyValue::Int).collect());
    assert_eq!(many.to_json().as_array().map(Vec::len), Some(100_000));
}
