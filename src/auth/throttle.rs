//! Failed sign-ins throttled per client address: after a few failures in a window the address is
//! refused (429) for a time that doubles with each further failure, so guessing passwords over
//! HTTP is slow while a typo costs nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed in [`WINDOW`] before an address has to wait.
pub const FREE_FAILURES: u32 = 5;
/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(300);
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

#[derive(Clone, Copy)]
struct Record {
    failures: u32,
    last: Instant,
}

/// The failure records of every client address (bounded: the oldest are dropped first).
#[derive(Default)]
pub struct Throttle {
    by_addr: Mutex<HashMap<IpAddr, Record>>,
}

impl Throttle {
    /// How long `addr` must still wait before its next attempt is checked (None: go ahead).
    pub fn wait(&self, addr: IpAddr) -> Option<Duration> {
        let map = self.by_addr.lock().unwrap_or_else(PoisonError::into_inner);
        let r = map.get(&addr)?;
        let over = r.failures.checked_sub(FREE_FAILURES + 1)?;
        let wait = Duration::from_secs(1u64 << over.min(9)).min(MAX_WAIT);
        wait.checked_sub(r.last.elapsed()).filter(|w| !w.is_zero())
    }

    /// Count a failed attempt from `addr`.
    pub fn failed(&self, addr: IpAddr) {
        let mut map = self.by_addr.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= 10_000 {
            map.retain(|_, r| r.last.elapsed() < WINDOW);
        }
        let now = Instant::now();
        let r = map.entry(addr).or_insert(Record { failures: 0, last: now });
        if r.last.elapsed() >= WINDOW {
            r.failures = 0;
        }
        r.failures = r.failures.saturating_add(1);
        r.last = now;
    }

    /// A successful sign-in from `addr` forgets its failures.
    pub fn succeeded(&self, addr: IpAddr) {
        self.by_addr.lock().unwrap_or_else(PoisonError::into_inner).remove(&addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_only_after_several_failures() {
        let t = Throttle::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().expect("ip"), "10.0.0.2".parse().expect("ip"));
        for _ in 0..FREE_FAILURES {
            assert_eq!(t.wait(a), None);
            t.failed(a);
        }
        assert_eq!(t.wait(a), None, "the fifth failure is still free");
        t.failed(a);
        assert!(t.wait(a).is_some_and(|w| w <= Duration::from_secs(2)));
        t.failed(a);
        assert!(t.wait(a).is_some_and(|w| w > Duration::from_secs(1)), "the wait doubles");
        assert_eq!(t.wait(b), None, "per address");
        t.succeeded(a);
        assert_eq!(t.wait(a), None);
    }
}
