//! The overview page: totals, workers, Redis, and the sortable, filterable queues table.

use askama::Template;
use askama_web::WebTemplate;

use super::{Chrome, SHOWN_STATES, StateCell};
use crate::rq::State;
use crate::store::info::RedisInfo;
use crate::store::overview::{Counts, Overview, QueueInfo};
use crate::store::workers::Workers;
use crate::web::fmt::{self, Time};

/// One row of the queues table.
pub struct QueueRow {
    pub name: String,
    pub href: String,
    pub cells: Vec<StateCell>,
    pub workers: i64,
    pub oldest: Option<Time>,
}

/// A sortable column header.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// "ascending" / "descending" / "none" for aria-sort.
    pub aria: &'static str,
    pub numeric: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub c: Chrome,
    pub totals: Vec<StateCell>,
    pub queue_count: String,
    pub workers_total: String,
    pub busy: String,
    pub idle: String,
    pub suspended_workers: String,
    pub stale_workers: String,
    pub redis: RedisInfo,
    pub rows: Vec<QueueRow>,
    pub headers: Vec<SortLink>,
    pub filter: String,
}

fn cells(c: &Chrome, queue: Option<&str>, counts: &Counts) -> Vec<StateCell> {
    SHOWN_STATES
        .iter()
        .map(|(s, label)| {
            let n = State::parse(s).map_or(0, |st| counts.get(st));
            StateCell {
                state: s,
                label,
                count: n,
                count_fmt: fmt::int(n),
                href: queue.map_or_else(String::new, |q| c.queue_href(q, Some(s))),
                active: false,
            }
        })
        .collect()
}

fn sort_key(q: &QueueInfo, col: &str) -> i64 {
    match col {
        "workers" => q.workers,
        "oldest" => q
            .oldest_enqueued_at
            .as_deref()
            .and_then(crate::rq::time::parse)
            .map_or(i64::MAX, |t| t.as_second()),
        s => State::parse(s).map_or(0, |st| q.counts.get(st)),
    }
}

impl OverviewPage {
    /// Build the page from one overview read, the workers read and INFO.
    pub fn build(
        mut c: Chrome,
        o: Overview,
        w: &Workers,
        redis: RedisInfo,
        sort: &str,
        desc: bool,
        filter: &str,
    ) -> Self {
        c.suspended = o.suspended;
        let needle = filter.to_lowercase();
        let mut queues: Vec<QueueInfo> = o
            .queues
            .into_iter()
            .filter(|q| needle.is_empty() || q.name.to_lowercase().contains(&needle))
            .collect();
        if sort != "name" {
            queues.sort_by_key(|q| sort_key(q, sort));
        }
        if desc {
            queues.reverse();
        }
        let rows: Vec<QueueRow> = queues
            .iter()
            .map(|q| QueueRow {
                name: q.name.clone(),
                href: c.queue_href(&q.name, None),
                cells: cells(&c, Some(&q.name), &q.counts),
                workers: q.workers,
                oldest: Time::from(q.oldest_enqueued_at.as_deref()),
            })
            .collect();
        let mut headers = vec![("name", "Queue", false)];
        headers.extend(SHOWN_STATES.iter().map(|(s, l)| (*s, *l, true)));
        headers.push(("workers", "Workers", true));
        headers.push(("oldest", "Oldest queued", true));
        let fq = if filter.is_empty() { String::new() } else { format!("&q={}", fmt::q(filter)) };
        let headers = headers
            .into_iter()
            .map(|(key, label, numeric)| {
                let current = key == sort;
                // Numbers sort biggest-first on the first click; names A→Z.
                let next_desc = if current { !desc } else { numeric && key != "oldest" };
                SortLink {
                    label,
                    href: format!(
                        "{}/?sort={key}&dir={}{fq}{}",
                        c.prefix,
                        if next_desc { "desc" } else { "asc" },
                        c.inst_amp
                    ),
                    aria: match (current, desc) {
                        (false, _) => "none",
                        (true, false) => "ascending",
                        (true, true) => "descending",
                    },
                    numeric,
                }
            })
            .collect();
        let count = |f: &dyn Fn(&crate::rq::worker::Worker) -> bool| {
            fmt::int(w.workers.iter().filter(|x| f(x)).count() as i64)
        };
        Self {
            totals: cells(&c, None, &o.totals),
            queue_count: fmt::int(rows.len() as i64),
            workers_total: fmt::int(w.workers.iter().filter(|x| !x.stale).count() as i64),
            busy: count(&|x| !x.stale && x.state == "busy"),
            idle: count(&|x| !x.stale && x.state == "idle"),
            suspended_workers: count(&|x| !x.stale && x.state == "suspended"),
            stale_workers: count(&|x| x.stale),
            redis,
            rows,
            headers,
            filter: filter.to_owned(),
            c,
        }
    }
}
