//! The link checks of doctor: the dependents sets of jobs seen in the walk, and the parents of
//! deferred jobs. Sets are read [`LINK_BATCH`] per pipeline, job probes [`CHUNK`] per pipeline.

use std::collections::{BTreeSet, HashMap};

use redis::Value;

use super::CHUNK;
use super::Check;
use super::scan::{Acc, Place};
use crate::rq::key_type::KeyType;
use crate::store::key_type::Suspects;
use crate::store::{Instance, Result, value};

/// Sets read per round trip (each may hold many ids).
const LINK_BATCH: usize = 100;

/// The status of each id, None when RQ cannot load the job (no hash, or no `data`). A job key
/// of another type is noted in `wrong` and reads as a job without status: not gone, so no link
/// to it is reported dangling (or repaired).
async fn statuses(
    inst: &Instance,
    ids: &BTreeSet<String>,
    wrong: &mut Suspects,
) -> Result<HashMap<String, Option<String>>> {
    let ids: Vec<&String> = ids.iter().collect();
    let mut out = HashMap::with_capacity(ids.len());
    for batch in ids.chunks(CHUNK) {
        let mut p = redis::pipe();
        p.ignore_errors();
        for id in batch {
            p.cmd("HEXISTS").arg(inst.keys.job(id)).arg("data");
            p.cmd("HGET").arg(inst.keys.job(id)).arg("status");
        }
        let v: Vec<Value> = inst.query(&p).await?;
        for (i, id) in batch.iter().enumerate() {
            let corrupt =
                wrong.check(&inst.keys.job(id), KeyType::Hash, v.get(i * 2..i * 2 + 2).unwrap_or(&[]));
            let loadable = corrupt || v.get(i * 2).map_or(0, value::int) > 0;
            let status = v.get(i * 2 + 1).and_then(value::string).unwrap_or_default();
            out.insert((*id).clone(), loadable.then_some(status));
        }
    }
    Ok(out)
}

/// Read many sets, [`LINK_BATCH`] per round trip; one of another type reads as empty (and is
/// noted in `wrong`).
async fn members(inst: &Instance, keys: &[String], wrong: &mut Suspects) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::with_capacity(keys.len());
    for batch in keys.chunks(LINK_BATCH) {
        let mut p = redis::pipe();
        p.ignore_errors();
        for key in batch {
            p.cmd("SMEMBERS").arg(key);
        }
        let v: Vec<Value> = inst.query(&p).await?;
        for (i, key) in batch.iter().enumerate() {
            wrong.check(key, KeyType::Set, v.get(i..=i).unwrap_or(&[]));
        }
        out.extend(batch.iter().enumerate().map(|(i, _)| v.get(i).map(value::strings).unwrap_or_default()));
    }
    Ok(out)
}

/// `dangling_dependent`: members of `rq:job:<id>:dependents` that RQ cannot load.
pub(super) async fn dependents(inst: &Instance, acc: &mut Acc) -> Result<()> {
    let parents = std::mem::take(&mut acc.parents);
    let keys: Vec<String> = parents.iter().map(|(_, id)| inst.keys.dependents(id)).collect();
    let sets = members(inst, &keys, &mut acc.wrong).await?;
    let children: BTreeSet<String> = sets.iter().flatten().cloned().collect();
    let status = statuses(inst, &children, &mut acc.wrong).await?;
    for (((queue, parent), key), kids) in parents.iter().zip(&keys).zip(&sets) {
        let place = Place { queue: Some(queue.clone()), ..Place::default() };
        for kid in kids.iter().filter(|c| matches!(status.get(*c), Some(None))) {
            acc.note(
                Check::DanglingDependent,
                &place,
                format!("{parent} -> {kid}"),
                Some((key.clone(), kid.clone())),
            );
        }
    }
    Ok(())
}

/// `stuck_deferred`, `deferred_parents_gone`, `dangling_dependency`: the parents of each deferred
/// job, from its `::dependencies` set and its `dependency_ids` field together.
pub(super) async fn deferred(inst: &Instance, acc: &mut Acc) -> Result<()> {
    let deferred = std::mem::take(&mut acc.deferred);
    let keys: Vec<String> = deferred.iter().map(|(_, id, _)| inst.keys.dependencies(id)).collect();
    let sets = members(inst, &keys, &mut acc.wrong).await?;
    let parents_of: Vec<BTreeSet<String>> = deferred
        .iter()
        .zip(&sets)
        .map(|((_, _, ids), set)| {
            let from_field: Vec<String> =
                ids.as_deref().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_default();
            set.iter().cloned().chain(from_field).collect()
        })
        .collect();
    let all: BTreeSet<String> = parents_of.iter().flatten().cloned().collect();
    let status = statuses(inst, &all, &mut acc.wrong).await?;
    for ((((queue, id, _), key), set), parents) in deferred.iter().zip(&keys).zip(&sets).zip(&parents_of) {
        let place = Place { queue: Some(queue.clone()), ..Place::default() };
        let gone: Vec<&String> =
            parents.iter().filter(|p| matches!(status.get(*p), Some(None) | None)).collect();
        let pending = parents.iter().any(|p| matches!(status.get(p), Some(Some(s)) if s != "finished"));
        if parents.is_empty() {
            acc.note(Check::DeferredParentsGone, &place, format!("{id} (names no parent)"), None);
        } else if !pending && gone.is_empty() {
            acc.note(
                Check::StuckDeferred,
                &place,
                format!("{id} (all parents finished)"),
                Some((queue.clone(), id.clone())),
            );
        } else if !pending {
            let example = format!("{id} (parent {} gone)", gone.first().map_or("", |s| s.as_str()));
            acc.note(Check::DeferredParentsGone, &place, example, None);
        } else {
            // Only set members can be removed; a parent named by `dependency_ids` alone stays.
            for p in gone.into_iter().filter(|p| set.contains(*p)) {
                acc.note(
                    Check::DanglingDependency,
                    &place,
                    format!("{id} -> {p}"),
                    Some((key.clone(), p.clone())),
                );
            }
        }
    }
    Ok(())
}
