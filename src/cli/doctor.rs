//! `rqdash doctor [--fix]`: print the integrity report; with `--fix`, show what would be
//! repaired, ask, repair in chunks, and check again.

use std::process::ExitCode;

use serde::Serialize;

use super::output::{Style, clean, count, json};
use super::prompt::{Bar, cancel_on_ctrl_c};
use super::table::Table;
use super::{Ctx, EXIT_INTERRUPTED, EXIT_PROBLEMS};
use crate::config::DoctorArgs;
use crate::store::doctor::{self, FixOutcome, Policy, Report};

/// What `doctor --fix --json` prints.
#[derive(Debug, Serialize)]
struct Fixed<'a> {
    report: &'a Report,
    fix: Option<FixOutcome>,
    after: Option<Report>,
}

/// 0 when nothing is left, [`EXIT_PROBLEMS`] otherwise.
fn exit(r: &Report) -> ExitCode {
    if r.is_clean() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_PROBLEMS) }
}

/// Report, and repair with `fix`.
pub async fn doctor(ctx: &Ctx, a: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let fix = a.fix;
    let inst = ctx.inst()?;
    crate::store::discover::scan_into(inst).await;
    let mut report = doctor::scan(inst).await?;
    let layout = crate::store::history::Layout::new(&a.history_prefix);
    let audit = ctx.audit.key().to_owned();
    let now = crate::rq::time::now_epoch() as i64;
    report.storage = Some(crate::store::budget::report::status(inst, &layout, a.storage, &audit, now).await?);
    if !fix || report.repairable == 0 {
        if ctx.json && fix {
            json(&Fixed { report: &report, fix: None, after: None })?;
        } else if ctx.json {
            json(&report)?;
        } else {
            print!("{}", render(&report, ctx.style));
            if fix {
                println!("Nothing here is repaired by --fix.");
            }
        }
        return Ok(exit(&report));
    }
    if !ctx.json {
        print!("{}", render(&report, ctx.style));
        print!("{}", plan(&report));
    }
    let question = format!("Repair {} problems on {}?", count(report.repairable), ctx.target());
    ctx.confirm(&question).await?;
    let bar = Bar::new("");
    let cancel = cancel_on_ctrl_c();
    let outcome = doctor::fix(inst, &report, |label, p| bar.update(&clean(label), &p), &cancel).await?;
    bar.finish();
    let repaired: u64 = outcome.steps.iter().map(|s| s.repaired).sum();
    let left: u64 = outcome.left_alone.iter().map(|l| l.count).sum();
    ctx.done(
        &serde_json::json!({ "repaired": repaired, "left_alone": left, "interrupted": outcome.interrupted }),
    );
    let after = doctor::scan(inst).await?;
    let code = if outcome.interrupted { ExitCode::from(EXIT_INTERRUPTED) } else { exit(&after) };
    if ctx.json {
        json(&Fixed { report: &report, fix: Some(outcome), after: Some(after) })?;
    } else {
        print!("{}", done(&outcome, &after, ctx.style));
    }
    Ok(code)
}

