//! The queue page: state tabs with counts, one page of jobs, full pagination controls.

use askama::Template;
use askama_web::WebTemplate;

pub(crate) use super::queue_actions::bulk_actions;
use super::queue_actions::list_actions;
use super::worker_link::{WorkerLink, WorkerPages};
use super::{ActionButton, Chrome, SHOWN_STATES, StateCell};
use crate::rq::State;
use crate::rq::job::JobRow;
use crate::store::jobs::JobPage;
use crate::store::overview::Counts;
use crate::web::fmt::{self, Time, filters};

/// One job row.
pub struct Row {
    pub id: String,
    pub origin: String,
    pub href: String,
    pub missing: bool,
    pub func: String,
    pub args: String,
    pub created: Option<Time>,
    pub enqueued: Option<Time>,
    pub started: Option<Time>,
    pub ended: Option<Time>,
    pub duration: String,
    pub worker: Option<WorkerLink>,
    pub exc: String,
    pub score: Option<Time>,
    pub score_never: bool,
    /// A started job whose heartbeat deadline passed: its worker is gone or stuck.
    pub abandoned: bool,
}

/// A numbered page link.
pub struct PageLink {
    pub n: u64,
    pub href: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "queue.html")]
pub struct QueuePage {
    pub c: Chrome,
    pub queue: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub tabs: Vec<StateCell>,
    pub rows: Vec<Row>,
    pub total: i64,
    pub total_fmt: String,
    pub page: u64,
    pub pages: u64,
    pub desc: bool,
    pub pager: Vec<PageLink>,
    pub first: Option<String>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
    pub asc_href: String,
    pub desc_href: String,
    pub per_page_options: Vec<(u64, bool)>,
    pub score_label: &'static str,
    pub show_exc: bool,
    pub from: u64,
    pub to: u64,
    /// Whole-list actions (requeue all, empty, compact).
    pub actions: Vec<ActionButton>,
    /// Per-selection actions: (action, label, destructive).
    pub bulk: Vec<(&'static str, &'static str, bool)>,
    pub bulk_url: String,
    pub history: Option<super::HistoryBlock>,
    /// This queue's health verdict (None when it could not be judged).
    pub health: Option<crate::health::QueueHealth>,
    /// What the order follows ("time ended", "expiry time (ended + TTL)", ...).
    pub order_label: &'static str,
    /// Entries RQ no longer counts, awaiting its cleanup (0 in the expired view).
    pub expired: i64,
    pub expired_fmt: String,
    /// Whether this page lists those expired entries.
    pub expired_view: bool,
    /// The expired view, and back to the live one.
    pub expired_href: String,
    pub live_href: String,
    /// Why this list shows nothing: its key holds another type than RQ keeps there.
    pub list_corrupt: Option<String>,
    /// The queue's other keys of the wrong type (shown above the tabs).
    pub corrupt: Vec<String>,
}

fn score_label(state: State) -> &'static str {
    match state {
        State::Scheduled => "Scheduled for",
        State::Started => "Heartbeat expires",
        State::Finished | State::Failed => "Expires",
        State::Deferred => "Deferred",
        State::Canceled => "Canceled",
        State::Ready => "Ready since",
        State::Queued => "",
    }
}

/// One job row; its worker is linked only when `workers` says its page can say something.
pub(crate) fn row(c: &Chrome, j: JobRow, workers: &WorkerPages) -> Row {
    Row {
        href: c.job_href(&j.id),
        origin: j.origin.clone().unwrap_or_default(),
        missing: j.missing,
        func: j.func_name.unwrap_or_default(),
        args: j.args_preview.or(j.call_note).unwrap_or_default(),
        created: Time::from(j.created_at.as_deref()),
        enqueued: Time::from(j.enqueued_at.as_deref()),
        started: Time::from(j.started_at.as_deref()),
        ended: Time::from(j.ended_at.as_deref()),
        duration: j.duration_seconds.map(fmt::duration).unwrap_or_default(),
        worker: j.worker_name.map(|w| workers.link(c, w)),
        exc: j.exc_summary.unwrap_or_default(),
        score_never: j.score.is_some_and(|s| !s.is_finite() || s < 0.0),
        abandoned: j.score_meaning == Some("heartbeat_expires_at")
            && j.score.is_some_and(|s| s.is_finite() && s < crate::rq::time::now_epoch()),
        score: Time::from(j.score_at.as_deref()),
        id: j.id,
    }
}

