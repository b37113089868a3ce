//! The workers page and the error page.

use askama::Template;
use askama_web::WebTemplate;

use std::collections::HashMap;

use super::Chrome;
use crate::rq::job::JobRow;
use crate::rq::worker::Worker;
use crate::store::workers::Workers;
use crate::web::fmt::{self, Time, filters};

/// One worker row.
pub struct WorkerRow {
    pub name: String,
    pub href: String,
    pub anchor: String,
    pub stale: bool,
    pub state: String,
    pub job: Option<(String, String)>,
    /// What the current job is: function, arguments, queue, run time.
    pub running: Option<super::running::Running>,
    pub queues: Vec<(String, String)>,
    pub heartbeat: Option<Time>,
    pub late: bool,
    pub birth: Option<Time>,
    pub ok: String,
    pub failed: String,
    pub working: String,
    pub host: String,
    pub pid: String,
    pub versions: String,
}

/// Rows under one heading: an inferred pool, or (heading None) the workers in no pool.
pub struct Section {
    pub pool: Option<String>,
    pub rows: Vec<WorkerRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "workers.html")]
pub struct WorkersPage {
    pub c: Chrome,
    pub actions: Vec<super::ActionButton>,
    /// Workers in no pool first, then one section per inferred pool.
    pub sections: Vec<Section>,
    pub pool_note: &'static str,
    pub count: String,
    pub suspended_ttl: Option<String>,
    /// Keys read holding another type than RQ keeps there, one sentence each.
    pub corrupt: Vec<String>,
}

/// A busy worker heartbeats every ~30 s (TTL ≤ 90 s), an idle one every ~405 s (TTL 480 s).
pub(super) fn late(w: &Worker) -> bool {
    let limit = if w.state == "busy" { 90.0 } else { 480.0 };
    w.heartbeat_age_seconds.is_some_and(|a| a > limit)
}

impl WorkersPage {
    /// Build from the workers read.
    pub fn build(mut c: Chrome, w: Workers, jobs: &HashMap<String, JobRow>) -> Self {
        c.suspended = w.suspended;
        let rows: Vec<WorkerRow> = w
            .workers
            .iter()
            .map(|x| WorkerRow {
                anchor: format!("w-{}", fmt::seg(&x.name)),
                name: x.name.clone(),
                href: c.worker_href(&x.name),
                stale: x.stale,
                state: if x.stale { "stale".into() } else { x.state.clone() },
                job: x.current_job.clone().map(|j| (c.job_href(&j), j)),
                running: x.current_job.as_deref().and_then(|j| super::running::Running::of(&c, j, jobs)),
                queues: x.queues.iter().map(|q| (c.queue_href(q, None), q.clone())).collect(),
                heartbeat: Time::from(x.last_heartbeat.as_deref()),
                late: late(x),
                birth: Time::from(x.birth.as_deref()),
                ok: fmt::int(x.successful_job_count),
                failed: fmt::int(x.failed_job_count),
                working: fmt::duration(x.total_working_time),
                host: [x.hostname.clone(), x.ip_address.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                pid: x.pid.map(|p| p.to_string()).unwrap_or_default(),
                versions: [
                    x.version.as_ref().map(|v| format!("rq {v}")),
                    x.python_version
                        .as_ref()
                        .map(|p| format!("Python {}", p.split_whitespace().next().unwrap_or(p))),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            })
            .collect();
        let stale = rows.iter().filter(|r| r.stale).count();
        let count = if stale == 0 {
            fmt::int(rows.len() as i64)
        } else {
            format!("{} · {} stale", fmt::int((rows.len() - stale) as i64), fmt::int(stale as i64))
        };
        let api = |op: &str| format!("{}/api/v1/workers/{op}?instance={}", c.prefix, c.instance);
        let mut actions = Vec::new();
        if !c.read_only {
            if c.suspended {
                actions.push(super::ActionButton {
                    label: "Resume workers",
                    url: api("resume"),
                    confirm: "Resume all workers (rq resume)? They take jobs again.".into(),
                    class: "",
                    background: false,
                });
            } else {
                actions.push(super::ActionButton {
                    label: "Suspend workers",
                    url: api("suspend"),
                    confirm: "Suspend all workers (rq suspend)? Running jobs finish; no worker takes a new job until you resume.".into(),
                    class: "danger",
                    background: false,
                });
            }
            if stale > 0 {
                actions.push(super::ActionButton {
                    label: "Remove stale entries",
                    url: api("remove-stale"),
                    confirm: format!(
                        "Remove {} (workers whose hash is gone) from rq:workers and the queue sets?",
                        fmt::count(i64::try_from(stale).unwrap_or(i64::MAX), "stale worker entry")
                    ),
                    class: "",
                    background: false,
                });
            }
        }
        let corrupt = w.corrupt.iter().map(|x| x.message.clone()).collect();
        let suspended_ttl = w.suspended_ttl.map(|t| fmt::duration(t as f64));
        let mut sections = vec![Section { pool: None, rows: Vec::new() }];
        sections.extend(w.pools.iter().map(|p| Section {
            pool: Some(format!("{}, {} workers", p.label, p.workers.len())),
            rows: Vec::new(),
        }));
        for (row, x) in rows.into_iter().zip(&w.workers) {
            let at =
                x.pool.as_ref().and_then(|l| w.pools.iter().position(|p| &p.label == l)).map_or(0, |i| i + 1);
            if let Some(s) = sections.get_mut(at) {
                s.rows.push(row);
            }
        }
        sections.retain(|s| !s.rows.is_empty());
        let pool_note = crate::rq::pool::POOL_NOTE;
        let actions = c.allowed(actions, None);
        Self { actions, count, sections, pool_note, suspended_ttl, corrupt, c }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub status: u16,
    pub heading: String,
    pub message: String,
}
