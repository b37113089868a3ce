//! The overview page: totals, workers, Redis, and the sortable, filterable queues table.

use askama::Template;
use askama_web::WebTemplate;

use super::{Chrome, SHOWN_STATES, StateCell};
use crate::rq::State;
use crate::store::info::RedisInfo;
use crate::store::overview::{Counts, Overview, QueueInfo};
use crate::store::workers::Workers;
use crate::web::fmt::{self, Time, filters};

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
    /// Server facts, each present only if its INFO section could be read.
    pub redis_rows: Vec<(&'static str, String)>,
    /// RQ's own keys by kind, from the counts already read (no KEYS/SCAN).
    pub rq_rows: Vec<(&'static str, String)>,
    pub rows: Vec<QueueRow>,
    pub headers: Vec<SortLink>,
    pub filter: String,
    pub top_groups: Option<super::search::groups::TopGroupsView>,
    pub history: Option<super::HistoryBlock>,
    /// `rq:queues`, `rq:workers` or worker keys holding another type than RQ keeps there.
    pub corrupt: Vec<String>,
}

fn cells(c: &Chrome, queue: Option<&str>, counts: &Counts) -> Vec<StateCell> {
    super::state_cells(c, queue, counts, None)
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

impl OverviewPage {
    /// Build the page from one overview read, the workers read and INFO.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        mut c: Chrome,
        o: Overview,
        w: &Workers,
        redis: RedisInfo,
        sentinel: bool,
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
                registered: q.registered,
                expired: q.counts.expired.total(),
                corrupt: q.corrupt.iter().map(|w| w.message.as_str()).collect::<Vec<_>>().join("; "),
            })
            .collect();
        let mut headers = vec![("name", "Queue", false)];
        headers.extend(SHOWN_STATES.iter().map(|(s, l)| (*s, *l, true)));
        if c.rate_limits || o.totals.held > 0 {
            headers.push(("held", "Held", true));
        }
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
        let redis_rows = redis_rows(&redis, sentinel);
        let registry_entries: i64 =
            State::ALL.iter().filter(|s| **s != State::Queued).map(|s| o.totals.get(*s)).sum();
        let rq_rows = vec![
            ("Queues", fmt::int(rows.len() as i64)),
            ("Ids in queues", fmt::int(o.totals.queued)),
            ("Registry entries", fmt::int(registry_entries)),
            ("Worker entries", fmt::int(w.workers.len() as i64)),
        ];
        let count = |f: &dyn Fn(&crate::rq::worker::Worker) -> bool| {
            fmt::int(w.workers.iter().filter(|x| f(x)).count() as i64)
        };
        let mut corrupt: Vec<String> = Vec::new();
        for m in o.corrupt.iter().chain(&w.corrupt).map(|x| &x.message) {
            if !corrupt.contains(m) {
                corrupt.push(m.clone());
            }
        }
        Self {
            corrupt,
            totals: cells(&c, None, &o.totals),
            queue_count: fmt::int(rows.len() as i64),
            workers_total: fmt::int(w.workers.iter().filter(|x| !x.stale).count() as i64),
            busy: count(&|x| !x.stale && x.state == "busy"),
            idle: count(&|x| !x.stale && x.state == "idle"),
            suspended_workers: count(&|x| !x.stale && x.state == "suspended"),
            stale_workers: count(&|x| x.stale),
            redis,
            redis_rows,
            rq_rows,
            rows,
            headers,
            filter: filter.to_owned(),
            history: None,
            top_groups: None,
            c,
        }
    }
}

/// The Redis panel's facts, each only when its INFO section was readable.
fn redis_rows(r: &RedisInfo, sentinel: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut push = |k: &'static str, v: Option<String>| {
        if let Some(v) = v {
            out.push((k, v));
        }
    };
    push("Version", r.redis_version.clone());
    push("Mode", if sentinel { Some("sentinel".into()) } else { r.redis_mode.clone() });
    push("Role", r.role.clone());
    push("Uptime", r.uptime_in_seconds.map(|s| fmt::duration(s as f64)));
    push("Memory", r.used_memory_human.clone());
    push("Peak memory", r.used_memory_peak_human.clone());
    push(
        "Max memory",
        r.maxmemory.map(|m| if m == 0 { "no limit".to_owned() } else { crate::web::fmt::bytes(m) }),
    );
    push("Eviction policy", r.maxmemory_policy.clone());
    push("Clients", r.connected_clients.map(fmt::int));
    push("Ops/s", r.instantaneous_ops_per_sec.map(fmt::int));
    for (db, line) in &r.keyspace {
        let keys = line.split(',').next().and_then(|k| k.strip_prefix("keys=")).and_then(|k| k.parse().ok());
        push("Keys", keys.map(|k: i64| format!("{} ({db})", fmt::int(k))));
    }
    out
}
