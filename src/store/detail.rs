//! One job in full: one pipeline for the hash, results, relations and TTL, one for their statuses.

use super::key_type::Suspects;
use super::{Error, Instance, Result, value};
// Cap on related ids resolved per job (a parent may have thousands of dependents).
use crate::rq::cap::RELATED_MAX;
use crate::rq::detail::{DetailInput, JobDetail, Related};
use crate::rq::detail_full::{FullItem, full_item};
use crate::rq::key_type::KeyType;

/// How many results-stream entries to read (RQ keeps about ten).
const RESULTS_MAX: usize = 10;

/// Read and decode one job, cut to one view's budget; 404 when it has no hash at all (a key of
/// another type is shown, as a job RQ cannot load, with the reason).
pub async fn job(inst: &Instance, id: &str) -> Result<JobDetail> {
    let input = read(inst, id, false).await?;
    // Decoding a 1 MB pickle is CPU work: keep it off the async worker threads.
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || JobDetail::build(input))
        .await
        .map_err(|e| Error::Internal(format!("decoding job {id:?} failed: {e}")))
}

/// [`job`] with nothing hidden by `--redact` (an admin's reveal; the caller checks the role).
pub async fn job_revealed(inst: &Instance, id: &str) -> Result<JobDetail> {
    let input = read(inst, id, true).await?;
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || crate::rq::redact::revealed(|| JobDetail::build(input)))
        .await
        .map_err(|e| Error::Internal(format!("decoding job {id:?} failed: {e}")))
}

/// Whether job `id` has a hash (the header's jump box); reads nothing else.
pub async fn exists(inst: &Instance, id: &str) -> Result<bool> {
    let mut pipe = redis::pipe();
    pipe.cmd("EXISTS").arg(inst.keys.job(id));
    let (n,): (i64,) = inst.query(&pipe).await?;
    Ok(n != 0)
}

/// The queue job `id` belongs to (its `origin` field), for queue-scoped permission checks;
/// None when the job has no hash or no origin. Reads one field and nothing else.
pub async fn origin(inst: &Instance, id: &str) -> Result<Option<String>> {
    let mut pipe = redis::pipe();
    pipe.cmd("HGET").arg(inst.keys.job(id)).arg("origin");
    let (o,): (Option<Vec<u8>>,) = inst.query(&pipe).await?;
    Ok(o.map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// All of one value of a job (`/jobs/{id}/full?item=`), up to [`FULL_MAX`](crate::rq::cap::FULL_MAX);
/// None when the job has no such item.
pub async fn item(inst: &Instance, id: &str, item: &str) -> Result<Option<FullItem>> {
    let input = read(inst, id, false).await?;
    let (id, item) = (id.to_owned(), item.to_owned());
    tokio::task::spawn_blocking(move || full_item(&input, &item))
        .await
        .map_err(|e| Error::Internal(format!("decoding job {id:?} failed: {e}")))
}

/// Everything read from Redis about one job: one pipeline, then one for relations' statuses.
async fn read(inst: &Instance, id: &str, reveal: bool) -> Result<DetailInput> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("HGETALL").arg(k.job(id));
    p.cmd("TTL").arg(k.job(id));
    p.cmd("XREVRANGE").arg(k.results(id)).arg("+").arg("-").arg("COUNT").arg(RESULTS_MAX);
    p.cmd("SMEMBERS").arg(k.dependents(id));
    p.cmd("SMEMBERS").arg(k.dependencies(id));
    p.cmd("ZRANGE").arg(k.executions(id)).arg(0).arg(-1).arg("WITHSCORES");
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    let hash_wrong = suspects.check(&k.job(id), KeyType::Hash, v.get(..1).unwrap_or(&[]));
    let side = [
        (k.results(id), KeyType::Stream),
        (k.dependents(id), KeyType::Set),
        (k.dependencies(id), KeyType::Set),
        (k.executions(id), KeyType::Zset),
    ];
    for (i, (key, t)) in side.iter().enumerate() {
        suspects.check(key, *t, v.get(i + 2..i + 3).unwrap_or(&[]));
    }
    let fields = v.first().map(value::pairs).unwrap_or_default();
    if fields.is_empty() && !hash_wrong {
        return Err(Error::NotFound(format!("no job with id {id:?}")));
    }
    let mut dependents = v.get(3).map(value::strings).unwrap_or_default();
    let mut dependencies = v.get(4).map(value::strings).unwrap_or_default();
    dependents.sort();
    dependencies.sort();
    if let Some(ids) = fields
        .iter()
        .find(|(n, _)| n == "dependency_ids")
        .and_then(|(_, raw)| serde_json::from_slice::<Vec<String>>(raw).ok())
    {
        for d in ids {
            if !dependencies.contains(&d) {
                dependencies.push(d);
            }
        }
    }
    dependents.truncate(RELATED_MAX);
    dependencies.truncate(RELATED_MAX);
    let status = text_field(&fields, "status");
    let origin = text_field(&fields, "origin");
    // Round trip 2: statuses of relations and the position in the queue.
    let mut p = redis::pipe();
    p.ignore_errors();
    for r in dependencies.iter().chain(dependents.iter()) {
        p.cmd("HMGET").arg(k.job(r)).arg("status").arg("data");
    }
    let want_pos = status.as_deref() == Some("queued") && origin.is_some();
    if let (true, Some(o)) = (want_pos, &origin) {
        p.cmd("LPOS").arg(k.queue(o)).arg(id);
    }
    let rel: Vec<redis::Value> = if dependencies.is_empty() && dependents.is_empty() && !want_pos {
        Vec::new()
    } else {
        inst.query(&p).await?
    };
    let related = |i: usize, rid: &String| {
        let vals: Vec<Option<Vec<u8>>> =
            rel.get(i).map(value::array).unwrap_or(&[]).iter().map(value::bytes).collect();
        let status = vals.first().cloned().flatten().map(|b| String::from_utf8_lossy(&b).into_owned());
        let has_data = vals.get(1).is_some_and(Option::is_some);
        Related { id: rid.clone(), status, missing: !has_data }
    };
    let nd = dependencies.len();
    if let (true, Some(o)) = (want_pos, &origin) {
        suspects.check(&k.queue(o), KeyType::List, rel.get(nd + dependents.len()..).unwrap_or(&[]));
    }
    Ok(DetailInput {
        id: id.to_owned(),
        key_ttl: v.get(1).map_or(-2, value::int),
        results: v.get(2).map(value::stream_entries).unwrap_or_default(),
        dependencies: dependencies.iter().enumerate().map(|(i, r)| related(i, r)).collect(),
        dependents: dependents.iter().enumerate().map(|(i, r)| related(nd + i, r)).collect(),
        position: if want_pos {
            rel.get(nd + dependents.len())
                .and_then(|x| matches!(x, redis::Value::Int(_)).then(|| value::int(x)))
        } else {
            None
        },
        executions: v.get(5).map(value::scored).unwrap_or_default(),
        // Webhook headers and URL secrets never leave the store (page, raw hash, API, CLI).
        // `--redact`ed keys in the description too, unless an admin reveals them.
        fields: if reveal {
            crate::rq::redact::revealed(|| crate::rq::secrets::masked(fields))
        } else {
            crate::rq::secrets::masked(fields)
        },
        corrupt: suspects.name(inst).await?,
    })
}

fn text_field(fields: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .filter(|s| !s.is_empty())
}
