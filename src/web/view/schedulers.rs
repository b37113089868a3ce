//! The schedulers page: cron schedulers, cron jobs with their next runs and recent enqueues, and
//! per queue the scheduler lock and overdue scheduled jobs.

use askama::Template;
use askama_web::WebTemplate;

use super::Chrome;
use crate::rq::cron::CronRun;
use crate::store::schedulers::Schedulers;
use crate::web::fmt::{self, Time, filters};

#[derive(Template, WebTemplate)]
#[template(path = "schedulers.html")]
pub struct SchedulersPage {
    pub c: Chrome,
    pub cron: Vec<CronRow>,
    pub jobs: Vec<JobRow>,
    pub queues: Vec<QueueRow>,
    /// Names in `rq:cron_jobs` that no listed scheduler runs (its hash expired).
    pub orphan_names: Vec<(String, Option<Time>)>,
    pub stale: usize,
    pub alerts: Vec<String>,
    pub corrupt: Vec<String>,
}

/// One cron scheduler.
pub struct CronRow {
    pub name: String,
    pub host: String,
    pub pid: String,
    pub started: Option<Time>,
    pub heartbeat: Option<Time>,
    /// "12 s of 120 s".
    pub age: String,
    pub stale: bool,
    pub hash_missing: bool,
    pub config: String,
    pub jobs_error: Option<String>,
}

/// One cron job.
pub struct JobRow {
    pub scheduler: String,
    pub func: String,
    pub queue: String,
    pub queue_href: String,
    pub words: String,
    pub raw: String,
    pub error: Option<String>,
    pub next: Vec<Time>,
    pub last: Option<Time>,
    /// RQ's next time has passed without an enqueue.
    pub due: bool,
    /// (job link, id, enqueued at, status or "expired").
    pub recent: Vec<(String, String, Option<Time>, String)>,
    pub total: String,
}

/// One queue's scheduling.
pub struct QueueRow {
    pub queue: String,
    pub href: String,
    /// "name (host, pid)" or the PID, when a scheduler holds the lock.
    pub holder: Option<String>,
    pub lock_ttl: String,
    pub scheduled: String,
    pub overdue: i64,
    pub overdue_fmt: String,
    pub oldest: Option<Time>,
    pub alert: bool,
}

impl SchedulersPage {
    /// Build the page.
    pub fn build(c: Chrome, s: Schedulers) -> Self {
        let cron = s
            .cron_schedulers
            .iter()
            .map(|x| CronRow {
                name: x.name.clone(),
                host: x.hostname.clone().unwrap_or_default(),
                pid: x.pid.map(|p| p.to_string()).unwrap_or_default(),
                started: Time::from(x.created_at.as_deref()),
                heartbeat: Time::from(x.last_heartbeat.as_deref()),
                age: x.heartbeat_age_seconds.map_or_else(String::new, |a| {
                    format!("{} ago, TTL {}", fmt::duration(a), fmt::duration(x.ttl_seconds as f64))
                }),
                stale: x.stale,
                hash_missing: x.hash_missing,
                config: x.config_file.clone().unwrap_or_default(),
                jobs_error: x.jobs_error.clone(),
            })
            .collect();
        let run = |r: &CronRun| {
            (
                c.job_href(&r.id),
                r.id.clone(),
                Time::from(r.enqueued_at.as_deref()),
                r.status.clone().unwrap_or_else(|| "expired".into()),
            )
        };
        let jobs = s
            .cron_schedulers
            .iter()
            .flat_map(|x| x.jobs.iter().map(move |j| (x.name.clone(), j)))
            .map(|(scheduler, j)| JobRow {
                scheduler,
                func: j.func_name.clone(),
                queue_href: c.queue_href(&j.queue_name, None),
                queue: j.queue_name.clone(),
                words: j.schedule.clone(),
                raw: j.cron.clone().or(j.interval.map(|i| format!("interval={i}s"))).unwrap_or_default(),
                error: j.schedule_error.clone(),
                next: j.next_runs.iter().filter_map(|t| Time::from(Some(t.as_str()))).collect(),
                last: Time::from(j.latest_enqueue_time.as_deref()),
                due: j.due,
                recent: j.recent.iter().map(run).collect(),
                total: fmt::int(j.history_total),
            })
            .collect();
        let known: Vec<&str> =
            s.cron_schedulers.iter().flat_map(|x| x.jobs.iter().map(|j| j.name.as_str())).collect();
        let orphan_names = s
            .cron_job_names
            .iter()
            .filter(|n| !known.contains(&n.name.as_str()))
            .map(|n| (n.name.clone(), Time::from(n.last_enqueue.as_deref())))
            .collect();
        let queues = s
            .queues
            .iter()
            .filter(|q| q.scheduled > 0 || q.lock.is_some())
            .map(|q| QueueRow {
                href: c.queue_href(&q.queue, Some("scheduled")),
                queue: q.queue.clone(),
                holder: q.lock.as_ref().map(|l| match &q.holder {
                    Some(h) => format!(
                        "{l} ({}, pid {})",
                        h.hostname.clone().unwrap_or_default(),
                        h.pid.map(|p| p.to_string()).unwrap_or_default()
                    ),
                    None => l.clone(),
                }),
                lock_ttl: q.lock_ttl_seconds.map(|t| format!("{t} s left")).unwrap_or_default(),
                scheduled: fmt::int(q.scheduled),
                overdue: q.overdue,
                overdue_fmt: fmt::int(q.overdue),
                oldest: Time::from(q.oldest_due_at.as_deref()),
                alert: q.alert,
            })
            .collect();
        Self {
            stale: s.stale_cron_schedulers,
            alerts: s.overdue_alerts.clone(),
            corrupt: s.corrupt.iter().map(|x| x.message.clone()).collect(),
            cron,
            jobs,
            queues,
            orphan_names,
            c,
        }
    }
}
