//! Keys of the wrong type (see [`crate::rq::key_type`]) as the store meets them. Reads pipeline
//! with `ignore_errors()`, so a WRONGTYPE reply reads as empty; [`Suspects`] collects the keys
//! whose replies said WRONGTYPE and names what they hold with one `TYPE` round trip, only when
//! there are some. Actions check the keys they would work on first ([`require`]) and refuse.

use redis::Value;

use super::{Error, Instance, Result};
use crate::rq::key_type::{KeyType, WrongType};

/// Whether a reply is Redis' WRONGTYPE error.
pub fn is_wrong(v: &Value) -> bool {
    matches!(v, Value::ServerError(e) if e.code() == "WRONGTYPE")
}

/// Whether a command or script failed with WRONGTYPE.
pub fn is_wrong_err(e: &redis::RedisError) -> bool {
    e.code() == Some("WRONGTYPE")
}

/// Keys whose replies said WRONGTYPE, with the type RQ keeps at each.
#[derive(Debug, Default)]
pub struct Suspects(Vec<(String, KeyType)>);

impl Suspects {
    /// Note `key` when one of its `replies` is WRONGTYPE; returns whether one was.
    pub fn check(&mut self, key: &str, expected: KeyType, replies: &[Value]) -> bool {
        let wrong = replies.iter().any(is_wrong);
        if wrong {
            self.add(key, expected);
        }
        wrong
    }

    /// Note `key`, known otherwise to hold another type than `expected` (e.g. from `TYPE`).
    pub fn add(&mut self, key: &str, expected: KeyType) {
        if !self.0.iter().any(|(k, _)| k == key) {
            self.0.push((key.to_owned(), expected));
        }
    }

    /// The keys noted so far.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// Whether no key was noted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What each noted key holds, in the order noted. A key that holds the expected type by now
    /// (replaced in between) or is gone is left out: it is no longer corrupt.
    pub async fn name(self, inst: &Instance) -> Result<Vec<WrongType>> {
        check(inst, &self.0).await
    }
}

/// The keys among `keys` holding another type than the one given (absent keys are fine):
/// one `TYPE` round trip, none when `keys` is empty.
pub async fn check(inst: &Instance, keys: &[(String, KeyType)]) -> Result<Vec<WrongType>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for (k, _) in keys {
        p.cmd("TYPE").arg(k);
    }
    let types: Vec<Value> = inst.query(&p).await?;
    Ok(keys
        .iter()
        .zip(&types)
        .filter_map(|((key, expected), t)| {
            let t = type_name(t)?;
            (t != "none" && t != expected.redis_name()).then(|| WrongType::new(key, &t, *expected))
        })
        .collect())
}

/// Refuse (409, naming the key and what it holds) when one of `keys` holds another type than
/// RQ keeps there: an action must not half-run on a corrupt structure.
pub async fn require(inst: &Instance, keys: &[(String, KeyType)]) -> Result<()> {
    match check(inst, keys).await?.into_iter().next() {
        Some(w) => Err(Error::WrongType(w)),
        None => Ok(()),
    }
}

/// `TYPE`'s answer (a simple string, or a bulk one through some proxies).
fn type_name(v: &Value) -> Option<String> {
    match v {
        Value::SimpleString(s) => Some(s.clone()),
        Value::Okay => Some("ok".to_owned()),
        other => super::value::string(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrongtype() -> Value {
        redis::parse_redis_value(b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
            .expect("a RESP error")
    }

    #[test]
    fn a_wrongtype_reply_marks_its_key_once() {
        let mut s = Suspects::default();
        assert!(!s.check("rq:queue:a", KeyType::List, &[Value::Int(3)]));
        assert!(s.check("rq:failed:a", KeyType::Zset, &[Value::Int(0), wrongtype()]));
        assert!(s.check("rq:failed:a", KeyType::Zset, &[wrongtype()]));
        assert_eq!(s.0, vec![("rq:failed:a".to_owned(), KeyType::Zset)]);
    }
}
