//! View models for the HTML pages: everything pre-formatted, so templates only print and loop.

pub mod failed;
pub mod function;
pub mod functions;
pub mod group;
pub mod job;
mod job_actions;
mod job_exc;
mod job_facts;
pub mod job_values;
pub mod overview;
pub mod queue;
mod queue_actions;
pub mod queue_table;
pub mod rate_limits;
mod running;
pub mod schedulers;
pub mod search;
pub mod worker;
pub mod worker_link;
pub mod workers;

use super::AppState;
use super::fmt;
use crate::auth::Role;

/// The page frame every template shares: prefix-aware links, instance switcher, banners.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub prefix: String,
    pub title: String,
    /// Which nav entry is current: "overview", "workers", "failed", "".
    pub nav: &'static str,
    pub instance: usize,
    pub instance_url: String,
    /// (index, masked url, selected) for the switcher.
    pub instances: Vec<(usize, String, bool)>,
    /// "" or "?instance=N" for links without other parameters.
    pub inst_q: String,
    /// "" or "&instance=N" for links that already have parameters.
    pub inst_amp: String,
    pub version: &'static str,
    /// No action anywhere: `--read-only`, or a viewer.
    pub read_only: bool,
    /// Who the page is drawn for: which buttons it shows follows from the role and queues.
    pub who: crate::auth::Identity,
    pub suspended: bool,
    /// Show the Schedulers nav entry (`rq cron` seen on this instance; RQ 1.x has none).
    pub schedulers_nav: bool,
    /// Overdue scheduled jobs with no scheduler, or a stale cron scheduler (overview, queue page).
    pub scheduler_banner: Option<String>,
    /// The SSE endpoint for live updates.
    pub live_url: String,
    /// Cache-busting token for assets.
    pub asset_v: &'static str,
    /// Sent back by the page's script with every action.
    pub csrf: String,
    /// Show "Rate limits" in the navigation: RQ 3.0's rate limits were seen on this instance
    /// (an RQ 1.x/2.x user gets no page for a feature their RQ lacks).
    pub rate_limits: bool,
}

impl Chrome {
    /// Build the frame for one page.
    pub fn new(app: &AppState, instance: usize, title: impl Into<String>, nav: &'static str) -> Self {
        // Outside a request (never in the server): no action, unless nobody signs in.
        let who = super::security::caller().unwrap_or_else(|| {
            let max = if app.read_only || app.access.required() { Role::Viewer } else { Role::Admin };
            crate::auth::Identity::anonymous(None).capped(max)
        });
        let instances: Vec<(usize, String, bool)> =
            app.store.instances().iter().map(|i| (i.index, i.url.clone(), i.index == instance)).collect();
        let (inst_q, inst_amp) = if instance == 0 {
            (String::new(), String::new())
        } else {
            (format!("?instance={instance}"), format!("&instance={instance}"))
        };
        Self {
            prefix: app.prefix.clone(),
            title: title.into(),
            nav,
            instance,
            instance_url: instances.iter().find(|i| i.0 == instance).map(|i| i.1.clone()).unwrap_or_default(),
            instances,
            // Built before the page reads Redis: its live updates start with a newer snapshot.
            live_url: format!("{}/events?instance={instance}&since={}", app.prefix, app.hub.last_tick()),
            inst_q,
            inst_amp,
            version: env!("CARGO_PKG_VERSION"),
            read_only: who.role < Role::Operator,
            who,
            suspended: false,
            schedulers_nav: app.store.instance(instance).is_ok_and(|i| i.cron_seen()),
            scheduler_banner: None,
            asset_v: super::assets::VERSION,
            csrf: app.csrf.clone(),
            rate_limits: app.store.instance(instance).is_ok_and(crate::store::Instance::has_rate_limits),
        }
    }

    /// Whether this page's user may take `action` on `queue` (None: on several queues or none).
    pub fn may(&self, action: &str, queue: Option<&str>) -> bool {
        self.who.may(crate::auth::need::action_role(action), queue)
    }

    /// Whether the user may requeue, cancel... on every queue (bulk and selection buttons).
    pub fn can_operate(&self) -> bool {
        self.who.may(Role::Operator, None)
    }

    /// Whether the user may delete on every queue.
    pub fn can_admin(&self) -> bool {
        self.who.may(Role::Admin, None)
    }

    /// Drop the buttons the user may not use. A button's action is the last segment of its URL
    /// path (`.../requeue`, `.../empty`, `.../doctor/fix`), the name the route rules use, so a
    /// button is drawn exactly when its request would be allowed.
    pub fn allowed(&self, mut buttons: Vec<ActionButton>, queue: Option<&str>) -> Vec<ActionButton> {
        buttons.retain(|b| {
            let path = b.url.split('?').next().unwrap_or_default();
            let action = path.rsplit('/').next().unwrap_or_default();
            self.may(if action == "fix" { "repair" } else { action }, queue)
        });
        buttons
    }

