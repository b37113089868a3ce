//! The history charts of the overview and queue pages: one store read, three SVG charts and a
//! time-to-drain estimate, ready for a template (`{{ view.throughput_svg|safe }}`).

use crate::store::history::{self, Layout, Point, Range, Series};
use crate::store::{Instance, Result};

use super::chart::{self, Chart, Line, Tone, Unit};
use super::fmt;

/// Everything a page shows of one subject's history.
#[derive(Debug, Clone)]
pub struct ChartsView {
    pub range: Range,
    /// Finished and failed jobs per minute.
    pub throughput_svg: String,
    /// Queued and started jobs.
    pub depth_svg: String,
    /// Age of the oldest queued job.
    pub oldest_svg: String,
    /// "about 4 min 10 s at the current rate", when the queue is shrinking.
    pub drain: Option<String>,
    /// Nothing recorded in the range (the page may say that the sampler is off).
    pub empty: bool,
}

/// Read and draw the history of `queue` (all queues with None) over `range`. Reads only.
pub async fn charts_for(
    inst: &Instance,
    layout: &Layout,
    queue: Option<&str>,
    range: Range,
) -> Result<ChartsView> {
    Ok(charts(&history::series(inst, layout, queue, range).await?))
}

/// Draw a series already read (pure; used by [`charts_for`] and tests).
pub fn charts(s: &Series) -> ChartsView {
    let hourly = s.step > 60;
    let line = |label: &str, tone, area, f: fn(&Point) -> Option<f64>| Line {
        label: label.to_owned(),
        tone,
        area,
        points: s.points.iter().filter_map(|p| Some((p.t, f(p)?))).collect(),
    };
    let make = |title: &str, unit, lines| Chart {
        title: format!("{title}, {}", range_label(s.range)),
        unit,
        from: s.from,
        to: s.to,
        step: s.step,
        lines,
    };
    let throughput = make(
        if hourly { "Jobs ended per minute (hourly average)" } else { "Jobs ended per minute" },
        Unit::PerMinute,
        vec![
            line("finished", Tone::Finished, true, |p| p.finished_per_min),
            line("failed", Tone::Failed, false, |p| p.failed_per_min),
        ],
    );
    let depth = make(
        if hourly { "Queue depth (hourly peak)" } else { "Queue depth" },
        Unit::Count,
        vec![
            line("queued", Tone::Queued, true, |p| p.queued.map(|v| v as f64)),
            line("started", Tone::Started, false, |p| p.started.map(|v| v as f64)),
        ],
    );
    let oldest = make(
        if hourly { "Oldest queued job age (hourly peak)" } else { "Oldest queued job age" },
        Unit::Seconds,
        // An empty queue has no oldest job: its age reads as zero rather than a gap.
        vec![line("oldest job", Tone::Queued, true, |p| {
            p.oldest_age_s.or(p.queued.map(|_| 0)).map(|v| v as f64)
        })],
    );
    ChartsView {
        range: s.range,
        throughput_svg: chart::render(&throughput),
        depth_svg: chart::render(&depth),
        oldest_svg: chart::render(&oldest),
        drain: history::time_to_drain(s)
            .map(|secs| format!("about {} at the current rate", fmt::duration(secs))),
        empty: s.points.is_empty(),
    }
}

/// "last hour", "last 24 hours", "last 7 days", "last 90 days".
pub fn range_label(r: Range) -> &'static str {
    match r {
        Range::H1 => "last hour",
        Range::H24 => "last 24 hours",
        Range::D7 => "last 7 days",
        Range::D90 => "last 90 days",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: Vec<Point>) -> Series {
        Series { range: Range::H1, step: 60, from: 0, to: 3540, points }
    }

    #[test]
    fn a_draining_queue_gets_three_charts_and_an_estimate() {
        let points = (0..5)
            .map(|i| Point {
                t: 3300 + i * 60,
                queued: Some(50 - i * 10),
                started: Some(2),
                finished_per_min: Some(10.0),
                failed_per_min: Some(0.0),
                oldest_age_s: Some(30),
                ..Point::default()
            })
            .collect();
        let v = charts(&series(points));
        assert!(v.throughput_svg.contains("Jobs ended per minute, last hour"));
        assert!(
            v.depth_svg.contains(r#"stroke="var(--queued)""#)
                && v.depth_svg.contains(r#"stroke="var(--started)""#)
        );
        assert!(v.oldest_svg.contains("oldest job"));
        assert_eq!(v.drain.as_deref(), Some("about 1 min 0 s at the current rate"));
        assert!(!v.empty);
    }

    #[test]
    fn no_history_gives_empty_charts_and_no_estimate() {
        let v = charts(&series(Vec::new()));
        assert!(v.empty && v.drain.is_none());
        assert!(v.depth_svg.contains("No history recorded"));
    }
}
