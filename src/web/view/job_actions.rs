//! The action buttons of a job page.

use super::{ActionButton, Chrome};
use crate::web::fmt;

/// The actions that apply to a job in its status (RQ's own rules; the server re-checks).
pub fn job_actions(c: &Chrome, id: &str, status: &str, queue: &str) -> Vec<ActionButton> {
    if c.read_only {
        return Vec::new();
    }
    let url = |a: &str| format!("{}/api/v1/jobs/{}/{a}?instance={}", c.prefix, fmt::seg(id), c.instance);
    let b = |label, a: &str, confirm: String, class| ActionButton {
        label,
        url: url(a),
        confirm,
        class,
        background: false,
    };
    let mut out = Vec::new();
    match status {
        s if crate::rq::registry::REQUEUABLE_STATUSES.contains(&s) => {
            out.push(b("Requeue", "requeue", format!("Requeue job {id} into queue “{queue}”?"), ""))
        }
        "scheduled" | "deferred" => {
            out.push(b("Enqueue now", "enqueue", format!("Enqueue job {id} on queue “{queue}” now?"), ""))
        }
        "started" => out.push(b(
            "Stop",
            "stop",
            format!("Ask the worker running job {id} to stop it? The job becomes stopped (failed registry)."),
            "danger",
        )),
        _ => {}
    }
    if matches!(status, "queued" | "deferred" | "scheduled") {
        out.push(b(
            "Cancel",
            "cancel",
            format!("Cancel job {id}? It moves to the canceled registry of “{queue}”."),
            "",
        ));
    }
    if status != "started" {
        out.push(b(
            "Delete",
            "delete",
            format!("Delete job {id} and its data, results and links? This cannot be undone."),
            "danger",
        ));
    }
    c.allowed(out, Some(queue))
}
