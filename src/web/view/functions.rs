//! The per-function pages: the sortable table of every (queue, function), one function's charts
//! and jobs, and the page of a job known only from the archive.

use askama::Template;
use askama_web::WebTemplate;

use super::Chrome;
use crate::store::archive::Record;
use crate::store::functions::{Detail, Functions, Stat};
use crate::store::history::Range;
use crate::web::chart::{self, Chart, Line, Tone, Unit};
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

fn secs(v: Option<f64>) -> String {
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

/// One archived job in a list.
pub struct JobLine {
    pub id: String,
    pub href: String,
    pub queue: String,
    pub ended: Option<fmt::Time>,
    pub run: String,
    pub exception: String,
}

fn line(c: &Chrome, r: &Record) -> JobLine {
    let exception = match (&r.exc_type, &r.exc_line) {
        (Some(t), Some(l)) => format!("{t}: {l}"),
        (Some(t), None) => t.clone(),
        (None, Some(l)) => l.clone(),
        (None, None) => String::new(),
    };
    JobLine {
        href: c.job_href(&r.id),
        id: r.id.clone(),
        queue: r.queue.clone(),
        ended: fmt::Time::from(r.ended_at.as_deref()),
        run: secs(r.run_s),
        exception,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "function.html")]
pub struct FunctionPage {
    pub c: Chrome,
    pub function: String,
    pub ranges: Vec<(&'static str, String, bool)>,
    pub rows: Vec<FnRow>,
    pub calls_svg: String,
    pub run_svg: String,
    pub empty: bool,
    pub slowest: Vec<JobLine>,
    pub failures: Vec<JobLine>,
}

impl FunctionPage {
    pub fn build(c: Chrome, d: Detail, now: i64) -> Self {
        let r = d.range;
        let to = now - now.rem_euclid(r.step());
        let from = to - r.step() * (r.buckets() - 1);
        let per = if r.step() > 60 { "per hour" } else { "per minute" };
        let pts = |f: fn(&crate::store::functions::Bucket) -> Option<f64>| -> Vec<(i64, f64)> {
            d.buckets.iter().filter_map(|b| Some((b.t, f(b)?))).collect()
        };
        let mk = |title: String, unit, lines| {
            chart::render(&Chart { title, unit, from, to, step: r.step(), lines })
        };
        let calls_svg = mk(
            format!("Calls {per}, {}", r.as_str()),
            Unit::Count,
            vec![
                Line {
                    label: "finished".into(),
                    tone: Tone::Finished,
                    area: true,
                    points: pts(|b| Some(b.finished as f64)),
                },
                Line {
                    label: "failed".into(),
                    tone: Tone::Failed,
                    area: false,
                    points: pts(|b| Some(b.failed as f64)),
                },
            ],
        );
        let run_svg = mk(
            format!("Run time and wait, {}", r.as_str()),
            Unit::Seconds,
            vec![
                Line {
                    label: "p50 run".into(),
                    tone: Tone::Finished,
                    area: false,
                    points: pts(|b| b.run_p50),
                },
                Line {
                    label: "p95 run".into(),
                    tone: Tone::Started,
                    area: false,
                    points: pts(|b| b.run_p95),
                },
                Line {
                    label: "p95 wait".into(),
                    tone: Tone::Queued,
                    area: false,
                    points: pts(|b| b.wait_p95),
                },
            ],
        );
        let enc = fmt::seg(&d.function);
        let ranges = Range::ALL
            .iter()
            .map(|x| {
                (
                    x.as_str(),
                    format!("{}/functions/{enc}?range={}{}", c.prefix, x.as_str(), c.inst_amp),
                    *x == r,
                )
            })
            .collect();
        let mut page = FunctionPage {
            ranges,
            rows: Vec::new(),
            calls_svg,
            run_svg,
            empty: d.buckets.is_empty(),
            slowest: d.slowest.iter().map(|x| line(&c, x)).collect(),
            failures: d.failures.iter().map(|x| line(&c, x)).collect(),
            function: d.function.clone(),
            c,
        };
        let table = FunctionsPage::build(
            page.c.clone(),
            Functions { range: r, functions: d.queues },
            "calls",
            true,
            "",
        );
        page.rows = table.rows;
        page
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "job_archived.html")]
pub struct ArchivedJobPage {
    pub c: Chrome,
    pub r: Record,
    pub enqueued: Option<fmt::Time>,
    pub started: Option<fmt::Time>,
    pub ended: Option<fmt::Time>,
    pub run: String,
    pub function_href: Option<String>,
    pub result_size: Option<String>,
}

impl ArchivedJobPage {
    pub fn build(c: Chrome, r: Record) -> Self {
        ArchivedJobPage {
            enqueued: fmt::Time::from(r.enqueued_at.as_deref()),
            started: fmt::Time::from(r.started_at.as_deref()),
            ended: fmt::Time::from(r.ended_at.as_deref()),
            run: secs(r.run_s),
            function_href: r
                .function
                .as_ref()
                .map(|f| format!("{}/functions/{}{}", c.prefix, fmt::seg(f), c.inst_q)),
            result_size: r.result_size.map(|n| fmt::bytes(n as i64)),
            r,
            c,
        }
    }
}
