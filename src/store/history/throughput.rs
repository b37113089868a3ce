//! Finished and failed jobs per minute, read from the registries and the jobs' `ended_at`.
//!
//! Three pipelined round trips per tick at most: the planned registry windows (plus counts of
//! the members kept forever, scored `+inf` or negative), `HMGET ended_at <ttl> status` of every
//! member read, and, only when a window hit its limit, `ZCOUNT`s for the minutes it could not
//! reach. Empty registries cost nothing and count zero.
//!
//! A member an earlier tick read is not read again once it ended before the lookback
//! ([`Settled`]): only its end time is needed then (window coverage, ttl learning), and it is
//! kept; nor is a member past its expiry whose job hash was gone (RQ's cleanup has yet to drop
//! it). So a job is read by the ticks whose lookback holds its end (2 or 3 at one a minute).
//! Without this, every small registry was read whole every tick: each finished job about
//! `result_ttl / period` times (8 at RQ's defaults) and each failed job every tick for as long
//! as it stayed (bench/sampler_results.md).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::buckets::{self, Kind, LIMIT, Read, Track};
use super::ended::{self, Ended};
use crate::store::overview::QueueInfo;
use crate::store::{Instance, Result, value};

/// Jobs that ended per minute in one queue, for the minutes this tick could count.
#[derive(Debug, Clone, Default)]
pub struct QueueThroughput {
    pub finished: BTreeMap<i64, u64>,
    pub failed: BTreeMap<i64, u64>,
    /// Every member read whose job hash still exists, with what [`ended`] reads of it.
    pub ended: Vec<Ended>,
    /// Every member read, with its end time: the next tick's [`Settled`].
    pub settled: Vec<(u64, f64)>,
}

/// End times of the members the previous tick saw, by [`fingerprint`] (`-inf`: expired and
/// gone). A tick reads again only those that ended inside its lookback: the others can add to
/// no minute it counts, and were archived when first read.
pub type Settled = HashMap<u64, f64>;

/// A registry member as (id, score): a job that ends again (requeued, failed anew) is rescored,
/// so it is a new member and read again.
pub fn fingerprint(id: &str, score: f64) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    score.to_bits().hash(&mut h);
    h.finish()
}

/// What the sampler remembers per registry, keyed by (queue, registry).
pub type Tracks = HashMap<(String, Kind), Track>;

/// Commands per pipeline when reading member hashes: bounds one reply's size.
const HASH_BATCH: usize = 3_000;

struct Plan {
    queue: usize,
    kind: Kind,
    discovery: bool,
    /// Index of this registry's first window reply, and how many it has.
    first: usize,
    windows: usize,
    /// Index of the first of its two replies counting the members kept forever.
    forever: usize,
}

/// Count jobs ended per minute from `from` to `now` in every queue, learning into `tracks`;
/// members in `settled` are not read again.
pub async fn read(
    inst: &Instance,
    tracks: &mut Tracks,
    settled: &Settled,
    queues: &[QueueInfo],
    from: i64,
    now: i64,
) -> Result<Vec<QueueThroughput>> {
    let k = &inst.keys;
    let mut out = vec![QueueThroughput::default(); queues.len()];
    let (p, plans) = plan(inst, tracks, queues, from, now, &mut out);
    if plans.is_empty() {
        return Ok(out);
    }
    let replies: Vec<redis::Value> = inst.query(&p).await?;
    let reply = |i: usize| replies.get(i).map(value::scored).unwrap_or_default();

    // Every member once per registry, in window order, so its end time lands in one window.
    let mut members: Vec<(usize, usize, String, f64)> = Vec::new(); // (plan, window, id, score)
    let mut reads: Vec<Vec<Read>> = Vec::with_capacity(plans.len());
    for (pi, plan) in plans.iter().enumerate() {
        let mut seen = HashSet::new();
        let mut windows = Vec::with_capacity(plan.windows);
        for w in 0..plan.windows {
            let got = reply(plan.first + w);
            windows.push(Read { saturated: got.len() >= LIMIT, ..Read::default() });
            for (id, score) in got {
                if let Some(s) = score.filter(|s| s.is_finite())
                    && seen.insert(id.clone())
                {
                    members.push((pi, w, id, s));
                }
            }
        }
        reads.push(windows);
    }
    // (A clock set back moves the lookback back: a settled member inside it is read again.)
    let prints: Vec<(u64, Option<f64>)> = members
        .iter()
        .map(|(_, _, id, s)| fingerprint(id, *s))
        .map(|p| (p, settled.get(&p).copied().filter(|e| *e < from as f64)))
        .collect();
    let unread: Vec<_> =
        members.iter().zip(&prints).filter(|(_, (_, e))| e.is_none()).map(|(m, _)| m).collect();
    let mut hashes = read_hashes(inst, &plans, &unread).await?.into_iter();

    let mut pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); plans.len()];
    for ((pi, w, id, score), (print, known)) in members.iter().zip(&prints) {
        let (kind, q) = (plans[*pi].kind, plans[*pi].queue);
        let e = match known {
            Some(e) if *e == f64::NEG_INFINITY => {
                // Kept settled: each tick's map replaces the last, so a member not carried over
                // would be read again every other tick.
                out[q].settled.push((*print, *e));
                continue;
            }
            Some(e) => *e,
            None => {
                let replies = hashes.next().unwrap_or_default();
                let h = replies.first().map(value::array).unwrap_or(&[]);
                let f = |i: usize| h.get(i).and_then(value::string);
                let Some(e) = buckets::ended(kind, *score, f(0).as_deref(), f(1).as_deref(), f(2).as_deref())
                else {
                    // Its hash is gone: never counted. Past its expiry (RQ's cleanup would drop
                    // it) it cannot come back, so it is not read again.
                    if *score < now as f64 {
                        out[q].settled.push((*print, f64::NEG_INFINITY));
                    }
                    continue;
                };
                out[q].ended.push(ended::build(&queues[q].name, id, kind, e, &replies));
                e
            }
        };
        out[q].settled.push((*print, e));
        let r = &mut reads[*pi][*w];
        r.events.push(e);
        r.earliest = Some(r.earliest.map_or(e, |x| x.min(e)));
        pairs[*pi].push((*score, e));
    }

    let mut fallback = redis::pipe();
    fallback.ignore_errors();
    let mut pending: Vec<(usize, i64)> = Vec::new(); // (plan, minute)
    for (pi, plan) in plans.iter().enumerate() {
        let q = &queues[plan.queue];
        let track = tracks.entry((q.name.clone(), plan.kind)).or_default();
        track.learn(plan.discovery, now, pairs[pi].iter().copied());
        let mut counted = buckets::count(&reads[pi], from, now);
        if let Some(t) = track.single_class() {
            // RQ scored these `int(end) + t`: a minute's jobs are one score range.
            let key = k.state_key(plan.kind.state(), &q.name);
            for m in std::mem::take(&mut counted.uncovered) {
                fallback.cmd("ZCOUNT").arg(&key).arg(m + t).arg(format!("({}", m + 60 + t));
                pending.push((pi, m));
            }
        }
        let kept = |i: usize| replies.get(i).map_or(0, value::int);
        let forever = track.forever_delta(kept(plan.forever) + kept(plan.forever + 1));
        if let (Some(d), Some(c)) = (forever, counted.minutes.get_mut(&super::layout::floor(now, 60))) {
            *c += d;
        }
        *slot(&mut out[plan.queue], plan.kind) = counted.minutes;
    }
    if !pending.is_empty() {
        let counts: Vec<redis::Value> = inst.query(&fallback).await?;
        for ((pi, m), v) in pending.iter().zip(&counts) {
            let plan = &plans[*pi];
            slot(&mut out[plan.queue], plan.kind).insert(*m, u64::try_from(value::int(v)).unwrap_or(0));
        }
    }
    ended::name_from_data(inst, out.iter_mut().flat_map(|q| q.ended.iter_mut())).await?;
    Ok(out)
}

