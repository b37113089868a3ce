use askama::Template;

use super::*;

/// The include on its own, as the overview renders it.
#[derive(Template)]
#[template(source = "{% include \"_top_groups.html\" %}", ext = "html")]
struct Panel {
    top_groups: TopGroupsView,
}

fn view(groups: Vec<TopRow>, computing: bool) -> TopGroupsView {
    TopGroupsView {
        groups,
        computing,
        error: None,
        groups_href: "/failed/groups?sort=recent".into(),
        css_href: "/static/search.css?v=1".into(),
    }
}

#[test]
fn the_overview_panel_lists_groups_escaped() {
    let row = TopRow {
        label: "KeyError: '<script>'".into(),
        href: "/search?q=state%3Afailed".into(),
        last_hour: "12".into(),
        count: "1,024".into(),
        last_seen: Time::from(Some("2026-11-27T05:20:01.123456Z")),
        functions: "tasks.send".into(),
    };
    let html = Panel { top_groups: view(vec![row], false) }.render().expect("render");
    assert!(html.contains("KeyError: &#39;&#60;script&#62;&#39;") && !html.contains("<script>"), "{html}");
    assert!(html.contains(">12<") && html.contains("of 1,024"));
    assert!(html.contains("href=\"/failed/groups?sort=recent\""));
}

#[test]
fn the_overview_panel_says_when_it_is_computing_or_empty() {
    let html = Panel { top_groups: view(Vec::new(), true) }.render().expect("render");
    assert!(html.contains("Grouping failed jobs"));
    let html = Panel { top_groups: view(Vec::new(), false) }.render().expect("render");
    assert!(html.contains("No failures in the last hour."));
}
