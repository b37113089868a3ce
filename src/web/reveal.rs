//! `POST /api/v1/jobs/{id}/reveal`: an admin sees a job's values without `--redact` masking.
//! A POST (CSRF-checked by the guard, recorded like every other POST), never a GET, so that a
//! link, a prefetch or a crawler cannot reveal anything.

use axum::Json;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::error::Result;
use super::params::{Name, Params};
use crate::auth::{Identity, Role};
use crate::store::detail;

/// The handler: the job detail (`GET /api/v1/jobs/{id}`'s shape) with nothing redacted.
pub async fn reveal(
    State(app): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(Name(id)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    reveal_job(&app, &who, &id, p.instance()?).await
}

/// [`reveal`] for a known caller: 403 naming the admin role before anything is read for a
/// caller who is admin nowhere, and after reading for one who is not admin on the job's queue.
pub async fn reveal_job(app: &AppState, who: &Identity, id: &str, instance: usize) -> Result<Response> {
    if let Some(r) = refusal(who, None, true) {
        return Ok(r);
    }
    let inst = app.store.instance(instance)?;
    let j = detail::job_revealed(inst, id).await?;
    if let Some(r) = refusal(who, j.origin.as_deref(), false) {
        return Ok(r);
    }
    Ok(Json(j).into_response())
}

/// The 403 for a caller who may not reveal: `anywhere` asks whether the caller is admin on
/// some queue (an unscoped role, or a scoped one); otherwise on `queue`.
fn refusal(who: &Identity, queue: Option<&str>, anywhere: bool) -> Option<Response> {
    let allowed = if anywhere { who.role >= Role::Admin } else { who.may(Role::Admin, queue) };
    if allowed {
        return None;
    }
    let msg = format!(
        "revealing redacted values needs the {} role{} ({} is {})",
        Role::Admin,
        if anywhere { String::new() } else { format!(" on queue {:?}", queue.unwrap_or("")) },
        who.name,
        who.role_on(queue),
    );
    Some((StatusCode::FORBIDDEN, Json(json!({ "error": msg }))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, queues: &[&str]) -> Identity {
        let mut id = Identity::anonymous(None);
        id.role = role;
        id.queues = queues.iter().map(|q| (*q).to_owned()).collect();
        id
    }

    #[test]
    fn only_an_admin_on_the_jobs_queue_may_reveal() {
        assert!(refusal(&who(Role::Admin, &[]), None, true).is_none());
        assert!(refusal(&who(Role::Admin, &[]), Some("q"), false).is_none());
        for role in [Role::Viewer, Role::Operator] {
            let r = refusal(&who(role, &[]), None, true).expect("refused");
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        let scoped = who(Role::Admin, &["billing*"]);
        assert!(refusal(&scoped, Some("billing-eu"), false).is_none());
        assert!(refusal(&scoped, Some("emails"), false).is_some());
    }
}
