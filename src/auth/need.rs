//! Which role each action needs: one list, read by the route table's enforcement and by the
//! pages that decide which buttons to draw, so a button is shown exactly when it would work.

use super::Role;

/// Actions an operator may take (on-call work that loses nothing).
const OPERATOR: [&str; 9] =
    ["requeue", "enqueue", "cancel", "stop", "suspend", "resume", "requeue-all", "select", "cancel-task"];

/// The role an action needs: viewer for none, operator for the list above, admin for the rest
/// (delete, empty, compact, doctor repair, worker shutdown/kill-horse, remove-stale, and any
/// action not named here: a new action is admin-only until someone decides otherwise).
pub fn action_role(action: &str) -> Role {
    if OPERATOR.contains(&action) { Role::Operator } else { Role::Admin }
}

/// The sentence of a refusal, naming the role needed (and the queue, when it decides).
pub fn refusal(action: &str, need: Role, queue: Option<&str>) -> String {
    match queue {
        Some(q) => format!("{action} on queue {q:?} needs the {need} role"),
        None => format!("{action} needs the {need} role"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_requeue_and_admins_delete() {
        assert_eq!(action_role("requeue"), Role::Operator);
        assert_eq!(action_role("stop"), Role::Operator);
        assert_eq!(action_role("delete"), Role::Admin);
        assert_eq!(action_role("kill-horse"), Role::Admin);
        assert_eq!(action_role("something-new"), Role::Admin);
        assert_eq!(refusal("empty", Role::Admin, Some("q")), "empty on queue \"q\" needs the admin role");
    }
}