/// The first pipeline: each non-empty registry's windows and its two counts of members kept
/// forever. Empty registries get their zero counts in `out` right away.
fn plan(
    inst: &Instance,
    tracks: &mut Tracks,
    queues: &[QueueInfo],
    from: i64,
    now: i64,
    out: &mut [QueueThroughput],
) -> (redis::Pipeline, Vec<Plan>) {
    let mut plans = Vec::new();
    let mut p = redis::pipe();
    p.ignore_errors();
    let mut n = 0;
    for (qi, q) in queues.iter().enumerate() {
        for kind in Kind::BOTH {
            let track = tracks.entry((q.name.clone(), kind)).or_default();
            let size = q.counts.get(kind.state());
            if size == 0 {
                track.forever_delta(0);
                *slot(&mut out[qi], kind) = buckets::count(&[], from, now).minutes;
                continue;
            }
            let key = inst.keys.state_key(kind.state(), &q.name);
            let (discovery, windows) = track.plan(size, from, now);
            for w in &windows {
                p.cmd("ZREVRANGEBYSCORE").arg(&key).arg(&w.max).arg(&w.min);
                p.arg("WITHSCORES").arg("LIMIT").arg(0).arg(LIMIT);
            }
            // Kept forever: `+inf` (BaseRegistry.add with ttl -1) or negative (FailedJobRegistry.add
            // stores a negative ttl as the score itself, so `failure_ttl=-1` scores -1).
            p.cmd("ZCOUNT").arg(&key).arg("+inf").arg("+inf");
            p.cmd("ZCOUNT").arg(&key).arg("-inf").arg("(0");
            let (first, windows) = (n, windows.len());
            plans.push(Plan { queue: qi, kind, discovery, first, windows, forever: first + windows });
            n += windows + 2;
        }
    }
    (p, plans)
}

fn slot(t: &mut QueueThroughput, kind: Kind) -> &mut BTreeMap<i64, u64> {
    match kind {
        Kind::Finished => &mut t.finished,
        Kind::Failed => &mut t.failed,
    }
}

/// The [`ended`] reads of every member (`HMGET rq:job:<id> ended_at <ttl field> status …`
/// first), in batches; one `Vec` of replies per member.
async fn read_hashes(
    inst: &Instance,
    plans: &[Plan],
    members: &[&(usize, usize, String, f64)],
) -> Result<Vec<Vec<redis::Value>>> {
    let mut out = Vec::with_capacity(members.len());
    for batch in members.chunks(HASH_BATCH) {
        let mut p = redis::pipe();
        p.ignore_errors();
        for (pi, _, id, _) in batch {
            ended::queue_reads(&mut p, inst, id, plans[*pi].kind.ttl_field());
        }
        let vals: Vec<redis::Value> = inst.query(&p).await?;
        // One entry per member even if a reply were short, so later members keep their pairing.
        out.extend((0..batch.len()).map(|i| {
            vals.get(i * ended::REPLIES..(i + 1) * ended::REPLIES).map(<[_]>::to_vec).unwrap_or_default()
        }));
    }
    Ok(out)
}
