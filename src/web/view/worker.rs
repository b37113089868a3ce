//! The worker detail page.

use askama::Template;
use askama_web::WebTemplate;

use super::queue::{Row, row};
use super::worker_link::WorkerPages;
use super::{ActionButton, Chrome};
use crate::store::worker_detail::WorkerDetail;
use crate::web::fmt::{self, Time, filters};

#[derive(Template, WebTemplate)]
#[template(path = "worker.html")]
pub struct WorkerPage {
    pub c: Chrome,
    pub name: String,
    pub state: String,
    pub stale: bool,
    pub facts: Vec<(&'static str, String)>,
    pub times: Vec<(&'static str, Time)>,
    pub job: Option<(String, String)>,
    pub queues: Vec<(String, String)>,
    pub heartbeat: String,
    pub late: bool,
    pub finished: Vec<Row>,
    pub failed: Vec<Row>,
    pub abandoned: Vec<Row>,
    pub scanned: usize,
    pub actions: Vec<ActionButton>,
    /// Keys read holding another type than RQ keeps there, one sentence each.
    pub corrupt: Vec<String>,
}

impl WorkerPage {
    /// Build the page.
    pub fn build(c: Chrome, d: WorkerDetail) -> Self {
        let none = WorkerPages::default();
        let w = &d.worker;
        let url = |cmd: &str| {
            format!("{}/api/v1/workers/{}/{cmd}?instance={}", c.prefix, fmt::seg(&w.name), c.instance)
        };
        let mut actions = Vec::new();
        if !c.read_only && !w.stale {
            actions.push(ActionButton {
                label: "Shut down",
                url: url("shutdown"),
                confirm: format!(
                    "Ask worker {} to shut down? It finishes its current job first (warm shutdown).",
                    w.name
                ),
                class: "",
                background: false,
            });
            if w.state == "busy" {
                actions.push(ActionButton {
                    label: "Kill work horse",
                    url: url("kill-horse"),
                    confirm: format!(
                        "Kill the work horse of {}? Its current job fails (retries apply).",
                        w.name
                    ),
                    class: "danger",
                    background: false,
                });
            }
        }
        let actions = c.allowed(actions, None);
        let age = w.heartbeat_age_seconds;
        let heartbeat = match (age, d.heartbeat_deadline_seconds) {
            (Some(a), Some(t)) => format!(
                "{} ago; the hash expires in {} without a new one",
                fmt::duration(a),
                fmt::duration(t as f64)
            ),
            (Some(a), None) => format!("{} ago", fmt::duration(a)),
            _ => "never".to_owned(),
        };
        let mut facts = vec![
            ("Host", w.hostname.clone().unwrap_or_default()),
            ("IP address", w.ip_address.clone().unwrap_or_default()),
            ("PID", w.pid.map(|p| p.to_string()).unwrap_or_default()),
            ("RQ", w.version.clone().unwrap_or_default()),
            ("Python", w.python_version.clone().unwrap_or_default()),
            ("Finished jobs", fmt::int(w.successful_job_count)),
            ("Failed jobs", fmt::int(w.failed_job_count)),
            ("Working time", fmt::duration(w.total_working_time)),
        ];
        if let Some(t) = w.current_job_working_time {
            facts.push(("On the current job", fmt::duration(t)));
        }
        facts.retain(|(_, v)| !v.is_empty());
        let times = [
            ("Born", &w.birth),
            ("Last heartbeat", &w.last_heartbeat),
            ("Died", &w.death),
            ("Shutdown requested", &w.shutdown_requested_date),
        ]
        .into_iter()
        .filter_map(|(k, v)| Time::from(v.as_deref()).map(|t| (k, t)))
        .collect();
        Self {
            corrupt: d.corrupt.iter().map(|x| x.message.clone()).collect(),
            name: w.name.clone(),
            state: if w.stale { "stale".into() } else { w.state.clone() },
            stale: w.stale,
            facts,
            times,
            job: w.current_job.clone().map(|j| (c.job_href(&j), j)),
            queues: w.queues.iter().map(|q| (c.queue_href(q, None), q.clone())).collect(),
            heartbeat,
            late: super::workers::late(w),
            // These are this worker's own jobs: the page shows no worker column.
            finished: d.recent_finished.into_iter().map(|j| row(&c, j, &none)).collect(),
            failed: d.recent_failed.into_iter().map(|j| row(&c, j, &none)).collect(),
            abandoned: d.abandoned.into_iter().map(|j| row(&c, j, &none)).collect(),
            scanned: d.scanned_per_registry,
            actions,
            c,
        }
    }
}
