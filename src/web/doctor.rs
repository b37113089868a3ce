//! The doctor page: the same integrity report as `rqdash doctor`, with a confirmed "repair" action.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::error::Result;
use super::fmt::filters;
use super::page::{PageResult, start};
use super::params::Params;
use super::view::{ActionButton, Chrome};
use crate::store::doctor::{self, Policy, Report};

/// One row of the checks table.
pub struct CheckRow {
    pub name: &'static str,
    pub description: &'static str,
    pub count: u64,
    pub policy: String,
    pub repairs: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "doctor.html")]
pub struct DoctorPage {
    pub c: Chrome,
    pub report: Report,
    pub checks: Vec<CheckRow>,
    pub repair: Option<ActionButton>,
}

/// `GET /doctor`.
pub async fn page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<DoctorPage> {
    let (_, c) = start(&app, q.as_deref(), &["instance"], "Doctor", "doctor")?;
    let inst = app.store.instance(c.instance)?;
    let report = doctor::scan(inst).await?;
    let checks = report
        .checks
        .iter()
        .map(|s| CheckRow {
            name: s.check.as_str(),
            description: s.description,
            count: s.count,
            policy: match s.policy {
                Policy::Repair(how) => format!("repaired: {how}"),
                Policy::LeaveAlone(why) => format!("left alone: {why}"),
            },
            repairs: matches!(s.policy, Policy::Repair(_)),
        })
        .collect();
    let repair = (c.may("repair", None) && report.repairable > 0).then(|| ActionButton {
        label: "Repair",
        url: format!("{}/api/v1/doctor/fix?instance={}", c.prefix, c.instance),
        confirm: format!(
            "Repair {} (orphaned ids removed, stale worker entries removed, dangling links \
             dropped, stuck deferred jobs enqueued)? Problems left alone are listed with the reason.",
            super::fmt::count(i64::try_from(report.repairable).unwrap_or(i64::MAX), "problem")
        ),
        class: "",
        background: false,
    });
    Ok(DoctorPage { c, report, checks, repair })
}

/// `GET /api/v1/doctor`: the report as JSON.
pub async fn report(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Report>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    Ok(Json(doctor::scan(app.store.instance(p.instance()?)?).await?))
}

/// `POST /api/v1/doctor/fix`: scan, repair what is safe, and say what was left alone.
pub async fn fix(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    let report = doctor::scan(inst).await?;
    let outcome = doctor::fix(inst, &report, |_, _| {}, &CancellationToken::new()).await?;
    let repaired: u64 = outcome.steps.iter().map(|s| s.repaired).sum();
    let left: u64 = outcome.left_alone.iter().map(|l| l.count).sum();
    let message = format!("Repaired {repaired} problems; left {left} alone (see the report for why).");
    Ok(Json(json!({ "message": message, "outcome": outcome })))
}
