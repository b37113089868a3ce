//! One list or registry walked by doctor in windows of [`CHUNK`] ids, each window's job fields
//! read in one pipeline and judged (missing, without data, status, expiry, links to follow).

use redis::Value;

use super::scan::{Acc, Place, Started};
use super::{CHUNK, Check};
use crate::rq::key_type::KeyType;
use crate::rq::registry::is_expired;
use crate::rq::{State, split_started_member};
use crate::store::{Instance, Result, value};

/// The hash fields one window reads per job (never `data` itself).
const FIELDS: [&str; 4] = ["status", "worker_name", "repeats_left", "dependency_ids"];

/// Whether a job with `status` belongs in `state`'s list or registry.
fn belongs(state: State, status: &str) -> bool {
    State::from_status(status) == Some(state)
}

/// Walk one list or registry, at most the `total` ids it held when the scan began.
pub(super) async fn walk(
    inst: &Instance,
    acc: &mut Acc,
    queue: &str,
    state: State,
    total: usize,
    now: i64,
) -> Result<()> {
    let key = inst.keys.state_key(state, queue);
    let place = Place { queue: Some(queue.to_owned()), state: Some(state), key: Some(key.clone()) };
    let mut start = 0usize;
    while start < total {
        let end = start + CHUNK.min(total - start) - 1;
        let mut p = redis::pipe();
        p.ignore_errors();
        if state == State::Queued {
            p.cmd("LRANGE").arg(&key).arg(start).arg(end);
        } else {
            p.cmd("ZRANGE").arg(&key).arg(start).arg(end).arg("WITHSCORES");
        }
        let (v,): (Value,) = inst.query(&p).await?;
        let members = if state == State::Queued {
            value::strings(&v).into_iter().map(|m| (m, None)).collect()
        } else {
            value::scored(&v)
        };
        if members.is_empty() {
            break;
        }
        start += members.len();
        examine(inst, acc, &place, &members, now).await?;
    }
    Ok(())
}

/// Read and judge one window of members.
async fn examine(
    inst: &Instance,
    acc: &mut Acc,
    place: &Place,
    members: &[(String, Option<f64>)],
    now: i64,
) -> Result<()> {
    let k = &inst.keys;
    let state = place.state.unwrap_or(State::Queued);
    let ids: Vec<&str> = members
        .iter()
        .map(|(m, _)| if state == State::Started { split_started_member(m).0 } else { m.as_str() })
        .collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    for id in &ids {
        p.cmd("EXISTS").arg(k.job(id));
        p.cmd("HEXISTS").arg(k.job(id)).arg("data");
        p.cmd("HMGET").arg(k.job(id)).arg(&FIELDS[..]);
        p.cmd("SCARD").arg(k.dependents(id));
    }
    let vals: Vec<Value> = inst.query(&p).await?;
    acc.ids_examined += ids.len() as u64;
    for (i, (id, (_, score))) in ids.iter().zip(members).enumerate() {
        let c = vals.get(i * 4..i * 4 + 4).unwrap_or(&[]);
        let at = |j: usize| c.get(j).map_or(0, value::int);
        acc.wrong.check(&k.dependents(id), KeyType::Set, c.get(3..4).unwrap_or(&[]));
        if acc.wrong.check(&k.job(id), KeyType::Hash, c.get(1..3).unwrap_or(&[])) {
            continue;
        }
        // Past expiry: RQ's cleanup drops these (a started one only after failing its job,
        // so a loadable started job stays with the abandoned check).
        let expired = state.expires() && score.is_some_and(|s| is_expired(s, now));
        if expired && (state != State::Started || at(0) == 0 || at(1) == 0) {
            acc.note(Check::ExpiredEntry, place, (*id).to_owned(), None);
            continue;
        }
        if at(0) == 0 {
            acc.note(Check::MissingJob, place, (*id).to_owned(), None);
            continue;
        }
        if at(1) == 0 {
            acc.note(Check::JobWithoutData, place, (*id).to_owned(), None);
            continue;
        }
        let f: Vec<Option<String>> =
            c.get(2).map(value::array).unwrap_or(&[]).iter().map(value::string).collect();
        let field = |j: usize| f.get(j).cloned().flatten();
        let status = field(0).unwrap_or_default();
        if !belongs(state, &status) {
            // RQ 2.3+ Repeat: the finished entry stays while the next run is scheduled or queued.
            if !(state == State::Finished && field(2).is_some()) {
                let shown = if status.is_empty() { "none" } else { status.as_str() };
                acc.note(Check::StatusMismatch, place, format!("{id} (status {shown})"), None);
            }
        } else if state == State::Started {
            let worker = field(1).unwrap_or_default();
            acc.started.push(Started { place: place.clone(), id: (*id).to_owned(), worker, score: *score });
        } else if state == State::Deferred {
            acc.deferred.push((place.queue.clone().unwrap_or_default(), (*id).to_owned(), field(3)));
        }
        if at(3) > 0 && acc.seen_parents.insert((*id).to_owned()) {
            acc.parents.push((place.queue.clone().unwrap_or_default(), (*id).to_owned()));
        }
    }
    Ok(())
}
