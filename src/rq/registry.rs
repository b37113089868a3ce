//! How RQ's own API counts and lists a registry: which entries its `cleanup()` would drop first.
//!
//! RQ's `registry.count` and `get_job_ids()` run `cleanup()` before `ZCARD`/`ZRANGE`, and that
//! cleanup is `ZREMRANGEBYSCORE key 0 <now>` for the started, finished and failed registries
//! (RQ 1.16, 2.x and 3.0 alike; `now` is whole seconds). A queue with no worker is never cleaned,
//! so its registries keep entries RQ itself no longer reports. rqdash reports what RQ would,
//! without writing: a [`Census`] splits a registry into the entries RQ counts and the expired
//! ones, and maps a page of either onto ZRANGE ranks.

use super::State;

/// The job statuses "requeue" accepts: those of the [`State::REQUEUABLE`] registries (a
/// stopped job sits in the failed registry). `lua/requeue.lua` and `lua/requeue_all.lua` say the
/// same in Lua; a test below holds them to this list.
pub const REQUEUABLE_STATUSES: [&str; 3] = ["failed", "stopped", "canceled"];

impl State {
    /// The registries "requeue" applies to, as RQ's `FailedJobRegistry.requeue` and
    /// `CanceledJobRegistry.requeue`: the one statement of that rule (actions, CLI, views).
    pub const REQUEUABLE: [State; 2] = [State::Failed, State::Canceled];

    /// Whether "requeue" applies to the jobs of this registry.
    pub fn requeuable(self) -> bool {
        Self::REQUEUABLE.contains(&self)
    }

    /// Whether RQ's cleanup drops this registry's entries once their score has passed: started
    /// (the heartbeat deadline: RQ then fails or retries the job), finished and failed (the
    /// expiry). Deferred, scheduled and canceled are never cleaned by score, and RQ 3.0's
    /// `ready` cleanup enqueues rather than drops.
    pub fn expires(self) -> bool {
        matches!(self, State::Started | State::Finished | State::Failed)
    }

    /// The job field a registry's "newest first" means to a reader, when its score is
    /// something else (an expiry or a heartbeat deadline).
    pub fn time_field(self) -> Option<&'static str> {
        match self {
            State::Finished | State::Failed => Some("ended_at"),
            State::Started => Some("started_at"),
            _ => None,
        }
    }
}

/// Whether RQ's cleanup would drop an entry with `score` at `now` (Unix seconds): it removes
/// scores in `[0, now]`; negative scores (`failure_ttl=-1`) and `+inf` never expire.
pub fn is_expired(score: f64, now: i64) -> bool {
    score >= 0.0 && score <= now as f64
}

/// One registry split as RQ's cleanup would split it. In score order the registry holds the
/// `never` entries (negative scores) first, then the `expired` ones (`[0, now]`), then the rest
/// (scores after now): the entries RQ counts are the first and the last group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Census {
    /// Every member (`ZCARD`).
    pub card: i64,
    /// Members with a negative score (`ZCOUNT key -inf (0`).
    pub never: i64,
    /// Members RQ's cleanup would drop (`ZCOUNT key 0 now`); 0 for registries without expiry.
    pub expired: i64,
}

impl Census {
    /// The number RQ's API reports.
    pub fn live(&self) -> i64 {
        (self.card - self.expired).max(0)
    }

    /// Ascending ZRANGE rank ranges (inclusive, in score order) holding the entries of one page:
    /// positions `start..=end` of the live entries (or of the expired ones when `expired`), in
    /// ascending order, or in descending order when `desc` (the caller reverses what it reads).
    pub fn page_ranks(&self, start: i64, end: i64, desc: bool, expired: bool) -> Vec<(i64, i64)> {
        let n = if expired { self.expired } else { self.live() };
        let end = end.min(n - 1);
        if start < 0 || start > end {
            return Vec::new();
        }
        // Positions in ascending order of the wanted group.
        let (lo, hi) = if desc { (n - 1 - end, n - 1 - start) } else { (start, end) };
        if expired {
            return vec![(self.never + lo, self.never + hi)];
        }
        // Live position p is rank p while p < never, else rank p + expired.
        let mut out = Vec::with_capacity(2);
        if lo < self.never {
            out.push((lo, hi.min(self.never - 1)));
        }
        if hi >= self.never {
            out.push((lo.max(self.never) + self.expired, hi + self.expired));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rq_cleanup_drops_scores_from_zero_to_now_inclusive() {
        assert!(is_expired(0.0, 100));
        assert!(is_expired(100.0, 100));
        assert!(!is_expired(100.5, 100));
        assert!(!is_expired(-1.0, 100), "failure_ttl=-1 never expires");
        assert!(!is_expired(f64::INFINITY, 100));
    }

    #[test]
    fn a_page_of_live_entries_skips_the_expired_block() {
        // ranks: 0,1 never; 2..=4 expired; 5..=9 live after now
        let c = Census { card: 10, never: 2, expired: 3 };
        assert_eq!(c.live(), 7);
        assert_eq!(c.page_ranks(0, 2, false, false), vec![(0, 1), (5, 5)]);
        assert_eq!(c.page_ranks(2, 6, false, false), vec![(5, 9)]);
        assert_eq!(c.page_ranks(5, 100, false, false), vec![(8, 9)]);
        // newest first: the last live entries, then the never-expiring ones at the end
        assert_eq!(c.page_ranks(0, 1, true, false), vec![(8, 9)]);
        assert_eq!(c.page_ranks(4, 6, true, false), vec![(0, 1), (5, 5)]);
        assert_eq!(c.page_ranks(7, 8, true, false), Vec::<(i64, i64)>::new());
    }

    #[test]
    fn the_expired_view_pages_through_the_expired_block_only() {
        let c = Census { card: 10, never: 2, expired: 3 };
        assert_eq!(c.page_ranks(0, 9, false, true), vec![(2, 4)]);
        assert_eq!(c.page_ranks(0, 0, true, true), vec![(4, 4)]);
        assert_eq!(c.page_ranks(3, 9, false, true), Vec::<(i64, i64)>::new());
    }

    #[test]
    fn the_lua_requeue_scripts_accept_exactly_the_requeuable_statuses() {
        let table: Vec<String> = REQUEUABLE_STATUSES.iter().map(|s| format!("{s} = true")).collect();
        let requeue = include_str!("../../lua/requeue.lua");
        assert!(requeue.contains(&format!("local REQUEUABLE = {{{}}}", table.join(", "))), "lua/requeue.lua");
        // requeue_all.lua takes one registry at a time: failed (with stopped), else canceled.
        let all = include_str!("../../lua/requeue_all.lua");
        let (failed, canceled) = (table[..2].join(", "), &table[2]);
        let rule = format!("ARGV[7] == 'failed' and {{{failed}}} or {{{canceled}}}");
        assert!(all.contains(&rule), "lua/requeue_all.lua: {rule}");
        assert_eq!(State::REQUEUABLE.map(State::as_str), ["failed", "canceled"]);
        assert!(State::Failed.requeuable() && State::Canceled.requeuable() && !State::Finished.requeuable());
    }

    #[test]
    fn a_registry_without_expiry_pages_by_rank() {
        let c = Census { card: 4, never: 0, expired: 0 };
        assert_eq!(c.page_ranks(1, 2, false, false), vec![(1, 2)]);
        assert_eq!(c.page_ranks(0, 0, true, false), vec![(3, 3)]);
    }
}
