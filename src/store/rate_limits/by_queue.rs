//! Held jobs per key and origin queue, cached per key. Counting them costs one HGET + HEXISTS per
//! held id (up to [`HELD_SCAN_MAX`] per key) and the overview asks on every poll, so each key's
//! breakdown is kept with a fingerprint of its `rate_limited` set and recomputed only when the
//! fingerprint read with the counts differs (or the entry is older than [`MAX_AGE`]).
//!
//! The fingerprint is the `ZCARD` and the first and last member with their scores. RQ adds held
//! jobs with `ZADD` at the current time (the end), promotes them with `ZPOPMIN` (the start) and
//! drops canceled or deleted ones with `ZREM` (anywhere, which changes the count): every single
//! change RQ makes changes it. What it misses (a `ZREM` in the middle and a `ZADD` behind the
//! last member between two reads, e.g. another host's clock behind; a held job's hash expiring)
//! is bounded by [`MAX_AGE`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::super::key_type::Suspects;
use super::super::{Instance, Result, value};
use super::HELD_SCAN_MAX;
use crate::rq::key_type::KeyType;
use crate::rq::rate_limit::RateLimitKey;

/// Keys whose breakdown is kept; beyond it, an arbitrary entry makes room.
const CACHE_MAX_KEYS: usize = 1024;
/// An entry is recomputed at the latest after this long, fingerprint unchanged or not.
const MAX_AGE: Duration = Duration::from_secs(60);

/// `ZCARD`, then the first and the last member with its score.
pub type Fingerprint = (i64, Vec<(String, Option<f64>)>, Vec<(String, Option<f64>)>);

/// Queue `ZCARD`, `ZRANGE 0 0` and `ZRANGE -1 -1` (with scores) of a held set: 3 replies.
pub fn push_fingerprint(p: &mut redis::Pipeline, key: &str) {
    p.cmd("ZCARD").arg(key);
    p.cmd("ZRANGE").arg(key).arg(0).arg(0).arg("WITHSCORES");
    p.cmd("ZRANGE").arg(key).arg(-1).arg(-1).arg("WITHSCORES");
}

/// The fingerprint from the 3 replies [`push_fingerprint`] queued.
pub fn fingerprint(r: &[redis::Value]) -> Fingerprint {
    let scored = |i: usize| r.get(i).map(value::scored).unwrap_or_default();
    (r.first().map_or(0, value::int), scored(1), scored(2))
}

/// One key's held jobs per origin queue, as last counted.
#[derive(Debug, Clone)]
struct Entry {
    fp: Fingerprint,
    at: Instant,
    by_queue: Vec<(String, i64)>,
    orphans: i64,
    /// Job hashes found holding another type (reported again while the entry is used).
    wrong: Vec<String>,
}

/// The per-key breakdowns of one instance (never written to Redis: reads stay write-free).
#[derive(Debug, Default)]
pub struct HeldCache(Mutex<HashMap<String, Entry>>);

impl HeldCache {
    fn get(&self, key: &str, fp: &Fingerprint) -> Option<Entry> {
        let m = self.0.lock().ok()?;
        m.get(key).filter(|e| &e.fp == fp && e.at.elapsed() < MAX_AGE).cloned()
    }

    fn put(&self, key: &str, e: Entry) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= CACHE_MAX_KEYS
                && !m.contains_key(key)
                && let Some(old) = m.keys().next().cloned()
            {
                m.remove(&old);
            }
            m.insert(key.to_owned(), e);
        }
    }
}

