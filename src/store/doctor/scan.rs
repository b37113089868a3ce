//! The read side of doctor: walk every list and registry of every queue in windows of [`CHUNK`](super::CHUNK)
//! ids, then check the worker sets and the links collected on the way.

use std::collections::{BTreeMap, HashSet};

use redis::Value;

use super::window::walk;
use super::{Check, CheckSummary, EXAMPLES, Finding, Report, links, workers};
use crate::rq::key_type::KeyType;
use crate::rq::{State, time};
use crate::store::key_type::Suspects;
use crate::store::{Instance, Result, overview, value};

/// Where a finding was made.
#[derive(Debug, Clone, Default)]
pub(super) struct Place {
    pub queue: Option<String>,
    pub state: Option<State>,
    pub key: Option<String>,
}

/// A started entry of a loadable `started` job, checked once the worker hashes are known.
pub(super) struct Started {
    pub place: Place,
    pub id: String,
    pub worker: String,
    pub score: Option<f64>,
}

/// What the walk collects: findings, and what the later passes look at.
#[derive(Default)]
pub(super) struct Acc {
    findings: BTreeMap<(Check, Option<String>, Option<String>), Finding>,
    pub ids_examined: u64,
    /// Jobs whose dependents set is not empty: (queue, id), each id once.
    pub parents: Vec<(String, String)>,
    pub seen_parents: HashSet<String>,
    /// Deferred jobs with status deferred: (queue, id, raw `dependency_ids`).
    pub deferred: Vec<(String, String, Option<String>)>,
    pub started: Vec<Started>,
    /// Keys whose replies said WRONGTYPE: `wrong_type` findings once named.
    pub wrong: Suspects,
}

impl Acc {
    /// Count one problem; `item` is what the repair needs, when it needs one.
    pub fn note(&mut self, check: Check, place: &Place, example: String, item: Option<(String, String)>) {
        let f =
            self.findings.entry((check, place.queue.clone(), place.key.clone())).or_insert_with(|| Finding {
                check,
                queue: place.queue.clone(),
                state: place.state,
                key: place.key.clone(),
                count: 0,
                examples: Vec::new(),
                items: Vec::new(),
            });
        f.count += 1;
        if f.examples.len() < EXAMPLES {
            f.examples.push(example);
        }
        if let Some(i) = item {
            f.items.push(i);
        }
    }
}

