//! Where a search stopped, as an opaque URL-safe string (base64url of a small JSON object).
//!
//! A source walk remembers the queue and state by name (not by index: queues come and go
//! between requests) and the position inside it. Registries are walked newest first; the
//! position is the last member examined (the walk goes on right after it while it is there) and,
//! for when it is gone, its score and how many members with that score were examined. Jobs added
//! anywhere, and jobs removed behind the cursor (up to 1,000 with the last score examined), do
//! not make the walk skip any of the rest. Queue lists are walked from the tail (newest) by
//! offset, which jobs leaving at the head do not shift.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::rq::State;
use crate::store::{Error, Result};

/// A position inside one list or registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "lowercase")]
pub enum Pos {
    /// Queue list: how many ids from the tail were examined.
    List { offset: u64 },
    /// Registry: the last score examined, how many members with exactly that score were, and
    /// the last of them (equal scores are ordered by member).
    Zset {
        #[serde(with = "score")]
        max: f64,
        skip: u64,
        last: Option<String>,
    },
}

impl Pos {
    /// The start of a list or registry.
    pub fn start(state: State) -> Pos {
        if state == State::Queued {
            Pos::List { offset: 0 }
        } else {
            Pos::Zset { max: f64::INFINITY, skip: 0, last: None }
        }
    }

    /// Step past one examined `member` with registry `score`.
    pub fn step(&mut self, member: &str, score: Option<f64>) {
        match self {
            Pos::List { offset } => *offset += 1,
            Pos::Zset { max, skip, last } => {
                match score {
                    Some(s) if s.to_bits() != max.to_bits() => {
                        *max = s;
                        *skip = 1;
                    }
                    _ => *skip += 1,
                }
                *last = Some(member.to_owned());
            }
        }
    }

    /// Drop members already examined from a registry fetch that started up to `back` members
    /// early (see [`crate::store::search::read::fetch`]): those with the last score and a
    /// member at or after the last one in Redis's (reverse, bytewise) order.
    pub fn unseen(&self, fetched: Vec<(String, Option<f64>)>) -> Vec<(String, Option<f64>)> {
        match self {
            Pos::Zset { max, last: Some(last), .. } => fetched
                .into_iter()
                .filter(|(m, s)| {
                    !(s.is_some_and(|s| s.to_bits() == max.to_bits()) && m.as_bytes() >= last.as_bytes())
                })
                .collect(),
            _ => fetched,
        }
    }
}

/// Scores as strings, so that `inf` survives JSON.
mod score {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::score_arg(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "+inf" | "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            _ => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// A score as Redis reads it back exactly (Rust prints the shortest round-tripping form).
pub fn score_arg(v: f64) -> String {
    if v == f64::INFINITY {
        "+inf".into()
    } else if v == f64::NEG_INFINITY {
        "-inf".into()
    } else {
        format!("{v}")
    }
}

/// Where to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "m", rename_all = "lowercase")]
pub enum Cursor {
    /// Walking (queue, state) sources in order.
    Walk { queue: String, state: State, pos: Pos, scanned: u64 },
    /// Walking the keyspace with SCAN for an id prefix.
    Keys { scan: u64, scanned: u64 },
    /// Walking the job archive after entry `after` (None: from the newest), once the `live`
    /// ids were examined, `scanned` entries so far.
    Archive { after: Option<String>, live: u64, scanned: u64 },
}

impl Cursor {
    /// The opaque form.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Read an opaque cursor; a 400 when it is not one of ours.
    pub fn decode(s: &str) -> Result<Cursor> {
        let bad = || Error::BadRequest("the cursor is not valid: start the search again".into());
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim()).map_err(|_| bad())?;
        serde_json::from_slice(&raw).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_url_safe() {
        let c = Cursor::Walk {
            queue: "mails/ü ?&".into(),
            state: State::Failed,
            pos: Pos::Zset { max: 1_795_000_000.123_456_7, skip: 2, last: Some("b".into()) },
            scanned: 42,
        };
        let s = c.encode();
        assert!(s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'));
        assert_eq!(Cursor::decode(&s).ok(), Some(c));
        let inf = Cursor::Walk {
            queue: "q".into(),
            state: State::Failed,
            pos: Pos::start(State::Failed),
            scanned: 0,
        };
        assert_eq!(Cursor::decode(&inf.encode()).ok(), Some(inf));
        assert!(Cursor::decode("not a cursor").is_err());
    }

    #[test]
    fn registry_positions_count_equal_scores() {
        let mut p = Pos::start(State::Failed);
        for (m, s) in [("z", f64::INFINITY), ("d", 5.0), ("c", 5.0), ("a", 4.5)] {
            p.step(m, Some(s));
        }
        assert_eq!(p, Pos::Zset { max: 4.5, skip: 1, last: Some("a".into()) });
        let mut p = Pos::start(State::Failed);
        p.step("x", Some(f64::INFINITY));
        assert_eq!(p, Pos::Zset { max: f64::INFINITY, skip: 1, last: Some("x".into()) });
    }

    #[test]
    fn members_already_seen_are_dropped_from_an_early_start() {
        let p = Pos::Zset { max: 5.0, skip: 2, last: Some("c".into()) };
        let fetched = vec![
            ("d".into(), Some(5.0)),
            ("c".into(), Some(5.0)),
            ("b".into(), Some(5.0)),
            ("z".into(), Some(4.0)),
        ];
        let names: Vec<String> = p.unseen(fetched).into_iter().map(|(m, _)| m).collect();
        assert_eq!(names, ["b", "z"]);
    }
}
