//! What a sampler remembers of the registry members it read, from one good tick to the next, so
//! that a job is read (`HMGET`, `HSTRLEN`, `XREVRANGE`, maybe `HGET data`) and archived once.
//!
//! Each tick recounts every minute of its lookback (2–3 minutes at one tick a minute) and the
//! write scripts keep the larger count, so a minute's recount needs *every* job that ended in
//! it, including those an earlier tick already read. Without this memory each of them was read
//! again by every tick whose lookback held its end (2.2 reads per job, bench/sampler_results.md)
//! and passed again to the archive's dedup check. Two maps by [`fingerprint`] (id, score):
//! - [`Settled`]: the end time of every member the last good tick saw. One that ended before
//!   a tick's lookback is not read: it can add to no minute the tick counts.
//! - kept records: the [`Ended`] record of every member read whose end a later lookback can
//!   still reach. It counts as a fresh read would, and is not archived again (the good tick that
//!   read it did; the script's own dedup remains for replicas and restarts).
//!
//! Both are replaced only after a whole tick succeeded: a failed or budget-skipped tick leaves
//! the previous memory, so its reads are made again and nothing it lost is missing.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::buckets::Kind;
use super::ended::Ended;
use super::throughput::QueueThroughput;

/// End times of the members the previous tick saw, by [`fingerprint`] (`-inf`: expired and
/// gone). A tick reads again only those that ended inside its lookback: the others can add to
/// no minute it counts, and were archived when first read.
pub type Settled = HashMap<u64, f64>;

/// Most records kept. A record is a few hundred bytes (id, queue, function, worker, the first
/// exception line of at most 200 characters), so this bounds the memory to about 50 MB. A tick
/// keeps 2–3 minutes of ended jobs: 100,000 is over 30,000 jobs a minute (the bench's busy
/// Redis ends 10,000). Beyond it the newest are kept and the others read again when needed.
pub const KEEP_MAX: usize = 100_000;

/// A registry member as (id, score): a job that ends again (requeued, failed anew) is rescored,
/// so it is a new member and read again.
pub fn fingerprint(id: &str, score: f64) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    score.to_bits().hash(&mut h);
    h.finish()
}

/// The memory of one sampler (empty at start: its first tick reads everything).
#[derive(Debug, Default)]
pub struct Seen {
    settled: Settled,
    kept: HashMap<u64, Ended>,
}

/// What a tick does with a registry member.
#[derive(Debug)]
pub enum Known<'a> {
    /// It ended (or, `-inf`, expired and is gone) before the lookback: not read, not counted.
    Settled(f64),
    /// It ended inside the lookback and an earlier good tick read it: counted from its record.
    Kept(&'a Ended),
    /// Read it.
    Unread,
}

impl Seen {
    /// What is known of the member `print` of `queue`'s `kind` registry, for a lookback from `from`.
    pub fn known(&self, print: u64, queue: &str, kind: Kind, from: i64) -> Known<'_> {
        let from = from as f64;
        match self.settled.get(&print) {
            Some(e) if *e < from => Known::Settled(*e),
            // Its end is inside the lookback (or it is new): its record, if one was kept. The
            // checks make a fingerprint collision or a job moved between registries a fresh read.
            // A clock set back moves the lookback back: a member whose record was not kept
            // (it ended before the earliest lookback a later tick could have) is read again.
            _ => self
                .kept
                .get(&print)
                .filter(|r| r.ended_at >= from && r.kind == kind && r.queue == queue)
                .map_or(Known::Unread, Known::Kept),
        }
    }

    /// The memory after a good tick: the end of every member it saw, and the records of those
    /// that ended at or after `keep_from` (the earliest lookback of a later tick), at most
    /// [`KEEP_MAX`], newest first.
    pub fn after(thr: Vec<QueueThroughput>, keep_from: i64) -> Self {
        let mut settled = Settled::new();
        let mut kept: Vec<(u64, Ended)> = Vec::new();
        for t in thr {
            settled.extend(t.settled);
            let records = t.prints.into_iter().zip(t.ended);
            kept.extend(records.filter(|(_, e)| e.ended_at >= keep_from as f64));
        }
        if kept.len() > KEEP_MAX {
            kept.sort_unstable_by(|a, b| b.1.ended_at.total_cmp(&a.1.ended_at));
            kept.truncate(KEEP_MAX);
        }
        Self { settled, kept: kept.into_iter().collect() }
    }

    /// Records kept for the next tick.
    pub fn kept(&self) -> usize {
        self.kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(id: &str, at: f64) -> Ended {
        Ended {
            queue: "q".into(),
            id: id.into(),
            kind: Kind::Finished,
            func: Some("m.f".into()),
            status: None,
            enqueued_at: None,
            started_at: None,
            ended_at: at,
            worker: None,
            exc_type: None,
            exc_line: None,
            result_size: None,
        }
    }

    /// A good tick that read and counted `jobs` (id, end) of queue `q`, scored end + 500.
    fn tick(jobs: &[(&str, f64)], keep_from: i64) -> Seen {
        let mut t = QueueThroughput::default();
        for (id, at) in jobs {
            let p = fingerprint(id, at + 500.0);
            t.ended.push(ended(id, *at));
            t.prints.push(p);
            t.settled.push((p, *at));
        }
        t.fresh = t.ended.len();
        Seen::after(vec![t], keep_from)
    }

    #[test]
    fn a_member_is_settled_before_the_lookback_kept_inside_it_and_read_when_new_or_rescored() {
        let seen = tick(&[("old", 1_000.0), ("near", 1_130.0), ("new", 1_190.0)], 1_080);
        let known =
            |id: &str, at: f64, from| seen.known(fingerprint(id, at + 500.0), "q", Kind::Finished, from);
        assert!(matches!(known("old", 1_000.0, 1_140), Known::Settled(_)));
        assert!(matches!(known("near", 1_130.0, 1_140), Known::Settled(_)));
        assert!(matches!(known("new", 1_190.0, 1_140), Known::Kept(r) if r.id == "new"));
        assert!(matches!(known("new", 1_250.0, 1_140), Known::Unread), "rescored: a new member");
        assert!(matches!(known("other", 1_190.0, 1_140), Known::Unread));
        // Clock set back: "near" is inside again and its record was kept; "old"'s was not.
        assert!(matches!(known("near", 1_130.0, 960), Known::Kept(_)));
        assert!(matches!(known("old", 1_000.0, 960), Known::Unread));
        let other_queue = seen.known(fingerprint("new", 1_690.0), "p", Kind::Finished, 1_140);
        assert!(matches!(other_queue, Known::Unread));
        let failed = seen.known(fingerprint("new", 1_690.0), "q", Kind::Failed, 1_140);
        assert!(matches!(failed, Known::Unread));
    }

    #[test]
    fn beyond_its_bound_the_newest_records_are_kept() {
        let ids: Vec<String> = (0..KEEP_MAX + 10).map(|i| format!("j{i}")).collect();
        let jobs: Vec<(&str, f64)> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as f64)).collect();
        let seen = tick(&jobs, 0);
        assert_eq!(seen.kept(), KEEP_MAX);
        assert!(matches!(seen.known(fingerprint("j9", 509.0), "q", Kind::Finished, 0), Known::Unread));
        assert!(matches!(seen.known(fingerprint("j10", 510.0), "q", Kind::Finished, 0), Known::Kept(_)));
    }
}