/// Scan one instance. Round trips: 2 to list queues and sizes, 2 per window, a few for links.
pub async fn scan(inst: &Instance) -> Result<Report> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(k.queues()).cmd("SMEMBERS").arg(k.workers());
    let head: Vec<Value> = inst.query(&p).await?;
    let mut acc = Acc::default();
    acc.wrong.check(&k.queues(), KeyType::Set, head.get(..1).unwrap_or(&[]));
    acc.wrong.check(&k.workers(), KeyType::Set, head.get(1..2).unwrap_or(&[]));
    let mut names = overview::queue_names(k, &head.first().map(value::strings).unwrap_or_default());
    let registered = names.len();
    let unregistered: Vec<String> =
        inst.discovered.names().into_iter().filter(|d| names.binary_search(d).is_err()).collect();
    names.extend(unregistered.iter().cloned());
    let mut worker_sets: Vec<(Place, Vec<String>)> = vec![(
        Place { key: Some(k.workers()), ..Place::default() },
        head.get(1).map(value::strings).unwrap_or_default(),
    )];
    // Sizes of every structure, the queue's worker set and intermediate list, in one round trip.
    let per = State::ALL.len() + 2;
    let mut p = redis::pipe();
    p.ignore_errors();
    for q in &names {
        for s in State::ALL {
            p.cmd(if s == State::Queued { "LLEN" } else { "ZCARD" }).arg(k.state_key(s, q));
        }
        p.cmd("SMEMBERS").arg(k.queue_workers(q));
        p.cmd("LLEN").arg(k.intermediate(q));
    }
    let sizes: Vec<Value> = if names.is_empty() { Vec::new() } else { inst.query(&p).await? };
    let now = time::now_epoch();
    let now_s = crate::store::census::now();
    for q in &unregistered {
        let place = Place { queue: Some(q.clone()), key: Some(k.queues()), state: None };
        acc.note(Check::UnregisteredQueue, &place, q.clone(), None);
    }
    for (i, q) in names.iter().enumerate() {
        let row = sizes.get(i * per..(i + 1) * per).unwrap_or(&[]);
        let n = State::ALL.len();
        for (j, s) in State::ALL.into_iter().enumerate() {
            acc.wrong.check(&k.state_key(s, q), s.key_type(), row.get(j..=j).unwrap_or(&[]));
        }
        acc.wrong.check(&k.queue_workers(q), KeyType::Set, row.get(n..=n).unwrap_or(&[]));
        acc.wrong.check(&k.intermediate(q), KeyType::List, row.get(n + 1..=n + 1).unwrap_or(&[]));
        let count = |j: usize| usize::try_from(row.get(j).map_or(0, value::int)).unwrap_or(0);
        let listeners = row.get(State::ALL.len()).map(value::strings).unwrap_or_default();
        let mut anything = count(State::ALL.len() + 1) > 0 || !listeners.is_empty();
        for (j, s) in State::ALL.into_iter().enumerate() {
            anything |= count(j) > 0;
            walk(inst, &mut acc, q, s, count(j), now_s).await?;
        }
        let place = Place { queue: Some(q.clone()), key: Some(k.queue(q)), state: None };
        if !anything {
            acc.note(Check::EmptyQueue, &place, q.clone(), None);
        }
        worker_sets.push((Place { key: Some(k.queue_workers(q)), ..place }, listeners));
    }
    let worker_members = worker_sets.iter().map(|(_, m)| m.len() as u64).sum();
    workers::check(inst, &mut acc, &worker_sets, now).await?;
    links::dependents(inst, &mut acc).await?;
    links::deferred(inst, &mut acc).await?;
    for w in std::mem::take(&mut acc.wrong).name(inst).await? {
        let place = Place { key: Some(w.key.clone()), ..Place::default() };
        acc.note(Check::WrongType, &place, w.message, None);
    }
    // Scheduling: overdue scheduled jobs with no scheduler, cron schedulers gone quiet.
    let a = crate::store::schedulers::alerts(inst, &names).await?;
    for (q, n) in &a.overdue {
        let key = k.state_key(State::Scheduled, q);
        let place = Place { queue: Some(q.clone()), state: Some(State::Scheduled), key: Some(key) };
        acc.note(Check::OverdueScheduled, &place, format!("{q} ({n} jobs, no scheduler lock)"), None);
        if let Some(f) =
            acc.findings.get_mut(&(Check::OverdueScheduled, place.queue.clone(), place.key.clone()))
        {
            f.count = u64::try_from(*n).unwrap_or(0);
        }
    }
    for name in a.stale_cron {
        let place = Place { key: Some(k.cron_schedulers()), ..Place::default() };
        acc.note(Check::StaleCronScheduler, &place, name, None);
    }
    Ok(report(inst, acc, registered as u64, worker_members))
}

fn report(inst: &Instance, acc: Acc, queues: u64, worker_members: u64) -> Report {
    let findings: Vec<Finding> = acc.findings.into_values().collect();
    let checks: Vec<CheckSummary> = Check::ALL
        .into_iter()
        .map(|check| CheckSummary {
            check,
            description: check.describe(),
            count: findings.iter().filter(|f| f.check == check).map(|f| f.count).sum(),
            policy: check.policy(),
        })
        .collect();
    Report {
        instance: inst.index,
        url: inst.url.clone(),
        queues,
        ids_examined: acc.ids_examined,
        worker_members,
        problems: checks.iter().map(|c| c.count).sum(),
        repairable: checks.iter().filter(|c| c.check.repaired()).map(|c| c.count).sum(),
        checks,
        storage: None,
        findings,
    }
}
