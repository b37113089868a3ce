//! RQ timestamps: parsed tolerantly, always written back as ISO 8601 UTC with microseconds and `Z`.

use jiff::{Timestamp, tz::TimeZone};

/// Parse RQ's `%Y-%m-%dT%H:%M:%S.%fZ` (or the legacy form without fraction). Empty means unset.
pub fn parse(raw: &str) -> Option<Timestamp> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Some(ts);
    }
    // Naive timestamps (no zone) are UTC in RQ.
    t.parse::<jiff::civil::DateTime>().ok().and_then(|dt| TimeZone::UTC.to_timestamp(dt).ok())
}

/// Format as `2026-11-27T04:35:17.918019Z`.
pub fn format(ts: Timestamp) -> String {
    format_in(ts, &TimeZone::UTC, 'T', "Z")
}

/// Format in `tz` with microseconds: `<date><sep><time><suffix>`.
pub fn format_in(ts: Timestamp, tz: &TimeZone, sep: char, suffix: &str) -> String {
    let dt = tz.to_datetime(ts);
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}.{:06}{suffix}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1000
    )
}

/// Normalise a raw RQ timestamp string; None when unset or unparseable.
pub fn normalize(raw: &str) -> Option<String> {
    parse(raw).map(format)
}

/// A Unix-seconds float (registry scores, execution times) as ISO text; None for ±inf, NaN, negatives.
pub fn from_epoch(secs: f64) -> Option<String> {
    if !secs.is_finite() || !(0.0..=253_402_300_799.0).contains(&secs) {
        return None;
    }
    let micros = (secs * 1_000_000.0).round() as i64;
    Timestamp::from_microsecond(micros).ok().map(format)
}

/// Seconds since the Unix epoch, now.
pub fn now_epoch() -> f64 {
    Timestamp::now().as_microsecond() as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rq_timestamps_round_trip() {
        let s = "2026-11-27T04:35:17.918019Z";
        assert_eq!(normalize(s).as_deref(), Some(s));
        assert_eq!(normalize("2026-11-27T04:35:17Z").as_deref(), Some("2026-11-27T04:35:17.000000Z"));
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("yesterday"), None);
    }

    #[test]
    fn registry_scores_become_timestamps_except_infinities() {
        assert_eq!(from_epoch(0.0).as_deref(), Some("1970-01-01T00:00:00.000000Z"));
        assert_eq!(from_epoch(f64::INFINITY), None);
        assert_eq!(from_epoch(-1.0), None);
    }
}
