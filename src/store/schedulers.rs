//! The schedulers page: cron schedulers and their jobs with recent enqueues, and per queue the
//! scheduler lock and the overdue scheduled jobs. Four bounded round trips, reads only (RQ's
//! own `CronScheduler.all()` cleans the registry up; this never does).

mod alerts;

pub use alerts::{Alerts, alerts};

use serde::Serialize;

use super::key_type::Suspects;
use super::{Instance, Result, overview, value};
use crate::rq::cron::{CronRun, CronScheduler};
use crate::rq::key_type::{KeyType, WrongType};
use crate::rq::scheduler::{self, QueueScheduler, QueueScheduling};
use crate::rq::time;

/// Recent enqueues shown per cron job.
pub const RECENT: isize = 10;
/// Cron schedulers and cron job names read at most (RQ keeps one entry per process / job).
const MAX_ENTRIES: isize = 1000;

/// Everything the schedulers page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Schedulers {
    /// Unix seconds the page was judged at.
    pub now: f64,
    pub cron_schedulers: Vec<CronScheduler>,
    /// `rq:cron_jobs` (2.12+): every cron job name with its last enqueue, newest first.
    pub cron_job_names: Vec<CronJobName>,
    pub queues: Vec<QueueScheduling>,
    /// Cron schedulers whose heartbeat is older than their TTL.
    pub stale_cron_schedulers: usize,
    /// Queues whose scheduled jobs are overdue past the grace period with no scheduler.
    pub overdue_alerts: Vec<String>,
    pub corrupt: Vec<WrongType>,
}

/// One entry of `rq:cron_jobs`.
#[derive(Debug, Clone, Serialize)]
pub struct CronJobName {
    pub name: String,
    pub last_enqueue: Option<String>,
}

