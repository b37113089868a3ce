//! Degrading in the stated order (see [`super`]): a pure [`plan`] from one measurement, then
//! [`apply`], which only deletes rqdash's own keys (UNLINK, at most [`CHUNK`] per command) and
//! trims the archive stream.

use serde::Serialize;

use super::measure::{Measurement, buckets};
use super::{ARCHIVE_FLOOR, Budget, CHUNK, Level, RARE_CALLS};
use crate::store::functions::{self, OTHER};
use crate::store::history::MAX_LOOKBACK;
use crate::store::history::layout::{Layout, Subject};
use crate::store::{Instance, Result, archive, value};

/// Hours the per-minute tier is shortened to, in turn (step 2).
pub const MINUTE_STEPS: [i64; 3] = [24, 12, 6];

/// What to do before a tick writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub level: Level,
    /// Step 1: archive records kept.
    pub archive_keep: Option<u64>,
    /// Step 2: hours of minute buckets kept.
    pub minute_hours: Option<i64>,
    /// Step 3: fold idle queues and rare functions.
    pub fold: bool,
    /// Step 4: write nothing this tick.
    pub skip: bool,
    /// Bytes the steps are expected to free.
    pub freeing: u64,
}

/// The least degradation that brings `m`'s total plus the `expected` write under the budget's
/// target; `idle` of `queues` queues could be folded. Off or under target: nothing.
pub fn plan(m: &Measurement, budget: Budget, idle: usize, queues: usize, expected: u64) -> Plan {
    let (Some(max), Some(target)) = (budget.max, budget.target()) else { return Plan::default() };
    let total = m.usage.total();
    let mut excess = (total + expected).saturating_sub(target);
    let mut p = Plan::default();
    if excess == 0 {
        return p;
    }
    // 1. The archive, down to its floor.
    // A trimmed record frees its stream entry and its id in the day's index.
    if m.archive_entries > ARCHIVE_FLOOR && m.usage.archive > 0 {
        let per = (m.usage.archive / m.archive_entries).max(1);
        let removable = (m.archive_entries - ARCHIVE_FLOOR) * per;
        let cut = removable.min(excess);
        let keep = m.archive_entries - cut.div_ceil(per).min(m.archive_entries - ARCHIVE_FLOOR);
        p.archive_keep = Some(keep);
        free(&mut excess, &mut p, Level::ArchiveTrimmed, (m.archive_entries - keep) * per);
    }
    // 2. The per-minute tier, shorter in steps.
    let (hm, fm) = m.minute_means();
    let mut left = m.history_minute.bytes;
    for hours in MINUTE_STEPS {
        if excess == 0 {
            break;
        }
        let freed = |h: i64| -> (u64, u64) {
            let (a, b): (Vec<u64>, Vec<u64>) =
                m.minute_hours.iter().rev().skip(h as usize).map(|(_, (a, b))| (a * hm, b * fm)).unzip();
            (a.iter().sum(), b.iter().sum())
        };
        let prev = p.minute_hours.map_or((0, 0), freed);
        let now = freed(hours);
        p.minute_hours = Some(hours);
        left = m.history_minute.bytes.saturating_sub(now.0);
        free(
            &mut excess,
            &mut p,
            Level::MinuteTierShortened,
            (now.0 + now.1).saturating_sub(prev.0 + prev.1),
        );
    }
    // 3. Folding: idle queues' share of the history left (rare functions freed is not known yet).
    if excess > 0 && (idle > 0 || !m.pairs.is_empty()) {
        p.fold = true;
        let share = (left + m.history_hour.bytes) / (queues as u64 + 1) * idle as u64;
        free(&mut excess, &mut p, Level::Folded, share);
    }
    // 4. Never write past the budget itself.
    if total.saturating_sub(p.freeing) + expected > max {
        p.skip = true;
        p.level = Level::WritesSkipped;
    }
    p
}

fn free(excess: &mut u64, p: &mut Plan, level: Level, bytes: u64) {
    *excess -= bytes.min(*excess);
    p.freeing += bytes;
    p.level = level;
}

/// What [`apply`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub archive_records: u64,
    pub minute_keys: u64,
    pub folded_queues: u64,
    pub folded_functions: u64,
}

