//! Redaction inside Python-like call text: RQ writes a job's `description` as
//! `tasks.f(1, password='x', opts={'token': 'y'})`, the arguments' reprs, so a `name=` keyword
//! or a quoted dict key that matches has its value (one Python literal) replaced.

use std::borrow::Cow;

use crate::rq::redact::{REDACTED, Redactor};

impl Redactor {
    /// `s` with the value after every matching `name=` or `'key':` hidden; borrowed when
    /// nothing matched. Strings are skipped whole, so `'a=b'` is not read as a keyword.
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.is_off() {
            return Cow::Borrowed(s);
        }
        let b = s.as_bytes();
        let mut out = String::new();
        let (mut i, mut copied, mut hits) = (0, 0, 0);
        while i < b.len() {
            let (key, after) = match b[i] {
                q @ (b'\'' | b'"') => {
                    let end = string_end(b, i, q);
                    let next = skip_spaces(b, end);
                    let inner = s.get(i + 1..end.saturating_sub(1).max(i + 1)).unwrap_or_default();
                    ((b.get(next) == Some(&b':')).then_some(inner), next + 1)
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let end = ident_end(b, i);
                    let kw = b.get(end) == Some(&b'=') && b.get(end + 1) != Some(&b'=');
                    (kw.then(|| s.get(i..end).unwrap_or_default()), end + 1)
                }
                _ => (None, i + 1),
            };
            match key {
                Some(k) if self.matches(k) => {
                    let start = skip_spaces(b, after);
                    let end = value_end(b, start);
                    out.push_str(s.get(copied..start).unwrap_or_default());
                    out.push_str(REDACTED);
                    (copied, i, hits) = (end, end, hits + 1);
                }
                // A string or identifier is stepped over whole; anything else one byte.
                _ => i = next_token(b, i),
            }
        }
        if hits == 0 {
            return Cow::Borrowed(s);
        }
        out.push_str(s.get(copied..).unwrap_or_default());
        Cow::Owned(out)
    }
}

fn next_token(b: &[u8], i: usize) -> usize {
    match b[i] {
        q @ (b'\'' | b'"') => string_end(b, i, q),
        c if c.is_ascii_alphabetic() || c == b'_' => ident_end(b, i),
        _ => i + 1,
    }
}

/// Index just past the string literal opened by quote `q` at `i` (backslash escapes honoured).
fn string_end(b: &[u8], i: usize, q: u8) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

fn ident_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    j
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    i
}

/// End of one Python literal starting at `i`: up to a `,` or an unopened closing bracket at
/// depth 0, with strings and nested brackets stepped over.
fn value_end(b: &[u8], i: usize) -> usize {
    let (mut j, mut depth) = (i, 0usize);
    while j < b.len() {
        match b[j] {
            q @ (b'\'' | b'"') => {
                j = string_end(b, j, q);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return j,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => return j,
            _ => {}
        }
        j += 1;
    }
    b.len()
}
