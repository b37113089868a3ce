//! The overview page: totals, workers, Redis, and the sortable, filterable queues table.

use askama::Template;
use askama_web::WebTemplate;

use super::queue_table::{QueueTable, TableQuery};
use super::{Chrome, StateCell};
use crate::rq::State;
use crate::store::info::RedisInfo;
use crate::store::overview::{Counts, Overview};
use crate::store::workers::Workers;
use crate::web::fmt::{self, filters};

#[derive(Template, WebTemplate)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub c: Chrome,
    pub totals: Vec<StateCell>,
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
    /// One page of the queues table.
    pub table: QueueTable,
    pub top_groups: Option<super::search::groups::TopGroupsView>,
    pub history: Option<super::HistoryBlock>,
    /// `rq:queues`, `rq:workers` or worker keys holding another type than RQ keeps there.
    pub corrupt: Vec<String>,
    /// Health verdicts (None when they could not be judged: the page shows no badges).
    pub health: Option<std::sync::Arc<crate::health::Report>>,
    /// "1 critical · 2 warning · 5 ok queues".
    pub health_counts: String,
}

fn cells(c: &Chrome, queue: Option<&str>, counts: &Counts) -> Vec<StateCell> {
    super::state_cells(c, queue, counts, None)
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
        query: &TableQuery,
    ) -> Self {
        c.suspended = o.suspended;
        let held = c.rate_limits || o.totals.held > 0;
        let table = QueueTable::build(&c, &o.queues, &TableQuery { held, ..*query });
        let redis_rows = redis_rows(&redis, sentinel);
        let registry_entries: i64 =
            State::ALL.iter().filter(|s| **s != State::Queued).map(|s| o.totals.get(*s)).sum();
        let rq_rows = vec![
            ("Queues", fmt::int(o.queues.len() as i64)),
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
            workers_total: fmt::int(w.workers.iter().filter(|x| !x.stale).count() as i64),
            busy: count(&|x| !x.stale && x.state == "busy"),
            idle: count(&|x| !x.stale && x.state == "idle"),
            suspended_workers: count(&|x| !x.stale && x.state == "suspended"),
            stale_workers: count(&|x| x.stale),
            redis,
            redis_rows,
            rq_rows,
            table,
            history: None,
            top_groups: None,
            health: None,
            health_counts: String::new(),
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

/// The panel's rows about what rqdash stores in this Redis and its budget.
pub fn storage_rows(s: &crate::store::budget::state::Status) -> Vec<(&'static str, String)> {
    let b = |n: u64| fmt::bytes(n as i64);
    let of = s.budget.map_or_else(|| " (no budget)".to_owned(), |m| format!(" of {} budget", b(m)));
    let over = if s.over() { " (over budget)" } else { "" };
    let u = s.usage;
    let mut rows = vec![
        ("rqdash stores", format!("{}{of}{over}", b(s.total))),
        (
            "rqdash keys",
            format!(
                "history {} · functions {} · archive {} ({} jobs) · audit {} · alerts {}",
                b(u.history),
                b(u.functions),
                b(u.archive),
                fmt::int(s.archive_entries as i64),
                b(u.audit),
                b(u.alerts)
            ),
        ),
        ("rqdash storage", s.level.as_str().to_owned()),
    ];
    let d = s.dropped;
    if s.level > crate::store::budget::Level::Normal {
        let mut what = format!(
            "{} archived jobs, {} minute hashes",
            fmt::int(d.archive_records as i64),
            fmt::int(d.minute_keys as i64)
        );
        if let Some(h) = s.minute_hours {
            what.push_str(&format!(" (minute tier {h} h)"));
        }
        what.push_str(&format!(", {} idle queues, {} rare functions", d.folded_queues, d.folded_functions));
        rows.push(("rqdash dropped", what));
    }
    rows
}

impl OverviewPage {
    /// Show `report`'s verdicts: the card, the instance reasons, a badge per troubled queue.
    pub fn with_health(mut self, report: Option<std::sync::Arc<crate::health::Report>>) -> Self {
        if let Some(r) = &report {
            let [ok, warn, crit] = r.counts();
            self.health_counts = format!("{crit} critical · {warn} warning · {ok} ok queues");
        }
        self.health = report;
        self
    }
}
