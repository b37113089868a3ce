//! Key names of per-function performance, under the history base prefix (never RQ's keys).
//!
//! `<base>:fn:m:<yyyymmddhh>:q:<len>:<queue>:<function>` (field = minute 0–59) and
//! `<base>:fn:h:<yyyymmdd>:q:<len>:<queue>:<function>` (field = hour 0–23), where `<len>` is the
//! queue name's length in bytes, so a queue or function name holding colons cannot make two
//! pairs share a key; `<base>:fn:n:h:<yyyymmdd>:q:<queue>` is the set of the day's function
//! names of a queue (for the cap and for listing); `<base>:fn:t:q:<len>:<queue>:<function>` the
//! pair's totals since it was first recorded (the counters of `/metrics`, see [`super::totals`]);
//! `<base>:fn:epoch` the samplers' epoch (a random token, a day long, see [`super::write`]).

use crate::store::history::layout::{self, Layout, Subject};

/// The name all functions past the cap are folded into.
pub const OTHER: &str = "other";
/// The name of jobs whose function could not be read.
pub const UNKNOWN: &str = "unknown";

/// Keys of per-function performance under one history layout.
#[derive(Debug, Clone)]
pub struct Keys {
    rows: Layout,
    names: Layout,
}

impl Keys {
    pub fn new(history: &Layout) -> Self {
        let base = history.base();
        Self { rows: Layout::new(&format!("{base}:fn")), names: Layout::new(&format!("{base}:fn:n")) }
    }

    fn pair(queue: &str, func: &str) -> String {
        format!("{}:{queue}:{func}", queue.len())
    }

    /// The minute hash of `(queue, func)` for the hour starting at `hour_start`.
    pub fn minute(&self, queue: &str, func: &str, hour_start: i64) -> String {
        self.rows.minute_key(Subject::Queue(&Self::pair(queue, func)), hour_start)
    }

    /// The hour hash of `(queue, func)` for the UTC day starting at `day_start`.
    pub fn hour(&self, queue: &str, func: &str, day_start: i64) -> String {
        self.rows.hour_key(Subject::Queue(&Self::pair(queue, func)), day_start)
    }

    /// The totals hash of `(queue, func)`: every minute ever recorded, summed.
    pub fn totals(&self, queue: &str, func: &str) -> String {
        format!("{}:t:q:{}", self.rows.base(), Self::pair(queue, func))
    }

    /// The samplers' epoch (see [`super::write::check_epoch`]).
    pub fn epoch(&self) -> String {
        format!("{}:epoch", self.rows.base())
    }

    /// The set of function names `queue` recorded on the UTC day starting at `day_start`.
    pub fn names(&self, queue: &str, day_start: i64) -> String {
        self.names.hour_key(Subject::Queue(queue), day_start)
    }
}

/// Expiry of a names set: as long as the hour rows of its day.
pub fn names_expiry(day_start: i64) -> i64 {
    layout::hour_expiry(day_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colon_in_a_queue_name_cannot_make_two_pairs_share_a_key() {
        let k = Keys::new(&Layout::default());
        assert_ne!(k.minute("a:b", "c", 0), k.minute("a", "b:c", 0));
        assert_eq!(k.minute("q", "m.f", 3600), "rqdash:history:fn:m:1970010101:q:1:q:m.f");
        assert_eq!(k.names("q", 0), "rqdash:history:fn:n:h:19700101:q:q");
        assert_eq!(k.totals("q", "m.f"), "rqdash:history:fn:t:q:1:q:m.f");
        assert_ne!(k.totals("a:b", "c"), k.totals("a", "b:c"));
    }
}
