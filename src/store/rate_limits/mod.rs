//! RQ 3.0's rate limits, read as RQ's `RateLimitRegistry` reports them: every key of
//! `rq:rl-keys` with its concurrency and counts (two round trips), and which queues the held
//! jobs belong to (cached per key; two more round trips for keys whose held jobs changed, see
//! [`by_queue`]). See [`crate::rq::rate_limit`].

mod by_queue;
mod held;

use serde::Serialize;

pub use by_queue::HeldCache;
pub use held::{HeldJob, HeldPage, HeldQuery, held_page};

use super::key_type::Suspects;
use super::{Instance, Result, value};
use crate::rq::key_type::{KeyType, WrongType};
use crate::rq::rate_limit::RateLimitKey;

/// Held ids read per key to learn their queues: a limiter holding more is counted per queue
/// over its oldest ones only, and the answer says so (`by_queue_exact`).
pub const HELD_SCAN_MAX: i64 = 10_000;

/// The rate-limits page / API.
#[derive(Debug, Clone, Serialize)]
pub struct RateLimits {
    /// Every key of `rq:rl-keys`, sorted by name.
    pub keys: Vec<RateLimitKey>,
    /// Held jobs in all (exact: the sum of every key's `ZCARD`).
    pub held: i64,
    /// Jobs holding a slot in all.
    pub running: i64,
    /// Held jobs per origin queue, sorted by queue name. Ids whose job hash is gone (or has no
    /// origin) are under `held_orphans`.
    pub held_by_queue: Vec<(String, i64)>,
    /// The same per key: (key, queue, held), sorted.
    pub held_by_key_queue: Vec<(String, String, i64)>,
    pub held_orphans: i64,
    /// False when a key held more than [`HELD_SCAN_MAX`] jobs: `held_by_queue` then counts its
    /// oldest ones only.
    pub by_queue_exact: bool,
    /// `rq:rl-keys` or a key's hash/sorted sets holding another type than RQ keeps there.
    pub corrupt: Vec<WrongType>,
}

impl RateLimits {
    /// The held count of one queue (0 when none of its jobs is held).
    pub fn held_in(&self, queue: &str) -> i64 {
        self.held_by_queue
            .binary_search_by(|(q, _)| q.as_str().cmp(queue))
            .map_or(0, |i| self.held_by_queue[i].1)
    }
}

/// Read every rate-limit key, its counts, and the queues of its held jobs.
pub async fn rate_limits(inst: &Instance) -> Result<RateLimits> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(k.rl_keys());
    let head: Vec<redis::Value> = inst.query(&p).await?;
    let mut suspects = Suspects::default();
    suspects.check(&k.rl_keys(), KeyType::Set, &head);
    let names = head.first().map(value::strings).unwrap_or_default();
    from_names(inst, names, suspects).await
}

/// The same as [`rate_limits`] for keys already read from `rq:rl-keys` (the overview reads
/// them in its own first round trip).
pub async fn from_names(
    inst: &Instance,
    mut names: Vec<String>,
    mut suspects: Suspects,
) -> Result<RateLimits> {
    names.sort();
    names.dedup();
    if !names.is_empty() {
        inst.saw_rate_limits();
    }
    let (keys, _, fps) = read_keys(inst, &names, &mut suspects, true).await?;
    let (held_by_key_queue, held_orphans, by_queue_exact) =
        by_queue::by_queue(inst, &keys, &fps, &mut suspects).await?;
    let mut per_queue = std::collections::BTreeMap::<String, i64>::new();
    for (_, q, n) in &held_by_key_queue {
        *per_queue.entry(q.clone()).or_default() += n;
    }
    Ok(RateLimits {
        held: keys.iter().map(|k| k.held).sum(),
        running: keys.iter().map(|k| k.running).sum(),
        keys,
        held_by_queue: per_queue.into_iter().collect(),
        held_by_key_queue,
        held_orphans,
        by_queue_exact,
        corrupt: suspects.name(inst).await?,
    })
}

/// Config and counts of some keys (one round trip); with `registered` unknown, whether
/// `rq:rl-keys` lists each is read too (the second element); the fingerprint of each held set
/// (the third, see [`by_queue`]).
pub(super) async fn read_keys(
    inst: &Instance,
    names: &[String],
    suspects: &mut Suspects,
    registered: bool,
) -> Result<(Vec<RateLimitKey>, Vec<bool>, Vec<by_queue::Fingerprint>)> {
    if names.is_empty() {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for n in names {
        p.cmd("HGET").arg(k.rl_config(n)).arg("concurrency");
        p.cmd("ZCARD").arg(k.rl_allowed(n));
        p.cmd("ZCARD").arg(k.rl_held(n));
        p.cmd("SISMEMBER").arg(k.rl_keys()).arg(n);
        by_queue::push_fingerprint(&mut p, &k.rl_held(n));
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut out = Vec::with_capacity(names.len());
    let mut listed = Vec::with_capacity(names.len());
    let mut fps = Vec::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        let r = v.get(i * 7..i * 7 + 7).unwrap_or(&[]);
        fps.push(by_queue::fingerprint(r.get(4..).unwrap_or(&[])));
        suspects.check(&k.rl_config(n), KeyType::Hash, r.get(..1).unwrap_or(&[]));
        suspects.check(&k.rl_allowed(n), KeyType::Zset, r.get(1..2).unwrap_or(&[]));
        suspects.check(&k.rl_held(n), KeyType::Zset, r.get(2..3).unwrap_or(&[]));
        let is_listed = registered || r.get(3).map_or(0, value::int) > 0;
        listed.push(is_listed);
        out.push(RateLimitKey {
            key: n.clone(),
            concurrency: r.first().map_or(0, value::int),
            running: r.get(1).map_or(0, value::int),
            held: r.get(2).map_or(0, value::int),
            registered: is_listed,
        });
    }
    Ok((out, listed, fps))
}
