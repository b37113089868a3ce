//! The per-function table: every (queue, function) with its percentiles, sortable (one
//! function's page and archived jobs are in [`super::function`]).

use askama::Template;
use askama_web::WebTemplate;

use super::Chrome;
use crate::store::functions::{Functions, Stat};
use crate::store::history::Range;
use crate::web::fmt::{self, filters};

/// Sortable columns: (key, label, numeric).
pub const COLUMNS: [(&str, &str, bool); 9] = [
    ("function", "Function", false),
    ("queue", "Queue", false),
    ("calls", "Calls", true),
    ("p50", "p50 run", true),
    ("p95", "p95 run", true),
    ("p99", "p99 run", true),
    ("wait", "p95 wait", true),
    ("failure", "Failure rate", true),
    ("trend", "Trend (p95)", true),
];

/// A column header: label, link sorting by it, `aria-sort`, numeric.
pub struct Header {
    pub label: &'static str,
    pub href: String,
    pub aria: &'static str,
    pub numeric: bool,
}

/// One row of the table, formatted.
pub struct FnRow {
    pub function: String,
    pub href: String,
    pub queue: String,
    pub queue_href: String,
    pub calls: String,
    pub p50: String,
    pub p95: String,
    pub p99: String,
    pub wait: String,
    pub failure: String,
    pub failing: bool,
    pub trend: String,
}

pub(super) fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), fmt::duration)
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// The trend of run time p95 against the previous period: "×1.8", "new" or "–".
fn trend(s: &Stat) -> String {
    match (s.run_p95, s.prev_run_p95) {
        (Some(a), Some(b)) if b > 0.0 => format!("×{:.2}", a / b),
        (Some(_), None) => "new".to_owned(),
        _ => "–".to_owned(),
    }
}

fn trend_value(s: &Stat) -> f64 {
    match (s.run_p95, s.prev_run_p95) {
        (Some(a), Some(b)) if b > 0.0 => a / b,
        _ => -1.0,
    }
}

/// Sort the stats by a column key (unknown keys sort by calls).
pub fn sort(stats: &mut [Stat], key: &str, desc: bool) {
    let num = |s: &Stat| -> f64 {
        let v = match key {
            "p50" => s.run_p50,
            "p95" => s.run_p95,
            "p99" => s.run_p99,
            "wait" => s.wait_p95,
            "failure" => s.failure_rate,
            "trend" => Some(trend_value(s)),
            _ => Some(s.calls as f64),
        };
        v.unwrap_or(-1.0)
    };
    stats.sort_by(|a, b| {
        let o = match key {
            "function" => (&a.function, &a.queue).cmp(&(&b.function, &b.queue)),
            "queue" => (&a.queue, &a.function).cmp(&(&b.queue, &b.function)),
            _ => num(a).partial_cmp(&num(b)).unwrap_or(std::cmp::Ordering::Equal),
        };
        if desc { o.reverse() } else { o }
    });
}

#[derive(Template, WebTemplate)]
#[template(path = "functions.html")]
pub struct FunctionsPage {
    pub c: Chrome,
    pub range: &'static str,
    pub ranges: Vec<(&'static str, String, bool)>,
    pub headers: Vec<Header>,
    pub rows: Vec<FnRow>,
    pub filter: String,
    pub total: usize,
}

impl FunctionsPage {
    pub fn build(c: Chrome, f: Functions, sort_key: &str, desc: bool, filter: &str) -> Self {
        let mut stats = f.functions;
        let total = stats.len();
        let needle = filter.to_lowercase();
        stats.retain(|s| {
            needle.is_empty()
                || s.function.to_lowercase().contains(&needle)
                || s.queue.to_lowercase().contains(&needle)
        });
        sort(&mut stats, sort_key, desc);
        let base = |range: Range, key: &str, d: bool| {
            let mut u = format!(
                "{}/functions?range={}&sort={key}&dir={}",
                c.prefix,
                range.as_str(),
                if d { "desc" } else { "asc" }
            );
            if !filter.is_empty() {
                u.push_str(&format!("&q={}", fmt::q(filter)));
            }
            u + &c.inst_amp
        };
        let headers = COLUMNS
            .iter()
            .map(|(k, label, numeric)| {
                let on = *k == sort_key;
                // A first click sorts numbers largest first and names A–Z; a second reverses.
                let next = if on { !desc } else { *numeric };
                Header {
                    label,
                    href: base(f.range, k, next),
                    aria: if !on {
                        "none"
                    } else if desc {
                        "descending"
                    } else {
                        "ascending"
                    },
                    numeric: *numeric,
                }
            })
            .collect();
        let ranges =
            Range::ALL.iter().map(|r| (r.as_str(), base(*r, sort_key, desc), *r == f.range)).collect();
        let rows = stats
            .iter()
            .map(|s| FnRow {
                href: format!(
                    "{}/functions/{}?range={}{}",
                    c.prefix,
                    fmt::seg(&s.function),
                    f.range.as_str(),
                    c.inst_amp
                ),
                function: s.function.clone(),
                queue_href: c.queue_href(&s.queue, None),
                queue: s.queue.clone(),
                calls: fmt::int(s.calls as i64),
                p50: secs(s.run_p50),
                p95: secs(s.run_p95),
                p99: secs(s.run_p99),
                wait: secs(s.wait_p95),
                failure: rate(s.failure_rate),
                failing: s.failed > 0,
                trend: trend(s),
            })
            .collect();
        FunctionsPage { c, range: f.range.as_str(), ranges, headers, rows, filter: filter.to_owned(), total }
    }
}
