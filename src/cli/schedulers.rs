//! `rqdash schedulers`: cron schedulers, cron jobs with their next runs, and per queue the
//! scheduler lock and overdue scheduled jobs, as on the schedulers page.

use std::process::ExitCode;

use super::Ctx;
use super::output::{ago, clean, json, thousands, ts};
use super::table::Table;
use crate::store::schedulers;

/// Print the schedulers of the chosen instance; exit status 3 (like doctor) when a cron
/// scheduler is stale or scheduled jobs are overdue with no scheduler, so scripts can alert.
pub async fn schedulers(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let s = schedulers::schedulers(ctx.inst()?).await?;
    let bad = s.stale_cron_schedulers > 0 || !s.overdue_alerts.is_empty();
    let code = if bad { ExitCode::from(super::EXIT_PROBLEMS) } else { ExitCode::SUCCESS };
    if ctx.json {
        json(&s)?;
        return Ok(code);
    }
    let mut t = Table::new(&["CRON SCHEDULER", "HOST", "PID", "STARTED", "HEARTBEAT", "STATE"]).right(&[2]);
    for c in &s.cron_schedulers {
        let state = if c.stale { ctx.style.red("stale") } else { ctx.style.green("up") };
        t.row(vec![
            clean(&c.name),
            c.hostname.as_deref().map_or_else(|| "-".to_owned(), clean),
            c.pid.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            ts(c.created_at.as_deref()),
            c.heartbeat_age_seconds.map_or_else(|| "-".to_owned(), |a| format!("{} ago", ago(a))),
            state,
        ]);
    }
    print!("{}", t.render(ctx.style));
    let mut t = Table::new(&["CRON JOB", "QUEUE", "SCHEDULE", "NEXT RUN", "LAST ENQUEUE", "RECENT"]);
    for j in s.cron_schedulers.iter().flat_map(|c| &c.jobs) {
        let raw = j.cron.clone().or(j.interval.map(|i| format!("{i}s"))).unwrap_or_default();
        let recent: Vec<String> =
            j.recent.iter().take(3).map(|r| r.status.clone().unwrap_or_else(|| "expired".into())).collect();
        t.row(vec![
            clean(&j.func_name),
            clean(&j.queue_name),
            format!("{} ({})", j.schedule, clean(&raw)),
            ts(j.next_runs.first().map(String::as_str)),
            ts(j.latest_enqueue_time.as_deref()),
            recent.join(","),
        ]);
    }
    println!();
    print!("{}", t.render(ctx.style));
    let mut t = Table::new(&["QUEUE", "SCHEDULER LOCK", "SCHEDULED", "OVERDUE", "OLDEST DUE"]).right(&[2, 3]);
    for q in s.queues.iter().filter(|q| q.scheduled > 0 || q.lock.is_some()) {
        let lock = q.lock.as_deref().map_or_else(|| ctx.style.dim("none"), clean);
        let overdue = thousands(q.overdue);
        t.row(vec![
            clean(&q.queue),
            lock,
            thousands(q.scheduled),
            if q.alert { ctx.style.red(&overdue) } else { overdue },
            ts(q.oldest_due_at.as_deref()),
        ]);
    }
    println!();
    print!("{}", t.render(ctx.style));
    if s.stale_cron_schedulers > 0 {
        println!("{}", ctx.style.yellow(&format!("{} cron scheduler(s) stale.", s.stale_cron_schedulers)));
    }
    if !s.overdue_alerts.is_empty() {
        let qs = s.overdue_alerts.join(", ");
        println!("{}", ctx.style.yellow(&format!("Overdue scheduled jobs and no scheduler: {qs}.")));
    }
    Ok(code)
}
