//! The all-queues overview: every queue's counts, workers and oldest job in one pipelined round trip.
//!
//! Counts are what RQ's own API reports (`registry.count` runs RQ's cleanup first): entries
//! RQ's cleanup would drop are counted apart, in [`Counts::expired`] (see [`super::census`]).

use serde::Serialize;

mod counts;
mod one;

pub use counts::{Counts, Expired};
pub use one::{queue_counts, queue_exists, queue_list, registered, state_of};

use super::key_type::Suspects;
use super::{Instance, Result, census, value};
use crate::rq::key_type::{KeyType, WrongType};
use crate::rq::{Keys, State, time};

/// One queue of the overview.
#[derive(Debug, Clone, Serialize)]
pub struct QueueInfo {
    pub name: String,
    pub counts: Counts,
    /// Workers listening on the queue (`rq:workers:<q>`, stale members included).
    pub workers: i64,
    /// `enqueued_at` of the oldest job in the queue that still exists (ids without a job
    /// hash at the head are skipped).
    pub oldest_enqueued_at: Option<String>,
    /// Whether `rq:queues` lists it; false for queues found by [`super::discover`] (deleted
    /// with RQ's `Queue.delete()`, whose registries RQ leaves, or filled by another tool).
    pub registered: bool,
    /// Its list, registries or workers set holding another type than RQ keeps there: read as
    /// empty, shown with a warning.
    pub corrupt: Vec<WrongType>,
}

/// Everything the overview needs.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub queues: Vec<QueueInfo>,
    pub totals: Counts,
    pub workers: i64,
    pub suspended: bool,
    /// `rq:queues` or `rq:workers` holding another type than a set (read as empty: the queues
    /// listed are then the ones found by the background scan).
    pub corrupt: Vec<WrongType>,
}

/// Queue names from the members of `rq:queues` (full keys), sorted, foreign members skipped.
pub fn queue_names(keys: &Keys, members: &[String]) -> Vec<String> {
    let ns = keys.queue_ns();
    let mut names: Vec<String> =
        members.iter().filter_map(|m| Keys::strip(&ns, m)).map(str::to_owned).collect();
    names.sort();
    names.dedup();
    names
}

/// Queues per pipeline in [`overview`]. Batches are sent together on the multiplexed
/// connection, so Redis works on one batch while rqdash builds the next and decodes the last:
/// a single 10,000-command pipeline kept the two apart (build, then wait, then decode).
const BATCH: usize = 100;

/// How far into a queue the oldest existing job is looked for when ids without a job hash
/// sit at its head.
const HEAD_SCAN: i64 = 100;

/// Read the overview: round trip 1 lists the queues; then, for every batch of [`BATCH`] queues
/// at once, one pipeline counts them (and reads each queue's head id) and a second reads those
/// heads' `enqueued_at`. Plain commands only: a per-queue EVAL was measured at 3–70 µs of
/// Redis time each, LLEN/ZCARD/ZCOUNT at 0.3–1.5. Queues found by [`super::discover`] are
/// listed after the registered ones' counts are read the same way.
pub async fn overview(inst: &Instance) -> Result<Overview> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(k.queues()).cmd("SCARD").arg(k.workers()).cmd("EXISTS").arg(k.suspended());
    p.cmd("SMEMBERS").arg(k.rl_keys());
    let head: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    suspects.check(&k.queues(), KeyType::Set, head.get(..1).unwrap_or(&[]));
    suspects.check(&k.workers(), KeyType::Set, head.get(1..2).unwrap_or(&[]));
    let corrupt = suspects.name(inst).await?;
    let members = head.first().map(value::strings).unwrap_or_default();
    let mut names: Vec<(String, bool)> = queue_names(k, &members).into_iter().map(|n| (n, true)).collect();
    let extra: Vec<String> = inst
        .discovered
        .names()
        .into_iter()
        .filter(|d| names.binary_search(&(d.clone(), true)).is_err())
        .collect();
    names.extend(extra.into_iter().map(|n| (n, false)));
    names.sort();
    let now = census::now();
    let batches =
        futures_util::future::try_join_all(names.chunks(BATCH).map(|b| batch(inst, b, now))).await?;
    // An unregistered queue whose jobs are all gone since the last discovery pass is not shown.
    let mut queues: Vec<QueueInfo> =
        batches.into_iter().flatten().filter(|q| q.registered || q.counts.any()).collect();
    let mut totals = Counts::default();
    for q in &queues {
        totals.add(&q.counts);
    }
    // RQ 3.0's held jobs: counted per queue from the limiter's sets (two more round trips,
    // only when `rq:rl-keys` lists keys); the total is every held id, orphans included.
    let rl_keys = head.get(3).map(value::strings).unwrap_or_default();
    if !rl_keys.is_empty() {
        let rl = super::rate_limits::from_names(inst, rl_keys, Suspects::default()).await?;
        for q in &mut queues {
            q.counts.held = rl.held_in(&q.name);
        }
        totals.held = rl.held;
    }
    Ok(Overview {
        queues,
        totals,
        workers: head.get(1).map_or(0, value::int),
        suspended: head.get(2).map_or(0, value::int) > 0,
        corrupt,
    })
}

