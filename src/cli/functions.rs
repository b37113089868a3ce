//! `rqdash functions`: per-function performance, from the same store call as `/functions`.

use std::process::ExitCode;

use super::Ctx;
use super::output::{clean, json, thousands};
use super::table::Table;
use crate::config::FunctionsArgs;
use crate::store::functions;
use crate::store::history::{Layout, Range};

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), crate::web::fmt::duration)
}

pub async fn functions(ctx: &Ctx, a: &FunctionsArgs) -> anyhow::Result<ExitCode> {
    let range = Range::parse(&a.range).unwrap_or_default();
    let layout = Layout::new(&a.history_prefix);
    let now = crate::rq::time::now_epoch() as i64;
    let f = functions::functions(ctx.inst()?, &layout, range, now).await?;
    if ctx.json {
        json(&f)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t =
        Table::new(&["FUNCTION", "QUEUE", "CALLS", "P50", "P95", "P99", "P95 WAIT", "FAILED", "TREND"])
            .right(&[2, 3, 4, 5, 6, 7, 8]);
    for s in &f.functions {
        let trend = match (s.run_p95, s.prev_run_p95) {
            (Some(x), Some(y)) if y > 0.0 => format!("x{:.2}", x / y),
            (Some(_), None) => "new".to_owned(),
            _ => "-".to_owned(),
        };
        t.row(vec![
            clean(&s.function),
            clean(&s.queue),
            thousands(s.calls as i64),
            secs(s.run_p50),
            secs(s.run_p95),
            secs(s.run_p99),
            secs(s.wait_p95),
            s.failure_rate.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", r * 100.0)),
            trend,
        ]);
    }
    print!("{}", t.render(ctx.style));
    println!("{} functions in the last {}", f.functions.len(), range.as_str());
    Ok(ExitCode::SUCCESS)
}
