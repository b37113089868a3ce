//! Reading the audit log: the `/audit` page and `GET /api/v1/audit`, with the same filters
//! (user, action, queue, time range), newest first, paged by entry id (`before=`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{RawQuery, State};

use super::AppState;
use super::error::{Error, Result};
use super::fmt::filters;
use super::page::{PageResult, start};
use super::params::Params;
use super::view::Chrome;
use crate::audit::{Filter, StreamId};
use crate::store::audit::{self as log, Page};

const PARAMS: [&str; 8] = ["instance", "user", "action", "queue", "since", "until", "before", "limit"];
const PAGE: u64 = 50;

/// The filters, cursor and page size of a request.
fn query(p: &Params) -> Result<(Filter, Option<StreamId>, usize)> {
    let text = |k: &str| p.get(k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let time = |k: &str| -> Result<Option<i64>> {
        text(k)
            .map(|v| crate::config::parse_time(&v).map_err(|e| Error::BadRequest(format!("{k}: {e}"))))
            .transpose()
    };
    let f = Filter {
        user: text("user"),
        action: text("action"),
        queue: text("queue"),
        since_ms: time("since")?,
        until_ms: time("until")?,
    };
    let before = match text("before") {
        Some(b) => Some(StreamId::parse(&b).ok_or_else(|| {
            Error::BadRequest(format!("before must be an entry id such as 1700000000000-0, got {b:?}"))
        })?),
        None => None,
    };
    let limit = usize::try_from(p.int("limit", PAGE, 1, 500)?).unwrap_or(50);
    Ok((f, before, limit))
}

/// `GET /api/v1/audit`.
pub async fn api(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Page>> {
    let p = Params::parse(q.as_deref(), &PARAMS)?;
    let (f, before, limit) = query(&p)?;
    Ok(Json(log::page(app.store.instance(p.instance()?)?, &app.audit.log, &f, before, limit).await?))
}

/// One row of the page.
pub struct Row {
    pub id: String,
    pub time: super::fmt::Time,
    pub user: String,
    pub role: String,
    pub via: String,
    pub addr: String,
    pub action: String,
    pub target: String,
    pub phase: String,
    pub of: String,
    pub result: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub c: Chrome,
    pub rows: Vec<Row>,
    pub user: String,
    pub action: String,
    pub queue: String,
    pub since: String,
    pub until: String,
    pub next: Option<String>,
    pub scanned: u64,
    pub filtered: bool,
}

/// `GET /audit`.
pub async fn page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<AuditPage> {
    let (p, c) = start(&app, q.as_deref(), &PARAMS, "Audit log", "audit")?;
    let (f, before, limit) = query(&p)?;
    let found = log::page(app.store.instance(c.instance)?, &app.audit.log, &f, before, limit).await?;
    let field = |k: &str| p.get(k).unwrap_or_default().to_owned();
    let next = found.next.as_ref().map(|id| {
        let mut u = format!("{}/audit?instance={}", c.prefix, c.instance);
        for k in ["user", "action", "queue", "since", "until"] {
            if let Some(v) = p.get(k).filter(|v| !v.is_empty()) {
                u.push_str(&format!("&{k}={}", super::fmt::q(v)));
            }
        }
        u + "&before=" + &super::fmt::q(id)
    });
    let rows = found.entries.iter().map(row).collect();
    let filtered = f != Filter::default() || before.is_some();
    Ok(AuditPage {
        rows,
        user: field("user"),
        action: field("action"),
        queue: field("queue"),
        since: field("since"),
        until: field("until"),
        next,
        scanned: found.scanned,
        filtered,
        c,
    })
}

fn row(e: &crate::audit::Entry) -> Row {
    let iso = jiff::Timestamp::from_millisecond(e.ms()).map(|t| t.to_string()).unwrap_or_default();
    let phase = if e.phase == "outcome" { e.status.clone() } else { e.phase.clone() };
    Row {
        id: e.id.clone(),
        time: super::fmt::Time::from(Some(&iso)).unwrap_or(super::fmt::Time {
            iso: String::new(),
            exact: String::new(),
            relative: String::new(),
        }),
        user: e.user.clone(),
        role: e.role.clone(),
        via: e.via.clone(),
        addr: e.addr.clone(),
        action: e.action.clone(),
        target: crate::cli::audit::target(&e.target),
        phase,
        of: e.of.clone(),
        result: crate::cli::audit::result(&e.result, &e.error),
    }
}