    /// The bulk actions `(action, label, danger)` the user may take on every queue.
    pub fn allowed_bulk(
        &self,
        mut bulk: Vec<(&'static str, &'static str, bool)>,
    ) -> Vec<(&'static str, &'static str, bool)> {
        bulk.retain(|(a, _, _)| self.may(a, None));
        bulk
    }

    /// Link to a queue page (optionally a state).
    pub fn queue_href(&self, queue: &str, state: Option<&str>) -> String {
        match state {
            Some(s) => format!("{}/queues/{}?state={s}{}", self.prefix, fmt::seg(queue), self.inst_amp),
            None => format!("{}/queues/{}{}", self.prefix, fmt::seg(queue), self.inst_q),
        }
    }

    /// Link to a group page (RQ 2.0+).
    pub fn group_href(&self, group: &str) -> String {
        format!("{}/groups/{}{}", self.prefix, fmt::seg(group), self.inst_q)
    }

    /// Link to a job page.
    pub fn job_href(&self, id: &str) -> String {
        format!("{}/jobs/{}{}", self.prefix, fmt::seg(id), self.inst_q)
    }

    /// Link to a worker's page.
    pub fn worker_href(&self, name: &str) -> String {
        format!("{}/workers/{}{}", self.prefix, fmt::seg(name), self.inst_q)
    }
}

/// A state tab or count cell: name, formatted count, link, CSS class.
#[derive(Debug, Clone)]
pub struct StateCell {
    pub state: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub count_fmt: String,
    pub href: String,
    pub active: bool,
    /// Its list or registry holds another type than RQ keeps there (the tab shows a warning).
    pub corrupt: bool,
}

/// One cell per shown state: count, link to that list (when `queue` is given), current tab.
pub fn state_cells(
    c: &Chrome,
    queue: Option<&str>,
    counts: &crate::store::overview::Counts,
    active: Option<&str>,
) -> Vec<StateCell> {
    let mut cells: Vec<StateCell> = SHOWN_STATES
        .iter()
        .map(|(s, label)| {
            let n = crate::rq::State::parse(s).map_or(0, |st| counts.get(st));
            StateCell {
                state: s,
                label,
                count: n,
                count_fmt: fmt::int(n),
                href: queue.map_or_else(String::new, |q| c.queue_href(q, Some(s))),
                active: active == Some(*s),
                corrupt: false,
            }
        })
        .collect();
    // RQ 3.0's held jobs, their own state: on instances where rate limits were seen.
    if c.rate_limits || counts.held > 0 {
        cells.push(StateCell {
            state: "held",
            label: "Held",
            count: counts.held,
            count_fmt: fmt::int(counts.held),
            href: queue.map_or_else(
                || format!("{}/rate-limits{}", c.prefix, c.inst_q),
                |q| format!("{}/rate-limits?queue={}{}", c.prefix, fmt::q(q), c.inst_amp),
            ),
            active: active == Some("held"),
            corrupt: false,
        });
    }
    cells
}

/// The states shown in tables, in order, with their display labels.
pub const SHOWN_STATES: [(&str, &str); 7] = [
    ("queued", "Queued"),
    ("started", "Started"),
    ("finished", "Finished"),
    ("failed", "Failed"),
    ("deferred", "Deferred"),
    ("scheduled", "Scheduled"),
    ("canceled", "Canceled"),
];

/// A button that performs an action after a confirmation that says exactly what will happen.
#[derive(Debug, Clone)]
pub struct ActionButton {
    pub label: &'static str,
    pub url: String,
    pub confirm: String,
    /// "danger" for destructive actions, "" otherwise.
    pub class: &'static str,
    /// Run as a background task with a progress bar (bulk operations).
    pub background: bool,
}

/// The history block of the overview and queue pages: charts plus range links.
pub struct HistoryBlock {
    pub charts: crate::web::history::ChartsView,
    /// (label, href, current) for 1 h / 24 h / 7 d / 90 d.
    pub ranges: Vec<(&'static str, String, bool)>,
    pub label: &'static str,
}

impl HistoryBlock {
    /// Range links keep the rest of the page's query (`base` ends with `?` or `&`).
    pub fn new(charts: crate::web::history::ChartsView, base: &str) -> Self {
        use crate::store::history::Range;
        let current = charts.range;
        let ranges = Range::ALL
            .iter()
            .map(|r| (r.as_str(), format!("{base}range={}", r.as_str()), *r == current))
            .collect();
        Self { label: crate::web::history::range_label(current), charts, ranges }
    }
}
