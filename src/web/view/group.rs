//! The group page (RQ 2.0+): the group's jobs with their status, and the count of each status.

use askama::Template;
use askama_web::WebTemplate;

use super::Chrome;
use super::queue::{Row, row};
use super::worker_link::WorkerPages;
use crate::store::groups::GroupPage;
use crate::web::fmt::{self, filters};

/// A job of the group: the common row and its status.
pub struct GroupRow {
    pub r: Row,
    pub status: String,
    pub queue_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "group.html")]
pub struct GroupView {
    pub c: Chrome,
    pub name: String,
    pub registered: bool,
    pub total: String,
    /// (status, count) for every status present.
    pub counts: Vec<(String, String)>,
    pub counts_exact: bool,
    pub rows: Vec<GroupRow>,
    pub page: u64,
    pub pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub corrupt: Vec<String>,
}

impl GroupView {
    /// Build from one page of the group.
    pub fn build(c: Chrome, g: GroupPage) -> Self {
        let link = |p: u64| {
            format!(
                "{}/groups/{}?page={p}&per_page={}{}",
                c.prefix,
                fmt::seg(&g.name),
                g.per_page,
                c.inst_amp
            )
        };
        let pages = g.pages.max(1);
        let rows = g
            .jobs
            .into_iter()
            .map(|j| {
                let status = j.status.clone().unwrap_or_default();
                // The group page shows no worker column, so no worker is read.
                let r = row(&c, j, &WorkerPages::default());
                GroupRow { queue_href: c.queue_href(&r.origin, None), status, r }
            })
            .collect();
        Self {
            name: g.name.clone(),
            registered: g.registered,
            total: fmt::int(g.total),
            counts: g.counts.iter().map(|(s, n)| (s.clone(), fmt::int(*n))).collect(),
            counts_exact: g.counts_exact,
            rows,
            page: g.page,
            pages,
            prev: (g.page > 1).then(|| link(g.page - 1)),
            next: (g.page < pages).then(|| link(g.page + 1)),
            corrupt: g.corrupt.iter().map(|w| w.message.clone()).collect(),
            c,
        }
    }
}
