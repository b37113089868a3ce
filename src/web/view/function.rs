//! One function's page (charts, queues, slowest recent jobs, archived failures) and the page of a
//! job known only from the archive.

use askama::Template;
use askama_web::WebTemplate;

use super::Chrome;
use super::functions::{FnRow, FunctionsPage, secs};
use crate::store::archive::Record;
use crate::store::functions::{Detail, Functions};
use crate::store::history::Range;
use crate::web::chart::{self, Chart, Line, Tone, Unit};
use crate::web::fmt::{self, filters};

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
    let exception = r.exception().unwrap_or_default();
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
