//! Server-rendered SVG charts: pure functions from a few series to escaped markup, coloured with
//! the app's CSS variables (so dark mode needs nothing) and accessible (`role="img"`, a `<title>`
//! and an `aria-label` summary). No JavaScript.

mod axis;

use std::fmt::Write;

pub use axis::{esc, label, y_ticks};
use axis::{n, x_ticks};

/// A colour of the app's palette, drawn as `var(--name)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Queued,
    Started,
    Finished,
    Failed,
    Muted,
}

impl Tone {
    fn var(self) -> &'static str {
        match self {
            Tone::Queued => "var(--queued)",
            Tone::Started => "var(--started)",
            Tone::Finished => "var(--finished)",
            Tone::Failed => "var(--failed)",
            Tone::Muted => "var(--muted)",
        }
    }
}

/// How the values of a chart are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    PerMinute,
    Seconds,
}

/// One series: `(unix time, value)` pairs in time order; missing buckets are simply absent.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub tone: Tone,
    /// Fill the area under the line.
    pub area: bool,
    pub points: Vec<(i64, f64)>,
}

/// A time chart from `from` to `to` (unix seconds) with buckets of `step` seconds: points more
/// than 1.5 steps apart are not joined, so gaps in the history show as gaps.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub unit: Unit,
    pub from: i64,
    pub to: i64,
    pub step: i64,
    pub lines: Vec<Line>,
}

const W: f64 = 640.0;
const H: f64 = 180.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 22.0;

/// The chart as one `<svg>` element.
pub fn render(c: &Chart) -> String {
    let max =
        c.lines.iter().flat_map(|l| &l.points).map(|p| p.1).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let yt = y_ticks(max, c.unit);
    let top = yt.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    let span = (c.to - c.from).max(1) as f64;
    let x = |t: i64| LEFT + (t - c.from) as f64 / span * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v.clamp(0.0, top) / top);
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" font-size="11"><title>{}</title>"#,
        esc(&summary(c)),
        esc(&c.title)
    );
    s.push_str(r#"<g class="chart-grid" stroke="var(--border)" stroke-width="1">"#);
    for v in &yt {
        let _ = write!(s, r#"<line x1="{}" x2="{}" y1="{2}" y2="{2}"/>"#, n(LEFT), n(W - RIGHT), n(y(*v)));
    }
    s.push_str(r#"</g><g class="chart-axis" fill="var(--muted)">"#);
    for v in &yt {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            n(LEFT - 6.0),
            n(y(*v) + 4.0),
            esc(&label(*v, c.unit))
        );
    }
    for t in x_ticks(c.from, c.to) {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            n(x(t.0)),
            n(H - 6.0),
            esc(&t.1)
        );
    }
    let _ = write!(s, r#"<text x="{}" y="12" text-anchor="end">UTC</text></g>"#, n(W - RIGHT));
    s.push_str(r#"<g class="chart-series">"#);
    for l in &c.lines {
        let runs = runs(&l.points, c.step);
        let line: String = runs.iter().map(|r| path(r, &x, &y)).collect();
        if l.area {
            let base = n(y(0.0));
            let area: String = runs
                .iter()
                .filter(|r| r.len() > 1)
                .map(|r| {
                    format!(
                        "M{},{base}{}L{},{base}Z",
                        n(x(r[0].0)),
                        path(r, &x, &y).replacen('M', "L", 1),
                        n(x(r[r.len() - 1].0))
                    )
                })
                .collect();
            if !area.is_empty() {
                let _ = write!(
                    s,
                    r#"<path class="chart-area" d="{area}" fill="{}" fill-opacity="0.15" stroke="none"/>"#,
                    l.tone.var()
                );
            }
        }
        if !line.is_empty() {
            let _ = write!(
                s,
                r#"<path class="chart-line" d="{line}" fill="none" stroke="{}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>"#,
                l.tone.var()
            );
        }
    }
    s.push_str(r#"</g><g class="chart-legend">"#);
    let mut lx = LEFT;
    for l in &c.lines {
        let _ =
            write!(s, r#"<rect x="{}" y="7" width="10" height="4" rx="1" fill="{}"/>"#, n(lx), l.tone.var());
        let _ = write!(s, r#"<text x="{}" y="12" fill="var(--text)">{}</text>"#, n(lx + 14.0), esc(&l.label));
        lx += 14.0 + 6.5 * l.label.chars().count() as f64 + 14.0;
    }
    s.push_str("</g>");
    if c.lines.iter().all(|l| l.points.is_empty()) {
        let _ = write!(
            s,
            r#"<text class="chart-empty" x="{}" y="{}" text-anchor="middle" fill="var(--muted)">No history recorded in this range yet</text>"#,
            n((LEFT + W - RIGHT) / 2.0),
            n((TOP + H - BOTTOM) / 2.0)
        );
    }
    s.push_str("</svg>");
    s
}

/// The text a screen reader gets: each line's latest and peak value.
fn summary(c: &Chart) -> String {
    let parts: Vec<String> = c
        .lines
        .iter()
        .filter_map(|l| {
            let last = l.points.last()?.1;
            let peak = l.points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            Some(format!("{}: latest {}, peak {}", l.label, label(last, c.unit), label(peak, c.unit)))
        })
        .collect();
    if parts.is_empty() {
        format!("{}: no data yet", c.title)
    } else {
        format!("{}. {}.", c.title, parts.join("; "))
    }
}

/// Split points into runs of consecutive buckets.
fn runs(points: &[(i64, f64)], step: i64) -> Vec<&[(i64, f64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || (points[i].0 - points[i - 1].0) * 2 > step.max(1) * 3 {
            out.push(&points[start..i]);
            start = i;
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn path(run: &[(i64, f64)], x: &impl Fn(i64) -> f64, y: &impl Fn(f64) -> f64) -> String {
    let mut d = String::new();
    for (i, (t, v)) in run.iter().enumerate() {
        let _ = write!(d, "{}{},{}", if i == 0 { 'M' } else { 'L' }, n(x(*t)), n(y(*v)));
    }
    if run.len() == 1 {
        d.push_str("h0"); // a lone bucket: a zero-length segment drawn as a dot by the round cap
    }
    d
}

#[cfg(test)]
mod tests;
