//! Job rows for lists: built from a handful of hash fields, never from the `data` blob.

use serde::Serialize;

use crate::rq::{State, split_started_member, time};

/// The hash fields a job list reads with HMGET (and nothing else: no `data`, no `meta`).
pub const LIST_FIELDS: [&str; 9] = [
    "status",
    "origin",
    "description",
    "created_at",
    "enqueued_at",
    "started_at",
    "ended_at",
    "worker_name",
    "exc_info",
];

/// Longest description kept in a list row; the detail view has the full text.
pub const LIST_DESCRIPTION_MAX: usize = 2_000;

/// Largest `data` field (as stored, zlib-compressed) a list row decodes for its Function and
/// Arguments columns; bigger calls are named "call not decoded (N KB)".
pub const ROW_DATA_MAX: i64 = 16 * 1024;

/// What a list row may inflate that `data` to: a row shows the function and 120 characters of
/// arguments, so a call that inflates past this is named as too big rather than decoded.
pub const ROW_INFLATED_MAX: usize = 256 * 1024;

/// Longest arguments preview in a list row.
pub const ARGS_PREVIEW_MAX: usize = 120;

/// One row of a job list.
#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub id: String,
    /// True when the id has no job hash, or a hash without `data` (RQ cannot load it either).
    pub missing: bool,
    pub status: Option<String>,
    pub origin: Option<String>,
    pub description: Option<String>,
    /// From the job's `data` (RQ's `job.func_name`), when it is at most [`ROW_DATA_MAX`].
    pub func_name: Option<String>,
    /// The call's arguments (`1, 'a', k=2`), from `data` like `func_name`.
    pub args_preview: Option<String>,
    /// Why the call is not shown ("call not decoded (40 KB)"), when it is not.
    pub call_note: Option<String>,
    pub created_at: Option<String>,
    pub enqueued_at: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub worker_name: Option<String>,
    /// The last line of the latest traceback ("ZeroDivisionError: division by zero").
    pub exc_summary: Option<String>,
    /// Registry score (None for the queue list); `+inf`/negative scores mean "never".
    pub score: Option<f64>,
    /// The score as a timestamp, with its meaning in `score_meaning`.
    pub score_at: Option<String>,
    pub score_meaning: Option<&'static str>,
    /// RQ 2.x+ started-registry members carry an execution id.
    pub execution_id: Option<String>,
    /// Duration between started_at and ended_at, in seconds, when both are known.
    pub duration_seconds: Option<f64>,
}

/// A raw id as stored in a list or registry, split into job id and execution id.
pub fn member_to_id(state: State, member: &str) -> (String, Option<String>) {
    if state == State::Started {
        let (id, eid) = split_started_member(member);
        (id.to_owned(), eid.map(str::to_owned))
    } else {
        (member.to_owned(), None)
    }
}

fn field(values: &[Option<Vec<u8>>], name: &str) -> Option<String> {
    let i = LIST_FIELDS.iter().position(|f| *f == name)?;
    values
        .get(i)
        .and_then(|v| v.as_ref())
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .filter(|s| !s.is_empty())
}

fn ts(values: &[Option<Vec<u8>>], name: &str) -> Option<String> {
    field(values, name).and_then(|s| time::normalize(&s))
}

/// The hash's own `exc_info` (zlib text): 1.x abandoned jobs and Redis < 5 keep failures there.
fn hash_exc_info(values: &[Option<Vec<u8>>]) -> Option<String> {
    let i = LIST_FIELDS.iter().position(|f| *f == "exc_info")?;
    let raw = values.get(i)?.as_ref()?;
    Some(crate::rq::decode::decode_text(raw, true)).filter(|s| !s.trim().is_empty())
}

/// Truncate on a char boundary with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// RQ's default description is the call string `module.func(args)`: take what precedes the `(`.
pub fn func_name_from_description(desc: &str) -> Option<String> {
    let (head, _) = desc.split_once('(')?;
    let ok = !head.is_empty()
        && head.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '<' || c == '>');
    ok.then(|| head.to_owned())
}

