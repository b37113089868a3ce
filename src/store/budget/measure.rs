//! Measuring what rqdash stores, in 2 round trips and without SCAN (see the module doc of
//! [`super`] for the method and its cost). Only reads.

use std::collections::{BTreeMap, BTreeSet};

use redis::Value;

use super::Usage;
use super::sample::{exists, family, memory, spread, sum};
use crate::store::history::layout::{Layout, Subject, floor};
use crate::store::{Instance, Result, alert_state, archive, audit, functions, value};

/// Hours of minute hashes that can exist (48 h after the hour ends, and the current hour).
pub const MINUTE_HOURS: i64 = 50;
/// Days of hour hashes and names sets that can exist (90 days after the day ends, and today).
pub const HOUR_DAYS: i64 = 92;
/// Per-key sizes used when a family has keys but no sampled key was found (the module docs'
/// measured maxima, so the estimate errs on the safe side).
const FALLBACK: [u64; 4] = [1_900, 1_000, 3_300, 1_300];

/// Keys and bytes of one family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Family {
    pub keys: u64,
    pub bytes: u64,
}

/// One measurement of an instance.
#[derive(Debug, Clone, Default)]
pub struct Measurement {
    pub at: i64,
    pub usage: Usage,
    pub history_minute: Family,
    pub history_hour: Family,
    pub fn_minute: Family,
    pub fn_hour: Family,
    pub archive_entries: u64,
    /// Bytes of the archive stream alone (its day indexes excluded).
    pub archive_stream: u64,
    /// Per hour start of the minute tier: (history keys, function keys).
    pub minute_hours: BTreeMap<i64, (u64, u64)>,
    /// The queues measured (those of `rq:queues`).
    pub queues: Vec<String>,
    /// Every (queue, function) pair of the names sets.
    pub pairs: Vec<(String, String)>,
    /// Commands sent.
    pub commands: usize,
}

impl Measurement {
    /// Mean bytes of one history / function minute hash.
    pub fn minute_means(&self) -> (u64, u64) {
        let mean = |f: Family| f.bytes.checked_div(f.keys).unwrap_or(0);
        (mean(self.history_minute), mean(self.fn_minute))
    }
}

/// Hour starts of the minute tier and day starts of the hour tier, newest first.
pub fn buckets(now: i64) -> (Vec<i64>, Vec<i64>) {
    let (h, d) = (floor(now, 3600), floor(now, 86_400));
    ((0..MINUTE_HOURS).map(|i| h - i * 3600).collect(), (0..HOUR_DAYS).map(|i| d - i * 86_400).collect())
}

/// Measure what rqdash stores under `layout` for `queues` (the queues of `rq:queues`), the audit
/// stream at `audit_key` and the alert state.
pub async fn measure(
    inst: &Instance,
    layout: &Layout,
    queues: &[String],
    audit_key: &str,
    now: i64,
) -> Result<Measurement> {
    let (hours, days) = buckets(now);
    let subjects: Vec<Subject<'_>> =
        std::iter::once(Subject::All).chain(queues.iter().map(|q| Subject::Queue(q))).collect();
    let (fkeys, akeys) = (functions::Keys::new(layout), archive::Keys::new(layout));
    let mut m = Measurement { at: now, queues: queues.to_vec(), ..Measurement::default() };

    let (mut p, mut n) = (redis::pipe(), 0);
    p.ignore_errors();
    let per_hour: Vec<Vec<usize>> = hours
        .iter()
        .map(|h| {
            exists(&mut p, &mut n, &subjects.iter().map(|s| layout.minute_key(*s, *h)).collect::<Vec<_>>())
        })
        .collect();
    let per_day: Vec<usize> = days
        .iter()
        .flat_map(|d| {
            exists(&mut p, &mut n, &subjects.iter().map(|s| layout.hour_key(*s, *d)).collect::<Vec<_>>())
        })
        .collect();
    let mut names_at = Vec::new();
    for q in queues {
        for d in &days {
            p.cmd("SMEMBERS").arg(fkeys.names(q, *d));
            names_at.push((q, fkeys.names(q, *d), n));
            n += 1;
        }
    }
    p.cmd("XLEN").arg(akeys.stream());
    let xlen = n;
    n += 1;
    let stream = memory(&mut p, &mut n, akeys.stream());
    let idx: Vec<usize> =
        (0..archive::MAX_DAYS).map(|i| memory(&mut p, &mut n, &akeys.index(days[0] - i * 86_400))).collect();
    let audit = memory(&mut p, &mut n, audit_key);
    let alerts =
        [memory(&mut p, &mut n, alert_state::LEASE_KEY), memory(&mut p, &mut n, alert_state::SENT_KEY)];
    let mut sample = |tier: &dyn Fn(Subject<'_>, usize) -> String, len: usize, seed: i64| -> Vec<usize> {
        spread(subjects.len() * len, seed)
            .into_iter()
            .map(|i| memory(&mut p, &mut n, &tier(subjects[i % subjects.len()], i / subjects.len())))
            .collect()
    };
    let hm = sample(&|s, i| layout.minute_key(s, hours[i]), hours.len(), now);
    let hh = sample(&|s, i| layout.hour_key(s, days[i]), days.len(), now + 1);
    let v: Vec<Value> = inst.query(&p).await?;
    m.commands = n;

    let hist_per_hour: Vec<u64> = per_hour.iter().map(|at| sum(&v, at)).collect();
    m.history_minute = family(hist_per_hour.iter().sum(), &v, &hm, FALLBACK[0]);
    m.history_hour = family(sum(&v, &per_day), &v, &hh, FALLBACK[1]);
    m.archive_entries = sum(&v, &[xlen]);
    m.archive_stream = sum(&v, &[stream]);
    m.usage.archive = m.archive_stream + sum(&v, &idx);
    m.usage.audit = sum(&v, &[audit]);
    m.usage.alerts = sum(&v, &alerts);
    let mut pairs = BTreeSet::new();
    let mut names_sets = Vec::new();
    for (q, key, i) in names_at {
        let members = v.get(i).map(value::strings).unwrap_or_default();
        if !members.is_empty() {
            names_sets.push(key);
        }
        pairs.extend(members.into_iter().map(|f| (q.clone(), f)));
    }
    m.pairs = pairs.into_iter().collect();

    let fn_per_hour = functions_round(inst, &fkeys, &mut m, &hours, &days, &names_sets, now).await?;
    for ((h, a), b) in hours.iter().zip(hist_per_hour).zip(fn_per_hour) {
        m.minute_hours.insert(*h, (a, b));
    }
    m.usage.history = m.history_minute.bytes + m.history_hour.bytes;
    Ok(m)
}

