//! Tokens of the Python subset [`super`] reads: names, strings (quoted, triple-quoted, raw),
//! numbers and punctuation; comments dropped, newlines inside brackets ignored, as Python does.

use super::{NotUnderstood, Tok, fail};

/// The tokens of `src`, each with its 1-based line.
pub(super) fn lex(src: &str) -> Result<Vec<(Tok, usize)>, NotUnderstood> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<(Tok, usize)> = Vec::new();
    let (mut i, mut line, mut depth) = (0, 1, 0usize);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\n' => {
                if depth == 0 && out.last().is_some_and(|(t, _)| *t != Tok::Newline) {
                    out.push((Tok::Newline, line));
                }
                line += 1;
                i += 1;
            }
            '\\' if chars.get(i + 1) == Some(&'\n') => {
                line += 1;
                i += 2;
            }
            c if c.is_whitespace() => i += 1,
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let quote = chars.get(i).is_some_and(|q| *q == '"' || *q == '\'');
                if quote && word.len() <= 2 && word.chars().all(|p| "rRbBuUfF".contains(p)) {
                    let lower = word.to_ascii_lowercase();
                    if lower.contains('f') || lower.contains('b') {
                        return fail(line, format!("a {word}-string (only plain strings are read)"));
                    }
                    let (s, next, lines) = string(&chars, i, lower.contains('r'), line)?;
                    out.push((Tok::Str(s), line));
                    line += lines;
                    i = next;
                } else {
                    out.push((Tok::Name(word), line));
                }
            }
            '"' | '\'' => {
                let (s, next, lines) = string(&chars, i, false, line)?;
                out.push((Tok::Str(s), line));
                line += lines;
                i = next;
            }
            c if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '_')) {
                    // An exponent's sign: 1e-3.
                    if matches!(chars[i], 'e' | 'E') && matches!(chars.get(i + 1), Some('-' | '+')) {
                        i += 1;
                    }
                    i += 1;
                }
                out.push((Tok::Num(chars[start..i].iter().collect()), line));
            }
            _ => {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                out.push((Tok::Op(c), line));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The string literal opening at `chars[i]`: its value, the index after it, the newlines inside.
fn string(chars: &[char], i: usize, raw: bool, line: usize) -> Result<(String, usize, usize), NotUnderstood> {
    let q = chars[i];
    let triple = chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    let (mut s, mut lines) = (String::new(), 0);
    loop {
        let Some(&c) = chars.get(j) else {
            return fail(line, "a string that is never closed");
        };
        if c == q && (!triple || (chars.get(j + 1) == Some(&q) && chars.get(j + 2) == Some(&q))) {
            return Ok((s, if triple { j + 3 } else { j + 1 }, lines));
        }
        if c == '\n' {
            if !triple {
                return fail(line, "a string that is never closed");
            }
            lines += 1;
        }
        if c == '\\' && j + 1 < chars.len() {
            let e = chars[j + 1];
            if raw {
                s.push('\\');
                s.push(e);
            } else {
                match e {
                    '\n' => lines += 1,
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    '0' => s.push('\0'),
                    '\\' | '\'' | '"' => s.push(e),
                    // Python keeps an unknown escape as written.
                    other => {
                        s.push('\\');
                        s.push(other);
                    }
                }
            }
            if e == '\n' && raw {
                lines += 1;
            }
            j += 2;
            continue;
        }
        s.push(c);
        j += 1;
    }
}
