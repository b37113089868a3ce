//! What rq-dashboard's JSON reads from `job.latest_result()` for many jobs at once: the full
//! traceback of the newest failure and the newest return value, in one pipeline.

use super::{Instance, Result, value};
use crate::rq::decode::{self, Decoded};
use crate::rq::result::ResultData;

/// The newest outcome of one job, as rq-dashboard reads it.
#[derive(Debug, Clone, Default)]
pub struct Latest {
    /// The whole traceback (up to [`decode::TEXT_MAX`] bytes) when the newest outcome is a
    /// failure; the hash's `exc_info` for RQ data older than the results stream.
    pub exc_info: Option<String>,
    /// The newest return value when the newest outcome is a success (`None` inside: the job
    /// returned nothing); the hash's legacy `result` field before the results stream.
    pub return_value: Option<Decoded>,
}

/// RQ's `Result.Type.SUCCESSFUL`.
const SUCCESSFUL: i64 = 1;

/// The newest outcome of each of `ids` (same order); a missing job reads as no outcome.
pub async fn latest(inst: &Instance, ids: &[String]) -> Result<Vec<Latest>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    for id in ids {
        p.cmd("XREVRANGE").arg(k.results(id)).arg("+").arg("-").arg("COUNT").arg(1);
        p.cmd("HMGET").arg(k.job(id)).arg("exc_info").arg("result");
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let out = ids
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let entry = v.get(2 * i).map(value::stream_entries).and_then(|e| e.into_iter().next());
            let hash: Vec<Option<Vec<u8>>> =
                v.get(2 * i + 1).map(value::array).unwrap_or(&[]).iter().map(value::bytes).collect();
            match entry {
                Some((id, fields)) => from_entry(&id, &fields),
                None => from_hash(&hash),
            }
        })
        .collect();
    Ok(out)
}

fn from_entry(id: &str, fields: &[(String, Vec<u8>)]) -> Latest {
    let d = ResultData::from_entry(id, fields);
    if d.entry.kind == Some(SUCCESSFUL) {
        // RQ leaves `return_value` out when the job returned None.
        let value = d.return_value.map_or(Decoded::Json(serde_json::Value::Null), |(v, _)| v);
        return Latest { exc_info: None, return_value: Some(value) };
    }
    Latest { exc_info: d.exc.map(|t| t.text).filter(|t| !t.trim().is_empty()), return_value: None }
}

/// RQ before 1.12 kept the outcome in the hash: `exc_info` (zlib text) and `result` (a payload).
fn from_hash(hash: &[Option<Vec<u8>>]) -> Latest {
    let field = |i: usize| hash.get(i).and_then(Option::as_ref);
    let exc_info = field(0)
        .map(|raw| decode::text_prefix(raw, true, decode::TEXT_MAX, decode::TEXT_MAX).text)
        .filter(|t| !t.trim().is_empty());
    let return_value = field(1).filter(|r| !r.is_empty()).map(|raw| decode::decode_payload(raw, false));
    Latest { exc_info, return_value }
}
