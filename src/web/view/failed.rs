//! The failures page (`/failed`): the newest failures of all queues, filtered by queue,
//! function and exception.

use askama::Template;
use askama_web::WebTemplate;

use super::Chrome;
use super::queue::{Row, bulk_actions, row};
use super::worker_link::WorkerPages;
use crate::store::failed::{self, FailedAcross, FailedFilter};
use crate::web::fmt::{self, filters};

#[derive(Template, WebTemplate)]
#[template(path = "failed.html")]
pub struct FailedPage {
    pub c: Chrome,
    /// (queue href, queue, row).
    pub rows: Vec<(String, String, Row)>,
    pub total: String,
    /// Failed entries past expiry, awaiting RQ's cleanup (not in `total`).
    pub expired: String,
    /// Queues whose failures are too many for the exact order (see store::failed).
    pub by_expiry: Vec<String>,
    pub exact_budget: String,
    pub limits: Vec<(u64, bool)>,
    /// The filter as asked, and the queues it offers: (name, selected).
    pub filter: FailedFilter,
    pub queues: Vec<(String, bool)>,
    /// The link that clears every filter (None when none is set).
    pub clear_href: Option<String>,
    /// Actions on the selected rows (as on a queue's failed tab), and where they are sent.
    pub bulk: Vec<(&'static str, &'static str, bool)>,
    pub bulk_url: String,
}

impl FailedPage {
    /// The page for one read of the failures, `limit` rows at most.
    /// `workers`: the worker names whose page can say something (the others are not linked).
    pub fn build(
        c: Chrome,
        f: FailedAcross,
        filter: FailedFilter,
        limit: u64,
        workers: &WorkerPages,
    ) -> Self {
        let rows = f
            .rows
            .into_iter()
            .map(|(q, j)| (c.queue_href(&q, Some("failed")), q, row(&c, j, workers)))
            .collect();
        let limits = [50, 100, 200, 500, 1000].iter().map(|n| (*n, *n == limit)).collect();
        let mut queues: Vec<(String, bool)> =
            f.queues.into_iter().map(|q| (q.clone(), q == filter.queue)).collect();
        // A queue asked for but holding no failure stays selectable, so the form says what is shown.
        if !filter.queue.is_empty() && !queues.iter().any(|(_, s)| *s) {
            queues.push((filter.queue.clone(), true));
        }
        let any = !(filter.queue.is_empty() && filter.function.is_empty() && filter.exception.is_empty());
        Self {
            total: fmt::int(f.total),
            expired: fmt::int(f.expired),
            by_expiry: f.by_expiry,
            exact_budget: fmt::int(failed::EXACT_BUDGET),
            rows,
            limits,
            filter,
            queues,
            clear_href: any.then(|| format!("{}/failed{}", c.prefix, c.inst_q)),
            bulk: if c.read_only {
                Vec::new()
            } else {
                c.allowed_bulk(bulk_actions(crate::rq::State::Failed))
            },
            bulk_url: format!("{}/api/v1/jobs/bulk?background=1&instance={}", c.prefix, c.instance),
            c,
        }
    }
}
