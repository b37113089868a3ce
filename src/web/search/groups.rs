//! Failure groups: the page, its JSON, and the overview's top groups of the last hour.

use std::time::Duration;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;
use serde_json::{Value, json};

use crate::store::failure_groups::{self, Snapshot, Status};
use crate::store::overview;
use crate::web::AppState;
use crate::web::error::{Error, Result};
use crate::web::page::{PageResult, start};
use crate::web::params::Params;
use crate::web::view::Chrome;
use crate::web::view::search::groups::{GroupsView, TopGroupsView, group_query, sorted};

/// How long the page waits for a computation before showing its progress instead.
const PAGE_WAIT: Duration = Duration::from_secs(2);

/// "count" (largest first) or "recent" (last seen first).
fn sort_of(p: &Params) -> Result<&'static str> {
    match p.get("sort") {
        None | Some("" | "count") => Ok("count"),
        Some("recent") => Ok("recent"),
        Some(s) => Err(Error::BadRequest(format!("sort must be count or recent, got {s:?}"))),
    }
}

/// `GET /failed/groups?queue=&sort=count|recent&instance=`.
pub async fn page(State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult<GroupsView> {
    let (p, mut c) = start(&app, raw.as_deref(), &["instance", "queue", "sort"], "Failure groups", "failed")?;
    let sort = sort_of(&p)?;
    let queue = p.get("queue").filter(|q| !q.is_empty()).map(str::to_owned);
    let inst = app.store.instance(c.instance)?;
    let (status, o) = tokio::join!(
        failure_groups::groups(&app.store, &app.failure_groups, c.instance, queue.as_deref(), PAGE_WAIT),
        overview::overview(inst)
    );
    let (status, o) = (status?, o?);
    c.suspended = o.suspended;
    let queues = o
        .queues
        .into_iter()
        .filter(|q| q.counts.failed > 0 || Some(&q.name) == queue.as_ref())
        .map(|q| q.name);
    Ok(GroupsView::build(c, queue.as_deref(), sort, status, queues.collect()))
}

/// A group in JSON, with at most `ids` of its job ids.
#[derive(Serialize)]
struct GroupJson<'a> {
    #[serde(flatten)]
    group: GroupHead<'a>,
    ids: &'a [String],
    ids_truncated: bool,
    /// The search that lists exactly this group's jobs.
    search: String,
}

#[derive(Serialize)]
struct GroupHead<'a> {
    id: &'a str,
    exc_type: &'a str,
    message: &'a str,
    label: &'a str,
    count: u64,
    first_seen: Option<&'a str>,
    last_seen: Option<&'a str>,
    functions: &'a [(String, u64)],
    queues: &'a [(String, u64)],
    example_id: &'a str,
    example_exception: &'a str,
    example_traceback: &'a str,
}

fn snapshot_json(s: &Snapshot, sort: &str, ids: usize) -> Value {
    let groups: Vec<GroupJson> = sorted(s, sort)
        .into_iter()
        .map(|g| GroupJson {
            group: GroupHead {
                id: &g.id,
                exc_type: &g.exc_type,
                message: &g.message,
                label: &g.label,
                count: g.count,
                first_seen: g.first_seen.as_deref(),
                last_seen: g.last_seen.as_deref(),
                functions: &g.functions,
                queues: &g.queues,
                example_id: &g.example_id,
                example_exception: &g.example_exception,
                example_traceback: &g.example_traceback,
            },
            ids: &g.ids[..g.ids.len().min(ids)],
            ids_truncated: g.ids.len() > ids,
            search: group_query(g, s.queue.as_deref()),
        })
        .collect();
    json!({
        "queue": s.queue, "computed_at": s.computed_at, "elapsed_ms": s.elapsed_ms,
        "scanned": s.scanned, "orphans": s.orphans, "groups": groups,
    })
}

/// `GET /api/v1/failed/groups?queue=&sort=&wait=<ms>&ids=<n>&instance=`: `{"status": "ready",
/// "snapshot": …}` or `{"status": "computing", "progress": …, "snapshot": <previous or null>}`.
pub async fn api(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<Value>> {
    let p = Params::parse(raw.as_deref(), &["instance", "queue", "sort", "wait", "ids"])?;
    let n = p.instance()?;
    let sort = sort_of(&p)?;
    let wait = Duration::from_millis(p.int("wait", 0, 0, 30_000)?);
    let ids = usize::try_from(p.int("ids", 100, 0, 1_000_000)?).unwrap_or(100);
    let queue = p.get("queue").filter(|q| !q.is_empty());
    Ok(Json(match failure_groups::groups(&app.store, &app.failure_groups, n, queue, wait).await? {
        Status::Ready(s) => json!({ "status": "ready", "snapshot": snapshot_json(&s, sort, ids) }),
        Status::Computing { progress, stale } => json!({
            "status": "computing", "progress": progress,
            "snapshot": stale.map(|s| snapshot_json(&s, sort, ids)),
        }),
    }))
}

/// The overview's panel of the top failure groups of the last hour (at most `limit`); never
/// fails, so the overview renders whatever happens.
pub async fn top_groups_last_hour(app: &AppState, c: &Chrome, limit: usize) -> TopGroupsView {
    let top = failure_groups::top_groups_last_hour(&app.store, &app.failure_groups, c.instance, limit).await;
    TopGroupsView::build(c, top)
}
