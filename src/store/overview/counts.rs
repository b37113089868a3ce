//! A queue's job counts per state, as RQ's API reports them, with the entries RQ no longer
//! counts but has not cleaned up yet kept apart.

use serde::Serialize;

use crate::rq::State;
use crate::store::census;

/// Job counts of one queue, per state, as RQ's API reports them.
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
    /// RQ 3.0: jobs of this queue a rate limiter holds back (`rq:rl:<key>:rate_limited`), in
    /// no list or registry of the queue. Not a [`State`]: they have no key of the queue's own.
    pub held: i64,
    /// Entries RQ no longer reports but has not cleaned up yet (no worker ran its maintenance):
    /// started jobs whose heartbeat deadline passed, finished and failed entries past expiry.
    pub expired: Expired,
}

/// Registry entries past their score, per state: RQ's next cleanup drops them (and fails or
/// retries the abandoned started jobs).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Expired {
    pub started: i64,
    pub finished: i64,
    pub failed: i64,
}

impl Expired {
    /// The expired entries of one state (0 for states without expiry).
    pub fn get(&self, s: State) -> i64 {
        match s {
            State::Started => self.started,
            State::Finished => self.finished,
            State::Failed => self.failed,
            _ => 0,
        }
    }

    pub(super) fn set(&mut self, s: State, n: i64) {
        match s {
            State::Started => self.started = n,
            State::Finished => self.finished = n,
            State::Failed => self.failed = n,
            _ => {}
        }
    }

    /// All of them.
    pub fn total(&self) -> i64 {
        self.started + self.finished + self.failed
    }
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

    pub(super) fn set(&mut self, s: State, n: i64) {
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
        self.held += o.held;
        for s in State::ALL {
            self.set(s, self.get(s) + o.get(s));
            self.expired.set(s, self.expired.get(s) + o.expired.get(s));
        }
    }

    /// Set one state from the replies of [`census::push_count`].
    pub(super) fn read(&mut self, s: State, vals: &[redis::Value]) {
        let (live, expired) = census::read_count(vals, s);
        self.set(s, live);
        self.expired.set(s, expired);
    }

    /// Whether anything at all is listed, expired entries included.
    pub fn any(&self) -> bool {
        State::ALL.into_iter().any(|s| self.get(s) > 0) || self.expired.total() > 0 || self.held > 0
    }
}
