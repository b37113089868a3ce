//! `GET /jobs/{id}/full?item=`: all of one value of a job (the page's "show all" links), as
//! plain text, bounded by [`FULL_MAX`].

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::fmt;
use super::page::{PageResult, start};
use super::params::Name;
use crate::rq::cap::FULL_MAX;
use crate::store::{Error as StoreError, detail};

/// One value, at most [`FULL_MAX`] bytes of it: past that the text stops with a line saying so,
/// and the `x-rqdash-cut` header gives the full size (`>N` when only a lower bound is known).
pub async fn job_full(
    State(app): State<AppState>,
    Path(Name(id)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<Response> {
    let (p, c) = start(&app, q.as_deref(), &["instance", "item"], "Job", "")?;
    let inst = app.store.instance(c.instance)?;
    let item = p.get("item").unwrap_or("");
    let full = detail::item(inst, &id, item).await?;
    let full = full.ok_or_else(|| StoreError::NotFound(format!("job {id:?} has no item {item:?}")))?;
    let mut text = full.text;
    let mut cut = None;
    if let Some((len, at_least)) = full.cut {
        let size = fmt::bytes(i64::try_from(len).unwrap_or(i64::MAX));
        let (max, over) = (fmt::bytes(FULL_MAX as i64), if at_least { "over " } else { "" });
        text.push_str(&format!(
            "\n\n[rqdash: cut at {max}; the value is {over}{size}. Read it from Redis.]\n"
        ));
        cut = HeaderValue::from_str(&format!("{}{len}", if at_least { ">" } else { "" })).ok();
    }
    let mut res = ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response();
    if let Some(v) = cut {
        res.headers_mut().insert("x-rqdash-cut", v);
    }
    Ok(res)
}