impl QueuePage {
    /// Build from one page of jobs, the queue's counts and its keys of the wrong type (with the
    /// state whose list or registry each is, if one is), and the workers whose page can be linked.
    pub fn build(
        c: Chrome,
        p: JobPage,
        counts: &Counts,
        corrupt: &[(Option<State>, String)],
        workers: &WorkerPages,
    ) -> Self {
        let state = p.state;
        let view = |expired: bool| if expired { "&expired=1" } else { "" };
        let link = |page: u64, per: u64, desc: bool, expired: bool| {
            format!(
                "{}/queues/{}?state={}&page={page}&per_page={per}&order={}{}{}",
                c.prefix,
                fmt::seg(&p.queue),
                state.as_str(),
                if desc { "desc" } else { "asc" },
                view(expired),
                c.inst_amp
            )
        };
        let base = |page: u64, per: u64, desc: bool| link(page, per, desc, p.expired_view);
        let desc = p.order == "desc";
        let pages = p.pages.max(1);
        let (lo, hi) = (p.page.saturating_sub(4).max(1), (p.page + 4).min(pages));
        let mut tabs = super::state_cells(&c, Some(&p.queue), counts, Some(state.as_str()));
        for t in &mut tabs {
            let st = State::parse(t.state);
            t.corrupt =
                corrupt.iter().any(|(s, _)| st.is_some() && *s == st) || (t.active && p.corrupt.is_some());
        }
        let list_corrupt = p.corrupt.as_ref().map(|w| w.message.clone());
        let others = corrupt.iter().filter(|(s, _)| *s != Some(state) || list_corrupt.is_none());
        let from = if p.total == 0 { 0 } else { (p.page - 1) * p.per_page + 1 };
        let to = (from + p.jobs.len() as u64).saturating_sub(1);
        Self {
            queue: p.queue.clone(),
            state: state.as_str(),
            state_label: SHOWN_STATES.iter().find(|(s, _)| *s == state.as_str()).map_or("Ready", |x| x.1),
            tabs,
            total: p.total,
            total_fmt: fmt::int(p.total),
            page: p.page,
            pages,
            desc,
            pager: (lo..=hi)
                .map(|n| PageLink { n, href: base(n, p.per_page, desc), current: n == p.page })
                .collect(),
            first: (p.page > 1).then(|| base(1, p.per_page, desc)),
            prev: (p.page > 1).then(|| base(p.page - 1, p.per_page, desc)),
            next: (p.page < pages).then(|| base(p.page + 1, p.per_page, desc)),
            last: (p.page < pages).then(|| base(pages, p.per_page, desc)),
            asc_href: base(1, p.per_page, false),
            desc_href: base(1, p.per_page, true),
            per_page_options: {
                let mut opts = vec![10, 25, 50, 100, 200, 500];
                if !opts.contains(&p.per_page) {
                    opts.push(p.per_page);
                    opts.sort_unstable();
                }
                opts.into_iter().map(|n| (n, n == p.per_page)).collect()
            },
            score_label: score_label(state),
            show_exc: state == State::Failed,
            from,
            to,
            actions: if p.expired_view || list_corrupt.is_some() {
                Vec::new()
            } else {
                list_actions(&c, &p.queue, state, p.total)
            },
            corrupt: others.map(|(_, m)| m.clone()).collect(),
            list_corrupt,
            bulk: if c.read_only || p.expired_view {
                Vec::new()
            } else {
                c.allowed_bulk(bulk_actions(state))
            },
            history: None,
            health: None,
            order_label: crate::store::order::label(state, p.order_by),
            expired: p.expired,
            expired_fmt: fmt::int(p.expired),
            expired_view: p.expired_view,
            expired_href: link(1, p.per_page, desc, true),
            live_href: link(1, p.per_page, desc, false),
            bulk_url: format!("{}/api/v1/jobs/bulk?background=1&instance={}", c.prefix, c.instance),
            rows: p.jobs.into_iter().map(|j| row(&c, j, workers)).collect(),
            c,
        }
    }
}
