//! Unit tests of the SVG charts: coordinates, areas, gaps, escaping, ticks and labels.

use super::*;

fn chart(points: Vec<(i64, f64)>, area: bool) -> Chart {
    Chart {
        title: "Throughput".into(),
        unit: Unit::Count,
        from: 0,
        to: 120,
        step: 60,
        lines: vec![Line { label: "finished".into(), tone: Tone::Finished, area, points }],
    }
}

#[test]
fn a_three_point_series_draws_through_the_expected_coordinates() {
    // Plot area x 44..630, y 26..158; values 0, 2, 4 on a 0..4 axis.
    let svg = render(&chart(vec![(0, 0.0), (60, 2.0), (120, 4.0)], false));
    assert!(svg.contains(r#"d="M44,158L337,92L630,26""#), "{svg}");
    assert!(svg.contains(r#"stroke="var(--finished)""#));
}

#[test]
fn an_area_chart_closes_its_path_on_the_zero_line() {
    let svg = render(&chart(vec![(0, 4.0), (60, 4.0), (120, 4.0)], true));
    let want = r#"d="M44,158L44,26L337,26L630,26L630,158Z" fill="var(--finished)" fill-opacity="0.15""#;
    assert!(svg.contains(want), "{svg}");
    let lone = render(&chart(vec![(0, 4.0)], true));
    assert!(!lone.contains("chart-area"), "a lone bucket has no area: {lone}");
}

#[test]
fn a_gap_in_the_history_breaks_the_line_and_a_lone_bucket_is_a_dot() {
    let mut c = chart(vec![(0, 1.0), (60, 1.0), (600, 1.0)], false);
    c.to = 600;
    let svg = render(&c);
    let d =
        svg.split(r#"class="chart-line" d=""#).nth(1).and_then(|s| s.split('"').next()).expect("line path");
    assert_eq!(d.matches('M').count(), 2, "{d}");
    assert!(d.ends_with("h0"), "{d}");
}

#[test]
fn titles_and_labels_are_escaped_everywhere() {
    let mut c = chart(vec![(0, 1.0)], false);
    c.title = r#"<script>"q" & 'x'"#.into();
    c.lines[0].label = "<b>".into();
    let svg = render(&c);
    assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
    assert!(svg.contains("<title>&lt;script&gt;&quot;q&quot; &amp; &#39;x&#39;</title>"), "{svg}");
    assert!(svg.contains(
        r#"aria-label="&lt;script&gt;&quot;q&quot; &amp; &#39;x&#39;. &lt;b&gt;: latest 1, peak 1.""#
    ));
}

#[test]
fn the_chart_is_an_accessible_image_themed_by_css_variables() {
    let svg = render(&chart(vec![(0, 1.0)], false));
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    assert!(svg.contains(r#"role="img""#) && svg.contains("<title>Throughput</title>"));
    assert!(svg.contains(r#"stroke="var(--border)""#) && svg.contains(r#"fill="var(--muted)""#));
    assert!(!svg.contains('#'), "no hard-coded colours: {svg}");
}

#[test]
fn an_empty_chart_says_so() {
    let svg = render(&chart(Vec::new(), true));
    assert!(svg.contains("No history recorded in this range yet"));
    assert!(svg.contains(r#"aria-label="Throughput: no data yet""#));
}

#[test]
fn y_ticks_are_round_and_cover_the_maximum() {
    assert_eq!(y_ticks(7.0, Unit::Count), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
    assert_eq!(y_ticks(0.0, Unit::Count), vec![0.0, 1.0]);
    assert_eq!(y_ticks(0.3, Unit::PerMinute), vec![0.0, 0.1, 0.2, 0.30000000000000004]);
    assert_eq!(y_ticks(250.0, Unit::Seconds), vec![0.0, 120.0, 240.0, 360.0]);
}

#[test]
fn labels_are_short_and_unit_aware() {
    assert_eq!(label(1500.0, Unit::Count), "1.5k");
    assert_eq!(label(2_000_000.0, Unit::Count), "2M");
    assert_eq!(label(0.5, Unit::PerMinute), "0.5");
    assert_eq!(label(240.0, Unit::Seconds), "4m");
    assert_eq!(label(5400.0, Unit::Seconds), "1.5h");
    assert_eq!(label(30.0, Unit::Seconds), "30s");
}

#[test]
fn time_labels_are_utc_clock_times_within_a_day_and_dates_beyond() {
    // 2023-11-14T22:00:00Z and an hour later.
    let ticks = x_ticks(1_699_999_200, 1_700_002_800);
    assert_eq!(ticks.first().map(|t| t.1.as_str()), Some("22:00"));
    assert!(ticks.len() <= 7);
    let days = x_ticks(1_700_000_000 - 7 * 86_400, 1_700_000_000);
    assert!(days.iter().all(|t| t.1.starts_with("Nov")), "{days:?}");
}
