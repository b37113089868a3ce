//! The demo's starting data: workers born a quarter of an hour ago, the nightly billing run
//! (scheduled, with dependents deferred on it), the last minutes replayed tick by tick on a
//! virtual clock (so every finished and failed job has coherent times, results and TTLs), then
//! the orphans planted on purpose.

use jiff::{SignedDuration, Timestamp};

use super::catalog::{self, BILLING, EMAILS, REPORTS};
use super::{Demo, ORPHANS, encode};
use crate::rq::State;
use crate::store::Result;

/// How much of the past the seed replays, and in what steps.
const REPLAY: SignedDuration = SignedDuration::from_mins(15);
const STEP: SignedDuration = SignedDuration::from_secs(2);

/// Where the planted orphans are, per demo queue index: `(registry, queue)`.
pub const ORPHAN_PLACES: [(State, usize); ORPHANS] =
    [(State::Failed, BILLING), (State::Finished, REPORTS), (State::Scheduled, EMAILS)];

impl Demo {
    /// Write the starting data; the returned ids are the planted orphans.
    pub async fn seed(&mut self) -> Result<Vec<String>> {
        let now = Timestamp::now();
        let t0 = now - REPLAY;
        self.births(t0).await?;
        self.scheduler.created_at = crate::rq::time::format(t0);
        self.nightly(t0, now).await?;
        let mut t = t0;
        while t < now {
            self.tick(t, STEP.as_secs_f64(), true).await?;
            t += STEP;
        }
        let now = Timestamp::now();
        self.tick(now, 1.0, false).await?;
        self.beat_all(now).await?;
        if self.count_canceled().await? == 0 {
            self.cancel_one(now).await?;
        }
        self.plant_orphans(now).await
    }

    /// The nightly run at the next 02:00 UTC at least an hour away, and two jobs waiting for it.
    async fn nightly(&mut self, t0: Timestamp, now: Timestamp) -> Result<()> {
        let day = 86_400;
        let mut at = now.as_second() - now.as_second().rem_euclid(day) + 2 * 3600;
        while at < now.as_second() + 3600 {
            at += day;
        }
        let (run, after) = catalog::nightly(&mut self.rng);
        let parent = self.create(t0, &run, Some(at), &[]).await?;
        for spec in &after {
            self.create(t0, spec, None, std::slice::from_ref(&parent)).await?;
        }
        // Reminders and reports booked for later today.
        for hours in [2, 5] {
            let spec = catalog::make(EMAILS, &mut self.rng);
            self.create(t0, &spec, Some(now.as_second() + hours * 3600), &[]).await?;
        }
        Ok(())
    }

    async fn count_canceled(&self) -> Result<i64> {
        let inst = self.inst()?;
        let mut p = redis::pipe();
        for q in &self.queues {
            p.cmd("ZCARD").arg(inst.keys.state_key(State::Canceled, q));
        }
        let v: Vec<i64> = inst.query(&p).await?;
        Ok(v.iter().sum())
    }

    /// Ids left in a registry after someone deleted their job hash by hand (`DEL rq:job:<id>`):
    /// a failed job (scored a year ahead), a finished one kept forever (`result_ttl=-1`, `+inf`)
    /// and a reminder scheduled for tomorrow.
    async fn plant_orphans(&mut self, now: Timestamp) -> Result<Vec<String>> {
        let ids: Vec<String> = ORPHAN_PLACES.iter().map(|_| encode::uuid4(self.rng.u128(), true)).collect();
        let inst = self.inst()?;
        let mut p = redis::pipe();
        p.atomic();
        for ((state, q), id) in ORPHAN_PLACES.into_iter().zip(&ids) {
            let score = match state {
                State::Failed => (now.as_second() + 31_536_000).to_string(),
                State::Finished => "+inf".to_owned(),
                _ => (now.as_second() + 86_400).to_string(),
            };
            p.cmd("ZADD").arg(inst.keys.state_key(state, &self.queues[q])).arg(score).arg(id).ignore();
        }
        inst.query::<()>(&p).await?;
        for id in &ids {
            self.remember(id);
        }
        Ok(ids)
    }
}
