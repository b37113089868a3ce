//! The jobs one rate-limit key holds back, paged like a registry: a consistent read of the
//! count and one page of `rq:rl:<key>:rate_limited` (oldest first: the order RQ promotes
//! them in), then the same job rows as every list, orphans included.

use serde::Serialize;

use super::super::key_type::Suspects;
use super::super::{Error, Instance, Result, jobs, value};
use super::HELD_SCAN_MAX;
use crate::rq::State;
use crate::rq::job::JobRow;
use crate::rq::key_type::{KeyType, WrongType};
use crate::rq::rate_limit::{RateLimitKey, held_age};

/// Which page of which held jobs.
#[derive(Debug, Clone, Default)]
pub struct HeldQuery {
    pub page: u64,
    pub per_page: u64,
    /// Newest first (default: oldest first, as RQ promotes them).
    pub desc: bool,
    /// Only the held jobs of this origin queue (read over the oldest [`HELD_SCAN_MAX`]).
    pub queue: Option<String>,
}

/// One held job: its row, and how long it has been held.
#[derive(Debug, Clone, Serialize)]
pub struct HeldJob {
    #[serde(flatten)]
    pub job: JobRow,
    /// Seconds since it started waiting (its `rate_limited` score).
    pub held_seconds: Option<f64>,
}

/// One page of held jobs of one key.
#[derive(Debug, Clone, Serialize)]
pub struct HeldPage {
    pub rate_limit: RateLimitKey,
    pub queue: Option<String>,
    /// Held jobs listed (of `queue` only, when given).
    pub total: i64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    pub order: &'static str,
    pub jobs: Vec<HeldJob>,
    pub corrupt: Vec<WrongType>,
}

/// One page of the jobs `key` holds back; NotFound when RQ knows no such key.
pub async fn held_page(inst: &Instance, key: &str, q: HeldQuery) -> Result<HeldPage> {
    let k = &inst.keys;
    let mut suspects = Suspects::default();
    let names = [key.to_owned()];
    let (mut found, ..) = super::read_keys(inst, &names, &mut suspects, false).await?;
    let rl = found.pop().ok_or_else(|| Error::Internal("no rate limit read".into()))?;
    if !rl.registered && rl.held == 0 && rl.running == 0 && rl.concurrency == 0 {
        return Err(Error::NotFound(format!("no rate limit key {key:?}")));
    }
    if !rl.registered || rl.running > 0 || rl.held > 0 {
        inst.saw_rate_limits();
    }
    let held_key = k.rl_held(key);
    let per = i64::try_from(q.per_page.max(1)).unwrap_or(1);
    let start = i64::try_from((q.page.max(1) - 1).saturating_mul(q.per_page)).unwrap_or(i64::MAX);
    let (total, members) = match &q.queue {
        None => ranks(inst, &held_key, start, per, q.desc, &mut suspects).await?,
        Some(queue) => of_queue(inst, &held_key, queue, start, per, q.desc, &mut suspects).await?,
    };
    let now = crate::rq::time::now_epoch();
    let rows = jobs::rows(inst, State::Queued, &members).await?;
    let jobs = rows
        .into_iter()
        .map(|mut job| {
            job.score_meaning = Some("held_since");
            HeldJob { held_seconds: held_age(job.score, now), job }
        })
        .collect();
    Ok(HeldPage {
        rate_limit: rl,
        queue: q.queue,
        total,
        page: q.page.max(1),
        per_page: q.per_page,
        pages: u64::try_from((total + per - 1) / per).unwrap_or(0),
        order: if q.desc { "desc" } else { "asc" },
        jobs,
        corrupt: suspects.name(inst).await?,
    })
}

type Members = Vec<(String, Option<f64>)>;

/// The count and one page by rank, in one MULTI so the page matches the count.
async fn ranks(
    inst: &Instance,
    key: &str,
    start: i64,
    per: i64,
    desc: bool,
    suspects: &mut Suspects,
) -> Result<(i64, Members)> {
    let end = start.saturating_add(per - 1);
    let mut p = redis::pipe();
    p.atomic().ignore_errors();
    p.cmd("ZCARD").arg(key);
    let range = if desc { "ZREVRANGE" } else { "ZRANGE" };
    p.cmd(range).arg(key).arg(start).arg(end).arg("WITHSCORES");
    let v: Vec<redis::Value> = inst.query(&p).await?;
    if suspects.check(key, KeyType::Zset, &v) {
        return Ok((0, Vec::new()));
    }
    Ok((v.first().map_or(0, value::int), v.get(1).map(value::scored).unwrap_or_default()))
}

/// The held jobs of one origin queue: the oldest [`HELD_SCAN_MAX`] ids, their origins, then
/// the page of those that belong to `queue`.
async fn of_queue(
    inst: &Instance,
    key: &str,
    queue: &str,
    start: i64,
    per: i64,
    desc: bool,
    suspects: &mut Suspects,
) -> Result<(i64, Members)> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("ZRANGE").arg(key).arg(0).arg(HELD_SCAN_MAX - 1).arg("WITHSCORES");
    let v: Vec<redis::Value> = inst.query(&p).await?;
    if suspects.check(key, KeyType::Zset, &v) {
        return Ok((0, Vec::new()));
    }
    let all = v.first().map(value::scored).unwrap_or_default();
    let ids: Vec<String> = all.iter().map(|(m, _)| m.clone()).collect();
    let origins = origins(inst, &ids, suspects).await?;
    let mut mine: Members =
        all.into_iter().zip(origins).filter(|(_, o)| o.as_deref() == Some(queue)).map(|(m, _)| m).collect();
    if desc {
        mine.reverse();
    }
    let total = i64::try_from(mine.len()).unwrap_or(i64::MAX);
    let from = usize::try_from(start).unwrap_or(usize::MAX).min(mine.len());
    let to = from.saturating_add(usize::try_from(per).unwrap_or(1)).min(mine.len());
    Ok((total, mine[from..to].to_vec()))
}

/// The `origin` of each job (None: no loadable job hash, or no origin), one round trip.
pub(super) async fn origins(
    inst: &Instance,
    ids: &[String],
    suspects: &mut Suspects,
) -> Result<Vec<Option<String>>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for id in ids {
        p.cmd("HGET").arg(k.job(id)).arg("origin").cmd("HEXISTS").arg(k.job(id)).arg("data");
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let r = v.get(i * 2..i * 2 + 2).unwrap_or(&[]);
            if suspects.check(&k.job(id), KeyType::Hash, r) {
                return None;
            }
            // A hash without `data` is no job to RQ (Job.fetch raises): an orphan, like no hash.
            let loadable = r.get(1).map_or(0, value::int) > 0;
            r.first().and_then(value::string).filter(|o| loadable && !o.is_empty())
        })
        .collect())
}
