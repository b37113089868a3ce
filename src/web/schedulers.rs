//! The schedulers page and its API: cron schedulers and jobs, queue scheduler locks, overdue jobs.

use axum::Json;
use axum::extract::{RawQuery, State};

use super::AppState;
use super::error::Result;
use super::page::{PageResult, start};
use super::params::Params;
use super::view::schedulers::SchedulersPage;
use crate::store::schedulers;

/// `GET /schedulers`.
pub async fn page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<SchedulersPage> {
    let (_, mut c) = start(&app, q.as_deref(), &["instance"], "Schedulers", "schedulers")?;
    let inst = app.store.instance(c.instance)?;
    let s = schedulers::schedulers(inst).await?;
    inst.note_cron(!s.cron_schedulers.is_empty() || !s.cron_job_names.is_empty());
    c.schedulers_nav = inst.cron_seen();
    Ok(SchedulersPage::build(c, s))
}

/// `GET /api/v1/schedulers`.
pub async fn api(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<schedulers::Schedulers>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    Ok(Json(schedulers::schedulers(app.store.instance(p.instance()?)?).await?))
}

/// Set the scheduler banner and learn whether this instance has `rq cron` (its keys, or a
/// worker of RQ 2.4+). A failed read leaves the banner out, not the page.
pub(super) async fn warnings(
    inst: &crate::store::Instance,
    c: &mut super::view::Chrome,
    queues: &[String],
    w: &crate::store::workers::Workers,
) {
    inst.note_cron(any_cron_worker(w));
    if let Ok(a) = schedulers::alerts(inst, queues).await {
        inst.note_cron(a.cron_present);
        c.scheduler_banner = a.banner();
    }
    c.schedulers_nav = inst.cron_seen();
}

/// Whether a registered worker runs an RQ with `rq cron` (2.4+).
pub(super) fn any_cron_worker(w: &crate::store::workers::Workers) -> bool {
    w.workers.iter().any(|w| w.version.as_deref().is_some_and(crate::rq::cron::version_has_cron))
}
