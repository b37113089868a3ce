//! The two exposition formats `/metrics` speaks: OpenMetrics 1.0 (what prometheus-client writes)
//! and the classic Prometheus text format 0.0.4, rewritten from it line by line.
//!
//! The rewrite is small because the formats share sample lines and label escaping; they differ
//! in the metadata: 0.0.4 names a counter family by its `_total` sample (`# TYPE x_total
//! counter`, as the Python client and Go's expfmt write it), has no `# UNIT` and no `# EOF`,
//! calls `unknown` `untyped`, and escapes only `\\` and `\n` in help text.

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    OpenMetrics,
    /// Prometheus text format 0.0.4.
    Text,
}

impl Format {
    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => CONTENT_TYPE,
            Format::Text => TEXT_CONTENT_TYPE,
        }
    }
}

/// The `Content-Type` of an OpenMetrics answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `Content-Type` of a Prometheus text format 0.0.4 answer.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The 0.0.4 text of an OpenMetrics exposition. A family's `# HELP` line is held back until its
/// `# TYPE` line says whether the name takes `_total`.
pub fn to_text(om: &str) -> String {
    let mut out = String::with_capacity(om.len());
    let mut help: Option<(&str, &str)> = None;
    for line in om.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help = Some(rest.split_once(' ').unwrap_or((rest, "")));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "untyped"));
            let (name, kind) = match kind {
                "counter" => (format!("{name}_total"), "counter"),
                "gauge" | "histogram" | "summary" => (name.to_owned(), kind),
                _ => (name.to_owned(), "untyped"),
            };
            if let Some((_, text)) = help.take() {
                out.push_str(&format!("# HELP {name} {}\n", help_text(text)));
            }
            out.push_str(&format!("# TYPE {name} {kind}\n"));
        } else if line.starts_with('#') {
            // `# UNIT` and `# EOF` have no 0.0.4 counterpart.
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Help text re-escaped for 0.0.4: OpenMetrics' `\"` becomes a plain quote.
fn help_text(om: &str) -> String {
    let mut out = String::with_capacity(om.len());
    let mut chars = om.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push_str("\\\\"),
        }
    }
    out
}

/// Insert `lines` (whole families written by hand) before the OpenMetrics `# EOF` the encoder
/// ends with, so they stay inside the exposition.
pub fn insert_before_eof(body: &mut String, lines: &str) {
    let at = body.rfind("# EOF").unwrap_or(body.len());
    body.insert_str(at, lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_take_the_total_name_and_openmetrics_only_lines_are_dropped() {
        let om = "# HELP c Jobs \\\"done\\\" \\\\ so far.\n# TYPE c counter\nc_total{q=\"a\\\"b\"} 3\n\
                  # HELP t_seconds Time.\n# TYPE t_seconds gauge\n# UNIT t_seconds seconds\nt_seconds 1.5\n\
                  # HELP u Odd.\n# TYPE u unknown\nu 1\n# EOF\n";
        let want = "# HELP c_total Jobs \"done\" \\\\ so far.\n# TYPE c_total counter\nc_total{q=\"a\\\"b\"} 3\n\
                    # HELP t_seconds Time.\n# TYPE t_seconds gauge\nt_seconds 1.5\n\
                    # HELP u Odd.\n# TYPE u untyped\nu 1\n";
        assert_eq!(to_text(om), want);
    }
}
