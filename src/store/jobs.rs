//! Job lists, as RQ's API reports them: a consistent read of ids (+ total), then one pipelined
//! HMGET of the shown fields (and `data`, when small, for the call).
//!
//! Registries whose entries expire are paged over the entries RQ counts; the expired ones
//! (awaiting RQ's cleanup) are a separate view. Finished, failed and started jobs are ordered
//! by the time a reader sees (`ended_at`, `started_at`) when the registry is small enough to
//! read that field for every entry ([`EXACT_ORDER_MAX`]); bigger ones by their score, and the
//! page says which.

use serde::Serialize;

mod rows;

pub use rows::rows;

use super::key_type::Suspects;
use super::{Error, Instance, Result, census, value};
use crate::rq::State;
use crate::rq::job::JobRow;
use crate::rq::key_type::WrongType;
use crate::rq::registry::Census;

/// The largest page the API serves.
pub const MAX_PER_PAGE: u64 = 500;

/// Registries up to this many entries are ordered by `ended_at`/`started_at` exactly (one
/// HGET per entry); bigger ones by score.
pub const EXACT_ORDER_MAX: i64 = 3_000;

/// Attempts at a consistent read while the registry changes under it.
const ATTEMPTS: usize = 4;

/// Which page of which list.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    pub state: State,
    pub page: u64,
    pub per_page: u64,
    pub desc: bool,
    /// List the expired entries (awaiting RQ's cleanup) instead of the ones RQ counts.
    pub expired: bool,
}

impl PageQuery {
    /// Page `page` of `state`, live entries.
    pub fn new(state: State, page: u64, per_page: u64, desc: bool) -> Self {
        Self { state, page, per_page, desc, expired: false }
    }
}

/// One page of a job list.
#[derive(Debug, Clone, Serialize)]
pub struct JobPage {
    pub queue: String,
    pub state: State,
    /// What RQ's API counts (or the expired entries, in the expired view).
    pub total: i64,
    /// Entries RQ's cleanup would drop, not counted in `total` (0 in the expired view).
    pub expired: i64,
    /// Whether this page lists the expired entries.
    pub expired_view: bool,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    pub order: &'static str,
    /// What the order follows: `position` (queue), a job field (`ended_at`, `started_at`) or the
    /// registry score (`score_meaning`).
    pub order_by: &'static str,
    pub score_meaning: Option<&'static str>,
    pub jobs: Vec<JobRow>,
    /// The list or registry holds another type than RQ keeps there: nothing is listed, this
    /// says why.
    pub corrupt: Option<WrongType>,
}

/// List one page. Pages never overlap: the ids are read together with the counts they were
/// planned from, and read again if those changed.
pub async fn list(inst: &Instance, queue: &str, q: PageQuery) -> Result<JobPage> {
    let start = i64::try_from((q.page - 1).saturating_mul(q.per_page)).unwrap_or(i64::MAX);
    let end = start.saturating_add(i64::try_from(q.per_page).unwrap_or(1) - 1);
    let (total, expired, order_by, members, corrupt) = if q.state == State::Queued {
        let (total, m, corrupt) = queue_page(inst, queue, start, end, q.desc).await?;
        (total, 0, "position", m, corrupt)
    } else {
        registry_page(inst, queue, q, start, end).await?
    };
    let jobs = rows(inst, q.state, &members).await?;
    let per = i64::try_from(q.per_page).unwrap_or(1);
    Ok(JobPage {
        queue: queue.to_owned(),
        state: q.state,
        total,
        expired: if q.expired { 0 } else { expired },
        expired_view: q.expired,
        page: q.page,
        per_page: q.per_page,
        pages: u64::try_from((total + per - 1) / per).unwrap_or(0),
        order: if q.desc { "desc" } else { "asc" },
        order_by,
        score_meaning: q.state.score_meaning(),
        jobs,
        corrupt,
    })
}

type Members = Vec<(String, Option<f64>)>;

fn not_found(queue: &str) -> Error {
    Error::NotFound(format!("no queue named {queue:?}"))
}

