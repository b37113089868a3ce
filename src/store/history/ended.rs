//! The one reader of "jobs that ended": for every registry member the throughput read already
//! brings (bounded by its windows of at most 1,000 members), the fields per-function
//! performance and the job archive need, in the same pipeline as the throughput's own fields.
//!
//! Per member: one `HMGET` of [`FIELDS`], `HSTRLEN result` (RQ 1.x keeps the return value in the
//! hash) and `XREVRANGE rq:results:<id> + - COUNT 1` (RQ ≥ 1.12 keeps results and tracebacks in a
//! stream). A job whose `description` is not a call (a custom description) costs one more
//! `HGET data` in a second pipeline, decoded by the safe pickle reader (nothing is executed).
//! Cost per tick, measured in `tests/it/functions`: see the module doc of
//! [`crate::store::functions`].

use redis::Value;

use super::buckets::Kind;
use crate::rq::failure::{exception_text, split_exception};
use crate::rq::job::func_name_from_description;
use crate::rq::time;
use crate::store::search::read;
use crate::store::{Instance, Result, value};

/// Fields read from each job hash, in this order (the first three are the throughput's).
pub const FIELDS: [&str; 8] =
    ["ended_at", "", "status", "description", "enqueued_at", "started_at", "worker_name", "exc_info"];
/// Replies per member: the `HMGET`, `HSTRLEN result`, `XREVRANGE … COUNT 1`.
pub const REPLIES: usize = 3;
/// Members per pipeline: bounds one reply's size.
const HASH_BATCH: usize = 3_000;
/// Most bytes of `data` inflated to find a function name.
const DATA_CAP: usize = 16 * 1024;
/// Longest exception line kept.
const LINE_MAX: usize = 200;

/// One job that ended, as the sampler saw it in a finished or failed registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    pub queue: String,
    pub id: String,
    pub kind: Kind,
    /// `module.function`, or None when neither the description nor `data` names one.
    pub func: Option<String>,
    pub status: Option<String>,
    pub enqueued_at: Option<f64>,
    pub started_at: Option<f64>,
    /// When it ended (its `ended_at`, else its registry score minus its ttl).
    pub ended_at: f64,
    pub worker: Option<String>,
    pub exc_type: Option<String>,
    pub exc_line: Option<String>,
    /// Bytes of the newest return value, when one is stored.
    pub result_size: Option<u64>,
}

impl Ended {
    /// Run time (`ended_at − started_at`) in seconds, when both are known and in order.
    pub fn run_time(&self) -> Option<f64> {
        self.started_at.map(|s| self.ended_at - s).filter(|d| *d >= 0.0 && d.is_finite())
    }

    /// Queue wait (`started_at − enqueued_at`) in seconds.
    pub fn wait_time(&self) -> Option<f64> {
        match (self.enqueued_at, self.started_at) {
            (Some(e), Some(s)) if s >= e => Some(s - e),
            _ => None,
        }
    }
}

/// Add the reads of one member to a pipeline (`ttl_field` is the registry's ttl field).
pub fn queue_reads(p: &mut redis::Pipeline, inst: &Instance, id: &str, ttl_field: &str) {
    let mut fields = FIELDS;
    fields[1] = ttl_field;
    p.cmd("HMGET").arg(inst.keys.job(id)).arg(&fields[..]);
    p.cmd("HSTRLEN").arg(inst.keys.job(id)).arg("result");
    p.cmd("XREVRANGE").arg(inst.keys.results(id)).arg("+").arg("-").arg("COUNT").arg(1);
}

/// The reads of every member (id, registry), in pipelines of [`HASH_BATCH`] members; one `Vec`
/// of [`REPLIES`] replies per member, in order.
pub async fn read_all<'a>(
    inst: &Instance,
    members: impl Iterator<Item = (&'a str, Kind)>,
) -> Result<Vec<Vec<Value>>> {
    let members: Vec<(&str, Kind)> = members.collect();
    let mut out = Vec::with_capacity(members.len());
    for batch in members.chunks(HASH_BATCH) {
        let mut p = redis::pipe();
        p.ignore_errors();
        for (id, kind) in batch {
            queue_reads(&mut p, inst, id, kind.ttl_field());
        }
        let vals: Vec<Value> = inst.query(&p).await?;
        // One entry per member even if a reply were short, so later members keep their pairing.
        out.extend(
            (0..batch.len())
                .map(|i| vals.get(i * REPLIES..(i + 1) * REPLIES).map(<[_]>::to_vec).unwrap_or_default()),
        );
    }
    Ok(out)
}

/// Build the record of one member from its [`REPLIES`] replies, given when it ended.
pub fn build(queue: &str, id: &str, kind: Kind, ended_at: f64, replies: &[Value]) -> Ended {
    let h = replies.first().map(value::array).unwrap_or(&[]);
    let text = |i: usize| h.get(i).and_then(value::string).filter(|s| !s.is_empty());
    let at = |i: usize| text(i).and_then(|s| time::parse(&s)).map(|t| t.as_microsecond() as f64 / 1e6);
    let stream = replies.get(2);
    let latest = stream.map(value::stream_entries).and_then(|e| e.into_iter().next());
    let stream_size = latest
        .as_ref()
        .and_then(|(_, f)| f.iter().find(|(k, _)| k == "return_value").map(|(_, v)| v.len() as u64));
    let hash_size = replies.get(1).map(value::int).filter(|n| *n > 0).map(|n| n as u64);
    let tb = read::traceback(stream, h.get(7)).filter(|_| kind == Kind::Failed);
    let (exc_type, exc_line) = match tb.as_deref() {
        Some(tb) => {
            let (ty, msg) = split_exception(exception_text(tb));
            let line = msg.lines().next().unwrap_or("").trim();
            (Some(ty.to_owned()).filter(|t| !t.is_empty()), Some(cut(line)).filter(|l| !l.is_empty()))
        }
        None => (None, None),
    };
    Ended {
        queue: queue.to_owned(),
        id: id.to_owned(),
        kind,
        func: text(3).and_then(|d| func_name_from_description(&d)),
        status: text(2),
        enqueued_at: at(4),
        started_at: at(5),
        ended_at,
        worker: text(6),
        exc_type,
        exc_line,
        result_size: stream_size.or(hash_size),
    }
}

/// Name the functions of jobs whose description is not a call, from their `data` (one pipeline).
pub async fn name_from_data<'a>(inst: &Instance, ended: impl Iterator<Item = &'a mut Ended>) -> Result<()> {
    let mut missing: Vec<&mut Ended> = ended.filter(|e| e.func.is_none()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for e in &missing {
        p.cmd("HGET").arg(inst.keys.job(&e.id)).arg("data");
    }
    let vals: Vec<Value> = inst.query(&p).await?;
    for (e, v) in missing.iter_mut().zip(&vals) {
        if let Some(raw) = value::bytes(v) {
            e.func = crate::rq::decode::decode_job_data_within(&raw, DATA_CAP).ok().and_then(|c| c.func_name);
        }
    }
    Ok(())
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(LINE_MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