/// The second round trip: the function pairs' keys, counted and sampled, and the names sets.
async fn functions_round(
    inst: &Instance,
    fkeys: &functions::Keys,
    m: &mut Measurement,
    hours: &[i64],
    days: &[i64],
    names_sets: &[String],
    now: i64,
) -> Result<Vec<u64>> {
    if m.pairs.is_empty() {
        return Ok(vec![0; hours.len()]);
    }
    let (mut p, mut n) = (redis::pipe(), 0);
    p.ignore_errors();
    let pairs = &m.pairs;
    let per_hour: Vec<Vec<usize>> = hours
        .iter()
        .map(|h| {
            exists(&mut p, &mut n, &pairs.iter().map(|(q, f)| fkeys.minute(q, f, *h)).collect::<Vec<_>>())
        })
        .collect();
    let per_day: Vec<usize> = days
        .iter()
        .flat_map(|d| {
            exists(&mut p, &mut n, &pairs.iter().map(|(q, f)| fkeys.hour(q, f, *d)).collect::<Vec<_>>())
        })
        .collect();
    let fm: Vec<usize> = spread(pairs.len() * hours.len(), now + 2)
        .into_iter()
        .map(|i| {
            let (q, f) = &pairs[i % pairs.len()];
            memory(&mut p, &mut n, &fkeys.minute(q, f, hours[i / pairs.len()]))
        })
        .collect();
    let fh: Vec<usize> = spread(pairs.len() * days.len(), now + 3)
        .into_iter()
        .map(|i| {
            let (q, f) = &pairs[i % pairs.len()];
            memory(&mut p, &mut n, &fkeys.hour(q, f, days[i / pairs.len()]))
        })
        .collect();
    // The totals behind /metrics' counters: one small hash per pair, never dropped (deleting one
    // would reset a counter), but counted.
    let totals: Vec<String> = pairs.iter().map(|(q, f)| fkeys.totals(q, f)).collect();
    let per_totals = exists(&mut p, &mut n, &totals);
    let ft: Vec<usize> =
        spread(totals.len(), now + 5).into_iter().map(|i| memory(&mut p, &mut n, &totals[i])).collect();
    let ns: Vec<usize> = spread(names_sets.len(), now + 4)
        .into_iter()
        .map(|i| memory(&mut p, &mut n, &names_sets[i]))
        .collect();
    let v: Vec<Value> = inst.query(&p).await?;
    m.commands += n;
    let fn_per_hour: Vec<u64> = per_hour.iter().map(|at| sum(&v, at)).collect();
    m.fn_minute = family(fn_per_hour.iter().sum(), &v, &fm, FALLBACK[2]);
    m.fn_hour = family(sum(&v, &per_day), &v, &fh, FALLBACK[3]);
    let names = family(names_sets.len() as u64, &v, &ns, 200);
    let totals = family(sum(&v, &per_totals), &v, &ft, 300);
    m.usage.functions = m.fn_minute.bytes + m.fn_hour.bytes + names.bytes + totals.bytes;
    Ok(fn_per_hour)
}

/// The audit stream's key for `prefix` (`--audit-prefix`).
pub fn audit_key(prefix: &str) -> String {
    audit::Log::new(prefix, 1, std::time::Duration::from_secs(1)).key().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiers_cover_every_bucket_that_can_exist() {
        let (h, d) = buckets(1_700_000_000);
        assert_eq!(h.len() as i64, MINUTE_HOURS);
        assert_eq!(h[0] - h[h.len() - 1], 49 * 3600, "48 h after the hour ends, and the current hour");
        assert_eq!(d[0] - d[d.len() - 1], 91 * 86_400);
    }
}
