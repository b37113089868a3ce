//! The audit log on the command line: [`audited`] records every command that writes (one place,
//! around the dispatch: a new writing command must name its action in [`describe`], whose match
//! is exhaustive), and `rqdash audit` prints the log.

use std::collections::BTreeMap;
use std::future::Future;
use std::process::ExitCode;

use serde_json::Value;

use super::Ctx;
use super::output::{clean, json};
use super::table::Table;
use crate::audit::{self, Entry, Filter, Target};
use crate::auth::Identity;
use crate::config::{AuditQuery, Command};
use crate::store::audit as log;

/// The action and target a command that writes is recorded with (and `job --reveal`, as the
/// dashboard records its reveal); None for reads.
pub fn describe(command: &Command) -> Option<(&'static str, Target)> {
    let queue = |q: &str, state: &str| Target { queue: q.into(), state: state.into(), ..Target::default() };
    let ids = |ids: &[String]| Target::default().with_ids(ids);
    Some(match command {
        Command::Requeue(a) if a.all => {
            ("queue.requeue", queue(a.queue.as_deref().unwrap_or_default(), a.state.as_str()))
        }
        Command::Requeue(a) => ("bulk.requeue", ids(&a.ids)),
        Command::Enqueue { ids: i } => ("bulk.enqueue", ids(i)),
        Command::Delete(a) => match (a.all, a.queue.as_deref(), a.state) {
            (true, Some(q), Some(s)) => ("queue.empty", queue(q, s.as_str())),
            _ => ("bulk.delete", ids(&a.ids)),
        },
        Command::Cancel { ids: i } => ("bulk.cancel", ids(i)),
        Command::Empty(a) => ("queue.empty", queue(&a.queue, a.state.as_str())),
        Command::Compact { queue: q } => ("queue.compact", queue(q, "queued")),
        Command::Stop { id } => ("job.stop", ids(std::slice::from_ref(id))),
        Command::Suspend { duration } => {
            let target = duration.map(|d| format!("{d}s")).unwrap_or_default();
            ("workers.suspend", Target { target, ..Target::default() })
        }
        Command::Resume => ("workers.resume", Target::default()),
        Command::Doctor(d) if d.fix => ("doctor.fix", Target::default()),
        // Not a write, but recorded as the dashboard's reveal button is: who saw unmasked values.
        Command::Job { id, reveal: true } => ("job.reveal", ids(std::slice::from_ref(id))),
        Command::Doctor(_)
        | Command::Serve
        | Command::Info(_)
        | Command::Queues
        | Command::Jobs(_)
        | Command::Job { .. }
        | Command::Workers
        | Command::Schedulers
        | Command::RateLimits(_)
        | Command::Completions { .. }
        | Command::Healthcheck(_)
        | Command::Demo(_)
        | Command::Check
        | Command::HashPassword
        | Command::Functions(_)
        | Command::Search(_)
        | Command::Audit(_) => return None,
    })
}

/// Run `act`, a command that writes, between an intent and an outcome entry, as the OS user
/// (via `cli`). The intent is written when the user confirms ([`Ctx::confirm`], which every
/// writing command calls before it acts), so a declined question leaves Redis untouched; a
/// command that acted without confirming is still recorded, intent and outcome, once it ends.
pub async fn audited<F>(ctx: &Ctx, command: &Command, act: F) -> anyhow::Result<ExitCode>
where
    F: Future<Output = anyhow::Result<ExitCode>>,
{
    let Some((action, target)) = describe(command) else { return act.await };
    set_intent(ctx, Some(Entry::intent(&Identity::cli(), action, target)));
    let answer = act.await;
    let written = intent(ctx).is_some_and(|e| !e.id.is_empty());
    if !written && answer.is_err() {
        // Refused before its point of no return (declined, bad arguments): nothing was done.
        return answer;
    }
    if !written && write_intent(ctx).await.is_err() {
        return answer;
    }
    let (Some(intent), Ok(inst)) = (intent(ctx), ctx.inst()) else { return answer };
    let results = ctx.results.lock().map(|r| r.clone()).unwrap_or_default();
    let error = answer.as_ref().err().map(|e| format!("{e:#}")).unwrap_or_default();
    let outcome = intent.outcome(audit::status_of(&results, answer.is_err()), results, &error);
    // The action has happened: a lost outcome is logged (error level), it does not fail it.
    let _ = log::record(inst, &ctx.audit, &outcome).await;
    answer
}

