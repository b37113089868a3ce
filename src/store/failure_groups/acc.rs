//! Folding failed jobs into groups (pure, run off the async threads one chunk at a time).

use std::collections::HashMap;

use jiff::Timestamp;
use redis::Value;

use super::{EXAMPLE_MAX, Group};
use crate::rq::failure::{GroupKey, exception_text};
use crate::rq::job::func_name_from_description;
use crate::rq::time;
use crate::store::search::read;
use crate::store::value;

/// Groups being built.
pub type Groups = HashMap<GroupKey, Acc>;

/// One group being built.
#[derive(Default)]
pub struct Acc {
    key: Option<GroupKey>,
    count: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    functions: HashMap<String, u64>,
    queues: HashMap<String, u64>,
    example: Option<(Option<Timestamp>, String, String)>,
    ids: Vec<String>,
    ended: Vec<f64>,
}

/// One failed job as read.
struct Failed {
    queue: String,
    id: String,
    func: Option<String>,
    ended: Option<Timestamp>,
    traceback: Option<String>,
}

fn add(groups: &mut HashMap<GroupKey, Acc>, f: Failed) {
    let key = GroupKey::of(f.traceback.as_deref());
    let a = groups.entry(key.clone()).or_default();
    a.key.get_or_insert(key);
    a.count += 1;
    if let Some(t) = f.ended {
        a.first = Some(a.first.map_or(t, |x| x.min(t)));
    }
    a.last = a.last.max(f.ended);
    *a.functions.entry(f.func.unwrap_or_else(|| "(unknown)".into())).or_default() += 1;
    *a.queues.entry(f.queue).or_default() += 1;
    if a.example.as_ref().is_none_or(|(t, _, _)| f.ended > *t) {
        let tb = f.traceback.unwrap_or_default();
        a.example = Some((f.ended, f.id.clone(), crate::rq::decode::cut(&tb, EXAMPLE_MAX)));
    }
    a.ids.push(f.id);
    a.ended.push(f.ended.map_or(0.0, |t| t.as_microsecond() as f64 / 1e6));
}

fn ranked(m: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

pub fn finish(a: Acc) -> Group {
    let key = a.key.unwrap_or_else(|| GroupKey::of(None));
    let (_, example_id, example_traceback) = a.example.unwrap_or_default();
    Group {
        id: key.id(),
        label: key.label(),
        exc_type: key.exc_type,
        message: key.message,
        count: a.count,
        first_seen: a.first.map(time::format),
        last_seen: a.last.map(time::format),
        functions: ranked(a.functions),
        queues: ranked(a.queues),
        example_exception: exception_text(&example_traceback).to_owned(),
        example_id,
        example_traceback,
        ids: a.ids,
        ended: a.ended,
    }
}

/// Fold one chunk: `vals` holds, per member, the HMGET of `description`, `ended_at`,
/// `exc_info` and the newest results-stream entry; `datas` the `data` of jobs whose description
/// is not a call. Returns the groups and the number of ids without a job hash.
pub fn fold(
    mut groups: Groups,
    queue: &str,
    members: Vec<(String, Option<f64>)>,
    vals: &[Value],
    datas: &HashMap<usize, Vec<u8>>,
) -> (Groups, u64) {
    let mut orphans = 0;
    for (i, (id, _)) in members.into_iter().enumerate() {
        let h = vals.get(2 * i).map(value::array).unwrap_or(&[]);
        if h.iter().all(|v| matches!(v, Value::Nil)) {
            orphans += 1;
            continue;
        }
        let text = |j: usize| h.get(j).and_then(value::string).filter(|s| !s.is_empty());
        let traceback = read::traceback(vals.get(2 * i + 1), h.get(2));
        let ended = text(1).and_then(|s| time::parse(&s));
        let func = text(0).and_then(|d| func_name_from_description(&d)).or_else(|| {
            let raw = datas.get(&i)?;
            crate::rq::decode::decode_job_data(raw).ok()?.func_name
        });
        add(&mut groups, Failed { queue: queue.to_owned(), id, func, ended, traceback });
    }
    (groups, orphans)
}
