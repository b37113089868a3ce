//! Deciding whether one job matches, from what has been read so far: a first verdict from a few
//! hash fields, and "undecided" when the exception or the job's `data` is still needed.

use jiff::Timestamp;

use super::query::{IdPattern, Query};
use crate::rq::failure::{GroupKey, exception_text};
use crate::rq::job::func_name_from_description;
use crate::rq::time;

/// Bytes of a text field (description, worker, meta, exception) a search matches against: the
/// start of a 50 MB description is searched, not all of it.
pub const FIELD_MAX: usize = 64 * 1024;

/// The first [`FIELD_MAX`] bytes of `s` (cut on a char boundary), lowercased.
fn lower_prefix(s: &str) -> String {
    let mut end = s.len().min(FIELD_MAX);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default().to_lowercase()
}

/// Hash fields a query needs, in HMGET order.
pub fn fields(q: &Query, with_origin: bool) -> Vec<&'static str> {
    let mut f = Vec::new();
    if with_origin {
        f.extend(["status", "origin"]);
    }
    if !q.func.is_empty() || !q.desc.is_empty() || !q.words.is_empty() {
        f.push("description");
    }
    if !q.worker.is_empty() {
        f.push("worker_name");
    }
    if !q.meta.is_empty() {
        f.push("meta");
    }
    if q.after.is_some() || q.before.is_some() {
        f.extend(["ended_at", "started_at", "enqueued_at"]);
    }
    if q.after.is_some() || q.before.is_some() || q.created_after.is_some() || q.created_before.is_some() {
        f.push("created_at");
    }
    if q.needs_exception() && !q.history_any && q.states.is_empty() && !f.contains(&"status") {
        // Whether the job is failed now decides whether its exception counts.
        f.push("status");
    }
    if f.is_empty() && q.needs_hash() {
        // Something to tell an existing job from an id without a hash.
        f.push("status");
    }
    f
}

/// What is known about one job.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// Whether the job hash exists (any requested field present).
    pub exists: bool,
    pub status: Option<String>,
    pub origin: Option<String>,
    /// Lowercased description.
    pub description: Option<String>,
    /// Lowercased function name from the description.
    pub func: Option<String>,
    /// Lowercased function name from `data`: None until read, Some(None) when undecodable.
    pub data_func: Option<Option<String>>,
    pub worker: Option<String>,
    /// Lowercased rendering of the decoded `meta`.
    pub meta: Option<String>,
    /// Latest of the job's times (ended, else started, else enqueued, else created).
    pub latest: Option<Timestamp>,
    pub created: Option<Timestamp>,
    /// The latest failure's traceback (RQ's `exc_info`): None until read, Some(None) when
    /// there is none.
    pub traceback: Option<Option<String>>,
    /// With `history:any`, every failure RQ kept (None until read): tracebacks, or None for a
    /// failure without one.
    pub history: Option<Vec<Option<String>>>,
}

impl Facts {
    /// Build from HMGET values in [`fields`] order.
    pub fn from_hash(names: &[&str], values: &[Option<Vec<u8>>]) -> Facts {
        let get = |n: &str| -> Option<&[u8]> {
            let i = names.iter().position(|x| *x == n)?;
            values.get(i)?.as_deref().filter(|b| !b.is_empty())
        };
        let text =
            |n: &str| get(n).map(|b| String::from_utf8_lossy(b.get(..FIELD_MAX).unwrap_or(b)).into_owned());
        let ts = |n: &str| text(n).and_then(|s| time::parse(&s));
        // Matched as shown: a value hidden by `--redact` cannot be found by searching for it.
        let description = text("description").map(|d| crate::rq::redact::description(&d).into_owned());
        Facts {
            exists: values.iter().any(Option::is_some),
            status: text("status"),
            origin: text("origin"),
            func: description.as_deref().and_then(func_name_from_description).map(|f| f.to_lowercase()),
            description: description.map(|d| d.to_lowercase()),
            data_func: None,
            worker: text("worker_name").map(|w| w.to_lowercase()),
            meta: get("meta")
                .map(|m| crate::rq::decode::decode_payload(m, false).to_repr(FIELD_MAX).to_lowercase()),
            latest: ts("ended_at")
                .or_else(|| ts("started_at"))
                .or_else(|| ts("enqueued_at"))
                .or_else(|| ts("created_at")),
            created: ts("created_at"),
            traceback: None,
            history: None,
        }
    }

    fn func_name(&self) -> Option<Option<&str>> {
        match (&self.func, &self.data_func) {
            (Some(f), _) => Some(Some(f)),
            (None, Some(d)) => Some(d.as_deref()),
            (None, None) => None,
        }
    }

