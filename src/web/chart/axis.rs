//! Axes of the charts: round ticks, short unit-aware labels, UTC time labels, escaping.

use jiff::tz::TimeZone;

use super::Unit;

/// Y ticks from 0 to a round value at or above `max`: steps of 1, 2 or 5 × 10ⁿ (whole for
/// counts), or human durations for seconds; at most 5 ticks.
pub fn y_ticks(max: f64, unit: Unit) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    const SECS: [f64; 18] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14_400.0,
        21_600.0, 43_200.0, 86_400.0,
    ];
    let nice = |raw: f64| {
        let e = 10f64.powf(raw.log10().floor());
        [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * e).find(|s| *s >= raw).unwrap_or(10.0 * e)
    };
    let step = match unit {
        Unit::Seconds => SECS.into_iter().find(|s| max / s <= 4.0).unwrap_or_else(|| nice(max / 4.0)),
        Unit::Count => nice(max / 4.0).max(1.0),
        Unit::PerMinute => nice(max / 4.0),
    };
    (0..=(max / step).ceil() as i64).map(|i| i as f64 * step).collect()
}

/// X ticks at round UTC times, at most 6: `HH:MM` within a day, `Mon D` beyond.
pub(super) fn x_ticks(from: i64, to: i64) -> Vec<(i64, String)> {
    const STEPS: [i64; 14] =
        [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_814_400];
    let step = STEPS.into_iter().find(|s| (to - from) / s <= 6).unwrap_or(2_592_000);
    let mut t = from + (step - from.rem_euclid(step)) % step;
    let mut out = Vec::new();
    while t <= to {
        let Ok(ts) = jiff::Timestamp::from_second(t) else { break };
        let d = TimeZone::UTC.to_datetime(ts);
        let text = if step < 86_400 {
            format!("{:02}:{:02}", d.hour(), d.minute())
        } else {
            const MONTHS: [&str; 12] =
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            format!("{} {}", MONTHS[(d.month() as usize).saturating_sub(1) % 12], d.day())
        };
        out.push((t, text));
        t += step;
    }
    out
}

/// A value as an axis label: `12`, `1.5k`, `0.5` (per minute), `30s` / `5m` / `2h` / `3d`.
pub fn label(v: f64, unit: Unit) -> String {
    let trim = |s: String| {
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
    };
    match unit {
        Unit::Seconds if v >= 86_400.0 => trim(format!("{:.1}", v / 86_400.0)) + "d",
        Unit::Seconds if v >= 3600.0 => trim(format!("{:.1}", v / 3600.0)) + "h",
        Unit::Seconds if v >= 60.0 => trim(format!("{:.1}", v / 60.0)) + "m",
        Unit::Seconds => format!("{}s", v.round()),
        _ if v >= 1e6 => trim(format!("{:.1}", v / 1e6)) + "M",
        _ if v >= 1e3 => trim(format!("{:.1}", v / 1e3)) + "k",
        Unit::PerMinute if v < 10.0 => trim(format!("{v:.1}")),
        _ => format!("{}", v.round()),
    }
}

/// A coordinate with at most one decimal.
pub(super) fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
}

/// Escape text for SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}
