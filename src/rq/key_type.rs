//! Keys holding a type RQ never gives them (a string at `rq:queue:x`, a list at `rq:failed:x`).
//! RQ's own code fails on them (WRONGTYPE), so they are corrupt places: shown and reported,
//! read as empty, never touched by an action.

use serde::Serialize;

/// The Redis type RQ keeps at a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyType {
    String,
    List,
    Set,
    Zset,
    Hash,
    Stream,
}

impl KeyType {
    /// As Redis' `TYPE` names it.
    pub fn redis_name(self) -> &'static str {
        match self {
            KeyType::String => "string",
            KeyType::List => "list",
            KeyType::Set => "set",
            KeyType::Zset => "zset",
            KeyType::Hash => "hash",
            KeyType::Stream => "stream",
        }
    }

    /// As a reader says it ("sorted set" rather than "zset").
    pub fn human(self) -> &'static str {
        match self {
            KeyType::Zset => "sorted set",
            other => other.redis_name(),
        }
    }

    /// From a `TYPE` answer; None for "none" (absent) and types RQ never uses.
    pub fn from_redis(name: &str) -> Option<Self> {
        [KeyType::String, KeyType::List, KeyType::Set, KeyType::Zset, KeyType::Hash, KeyType::Stream]
            .into_iter()
            .find(|t| t.redis_name() == name)
    }
}

/// A key holding another type than the one RQ keeps there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrongType {
    pub key: String,
    /// What the key holds, as a reader says it ("list", "sorted set", ...).
    pub found: String,
    /// What RQ keeps there.
    pub expected: &'static str,
    /// One sentence for pages, the CLI and errors.
    pub message: String,
}

impl WrongType {
    /// `key` holds `found` (a `TYPE` answer) where RQ keeps `expected`.
    pub fn new(key: &str, found: &str, expected: KeyType) -> Self {
        let found = KeyType::from_redis(found).map_or_else(|| found.to_owned(), |t| t.human().to_owned());
        let message = format!(
            "{key} is {} {found}, not {} {}: RQ cannot use it",
            article(&found),
            article(expected.human()),
            expected.human()
        );
        Self { key: key.to_owned(), found, expected: expected.human(), message }
    }
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_key_what_it_holds_and_what_rq_expects() {
        let w = WrongType::new("rq:failed:x", "list", KeyType::Zset);
        assert_eq!(w.message, "rq:failed:x is a list, not a sorted set: RQ cannot use it");
        let w = WrongType::new("rq:queue:x", "string", KeyType::List);
        assert_eq!(w.message, "rq:queue:x is a string, not a list: RQ cannot use it");
        assert_eq!(WrongType::new("rq:queues", "zset", KeyType::Set).found, "sorted set");
    }
}
