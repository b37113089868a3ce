//! A busy worker's current job as the workers page shows it: function, arguments, queue and how
//! long it has run (static/running.js keeps that ticking).

use std::collections::HashMap;

use super::Chrome;
use crate::rq::job::JobRow;
use crate::rq::time;
use crate::web::fmt::{self, Time};

/// The current job of one worker.
pub struct Running {
    pub func: String,
    pub args: String,
    pub queue: Option<(String, String)>,
    pub started: Option<Time>,
    /// Run time so far ("2 min 5 s"), rendered for readers without JavaScript.
    pub elapsed: String,
    /// The job's hash is gone (or holds no data): nothing to say about it.
    pub missing: bool,
}

impl Running {
    /// The row of `id` among the jobs read, shaped for the page.
    pub fn of(c: &Chrome, id: &str, jobs: &HashMap<String, JobRow>) -> Option<Self> {
        let j = jobs.get(id)?;
        let started = Time::from(j.started_at.as_deref());
        let elapsed = j
            .started_at
            .as_deref()
            .and_then(time::parse)
            .map(|t| fmt::duration((time::now_epoch() - t.as_microsecond() as f64 / 1e6).max(0.0)))
            .unwrap_or_default();
        Some(Self {
            func: j.func_name.clone().or_else(|| j.call_note.clone()).unwrap_or_default(),
            args: j.args_preview.clone().unwrap_or_default(),
            queue: j.origin.clone().map(|q| (c.queue_href(&q, Some("started")), q)),
            started,
            elapsed,
            missing: j.missing,
        })
    }
}
