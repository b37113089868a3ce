//! One queue without the others (its counts for a queue page, whether it exists) and the lists
//! of queue names: each one round trip, whatever the number of queues.

use super::{Counts, queue_names};
use crate::rq::key_type::WrongType;
use crate::rq::{Keys, State};
use crate::store::key_type::Suspects;
use crate::store::{Instance, Result, census, value};

/// The state whose list or registry of queue `q` is `key`, if it is one.
pub fn state_of(keys: &Keys, q: &str, key: &str) -> Option<State> {
    State::ALL.into_iter().find(|s| keys.state_key(*s, q) == key)
}

/// One queue's counts, the suspension flag and its keys of the wrong type, in one round trip
/// (a second only when some key is of the wrong type): a queue page must not pay for reading
/// every queue.
pub async fn queue_counts(inst: &Instance, q: &str) -> Result<(Counts, bool, Vec<WrongType>)> {
    let k = &inst.keys;
    let now = census::now();
    let mut p = redis::pipe();
    p.ignore_errors();
    let mut lens = Vec::with_capacity(State::ALL.len());
    for s in State::ALL {
        lens.push(census::push_count(&mut p, s, &k.state_key(s, q), now));
    }
    p.cmd("EXISTS").arg(k.suspended());
    p.cmd("SMEMBERS").arg(k.rl_keys());
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut counts = Counts::default();
    let mut suspects = Suspects::default();
    let mut at = 0;
    for (s, n) in State::ALL.into_iter().zip(lens) {
        let replies = v.get(at..at + n).unwrap_or(&[]);
        suspects.check(&k.state_key(s, q), s.key_type(), replies);
        counts.read(s, replies);
        at += n;
    }
    let suspended = v.get(at).map_or(0, value::int) > 0;
    let rl_keys = v.get(at + 1).map(value::strings).unwrap_or_default();
    if !rl_keys.is_empty() {
        let rl = crate::store::rate_limits::from_names(inst, rl_keys, Suspects::default()).await?;
        counts.held = rl.held_in(q);
    }
    Ok((counts, suspended, suspects.name(inst).await?))
}

/// The queue names `rq:queues` lists (sorted; none when it is not a set).
pub async fn registered(inst: &Instance) -> Result<Vec<String>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(inst.keys.queues());
    let (v,): (redis::Value,) = inst.query(&p).await?;
    Ok(queue_names(&inst.keys, &value::strings(&v)))
}

/// Every queue name (sorted; unregistered ones found by [`super::discover`] included) and the
/// suspension flag, in one round trip.
pub async fn queue_list(inst: &Instance) -> Result<(Vec<String>, bool)> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(k.queues()).cmd("EXISTS").arg(k.suspended());
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let members = v.first().map(value::strings).unwrap_or_default();
    let mut names = queue_names(k, &members);
    names.extend(inst.discovered.names());
    names.sort();
    names.dedup();
    Ok((names, v.get(1).map_or(0, value::int) > 0))
}

/// Whether a queue is known: a member of `rq:queues`, or holding anything in its list or one of
/// its registries (RQ's `FailedJobRegistry('q')` works on a queue `rq:queues` forgot).
pub async fn queue_exists(inst: &Instance, q: &str) -> Result<bool> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SISMEMBER").arg(k.queues()).arg(k.queue(q));
    let exists = p.cmd("EXISTS");
    for s in State::ALL {
        exists.arg(k.state_key(s, q));
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    Ok(v.iter().any(|x| value::int(x) > 0))
}
