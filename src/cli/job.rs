//! `rqdash job ID`: one job in full, decoded safely (pickles are rendered, never executed).

use std::process::ExitCode;

use super::Ctx;
use super::output::{Style, ago, clean, clean_text, json, ts};
use super::table::Table;
use crate::rq::detail::{JobDetail, Related};
use crate::rq::shown::Shown;
use crate::store::detail;

/// Longest value shown inline; `--json` has each value up to 64 KB (its `cut` lists the rest).
const SHOWN_MAX: usize = 2_000;

/// Print one job; with `reveal`, values `--redact` hides are shown as stored.
pub async fn job(ctx: &Ctx, id: &str, reveal: bool) -> anyhow::Result<ExitCode> {
    let d = if reveal {
        detail::job_revealed(ctx.inst()?, id).await?
    } else {
        detail::job(ctx.inst()?, id).await?
    };
    if ctx.json {
        json(&d)?;
    } else {
        print!("{}", render(&d, ctx.style));
    }
    Ok(ExitCode::SUCCESS)
}

fn decoded(v: &Shown) -> String {
    clean_text(&crate::rq::job::truncate(&v.repr, SHOWN_MAX))
}

fn related(list: &[Related], style: Style) -> String {
    list.iter()
        .map(|r| {
            let status = match (&r.status, r.missing) {
                (_, true) => style.red("missing"),
                (Some(s), _) => style.status(s),
                (None, _) => "-".to_owned(),
            };
            format!("{} ({status})", clean(&r.id))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The detail as labelled lines, then the traceback and the results history.
pub fn render(d: &JobDetail, style: Style) -> String {
    let mut lines: Vec<(&str, String)> = Vec::new();
    let mut add = |k: &'static str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            lines.push((k, v));
        }
    };
    let mut status = d.status.as_deref().map_or_else(|| "-".to_owned(), |s| style.status(s));
    if d.missing {
        status.push_str(&style.red(" (the hash has no data: RQ cannot load this job)"));
    }
    if let Some(p) = d.position {
        status.push_str(&format!(" (position {p} in its queue)"));
    }
    add("status", Some(status));
    add("queue", d.origin.as_deref().map(clean));
    add("call", d.call.as_deref().map(|c| clean(&crate::rq::job::truncate(c, SHOWN_MAX))));
    add("function", d.func_name.as_deref().map(clean));
    add("instance", d.instance.as_deref().map(clean));
    for (i, a) in d.args.iter().enumerate() {
        add(if i == 0 { "args" } else { "" }, Some(format!("[{i}] {}", clean(&a.repr))));
    }
    for (i, a) in d.kwargs.iter().enumerate() {
        let name = a.name.as_deref().map(clean).unwrap_or_default();
        add(if i == 0 { "kwargs" } else { "" }, Some(format!("{name}={}", clean(&a.repr))));
    }
    add("data", d.data_error.as_ref().map(decoded));
    add("serializer", Some(d.serializer.to_owned()));
    add("description", d.description.as_deref().map(|s| clean(&crate::rq::job::truncate(s, SHOWN_MAX))));
    add("created", d.created_at.as_deref().map(|t| ts(Some(t))));
    add("enqueued", d.enqueued_at.as_deref().map(|t| ts(Some(t))));
    add("started", d.started_at.as_deref().map(|t| ts(Some(t))));
    let took = d.duration_seconds.map(|s| format!(" (took {s:.3}s)")).unwrap_or_default();
    add("ended", d.ended_at.as_deref().map(|t| format!("{}{took}", ts(Some(t)))));
    add("heartbeat", d.last_heartbeat.as_deref().map(|t| ts(Some(t))));
    add("worker", d.worker_name.as_deref().map(clean));
    add("timeout", d.timeout.map(|t| if t < 0 { "none".to_owned() } else { format!("{t}s") }));
    add("result ttl", d.result_ttl.map(|t| format!("{t}s")));
    add("failure ttl", d.failure_ttl.map(|t| format!("{t}s")));
    add("ttl", d.ttl.map(|t| format!("{t}s")));
    add(
        "key expires",
        Some(if d.key_ttl < 0 { "never".to_owned() } else { format!("in {}", ago(d.key_ttl as f64)) }),
    );
    add("retries left", d.retries_left.map(|r| r.to_string()));
    add("repeats left", d.repeats_left.map(|r| r.to_string()));
    add("group", d.group_id.as_deref().map(clean));
    add("depends on", Some(related(&d.dependencies, style)));
    add("dependents", Some(related(&d.dependents, style)));
    for c in &d.callbacks {
        add("callback", Some(format!("on {}: {}", c.kind, clean(&c.name))));
    }
    add("meta", d.meta.as_ref().map(decoded));
    add("result", d.result.as_ref().map(decoded));
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = format!("{} {}\n", style.bold("Job"), style.bold(&clean(&d.id)));
    for (k, v) in &lines {
        out.push_str(&format!("  {k:<width$}  {v}\n"));
    }
    if let Some(tb) = &d.exc_info {
        out.push_str(&format!("\n{}\n", style.bold("Traceback (latest failure)")));
        for l in clean_text(tb).lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    if !d.results.is_empty() {
        out.push_str(&format!("\n{} ({}, newest first)\n", style.bold("Results"), d.results_source));
        let mut t = Table::new(&["CREATED", "TYPE", "WORKER", "DURATION", "DETAIL"]).right(&[3]);
        for r in &d.results {
            let detail = match (&r.exc_string, &r.return_value) {
                (Some(e), _) => crate::rq::job::exc_summary(e).map(|s| clean(&s)).unwrap_or_default(),
                (None, Some(v)) => clean(&crate::rq::job::truncate(&v.repr, 100)),
                (None, None) => String::new(),
            };
            let kind = if r.kind == Some(1) { style.green(r.type_name) } else { style.red(r.type_name) };
            t.row(vec![
                ts(r.created_at.as_deref()),
                kind,
                r.worker_name.as_deref().map_or_else(|| "-".to_owned(), clean),
                r.duration_seconds.map_or_else(|| "-".to_owned(), |s| format!("{s:.3}s")),
                detail,
            ]);
        }
        for l in t.render(style).lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    out
}
