//! The two scheduler warnings shown where people look (overview, queue page, doctor, metrics):
//! scheduled jobs overdue past the grace period with no scheduler holding the queue's lock, and
//! cron schedulers whose heartbeat is older than their TTL. One round trip, three commands a queue.

use serde::Serialize;

use crate::rq::State;
use crate::rq::cron::CRON_SCHEDULER_TTL;
use crate::rq::scheduler::OVERDUE_GRACE_SECONDS;
use crate::rq::time;
use crate::store::{Instance, Result, value};

/// What is wrong with scheduling on one instance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Alerts {
    /// Cron schedulers with no heartbeat for longer than their TTL.
    pub stale_cron: Vec<String>,
    /// Cron schedulers with a fresh heartbeat.
    pub live_cron: Vec<String>,
    /// (queue, jobs overdue past the grace period) for queues with no scheduler lock.
    pub overdue: Vec<(String, i64)>,
    /// (queue, scheduled jobs whose time has passed), for every queue asked about.
    pub overdue_by_queue: Vec<(String, i64)>,
    /// `rq:cron_schedulers` or `rq:cron_jobs` exists: this RQ has `rq cron` (2.4+) in use.
    pub cron_present: bool,
}

impl Alerts {
    /// The banner text, if anything is wrong.
    pub fn banner(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.overdue.is_empty() {
            let qs: Vec<String> = self.overdue.iter().map(|(q, n)| format!("{q} ({n})")).collect();
            parts.push(format!(
                "Scheduled jobs are overdue by more than {} s and no scheduler holds the lock of: {}",
                OVERDUE_GRACE_SECONDS,
                qs.join(", ")
            ));
        }
        if !self.stale_cron.is_empty() {
            parts.push(format!(
                "Cron scheduler heartbeat older than its {CRON_SCHEDULER_TTL} s TTL: {}",
                self.stale_cron.join(", ")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(". "))
    }
}

/// Read the warnings for `queues` (names) of one instance.
pub async fn alerts(inst: &Instance, queues: &[String]) -> Result<Alerts> {
    let k = &inst.keys;
    let now = time::now_epoch();
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("ZRANGE").arg(k.cron_schedulers()).arg(0).arg(999).arg("WITHSCORES");
    p.cmd("EXISTS").arg(k.cron_jobs());
    for q in queues {
        p.cmd("EXISTS").arg(k.scheduler_lock(q));
        let reg = k.state_key(State::Scheduled, q);
        p.cmd("ZCOUNT").arg(&reg).arg("-inf").arg(now - OVERDUE_GRACE_SECONDS);
        p.cmd("ZCOUNT").arg(&reg).arg("-inf").arg(now);
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let sched = v.first().map(value::scored).unwrap_or_default();
    let mut a =
        Alerts { cron_present: !sched.is_empty() || v.get(1).map_or(0, value::int) > 0, ..Alerts::default() };
    for (name, score) in sched {
        if score.is_some_and(|s| now - s <= CRON_SCHEDULER_TTL as f64) {
            a.live_cron.push(name);
        } else {
            a.stale_cron.push(name);
        }
    }
    for (i, q) in queues.iter().enumerate() {
        let locked = v.get(2 + i * 3).map_or(0, value::int) > 0;
        let late = v.get(3 + i * 3).map_or(0, value::int);
        if !locked && late > 0 {
            a.overdue.push((q.clone(), late));
        }
        a.overdue_by_queue.push((q.clone(), v.get(4 + i * 3).map_or(0, value::int)));
    }
    Ok(a)
}
