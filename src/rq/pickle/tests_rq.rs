//! RQ-level tests: job `data` payloads as RQ 3.0 writes them (zlib + pickle protocol 5, or
//! zlib + JSON), the bound-method form, a malicious payload, and text fields.
//! They exercise `crate::rq::decode` on top of the pickle VM.

use serde_json::json;

use super::PyValue;
use crate::rq::decode::{Decoded, JobCall, Serializer, decode_job_data, decode_payload, decode_text};

fn job(raw: &[u8]) -> JobCall {
    match decode_job_data(raw) {
        Ok(call) => call,
        Err(d) => panic!("not a job: {d:?}"),
    }
}

#[test]
fn rich_job_call_string() {
    let call = job(fixture!("job_rich.zlib"));
    assert_eq!(call.serializer, Serializer::Pickle);
    assert_eq!(call.func_name.as_deref(), Some("tasks.add"));
    assert_eq!(call.instance, None);
    assert_eq!(call.args.len(), 15);
    let names: Vec<&str> = call.kwargs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["naive", "utc", "date", "time", "delta", "dec", "uid", "pt", "plain", "color", "od", "dd", "cx"]
    );
    let s = call.call_string(10_000);
    assert!(s.starts_with("tasks.add(1, 1180591620717411303424, -1180591620717411303424, 1.5, "));
    assert!(s.contains(", None, True, False, naive=datetime.datetime(2026, 11, 27, 4, 35, 17, 903457), "));
    assert!(
        s.contains("utc=datetime.datetime(2026, 11, 27, 4, 35, 17, 903457, tzinfo=datetime.timezone.utc)")
    );
    assert!(s.ends_with("dd=collections.defaultdict(int, {'x': 1}), cx=(1-2j))"), "{s}");
    // Capped call strings end with the marker.
    let short = call.call_string(40);
    assert!(short.starts_with("tasks.add(1, 1180591620717411303424") && short.ends_with('…'), "{short}");
    assert!(short.len() <= 40 + '…'.len_utf8());
}

#[test]
fn rich_job_json_views() {
    let call = job(fixture!("job_rich.zlib"));
    let args = call.args_json();
    assert_eq!(args[1], json!("1180591620717411303424"));
    assert_eq!(args[4], json!("\u{fc}nic\u{f8}de \u{2603}"));
    assert_eq!(args[5], json!({"$bytes": "AHJhd/8="}));
    assert_eq!(args[6], json!({"$bytearray": "YmE="}));
    assert_eq!(args[7], json!([1, 2]));
    let kwargs = call.kwargs_json();
    assert_eq!(
        kwargs["uid"],
        json!({"$class": "uuid.UUID", "$repr": "uuid.UUID('12345678-1234-5678-1234-567812345678')"})
    );
    assert_eq!(kwargs["color"], json!({"$class": "tasks.Color", "$repr": "tasks.Color(2)"}));
    let j = serde_json::to_value(&call).unwrap_or_default();
    assert_eq!(j["func_name"], json!("tasks.add"));
    assert_eq!(j["serializer"], json!("pickle"));
}

#[test]
fn bound_method_job() {
    let call = job(fixture!("job_bound.zlib"));
    assert_eq!(call.func_name.as_deref(), Some("mul"));
    assert_eq!(call.call_string(200), "tasks.Calc(k=5).mul(3)");
    let Some(PyValue::Object(obj)) = &call.instance else { panic!("no instance") };
    assert_eq!(obj.class, "tasks.Calc");
    assert_eq!(obj.state, Some(PyValue::Dict(vec![(PyValue::Str("k".into()), PyValue::Int(5))])));
}

#[test]
fn json_serializer_job() {
    let call = job(fixture!("job_json.zlib"));
    assert_eq!(call.serializer, Serializer::Json);
    assert_eq!(call.call_string(200), "tasks.add(1, '\u{e9}', [2], k={'a': None})");
    assert_eq!(call.args_json(), json!([1, "\u{e9}", [2]]));
    assert_eq!(call.kwargs_json(), json!({"k": {"a": null}}));
}

#[test]
fn malicious_reduce_is_only_rendered() {
    let marker = std::path::Path::new("/tmp/rqdash-pwned");
    let existed = marker.exists();
    let call = job(fixture!("job_evil.zlib"));
    // CPython records os.system under its real module name, posix.
    assert_eq!(call.call_string(200), "tasks.add(posix.system('echo pwned > /tmp/rqdash-pwned'))");
    assert_eq!(marker.exists(), existed, "decoding must not run anything");
    // The classic hand-written protocol-0 payload.
    let classic = decode_payload(b"cos\nsystem\n(S'rm -rf /'\ntR.", false);
    assert_eq!(classic.to_repr(100), "os.system('rm -rf /')");
}

#[test]
fn not_a_job() {
    for raw in [&b""[..], b"\xff\xfe\x00\x01 not utf-8", b"\x80\x05\x95\x00"] {
        match decode_job_data(raw) {
            Err(Decoded::Undecodable { len, .. }) => assert_eq!(len, raw.len()),
            other => panic!("{other:?}"),
        }
    }
    // Valid values with the wrong shape come back decoded, for display.
    assert_eq!(decode_job_data(b"\x80\x05K\x07."), Err(Decoded::Pickle(PyValue::Int(7))));
    let three = b"\x80\x05N\x8c\x01f)\x87.";
    assert!(matches!(decode_job_data(three), Err(Decoded::Pickle(PyValue::Tuple(t))) if t.len() == 3));
    let bad_kwargs = decode_job_data(b"[\"f\", null, [], {\"a\": 1}, 5]");
    assert_eq!(bad_kwargs, Err(Decoded::Json(json!(["f", null, [], {"a": 1}, 5]))));
    let bad_args = decode_job_data(b"[\"f\", null, 3, {}]");
    assert!(matches!(bad_args, Err(Decoded::Json(_))));
    // JSON numbers beyond i64 and floats survive the conversion.
    let call = job(b"[\"f\", null, [18446744073709551615, 0.5], {}]");
    assert_eq!(call.call_string(100), "f(18446744073709551615, 0.5)");
}

#[test]
fn exception_text_fields() {
    let text = decode_text(fixture!("exc_info.zlib"), true);
    assert_eq!(text, "Traceback (most recent call last):\n  ValueError: bad \u{2603}\n");
    assert_eq!(decode_text(fixture!("exc_empty.zlib"), true), "");
    assert_eq!(decode_text(b"not compressed", true), "not compressed");
    assert_eq!(decode_text(b"\x78\x9c", false), "x\u{fffd}");
}
