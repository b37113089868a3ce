//! Failed jobs grouped by exception type and normalised message ([`crate::rq::failure`]), per
//! queue or across all queues: count, first and last seen, functions, an example traceback and
//! the job ids.
//!
//! A computation walks the failed registries newest first in chunks of [`CHUNK`] (one pipeline
//! per chunk: HMGET of three fields and `XREVRANGE … COUNT 1`; tracebacks are decoded off the
//! async threads), reporting progress. It runs in the background and its result is cached per
//! (instance, queue) for [`TTL`]; see [`cache`].

mod acc;
pub mod cache;
mod top;

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use redis::Value;
use serde::Serialize;

use super::search::cursor::Pos;
use super::search::read::{self, Source};
use super::{Error, Instance, Result, overview, value};
use crate::rq::job::func_name_from_description;
use crate::rq::{State, time};

pub use cache::{Cache, Status, TTL, groups};
pub use top::{TopGroup, TopGroups, top_groups_last_hour};

/// Failed ids read per pipeline.
pub const CHUNK: usize = 1000;
/// Longest example traceback kept.
const EXAMPLE_MAX: usize = 16 * 1024;

/// One group of failures.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// 16 hex digits: `group:<id>` in the search syntax.
    pub id: String,
    pub exc_type: String,
    /// The normalised message (`Timeout after <n>s`).
    pub message: String,
    /// `Type: message`.
    pub label: String,
    pub count: u64,
    /// Earliest and latest `ended_at` of its jobs.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Functions and how many of the group's jobs ran each, most first.
    pub functions: Vec<(String, u64)>,
    /// Queues and counts, most first.
    pub queues: Vec<(String, u64)>,
    /// The most recent job of the group and its traceback.
    pub example_id: String,
    pub example_exception: String,
    pub example_traceback: String,
    /// Every job id of the group, newest first within each queue.
    pub ids: Vec<String>,
    /// `ended_at` of each job as Unix seconds (for "in the last hour").
    #[serde(skip)]
    pub ended: Vec<f64>,
}

/// Groups of one scope at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// None: every queue.
    pub queue: Option<String>,
    pub computed_at: String,
    #[serde(skip)]
    pub computed: Timestamp,
    pub elapsed_ms: u64,
    /// Failed ids examined.
    pub scanned: u64,
    /// Ids without a job hash (not grouped).
    pub orphans: u64,
    /// Largest first.
    pub groups: Vec<Group>,
}

/// Progress of a computation.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Progress {
    pub scanned: u64,
    pub total: u64,
}

/// Queue names in scope: one queue (404 when unknown and without failures) or all.
async fn scope(inst: &Instance, queue: Option<&str>) -> Result<Vec<String>> {
    let k = &inst.keys;
    if let Some(q) = queue {
        let mut p = redis::pipe();
        p.ignore_errors();
        p.cmd("SISMEMBER").arg(k.queues()).arg(k.queue(q)).cmd("ZCARD").arg(k.state_key(State::Failed, q));
        let v: Vec<Value> = inst.query(&p).await?;
        if v.iter().all(|x| value::int(x) == 0) {
            return Err(Error::NotFound(format!("no queue named {q:?}")));
        }
        return Ok(vec![q.to_owned()]);
    }
    overview::registered(inst).await
}