/// A page of the queue list (LRANGE), with the total, in one MULTI.
async fn queue_page(
    inst: &Instance,
    queue: &str,
    start: i64,
    end: i64,
    desc: bool,
) -> Result<(i64, Members, Option<WrongType>)> {
    let k = &inst.keys;
    let key = k.queue(queue);
    let mut p = redis::pipe();
    p.atomic().ignore_errors();
    p.cmd("SISMEMBER").arg(k.queues()).arg(&key).cmd("LLEN").arg(&key);
    if desc {
        p.cmd("LRANGE").arg(&key).arg(-end.saturating_add(1)).arg(-start.saturating_add(1));
    } else {
        p.cmd("LRANGE").arg(&key).arg(start).arg(end);
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    if suspects.check(&key, State::Queued.key_type(), v.get(1..).unwrap_or(&[])) {
        return Ok((0, Vec::new(), suspects.name(inst).await?.into_iter().next()));
    }
    let total = v.get(1).map_or(0, value::int);
    if v.first().map_or(0, value::int) == 0
        && total == 0
        && !super::overview::queue_exists(inst, queue).await?
    {
        return Err(not_found(queue));
    }
    let mut members: Members =
        v.get(2).map(value::strings).unwrap_or_default().into_iter().map(|m| (m, None)).collect();
    // LRANGE with negative indexes past the head would repeat nothing, but clip pages past the end.
    if desc {
        let avail = usize::try_from((total - start).max(0)).unwrap_or(0);
        members.reverse();
        members.truncate(avail);
    }
    Ok((total, members, None))
}

/// A page of a registry: (total, expired, order_by, members, the registry's wrong type).
async fn registry_page(
    inst: &Instance,
    queue: &str,
    q: PageQuery,
    start: i64,
    end: i64,
) -> Result<(i64, i64, &'static str, Members, Option<WrongType>)> {
    let k = &inst.keys;
    let key = k.state_key(q.state, queue);
    let now = census::now();
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SISMEMBER").arg(k.queues()).arg(k.queue(queue));
    census::push_census(&mut p, q.state, &key, now);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let by_score = q.state.score_meaning().unwrap_or("score");
    let mut suspects = Suspects::default();
    if suspects.check(&key, q.state.key_type(), v.get(1..).unwrap_or(&[])) {
        return Ok((0, 0, by_score, Vec::new(), suspects.name(inst).await?.into_iter().next()));
    }
    let mut c = census::read_census(v.get(1..).unwrap_or(&[]), q.state);
    if v.first().map_or(0, value::int) == 0
        && c.card == 0
        && !super::overview::queue_exists(inst, queue).await?
    {
        return Err(not_found(queue));
    }
    if let Some(field) = q.state.time_field().filter(|_| !q.expired && c.live() <= EXACT_ORDER_MAX) {
        let (c, all) =
            ranges(inst, &key, q.state, now, c, |c| c.page_ranks(0, c.live() - 1, false, false)).await?;
        let page = super::order::by_field(inst, all, field, q.desc, start, end).await?;
        return Ok((c.live(), c.expired, field, page, None));
    }
    let plan = |c: &Census| c.page_ranks(start, end, q.desc, q.expired);
    let mut members;
    (c, members) = ranges(inst, &key, q.state, now, c, plan).await?;
    if q.desc {
        members.reverse();
    }
    let total = if q.expired { c.expired } else { c.live() };
    Ok((total, c.expired, by_score, members, None))
}

/// Read the rank ranges `plan` gives for a census, together with the census itself (MULTI),
/// until the census they were planned from is still the registry's.
async fn ranges(
    inst: &Instance,
    key: &str,
    state: State,
    now: i64,
    mut c: Census,
    plan: impl Fn(&Census) -> Vec<(i64, i64)>,
) -> Result<(Census, Members)> {
    for attempt in 1..=ATTEMPTS {
        let want = plan(&c);
        let mut p = redis::pipe();
        p.atomic().ignore_errors();
        let n = census::push_census(&mut p, state, key, now);
        for (a, b) in &want {
            p.cmd("ZRANGE").arg(key).arg(*a).arg(*b).arg("WITHSCORES");
        }
        let v: Vec<redis::Value> = inst.query(&p).await?;
        let now_c = census::read_census(&v, state);
        if now_c == c || attempt == ATTEMPTS {
            let members = v.get(n..).unwrap_or(&[]).iter().flat_map(value::scored).collect();
            return Ok((now_c, members));
        }
        c = now_c;
    }
    Ok((c, Vec::new()))
}
