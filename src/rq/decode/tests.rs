//! Unit tests of the field decoding layer (zlib caps, sniffing, text fields).

use super::*;
use flate2::{Compression, write::ZlibEncoder};
use std::io::Write;

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

#[test]
fn inflate_caps_and_errors() {
    assert_eq!(inflate(&zlib(b"abc"), 3), Ok(b"abc".to_vec()));
    assert_eq!(inflate(&zlib(b"abcd"), 3), Err(DecodeError::TooLarge(3)));
    assert!(matches!(inflate(b"\x80\x05N.", 10), Err(DecodeError::Zlib(_))));
    let z = zlib(b"hello world");
    assert!(inflate(&z[..z.len() - 3], 100).is_err(), "truncated zlib must not pass");
}

#[test]
fn zlib_bomb() {
    // 64 MiB of zeros compresses to ~64 KiB; only cap+1 bytes are ever inflated.
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..64 {
        let _ = e.write_all(&chunk);
    }
    let bomb = e.finish().unwrap_or_default();
    assert!(bomb.len() < 1 << 20);
    assert_eq!(inflate(&bomb, MAX_INFLATED), Err(DecodeError::TooLarge(MAX_INFLATED)));
    assert!(matches!(decode_payload(&bomb, true), Decoded::Undecodable { .. }));
    assert!(decode_text(&bomb, true).ends_with("(truncated)"));
}

#[test]
fn sniffing() {
    assert_eq!(decode_payload(b"\x80\x05K\x07.", false), Decoded::Pickle(PyValue::Int(7)));
    assert_eq!(decode_payload(&zlib(b"\x80\x05K\x07."), true), Decoded::Pickle(PyValue::Int(7)));
    // Not zlib: RQ falls back to the raw bytes.
    assert_eq!(decode_payload(b"\x80\x05K\x07.", true), Decoded::Pickle(PyValue::Int(7)));
    assert_eq!(decode_payload(b" [1, 2]", false), Decoded::Json(json!([1, 2])));
    assert_eq!(decode_payload(b"I5\n.", false), Decoded::Pickle(PyValue::Int(5)));
    let text = decode_payload(b"Unserializable return value", false);
    assert_eq!(text, Decoded::Text("Unserializable return value".into()));
    for raw in [&b""[..], b"\xff\xfe\x00", b"\x80\x05\x95"] {
        let d = decode_payload(raw, true);
        assert!(matches!(&d, Decoded::Undecodable { len, .. } if *len == raw.len()), "{d:?}");
    }
    let bad = decode_payload(b"\x80\x05\xff", false);
    assert_eq!(bad.to_repr(200), "<undecodable (unsupported opcode 0xff), 3 bytes: 80 05 ff>");
    let j = serde_json::to_value(&bad).unwrap_or_default();
    assert_eq!(
        j,
        json!({"format": "undecodable", "error": "unsupported opcode 0xff", "hex_preview": "80 05 ff", "len": 3})
    );
    let j = serde_json::to_value(Decoded::Pickle(PyValue::Int(7))).unwrap_or_default();
    assert_eq!(j, json!({"format": "pickle", "repr": "7", "value": 7}));
}

#[test]
fn text_fields() {
    assert_eq!(decode_text(&zlib(b""), true), "");
    assert_eq!(decode_text(&zlib("caf\u{e9}".as_bytes()), true), "caf\u{e9}");
    assert_eq!(decode_text(b"plain \xff", true), "plain \u{fffd}");
    assert_eq!(hex_preview(&[1, 2, 255], 2), "01 02 …");
    assert_eq!(hex_preview(&[], 2), "");
    assert_eq!(cut("h\u{e9}llo", 2), "h…");
}

#[test]
fn text_keeps_valid_utf8_and_replaces_invalid_bytes() {
    assert_eq!(into_text("ZeroDivisionError: é".as_bytes().to_vec()), "ZeroDivisionError: é");
    assert_eq!(into_text(b"bad \xff byte".to_vec()), "bad \u{fffd} byte");
    assert_eq!(decode_text(&zlib(b"tb \xfe"), true), "tb \u{fffd}");
}
