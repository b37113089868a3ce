//! `GET /api/v1/health`: the health verdicts of one instance (per queue and instance-wide, with
//! reasons in words), as the health task last judged them or judged now. Always 200: the verdict
//! is in the body (`/readyz` is the probe that fails).

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use super::AppState;
use super::error::Result;
use super::params::Params;

/// `GET /api/v1/health?instance=N`.
pub async fn api(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    let r = app.health.report(inst).await?;
    let mut v = serde_json::to_value(&*r).unwrap_or_default();
    v["url"] = json!(inst.url);
    v["status"] = json!(r.verdict.exit_code());
    Ok(Json(v))
}
