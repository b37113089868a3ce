//! Tolerant conversions from raw Redis replies: a wrong type or a server error becomes "absent".

use redis::Value;

/// An integer reply (also parses numeric strings); 0 for anything else.
pub fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::BulkString(b) => std::str::from_utf8(b).ok().and_then(|s| s.parse().ok()).unwrap_or(0),
        Value::SimpleString(s) => s.parse().unwrap_or(0),
        Value::Double(d) => *d as i64,
        Value::Boolean(b) => i64::from(*b),
        _ => 0,
    }
}

/// A float reply (registry scores come as strings, `inf` included).
pub fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Double(d) => Some(*d),
        Value::Int(i) => Some(*i as f64),
        Value::BulkString(b) => std::str::from_utf8(b).ok().and_then(parse_score),
        Value::SimpleString(s) => parse_score(s),
        _ => None,
    }
}

fn parse_score(s: &str) -> Option<f64> {
    match s {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

/// Raw bytes of a string reply; None for nil, errors and non-strings.
pub fn bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b.clone()),
        Value::SimpleString(s) => Some(s.as_bytes().to_vec()),
        Value::VerbatimString { text, .. } => Some(text.as_bytes().to_vec()),
        Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    }
}

/// A string reply decoded lossily (ids and names are text in RQ, but we never trust that).
pub fn string(v: &Value) -> Option<String> {
    bytes(v).map(crate::rq::decode::into_text)
}

/// The elements of an array/set reply; empty for anything else.
pub fn array(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) | Value::Set(a) => a,
        _ => &[],
    }
}

/// An array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    array(v).iter().filter_map(string).collect()
}

/// A flat `[k, v, k, v]` array or a RESP3 map as field/value pairs (HGETALL).
pub fn pairs(v: &Value) -> Vec<(String, Vec<u8>)> {
    match v {
        Value::Map(m) => m.iter().filter_map(|(k, v)| Some((string(k)?, bytes(v)?))).collect(),
        _ => array(v).chunks_exact(2).filter_map(|c| Some((string(&c[0])?, bytes(&c[1])?))).collect(),
    }
}

/// `ZRANGE ... WITHSCORES` as (member, score) pairs.
pub fn scored(v: &Value) -> Vec<(String, Option<f64>)> {
    match v {
        Value::Map(m) => m.iter().filter_map(|(k, s)| Some((string(k)?, float(s)))).collect(),
        _ => {
            let a = array(v);
            // RESP3 may nest [member, score] pairs; RESP2 is flat.
            if a.first().is_some_and(|x| matches!(x, Value::Array(_))) {
                a.iter()
                    .filter_map(|p| {
                        let p = array(p);
                        Some((string(p.first()?)?, p.get(1).and_then(float)))
                    })
                    .collect()
            } else {
                a.chunks_exact(2).filter_map(|c| Some((string(&c[0])?, float(&c[1])))).collect()
            }
        }
    }
}

/// XRANGE/XREVRANGE replies as (entry id, fields).
pub fn stream_entries(v: &Value) -> crate::rq::result::RawEntries {
    array(v)
        .iter()
        .filter_map(|e| {
            let e = array(e);
            Some((string(e.first()?)?, pairs(e.get(1)?)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_read_as_absent() {
        assert_eq!(int(&Value::Nil), 0);
        assert_eq!(bytes(&Value::Array(vec![])), None);
        assert!(array(&Value::Int(3)).is_empty());
    }

    #[test]
    fn scores_parse_infinities() {
        let v = Value::Array(vec![
            Value::BulkString(b"a".to_vec()),
            Value::BulkString(b"inf".to_vec()),
            Value::BulkString(b"b".to_vec()),
            Value::BulkString(b"-1".to_vec()),
        ]);
        assert_eq!(scored(&v), vec![("a".into(), Some(f64::INFINITY)), ("b".into(), Some(-1.0))]);
    }
}
