//! `GET /{n}/data/job/{id}.json`: one job in rq-dashboard's shape, its `result` and `exc_info`
//! read from the newest outcome as `job.return_value()` and `latest_result()` read them.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::super::AppState;
use super::super::error::Result;
use super::super::params::Name;
use super::iso;
use super::result::flask_json;
use crate::store::{compat, detail};

/// The handler: 404 JSON for a missing job (rq-dashboard answers 500).
pub async fn job(
    State(app): State<AppState>,
    Path((n, Name(id))): Path<(usize, Name)>,
) -> Result<Json<Value>> {
    let id = id.strip_suffix(".json").unwrap_or(&id).to_owned();
    let inst = app.store.instance(n)?;
    let j = detail::job(inst, &id).await?;
    let latest = compat::latest(inst, std::slice::from_ref(&id)).await?.pop().unwrap_or_default();
    let meta =
        j.meta.as_ref().and_then(|m| serde_json::to_value(m).ok()).and_then(|v| v.get("value").cloned());
    let result = latest.return_value.as_ref().map_or(Value::Null, flask_json);
    let mut out = json!({
        "id": j.id, "created_at": iso(j.created_at.as_deref()), "enqueued_at": iso(j.enqueued_at.as_deref()),
        "started_at": iso(j.started_at.as_deref()), "ended_at": iso(j.ended_at.as_deref()),
        "origin": j.origin, "status": j.status, "result": result, "exc_info": latest.exc_info,
        "description": j.description,
        // rq-dashboard sends meta as a string of JSON; scripts parse it a second time.
        "metadata": meta.map_or_else(|| "{}".to_owned(), |m| m.to_string()),
    });
    if !j.dependencies.is_empty() {
        out["depends_on"] = json!(j.dependencies.iter().map(|d| d.id.clone()).collect::<Vec<_>>());
        out["depends_on_status"] = json!(
            j.dependencies.iter().map(|d| if d.missing { "expired" } else { "active" }).collect::<Vec<_>>()
        );
    }
    Ok(Json(out))
}