    /// The failures the exception criteria look at (see [`super::query`]): None until read;
    /// none at all for a job that is not failed now, unless `state:` or `history:any` says so.
    fn failures(&self, q: &Query) -> Option<Vec<Failure>> {
        if q.history_any {
            return self.history.as_ref().map(|h| h.iter().map(|t| Failure::of(t.as_deref())).collect());
        }
        let current = !q.states.is_empty() || self.status.as_deref().is_some_and(|s| FAILED_NOW.contains(&s));
        if !current {
            return Some(Vec::new());
        }
        self.traceback.as_ref().map(|t| vec![Failure::of(t.as_deref())])
    }
}

/// The statuses of jobs that are failed now and may carry their failure: stopped jobs are
/// failures RQ files in the failed registry; canceling keeps a failed job's result.
pub const FAILED_NOW: [&str; 3] = ["failed", "stopped", "canceled"];

/// One failure as the criteria see it.
struct Failure {
    /// The lowercased exception lines, if there is a traceback.
    exception: Option<String>,
    group: String,
}

impl Failure {
    fn of(tb: Option<&str>) -> Failure {
        Failure { exception: tb.map(|t| lower_prefix(exception_text(t))), group: GroupKey::of(tb).id() }
    }

    /// Whether this failure passes `exc:` and `group:`.
    fn matches(&self, q: &Query) -> bool {
        contains_all(self.exception.as_deref(), &q.exc) && q.groups.iter().all(|g| *g == self.group)
    }

    fn mentions(&self, word: &str) -> bool {
        self.exception.as_deref().is_some_and(|e| e.contains(word))
    }
}

/// Whether an id passes the `id:` criterion (checked before anything is read).
pub fn id_matches(q: &Query, id: &str) -> bool {
    match &q.id {
        None => true,
        Some(IdPattern::Exact(x)) => id == x,
        Some(IdPattern::Prefix(p)) => id.starts_with(p.as_str()),
    }
}

pub(super) fn contains_all(hay: Option<&str>, needles: &[String]) -> bool {
    needles.is_empty() || hay.is_some_and(|h| needles.iter().all(|n| h.contains(n.as_str())))
}

/// Whether `t` is in `[lo, hi)`; with no bound, anything (even no time) is.
pub(super) fn in_range(t: Option<Timestamp>, lo: Option<Timestamp>, hi: Option<Timestamp>) -> bool {
    (lo.is_none() && hi.is_none()) || t.is_some_and(|t| lo.is_none_or(|l| t >= l) && hi.is_none_or(|h| t < h))
}

/// What still has to be read before a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    No,
    Yes,
    /// Needs the traceback and/or the function from `data`.
    Undecided {
        traceback: bool,
        data: bool,
    },
}

/// Judge one job on what is known. Criteria that fail on known facts answer `No` at once, so
/// the expensive reads happen only for jobs that pass everything else.
pub fn judge(q: &Query, f: &Facts) -> Verdict {
    if q.needs_hash() && !f.exists {
        return Verdict::No;
    }
    let known_fail = !contains_all(f.description.as_deref(), &q.desc)
        || !contains_all(f.worker.as_deref(), &q.worker)
        || !contains_all(f.meta.as_deref(), &q.meta)
        || !in_range(f.latest, q.after, q.before)
        || !in_range(f.created, q.created_after, q.created_before);
    if known_fail {
        return Verdict::No;
    }
    let (mut need_tb, mut need_data) = (false, false);
    if !q.func.is_empty() {
        match f.func_name() {
            Some(name) if !contains_all(name, &q.func) => return Verdict::No,
            Some(_) => {}
            None => need_data = true,
        }
    }
    let fails = f.failures(q);
    if !q.exc.is_empty() || !q.groups.is_empty() {
        match &fails {
            Some(list) if !list.iter().any(|x| x.matches(q)) => return Verdict::No,
            Some(_) => {}
            None => need_tb = true,
        }
    }
    for w in &q.words {
        let in_text = f.description.as_deref().is_some_and(|d| d.contains(w.as_str()))
            || f.func_name().flatten().is_some_and(|n| n.contains(w.as_str()));
        if in_text {
            continue;
        }
        match &fails {
            Some(list) if list.iter().any(|x| x.mentions(w)) => {}
            Some(_) if f.func.is_some() || f.data_func.is_some() => return Verdict::No,
            Some(_) => need_data = true,
            None => {
                need_tb = true;
                need_data |= f.func.is_none() && f.data_func.is_none();
            }
        }
    }
    if need_tb || need_data {
        Verdict::Undecided { traceback: need_tb, data: need_data }
    } else {
        Verdict::Yes
    }
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
