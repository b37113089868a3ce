//! Where the history lives: rqdash's own key names (never RQ's), bucket arithmetic and expiries.

/// The default base of every history key (`--history-prefix`).
pub const DEFAULT_PREFIX: &str = "rqdash:history";

/// Minute buckets live this long after their hour ends.
pub const MINUTE_KEEP: i64 = 48 * 3600;
/// Hour buckets live this long after their day ends.
pub const HOUR_KEEP: i64 = 90 * 86_400;

/// Whose history a key holds: one queue, or the sum over all queues of the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    All,
    Queue(&'a str),
}

impl<'a> Subject<'a> {
    /// `None` means all queues.
    pub fn of(queue: Option<&'a str>) -> Self {
        queue.map_or(Subject::All, Subject::Queue)
    }
}

/// Key builder for one history base prefix. Keys are
/// `<base>:m:<yyyymmddhh>:q:<queue>` (field = minute 0–59) and `<base>:h:<yyyymmdd>:q:<queue>`
/// (field = hour 0–23), with `all` in place of `q:<queue>` for the all-queues sum. The queue name
/// comes last so that whatever it contains (colons included) cannot collide with another key.
#[derive(Debug, Clone)]
pub struct Layout {
    base: String,
}

impl Default for Layout {
    fn default() -> Self {
        Self::new(DEFAULT_PREFIX)
    }
}

impl Layout {
    /// Keys under `base` (a trailing `:` is dropped; an empty base falls back to the default).
    pub fn new(base: &str) -> Self {
        let b = base.trim().trim_end_matches(':');
        Self { base: if b.is_empty() { DEFAULT_PREFIX.to_owned() } else { b.to_owned() } }
    }

    /// The base prefix in use.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The hash of minute buckets of the hour starting at `hour_start` (unix seconds).
    pub fn minute_key(&self, subject: Subject<'_>, hour_start: i64) -> String {
        let (y, mo, d) = civil(hour_start.div_euclid(86_400));
        let h = hour_start.rem_euclid(86_400) / 3600;
        self.key("m", &format!("{y:04}{mo:02}{d:02}{h:02}"), subject)
    }

    /// The hash of hour buckets of the UTC day starting at `day_start`.
    pub fn hour_key(&self, subject: Subject<'_>, day_start: i64) -> String {
        let (y, mo, d) = civil(day_start.div_euclid(86_400));
        self.key("h", &format!("{y:04}{mo:02}{d:02}"), subject)
    }

    fn key(&self, tier: &str, date: &str, subject: Subject<'_>) -> String {
        match subject {
            Subject::All => [&self.base, ":", tier, ":", date, ":all"].concat(),
            Subject::Queue(q) => [&self.base, ":", tier, ":", date, ":q:", q].concat(),
        }
    }
}

/// Start of the bucket of `step` seconds holding `t`.
pub fn floor(t: i64, step: i64) -> i64 {
    t - t.rem_euclid(step)
}

/// When the minute hash of the hour starting at `hour_start` should expire.
pub fn minute_expiry(hour_start: i64) -> i64 {
    hour_start + 3600 + MINUTE_KEEP
}

/// When the hour hash of the day starting at `day_start` should expire.
pub fn hour_expiry(day_start: i64) -> i64 {
    day_start + 86_400 + HOUR_KEEP
}

/// Days since 1970-01-01 as a proleptic Gregorian (year, month, day): Howard Hinnant's
/// `civil_from_days`, so key names need no fallible calendar call.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_utc_hour_or_day_and_end_with_the_queue() {
        let l = Layout::new("rqdash:history:");
        // 2024-02-29T23:59:00Z
        let t = 1_709_251_140;
        assert_eq!(l.minute_key(Subject::Queue("a:b"), floor(t, 3600)), "rqdash:history:m:2024022923:q:a:b");
        assert_eq!(l.hour_key(Subject::All, floor(t, 86_400)), "rqdash:history:h:20240229:all");
    }

    #[test]
    fn civil_dates_agree_with_jiff_across_leap_years_and_centuries() {
        for days in (-800_000..800_000).step_by(997) {
            let ts = jiff::Timestamp::from_second(days * 86_400).expect("in range");
            let dt = jiff::tz::TimeZone::UTC.to_datetime(ts);
            let want = (i64::from(dt.year()), i64::from(dt.month()), i64::from(dt.day()));
            assert_eq!(civil(days), want, "day {days}");
        }
    }

    #[test]
    fn an_empty_base_falls_back_to_the_default() {
        assert_eq!(Layout::new(" ").base(), DEFAULT_PREFIX);
    }

    #[test]
    fn buckets_floor_negative_times_downwards() {
        assert_eq!(floor(-1, 60), -60);
        assert_eq!(floor(125, 60), 120);
    }
}
