//! The lexical side of the search syntax: tokens (`key:value`, quoted values, bare words),
//! quoting, rendering back to text, and folding form controls into one query.

use crate::store::{Error, Result};

/// The keys the syntax knows, with their aliases, for error messages and the form controls.
pub const KEYS: [&str; 15] = [
    "func",
    "exc",
    "queue",
    "state",
    "worker",
    "meta",
    "desc",
    "id",
    "group",
    "history",
    "after",
    "before",
    "created_after",
    "created_before",
    "archived",
];

fn canonical_key(k: &str) -> Option<&'static str> {
    Some(match k {
        "func" | "fn" | "function" => "func",
        "exc" | "exception" | "error" => "exc",
        "queue" | "origin" => "queue",
        "state" | "status" => "state",
        "worker" => "worker",
        "meta" => "meta",
        "desc" | "description" => "desc",
        "id" => "id",
        "group" => "group",
        "history" => "history",
        "after" => "after",
        "before" => "before",
        "created_after" => "created_after",
        "created_before" => "created_before",
        "archived" => "archived",
        _ => return None,
    })
}

/// One lexical item: an optional key and its (unquoted) value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub key: Option<&'static str>,
    pub value: String,
}

/// Read a quoted value starting after the opening quote; returns it and the index after the close.
fn quoted(chars: &[char], mut i: usize) -> (String, usize) {
    let mut v = String::new();
    while i < chars.len() {
        match chars[i] {
            '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                v.push(chars[i + 1]);
                i += 2;
            }
            '"' => return (v, i + 1),
            c => {
                v.push(c);
                i += 1;
            }
        }
    }
    (v, i)
}

/// Split a query into tokens. Unknown lowercase keys are errors (a typo should not silently
/// become a word that matches nothing); anything else with a `:` is a bare word.
pub fn tokens(q: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        if chars[i] == '"' {
            let (v, next) = quoted(&chars, i + 1);
            i = next;
            out.push(Token { key: None, value: v });
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != ':' && chars[i] != '"' {
            i += 1;
        }
        let head: String = chars[start..i].iter().collect();
        // `http://…` is text, not a key.
        let url = chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/');
        if chars.get(i) == Some(&':') && !head.is_empty() && !url {
            let lower = head.to_lowercase();
            match canonical_key(&lower) {
                Some(key) => {
                    i += 1;
                    let value = if chars.get(i) == Some(&'"') {
                        let (v, next) = quoted(&chars, i + 1);
                        i = next;
                        v
                    } else {
                        let s = i;
                        while i < chars.len() && !chars[i].is_whitespace() {
                            i += 1;
                        }
                        chars[s..i].iter().collect()
                    };
                    out.push(Token { key: Some(key), value });
                    continue;
                }
                None if head.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                    return Err(Error::BadRequest(format!(
                        "unknown search key {head:?} (known: {}); to search for text containing \":\", put it in double quotes",
                        KEYS.join(", ")
                    )));
                }
                None => {}
            }
        }
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        out.push(Token { key: None, value: chars[start..i].iter().collect() });
    }
    Ok(out)
}

/// Quote a value when the syntax needs it.
pub fn quote(v: &str) -> String {
    if !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || c == '"' || c == ':') {
        return v.to_owned();
    }
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Render tokens back into query text (values quoted where needed).
pub fn render(tokens: &[Token]) -> String {
    let parts: Vec<String> = tokens
        .iter()
        .map(|t| match t.key {
            Some(k) => format!("{k}:{}", quote(&t.value)),
            None => quote(&t.value),
        })
        .collect();
    parts.join(" ")
}

/// The query text with the form controls applied: a non-empty control replaces every criterion
/// of its key. Used to fold the form's fields into one bookmarkable `q`.
pub fn merge(q: &str, controls: &[(&str, &str)]) -> Result<String> {
    let mut toks = tokens(q)?;
    for (key, value) in controls {
        let value = value.trim();
        let Some(k) = canonical_key(key) else { continue };
        if value.is_empty() {
            continue;
        }
        toks.retain(|t| t.key != Some(k));
        toks.push(Token { key: Some(k), value: value.to_owned() });
    }
    Ok(render(&toks))
}
