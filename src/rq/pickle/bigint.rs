//! Arbitrary-size integers (LONG1/LONG4 and long text literals) to decimal strings.
//!
//! Sizes are capped like CPython caps `str(int)` (4300 digits by default): decimal
//! conversion is quadratic, so a 4 GiB `LONG4` must not be converted. Anything over
//! the cap becomes `Node::Truncated` instead of failing the whole pickle.

use super::machine::Node;

/// Largest LONG1/LONG4 payload we convert (about 2,466 decimal digits).
const MAX_LONG_BYTES: usize = 1024;
/// Largest decimal literal accepted from protocol-0 `INT`/`LONG` lines.
const MAX_DIGITS: usize = 4300;

/// Decode a little-endian two's complement integer (the LONG1/LONG4 payload).
pub(super) fn from_le_bytes(bytes: &[u8]) -> Node {
    if bytes.len() > MAX_LONG_BYTES {
        return Node::Truncated;
    }
    let negative = bytes.last().is_some_and(|b| b & 0x80 != 0);
    if bytes.len() <= 8 {
        // Sign-extend into an i64 directly.
        let mut buf = if negative { [0xffu8; 8] } else { [0u8; 8] };
        buf[..bytes.len()].copy_from_slice(bytes);
        return Node::Int(i64::from_le_bytes(buf));
    }
    // Magnitude of a negative number is the two's complement: invert and add one.
    let mut mag: Vec<u8> = if negative { bytes.iter().map(|b| !b).collect() } else { bytes.to_vec() };
    if negative {
        for b in mag.iter_mut() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    to_node(negative, magnitude_to_decimal(&mag))
}

/// Repeated division by 10^9 over 32-bit limbs (little-endian byte input).
fn magnitude_to_decimal(mag: &[u8]) -> String {
    let mut limbs: Vec<u32> =
        mag.chunks(4).map(|c| c.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))).collect();
    let mut chunks: Vec<u32> = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut rem: u64 = 0;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem as u32);
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
    let mut out = match chunks.pop() {
        Some(first) => first.to_string(),
        None => return "0".to_string(),
    };
    for c in chunks.iter().rev() {
        out.push_str(&format!("{c:09}"));
    }
    out
}

/// Parse a protocol-0 decimal literal (`INT`/`LONG` lines, without the `L` suffix).
pub(super) fn from_decimal(text: &str) -> Option<Node> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > MAX_DIGITS {
        return Some(Node::Truncated);
    }
    let digits = digits.trim_start_matches('0');
    Some(to_node(negative, if digits.is_empty() { "0".into() } else { digits.into() }))
}

/// Int if it fits i64, else a normalized decimal string.
fn to_node(negative: bool, magnitude: String) -> Node {
    let signed = if negative && magnitude != "0" { format!("-{magnitude}") } else { magnitude };
    match signed.parse::<i64>() {
        Ok(v) => Node::Int(v),
        Err(_) => Node::BigInt(signed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(n: Node) -> String {
        format!("{n:?}")
    }

    #[test]
    fn le_bytes() {
        assert_eq!(show(from_le_bytes(&[])), "Int(0)");
        assert_eq!(show(from_le_bytes(&[0xff])), "Int(-1)");
        assert_eq!(show(from_le_bytes(&[0x00, 0x80])), "Int(-32768)");
        // 2**70 and -(2**70) as Python's pickle writes them.
        let p = [0, 0, 0, 0, 0, 0, 0, 0, 0x40];
        assert_eq!(show(from_le_bytes(&p)), "BigInt(\"1180591620717411303424\")");
        let n = [0, 0, 0, 0, 0, 0, 0, 0, 0xc0];
        assert_eq!(show(from_le_bytes(&n)), "BigInt(\"-1180591620717411303424\")");
        // 9 bytes that still fit i64 (i64::MIN).
        let m = [0, 0, 0, 0, 0, 0, 0, 0x80, 0xff];
        assert_eq!(show(from_le_bytes(&m)), "Int(-9223372036854775808)");
        assert_eq!(show(from_le_bytes(&[0x55; 2000])), "Truncated");
    }

    #[test]
    fn decimal_text() {
        assert_eq!(from_decimal("12").map(show), Some("Int(12)".into()));
        assert_eq!(from_decimal("-0").map(show), Some("Int(0)".into()));
        let big = from_decimal("-0001180591620717411303424").map(show);
        assert_eq!(big, Some("BigInt(\"-1180591620717411303424\")".into()));
        assert!(from_decimal("1x").is_none());
        assert!(from_decimal("-").is_none());
        assert_eq!(from_decimal(&"9".repeat(5000)).map(show), Some("Truncated".into()));
    }
}
