//! The failure-groups page and the overview's "top failure groups of the last hour" panel.

use askama::Template;
use askama_web::WebTemplate;

use crate::store::failure_groups::{Group, Snapshot, Status, TopGroups};
use crate::web::fmt::{self, Time, filters};
use crate::web::view::Chrome;

/// Job ids linked directly from a group (the rest through its search link).
const RECENT_IDS: usize = 5;

/// The groups of a snapshot in the requested order.
pub fn sorted<'a>(snap: &'a Snapshot, sort: &str) -> Vec<&'a Group> {
    let mut v: Vec<&Group> = snap.groups.iter().collect();
    if sort == "recent" {
        v.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then_with(|| b.count.cmp(&a.count)));
    }
    v
}

/// The `q` that finds exactly a group's jobs (in one queue or all).
pub fn group_query(g: &Group, queue: Option<&str>) -> String {
    let mut q = format!("state:failed group:{}", g.id);
    if let Some(name) = queue {
        q.push_str(" queue:");
        q.push_str(&crate::store::search::query::quote(name));
    }
    q
}

/// One group.
pub struct GroupRow {
    pub id: String,
    pub exc_type: String,
    pub message: String,
    pub count: String,
    /// Share of the failures in scope, e.g. "42%".
    pub share: String,
    pub first_seen: Option<Time>,
    pub last_seen: Option<Time>,
    pub functions: Vec<(String, String)>,
    pub queues: Vec<(String, String, String)>,
    pub example_href: String,
    pub example_id: String,
    pub example_exception: String,
    pub example_traceback: String,
    pub recent: Vec<(String, String)>,
    pub search_href: String,
    /// The query that selects exactly this group, for the Requeue/Delete buttons.
    pub q: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "failure_groups.html")]
pub struct GroupsView {
    pub c: Chrome,
    pub queue: Option<String>,
    pub sort: &'static str,
    /// (name, selected) for the scope selector.
    pub queues: Vec<(String, bool)>,
    /// Still computing: (scanned, total) formatted.
    pub computing: Option<(String, String)>,
    pub as_of: Option<Time>,
    pub elapsed: String,
    pub scanned: String,
    pub orphans: u64,
    pub groups: Vec<GroupRow>,
    pub count_href: String,
    pub recent_href: String,
    /// For search.js: poll this while computing.
    pub api_url: String,
}

impl GroupsView {
    /// Build from the cache's answer.
    pub fn build(
        c: Chrome,
        queue: Option<&str>,
        sort: &'static str,
        status: Status,
        names: Vec<String>,
    ) -> Self {
        let (snap, computing) = match status {
            Status::Ready(s) => (Some(s), None),
            Status::Computing { progress, stale } => {
                let n = |x: u64| fmt::int(i64::try_from(x).unwrap_or(i64::MAX));
                (stale, Some((n(progress.scanned), n(progress.total))))
            }
        };
        let scope = queue.map(|q| format!("&queue={}", fmt::q(q))).unwrap_or_default();
        let href = |s: &str| format!("{}/failed/groups?sort={s}{scope}{}", c.prefix, c.inst_amp);
        let groups = snap.as_ref().map_or_else(Vec::new, |s| {
            let all: u64 = s.groups.iter().map(|g| g.count).sum::<u64>().max(1);
            sorted(s, sort)
                .into_iter()
                .map(|g| {
                    let q = group_query(g, queue);
                    GroupRow {
                        id: g.id.clone(),
                        label: g.label.clone(),
                        exc_type: g.exc_type.clone(),
                        message: g.message.clone(),
                        count: fmt::int(i64::try_from(g.count).unwrap_or(i64::MAX)),
                        share: format!("{}%", (g.count * 100 + all / 2) / all),
                        first_seen: Time::from(g.first_seen.as_deref()),
                        last_seen: Time::from(g.last_seen.as_deref()),
                        functions: g
                            .functions
                            .iter()
                            .map(|(f, n)| (f.clone(), fmt::int(*n as i64)))
                            .collect(),
                        queues: g
                            .queues
                            .iter()
                            .map(|(name, n)| {
                                (name.clone(), c.queue_href(name, Some("failed")), fmt::int(*n as i64))
                            })
                            .collect(),
                        example_href: c.job_href(&g.example_id),
                        example_id: g.example_id.clone(),
                        example_exception: g.example_exception.clone(),
                        example_traceback: g.example_traceback.clone(),
                        recent: g
                            .ids
                            .iter()
                            .take(RECENT_IDS)
                            .map(|id| (id.clone(), c.job_href(id)))
                            .collect(),
                        search_href: format!("{}/search?q={}{}", c.prefix, fmt::q(&q), c.inst_amp),
                        q,
                    }
                })
                .collect()
        });
        let mut queues: Vec<(String, bool)> =
            names.into_iter().map(|n| (n.clone(), Some(n.as_str()) == queue)).collect();
        if let Some(q) = queue
            && !queues.iter().any(|(n, _)| n == q)
        {
            queues.push((q.to_owned(), true));
        }
        let api_scope = queue.map(|q| format!("&queue={}", fmt::q(q))).unwrap_or_default();
        Self {
            api_url: format!(
                "{}/api/v1/failed/groups?ids=0&wait=1000{api_scope}&instance={}",
                c.prefix, c.instance
            ),
            count_href: href("count"),
            recent_href: href("recent"),
            queue: queue.map(str::to_owned),
            sort,
            queues,
            computing,
            as_of: snap.as_ref().and_then(|s| Time::from(Some(s.computed_at.as_str()))),
            elapsed: snap.as_ref().map(|s| fmt::duration(s.elapsed_ms as f64 / 1000.0)).unwrap_or_default(),
            scanned: snap
                .as_ref()
                .map(|s| fmt::int(i64::try_from(s.scanned).unwrap_or(i64::MAX)))
                .unwrap_or_default(),
            orphans: snap.as_ref().map_or(0, |s| s.orphans),
            groups,
            c,
        }
    }
}

/// One group of the overview panel.
pub struct TopRow {
    pub label: String,
    pub href: String,
    pub last_hour: String,
    pub count: String,
    pub last_seen: Option<Time>,
    pub functions: String,
}

/// The overview panel: `{% include "_top_groups.html" %}` with this as `top_groups`.
pub struct TopGroupsView {
    pub groups: Vec<TopRow>,
    pub computing: bool,
    pub error: Option<String>,
    /// The failure-groups page, most recent first.
    pub groups_href: String,
    pub css_href: String,
}

impl TopGroupsView {
    /// Build from the store's answer.
    pub fn build(c: &Chrome, top: TopGroups) -> Self {
        Self {
            groups: top
                .groups
                .into_iter()
                .map(|g| {
                    let q = format!("state:failed group:{} after:1h", g.id);
                    TopRow {
                        href: format!("{}/search?q={}{}", c.prefix, fmt::q(&q), c.inst_amp),
                        label: g.label,
                        last_hour: fmt::int(i64::try_from(g.last_hour).unwrap_or(i64::MAX)),
                        count: fmt::int(i64::try_from(g.count).unwrap_or(i64::MAX)),
                        last_seen: Time::from(g.last_seen.as_deref()),
                        functions: g.functions.join(", "),
                    }
                })
                .collect(),
            computing: top.computing,
            error: top.error,
            groups_href: format!("{}/failed/groups?sort=recent{}", c.prefix, c.inst_amp),
            css_href: format!("{}/static/search.css?v={}", c.prefix, c.asset_v),
        }
    }
}

#[cfg(test)]
mod tests;
