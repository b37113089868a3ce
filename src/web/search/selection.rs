//! "Select all matching": collect every id a query matches in the background (progress polled),
//! show the exact count, then run a bulk action on exactly those ids as an ordinary task (SSE
//! progress, cancellable). The ids stay on the server; the confirmation names their number and
//! how many are in each state.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::store::search::Query;
use crate::store::search::collect;
use crate::store::write::{self, BulkAction, BulkOutcome, Progress, Source};
use crate::web::AppState;
use crate::web::error::{Error, Result};
use crate::web::params::Params;

mod kept;

use kept::{MAX_BYTES, MAX_KEPT, Selection, get, lock, trim};
pub use kept::{SelectionState, Selections};

/// `POST /api/v1/search/select?q=&instance=`: start collecting; 202 with the selection's id.
pub async fn select(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let p = Params::parse(raw.as_deref(), &["instance", "q"])?;
    let n = p.instance()?;
    let url = app.store.instance(n)?.url.clone();
    let text = p.get("q").unwrap_or("").to_owned();
    let q = Query::parse(&text, jiff::Timestamp::now())?;
    let id = crate::web::security::new_token();
    let sel = Arc::new(Selection {
        instance: n,
        url,
        state: Mutex::new(SelectionState { id: id.clone(), q: text, ..SelectionState::default() }),
        ids: Mutex::new(None),
        cancel: CancellationToken::new(),
        made: Instant::now(),
    });
    {
        let mut map = lock(&app.selections.0);
        trim(&mut map, None, MAX_KEPT - 1, MAX_BYTES);
        map.insert(id.clone(), Arc::clone(&sel));
    }
    let (store, selections) = (app.store.clone(), Arc::clone(&app.selections));
    tokio::spawn(async move {
        let result = match store.instance(n) {
            Ok(inst) => {
                let report = |x: collect::CollectProgress| {
                    let mut s = lock(&sel.state);
                    (s.scanned, s.total, s.count) = (x.scanned, x.total, x.found);
                };
                collect::collect(inst, &q, report, &sel.cancel).await
            }
            Err(e) => Err(e),
        };
        {
            let mut s = lock(&sel.state);
            match result {
                Ok(c) => {
                    (s.count, s.truncated, s.interrupted) = (c.count, c.truncated, c.interrupted);
                    (s.scanned, s.total) = (c.scanned, c.total);
                    s.by_state.clone_from(&c.by_state);
                    *lock(&sel.ids) = Some(c);
                }
                Err(e) => s.error = Some(e.to_string()),
            }
            s.done = true;
        }
        // Its size is known now: older selections make room for it.
        let key = lock(&sel.state).id.clone();
        trim(&mut lock(&selections.0), Some(&key), MAX_KEPT, MAX_BYTES);
    });
    let status = format!("{}/api/v1/search/selections/{id}?instance={n}", app.prefix);
    Ok((StatusCode::ACCEPTED, Json(json!({ "selection": id, "status": status }))).into_response())
}

/// `GET /api/v1/search/selections/{id}?instance=`: progress, then the exact count.
pub async fn show(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SelectionState>> {
    let p = Params::parse(raw.as_deref(), &["instance"])?;
    let sel = get(&app, &id, p.instance()?)?;
    let state = lock(&sel.state).clone();
    Ok(Json(state))
}

fn total(mut a: BulkOutcome, b: BulkOutcome) -> BulkOutcome {
    a.add(&b);
    a
}

/// `POST /api/v1/search/selections/{id}/{action}?count=N&instance=`: requeue, delete, cancel or
/// enqueue exactly the selected ids (202 with a task to follow; 409 when `count` is given and
/// differs from the selection), or `stop` collecting.
pub async fn act(
    State(app): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let p = Params::parse(raw.as_deref(), &["instance", "count"])?;
    let n = p.instance()?;
    let sel = get(&app, &id, n)?;
    let action = match action.as_str() {
        "stop" => {
            sel.cancel.cancel();
            return Ok(Json(lock(&sel.state).clone()).into_response());
        }
        "requeue" => BulkAction::Requeue,
        "delete" => BulkAction::Delete,
        "cancel" => BulkAction::Cancel,
        "enqueue" => BulkAction::Enqueue,
        other => {
            return Err(Error::NotFound(format!(
                "unknown action {other:?} (requeue, delete, cancel, enqueue, stop)"
            )));
        }
    };
    let state = lock(&sel.state).clone();
    if !state.done || state.error.is_some() {
        let why = state.error.unwrap_or_else(|| "the matching jobs are still being collected".into());
        return Err(StoreConflict(why).into());
    }
    let confirmed = p.int("count", state.count, 0, u64::MAX)?;
    if confirmed != state.count {
        let msg = format!("the selection holds {} jobs, not {confirmed}: confirm again", state.count);
        return Err(StoreConflict(msg).into());
    }
    let Some(collected) = lock(&sel.ids).take() else {
        return Err(StoreConflict("this selection was already acted on: select again".into()).into());
    };
    let verb = match action {
        BulkAction::Requeue => "requeue",
        BulkAction::Delete => "delete",
        BulkAction::Cancel => "cancel",
        BulkAction::Enqueue => "enqueue",
    };
    let label = format!("{verb} {} jobs matching {}", state.count, state.q);
    let store = app.store.clone();
    let task = app.tasks.spawn(label, move |r| async move {
        let inst = store.instance(n)?;
        let mut sum = BulkOutcome::default();
        let mut before = 0;
        for g in &collected.groups {
            let source = g.source.clone().map(|(queue, state)| Source { queue, state });
            let report = |x: Progress| {
                let p = Progress {
                    processed: before + x.processed,
                    total: collected.count,
                    outcome: total(sum, x.outcome),
                };
                r.progress(p);
            };
            let out = write::bulk(inst, action, &g.ids, source.as_ref(), report, r.cancel()).await?;
            sum = total(sum, out);
            before += g.ids.len() as u64;
            if out.interrupted {
                break;
            }
        }
        Ok(sum)
    });
    let events = format!("{}/api/v1/tasks/{task}/events", app.prefix);
    Ok((StatusCode::ACCEPTED, Json(json!({ "task": task, "events": events }))).into_response())
}

/// A 409 with a message.
struct StoreConflict(String);

impl From<StoreConflict> for Error {
    fn from(c: StoreConflict) -> Self {
        Error::Store(crate::store::Error::Conflict(c.0))
    }
}

/// A selection's query and count, for the audit log's record of acting on it.
pub(crate) fn described(app: &AppState, id: &str) -> Option<(String, u64)> {
    let sel = lock(&app.selections.0).get(id).cloned()?;
    let state = lock(&sel.state);
    Some((state.q.clone(), state.count))
}
