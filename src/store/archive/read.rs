//! Reading the archive: one record by job id through the day indexes (no scan), and the newest
//! records (bounded) for search and the function page. Reads never write.

use redis::Value;

use super::{Keys, MAX_DAYS, Record};
use crate::rq::time;
use crate::store::history::layout::floor;
use crate::store::{Instance, Result, value};

/// Most records read by [`recent`].
pub const RECENT_MAX: usize = 10_000;

fn iso(s: Option<&str>) -> Option<String> {
    let secs: f64 = s?.parse().ok().filter(|v: &f64| v.is_finite())?;
    jiff::Timestamp::from_microsecond((secs * 1e6) as i64).ok().map(time::format)
}

/// A record from one stream entry's fields; None without a job id.
pub fn record(entry: &str, fields: &[(String, Vec<u8>)]) -> Option<Record> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .filter(|v| !v.is_empty())
    };
    let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite());
    let run_s = match (num("st"), num("end")) {
        (Some(s), Some(e)) if e >= s => Some(((e - s) * 1000.0).round() / 1000.0),
        _ => None,
    };
    Some(Record {
        id: get("id")?,
        queue: get("q").unwrap_or_default(),
        function: get("f"),
        status: get("s"),
        enqueued_at: iso(get("enq").as_deref()),
        started_at: iso(get("st").as_deref()),
        ended_at: iso(get("end").as_deref()),
        worker: get("w"),
        exc_type: get("xt"),
        exc_line: get("xl"),
        result_size: get("rs").and_then(|v| v.parse().ok()),
        run_s,
        entry: entry.to_owned(),
    })
}

fn records(v: &Value) -> Vec<Record> {
    value::stream_entries(v).into_iter().filter_map(|(id, f)| record(&id, &f)).collect()
}

/// The archived record of job `id` (the newest when it ended on several days), looking through
/// the indexes of the [`MAX_DAYS`] days up to `now`: two round trips.
pub async fn find(inst: &Instance, keys: &Keys, id: &str, now: i64) -> Result<Option<Record>> {
    let today = floor(now, 86_400);
    let mut p = redis::pipe();
    p.ignore_errors();
    for d in 0..MAX_DAYS {
        p.cmd("HGET").arg(keys.index(today - d * 86_400)).arg(id);
    }
    let vals: Vec<Value> = inst.query(&p).await?;
    let Some(entry) = vals.iter().find_map(value::string) else { return Ok(None) };
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("XRANGE").arg(keys.stream()).arg(&entry).arg(&entry);
    let vals: Vec<Value> = inst.query(&p).await?;
    Ok(vals.first().map(records).unwrap_or_default().into_iter().find(|r| r.id == id))
}

/// The newest `count` records (at most [`RECENT_MAX`]), newest first.
pub async fn recent(inst: &Instance, keys: &Keys, count: usize) -> Result<Vec<Record>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("XREVRANGE").arg(keys.stream()).arg("+").arg("-").arg("COUNT").arg(count.min(RECENT_MAX));
    let vals: Vec<Value> = inst.query(&p).await?;
    Ok(vals.first().map(records).unwrap_or_default())
}