/// Counts, workers and oldest job of some queues, in two round trips (three when ids without
/// a job hash sit at the head of a queue).
async fn batch(inst: &Instance, names: &[(String, bool)], now: i64) -> Result<Vec<QueueInfo>> {
    let k = &inst.keys;
    // RQ 3.0's `ready` registry is transient and nearly always absent: one EXISTS over all of
    // them replaces a ZCARD per queue, and they are counted (round trip 2) only when some exist.
    let counted: Vec<State> = State::ALL.into_iter().filter(|s| *s != State::Ready).collect();
    let per_queue: usize = counted.iter().map(|s| census::count_len(*s)).sum::<usize>() + 2;
    let mut p = redis::Pipeline::with_capacity(names.len() * per_queue + 1);
    p.ignore_errors();
    for (q, _) in names {
        for s in &counted {
            census::push_count(&mut p, *s, &k.state_key(*s, q), now);
        }
        p.cmd("SCARD").arg(k.queue_workers(q));
        p.cmd("LINDEX").arg(k.queue(q)).arg(0);
    }
    let exists = p.cmd("EXISTS");
    for (q, _) in names {
        exists.arg(k.state_key(State::Ready, q));
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let any_ready = vals.get(names.len() * per_queue).map_or(0, value::int) > 0;
    let heads: Vec<Option<String>> =
        (0..names.len()).map(|i| vals.get((i + 1) * per_queue - 1).and_then(value::string)).collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    for h in heads.iter().flatten() {
        p.cmd("HGET").arg(k.job(h)).arg("enqueued_at");
    }
    if any_ready {
        for (q, _) in names {
            p.cmd("ZCARD").arg(k.state_key(State::Ready, q));
        }
    }
    let second: Vec<redis::Value> =
        if heads.iter().any(Option::is_some) || any_ready { inst.query(&p).await? } else { Vec::new() };
    let n_heads = heads.iter().flatten().count();
    let mut oldest = second.iter().take(n_heads);
    let mut queues = Vec::with_capacity(names.len());
    let mut suspects = Suspects::default();
    for (i, (name, registered)) in names.iter().enumerate() {
        let row = vals.get(i * per_queue..(i + 1) * per_queue).unwrap_or(&[]);
        let mut counts = Counts::default();
        let mut at = 0;
        for s in &counted {
            let n = census::count_len(*s);
            let replies = row.get(at..at + n).unwrap_or(&[]);
            suspects.check(&k.state_key(*s, name), s.key_type(), replies);
            counts.read(*s, replies);
            at += n;
        }
        suspects.check(&k.queue_workers(name), KeyType::Set, row.get(at..=at).unwrap_or(&[]));
        if any_ready {
            let ready = second.get(n_heads + i..=n_heads + i).unwrap_or(&[]);
            suspects.check(&k.state_key(State::Ready, name), KeyType::Zset, ready);
            counts.set(State::Ready, ready.first().map_or(0, value::int));
        }
        queues.push(QueueInfo {
            name: name.clone(),
            counts,
            workers: row.get(at).map_or(0, value::int),
            oldest_enqueued_at: match heads.get(i) {
                Some(Some(_)) => oldest.next().and_then(value::string).and_then(|s| time::normalize(&s)),
                _ => None,
            },
            registered: *registered,
            corrupt: Vec::new(),
        });
    }
    if !suspects.is_empty() {
        let named = suspects.name(inst).await?;
        for q in &mut queues {
            q.corrupt = named.iter().filter(|w| belongs_to(k, &q.name, &w.key)).cloned().collect();
        }
    }
    let orphan_heads: Vec<usize> = (0..queues.len())
        .filter(|i| {
            heads[*i].is_some() && queues[*i].oldest_enqueued_at.is_none() && queues[*i].counts.queued > 1
        })
        .collect();
    if !orphan_heads.is_empty() {
        oldest_behind_orphans(inst, &mut queues, &orphan_heads).await?;
    }
    Ok(queues)
}

/// Whether `key` is one of the keys of queue `q` the overview reads.
fn belongs_to(k: &Keys, q: &str, key: &str) -> bool {
    key == k.queue_workers(q) || state_of(k, q, key).is_some()
}

/// The oldest existing job of queues whose head id has no job hash: the next [`HEAD_SCAN`]
/// ids are read (one round trip) and their `enqueued_at` (another), the first found wins.
async fn oldest_behind_orphans(inst: &Instance, queues: &mut [QueueInfo], which: &[usize]) -> Result<()> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for i in which {
        p.cmd("LRANGE").arg(k.queue(&queues[*i].name)).arg(1).arg(HEAD_SCAN);
    }
    let lists: Vec<redis::Value> = inst.query(&p).await?;
    let ids: Vec<Vec<String>> = lists.iter().map(value::strings).collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    for id in ids.iter().flatten() {
        p.cmd("HGET").arg(k.job(id)).arg("enqueued_at");
    }
    let found: Vec<redis::Value> = inst.query(&p).await?;
    let mut found = found.iter();
    for (i, list) in which.iter().zip(&ids) {
        let mut first = None;
        for v in found.by_ref().take(list.len()) {
            if first.is_none() {
                first = value::string(v).and_then(|s| time::normalize(&s));
            }
        }
        queues[*i].oldest_enqueued_at = first;
    }
    Ok(())
}
