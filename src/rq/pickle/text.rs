//! Protocol-0 text arguments: INT/LONG/FLOAT literals, quoted `STRING`s, raw-unicode-escape
//! `UNICODE` lines and `GLOBAL` names.

use super::PickleError;
use super::bigint;
use super::machine::Node;

fn ascii(line: &[u8]) -> Result<&str, PickleError> {
    std::str::from_utf8(line).map_err(|_| PickleError::Malformed("non-ASCII number"))
}

/// `INT`: a decimal literal; `01`/`00` are how protocol 0 spells True/False.
pub(super) fn int_line(line: &[u8]) -> Result<Node, PickleError> {
    match line {
        b"01" => Ok(Node::Bool(true)),
        b"00" => Ok(Node::Bool(false)),
        _ => bigint::from_decimal(ascii(line)?).ok_or(PickleError::Malformed("bad INT")),
    }
}

/// `LONG`: a decimal literal with an optional Python 2 `L` suffix.
pub(super) fn long_line(line: &[u8]) -> Result<Node, PickleError> {
    let line = line.strip_suffix(b"L").unwrap_or(line);
    bigint::from_decimal(ascii(line)?).ok_or(PickleError::Malformed("bad LONG"))
}

/// `FLOAT`: Python's `repr(float)`, which Rust's parser accepts (incl. `inf`, `nan`).
pub(super) fn float_line(line: &[u8]) -> Result<Node, PickleError> {
    let v = ascii(line)?.trim().parse::<f64>().map_err(|_| PickleError::Malformed("bad FLOAT"))?;
    Ok(Node::Float(v))
}

/// Memo keys of `PUT`/`GET` lines.
pub(super) fn memo_key(line: &[u8]) -> Result<u64, PickleError> {
    ascii(line)?.trim().parse::<u64>().map_err(|_| PickleError::Malformed("bad memo key"))
}

/// `STRING`: a Python 2 `repr(str)` with matching quotes. Decoded to text when it is
/// UTF-8 (what Python 3 would mostly do with `encoding='ASCII'`), else kept as bytes.
pub(super) fn quoted_string(line: &[u8]) -> Result<Node, PickleError> {
    let inner = match line {
        [q @ (b'\'' | b'"'), inner @ .., last] if last == q => inner,
        _ => return Err(PickleError::Malformed("STRING not quoted")),
    };
    let bytes = unescape(inner);
    Ok(match String::from_utf8(bytes) {
        Ok(s) => Node::Str(s),
        Err(e) => Node::Bytes(e.into_bytes()),
    })
}

/// Python 2 string escapes: `\n`, `\xHH`, octal, quotes... Unknown escapes stay as-is.
fn unescape(inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while let Some(&b) = inner.get(i) {
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = inner.get(i) else {
            out.push(b'\\');
            break;
        };
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'v' => out.push(0x0b),
            b'\\' | b'\'' | b'"' => out.push(e),
            b'\n' => {} // line continuation
            b'x' => match inner.get(i..i + 2).and_then(hex_value) {
                Some(v) => {
                    out.push(v as u8);
                    i += 2;
                }
                None => out.extend_from_slice(b"\\x"),
            },
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match inner.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            _ => out.extend_from_slice(&[b'\\', e]),
        }
    }
    out
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    // from_str_radix alone would also accept a leading '+'.
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let s = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// `UNICODE`: raw-unicode-escape, i.e. latin-1 bytes plus `\uXXXX` and `\UXXXXXXXX`.
pub(super) fn raw_unicode_escape(line: &[u8]) -> String {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while let Some(&b) = line.get(i) {
        let width = match (b, line.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            _ => 0,
        };
        if width > 0
            && let Some(v) = line.get(i + 2..i + 2 + width).and_then(hex_value)
        {
            // Lone surrogates (legal in Python str) have no Rust char: show U+FFFD.
            out.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER));
            i += 2 + width;
            continue;
        }
        out.push(char::from(b));
        i += 1;
    }
    out
}

/// `GLOBAL`/`INST` names. Protocols < 3 write Python 2 module names (`fix_imports`);
/// map the common ones so known-class rendering sees one spelling.
pub(super) fn global_name(module: &[u8], name: &[u8]) -> String {
    let module = String::from_utf8_lossy(module);
    let name = String::from_utf8_lossy(name);
    let module = match module.as_ref() {
        "__builtin__" | "exceptions" => "builtins",
        "copy_reg" => "copyreg",
        other => other,
    };
    // Python 3 writes some builtins under their Python 2 names (`int` as `long`).
    let name = match (module, name.as_ref()) {
        ("builtins", "long") => "int",
        ("builtins", "unicode" | "basestring") => "str",
        ("builtins", "xrange") => "range",
        ("builtins", "unichr") => "chr",
        ("builtins", "StandardError") => "Exception",
        (_, other) => other,
    };
    format!("{module}.{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        let n = quoted_string(br"'a\'b\n\x41\101\\'").map(|n| format!("{n:?}"));
        assert_eq!(n, Ok(r#"Str("a'b\nAA\\")"#.to_string()));
        let n = quoted_string(br"'\xff'").map(|n| format!("{n:?}"));
        assert_eq!(n, Ok("Bytes([255])".to_string()));
        assert!(quoted_string(b"'abc").is_err());
        assert!(quoted_string(b"'").is_err());
        assert_eq!(raw_unicode_escape(b"h\xe9\\u2603\\U0001F600\\u12"), "h\u{e9}\u{2603}\u{1F600}\\u12");
        assert_eq!(raw_unicode_escape(b"\\ud800"), "\u{fffd}");
    }

    #[test]
    fn numbers() {
        assert!(matches!(int_line(b"01"), Ok(Node::Bool(true))));
        assert!(matches!(int_line(b"-5"), Ok(Node::Int(-5))));
        assert!(matches!(long_line(b"5L"), Ok(Node::Int(5))));
        assert!(matches!(float_line(b"inf"), Ok(Node::Float(f)) if f.is_infinite()));
        assert!(float_line(b"1.5x").is_err());
        assert_eq!(memo_key(b"17"), Ok(17));
        assert_eq!(global_name(b"__builtin__", b"set"), "builtins.set");
        assert_eq!(global_name(b"__builtin__", b"long"), "builtins.int");
        assert_eq!(global_name(b"os", b"system"), "os.system");
    }
}
