//! Plain-text output: aligned tables, colours only on a terminal (never with `NO_COLOR`),
//! numbers with thousands separators, JSON ([`Table`](super::table::Table) for tables). Everything from Redis is cleaned of control
//! characters first, so a hostile job id cannot drive the terminal.

use std::io::IsTerminal;

use serde::Serialize;

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

/// `NO_COLOR` set to anything but the empty string (<https://no-color.org>).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Style {
    /// Colours when stdout is a terminal.
    pub fn stdout() -> Self {
        Self { color: std::io::stdout().is_terminal() && !no_color() }
    }

    /// Colours when stderr is a terminal.
    pub fn stderr() -> Self {
        Self { color: std::io::stderr().is_terminal() && !no_color() }
    }

    fn paint(self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }

    pub fn green(self, s: &str) -> String {
        self.paint("32", s)
    }

    pub fn red(self, s: &str) -> String {
        self.paint("31", s)
    }

    pub fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }

    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }

    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }

    /// A worker state as `rq info` colours it: busy red, idle green, suspended yellow.
    pub fn worker_state(self, state: &str) -> String {
        match state {
            "busy" => self.red(state),
            "idle" => self.green(state),
            "suspended" => self.yellow(state),
            _ => clean(state),
        }
    }

    /// A job status: failures red, successes green, running yellow.
    pub fn status(self, status: &str) -> String {
        match status {
            "failed" | "stopped" => self.red(status),
            "finished" => self.green(status),
            "started" => self.yellow(status),
            _ => clean(status),
        }
    }
}

/// One line of untrusted text: control characters (ANSI escapes, newlines) shown escaped.
pub fn clean(s: &str) -> String {
    s.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}

/// Multi-line untrusted text (tracebacks): newlines and tabs kept, other controls escaped.
pub fn clean_text(s: &str) -> String {
    s.lines().map(clean).collect::<Vec<_>>().join("\n")
}

/// Whether a terminal shows `c` two columns wide (East Asian wide and fullwidth ranges).
fn wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD)
}

/// Visible width in terminal columns, not counting ANSI colour sequences.
pub fn width(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, c) if wide(c) => n += 2,
            (false, _) => n += 1,
        }
    }
    n
}

/// `s` padded with spaces to `w` visible characters.
pub fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    // One formatter for the web pages and the command line.
    crate::web::fmt::int(n)
}

/// [`thousands`] for unsigned counts.
pub fn count(n: u64) -> String {
    thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A duration in seconds as "42s", "3m 12s", "2h 5m", "3d 4h".
pub fn ago(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86400, s % 86400 / 3600),
    }
}

/// An RQ timestamp (`2026-11-27T04:35:17.918019Z`) as `2026-11-27 04:35:17`, or `-`.
pub fn ts(t: Option<&str>) -> String {
    match t {
        Some(t) if t.len() >= 19 => clean(&t[..19].replacen('T', " ", 1)),
        Some(t) => clean(t),
        None => "-".to_owned(),
    }
}

/// Print a value as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(99_997), "99,997");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }

    #[test]
    fn control_characters_from_redis_are_escaped() {
        assert_eq!(clean("a\x1b[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(clean_text("x\ny\x07"), "x\ny\\u{7}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(ago(5.2), "5s");
        assert_eq!(ago(192.0), "3m 12s");
        assert_eq!(ago(90_000.0), "1d 1h");
    }
}
