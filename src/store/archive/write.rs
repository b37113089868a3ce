//! Appending the jobs a tick saw end, through `lua/archive_append.lua` (at most [`PER_CALL`]
//! records per call).

use std::sync::LazyLock;

use redis::Script;

use super::{Keys, Retention};
use crate::store::history::buckets::Kind;
use crate::store::history::ended::Ended;
use crate::store::history::layout::floor;
use crate::store::{Instance, Result, value};

const PER_CALL: usize = 200;

static APPEND: LazyLock<Script> =
    LazyLock::new(|| crate::store::write::with_keys_prelude(include_str!("../../../lua/archive_append.lua")));

/// What an append did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Appended {
    pub added: i64,
    pub already: i64,
}

/// Times are stored as unix seconds with milliseconds (14 bytes, half an ISO string).
fn stamp(t: Option<f64>) -> String {
    t.filter(|s| s.is_finite()).map(|s| format!("{s:.3}")).unwrap_or_default()
}

/// The 11 stream field values of a record, in the script's order.
fn fields(e: &Ended) -> [String; 11] {
    let status = e.status.clone().unwrap_or_else(|| match e.kind {
        Kind::Finished => "finished".into(),
        Kind::Failed => "failed".into(),
    });
    [
        e.id.clone(),
        e.queue.clone(),
        e.func.clone().unwrap_or_default(),
        status,
        stamp(e.enqueued_at),
        stamp(e.started_at),
        stamp(Some(e.ended_at)),
        e.worker.clone().unwrap_or_default(),
        e.exc_type.clone().unwrap_or_default(),
        e.exc_line.clone().unwrap_or_default(),
        e.result_size.map(|n| n.to_string()).unwrap_or_default(),
    ]
}

/// Append every job not archived yet; `now` drives the age trim.
pub async fn append<'a>(
    inst: &Instance,
    keys: &Keys,
    keep: Retention,
    ended: impl Iterator<Item = &'a Ended>,
    now: i64,
) -> Result<Appended> {
    let keep = keep.clamped();
    let all: Vec<&Ended> = ended.collect();
    let mut total = Appended::default();
    let min_id = format!("{}-0", (now - keep.max_age).max(0) * 1000);
    for chunk in all.chunks(PER_CALL) {
        let mut inv = APPEND.prepare_invoke();
        inv.key(keys.stream());
        for e in chunk {
            inv.key(keys.index(floor(e.ended_at.floor() as i64, 86_400)));
        }
        inv.arg(keep.max_entries).arg(&min_id).arg(chunk.len());
        for e in chunk {
            let day = floor(e.ended_at.floor() as i64, 86_400);
            inv.arg(day + 86_400 + keep.max_age).arg(&e.id);
            for f in fields(e) {
                inv.arg(f);
            }
        }
        let v = inst.invoke(&inv).await?;
        let a = value::array(&v);
        total.added += a.first().map_or(0, value::int);
        total.already += a.get(1).map_or(0, value::int);
    }
    Ok(total)
}
