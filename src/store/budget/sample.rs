//! The sampling helpers of [`super::measure`]: which keys to size, and how replies add up.

use redis::Value;

use super::measure::Family;
use super::{CHUNK, SAMPLE};
use crate::store::value;

/// A deterministic spread of `SAMPLE` indexes below `n` (the same for every replica at `seed`).
pub fn spread(n: usize, seed: i64) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let mut x = seed.unsigned_abs() | 1;
    (0..SAMPLE.min(n))
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((x >> 33) as usize) % n
        })
        .collect()
}

/// Queue `EXISTS` over `keys` in chunks; returns the reply indexes to sum.
pub fn exists(p: &mut redis::Pipeline, n: &mut usize, keys: &[String]) -> Vec<usize> {
    keys.chunks(CHUNK)
        .map(|c| {
            p.cmd("EXISTS").arg(c);
            *n += 1;
            *n - 1
        })
        .collect()
}

pub fn memory(p: &mut redis::Pipeline, n: &mut usize, key: &str) -> usize {
    p.cmd("MEMORY").arg("USAGE").arg(key);
    *n += 1;
    *n - 1
}

pub fn sum(v: &[Value], at: &[usize]) -> u64 {
    at.iter().map(|i| v.get(*i).map_or(0, value::int).max(0) as u64).sum()
}

/// Bytes of a family: its keys times the mean of the sampled keys that exist.
pub fn family(keys: u64, v: &[Value], sampled: &[usize], fallback: u64) -> Family {
    let hits: Vec<u64> = sampled
        .iter()
        .filter_map(|i| v.get(*i))
        .map(value::int)
        .filter(|b| *b > 0)
        .map(|b| b as u64)
        .collect();
    let mean = if hits.is_empty() { fallback } else { hits.iter().sum::<u64>() / hits.len() as u64 };
    Family { keys, bytes: keys * mean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_bounded_deterministic_and_within_range() {
        let a = spread(10_000, 42);
        assert_eq!(a.len(), SAMPLE);
        assert_eq!(a, spread(10_000, 42), "replicas sample the same keys at the same time");
        assert!(a.iter().all(|i| *i < 10_000));
        assert_eq!(spread(3, 1).len(), 3);
        assert!(spread(0, 1).is_empty());
    }
}
