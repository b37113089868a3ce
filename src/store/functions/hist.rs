//! Fixed log-spaced histograms (pure): every sampler, replica and tier uses the same bucket
//! bounds, so histograms merge by adding (across minutes) or by taking the larger count per
//! bucket (the same minute recounted), and percentiles are read from any merge.

use std::collections::BTreeMap;

use serde::Serialize;

/// Upper bounds of the buckets, in seconds (1–2.5–5 per decade, 1 ms to about 3 hours); a last
/// bucket holds everything longer.
pub const BOUNDS: [f64; 22] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0,
    500.0, 1000.0, 2500.0, 5000.0, 10_000.0,
];
/// Number of buckets (the bounds plus the overflow bucket).
pub const LEN: usize = BOUNDS.len() + 1;

/// Counts per bucket; bucket `i` holds values in `(BOUNDS[i-1], BOUNDS[i]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hist(pub BTreeMap<usize, u64>);

/// The bucket a duration (seconds) falls in.
pub fn bucket(secs: f64) -> usize {
    BOUNDS.iter().position(|b| secs <= *b).unwrap_or(BOUNDS.len())
}

impl Hist {
    pub fn add(&mut self, secs: f64) {
        *self.0.entry(bucket(secs)).or_default() += 1;
    }

    pub fn total(&self) -> u64 {
        // Saturating: counts come from Redis, and a hostile one must not overflow (a panic).
        self.0.values().fold(0u64, |a, c| a.saturating_add(*c))
    }

    /// Add another histogram (a different minute, queue or function).
    pub fn merge_sum(&mut self, other: &Hist) {
        for (i, c) in &other.0 {
            let n = self.0.entry(*i).or_default();
            *n = n.saturating_add(*c);
        }
    }

    /// The `q` quantile (0–1), interpolated linearly inside its bucket as Prometheus'
    /// `histogram_quantile` does; the overflow bucket answers its lower bound. None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * total as f64;
        let mut seen = 0u64;
        for (i, c) in &self.0 {
            if *c == 0 {
                continue;
            }
            if seen.saturating_add(*c) as f64 >= rank {
                let lo = if *i == 0 { 0.0 } else { BOUNDS[i - 1] };
                let Some(hi) = BOUNDS.get(*i) else { return Some(lo) };
                let within = ((rank - seen as f64) / *c as f64).clamp(0.0, 1.0);
                return Some(lo + (hi - lo) * within);
            }
            seen = seen.saturating_add(*c);
        }
        self.0.keys().next_back().map(|i| BOUNDS.get(*i).copied().unwrap_or(BOUNDS[BOUNDS.len() - 1]))
    }

    /// Stored form: `i:c;i:c` for the non-empty buckets (empty string when none).
    pub fn encode(&self) -> String {
        let parts: Vec<String> =
            self.0.iter().filter(|(_, c)| **c > 0).map(|(i, c)| format!("{i}:{c}")).collect();
        parts.join(";")
    }

    /// Parse the stored form; malformed parts are skipped (data from Redis is never trusted).
    pub fn decode(s: &str) -> Hist {
        let mut h = Hist::default();
        for part in s.split(';') {
            if let Some((i, c)) = part.split_once(':')
                && let (Ok(i), Ok(c)) = (i.trim().parse::<usize>(), c.trim().parse::<u64>())
                && i < LEN
            {
                let n = h.0.entry(i).or_default();
                *n = n.saturating_add(c);
            }
        }
        h
    }
}

/// The `s:<milliseconds>` sum a stored histogram may carry (0 when absent or malformed).
pub fn decode_sum(s: &str) -> u64 {
    // Saturating: a hostile stored value must not overflow (a panic in debug builds).
    s.split(';').filter_map(|p| p.trim().strip_prefix("s:")?.parse::<u64>().ok()).fold(0, u64::saturating_add)
}

/// How many times slower a function's recent run time p95 is than its baseline p95 (e.g. the
/// last hour against the last 7 days): the health rule "run time p95 more than 3× its 7-day
/// baseline" is `p95_vs_baseline(..) > Some(3.0)`. None without enough data on either side
/// (fewer than [`MIN_CALLS`] calls) or with a zero baseline.
pub fn p95_vs_baseline(recent: &Hist, baseline: &Hist) -> Option<f64> {
    if recent.total() < MIN_CALLS || baseline.total() < MIN_CALLS {
        return None;
    }
    let (r, b) = (recent.quantile(0.95)?, baseline.quantile(0.95)?);
    (b > 0.0).then(|| r / b)
}

/// Fewest calls on each side for [`p95_vs_baseline`] to answer.
pub const MIN_CALLS: u64 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[f64]) -> Hist {
        let mut h = Hist::default();
        values.iter().for_each(|v| h.add(*v));
        h
    }

    #[test]
    fn a_value_falls_in_the_bucket_whose_bound_it_does_not_exceed() {
        assert_eq!(bucket(0.0), 0);
        assert_eq!(bucket(0.05), 5);
        assert_eq!(bucket(0.0501), 6);
        assert_eq!(bucket(1e9), BOUNDS.len());
    }

    #[test]
    fn percentiles_land_in_the_bucket_of_the_true_value() {
        let h = of(&[0.06; 50].iter().chain(&[0.3; 45]).chain(&[1.2; 5]).copied().collect::<Vec<_>>());
        let p50 = h.quantile(0.5).expect("p50");
        assert!((0.05..=0.1).contains(&p50), "{p50}");
        let p95 = h.quantile(0.95).expect("p95");
        assert!((0.25..=0.5).contains(&p95), "{p95}");
        let p99 = h.quantile(0.99).expect("p99");
        assert!((1.0..=2.5).contains(&p99), "{p99}");
        assert_eq!(Hist::default().quantile(0.5), None);
    }

    #[test]
    fn the_stored_form_round_trips_and_ignores_garbage() {
        let h = of(&[0.06, 0.06, 3.0, 1e6]);
        assert_eq!(h.encode(), "6:2;11:1;22:1");
        assert_eq!(Hist::decode(&h.encode()), h);
        assert_eq!(Hist::decode("x;99:1;3:-1;4:2"), Hist(BTreeMap::from([(4, 2)])));
        assert_eq!(Hist::decode("6:2;s:120"), of(&[0.06, 0.06]), "the sum is not a bucket");
        assert_eq!((decode_sum("6:2;s:120"), decode_sum("6:2"), decode_sum("s:x")), (120, 0, 0));
        let huge = Hist::decode("4:18446744073709551615;4:1;5:9");
        assert_eq!((huge.total(), huge.quantile(1.0).is_some()), (u64::MAX, true), "no overflow");
    }

    #[test]
    fn a_function_three_times_slower_than_its_baseline_scores_over_three() {
        let base = of(&[0.1; 100]);
        let slow = of(&[0.3; 20]);
        let r = p95_vs_baseline(&slow, &base).expect("enough calls");
        assert!(r > 3.0, "{r}");
        assert_eq!(p95_vs_baseline(&of(&[0.3; 2]), &base), None, "too few calls");
        assert!(p95_vs_baseline(&base, &base).expect("enough calls") < 1.01);
    }
}
