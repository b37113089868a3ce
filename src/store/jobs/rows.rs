//! The rows of a job list: the shown fields of many jobs in one pipeline (with the newest
//! result of a failure), then the `data` of those small enough to show their call.

use crate::rq::State;
use crate::rq::job::{JobRow, LIST_FIELDS, ROW_DATA_MAX};
use crate::rq::result::ResultEntry;
use crate::store::{Instance, Result, value};

/// Fetch the shown fields of many jobs in one pipeline (plus the newest result for failures),
/// then the `data` of those small enough to show their call (a second one).
pub async fn rows(inst: &Instance, state: State, members: &[(String, Option<f64>)]) -> Result<Vec<JobRow>> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let k = &inst.keys;
    let with_result = state == State::Failed;
    let per = if with_result { 3 } else { 2 };
    let mut p = redis::pipe();
    p.ignore_errors();
    let ids: Vec<String> = members.iter().map(|(m, _)| crate::rq::job::member_to_id(state, m).0).collect();
    for id in &ids {
        p.cmd("HMGET").arg(k.job(id)).arg(&LIST_FIELDS[..]);
        p.cmd("HSTRLEN").arg(k.job(id)).arg("data");
        if with_result {
            p.cmd("XREVRANGE").arg(k.results(id)).arg("+").arg("-").arg("COUNT").arg(1);
        }
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut out = Vec::with_capacity(members.len());
    let mut lens = Vec::with_capacity(members.len());
    for (i, (member, score)) in members.iter().enumerate() {
        let chunk = vals.get(i * per..(i + 1) * per).unwrap_or(&[]);
        let fields: Vec<Option<Vec<u8>>> =
            chunk.first().map(value::array).unwrap_or(&[]).iter().map(value::bytes).collect();
        let data_len = chunk.get(1).map_or(0, value::int);
        let latest_exc = chunk
            .get(2)
            .map(value::stream_entries)
            .and_then(|e| e.into_iter().next())
            .and_then(|(_, f)| ResultEntry::exc_text(&f));
        out.push(JobRow::from_fields(member, state, *score, &fields, data_len, latest_exc));
        lens.push(data_len);
    }
    let small: Vec<usize> = (0..out.len()).filter(|i| lens[*i] > 0 && lens[*i] <= ROW_DATA_MAX).collect();
    let mut data: Vec<Option<Vec<u8>>> = Vec::new();
    if !small.is_empty() {
        let mut p = redis::pipe();
        p.ignore_errors();
        for i in &small {
            p.cmd("HGET").arg(k.job(&ids[*i])).arg("data");
        }
        let v: Vec<redis::Value> = inst.query(&p).await?;
        data = v.iter().map(value::bytes).collect();
    }
    let mut fetched = small.iter().zip(data);
    let mut next = fetched.next();
    for (i, row) in out.iter_mut().enumerate() {
        match next.as_ref() {
            Some((j, d)) if **j == i => {
                row.set_call(d.as_deref(), lens[i]);
                next = fetched.next();
            }
            _ => row.set_call(None, lens[i]),
        }
    }
    Ok(out)
}
