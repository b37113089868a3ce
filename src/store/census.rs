//! Counts as RQ's API reports them (see [`crate::rq::registry`]), read with plain read
//! commands: `LLEN` for a queue, `ZCARD` for a registry, plus `ZCOUNT` over the expired block
//! (and the never-expiring one, for paging) of registries whose entries expire.

use redis::{Pipeline, Value};

use super::value;
use crate::rq::State;
use crate::rq::registry::Census;

/// RQ's `current_timestamp()`: whole Unix seconds, taken on the client as RQ takes it.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Queue commands counting `state` in `key`: how many replies [`read_count`] then consumes.
pub fn push_count(p: &mut Pipeline, state: State, key: &str, now: i64) -> usize {
    if state == State::Queued {
        p.cmd("LLEN").arg(key);
        return 1;
    }
    p.cmd("ZCARD").arg(key);
    if state.expires() {
        p.cmd("ZCOUNT").arg(key).arg(0).arg(now);
        return 2;
    }
    1
}

/// The replies of [`push_count`]: (what RQ counts, expired entries awaiting RQ's cleanup).
pub fn read_count(vals: &[Value], state: State) -> (i64, i64) {
    let card = vals.first().map_or(0, value::int);
    if !state.expires() || state == State::Queued {
        return (card, 0);
    }
    let expired = vals.get(1).map_or(0, value::int).clamp(0, card);
    (card - expired, expired)
}

/// How many replies [`push_count`] gives for `state`.
pub fn count_len(state: State) -> usize {
    if state != State::Queued && state.expires() { 2 } else { 1 }
}

/// Queue commands for a registry's whole [`Census`] (paging needs the never-expiring block too).
pub fn push_census(p: &mut Pipeline, state: State, key: &str, now: i64) -> usize {
    p.cmd("ZCARD").arg(key);
    if state.expires() {
        p.cmd("ZCOUNT").arg(key).arg("-inf").arg("(0");
        p.cmd("ZCOUNT").arg(key).arg(0).arg(now);
        return 3;
    }
    1
}

/// The replies of [`push_census`].
pub fn read_census(vals: &[Value], state: State) -> Census {
    let card = vals.first().map_or(0, value::int).max(0);
    if !state.expires() {
        return Census { card, never: 0, expired: 0 };
    }
    let never = vals.get(1).map_or(0, value::int).clamp(0, card);
    let expired = vals.get(2).map_or(0, value::int).clamp(0, card - never);
    Census { card, never, expired }
}
