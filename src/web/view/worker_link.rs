//! Links to worker pages, drawn only where the page can say something: a worker that exited and
//! left neither its hash nor its `rq:workers` entry would lead to a 404, so it is named, not linked.

use std::collections::HashSet;

use super::Chrome;

/// The worker names whose page can say something, read once per page by
/// [`crate::store::running::known_workers`] (one pipelined read for all the names shown).
#[derive(Debug, Default)]
pub struct WorkerPages(HashSet<String>);

impl WorkerPages {
    /// The names read as known.
    pub fn new(known: HashSet<String>) -> Self {
        Self(known)
    }

    /// The names, sorted (for the JSON a script draws links from).
    pub fn names(self) -> Vec<String> {
        let mut v: Vec<String> = self.0.into_iter().collect();
        v.sort();
        v
    }

    /// The link (or plain name) for a worker.
    pub fn link(&self, c: &Chrome, name: String) -> WorkerLink {
        WorkerLink { href: self.0.contains(&name).then(|| c.worker_href(&name)), name }
    }
}

/// A worker name as a page shows it.
#[derive(Debug, Clone)]
pub struct WorkerLink {
    pub name: String,
    /// `None` when the worker has exited and its page would say nothing.
    pub href: Option<String>,
}
