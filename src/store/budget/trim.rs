//! Step 1 of the budget: trim the archive oldest first, at most [`CHUNK`] records per round trip,
//! removing each trimmed record's id from its day's index in the same transaction (an index
//! entry costs a third of a record), then drop the day indexes older than the oldest record.

use std::collections::BTreeMap;

use super::CHUNK;
use crate::store::history::layout::floor;
use crate::store::{Instance, Result, archive, value};

/// Trim the stream of `akeys` to `keep` records; `today` is the start of the current UTC day.
/// Returns the records removed.
pub async fn archive(inst: &Instance, akeys: &archive::Keys, keep: u64, today: i64) -> Result<u64> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("XLEN").arg(akeys.stream());
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let mut left = (v.first().map_or(0, value::int).max(0) as u64).saturating_sub(keep);
    let mut trimmed = 0;
    while left > 0 {
        let mut p = redis::pipe();
        p.ignore_errors();
        p.cmd("XRANGE").arg(akeys.stream()).arg("-").arg("+").arg("COUNT").arg(left.min(CHUNK as u64));
        let v: Vec<redis::Value> = inst.query(&p).await?;
        let entries = v.first().map(value::stream_entries).unwrap_or_default();
        let Some((last, _)) = entries.last() else { break };
        let mut by_day: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (eid, fields) in &entries {
            let get = |k: &str| {
                fields.iter().find(|(f, _)| f == k).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            };
            let ms = eid.split('-').next().and_then(|m| m.parse::<i64>().ok()).unwrap_or(0);
            let ended =
                get("end").and_then(|e| e.parse::<f64>().ok()).map_or(ms / 1000, |e| e.floor() as i64);
            if let Some(id) = get("id") {
                by_day.entry(floor(ended, 86_400)).or_default().push(id);
            }
        }
        let mut p = redis::pipe();
        p.atomic();
        for (day, ids) in &by_day {
            p.cmd("HDEL").arg(akeys.index(*day)).arg(ids).ignore();
        }
        // MINID drops every entry below the one after the last read: exactly those read.
        p.cmd("XTRIM").arg(akeys.stream()).arg("MINID").arg(next(last)).ignore();
        inst.query::<()>(&p).await?;
        trimmed += entries.len() as u64;
        left = left.saturating_sub(entries.len() as u64);
    }
    drop_old_indexes(inst, akeys, today).await?;
    Ok(trimmed)
}

/// The stream id right after `id` (`<ms>-<seq + 1>`).
fn next(id: &str) -> String {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    format!("{ms}-{}", seq.parse::<u64>().map_or(0, |s| s.saturating_add(1)))
}

/// Unlink the day indexes of days before the oldest record left.
async fn drop_old_indexes(inst: &Instance, akeys: &archive::Keys, today: i64) -> Result<()> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("XRANGE").arg(akeys.stream()).arg("-").arg("+").arg("COUNT").arg(1);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let oldest = v.first().map(value::stream_entries).unwrap_or_default();
    let Some(ms) = oldest.first().and_then(|(id, _)| id.split('-').next()?.parse::<i64>().ok()) else {
        return Ok(());
    };
    let first_day = floor(ms / 1000, 86_400);
    let old: Vec<String> = (0..=archive::MAX_DAYS)
        .map(|i| today - i * 86_400)
        .filter(|d| *d < first_day)
        .map(|d| akeys.index(d))
        .collect();
    let mut p = redis::pipe();
    p.cmd("UNLINK").arg(&old);
    inst.query::<()>(&p).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_id_is_the_same_millisecond_one_sequence_later() {
        assert_eq!(super::next("1700000000000-7"), "1700000000000-8");
        assert_eq!(super::next("5"), "5-1");
    }
}
