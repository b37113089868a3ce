//! The search page: the query box with form controls, a syntax summary, and a page of hits with
//! "scanned X of Y" and a continue link; failure groups in [`groups`].

pub mod groups;

use askama::Template;
use askama_web::WebTemplate;

use super::queue::{Row, row};
use super::worker_link::WorkerPages;
use super::{Chrome, SHOWN_STATES};
use crate::store::search::{Hit, SearchPage, Stop};
use crate::web::fmt::{self, Time, filters};

/// One hit: where it was found, and the job row.
pub struct HitRow {
    pub queue: String,
    pub queue_href: String,
    pub state: &'static str,
    /// The job's latest time: ended, else started, else enqueued, else created.
    pub when: Option<Time>,
    /// A record from the job archive (its job is gone), marked as such.
    pub archived: bool,
    pub r: Row,
}

/// The syntax summary shown under the box.
pub const SYNTAX: [(&str, &str); 14] = [
    ("func:send_email", "function name contains"),
    (
        "exc:Timeout",
        "the latest failure's exception type or message contains; only jobs failed now (failed, stopped, or canceled with a failure) unless state: or history:any is given",
    ),
    (
        "history:any",
        "exc:, group: and words also look at earlier failures RQ kept (its last 10 results), of jobs in any state (such as requeued ones)",
    ),
    ("queue:emails  queue:mail*", "in this queue (or queues starting with)"),
    ("state:failed", "in this state (queued, started, finished, failed, deferred, scheduled, canceled)"),
    ("worker:w1", "worker name contains"),
    ("meta:customer_42", "job meta contains"),
    ("desc:\"some text\"", "description contains (quote values with spaces)"),
    (
        "after:2026-11-01  before:2h",
        "latest time (ended, else started, enqueued, created) from / before; 2h = two hours ago",
    ),
    ("created_after:  created_before:", "creation time"),
    (
        "id:abc  id:abc*",
        "exact job id, or id prefix across everything; ids whose job data is missing are found in the list or registry holding them",
    ),
    ("group:…", "a failure group (linked from the groups page)"),
    ("words", "each must occur in the description, function or exception"),
    (
        "archived:yes  archived:no",
        "only jobs from the archive (RQ deleted them), or only live jobs; by default both, archived ones marked; an archived record has no description, meta, creation time or group, so those criteria never match it",
    ),
];

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchView {
    pub c: Chrome,
    pub q: String,
    pub searched: bool,
    pub error: Option<String>,
    pub queues: Vec<String>,
    pub states: &'static [(&'static str, &'static str)],
    pub syntax: &'static [(&'static str, &'static str)],
    pub rows: Vec<HitRow>,
    pub scanned: String,
    pub total: String,
    pub done: bool,
    /// This page continues an earlier one (its hits are not the first).
    pub continued: bool,
    pub mode: &'static str,
    /// Why this page stopped before the end, as words ("" when done or full of hits).
    pub stopped: String,
    pub next_href: Option<String>,
    pub restart_href: String,
    /// For search.js: the API without a cursor, the next cursor.
    pub api_url: String,
    pub cursor: String,
    /// Actions on every match: (action, label, destructive).
    pub bulk: Vec<(&'static str, &'static str, bool)>,
}

impl SearchView {
    fn base(c: Chrome, queues: Vec<String>, q: &str) -> Self {
        let enc = fmt::q(q);
        Self {
            api_url: format!("{}/api/v1/search?q={enc}&instance={}", c.prefix, c.instance),
            restart_href: format!("{}/search?q={enc}{}", c.prefix, c.inst_amp),
            bulk: if c.read_only {
                Vec::new()
            } else {
                c.allowed_bulk(vec![
                    ("requeue", "Requeue", false),
                    ("cancel", "Cancel", false),
                    ("delete", "Delete", true),
                ])
            },
            c,
            q: q.to_owned(),
            searched: false,
            error: None,
            queues,
            states: &SHOWN_STATES,
            syntax: &SYNTAX,
            rows: Vec::new(),
            scanned: String::new(),
            total: String::new(),
            done: true,
            continued: false,
            mode: "",
            stopped: String::new(),
            next_href: None,
            cursor: String::new(),
        }
    }

    /// The empty form.
    pub fn form(c: Chrome, queues: Vec<String>) -> Self {
        Self::base(c, queues, "")
    }

    /// The form with a query that could not be read (or a cursor that is not valid).
    pub fn error(c: Chrome, queues: Vec<String>, q: &str, message: String) -> Self {
        Self { error: Some(message), ..Self::base(c, queues, q) }
    }

    /// One page of results; `workers` says which worker names to link.
    pub fn results(
        c: Chrome,
        queues: Vec<String>,
        q: &str,
        continued: bool,
        p: SearchPage,
        workers: &WorkerPages,
    ) -> Self {
        let mut v = Self::base(c, queues, q);
        let rows = p.hits.into_iter().map(|h| hit_row(&v.c, h, workers)).collect();
        v.next_href = p.cursor.as_ref().map(|cur| format!("{}&cursor={}", v.restart_href, fmt::q(cur)));
        Self {
            searched: true,
            rows,
            scanned: fmt::int(i64::try_from(p.scanned).unwrap_or(i64::MAX)),
            total: fmt::int(i64::try_from(p.total).unwrap_or(i64::MAX)),
            done: p.done,
            continued,
            mode: p.mode,
            stopped: match p.stopped_by {
                Some(Stop::Time) => "the time budget of one request".to_owned(),
                Some(Stop::Ids) => "the ids one request may examine".to_owned(),
                _ => String::new(),
            },
            cursor: p.cursor.unwrap_or_default(),
            ..v
        }
    }
}

fn hit_row(c: &Chrome, h: Hit, workers: &WorkerPages) -> HitRow {
    let state = h.state.map_or("", |s| s.as_str());
    let j = &h.job;
    let latest = j
        .ended_at
        .as_deref()
        .or(j.started_at.as_deref())
        .or(j.enqueued_at.as_deref())
        .or(j.created_at.as_deref());
    HitRow {
        queue_href: if state.is_empty() || h.archived {
            c.queue_href(&h.queue, None)
        } else {
            c.queue_href(&h.queue, Some(state))
        },
        when: Time::from(latest),
        archived: h.archived,
        queue: h.queue,
        state,
        r: row(c, h.job, workers),
    }
}
