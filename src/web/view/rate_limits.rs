//! The rate-limits pages (RQ 3.0): every key, and the jobs one key holds back.

use askama::Template;
use askama_web::WebTemplate;

use super::queue::{PageLink, Row, row};
use super::worker_link::WorkerPages;
use super::{ActionButton, Chrome};
use crate::rq::rate_limit::RateLimitKey;
use crate::store::rate_limits::{HeldPage, RateLimits};
use crate::web::fmt::{self, filters};

/// One key of the table.
pub struct KeyRow {
    pub key: String,
    pub href: String,
    pub concurrency: String,
    pub running: String,
    pub held: String,
    pub held_n: i64,
    pub full: bool,
    pub unset: bool,
}

fn key_row(c: &Chrome, k: &RateLimitKey) -> KeyRow {
    KeyRow {
        href: format!("{}/rate-limits/{}{}", c.prefix, fmt::seg(&k.key), c.inst_q),
        key: k.key.clone(),
        concurrency: fmt::int(k.concurrency),
        running: fmt::int(k.running),
        held: fmt::int(k.held),
        held_n: k.held,
        full: k.full() && k.concurrency > 0,
        unset: k.concurrency <= 0,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rate_limits.html")]
pub struct RateLimitsPage {
    pub c: Chrome,
    pub keys: Vec<KeyRow>,
    pub held: String,
    pub running: String,
    /// (queue, queue link, held count).
    pub by_queue: Vec<(String, String, String)>,
    pub orphans: String,
    pub orphans_n: i64,
    pub exact: bool,
    pub corrupt: Vec<String>,
    /// `?queue=`: that queue's held jobs per key, (key, link to them, count).
    pub queue: Option<String>,
    pub queue_keys: Vec<(String, String, String)>,
}

impl RateLimitsPage {
    /// Build from the keys read (and the queue whose held jobs are asked for).
    pub fn build(c: Chrome, r: RateLimits, queue: Option<&str>) -> Self {
        let queue_keys = queue.map_or_else(Vec::new, |q| {
            r.held_by_key_queue
                .iter()
                .filter(|(_, origin, _)| origin == q)
                .map(|(k, _, n)| {
                    let href =
                        format!("{}/rate-limits/{}?queue={}{}", c.prefix, fmt::seg(k), fmt::q(q), c.inst_amp);
                    (k.clone(), href, fmt::int(*n))
                })
                .collect()
        });
        Self {
            queue: queue.map(str::to_owned),
            queue_keys,
            keys: r.keys.iter().map(|k| key_row(&c, k)).collect(),
            held: fmt::int(r.held),
            running: fmt::int(r.running),
            by_queue: r
                .held_by_queue
                .iter()
                .map(|(q, n)| {
                    let href = format!("{}/rate-limits?queue={}{}", c.prefix, fmt::q(q), c.inst_amp);
                    (q.clone(), href, fmt::int(*n))
                })
                .collect(),
            orphans: fmt::int(r.held_orphans),
            orphans_n: r.held_orphans,
            exact: r.by_queue_exact,
            corrupt: r.corrupt.iter().map(|w| w.message.clone()).collect(),
            c,
        }
    }
}

/// One held job: the common row, how long it has waited, its actions.
pub struct HeldRow {
    pub r: Row,
    pub waited: String,
    pub queue_href: String,
    pub actions: Vec<ActionButton>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rate_limit.html")]
pub struct HeldView {
    pub c: Chrome,
    pub key: KeyRow,
    pub queue: Option<String>,
    pub rows: Vec<HeldRow>,
    pub total: String,
    pub total_n: i64,
    pub from: u64,
    pub to: u64,
    pub page: u64,
    pub pages: u64,
    pub desc: bool,
    pub pager: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub asc_href: String,
    pub desc_href: String,
    pub corrupt: Vec<String>,
}

impl HeldView {
    /// Build from one page of held jobs.
    pub fn build(c: Chrome, h: HeldPage) -> Self {
        let key = key_row(&c, &h.rate_limit);
        let q = h.queue.as_deref().map(|q| format!("&queue={}", fmt::q(q))).unwrap_or_default();
        let link = |page: u64, desc: bool| {
            format!(
                "{}/rate-limits/{}?page={page}&per_page={}&order={}{q}{}",
                c.prefix,
                fmt::seg(&h.rate_limit.key),
                h.per_page,
                if desc { "desc" } else { "asc" },
                c.inst_amp
            )
        };
        let desc = h.order == "desc";
        let pages = h.pages.max(1);
        let (lo, hi) = (h.page.saturating_sub(4).max(1), (h.page + 4).min(pages));
        let from = if h.total == 0 { 0 } else { (h.page - 1) * h.per_page + 1 };
        let to = (from + h.jobs.len() as u64).saturating_sub(1);
        let rows = h
            .jobs
            .into_iter()
            .map(|j| {
                let waited = j.held_seconds.map(fmt::duration).unwrap_or_default();
                // Held jobs have not run: no worker is shown, so none is read.
                let r = row(&c, j.job, &WorkerPages::default());
                HeldRow { queue_href: c.queue_href(&r.origin, None), actions: actions(&c, &r), waited, r }
            })
            .collect();
        Self {
            total: fmt::int(h.total),
            total_n: h.total,
            from,
            to,
            page: h.page,
            pages,
            desc,
            pager: (lo..=hi).map(|n| PageLink { n, href: link(n, desc), current: n == h.page }).collect(),
            prev: (h.page > 1).then(|| link(h.page - 1, desc)),
            next: (h.page < pages).then(|| link(h.page + 1, desc)),
            asc_href: link(1, false),
            desc_href: link(1, true),
            corrupt: h.corrupt.iter().map(|w| w.message.clone()).collect(),
            queue: h.queue,
            key,
            rows,
            c,
        }
    }
}

/// Cancel and delete, as on any job: the scripts give a slot back as RQ's own calls do.
fn actions(c: &Chrome, r: &Row) -> Vec<ActionButton> {
    // An orphan id leaves the limiter when RQ's promotion reaches it (it drops stale entries).
    if c.read_only || r.missing {
        return Vec::new();
    }
    let url = |a: &str| format!("{}/api/v1/jobs/{}/{a}?instance={}", c.prefix, fmt::seg(&r.id), c.instance);
    let buttons = vec![
        ActionButton {
            label: "Cancel",
            url: url("cancel"),
            confirm: format!(
                "Cancel held job {}? It leaves the limiter and goes to the canceled jobs of “{}”.",
                r.id, r.origin
            ),
            class: "",
            background: false,
        },
        ActionButton {
            label: "Delete",
            url: url("delete"),
            confirm: format!("Delete held job {} with its job data? This cannot be undone.", r.id),
            class: "danger",
            background: false,
        },
    ];
    c.allowed(buttons, Some(&r.origin))
}