fn intent(ctx: &Ctx) -> Option<Entry> {
    ctx.intent.lock().ok().and_then(|i| i.clone())
}

fn set_intent(ctx: &Ctx, e: Option<Entry>) {
    if let Ok(mut i) = ctx.intent.lock() {
        *i = e;
    }
}

/// Write the pending intent (once); an error when it cannot be written, so the command stops
/// before it acts (fail closed: no change nobody can trace).
pub(super) async fn write_intent(ctx: &Ctx) -> anyhow::Result<()> {
    let Some(mut e) = intent(ctx).filter(|e| e.id.is_empty()) else { return Ok(()) };
    e.id = log::record(ctx.inst()?, &ctx.audit, &e)
        .await
        .map_err(|err| anyhow::anyhow!("the audit log could not be written, so nothing was done: {err}"))?;
    set_intent(ctx, Some(e));
    Ok(())
}

/// `rqdash audit`: the newest entries first, as a table or JSON.
pub async fn show(ctx: &Ctx, q: &AuditQuery) -> anyhow::Result<ExitCode> {
    let f = Filter {
        user: q.user.clone(),
        action: q.action.clone(),
        queue: q.queue.clone(),
        since_ms: q.since,
        until_ms: q.until,
    };
    let limit = usize::try_from(q.limit).unwrap_or(50);
    let page = log::page(ctx.inst()?, &ctx.audit, &f, None, limit).await?;
    if ctx.json {
        json(&page)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&["TIME", "USER", "ROLE", "VIA", "ACTION", "TARGET", "PHASE", "RESULT"]);
    for e in &page.entries {
        t.row(vec![
            time(e.ms()),
            clean(&e.user),
            clean(&e.role),
            clean(&e.via),
            clean(&e.action),
            clean(&target(&e.target)),
            clean(&phase(e)),
            clean(&result(&e.result, &e.error)),
        ]);
    }
    print!("{}", t.render(ctx.style));
    if page.entries.is_empty() {
        println!("No audit entries{}.", if f == Filter::default() { "" } else { " match" });
    }
    Ok(ExitCode::SUCCESS)
}

fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// "default/failed 3 ids (+97 more)", "query: status:failed", "worker w1".
pub fn target(t: &Target) -> String {
    let mut parts = Vec::new();
    if !t.queue.is_empty() {
        parts.push(if t.state.is_empty() { t.queue.clone() } else { format!("{}/{}", t.queue, t.state) });
    }
    if !t.target.is_empty() {
        parts.push(t.target.clone());
    }
    if t.ids.is_empty() && t.ids_total > 0 {
        // An outcome: its ids are on its intent.
        parts.push(if t.ids_total == 1 { "1 id".to_owned() } else { format!("{} ids", t.ids_total) });
    } else if t.ids_total > 0 {
        let more = if t.ids_cut() > 0 { format!(" (+{} more)", t.ids_cut()) } else { String::new() };
        parts.push(format!("{}{more}", t.ids.join(" ")));
    }
    if !t.query.is_empty() {
        parts.push(format!("query: {}", t.query));
    }
    parts.join(" ")
}

fn phase(e: &Entry) -> String {
    if e.phase == "outcome" { e.status.clone() } else { e.phase.clone() }
}

/// "requeued=3 orphans_removed=2", or the error.
pub fn result(r: &BTreeMap<String, Value>, error: &str) -> String {
    if !error.is_empty() {
        return error.to_owned();
    }
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    r.iter().map(|(k, v)| format!("{k}={}", text(v))).collect::<Vec<_>>().join(" ")
}
