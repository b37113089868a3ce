//! Chunk sizes for bulk scripts, adapted so that each call holds Redis for a few milliseconds.
//!
//! A script call blocks every other Redis client (workers, producers) while it runs. A fixed
//! 1,000 jobs per call measured 14–33 ms per requeue chunk on the 2-core benchmark machine:
//! too long a pause for the workers of a busy queue. The pacer times each call and sizes the
//! next one to [`TARGET`], between [`MIN`] and [`CHUNK`]: fast hardware keeps large chunks
//! (fewer round trips), slow or busy hardware gets short pauses. Whatever the size, each call
//! is still one atomic script, so correctness never depends on it.

use std::time::{Duration, Instant};

use super::CHUNK;

/// The time one script call should take, round trip included.
pub const TARGET: Duration = Duration::from_millis(5);
/// Smallest chunk: below this the per-call overhead (round trip, script start) dominates.
pub const MIN: usize = 50;
/// First chunk, before anything was measured.
const FIRST: usize = 250;

/// Chooses the size of the next chunk from how long the previous ones took.
#[derive(Debug)]
pub struct Pacer {
    size: usize,
    started: Instant,
}

impl Default for Pacer {
    fn default() -> Self {
        Self { size: FIRST, started: Instant::now() }
    }
}

impl Pacer {
    /// The size of the next chunk; also starts its clock.
    pub fn take(&mut self) -> usize {
        self.started = Instant::now();
        self.size
    }

    /// The call that examined `examined` ids has returned: size the next one.
    pub fn done(&mut self, examined: usize) {
        self.size = next_size(self.size, examined, self.started.elapsed());
    }
}

/// The chunk that would take [`TARGET`] at the speed just seen, growing at most 2× per step
/// (one fast call on a warm cache should not jump straight to the maximum).
fn next_size(size: usize, examined: usize, took: Duration) -> usize {
    if examined == 0 {
        return size;
    }
    // ids that fit in TARGET at this speed: examined × TARGET / took, in integer nanoseconds.
    let took = took.as_nanos().max(1);
    let ideal = (examined as u128).saturating_mul(TARGET.as_nanos()) / took;
    usize::try_from(ideal).unwrap_or(usize::MAX).min(size.saturating_mul(2)).clamp(MIN, CHUNK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_chunk_shrinks_the_next_one_to_the_target_time() {
        // 1,000 ids in 20 ms = 20 µs per id: 5 ms is 250 ids.
        assert_eq!(next_size(1000, 1000, Duration::from_millis(20)), 250);
    }

    #[test]
    fn a_fast_chunk_grows_the_next_one_at_most_twofold_and_never_past_the_maximum() {
        assert_eq!(next_size(250, 250, Duration::from_micros(250)), 500);
        assert_eq!(next_size(800, 800, Duration::from_micros(100)), CHUNK);
    }

    #[test]
    fn sizes_stay_between_the_bounds_and_an_empty_chunk_changes_nothing() {
        assert_eq!(next_size(100, 100, Duration::from_secs(1)), MIN);
        assert_eq!(next_size(300, 0, Duration::from_secs(1)), 300);
        assert_eq!(next_size(300, 300, Duration::ZERO), 600);
    }
}
