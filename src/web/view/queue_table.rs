//! The overview's queues table: filtered, sorted and cut into pages on the server, so that a
//! page with 1,000+ queues sends one page of rows (static/queue-table.js swaps pages, sorts and
//! filters in place, without a reload).

use super::{Chrome, SHOWN_STATES, StateCell};
use crate::rq::State;
use crate::store::overview::QueueInfo;
use crate::web::fmt::{self, Time};

/// Queues shown per page of the table.
pub const PER_PAGE: usize = 50;

/// One row of the queues table.
pub struct QueueRow {
    pub name: String,
    pub href: String,
    pub cells: Vec<StateCell>,
    pub workers: i64,
    pub oldest: Option<Time>,
    /// False for a queue `rq:queues` does not list (found holding jobs by a background scan).
    pub registered: bool,
    /// Entries awaiting RQ's cleanup, all states together.
    pub expired: i64,
    /// Its keys holding another type than RQ keeps there (read as empty; the badge says which).
    pub corrupt: String,
}

/// A sortable column header.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// "ascending" / "descending" / "none" for aria-sort.
    pub aria: &'static str,
    pub numeric: bool,
}

/// The table: one page of the queues matching the filter, in the chosen order.
pub struct QueueTable {
    pub rows: Vec<QueueRow>,
    pub headers: Vec<SortLink>,
    pub filter: String,
    /// Queues in all, and those matching the filter (formatted for the heading).
    pub total: usize,
    pub matched: usize,
    pub matched_fmt: String,
    pub total_fmt: String,
    /// 1-based page, pages in all, the first and last row shown.
    pub page: usize,
    pub pages: usize,
    pub from: String,
    pub to: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// (page number, href, current) around the current page.
    pub pager: Vec<(usize, String, bool)>,
}

fn sort_key(q: &QueueInfo, col: &str) -> i64 {
    match col {
        "workers" => q.workers,
        "oldest" => q
            .oldest_enqueued_at
            .as_deref()
            .and_then(crate::rq::time::parse)
            .map_or(i64::MAX, |t| t.as_second()),
        "held" => q.counts.held,
        s => State::parse(s).map_or(0, |st| q.counts.get(st)),
    }
}

/// How the table was asked for: sort column, direction, filter and page.
pub struct TableQuery<'a> {
    pub sort: &'a str,
    pub desc: bool,
    pub filter: &'a str,
    pub page: usize,
    /// Show the Held column (rate limits seen, or jobs held).
    pub held: bool,
}

impl QueueTable {
    /// Filter, sort and cut `queues` to the asked page (a page past the end shows the last one).
    pub fn build(c: &Chrome, queues: &[QueueInfo], t: &TableQuery) -> Self {
        let needle = t.filter.to_lowercase();
        let mut shown: Vec<&QueueInfo> =
            queues.iter().filter(|q| needle.is_empty() || q.name.to_lowercase().contains(&needle)).collect();
        if t.sort != "name" {
            shown.sort_by_key(|q| sort_key(q, t.sort));
        }
        if t.desc {
            shown.reverse();
        }
        let matched = shown.len();
        let pages = matched.div_ceil(PER_PAGE).max(1);
        let page = t.page.clamp(1, pages);
        let start = (page - 1) * PER_PAGE;
        let rows = shown
            .iter()
            .skip(start)
            .take(PER_PAGE)
            .map(|q| QueueRow {
                name: q.name.clone(),
                href: c.queue_href(&q.name, None),
                cells: super::state_cells(c, Some(&q.name), &q.counts, None),
                workers: q.workers,
                oldest: Time::from(q.oldest_enqueued_at.as_deref()),
                registered: q.registered,
                expired: q.counts.expired.total(),
                corrupt: q.corrupt.iter().map(|w| w.message.as_str()).collect::<Vec<_>>().join("; "),
            })
            .collect::<Vec<_>>();
        let base = |sort: &str, desc: bool| {
            let fq = if t.filter.is_empty() { String::new() } else { format!("&q={}", fmt::q(t.filter)) };
            let dir = if desc { "desc" } else { "asc" };
            format!("{}/?sort={sort}&dir={dir}{fq}{}", c.prefix, c.inst_amp)
        };
        let here = base(t.sort, t.desc);
        let at = |n: usize| if n == 1 { here.clone() } else { format!("{here}&qpage={n}") };
        let (lo, hi) = (page.saturating_sub(3).max(1), (page + 3).min(pages));
        Self {
            from: fmt::int(if matched == 0 { 0 } else { start as i64 + 1 }),
            to: fmt::int((start + rows.len()) as i64),
            rows,
            headers: headers(t, &base),
            filter: t.filter.to_owned(),
            total: queues.len(),
            matched,
            matched_fmt: fmt::int(matched as i64),
            total_fmt: fmt::int(queues.len() as i64),
            page,
            pages,
            prev: (page > 1).then(|| at(page - 1)),
            next: (page < pages).then(|| at(page + 1)),
            pager: (lo..=hi).map(|n| (n, at(n), n == page)).collect(),
        }
    }
}

fn headers(t: &TableQuery, base: &dyn Fn(&str, bool) -> String) -> Vec<SortLink> {
    let mut cols = vec![("name", "Queue", false)];
    cols.extend(SHOWN_STATES.iter().map(|(s, l)| (*s, *l, true)));
    if t.held {
        cols.push(("held", "Held", true));
    }
    cols.push(("workers", "Workers", true));
    cols.push(("oldest", "Oldest queued", true));
    cols.into_iter()
        .map(|(key, label, numeric)| {
            let current = key == t.sort;
            // Numbers sort biggest-first on the first click; names A→Z.
            let next_desc = if current { !t.desc } else { numeric && key != "oldest" };
            SortLink {
                label,
                href: base(key, next_desc),
                aria: match (current, t.desc) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                numeric,
            }
        })
        .collect()
}
