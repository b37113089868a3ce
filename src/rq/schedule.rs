//! A cron job's schedule: plain words beside the raw cron string or interval, and its next runs.
//!
//! Cron strings are parsed and stepped by the `croner` crate (5 fields, day-of-month OR
//! day-of-week like Vixie cron and RQ's `croniter`). Times are UTC: RQ 2.x evaluates the fields
//! in UTC, RQ 3.0 in the scheduler host's local time, which is UTC on most servers and containers.

use croner::Cron;
use croner::parser::{CronParser, Seconds};

use super::time;

const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Parse a cron string as RQ's croniter reads it (no seconds field).
pub fn parse(expr: &str) -> Result<Cron, String> {
    CronParser::builder().seconds(Seconds::Disallowed).build().parse(expr).map_err(|e| e.to_string())
}

/// The next `n` run times strictly after `after` (Unix seconds), as ISO UTC.
pub fn next_runs(cron: &Cron, after: f64, n: usize) -> Vec<String> {
    let Some(start) = chrono::DateTime::from_timestamp(after.floor() as i64, 0) else {
        return Vec::new();
    };
    cron.iter_after(start).take(n).filter_map(|t| time::from_epoch(t.timestamp() as f64)).collect()
}

/// An interval in plain words: "every 5 minutes", "every hour", "every 90 seconds".
pub fn describe_interval(secs: i64) -> String {
    let unit = [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")]
        .into_iter()
        .find(|(u, _)| secs > 0 && secs % u == 0);
    match unit {
        Some((u, name)) if secs == u => format!("every {name}"),
        Some((u, name)) => format!("every {} {name}s", secs / u),
        None => format!("every {secs} seconds"),
    }
}

/// A cron string in plain words ("every 5 minutes", "at 02:00 on Monday"); the crate's own
/// description for shapes this does not know. `None` when the string does not parse.
pub fn describe_cron(expr: &str) -> Option<String> {
    let cron = parse(expr).ok()?;
    let expanded = match expr.trim().to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *".to_owned(),
        "@monthly" => "0 0 1 * *".to_owned(),
        "@weekly" => "0 0 * * 0".to_owned(),
        "@daily" | "@midnight" => "0 0 * * *".to_owned(),
        "@hourly" => "0 * * * *".to_owned(),
        other => other.to_owned(),
    };
    let f: Vec<&str> = expanded.split_whitespace().collect();
    let words = match f.as_slice() {
        [m, h, dom, mon, dow] => plain(m, h, dom, mon, dow),
        _ => None,
    };
    Some(words.unwrap_or_else(|| cron.describe()))
}

fn plain(m: &str, h: &str, dom: &str, mon: &str, dow: &str) -> Option<String> {
    let time = match (num(m), h) {
        (None, "*") if m == "*" => "every minute".to_owned(),
        (None, "*") => format!("every {} minutes", m.strip_prefix("*/").and_then(num)?),
        (Some(mm), "*") => format!("every hour at minute {mm}"),
        (Some(mm), h) if h.starts_with("*/") => format!("every {} hours at minute {mm}", num(&h[2..])?),
        (Some(mm), h) => {
            let hours: Option<Vec<String>> =
                h.split(',').map(|x| num(x).map(|hh| format!("{hh:02}:{mm:02}"))).collect();
            format!("at {}", hours?.join(", "))
        }
        _ => return None,
    };
    let mut parts = vec![time];
    match (dom, dow) {
        ("*", "*") if parts[0].starts_with("at ") => parts.push("every day".to_owned()),
        ("*", "*") => {}
        ("*", d) => parts.push(format!("on {}", list(d, |n| DAYS.get(n % 7).copied(), day_alias)?)),
        (d, "*") if d.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'-') => {
            parts.push(format!("on day {d} of the month"));
        }
        (d, w) if d.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'-') => parts.push(format!(
            "on day {d} of the month or on {}",
            list(w, |n| DAYS.get(n % 7).copied(), day_alias)?
        )),
        _ => return None,
    }
    if mon != "*" {
        parts.push(format!("in {}", list(mon, |n| MONTHS.get(n.checked_sub(1)?).copied(), |_| None)?));
    }
    Some(parts.join(" "))
}

fn num(s: &str) -> Option<u32> {
    s.parse().ok()
}

fn day_alias(s: &str) -> Option<&'static str> {
    let i =
        ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].iter().position(|d| s.eq_ignore_ascii_case(d))?;
    DAYS.get(i).copied()
}

/// "1,3" -> "Monday, Wednesday"; "1-5" -> "Monday to Friday"; names through `alias`.
fn list(
    field: &str,
    name: impl Fn(usize) -> Option<&'static str>,
    alias: impl Fn(&str) -> Option<&'static str>,
) -> Option<String> {
    let one = |x: &str| match x.parse::<usize>() {
        Ok(n) => name(n),
        Err(_) => alias(x),
    };
    let items: Option<Vec<String>> = field
        .split(',')
        .map(|item| match item.split_once('-') {
            Some((a, b)) => Some(format!("{} to {}", one(a)?, one(b)?)),
            None => one(item).map(str::to_owned),
        })
        .collect();
    Some(items?.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_in_the_largest_whole_unit() {
        assert_eq!(describe_interval(1), "every second");
        assert_eq!(describe_interval(300), "every 5 minutes");
        assert_eq!(describe_interval(3600), "every hour");
        assert_eq!(describe_interval(90), "every 90 seconds");
        assert_eq!(describe_interval(172_800), "every 2 days");
    }

    #[test]
    fn common_cron_strings_read_as_plain_words() {
        let d = |e: &str| describe_cron(e).unwrap_or_default();
        assert_eq!(d("*/5 * * * *"), "every 5 minutes");
        assert_eq!(d("0 2 * * 1"), "at 02:00 on Monday");
        assert_eq!(d("30 9 * * 1-5"), "at 09:30 on Monday to Friday");
        assert_eq!(d("0 * * * *"), "every hour at minute 0");
        assert_eq!(d("@daily"), "at 00:00 every day");
        assert_eq!(d("0 6,18 1 * *"), "at 06:00, 18:00 on day 1 of the month");
        assert_eq!(d("15 3 * 1 sun"), "at 03:15 on Sunday in January");
        assert_eq!(describe_cron("not a cron"), None);
    }

    #[test]
    fn next_runs_step_through_the_schedule_in_utc() {
        let c = parse("0 2 * * 1").expect("parses");
        // 2026-12-03T06:00:00Z is a Thursday: the next Monday 02:00 is 2026-12-07.
        let runs = next_runs(&c, 1_796_277_600.0, 3);
        assert_eq!(
            runs,
            ["2026-12-07T02:00:00.000000Z", "2026-12-14T02:00:00.000000Z", "2026-12-21T02:00:00.000000Z"]
        );
    }

    #[test]
    fn a_seconds_field_is_refused_rather_than_misread() {
        assert!(parse("0 0 2 * * 1").is_err(), "croniter's 6th field is seconds, croner's 1st: refuse");
    }
}
