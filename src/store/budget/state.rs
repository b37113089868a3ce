//! The figure the sampler stores after each measurement (`<base>:budget`, a small hash that
//! expires after a day), so pages and `/metrics` show it without measuring: reading it is one
//! `HGETALL`.

use serde::Serialize;

use super::enforce::{Dropped, Plan};
use super::measure::Measurement;
use super::{Budget, Level, Usage};
use crate::store::history::Layout;
use crate::store::{Instance, Result, value};

/// What rqdash stores in one Redis, its budget and how far it degraded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// When it was measured (unix seconds).
    pub at: i64,
    /// None when the budget is off.
    pub budget: Option<u64>,
    pub usage: Usage,
    pub total: u64,
    pub level: Level,
    pub archive_entries: u64,
    /// Hours of minute buckets kept, when the tier was shortened.
    pub minute_hours: Option<i64>,
    /// What the last enforcement deleted.
    pub dropped: Dropped,
}

impl Status {
    pub fn new(m: &Measurement, budget: Budget, plan: &Plan, dropped: Dropped) -> Self {
        Self {
            at: m.at,
            budget: budget.max,
            usage: m.usage,
            total: m.usage.total(),
            level: plan.level,
            archive_entries: m.archive_entries,
            minute_hours: plan.minute_hours,
            dropped,
        }
    }

    /// Whether the measured total is past the budget.
    pub fn over(&self) -> bool {
        self.budget.is_some_and(|b| self.total > b)
    }
}

/// The key of the stored figure.
pub fn key(layout: &Layout) -> String {
    format!("{}:budget", layout.base())
}

const FIELDS: [&str; 14] = [
    "at",
    "budget",
    "history",
    "functions",
    "archive",
    "audit",
    "alerts",
    "level",
    "archive_entries",
    "minute_hours",
    "dropped_archive",
    "dropped_minute_keys",
    "folded_queues",
    "folded_functions",
];

/// Store `s` (one `HSET` and its expiry, in one transaction).
pub async fn write(inst: &Instance, layout: &Layout, s: &Status) -> Result<()> {
    let u = s.usage;
    let vals: [i64; 14] = [
        s.at,
        s.budget.map_or(-1, |b| b as i64),
        u.history as i64,
        u.functions as i64,
        u.archive as i64,
        u.audit as i64,
        u.alerts as i64,
        i64::from(s.level.number()),
        s.archive_entries as i64,
        s.minute_hours.unwrap_or(-1),
        s.dropped.archive_records as i64,
        s.dropped.minute_keys as i64,
        s.dropped.folded_queues as i64,
        s.dropped.folded_functions as i64,
    ];
    let k = key(layout);
    let mut p = redis::pipe();
    p.atomic().cmd("DEL").arg(&k).ignore();
    let h = p.cmd("HSET").arg(&k);
    for (f, v) in FIELDS.iter().zip(vals) {
        h.arg(f).arg(v);
    }
    p.ignore().cmd("EXPIRE").arg(&k).arg(86_400).ignore();
    inst.query::<()>(&p).await
}

/// The stored figure, if a sampler measured within the last day.
pub async fn read(inst: &Instance, layout: &Layout) -> Result<Option<Status>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("HMGET").arg(key(layout)).arg(&FIELDS[..]);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    let row = v.first().map(value::array).unwrap_or_default();
    if row.first().is_none_or(|x| matches!(x, redis::Value::Nil)) {
        return Ok(None);
    }
    let n = |i: usize| row.get(i).map_or(0, value::int);
    let u = |i: usize| n(i).max(0) as u64;
    let usage = Usage { history: u(2), functions: u(3), archive: u(4), audit: u(5), alerts: u(6) };
    Ok(Some(Status {
        at: n(0),
        budget: (n(1) >= 0).then(|| u(1)),
        usage,
        total: usage.total(),
        level: Level::from_number(n(7)),
        archive_entries: u(8),
        minute_hours: (n(9) >= 0).then(|| n(9)),
        dropped: Dropped {
            archive_records: u(10),
            minute_keys: u(11),
            folded_queues: u(12),
            folded_functions: u(13),
        },
    }))
}
