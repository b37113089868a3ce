//! RQ's model as pure types: keys, states, jobs, workers, results and safe decoding. No I/O here.

pub mod cap;
pub mod cron;
pub mod decode;
pub mod detail;
pub mod detail_call;
pub mod detail_full;
mod detail_parts;
pub mod failure;
pub mod job;
pub mod key_type;
pub mod keys;
pub mod pickle;
pub mod pool;
pub mod rate_limit;
pub mod redact;
mod redact_text;
pub mod registry;
pub mod result;
pub mod schedule;
pub mod scheduler;
pub mod secrets;
pub mod shown;
pub mod time;
pub mod worker;

use serde::{Deserialize, Serialize};

pub use keys::Keys;

/// Where a job can sit in a queue: the list itself or one of the registries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Queued,
    Started,
    Finished,
    Failed,
    Deferred,
    Scheduled,
    Canceled,
    /// RQ 3.0's transient ReadyJobRegistry.
    Ready,
}

impl State {
    /// Every state, in the order the dashboard shows them.
    pub const ALL: [State; 8] = [
        State::Queued,
        State::Started,
        State::Finished,
        State::Failed,
        State::Deferred,
        State::Scheduled,
        State::Canceled,
        State::Ready,
    ];

    /// The lowercase name used in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Started => "started",
            State::Finished => "finished",
            State::Failed => "failed",
            State::Deferred => "deferred",
            State::Scheduled => "scheduled",
            State::Canceled => "canceled",
            State::Ready => "ready",
        }
    }

    /// Parse a state name; "wip" is accepted as RQ's own name for started.
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "queued" => State::Queued,
            "started" | "wip" => State::Started,
            "finished" => State::Finished,
            "failed" => State::Failed,
            "deferred" => State::Deferred,
            "scheduled" => State::Scheduled,
            "canceled" | "cancelled" => State::Canceled,
            "ready" => State::Ready,
            _ => return None,
        })
    }

    /// The list or registry a job with RQ `status` belongs in: stopped jobs are filed under
    /// failed, RQ 3.0's `ready_to_enqueue` under ready; statuses without one (rate_limited,
    /// unknown) give None. The Lua side has the same table (STATUS_REGISTRY in _prelude.lua).
    pub fn from_status(status: &str) -> Option<State> {
        Some(match status {
            "queued" => State::Queued,
            "started" => State::Started,
            "finished" => State::Finished,
            "failed" | "stopped" => State::Failed,
            "deferred" => State::Deferred,
            "scheduled" => State::Scheduled,
            "canceled" => State::Canceled,
            "ready_to_enqueue" => State::Ready,
            _ => return None,
        })
    }

    /// The type of the key holding it: the queue list, or a registry's sorted set.
    pub fn key_type(self) -> key_type::KeyType {
        if self == State::Queued { key_type::KeyType::List } else { key_type::KeyType::Zset }
    }

    /// What a registry score means for this state (None for the queue list, which has no score).
    pub fn score_meaning(self) -> Option<&'static str> {
        match self {
            State::Queued => None,
            State::Started => Some("heartbeat_expires_at"),
            State::Finished | State::Failed => Some("expires_at"),
            State::Deferred => Some("deferred_at"),
            State::Scheduled => Some("scheduled_for"),
            State::Canceled => Some("canceled_at"),
            State::Ready => Some("ready_at"),
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Split a started-registry member: RQ 2.x+ stores `<id>:<execution_id>` (32 hex chars), 1.x a bare id.
pub fn split_started_member(member: &str) -> (&str, Option<&str>) {
    if let Some((id, eid)) = member.rsplit_once(':')
        && eid.len() == 32
        && eid.bytes().all(|b| b.is_ascii_hexdigit())
        && !id.is_empty()
    {
        return (id, Some(eid));
    }
    (member, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_members_split_at_the_execution_id_only() {
        let eid = "0123456789abcdef0123456789abcdef";
        assert_eq!(split_started_member(&format!("job-1:{eid}")), ("job-1", Some(eid)));
        assert_eq!(split_started_member("old:style:id"), ("old:style:id", None));
        assert_eq!(split_started_member("plain"), ("plain", None));
    }

    #[test]
    fn rq_statuses_map_to_the_structure_that_holds_them() {
        assert_eq!(State::from_status("stopped"), Some(State::Failed));
        assert_eq!(State::from_status("ready_to_enqueue"), Some(State::Ready));
        assert_eq!(State::from_status("failed"), Some(State::Failed));
        assert_eq!(State::from_status("rate_limited"), None);
        assert_eq!(State::from_status("ready"), None, "a state name, not an RQ status");
    }

    #[test]
    fn every_state_round_trips_through_its_name() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }
}
