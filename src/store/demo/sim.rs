//! One tick of the demo: RQ's registry cleanup, the scheduler, a producer topping the queues
//! up, each simulated worker (finish the job whose time is up, take the next one, heartbeat),
//! and now and then a user canceling a queued job. The clock is a parameter: the seed replays
//! the last minutes with it, the live loop passes the real now.

use jiff::Timestamp;

use super::catalog::{self, EMAILS, REPORTS, Spec, TARGET};
use super::{Demo, SCRIPTS, a, encode};
use crate::rq::time;
use crate::store::{Result, value};

impl Demo {
    /// One tick at `t`; `replay` while the seed replays the past (stream ids follow the clock).
    pub(super) async fn tick(&mut self, t: Timestamp, step: f64, replay: bool) -> Result<()> {
        let queues: Vec<Vec<u8>> = self.queues.iter().map(a).collect();
        let mut maintain = vec![a(format!("{}", step.ceil() + 1.0))];
        maintain.extend(queues.iter().cloned());
        self.call(&SCRIPTS.maintain, t, &maintain).await?;
        let mut sched = vec![a(&self.scheduler.name), a("61"), a(super::workers::HOSTNAME)];
        sched.extend([a(&self.scheduler.pid), a(&self.scheduler.created_at)]);
        sched.extend(queues);
        self.call(&SCRIPTS.schedule, t, &sched).await?;
        self.produce(t, step).await?;
        for i in 0..self.workers.len() {
            self.step(i, t, replay).await?;
        }
        if self.rng.chance(step / 120.0) {
            self.cancel_one(t).await?;
        }
        Ok(())
    }

    /// Top the queues up, with an occasional burst, a scheduled reminder and a dependency chain.
    async fn produce(&mut self, t: Timestamp, step: f64) -> Result<()> {
        let inst = self.inst()?;
        let mut p = redis::pipe();
        for q in &self.queues {
            p.cmd("LLEN").arg(inst.keys.queue(q));
        }
        let lens: Vec<redis::Value> = inst.query(&p).await?;
        for (q, target) in TARGET.iter().enumerate() {
            let len = u64::try_from(lens.get(q).map_or(0, value::int)).unwrap_or(0);
            let n = if len < *target { self.rng.int(1, 2) } else { 0 };
            for _ in 0..n {
                let spec = catalog::make(q, &mut self.rng);
                self.create(t, &spec, None, &[]).await?;
            }
        }
        // A newsletter now and then: the emails queue fills up, then drains.
        let emails = lens.get(EMAILS).map_or(0, value::int);
        if emails < 30 && self.rng.chance(step / 180.0) {
            for _ in 0..self.rng.int(6, 12) {
                let spec = catalog::make(EMAILS, &mut self.rng);
                self.create(t, &spec, None, &[]).await?;
            }
        }
        if self.rng.chance(step / 12.0) {
            let spec = catalog::make(EMAILS, &mut self.rng);
            let at = t.as_second() + self.rng.int(20, 240);
            self.create(t, &spec, Some(at), &[]).await?;
        }
        if self.rng.chance(step / 30.0) {
            let parent = catalog::make(REPORTS, &mut self.rng);
            let pid = self.create(t, &parent, None, &[]).await?;
            let child = catalog::notify_after_report(&mut self.rng);
            self.create(t, &child, None, &[pid]).await?;
        }
        Ok(())
    }

    /// Enqueue one job at `t` (scheduled for `at`, deferred on `parents`); returns its id.
    pub(super) async fn create(
        &mut self,
        t: Timestamp,
        s: &Spec,
        at: Option<i64>,
        parents: &[String],
    ) -> Result<String> {
        let id = encode::uuid4(self.rng.u128(), true);
        let data = encode::job_data(s.func, &s.args, &s.kwargs);
        let q = &self.queues[s.queue];
        let mut head: Vec<Vec<u8>> = vec![a("created_at"), a(time::format(t)), a("data"), a(&data)];
        for f in ["success_callback_name", "failure_callback_name", "stopped_callback_name", "started_at"] {
            head.extend([a(f), a("")]);
        }
        for f in ["ended_at", "last_heartbeat", "worker_name", "group_id"] {
            head.extend([a(f), a("")]);
        }
        head.extend([a("origin"), a(q), a("description"), a(encode::description(&data))]);
        let mut argv = vec![a(&id), a(q), a(at.map(|x| x.to_string()).unwrap_or_default())];
        argv.push(a(parents.join(",")));
        argv.push(a(s.meta.as_ref().map(encode::py_json).unwrap_or_default()));
        argv.push(a((head.len() / 2).to_string()));
        argv.extend(head);
        argv.extend([a("timeout"), a(s.timeout.unwrap_or(180).to_string())]);
        if let Some(ttl) = s.result_ttl {
            argv.extend([a("result_ttl"), a(ttl.to_string())]);
        }
        self.call(&SCRIPTS.enqueue, t, &argv).await?;
        self.remember(&id);
        Ok(id)
    }

    /// A user cancels one of the first queued emails; returns whether one was.
    pub(super) async fn cancel_one(&mut self, t: Timestamp) -> Result<bool> {
        let inst = self.inst()?;
        let mut p = redis::pipe();
        p.cmd("LRANGE").arg(inst.keys.queue(&self.queues[EMAILS])).arg(0).arg(9);
        let (ids,): (Vec<String>,) = inst.query(&p).await?;
        if ids.is_empty() {
            return Ok(false);
        }
        let id = self.rng.pick(&ids).clone();
        let done = self.call(&SCRIPTS.cancel, t, &[a(id)]).await?;
        Ok(value::int(&done) == 1)
    }
}
