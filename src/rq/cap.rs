//! What one job view may render: each value cut at [`VALUE_MAX`] bytes *as rendered* (escapes
//! counted, so a value of `<` or NUL bytes cannot grow five- or six-fold in HTML or JSON), the
//! whole view within [`VIEW_MAX`], and a record of every cut with the full size, for the
//! "show all (N MB)" links. The full text of one value is served separately, up to [`FULL_MAX`].

use serde::Serialize;

/// Longest rendering of one value on the job page and in the job API (README: "values over
/// 64 KB are cut").
pub const VALUE_MAX: usize = 64 * 1024;
/// Rendered bytes of values one job view shows in all; values past it are shown empty (cut).
/// With names, relations and markup, a job page or API answer stays under 1 MB.
pub const VIEW_MAX: usize = 640 * 1024;
/// Arguments (and keyword arguments, and raw hash fields) listed one by one.
pub const ITEMS_MAX: usize = 100;
/// Related jobs (dependencies, dependents) listed.
pub const RELATED_MAX: usize = 200;
/// Longest name (queue, worker, job id of a relation, callback) shown in a view.
pub const NAME_MAX: usize = 512;
/// Most bytes `/jobs/{id}/full` serves for one value; it says so past that.
pub const FULL_MAX: usize = 8 << 20;

/// One value that was cut, with its full size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cut {
    /// Where it is in the view: `description`, `args[0]`, `results[1].exc_string`, `raw.meta`...
    pub field: String,
    /// The `item` that `/jobs/{id}/full?item=` serves it under, when there is one.
    pub item: Option<String>,
    /// Full size in bytes: the text's, or for decoded values the stored (serialized) bytes; for
    /// a list (`args`, `raw`...), its number of items.
    pub len: usize,
    /// `len` is a lower bound: decompression stopped counting there (a zlib bomb).
    pub at_least: bool,
}

/// How many bytes `c` takes once escaped for HTML or JSON, whichever is more.
fn weight(c: char) -> usize {
    match c {
        '\n' | '\r' | '\t' | '\\' => 2,
        '<' | '>' | '&' | '"' | '\'' => 5,
        c if c.is_control() => 6,
        c => c.len_utf8(),
    }
}

/// Rendered size of `s` (see [`weight`]).
pub fn rendered_len(s: &str) -> usize {
    s.chars().map(weight).sum()
}

/// The longest prefix of `s` whose rendered size is at most `max`, and whether it is all of `s`.
pub fn prefix(s: &str, max: usize) -> (&str, bool) {
    if s.len().saturating_mul(6) <= max {
        return (s, true);
    }
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += weight(c);
        if used > max {
            return (s.get(..i).unwrap_or_default(), false);
        }
    }
    (s, true)
}

/// The view's budget of rendered bytes, and the cuts made so far.
#[derive(Debug)]
pub struct Budget {
    left: usize,
    pub cuts: Vec<Cut>,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(VIEW_MAX)
    }
}

impl Budget {
    pub fn new(total: usize) -> Self {
        Self { left: total, cuts: Vec::new() }
    }

    /// What the next value may take.
    pub fn allowance(&self) -> usize {
        self.left.min(VALUE_MAX)
    }

    /// Take `s` within the allowance; a cut is recorded under `field` with `full` as the
    /// full size (`None`: the length of `s`) and ends in `…`.
    pub fn text(&mut self, field: &str, item: Option<&str>, s: &str, full: Option<(usize, bool)>) -> String {
        let (shown, whole) = prefix(s, self.allowance());
        self.left = self.left.saturating_sub(rendered_len(shown));
        let (len, at_least) = full.unwrap_or((s.len(), false));
        if whole && len <= s.len() && !at_least {
            return shown.to_owned();
        }
        self.cut(field, item, len, at_least);
        format!("{shown}…")
    }

    /// Take `s`, rendered with room to spare, within the allowance; a cut records `stored_len`
    /// (the size of what `s` was rendered from) and ends in `…`.
    pub fn take(&mut self, field: &str, item: Option<&str>, s: &str, stored_len: usize) -> String {
        let (shown, whole) = prefix(s, self.allowance());
        self.left = self.left.saturating_sub(rendered_len(shown));
        if whole {
            return shown.to_owned();
        }
        self.cut(field, item, stored_len, false);
        format!("{shown}…")
    }

    /// Charge `n` rendered bytes that were cut elsewhere.
    pub fn charge(&mut self, n: usize) {
        self.left = self.left.saturating_sub(n);
    }

    /// Record a cut.
    pub fn cut(&mut self, field: &str, item: Option<&str>, len: usize, at_least: bool) {
        let field = field.to_owned();
        self.cuts.push(Cut { field, item: item.map(str::to_owned), len, at_least });
    }

    /// The cut recorded for `field`, if any.
    pub fn find<'a>(cuts: &'a [Cut], field: &str) -> Option<&'a Cut> {
        cuts.iter().find(|c| c.field == field)
    }
}

/// A name (queue, worker, related job id) cut at [`NAME_MAX`] bytes.
pub fn name(s: &str) -> String {
    match prefix(s, NAME_MAX) {
        (p, true) => p.to_owned(),
        (p, false) => format!("{p}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_count_towards_the_cap() {
        assert_eq!(prefix("abc", 3), ("abc", true));
        assert_eq!(prefix("<<<", 10), ("<<", false));
        assert_eq!(prefix("\0\0", 6), ("\0", false));
        assert_eq!(prefix("éé", 3), ("é", false));
    }

    #[test]
    fn a_spent_budget_shows_nothing_more_and_records_each_cut() {
        let mut b = Budget::new(10);
        assert_eq!(b.text("a", None, "12345678", None), "12345678");
        assert_eq!(b.text("b", Some("b"), "12345", None), "12…");
        assert_eq!(b.text("c", None, "x", None), "…");
        let fields: Vec<&str> = b.cuts.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["b", "c"]);
        assert_eq!(b.cuts[0].len, 5);
    }
}
