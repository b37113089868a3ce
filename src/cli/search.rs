//! `rqdash search`: one page of the dashboard's search (live jobs, then the job archive), from
//! the same store call as `/api/v1/search`.

use std::process::ExitCode;

use super::Ctx;
use super::output::{clean, json, thousands, ts};
use super::table::Table;
use crate::config::SearchArgs;
use crate::store::history::Layout;
use crate::store::search::{self, Budget, Query};

pub async fn search(ctx: &Ctx, a: &SearchArgs) -> anyhow::Result<ExitCode> {
    let q = Query::parse(&a.query, jiff::Timestamp::now())?;
    let budget = Budget { max_hits: usize::try_from(a.limit).unwrap_or(50), ..Budget::default() };
    let layout = Layout::new(&a.history_prefix);
    let page = search::search_with(ctx.inst()?, &q, a.cursor.as_deref(), budget, &layout).await?;
    if ctx.json {
        json(&page)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&["JOB", "QUEUE", "STATE", "FUNCTION", "EXCEPTION", "ENDED"]);
    for h in &page.hits {
        let j = &h.job;
        let state = h.state.map_or("", |s| s.as_str());
        // Records of jobs RQ deleted are marked: their job page shows the archived record.
        let state = if h.archived { format!("{state} (archived)") } else { state.to_owned() };
        let state = if j.missing { format!("{state} (job data missing)") } else { state };
        t.row(vec![
            clean(&j.id),
            clean(&h.queue),
            state.trim().to_owned(),
            clean(j.func_name.as_deref().unwrap_or("")),
            clean(j.exc_summary.as_deref().unwrap_or("")),
            ts(j.ended_at.as_deref()),
        ]);
    }
    print!("{}", t.render(ctx.style));
    let scanned = i64::try_from(page.scanned).unwrap_or(i64::MAX);
    let total = i64::try_from(page.total).unwrap_or(i64::MAX);
    println!("{} jobs; scanned {} of {}", page.hits.len(), thousands(scanned), thousands(total));
    if let Some(c) = &page.cursor {
        // The same command with its cursor: spelling it out would drop the flags it was run with
        // (--redis-url, --instance, --history-prefix, -n...).
        println!("more to scan: run the same command with --cursor {c}");
    }
    Ok(ExitCode::SUCCESS)
}
