//! The all-queues overview: every queue's counts, workers and oldest job in one pipelined round trip.

use serde::Serialize;

use super::{Instance, Result, value};
use crate::rq::{Keys, State, time};

/// Job counts of one queue, per state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub queued: i64,
    pub started: i64,
    pub finished: i64,
    pub failed: i64,
    pub deferred: i64,
    pub scheduled: i64,
    pub canceled: i64,
    /// RQ 3.0's transient ready registry (0 elsewhere).
    pub ready: i64,
}

impl Counts {
    /// The count of one state.
    pub fn get(&self, s: State) -> i64 {
        match s {
            State::Queued => self.queued,
            State::Started => self.started,
            State::Finished => self.finished,
            State::Failed => self.failed,
            State::Deferred => self.deferred,
            State::Scheduled => self.scheduled,
            State::Canceled => self.canceled,
            State::Ready => self.ready,
        }
    }

    fn set(&mut self, s: State, n: i64) {
        *match s {
            State::Queued => &mut self.queued,
            State::Started => &mut self.started,
            State::Finished => &mut self.finished,
            State::Failed => &mut self.failed,
            State::Deferred => &mut self.deferred,
            State::Scheduled => &mut self.scheduled,
            State::Canceled => &mut self.canceled,
            State::Ready => &mut self.ready,
        } = n;
    }

    /// Add another queue's counts (for totals).
    pub fn add(&mut self, o: &Counts) {
        for s in State::ALL {
            self.set(s, self.get(s) + o.get(s));
        }
    }
}

/// One queue of the overview.
#[derive(Debug, Clone, Serialize)]
pub struct QueueInfo {
    pub name: String,
    pub counts: Counts,
    /// Workers listening on the queue (`rq:workers:<q>`, stale members included).
    pub workers: i64,
    /// `enqueued_at` of the job at the head of the queue.
    pub oldest_enqueued_at: Option<String>,
}

/// Everything the overview needs.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub queues: Vec<QueueInfo>,
    pub totals: Counts,
    pub workers: i64,
    pub suspended: bool,
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

/// Read the overview: round trip 1 lists the queues; then, for every batch of [`BATCH`] queues
/// at once, one pipeline counts them (and reads each queue's head id) and a second reads those
/// heads' `enqueued_at`. Plain commands only: a per-queue EVAL was measured at 3–70 µs of
/// Redis time each, LLEN/ZCARD at 0.3–1.
pub async fn overview(inst: &Instance) -> Result<Overview> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.cmd("SMEMBERS").arg(k.queues()).cmd("SCARD").arg(k.workers()).cmd("EXISTS").arg(k.suspended());
    let head: Vec<redis::Value> = inst.query(&p).await?;
    let members = head.first().map(value::strings).unwrap_or_default();
    let names = queue_names(k, &members);
    let batches = futures_util::future::try_join_all(names.chunks(BATCH).map(|b| batch(inst, b))).await?;
    let queues: Vec<QueueInfo> = batches.into_iter().flatten().collect();
    let mut totals = Counts::default();
    for q in &queues {
        totals.add(&q.counts);
    }
    Ok(Overview {
        queues,
        totals,
        workers: head.get(1).map_or(0, value::int),
        suspended: head.get(2).map_or(0, value::int) > 0,
    })
}

/// Counts, workers and oldest job of some queues, in two round trips.
async fn batch(inst: &Instance, names: &[String]) -> Result<Vec<QueueInfo>> {
    let k = &inst.keys;
    // RQ 3.0's `ready` registry is transient and nearly always absent: one EXISTS over all of
    // them replaces a ZCARD per queue, and they are counted (round trip 2) only when some exist.
    let counted: Vec<State> = State::ALL.into_iter().filter(|s| *s != State::Ready).collect();
    let per_queue = counted.len() + 2;
    let mut p = redis::Pipeline::with_capacity(names.len() * per_queue + 1);
    p.ignore_errors();
    for q in names {
        for s in &counted {
            let cmd = if *s == State::Queued { "LLEN" } else { "ZCARD" };
            p.cmd(cmd).arg(k.state_key(*s, q));
        }
        p.cmd("SCARD").arg(k.queue_workers(q));
        p.cmd("LINDEX").arg(k.queue(q)).arg(0);
    }
    let exists = p.cmd("EXISTS");
    for q in names {
        exists.arg(k.state_key(State::Ready, q));
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let any_ready = vals.get(names.len() * per_queue).map_or(0, value::int) > 0;
    let heads: Vec<Option<String>> = (0..names.len())
        .map(|i| vals.get(i * per_queue + counted.len() + 1).and_then(value::string))
        .collect();
    let mut p = redis::pipe();
    p.ignore_errors();
    for h in heads.iter().flatten() {
        p.cmd("HGET").arg(k.job(h)).arg("enqueued_at");
    }
    if any_ready {
        for q in names {
            p.cmd("ZCARD").arg(k.state_key(State::Ready, q));
        }
    }
    let second: Vec<redis::Value> =
        if heads.iter().any(Option::is_some) || any_ready { inst.query(&p).await? } else { Vec::new() };
    let n_heads = heads.iter().flatten().count();
    let mut oldest = second.iter().take(n_heads);
    let mut queues = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let row = vals.get(i * per_queue..(i + 1) * per_queue).unwrap_or(&[]);
        let mut counts = Counts::default();
        for (j, s) in counted.iter().enumerate() {
            counts.set(*s, row.get(j).map_or(0, value::int));
        }
        if any_ready {
            counts.set(State::Ready, second.get(n_heads + i).map_or(0, value::int));
        }
        queues.push(QueueInfo {
            name: name.clone(),
            counts,
            workers: row.get(counted.len()).map_or(0, value::int),
            oldest_enqueued_at: match heads.get(i) {
                Some(Some(_)) => oldest.next().and_then(value::string).and_then(|s| time::normalize(&s)),
                _ => None,
            },
        });
    }
    Ok(queues)
}

/// One queue's counts and the suspension flag, in one round trip (a queue page must not pay
/// for reading every queue).
pub async fn queue_counts(inst: &Instance, q: &str) -> Result<(Counts, bool)> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for s in State::ALL {
        let cmd = if s == State::Queued { "LLEN" } else { "ZCARD" };
        p.cmd(cmd).arg(k.state_key(s, q));
    }
    p.cmd("EXISTS").arg(k.suspended());
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut counts = Counts::default();
    for (j, s) in State::ALL.into_iter().enumerate() {
        counts.set(s, v.get(j).map_or(0, value::int));
    }
    Ok((counts, v.get(State::ALL.len()).map_or(0, value::int) > 0))
}

/// Every queue name (sorted) and the suspension flag, in one round trip.
pub async fn queue_list(inst: &Instance) -> Result<(Vec<String>, bool)> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.cmd("SMEMBERS").arg(k.queues()).cmd("EXISTS").arg(k.suspended());
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let members = v.first().map(value::strings).unwrap_or_default();
    Ok((queue_names(k, &members), v.get(1).map_or(0, value::int) > 0))
}

/// Whether a queue is known: a member of `rq:queues`.
pub async fn queue_exists(inst: &Instance, q: &str) -> Result<bool> {
    let mut p = redis::pipe();
    p.cmd("SISMEMBER").arg(inst.keys.queues()).arg(inst.keys.queue(q));
    let (n,): (i64,) = inst.query(&p).await?;
    Ok(n > 0)
}