/// The findings table and the per-check counts.
pub fn render(r: &Report, style: Style) -> String {
    let mut out = format!(
        "Checked {} queues, {} ids and {} worker set members on {} (instance {}).\n",
        count(r.queues),
        count(r.ids_examined),
        count(r.worker_members),
        clean(&r.url),
        r.instance
    );
    if let Some(s) = &r.storage {
        out.push_str(&storage(s, style));
    }
    if r.is_clean() {
        out.push_str(&style.green("No problems found.\n"));
        return out;
    }
    let mut t = Table::new(&["PROBLEM", "QUEUE", "WHERE", "COUNT", "EXAMPLES"]).right(&[3]);
    for f in &r.findings {
        t.row(vec![
            f.check.as_str().to_owned(),
            f.queue.as_deref().map_or_else(|| "-".to_owned(), clean),
            f.key.as_deref().map_or_else(|| "-".to_owned(), clean),
            style.red(&count(f.count)),
            f.examples.iter().map(|e| clean(e)).collect::<Vec<_>>().join(", "),
        ]);
    }
    out.push('\n');
    out.push_str(&t.render(style));
    out.push('\n');
    let mut t = Table::new(&["CHECK", "COUNT", "MEANING", "--fix"]).right(&[1]);
    for c in r.checks.iter().filter(|c| c.count > 0) {
        let fix = match c.policy {
            Policy::Repair(_) => style.green("repairs"),
            Policy::LeaveAlone(_) => style.yellow("leaves alone"),
        };
        t.row(vec![c.check.as_str().to_owned(), count(c.count), c.description.to_owned(), fix]);
    }
    out.push_str(&t.render(style));
    out.push_str(&format!(
        "{} problems, {} of which --fix repairs.\n",
        count(r.problems),
        count(r.repairable)
    ));
    out
}

/// The dry run: what --fix is about to do, and what it will not touch.
fn plan(r: &Report) -> String {
    let mut out = String::from("\n--fix will:\n");
    let mut left = String::new();
    for c in r.checks.iter().filter(|c| c.count > 0) {
        match c.policy {
            Policy::Repair(how) => {
                out.push_str(&format!("  {} ({}): {how}\n", c.check.as_str(), count(c.count)))
            }
            Policy::LeaveAlone(why) => {
                left.push_str(&format!("  {} ({}): {why}\n", c.check.as_str(), count(c.count)))
            }
        }
    }
    if !left.is_empty() {
        out.push_str("and leave alone:\n");
        out.push_str(&left);
    }
    out
}

/// The repairs made, what was left, and what a second scan found.
fn done(o: &FixOutcome, after: &Report, style: Style) -> String {
    let mut out = String::from("\nRepaired:\n");
    for s in &o.steps {
        let place = match (s.key.as_deref(), s.queue.as_deref()) {
            (Some(k), _) => format!(" ({})", clean(k)),
            (None, Some(q)) => format!(" (queue {})", clean(q)),
            (None, None) => String::new(),
        };
        let mut line = format!("  {}: {} {}{place}", s.check.as_str(), count(s.repaired), s.what);
        if s.hashes_deleted > 0 {
            line.push_str(&format!("; deleted {} job hash(es) without data", count(s.hashes_deleted)));
        }
        out.push_str(&line);
        out.push('\n');
    }
    if !o.left_alone.is_empty() {
        out.push_str("Left alone:\n");
        for l in &o.left_alone {
            out.push_str(&format!("  {} ({}): {}\n", l.check.as_str(), count(l.count), l.reason));
        }
    }
    if o.interrupted {
        out.push_str(&style.yellow("Interrupted: the repairs above are what was done.\n"));
    }
    out.push_str("\nAfter the repair: ");
    if after.is_clean() {
        out.push_str(&style.green("no problems found.\n"));
    } else {
        let left: Vec<String> = after
            .checks
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| format!("{} {}", count(c.count), c.check.as_str()))
            .collect();
        let s = if after.problems == 1 { "" } else { "s" };
        out.push_str(&format!("{} problem{s} left: {}.\n", count(after.problems), left.join(", ")));
    }
    out
}

/// What rqdash stores in this Redis against its budget; over it is a problem.
fn storage(s: &crate::store::budget::state::Status, style: Style) -> String {
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    let kinds: Vec<String> = s.usage.kinds().iter().map(|(k, b)| format!("{k} {}", mb(*b))).collect();
    let budget = s.budget.map_or_else(|| "no budget".to_owned(), |b| format!("budget {}", mb(b)));
    let line = format!("rqdash stores {} ({budget}; {}).\n", mb(s.total), kinds.join(", "));
    if s.over() { style.red(&format!("Over the storage budget: {line}")) } else { line }
}
