//! RQ 2.0+ groups (`Group.create(...).enqueue_many(...)`): one group's jobs, paged, with the
//! count of each status, read without RQ's `Group.get_jobs()` cleanup (which SREMs the ids whose
//! job is gone): those are listed as orphans instead.

use std::collections::BTreeMap;

use serde::Serialize;

use super::key_type::Suspects;
use super::{Error, Instance, Result, jobs, value};
use crate::rq::State;
use crate::rq::job::JobRow;
use crate::rq::key_type::{KeyType, WrongType};

/// Members read per group for its status counts: a bigger group counts its first ones (by id).
pub const GROUP_SCAN_MAX: usize = 10_000;

/// One page of a group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupPage {
    pub name: String,
    /// Whether `rq:groups` lists it (RQ's `Group.all`).
    pub registered: bool,
    /// Members of `rq:group:<name>` (`SCARD`), orphans included.
    pub total: i64,
    /// Jobs per RQ status (`"missing"`: ids without a loadable job), over the first
    /// [`GROUP_SCAN_MAX`] ids when the group is bigger (`counts_exact` false).
    pub counts: BTreeMap<String, i64>,
    pub counts_exact: bool,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    /// This page's jobs, by id (a set has no order of its own).
    pub jobs: Vec<JobRow>,
    pub corrupt: Vec<WrongType>,
}

/// Page `page` of group `name`; NotFound when neither its set nor `rq:groups` knows it.
pub async fn group(inst: &Instance, name: &str, page: u64, per_page: u64) -> Result<GroupPage> {
    let k = &inst.keys;
    let key = k.group(name);
    let mut p = redis::pipe();
    p.atomic().ignore_errors();
    p.cmd("SISMEMBER").arg(k.groups()).arg(name).cmd("SMEMBERS").arg(&key);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    suspects.check(&k.groups(), KeyType::Set, v.get(..1).unwrap_or(&[]));
    suspects.check(&key, KeyType::Set, v.get(1..2).unwrap_or(&[]));
    let registered = v.first().map_or(0, value::int) > 0;
    let mut ids = v.get(1).map(value::strings).unwrap_or_default();
    if !registered && ids.is_empty() && suspects.is_empty() {
        return Err(Error::NotFound(format!("no group named {name:?}")));
    }
    ids.sort();
    let total = i64::try_from(ids.len()).unwrap_or(i64::MAX);
    let scanned = &ids[..ids.len().min(GROUP_SCAN_MAX)];
    let counts = statuses(inst, scanned).await?;
    let per = usize::try_from(per_page.max(1)).unwrap_or(50);
    let from = usize::try_from(page.max(1) - 1).unwrap_or(usize::MAX).saturating_mul(per).min(ids.len());
    let to = from.saturating_add(per).min(ids.len());
    let members: Vec<(String, Option<f64>)> = ids[from..to].iter().map(|id| (id.clone(), None)).collect();
    Ok(GroupPage {
        name: name.to_owned(),
        registered,
        total,
        counts,
        counts_exact: ids.len() <= GROUP_SCAN_MAX,
        page: page.max(1),
        per_page,
        pages: u64::try_from(ids.len().div_ceil(per)).unwrap_or(0),
        jobs: jobs::rows(inst, State::Queued, &members).await?,
        corrupt: suspects.name(inst).await?,
    })
}

/// The status of each job (one round trip), counted; ids RQ cannot load count as `missing`.
async fn statuses(inst: &Instance, ids: &[String]) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for id in ids {
        p.cmd("HGET").arg(k.job(id)).arg("status").cmd("HEXISTS").arg(k.job(id)).arg("data");
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    for i in 0..ids.len() {
        let loadable = v.get(i * 2 + 1).map_or(0, value::int) > 0;
        let status = v.get(i * 2).and_then(value::string).filter(|s| !s.is_empty());
        let key = match (loadable, status) {
            (false, _) => "missing".to_owned(),
            (true, s) => crate::rq::cap::name(&s.unwrap_or_else(|| "unknown".to_owned())),
        };
        *out.entry(key).or_default() += 1;
    }
    Ok(out)
}
