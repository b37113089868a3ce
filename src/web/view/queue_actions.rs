//! What a queue tab offers to do: the whole-list actions of a state (requeue all, compact,
//! empty, delete all) with confirmations naming the exact count, and the actions on selected rows.

use super::{ActionButton, Chrome};
use crate::rq::State;
use crate::web::fmt;

/// The whole-list actions a state offers, with confirmations that name the exact count and queue.
pub(super) fn list_actions(c: &Chrome, queue: &str, state: State, total: i64) -> Vec<ActionButton> {
    if c.read_only || total == 0 {
        return Vec::new();
    }
    let api = |op: &str, st: &str| {
        format!("{}/api/v1/queues/{}/{op}?state={st}&instance={}", c.prefix, fmt::seg(queue), c.instance)
    };
    // Names are quoted with “ ”, not Markdown backticks: the dialog shows plain text.
    let s = state.as_str();
    let n_jobs = fmt::count(total, &format!("{s} job"));
    let mut out = Vec::new();
    if state.requeuable() {
        out.push(ActionButton {
            label: "Requeue all",
            url: api("requeue", s),
            confirm: format!("Requeue {n_jobs} of queue “{queue}” into their queue? Orphaned ids and expired entries are removed and counted, as RQ's cleanup would."),
            class: "",
            background: true,
        });
    }
    match state {
        State::Queued => {
            out.push(ActionButton {
                label: "Compact",
                url: format!("{}/api/v1/queues/{}/compact?instance={}", c.prefix, fmt::seg(queue), c.instance),
                confirm: format!(
                    "Remove the orphaned ids (ids without job data) from queue “{queue}”? It lists {}; the jobs among them keep their order.",
                    fmt::count(total, "id")
                ),
                class: "",
                background: true,
            });
            out.push(ActionButton {
                label: "Empty queue",
                url: api("empty", s),
                confirm: format!(
                    "Delete all {n_jobs} of queue “{queue}”, with their job data? This cannot be undone."
                ),
                class: "danger",
                background: true,
            });
        }
        State::Started | State::Ready => {}
        _ => out.push(ActionButton {
            label: "Delete all",
            url: api("empty", s),
            confirm: format!(
                "Delete all {n_jobs} of queue “{queue}”, with their job data? This cannot be undone."
            ),
            class: "danger",
            background: true,
        }),
    }
    c.allowed(out, Some(queue))
}

/// Actions on selected rows for a state.
pub(crate) fn bulk_actions(state: State) -> Vec<(&'static str, &'static str, bool)> {
    let list: Vec<(&'static str, &'static str)> = match state {
        s if s.requeuable() => vec![("requeue", "Requeue"), ("delete", "Delete")],
        State::Queued => vec![("cancel", "Cancel"), ("delete", "Delete")],
        State::Deferred | State::Scheduled => {
            vec![("enqueue", "Enqueue now"), ("cancel", "Cancel"), ("delete", "Delete")]
        }
        State::Finished => vec![("delete", "Delete")],
        State::Started | State::Ready | State::Failed | State::Canceled => vec![],
    };
    list.into_iter().map(|(a, l)| (a, l, a == "delete")).collect()
}
