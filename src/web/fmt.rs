//! Formatting for pages: thousands separators, relative times, durations, escaped-by-template
//! URLs, and names with their bidirectional control characters made visible.

use crate::rq::time;

mod names;

pub use names::{bidi_plain, is_bidi_control, name_html};

/// Template filters: `{{ name|name }}` for names in text, `{{ text|bidi }}` in attributes and
/// titles. Every template struct's module imports this (`use crate::web::fmt::filters;`).
pub mod filters {
    use askama::Values;
    use askama::filters::Safe;

    /// Escaped HTML with bidi controls made visible (see [`super::name_html`]).
    #[askama::filter_fn]
    pub fn name(s: impl std::fmt::Display, _: &dyn Values) -> askama::Result<Safe<String>> {
        Ok(Safe(super::name_html(&s.to_string())))
    }

    /// `{{ n|plural("job") }}`: "1 job", "3 jobs", "1,200 jobs" (see [`super::plural_word`]).
    #[askama::filter_fn]
    pub fn plural(n: impl std::fmt::Display, _: &dyn Values, noun: &str) -> askama::Result<String> {
        let n = n.to_string();
        let word = super::plural_word(n == "1", noun);
        Ok(format!("{n} {word}"))
    }

    /// Plain text with bidi controls written out (escaped by the template as usual).
    #[askama::filter_fn]
    pub fn bidi(s: impl std::fmt::Display, _: &dyn Values) -> askama::Result<String> {
        Ok(super::bidi_plain(&s.to_string()).into_owned())
    }
}

/// `48213` → `48,213`.
pub fn int(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `noun` as is for one, else its plural: `job` → `jobs`, `entry` → `entries`.
pub fn plural_word(one: bool, noun: &str) -> String {
    match noun.strip_suffix('y') {
        _ if one => noun.to_owned(),
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{noun}s"),
    }
}

/// `n` with thousands separators and `noun` agreeing with it: "1 job", "10,000 jobs".
pub fn count(n: i64, noun: &str) -> String {
    format!("{} {}", int(n), plural_word(n == 1, noun))
}

/// A byte count as `512 B`, `1.5 MB`, `2.0 GB`.
pub fn bytes(n: i64) -> String {
    let f = n as f64;
    match n {
        _ if n < 1024 => format!("{n} B"),
        _ if n < 1 << 20 => format!("{:.1} KB", f / 1024.0),
        _ if n < 1 << 30 => format!("{:.1} MB", f / 1048576.0),
        _ => format!("{:.1} GB", f / 1073741824.0),
    }
}

/// A duration in seconds as `850 ms`, `12.3 s`, `4 min 5 s`, `3 h 2 min`, `5 d 3 h`.
pub fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "–".to_owned();
    }
    let s = secs as u64;
    match secs {
        x if x < 1.0 => format!("{} ms", (x * 1000.0).round() as u64),
        x if x < 60.0 => format!("{x:.1} s"),
        _ if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        _ if s < 86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// "3 min ago" / "in 2 h" relative to now, for an ISO timestamp.
pub fn relative(iso: &str) -> String {
    let Some(t) = time::parse(iso) else { return iso.to_owned() };
    let delta = time::now_epoch() - t.as_microsecond() as f64 / 1e6;
    let d = duration(delta.abs());
    let short = d.split(' ').take(2).collect::<Vec<_>>().join(" ");
    if delta.abs() < 1.0 {
        "just now".to_owned()
    } else if delta >= 0.0 {
        format!("{short} ago")
    } else {
        format!("in {short}")
    }
}

/// `2026-11-27T05:20:01.123456Z` → `2026-11-27 05:20:01 UTC` (the no-JavaScript rendering).
pub fn exact(iso: &str) -> String {
    match iso.get(..19) {
        Some(s) if iso.ends_with('Z') => format!("{} UTC", s.replace('T', " ")),
        _ => iso.to_owned(),
    }
}

/// Everything but RFC 3986's unreserved characters, so `emails.v2` and `fail-zero` stay readable.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encode a path segment (queue names and ids may hold anything, `/` included).
///
/// A name made only of dots gets two more: browsers and URL parsers drop a `.` or `..` segment
/// even when it is written `%2E`/`%2E%2E` (WHATWG URL), so queue `..` is linked as `....` and
/// the routes take the two dots off again ([`unseg`]).
pub fn seg(s: &str) -> String {
    let out = percent_encoding::utf8_percent_encode(s, SEGMENT).to_string();
    if dots_only(s) { out + ".." } else { out }
}

/// The name a (percent-decoded) path segment stands for: [`seg`]'s dot rule undone.
pub fn unseg(s: String) -> String {
    match s.get(2..) {
        Some(rest) if dots_only(&s) && !rest.is_empty() => rest.to_owned(),
        _ => s,
    }
}

fn dots_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'.')
}

/// Percent-encode a query value (no dot rule: query values are not normalised).
pub fn q(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// A timestamp prepared for templates: machine value, exact text and relative text.
#[derive(Debug, Clone)]
pub struct Time {
    pub iso: String,
    pub exact: String,
    pub relative: String,
}

impl Time {
    /// From an optional ISO timestamp.
    pub fn from(iso: Option<&str>) -> Option<Time> {
        iso.map(|i| Time { iso: i.to_owned(), exact: exact(i), relative: relative(i) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_only_names_survive_url_normalisation_and_come_back() {
        assert_eq!(seg("."), "...");
        assert_eq!(seg(".."), "....");
        assert_eq!(seg("emails.v2"), "emails.v2");
        assert_eq!(seg("a/b?c#d%"), "a%2Fb%3Fc%23d%25");
        for name in [".", "..", "...", "emails.v2", ".hidden", "a/b"] {
            assert_eq!(
                unseg(percent_encoding::percent_decode_str(&seg(name)).decode_utf8_lossy().into_owned()),
                name
            );
        }
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "job"), "1 job");
        assert_eq!(count(0, "job"), "0 jobs");
        assert_eq!(count(10_000, "job"), "10,000 jobs");
        assert_eq!(count(1, "entry"), "1 entry");
        assert_eq!(count(2, "entry"), "2 entries");
        assert_eq!(count(2, "key"), "2 keys");
    }

    #[test]
    fn integers_get_thousands_separators() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(48213), "48,213");
        assert_eq!(int(-1234567), "-1,234,567");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0.25), "250 ms");
        assert_eq!(duration(12.34), "12.3 s");
        assert_eq!(duration(245.0), "4 min 5 s");
        assert_eq!(duration(90_000.0), "1 d 1 h");
    }

    #[test]
    fn exact_times_are_utc_without_fraction() {
        assert_eq!(exact("2026-11-27T05:20:01.123456Z"), "2026-11-27 05:20:01 UTC");
    }
}