/// Held jobs per key and origin queue, orphans, and whether every held id was counted: from the
/// cache for keys whose fingerprint `fps` (read with `keys`) is unchanged, else two round trips.
pub(super) async fn by_queue(
    inst: &Instance,
    keys: &[RateLimitKey],
    fps: &[Fingerprint],
    suspects: &mut Suspects,
) -> Result<(Vec<(String, String, i64)>, i64, bool)> {
    let mut counts = BTreeMap::<(String, String), i64>::new();
    let mut orphans = 0;
    let mut stale = Vec::new();
    for (x, fp) in keys.iter().zip(fps).filter(|(x, _)| x.held > 0) {
        match inst.held_cache.get(&x.key, fp) {
            Some(e) => {
                for (q, n) in e.by_queue {
                    *counts.entry((x.key.clone(), q)).or_default() += n;
                }
                orphans += e.orphans;
                e.wrong.iter().for_each(|w| suspects.add(w, KeyType::Hash));
            }
            None => stale.push(x.key.as_str()),
        }
    }
    for (key, e) in recompute(inst, &stale, suspects).await? {
        for (q, n) in &e.by_queue {
            *counts.entry((key.to_owned(), q.clone())).or_default() += n;
        }
        orphans += e.orphans;
        inst.held_cache.put(key, e);
    }
    let exact = keys.iter().all(|x| x.held <= HELD_SCAN_MAX);
    Ok((counts.into_iter().map(|((k, q), n)| (k, q, n)).collect(), orphans, exact))
}

/// Count some keys afresh: their fingerprint and oldest ids in one MULTI (so the fingerprint
/// kept is the one of the ids counted), then the ids' origins.
async fn recompute<'a>(
    inst: &Instance,
    stale: &[&'a str],
    suspects: &mut Suspects,
) -> Result<Vec<(&'a str, Entry)>> {
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.atomic().ignore_errors();
    for key in stale {
        push_fingerprint(&mut p, &k.rl_held(key));
        p.cmd("ZRANGE").arg(k.rl_held(key)).arg(0).arg(HELD_SCAN_MAX - 1);
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let read: Vec<(Fingerprint, Vec<String>)> = (0..stale.len())
        .map(|i| {
            let r = v.get(i * 4..i * 4 + 4).unwrap_or(&[]);
            (fingerprint(r), r.get(3).map(value::strings).unwrap_or_default())
        })
        .collect();
    let ids: Vec<String> = read.iter().flat_map(|(_, l)| l.iter().cloned()).collect();
    let mut found = Suspects::default();
    let mut origins = super::held::origins(inst, &ids, &mut found).await?.into_iter();
    let wrong: HashSet<String> = found.keys().map(str::to_owned).collect();
    let mut out = Vec::with_capacity(stale.len());
    for (key, (fp, list)) in stale.iter().zip(read) {
        let mut per = BTreeMap::<String, i64>::new();
        let mut orphans = 0;
        for o in origins.by_ref().take(list.len()) {
            match o {
                Some(q) => *per.entry(q).or_default() += 1,
                None => orphans += 1,
            }
        }
        let mine: Vec<String> = list.iter().map(|id| k.job(id)).filter(|j| wrong.contains(j)).collect();
        mine.iter().for_each(|w| suspects.add(w, KeyType::Hash));
        let by_queue = per.into_iter().collect();
        out.push((*key, Entry { fp, at: Instant::now(), by_queue, orphans, wrong: mine }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_at_most_its_bound_of_keys_and_answers_only_the_same_fingerprint() {
        let c = HeldCache::default();
        let fp = |n: i64| (n, Vec::new(), Vec::new());
        let e = |n: i64| Entry {
            fp: fp(n),
            at: Instant::now(),
            by_queue: Vec::new(),
            orphans: n,
            wrong: Vec::new(),
        };
        for i in 0..CACHE_MAX_KEYS + 10 {
            c.put(&format!("k{i}"), e(1));
        }
        assert_eq!(c.0.lock().map(|m| m.len()).unwrap_or(0), CACHE_MAX_KEYS);
        let last = format!("k{}", CACHE_MAX_KEYS + 9);
        assert!(c.get(&last, &fp(1)).is_some());
        assert!(c.get(&last, &fp(2)).is_none());
    }
}
