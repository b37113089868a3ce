//! Judging a chunk of ids: pipelined reads of only the fields the query needs, then the
//! traceback and `data` only for ids that pass everything else, within a deadline.

use std::time::Instant;

use redis::Value;

use super::matcher::{self, Facts, Verdict};
use super::query::Query;
use super::read::{HISTORY, failures, traceback};
use crate::store::{Instance, Result, value};

/// Ids of the first batch, judged whatever the time: every request moves on by that many, even
/// when reading one huge value takes longer than the whole budget.
const FIRST_BATCH: usize = 50;
/// Ids of each later batch (one round trip or two each).
const BATCH: usize = 250;

/// Judge `ids` in batches: per batch one HMGET per id of the needed fields (plus
/// `status`/`origin` with `with_origin`), then the traceback / `data` for the undecided ones.
/// Returns each id's facts and whether it matches, in order. Past `deadline` it stops after
/// the ids judged so far (at least the first batch), so that a chunk of huge values cannot hold
/// a request much past its time budget.
pub async fn judge(
    inst: &Instance,
    q: &Query,
    ids: &[String],
    with_origin: bool,
    deadline: Option<Instant>,
) -> Result<Vec<(bool, Facts)>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut start = 0;
    while start < ids.len() {
        let first = start == 0;
        let end = ids.len().min(start + if first { FIRST_BATCH } else { BATCH });
        let batch = ids.get(start..end).unwrap_or_default();
        let judged = judge_batch(inst, q, batch, with_origin, deadline.filter(|_| !first)).await?;
        let complete = judged.len() == batch.len();
        out.extend(judged);
        if !complete || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        start = end;
    }
    Ok(out)
}

/// One batch; with a `deadline`, ids are judged one by one until it passes.
async fn judge_batch(
    inst: &Instance,
    q: &Query,
    ids: &[String],
    with_origin: bool,
    deadline: Option<Instant>,
) -> Result<Vec<(bool, Facts)>> {
    let k = &inst.keys;
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    let names = matcher::fields(q, with_origin);
    let mut facts: Vec<Facts> = Vec::with_capacity(ids.len());
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(ids.len());
    if names.is_empty() || ids.is_empty() {
        facts = vec![Facts::default(); ids.len()];
        verdicts = facts.iter().map(|f| matcher::judge(q, f)).collect();
    } else {
        let mut p = redis::pipe();
        p.ignore_errors();
        for id in ids {
            p.cmd("HMGET").arg(k.job(id)).arg(&names[..]);
        }
        let vals: Vec<Value> = inst.query(&p).await?;
        for i in 0..ids.len() {
            if late() {
                break;
            }
            let v: Vec<Option<Vec<u8>>> =
                vals.get(i).map(value::array).unwrap_or(&[]).iter().map(value::bytes).collect();
            let f = Facts::from_hash(&names, &v);
            verdicts.push(matcher::judge(q, &f));
            facts.push(f);
        }
    }
    let need: Vec<(usize, bool, bool)> = verdicts
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            Verdict::Undecided { traceback, data } => Some((i, *traceback, *data)),
            _ => None,
        })
        .collect();
    if !need.is_empty() {
        let mut p = redis::pipe();
        p.ignore_errors();
        for (i, tb, data) in &need {
            let id = &ids[*i];
            if *tb {
                let count = if q.history_any { HISTORY } else { 1 };
                p.cmd("XREVRANGE").arg(k.results(id)).arg("+").arg("-").arg("COUNT").arg(count);
                p.cmd("HGET").arg(k.job(id)).arg("exc_info");
            }
            if *data {
                p.cmd("HGET").arg(k.job(id)).arg("data");
            }
        }
        let vals: Vec<Value> = inst.query(&p).await?;
        let mut it = vals.iter();
        for (i, tb, data) in need {
            if late() {
                facts.truncate(i);
                verdicts.truncate(i);
                break;
            }
            if tb {
                let (s, e) = (it.next(), it.next());
                if q.history_any {
                    facts[i].history = Some(failures(s, e));
                } else {
                    facts[i].traceback = Some(traceback(s, e));
                }
            }
            if data {
                let raw = it.next().and_then(value::bytes);
                facts[i].data_func = Some(
                    raw.and_then(|r| crate::rq::decode::decode_job_data(&r).ok())
                        .and_then(|call| call.func_name.map(|f| f.to_lowercase())),
                );
            }
            verdicts[i] = matcher::judge(q, &facts[i]);
        }
    }
    Ok(verdicts.into_iter().zip(facts).map(|(v, f)| (v == Verdict::Yes, f)).collect())
}