/// `UNLINK` of at most [`CHUNK`] keys per command, 10 commands per round trip.
async fn unlink(inst: &Instance, keys: &[String]) -> Result<u64> {
    let mut n = 0;
    for batch in keys.chunks(CHUNK * 10) {
        let mut p = redis::pipe();
        for c in batch.chunks(CHUNK) {
            p.cmd("UNLINK").arg(c);
        }
        let v: Vec<redis::Value> = inst.query(&p).await?;
        n += v.iter().map(|x| value::int(x).max(0) as u64).sum::<u64>();
    }
    Ok(n)
}

/// Carry out `plan` (measured as `m`) for the `idle` queues, at `now`.
pub async fn apply(
    inst: &Instance,
    layout: &Layout,
    m: &Measurement,
    plan: &Plan,
    idle: &[String],
    now: i64,
) -> Result<Dropped> {
    let mut d = Dropped::default();
    let (hours, days) = buckets(now);
    let (fkeys, akeys) = (functions::Keys::new(layout), archive::Keys::new(layout));
    if let Some(keep) = plan.archive_keep {
        d.archive_records = super::trim::archive(inst, &akeys, keep, days[0]).await?;
    }
    if let Some(h) = plan.minute_hours {
        let mut keys = Vec::new();
        for (hour, (a, b)) in m.minute_hours.iter().rev().skip(h as usize) {
            if *a > 0 {
                keys.push(layout.minute_key(Subject::All, *hour));
                keys.extend(m.queues.iter().map(|q| layout.minute_key(Subject::Queue(q), *hour)));
            }
            if *b > 0 {
                keys.extend(m.pairs.iter().map(|(q, f)| fkeys.minute(q, f, *hour)));
            }
        }
        keys.sort();
        keys.dedup();
        d.minute_keys = unlink(inst, &keys).await?;
    }
    if plan.fold {
        let mut keys: Vec<String> = Vec::new();
        for q in idle {
            keys.extend(hours.iter().map(|h| layout.minute_key(Subject::Queue(q), *h)));
            keys.extend(days.iter().map(|dd| layout.hour_key(Subject::Queue(q), *dd)));
        }
        d.folded_queues = idle.len() as u64;
        let rare = rare(inst, &fkeys, &m.pairs, days[0]).await?;
        for (q, f) in idle.iter().flat_map(|q| m.pairs.iter().filter(move |(pq, _)| pq == q)) {
            keys.extend(hours.iter().map(|h| fkeys.minute(q, f, *h)));
            keys.extend(days.iter().map(|dd| fkeys.hour(q, f, *dd)));
        }
        // A rare function of a busy queue keeps the minute hashes the next tick's lookback
        // recounts: deleting one would let the recount raise its rows from zero again and add
        // those jobs to /metrics' totals twice. (An idle queue has no job left to recount.)
        let spared = crate::store::history::layout::floor(now - MAX_LOOKBACK, 3600);
        for (q, f) in &rare {
            keys.extend(hours.iter().filter(|h| **h < spared).map(|h| fkeys.minute(q, f, *h)));
            keys.extend(days.iter().map(|dd| fkeys.hour(q, f, *dd)));
        }
        d.folded_functions = rare.len() as u64;
        unlink(inst, &keys).await?;
    }
    Ok(d)
}

/// Pairs called fewer than [`RARE_CALLS`] times today and yesterday (one pipeline of `HVALS`);
/// `other` is the aggregate and is never rare.
async fn rare(
    inst: &Instance,
    fkeys: &functions::Keys,
    pairs: &[(String, String)],
    today: i64,
) -> Result<Vec<(String, String)>> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for (q, f) in pairs {
        p.cmd("HVALS").arg(fkeys.hour(q, f, today));
        p.cmd("HVALS").arg(fkeys.hour(q, f, today - 86_400));
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    // Rows as the pages read them; saturating, since the counts come from Redis.
    let calls = |x: &redis::Value| -> u64 {
        value::strings(x)
            .iter()
            .map(|row| functions::read::parse_row(row))
            .fold(0u64, |a, r| a.saturating_add(r.finished).saturating_add(r.failed))
    };
    Ok(pairs
        .iter()
        .zip(v.chunks(2))
        .filter(|((_, f), c)| f != OTHER && c.iter().map(calls).fold(0u64, u64::saturating_add) < RARE_CALLS)
        .map(|(pair, _)| pair.clone())
        .collect())
}

#[cfg(test)]
#[path = "enforce_tests.rs"]
mod tests;
