//! Job lists: one consistent read of ids (+ total), then one pipelined HMGET of the shown fields.

use serde::Serialize;

use super::{Error, Instance, Result, value};
use crate::rq::State;
use crate::rq::job::{JobRow, LIST_FIELDS};
use crate::rq::result::ResultEntry;

/// The largest page the API serves.
pub const MAX_PER_PAGE: u64 = 500;

/// Which page of which list.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    pub state: State,
    pub page: u64,
    pub per_page: u64,
    pub desc: bool,
}

/// One page of a job list.
#[derive(Debug, Clone, Serialize)]
pub struct JobPage {
    pub queue: String,
    pub state: State,
    pub total: i64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    pub order: &'static str,
    pub score_meaning: Option<&'static str>,
    pub jobs: Vec<JobRow>,
}

/// List one page. Pages never overlap: both the total and the ids come from one MULTI.
pub async fn list(inst: &Instance, queue: &str, q: PageQuery) -> Result<JobPage> {
    let k = &inst.keys;
    let key = k.state_key(q.state, queue);
    let start = (q.page - 1).saturating_mul(q.per_page);
    let end = start.saturating_add(q.per_page - 1);
    let (start_i, end_i) = (i64::try_from(start).unwrap_or(i64::MAX), i64::try_from(end).unwrap_or(i64::MAX));
    let mut p = redis::pipe();
    p.atomic().cmd("SISMEMBER").arg(k.queues()).arg(k.queue(queue));
    if q.state == State::Queued {
        p.cmd("LLEN").arg(&key);
        if q.desc {
            p.cmd("LRANGE").arg(&key).arg(-end_i.saturating_add(1)).arg(-start_i.saturating_add(1));
        } else {
            p.cmd("LRANGE").arg(&key).arg(start_i).arg(end_i);
        }
    } else {
        p.cmd("ZCARD").arg(&key);
        let cmd = if q.desc { "ZREVRANGE" } else { "ZRANGE" };
        p.cmd(cmd).arg(&key).arg(start_i).arg(end_i).arg("WITHSCORES");
    }
    let head: Vec<redis::Value> = inst.query(&p).await?;
    let known = head.first().map_or(0, value::int) > 0;
    let total = head.get(1).map_or(0, value::int);
    if !known && total == 0 {
        return Err(Error::NotFound(format!("no queue named {queue:?}")));
    }
    let mut members: Vec<(String, Option<f64>)> = match head.get(2) {
        Some(v) if q.state == State::Queued => value::strings(v).into_iter().map(|m| (m, None)).collect(),
        Some(v) => value::scored(v),
        None => Vec::new(),
    };
    // LRANGE with negative indexes past the head would repeat nothing, but clip pages past the end.
    if q.state == State::Queued && q.desc {
        let avail = usize::try_from((total - start_i).max(0)).unwrap_or(0);
        members.reverse();
        members.truncate(avail);
    }
    let jobs = rows(inst, q.state, &members).await?;
    let per = i64::try_from(q.per_page).unwrap_or(1);
    Ok(JobPage {
        queue: queue.to_owned(),
        state: q.state,
        total,
        page: q.page,
        per_page: q.per_page,
        pages: u64::try_from((total + per - 1) / per).unwrap_or(0),
        order: if q.desc { "desc" } else { "asc" },
        score_meaning: q.state.score_meaning(),
        jobs,
    })
}

/// Fetch the shown fields of many jobs in one pipeline (plus the newest result for failures).
pub async fn rows(inst: &Instance, state: State, members: &[(String, Option<f64>)]) -> Result<Vec<JobRow>> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let k = &inst.keys;
    let with_result = state == State::Failed;
    let per = if with_result { 3 } else { 2 };
    let mut p = redis::pipe();
    p.ignore_errors();
    let ids: Vec<String> = members.iter().map(|(m, _)| crate::rq::job::member_to_id(state, m).0).collect();
    for id in &ids {
        p.cmd("HMGET").arg(k.job(id)).arg(&LIST_FIELDS[..]);
        p.cmd("HSTRLEN").arg(k.job(id)).arg("data");
        if with_result {
            p.cmd("XREVRANGE").arg(k.results(id)).arg("+").arg("-").arg("COUNT").arg(1);
        }
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut out = Vec::with_capacity(members.len());
    for (i, (member, score)) in members.iter().enumerate() {
        let chunk = vals.get(i * per..(i + 1) * per).unwrap_or(&[]);
        let fields: Vec<Option<Vec<u8>>> =
            chunk.first().map(value::array).unwrap_or(&[]).iter().map(value::bytes).collect();
        let data_len = chunk.get(1).map_or(0, value::int);
        let latest_exc = chunk
            .get(2)
            .map(value::stream_entries)
            .and_then(|e| e.into_iter().next())
            .and_then(|(_, f)| ResultEntry::exc_text(&f));
        out.push(JobRow::from_fields(member, state, *score, &fields, data_len, latest_exc));
    }
    Ok(out)
}