/// `data` of the jobs whose description is not RQ's call string (their function is only there),
/// by index into `members`; one more pipeline, only when there are such jobs.
async fn custom_description_data(
    inst: &Instance,
    members: &[(String, Option<f64>)],
    vals: &[Value],
) -> Result<HashMap<usize, Vec<u8>>> {
    let custom: Vec<usize> = (0..members.len())
        .filter(|i| {
            let h = vals.get(2 * i).map(value::array).unwrap_or(&[]);
            let desc = h.first().and_then(value::string);
            h.iter().any(|v| !matches!(v, Value::Nil))
                && desc.as_deref().and_then(func_name_from_description).is_none()
        })
        .collect();
    if custom.is_empty() {
        return Ok(HashMap::new());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for i in &custom {
        p.cmd("HGET").arg(inst.keys.job(&members[*i].0)).arg("data");
    }
    let v: Vec<Value> = inst.query(&p).await?;
    Ok(custom.into_iter().zip(v).filter_map(|(i, d)| Some((i, value::bytes(&d)?))).collect())
}

/// Compute the groups of `queue` (or all queues), reporting progress after every chunk.
pub async fn compute(
    inst: &Instance,
    queue: Option<&str>,
    report: impl Fn(Progress) + Send,
) -> Result<Snapshot> {
    let started = std::time::Instant::now();
    let names = scope(inst, queue).await?;
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for q in &names {
        p.cmd("ZCARD").arg(k.state_key(State::Failed, q));
    }
    let sizes: Vec<Value> = if names.is_empty() { Vec::new() } else { inst.query(&p).await? };
    let total: u64 = sizes.iter().map(|v| u64::try_from(value::int(v)).unwrap_or(0)).sum();
    let mut groups = acc::Groups::new();
    let (mut scanned, mut orphans) = (0u64, 0u64);
    for (qi, name) in names.iter().enumerate() {
        if sizes.get(qi).map_or(0, value::int) == 0 {
            continue;
        }
        let src = Source { queue: name.clone(), state: State::Failed, size: 0 };
        let mut pos = Pos::start(State::Failed);
        loop {
            let (members, last_chunk) = read::fetch(inst, &src, &pos, CHUNK).await?;
            let mut p = redis::pipe();
            p.ignore_errors();
            for (id, _) in &members {
                p.cmd("HMGET").arg(k.job(id)).arg(&["description", "ended_at", "exc_info"][..]);
                p.cmd("XREVRANGE").arg(k.results(id)).arg("+").arg("-").arg("COUNT").arg(1);
            }
            let vals: Vec<Value> = if members.is_empty() { Vec::new() } else { inst.query(&p).await? };
            let datas = custom_description_data(inst, &members, &vals).await?;
            for (m, s) in &members {
                pos.step(m, *s);
            }
            let n = members.len();
            let queue = name.clone();
            // Decoding and normalising 1,000 tracebacks is CPU work: off the async threads.
            let (g, o) =
                tokio::task::spawn_blocking(move || acc::fold(groups, &queue, members, &vals, &datas))
                    .await
                    .map_err(|e| Error::Internal(format!("grouping failures failed: {e}")))?;
            groups = g;
            orphans += o;
            scanned += n as u64;
            report(Progress { scanned, total });
            if last_chunk || n == 0 {
                break;
            }
        }
    }
    let mut out: Vec<Group> = groups.into_values().map(acc::finish).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| b.last_seen.cmp(&a.last_seen)));
    let now = Timestamp::now();
    Ok(Snapshot {
        queue: queue.map(str::to_owned),
        computed_at: time::format(now),
        computed: now,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        scanned,
        orphans,
        groups: out,
    })
}

/// A shared, immutable snapshot.
pub type Shared = Arc<Snapshot>;

impl Snapshot {
    /// Roughly the heap bytes it holds (the ids dominate), for the cache's byte budget.
    pub fn approx_bytes(&self) -> usize {
        let s = |t: &String| t.len() + size_of::<String>();
        let named = |v: &[(String, u64)]| v.iter().map(|(n, _)| s(n) + 8).sum::<usize>();
        self.groups
            .iter()
            .map(|g| {
                size_of::<Group>()
                    + g.ids.iter().map(s).sum::<usize>()
                    + g.ended.len() * size_of::<f64>()
                    + named(g.functions.as_slice())
                    + named(g.queues.as_slice())
                    + [&g.id, &g.exc_type, &g.message, &g.label, &g.example_id, &g.example_exception]
                        .into_iter()
                        .map(s)
                        .sum::<usize>()
                    + g.example_traceback.len()
            })
            .sum::<usize>()
            + size_of::<Snapshot>()
    }
}