/// The line that names the exception: the last non-empty line of a Python traceback.
pub fn exc_summary(text: &str) -> Option<String> {
    text.lines().rev().map(str::trim).find(|l| !l.is_empty()).map(|l| truncate(l, 300))
}

impl JobRow {
    /// Build a row from HMGET values (in `LIST_FIELDS` order), the length of `data`, and the
    /// exception text of the newest result (RQ 1.12+ keeps failures there).
    pub fn from_fields(
        member: &str,
        state: State,
        score: Option<f64>,
        values: &[Option<Vec<u8>>],
        data_len: i64,
        latest_exc: Option<String>,
    ) -> Self {
        let (id, execution_id) = member_to_id(state, member);
        let exists = values.iter().any(Option::is_some);
        let description =
            field(values, "description").map(|d| crate::rq::redact::description(&d).into_owned());
        let exc_text = latest_exc.or_else(|| hash_exc_info(values));
        let started = field(values, "started_at").and_then(|s| time::parse(&s));
        let ended = field(values, "ended_at").and_then(|s| time::parse(&s));
        Self {
            id,
            missing: !exists || data_len <= 0,
            // Names are cut like everywhere else: a hostile 50 MB origin must not fill a list.
            status: field(values, "status").map(|s| crate::rq::cap::name(&s)),
            origin: field(values, "origin").map(|s| crate::rq::cap::name(&s)),
            func_name: None,
            args_preview: None,
            call_note: None,
            description: description.map(|d| truncate(&d, LIST_DESCRIPTION_MAX)),
            created_at: ts(values, "created_at"),
            enqueued_at: ts(values, "enqueued_at"),
            started_at: ts(values, "started_at"),
            ended_at: ts(values, "ended_at"),
            worker_name: field(values, "worker_name").map(|s| crate::rq::cap::name(&s)),
            exc_summary: exc_text.as_deref().and_then(exc_summary),
            score,
            score_at: score.and_then(time::from_epoch),
            score_meaning: state.score_meaning(),
            execution_id,
            duration_seconds: match (started, ended) {
                (Some(a), Some(b)) if b >= a => Some(b.duration_since(a).as_secs_f64()),
                _ => None,
            },
        }
    }
}

impl JobRow {
    /// Fill Function and Arguments from the job's `data` (None when it was too big to fetch:
    /// `data_len` says how big). Never from the description, which may be any text.
    pub fn set_call(&mut self, data: Option<&[u8]>, data_len: i64) {
        if self.missing {
            return;
        }
        match data.map(|d| crate::rq::decode::decode_job_data_within(d, ROW_INFLATED_MAX)) {
            Some(Ok(c)) => {
                self.func_name = c.func_name.clone();
                self.args_preview = Some(c.args_string(ARGS_PREVIEW_MAX));
            }
            Some(Err(crate::rq::decode::Decoded::Undecodable { error, .. })) if error.contains("exceeds") => {
                self.call_note =
                    Some(format!("call not decoded (over {} KB inflated)", ROW_INFLATED_MAX / 1024));
            }
            Some(Err(_)) => self.call_note = Some("call not decoded (unreadable data)".to_owned()),
            None => {
                let kb = (data_len + 1023) / 1024;
                self.call_note = Some(format!("call not decoded ({kb} KB)"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn func_name_comes_from_a_call_shaped_description() {
        assert_eq!(func_name_from_description("tasks.add(1, 2)").as_deref(), Some("tasks.add"));
        assert_eq!(func_name_from_description("<img src=x onerror=alert(1)>"), None);
        assert_eq!(func_name_from_description("no call"), None);
    }

    #[test]
    fn exc_summary_is_the_last_traceback_line() {
        let tb = "Traceback (most recent call last):\n  File \"x\"\nZeroDivisionError: division by zero\n";
        assert_eq!(exc_summary(tb).as_deref(), Some("ZeroDivisionError: division by zero"));
        assert_eq!(exc_summary("\n\n"), None);
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("ééé", 3), "é…");
    }
}