/// Read the schedulers page of one instance.
pub async fn schedulers(inst: &Instance) -> Result<Schedulers> {
    let k = &inst.keys;
    let now = time::now_epoch();
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("ZRANGE").arg(k.cron_schedulers()).arg(0).arg(MAX_ENTRIES - 1).arg("WITHSCORES");
    p.cmd("ZREVRANGE").arg(k.cron_jobs()).arg(0).arg(MAX_ENTRIES - 1).arg("WITHSCORES");
    p.cmd("SMEMBERS").arg(k.queues());
    let head: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    suspects.check(&k.cron_schedulers(), KeyType::Zset, head.get(..1).unwrap_or(&[]));
    suspects.check(&k.cron_jobs(), KeyType::Zset, head.get(1..2).unwrap_or(&[]));
    suspects.check(&k.queues(), KeyType::Set, head.get(2..3).unwrap_or(&[]));
    let sched = head.first().map(value::scored).unwrap_or_default();
    let names = head.get(1).map(value::scored).unwrap_or_default();
    let mut queues = overview::queue_names(k, &head.get(2).map(value::strings).unwrap_or_default());
    queues.extend(inst.discovered.names());
    queues.sort();
    queues.dedup();

    // Round trip 2: scheduler hashes, and per queue its lock and scheduled registry.
    let mut p = redis::pipe();
    p.ignore_errors();
    for (name, _) in &sched {
        p.cmd("HGETALL").arg(k.cron_scheduler(name));
    }
    for q in &queues {
        let reg = k.state_key(crate::rq::State::Scheduled, q);
        p.cmd("GET").arg(k.scheduler_lock(q)).cmd("TTL").arg(k.scheduler_lock(q));
        p.cmd("ZCARD").arg(&reg).cmd("ZCOUNT").arg(&reg).arg("-inf").arg(now);
        p.cmd("ZRANGE").arg(&reg).arg(0).arg(0).arg("WITHSCORES");
    }
    let v: Vec<redis::Value> =
        if sched.is_empty() && queues.is_empty() { Vec::new() } else { inst.query(&p).await? };
    let mut cron: Vec<CronScheduler> = Vec::new();
    for (i, (name, score)) in sched.iter().enumerate() {
        let r = v.get(i..=i).unwrap_or(&[]);
        suspects.check(&k.cron_scheduler(name), KeyType::Hash, r);
        let fields = r.first().map(value::pairs).unwrap_or_default();
        cron.push(CronScheduler::from_hash(name, *score, &fields, now));
    }
    let mut qs: Vec<QueueScheduling> = Vec::new();
    for (i, q) in queues.iter().enumerate() {
        let r = v.get(sched.len() + i * 5..sched.len() + i * 5 + 5).unwrap_or(&[]);
        suspects.check(&k.scheduler_lock(q), KeyType::String, r.get(..1).unwrap_or(&[]));
        suspects.check(
            &k.state_key(crate::rq::State::Scheduled, q),
            KeyType::Zset,
            r.get(2..).unwrap_or(&[]),
        );
        let lock = r.first().and_then(value::string);
        let oldest = r.get(4).map(value::scored).unwrap_or_default().first().and_then(|(_, s)| *s);
        let (ttl, card, due) =
            (r.get(1).map_or(-2, value::int), r.get(2).map_or(0, value::int), r.get(3).map_or(0, value::int));
        qs.push(QueueScheduling::new(q, lock, ttl, card, due, oldest, now));
    }

    // Round trip 3: each cron job's recent history, and the lock holders' identities (2.10+).
    let jobs: Vec<String> = unique(cron.iter().flat_map(|s| s.jobs.iter().map(|j| j.name.clone())));
    let holders: Vec<String> =
        unique(qs.iter().filter_map(|q| q.lock.clone()).filter(|l| scheduler::lock_names_scheduler(l)));
    let mut p = redis::pipe();
    p.ignore_errors();
    for j in &jobs {
        p.cmd("ZREVRANGE").arg(k.cron_job_history(j)).arg(0).arg(RECENT - 1).arg("WITHSCORES");
        p.cmd("ZCARD").arg(k.cron_job_history(j));
    }
    for h in &holders {
        p.cmd("HGETALL").arg(k.scheduler(h));
    }
    let v: Vec<redis::Value> =
        if jobs.is_empty() && holders.is_empty() { Vec::new() } else { inst.query(&p).await? };
    let mut history: Vec<(Scored, i64)> = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        let r = v.get(i * 2..i * 2 + 2).unwrap_or(&[]);
        suspects.check(&k.cron_job_history(j), KeyType::Zset, r);
        history.push((r.first().map(value::scored).unwrap_or_default(), r.get(1).map_or(0, value::int)));
    }
    for (i, h) in holders.iter().enumerate() {
        let fields = v.get(jobs.len() * 2 + i).map(value::pairs).unwrap_or_default();
        let holder = QueueScheduler::from_hash(h, &fields);
        for q in qs.iter_mut().filter(|q| q.lock.as_deref() == Some(h)) {
            q.holder.clone_from(&holder);
        }
    }

    // Round trip 4: the status of every job listed as a recent enqueue.
    let ids: Vec<String> = unique(history.iter().flat_map(|(h, _)| h.iter().map(|(id, _)| id.clone())));
    let mut p = redis::pipe();
    p.ignore_errors();
    for id in &ids {
        p.cmd("HGET").arg(k.job(id)).arg("status");
    }
    let st: Vec<redis::Value> = if ids.is_empty() { Vec::new() } else { inst.query(&p).await? };
    let status = |id: &str| ids.iter().position(|x| x == id).and_then(|i| st.get(i)).and_then(value::string);
    for s in &mut cron {
        for j in &mut s.jobs {
            if let Some(i) = jobs.iter().position(|n| *n == j.name)
                && let Some((h, total)) = history.get(i)
            {
                j.history_total = *total;
                j.recent = h
                    .iter()
                    .map(|(id, at)| CronRun {
                        id: id.clone(),
                        enqueued_at: at.and_then(time::from_epoch),
                        status: status(id),
                    })
                    .collect();
            }
        }
    }
    Ok(Schedulers {
        now,
        stale_cron_schedulers: cron.iter().filter(|s| s.stale).count(),
        overdue_alerts: qs.iter().filter(|q| q.alert).map(|q| q.queue.clone()).collect(),
        cron_job_names: names
            .into_iter()
            .map(|(name, s)| CronJobName { name, last_enqueue: s.and_then(time::from_epoch) })
            .collect(),
        cron_schedulers: cron,
        queues: qs,
        corrupt: suspects.name(inst).await?,
    })
}

/// `ZRANGE ... WITHSCORES` members with their scores.
type Scored = Vec<(String, Option<f64>)>;

fn unique(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = it.collect();
    v.sort();
    v.dedup();
    v
}
