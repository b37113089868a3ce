//! Names as pages show them: escaped, with Unicode's bidirectional control characters made
//! visible (in a name they can make text read differently from what it is).

use std::borrow::Cow;

use askama::filters::{Escaper, Html};

/// Unicode's bidirectional controls (embeddings, overrides, isolates, marks). In a name they
/// can make text read differently from what it is ("Trojan Source"), so pages show them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `s` with each bidi control written as `\u{202e}`: for attributes, titles and dialogs, where
/// markup cannot go. JSON answers keep the raw value.
pub fn bidi_plain(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_bidi_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` as HTML text: escaped, each bidi control shown as `\u{202e}` in a marked span.
pub fn name_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some((i, c)) = rest.char_indices().find(|(_, c)| is_bidi_control(*c)) {
        let _ = Html.write_escaped_str(&mut out, rest.get(..i).unwrap_or_default());
        out.push_str(&format!(
            "<span class=\"bidi\" title=\"bidirectional control character U+{:04X}\">\\u{{{:x}}}</span>",
            c as u32, c as u32
        ));
        rest = rest.get(i + c.len_utf8()..).unwrap_or_default();
    }
    let _ = Html.write_escaped_str(&mut out, rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_shown_and_the_rest_is_escaped() {
        assert_eq!(bidi_plain("ab\u{202e}c"), "ab\\u{202e}c");
        assert_eq!(bidi_plain("plain"), "plain");
        let html = name_html("<b>\u{2067}x");
        assert!(html.starts_with("&#60;b&#62;") || html.starts_with("&lt;b&gt;"), "{html}");
        assert!(html.contains(">\\u{2067}</span>x"), "{html}");
        assert!(!html.contains('\u{2067}'));
    }
}
