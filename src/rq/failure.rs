//! Failures as groups: the exception part of a traceback, its type, and a normalised message in
//! which numbers, ids, hex and quoted values are masked, so "Timeout after 31s" and "Timeout
//! after 30s" fall into one group. Pure text functions, no I/O.

/// Longest normalised message kept in a group key (longer ones are cut on a char boundary).
pub const MESSAGE_MAX: usize = 240;

/// The exception lines of a Python traceback: everything after its last indented line (frames
/// and source lines are indented, the exception and its message are not). Text that is not a
/// traceback comes back trimmed.
pub fn exception_text(tb: &str) -> &str {
    let t = tb.trim_end();
    let mut start = 0;
    let mut pos = 0;
    for line in t.split_inclusive('\n') {
        pos += line.len();
        if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            start = pos;
        }
    }
    t.get(start..).unwrap_or(t).trim()
}

/// Split an exception line into (type, message): `pkg.mod.Error: text` → (`pkg.mod.Error`, `text`).
/// A line without a dotted identifier before its first `: ` is all message, with an empty type;
/// a bare identifier (`KeyboardInterrupt`) is all type.
pub fn split_exception(exc: &str) -> (&str, &str) {
    let first = exc.lines().next().unwrap_or("");
    let is_type = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|p| {
                p.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                    && p.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
    };
    if let Some((ty, _)) = first.split_once(':')
        && is_type(ty)
    {
        let rest = exc.get(ty.len() + 1..).unwrap_or("").trim();
        return (ty, rest);
    }
    if is_type(first.trim()) && exc.lines().count() == 1 {
        return (first.trim(), "");
    }
    ("", exc.trim())
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

/// Whether a quote at byte `i` opens a quoted value: at the start, or after a space or an
/// opening bracket/separator (so the apostrophe of "can't" does not).
fn opens_quote(prev: Option<char>) -> bool {
    prev.is_none_or(|p| p.is_whitespace() || "([{=:,<".contains(p))
}

/// Mask the variable parts of a message: quoted values → `'<str>'`, UUIDs → `<uuid>`,
/// `0x…` and long mixed hex runs (job ids, digests) → `<hex>`, numbers → `<n>`; whitespace is
/// collapsed. Deterministic, so equal outputs mean one group.
pub fn normalize(msg: &str) -> String {
    let chars: Vec<char> = msg.chars().collect();
    let mut out = String::with_capacity(msg.len());
    let mut i = 0;
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        // Quoted values, on one line, closed by the same quote not followed by a letter.
        if (c == '\'' || c == '"') && opens_quote(prev) {
            let close = (i + 1..chars.len())
                .take_while(|&j| chars[j] != '\n')
                .find(|&j| chars[j] == c && chars.get(j + 1).is_none_or(|n| !n.is_alphanumeric()));
            if let Some(j) = close {
                out.push(c);
                out.push_str("<str>");
                out.push(c);
                i = j + 1;
                continue;
            }
        }
        let at_word_start = prev.is_none_or(|p| !word_char(p));
        if at_word_start && word_char(c) {
            let end =
                (i..chars.len()).find(|&j| !(word_char(chars[j]) || chars[j] == '-')).unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            let w = word.trim_end_matches('-');
            if is_uuid(w) {
                out.push_str("<uuid>");
                i += w.chars().count();
                continue;
            }
            let head = w.split('-').next().unwrap_or("");
            // Mixed hex of 8+ (a digest, a job id); 20+ hex digits even without a letter (an
            // id that happens to be all digits must not fall into another group).
            let hex_run = head.chars().all(is_hex)
                && ((head.len() >= 8
                    && head.chars().any(|c| c.is_ascii_digit())
                    && head.chars().any(|c| c.is_ascii_alphabetic()))
                    || head.len() >= 20);
            let prefixed = (head.starts_with("0x") || head.starts_with("0X"))
                && head.len() > 2
                && head[2..].chars().all(is_hex);
            if hex_run || prefixed {
                out.push_str("<hex>");
                i += head.chars().count();
                continue;
            }
        }
        if c.is_ascii_digit() {
            // 31, 3.14, 10.0.0.1, 1,024: one number.
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || ((chars[j] == '.' || chars[j] == ',')
                        && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                j += 1;
            }
            out.push_str("<n>");
            i = j;
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    let trimmed = out.trim_end();
    crate::rq::decode::cut(trimmed, MESSAGE_MAX)
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(w: &str) -> bool {
    let parts: Vec<&str> = w.split('-').collect();
    parts.len() == 5 && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.chars().all(is_hex))
}

/// A failure's group: exception type and normalised message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupKey {
    pub exc_type: String,
    pub message: String,
}

impl GroupKey {
    /// The group of a traceback (None: no traceback recorded).
    pub fn of(traceback: Option<&str>) -> GroupKey {
        let Some(tb) = traceback.filter(|t| !t.trim().is_empty()) else {
            return GroupKey { exc_type: String::new(), message: "(no traceback recorded)".into() };
        };
        let (ty, msg) = split_exception(exception_text(tb));
        GroupKey { exc_type: ty.to_owned(), message: normalize(msg) }
    }

    /// A short stable id for URLs and the `group:` search key: 16 hex digits of FNV-1a 64.
    pub fn id(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.exc_type.bytes().chain([0u8]).chain(self.message.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// `Type: message` as shown on pages.
    pub fn label(&self) -> String {
        match (self.exc_type.is_empty(), self.message.is_empty()) {
            (true, _) => self.message.clone(),
            (false, true) => self.exc_type.clone(),
            (false, false) => format!("{}: {}", self.exc_type, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TB: &str = "Traceback (most recent call last):\n  File \"/app/rq/worker.py\", line 1, in perform\n    rv = job.perform()\n  File \"/app/tasks.py\", line 9, in send\n    raise TimeoutError('Timeout after %ds' % n)\nTimeoutError: Timeout after 31s\n";

    #[test]
    fn the_exception_part_follows_the_last_frame() {
        assert_eq!(exception_text(TB), "TimeoutError: Timeout after 31s");
        assert_eq!(exception_text("just text\n"), "just text");
        let multi = "Traceback:\n  File \"x\"\nValueError: line one\nline two\n";
        assert_eq!(exception_text(multi), "ValueError: line one\nline two");
    }

    #[test]
    fn types_are_dotted_identifiers() {
        assert_eq!(split_exception("pkg.mod.Declined: card 'x'"), ("pkg.mod.Declined", "card 'x'"));
        assert_eq!(split_exception("KeyboardInterrupt"), ("KeyboardInterrupt", ""));
        assert_eq!(split_exception("no type here: really"), ("", "no type here: really"));
        assert_eq!(split_exception("ValueError: Zeile 12"), ("ValueError", "Zeile 12"));
    }

    #[test]
    fn numbers_ids_hex_and_quotes_are_masked() {
        assert_eq!(normalize("Timeout after 31s"), "Timeout after <n>s");
        assert_eq!(normalize("Timeout after 30s"), normalize("Timeout after 31.5s"));
        assert_eq!(normalize("card for 'cust-7' declined: code 51"), "card for '<str>' declined: code <n>");
        assert_eq!(normalize("KeyError: \"顧客_7\""), "KeyError: \"<str>\"");
        assert_eq!(normalize("job 3f2a9c0e1b2d4e5f8a9b0c1d2e3f4a5b gone"), "job <hex> gone");
        assert_eq!(normalize("obj at 0x7f3a2b1c"), "obj at <hex>");
        assert_eq!(normalize("job 00000000000000000000000000012345 lost"), "job <hex> lost");
        assert_eq!(normalize("took 1234567890123 ms"), "took <n> ms");
        assert_eq!(normalize("id 123e4567-e89b-12d3-a456-426614174000 x"), "id <uuid> x");
        assert_eq!(normalize("host 10.0.0.12 port 6379"), "host <n> port <n>");
        assert_eq!(normalize("user_42 failed"), "user_<n> failed");
    }

    #[test]
    fn apostrophes_and_words_stay() {
        assert_eq!(normalize("can't connect to   the 'db'"), "can't connect to the '<str>'");
        assert_eq!(normalize("deadbeef facade added"), "deadbeef facade added");
        assert_eq!(
            normalize("Berichtsvorlage »Übersicht« fehlt – Zeile 12"),
            "Berichtsvorlage »Übersicht« fehlt – Zeile <n>"
        );
    }

    #[test]
    fn groups_merge_messages_differing_only_in_numbers() {
        let a = GroupKey::of(Some(TB));
        let b = GroupKey::of(Some(&TB.replace("31s\n", "30s\n")));
        assert_eq!(a, b);
        assert_eq!(a.id(), b.id());
        assert_eq!(a.label(), "TimeoutError: Timeout after <n>s");
        assert_eq!(a.id().len(), 16);
        assert_ne!(a.id(), GroupKey::of(None).id());
    }
}
