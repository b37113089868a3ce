//! The job page's exception: its type and message to lead the page, and the traceback cut after
//! [`FOLD_LINES`] lines, the rest folded away on narrow screens (static/ui-a.css).

use crate::rq::failure::{exception_text, split_exception};

/// Lines of a traceback shown before the fold.
pub const FOLD_LINES: usize = 30;
/// Longest exception message shown in the lead (the traceback below has all of it).
const MESSAGE_MAX: usize = 2_000;

/// An exception prepared for display.
pub struct ExcView {
    /// `ZeroDivisionError`, `rq.timeouts.JobTimeoutException`; empty when the text names none.
    pub ty: String,
    pub message: String,
    /// The traceback's first [`FOLD_LINES`] lines, and the rest with its line count.
    pub head: String,
    pub rest: Option<(String, usize)>,
    /// Bytes of the traceback shown.
    pub len: usize,
}

impl ExcView {
    /// Prepare `tb`; `cut` says the text was cut (its end, the exception line, is then unknown).
    pub fn of(tb: &str, cut: bool) -> Self {
        let (ty, message) = if cut { ("", "") } else { split_exception(exception_text(tb)) };
        let message = match message.char_indices().nth(MESSAGE_MAX) {
            Some((i, _)) => format!("{}…", message.get(..i).unwrap_or(message)),
            None => message.to_owned(),
        };
        let mut head_len = tb.len();
        let mut lines = 0;
        for (i, ch) in tb.char_indices() {
            if ch == '\n' {
                lines += 1;
                if lines == FOLD_LINES {
                    head_len = i + 1;
                    break;
                }
            }
        }
        let (head, rest) = tb.split_at(head_len);
        let rest = rest.trim_end();
        let rest = (!rest.is_empty()).then(|| (rest.to_owned(), rest.lines().count()));
        Self { ty: ty.to_owned(), message, head: head.to_owned(), rest, len: tb.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::ExcView;

    #[test]
    fn the_lead_names_the_exception_type_and_message_of_a_python_traceback() {
        let tb = "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n    1/0\nZeroDivisionError: division by zero\n";
        let e = ExcView::of(tb, false);
        assert_eq!((e.ty.as_str(), e.message.as_str()), ("ZeroDivisionError", "division by zero"));
        assert!(e.rest.is_none(), "a short traceback is not folded");
    }

    #[test]
    fn a_traceback_is_folded_after_thirty_lines_with_the_count_of_the_rest() {
        let tb: String = (0..45).map(|i| format!("  line {i}\n")).collect::<String>() + "ValueError: bad";
        let e = ExcView::of(&tb, false);
        assert_eq!(e.head.lines().count(), 30);
        let (rest, n) = e.rest.expect("folded");
        assert_eq!(n, 16);
        assert!(rest.ends_with("ValueError: bad"));
        assert_eq!(e.head + &rest, tb);
    }
}
