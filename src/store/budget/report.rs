//! A fresh figure for `rqdash doctor`: the overview's queues, one measurement and the plan the
//! sampler would follow now. Only reads.

use super::Budget;
use super::enforce::{Dropped, plan};
use super::guard::idle;
use super::measure::measure;
use super::state::Status;
use crate::store::history::Layout;
use crate::store::{Instance, Result, overview};

/// What rqdash stores under `layout` (and the audit stream at `audit_key`) against `budget`.
pub async fn status(
    inst: &Instance,
    layout: &Layout,
    budget: Budget,
    audit_key: &str,
    now: i64,
) -> Result<Status> {
    let ov = overview::overview(inst).await?;
    let names: Vec<String> = ov.queues.iter().map(|q| q.name.clone()).collect();
    let m = measure(inst, layout, &names, audit_key, now).await?;
    let idle = ov.queues.iter().filter(|q| idle(q)).count();
    let p = plan(&m, budget, idle, names.len(), 0);
    Ok(Status::new(&m, budget, &p, Dropped::default()))
}
