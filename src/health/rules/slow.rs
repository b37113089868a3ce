//! The `slow-function` rule: a function of the queue whose recent run time p95 is over N× its
//! 7-day baseline p95. Warning only: a slow function still finishes its jobs (the critical
//! verdicts are for work not getting done), and if the slowness makes jobs wait, `oldest-job`
//! turns critical on its own.

use super::{Fired, Settings, span};
use crate::health::Severity;
use crate::health::facts::{QueueFacts, RunTimes};

pub(super) fn slow_function(q: &QueueFacts, s: &Settings) -> Fired {
    let min = s.slow_min_calls;
    let mut slow: Vec<&RunTimes> = q
        .functions
        .iter()
        .filter(|f| f.calls >= min && f.baseline_calls >= min && f.ratio > s.slow_factor)
        .collect();
    // The slowest against its own baseline names the reason; the others are counted.
    slow.sort_by(|a, b| b.ratio.total_cmp(&a.ratio).then_with(|| a.function.cmp(&b.function)));
    let worst = slow.first()?;
    let mut text = format!(
        "{} p95 {}, {:.1}× its 7-day {}",
        worst.function,
        secs(worst.p95_s),
        worst.ratio,
        secs(worst.baseline_p95_s)
    );
    match slow.len() {
        1 => {}
        2 => text.push_str(" (and 1 more function)"),
        n => text.push_str(&format!(" (and {} more functions)", n - 1)),
    }
    Some((Severity::Warning, text))
}

/// A run time in words: "350 ms", "4.2 s", "45 s", "12 min".
pub fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 10.0 {
        format!("{s:.1} s")
    } else {
        span(s.round() as i64)
    }
}
