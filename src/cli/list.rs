//! `rqdash queues`, `rqdash jobs`, `rqdash workers`: the dashboard's lists as tables.

use std::process::ExitCode;

use super::Ctx;
use super::output::{ago, clean, json, thousands, ts};
use super::table::Table;
use crate::config::{JobsArgs, Order};
use crate::rq::State;
use crate::rq::job::JobRow;
use crate::store::jobs::{self, JobPage, MAX_PER_PAGE, PageQuery};
use crate::store::{overview, workers as store_workers};

/// Every queue with its counts per state, and a totals line.
pub async fn queues(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let o = overview::overview(ctx.inst()?).await?;
    if ctx.json {
        json(&o)?;
        return Ok(ExitCode::SUCCESS);
    }
    let ready = o.totals.ready > 0;
    let mut head =
        vec!["QUEUE", "QUEUED", "STARTED", "FINISHED", "FAILED", "DEFERRED", "SCHEDULED", "CANCELED"];
    if ready {
        head.push("READY");
    }
    head.extend(["WORKERS", "OLDEST QUEUED"]);
    let n = head.len();
    let mut t = Table::new(&head).right(&(1..n - 1).collect::<Vec<_>>());
    let cells = |name: String, c: &overview::Counts, workers: String, oldest: String| {
        let mut row = vec![name];
        for s in State::ALL.into_iter().filter(|s| ready || *s != State::Ready) {
            let v = thousands(c.get(s));
            row.push(if s == State::Failed && c.failed > 0 { ctx.style.red(&v) } else { v });
        }
        row.extend([workers, oldest]);
        row
    };
    for q in &o.queues {
        t.row(cells(clean(&q.name), &q.counts, thousands(q.workers), ts(q.oldest_enqueued_at.as_deref())));
    }
    t.row(cells(ctx.style.bold("TOTAL"), &o.totals, thousands(o.workers), String::new()));
    print!("{}", t.render(ctx.style));
    if o.suspended {
        println!("{}", ctx.style.yellow("Workers are suspended (rqdash resume)."));
    }
    Ok(ExitCode::SUCCESS)
}

/// Up to `--limit` jobs of one list, reading pages of at most [`MAX_PER_PAGE`].
pub async fn jobs(ctx: &Ctx, a: &JobsArgs) -> anyhow::Result<ExitCode> {
    let inst = ctx.inst()?;
    let per_page = a.limit.min(MAX_PER_PAGE);
    let query = |page| PageQuery::new(a.state, page, per_page, a.order == Order::Desc);
    let mut first: JobPage = jobs::list(inst, &a.queue, query(1)).await?;
    let mut page = 1;
    while (first.jobs.len() as u64) < a.limit && page < first.pages {
        page += 1;
        let next = jobs::list(inst, &a.queue, query(page)).await?;
        if next.jobs.is_empty() {
            break;
        }
        first.jobs.extend(next.jobs);
    }
    first.jobs.truncate(usize::try_from(a.limit).unwrap_or(usize::MAX));
    if ctx.json {
        json(&first)?;
        return Ok(ExitCode::SUCCESS);
    }
    let when = match a.state {
        State::Queued => "ENQUEUED",
        State::Started => "STARTED",
        State::Finished | State::Failed => "ENDED",
        State::Deferred => "DEFERRED AT",
        State::Scheduled => "SCHEDULED FOR",
        State::Canceled => "CANCELED AT",
        State::Ready => "READY AT",
    };
    let detail = match a.state {
        State::Failed => "EXCEPTION",
        State::Started => "WORKER",
        _ => "DESCRIPTION",
    };
    // RQ 2.x+ started-registry members are `<id>:<execution id>`: the ID column holds the job id
    // alone (what `rqdash job` takes), the execution id gets its own column.
    let executions = first.jobs.iter().any(|j| j.execution_id.is_some());
    let mut head = vec!["ID", "STATUS", when, detail];
    if executions {
        head.insert(1, "EXECUTION");
    }
    let mut t = Table::new(&head);
    for j in &first.jobs {
        let mut cells = row(ctx, a.state, j);
        if executions {
            cells.insert(1, j.execution_id.as_deref().map_or_else(|| "-".to_owned(), clean));
        }
        t.row(cells);
    }
    println!(
        "{} jobs of queue {}: {} of {} ({})",
        a.state,
        clean(&a.queue),
        thousands(first.jobs.len() as i64),
        thousands(first.total),
        if a.order == Order::Desc { "newest first" } else { "oldest first" }
    );
    if !first.jobs.is_empty() {
        print!("{}", t.render(ctx.style));
    }
    Ok(ExitCode::SUCCESS)
}

fn row(ctx: &Ctx, state: State, j: &JobRow) -> Vec<String> {
    let id = clean(&j.id);
    if j.missing {
        return vec![
            id,
            ctx.style.red("(no job)"),
            "-".to_owned(),
            "hash missing or without data".to_owned(),
        ];
    }
    let when = match state {
        State::Queued => ts(j.enqueued_at.as_deref()),
        State::Started => ts(j.started_at.as_deref()),
        State::Finished | State::Failed => ts(j.ended_at.as_deref()),
        _ => j.score_at.as_deref().map_or_else(|| "never".to_owned(), |s| ts(Some(s))),
    };
    let text = match state {
        State::Failed => j.exc_summary.clone(),
        State::Started => j.worker_name.clone(),
        _ => None,
    }
    .or_else(|| j.description.clone())
    .map(|s| clean(&crate::rq::job::truncate(&s, 100)))
    .unwrap_or_default();
    vec![id, ctx.style.status(j.status.as_deref().unwrap_or("-")), when, text]
}

/// Every member of `rq:workers`; gone hashes are shown as such.
pub async fn workers(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let w = store_workers::workers(ctx.inst()?).await?;
    if ctx.json {
        json(&w)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t =
        Table::new(&["NAME", "STATE", "QUEUES", "CURRENT JOB", "HOST", "PID", "OK", "FAILED", "HEARTBEAT"])
            .right(&[5, 6, 7]);
    for w in &w.workers {
        let state = if w.stale { ctx.style.red("gone") } else { ctx.style.worker_state(&w.state) };
        let opt = |v: &Option<String>| v.as_deref().map_or_else(|| "-".to_owned(), clean);
        t.row(vec![
            clean(&w.name),
            state,
            clean(&w.queues.join(",")),
            opt(&w.current_job),
            opt(&w.hostname),
            w.pid.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            thousands(w.successful_job_count),
            thousands(w.failed_job_count),
            w.heartbeat_age_seconds.map_or_else(|| "-".to_owned(), |s| format!("{} ago", ago(s))),
        ]);
    }
    print!("{}", t.render(ctx.style));
    println!("{} workers", w.workers.len());
    // RQ records no pool id: the grouping is inferred (rq::pool), and the line says so.
    for p in &w.pools {
        println!(
            "{}, {} workers (inferred: uuid names, one host and queue list)",
            clean(&p.label),
            p.workers.len()
        );
    }
    if w.suspended {
        let until =
            w.suspended_ttl.map_or_else(|| "until resumed".to_owned(), |s| format!("for {}", ago(s as f64)));
        println!("{}", ctx.style.yellow(&format!("Workers are suspended {until}.")));
    }
    Ok(ExitCode::SUCCESS)
}
