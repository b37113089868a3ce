//! Finished and failed jobs per minute, read from the registries and the jobs' `ended_at`.
//!
//! Three pipelined round trips per tick at most: the planned registry windows (plus counts of
//! the members kept forever, scored `+inf` or negative), the [`ended`] reads of every member not
//! known yet, and, only when a window hit its limit, `ZCOUNT`s for the minutes it could not
//! reach. Empty registries cost nothing and count zero.
//!
//! A member an earlier good tick read is not read again ([`Seen`]): one that ended before the
//! lookback needs only its end time (window coverage, ttl learning), one inside it is counted
//! from the record that tick kept; nor is a member past its expiry whose job hash was gone
//! (RQ's cleanup has yet to drop it). So a job is read once by a running sampler. Without this,
//! every small registry was read whole every tick: each finished job about `result_ttl / period`
//! times (8 at RQ's defaults), each failed job every tick for as long as it stayed, and, with
//! only the end times remembered, each job by the 2 or 3 ticks whose lookback held its end
//! (bench/sampler_results.md).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::buckets::{self, Kind, LIMIT, Read, Track};
use super::ended::{self, Ended};
use super::seen::{Known, Seen};
pub use super::seen::{Settled, fingerprint};
use crate::store::overview::QueueInfo;
use crate::store::{Instance, Result, value};

/// Jobs that ended per minute in one queue, for the minutes this tick could count.
#[derive(Debug, Clone, Default)]
pub struct QueueThroughput {
    pub finished: BTreeMap<i64, u64>,
    pub failed: BTreeMap<i64, u64>,
    /// Every member counted whose job hash still exists, with what [`ended`] reads of it: the
    /// first `fresh` read by this tick, then the records an earlier tick kept ([`Seen`]).
    pub ended: Vec<Ended>,
    /// The [`fingerprint`] of each of `ended`, in the same order.
    pub prints: Vec<u64>,
    /// How many of `ended` (the first) this tick read: only those are archived.
    pub fresh: usize,
    /// Every member read, with its end time: the next tick's [`Settled`].
    pub settled: Vec<(u64, f64)>,
}

impl QueueThroughput {
    /// The records this tick read (the archive's input: kept ones were archived when read).
    pub fn fresh(&self) -> &[Ended] {
        self.ended.get(..self.fresh).unwrap_or(&self.ended)
    }
}

/// What the sampler remembers per registry, keyed by (queue, registry).
pub type Tracks = HashMap<(String, Kind), Track>;

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
/// members `seen` knows are not read again.
pub async fn read(
    inst: &Instance,
    tracks: &mut Tracks,
    seen: &Seen,
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
    let looked_up: Vec<(u64, Known)> = members
        .iter()
        .map(|(pi, _, id, s)| {
            let (p, plan) = (fingerprint(id, *s), &plans[*pi]);
            (p, seen.known(p, &queues[plan.queue].name, plan.kind, from))
        })
        .collect();
    let unread: Vec<_> = members
        .iter()
        .zip(&looked_up)
        .filter(|(_, (_, k))| matches!(k, Known::Unread))
        .map(|(m, _)| m)
        .collect();
    let unread = unread.iter().map(|(pi, _, id, _)| (id.as_str(), plans[*pi].kind));
    let mut hashes = ended::read_all(inst, unread).await?.into_iter();

    let mut kept: Vec<Vec<(u64, Ended)>> = vec![Vec::new(); queues.len()];
    let mut pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); plans.len()];
    for ((pi, w, id, score), (print, known)) in members.iter().zip(&looked_up) {
        let (kind, q) = (plans[*pi].kind, plans[*pi].queue);
        let e = match known {
            Known::Settled(e) if *e == f64::NEG_INFINITY => {
                // Kept settled: each tick's map replaces the last, so a member not carried over
                // would be read again every other tick.
                out[q].settled.push((*print, *e));
                continue;
            }
            Known::Settled(e) => *e,
            Known::Kept(r) => {
                kept[q].push((*print, (*r).clone()));
                r.ended_at
            }
            Known::Unread => {
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
                out[q].prints.push(*print);
                e
            }
        };
        out[q].settled.push((*print, e));
        let r = &mut reads[*pi][*w];
        r.events.push(e);
        r.earliest = Some(r.earliest.map_or(e, |x| x.min(e)));
        pairs[*pi].push((*score, e));
    }
    // Only the fresh records are named from `data`: a kept one was when it was read.
    ended::name_from_data(inst, out.iter_mut().flat_map(|q| q.ended.iter_mut())).await?;
    for (t, k) in out.iter_mut().zip(kept) {
        t.fresh = t.ended.len();
        let (prints, records): (Vec<u64>, Vec<Ended>) = k.into_iter().unzip();
        t.prints.extend(prints);
        t.ended.extend(records);
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
