//! The demo's data is RQ's own: each pinned RQ reads every job back (call, description,
//! results) through its API, and what a simulated worker records for a call is what a real
//! worker records for it (return value, or the exception line of the traceback).

use base64::Engine as _;
use serde_json::Value;

use rqdash::rq::decode::{decode_job_data, inflate};
use rqdash::store::demo::pyfunc::{self, Outcome};

use super::start;
use crate::support::Rq;
use crate::support::rq_worker::wait_until;

/// Every job hash of the Redis through RQ's API: loadable, its description RQ's own call string
/// of the decoded data, a result stream entry of the right type for finished and failed jobs.
const READ_ALL: &str = r#"
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer
c = conn()
ids = [k.decode()[7:] for k in c.scan_iter('rq:job:*', count=1000)
       if not k.endswith(b':dependents') and not k.startswith(b'rq:job::')]
bad, kinds = [], {}
for i in ids:
    try:
        j = Job.fetch(i, connection=c, serializer=JSONSerializer)
        st = text(j.get_status())
        kinds[st] = kinds.get(st, 0) + 1
        if j.description != j.get_call_string():
            bad.append([i, 'description', j.description, j.get_call_string()])
        if not j.func_name.startswith('builtins.'):
            bad.append([i, 'func', j.func_name])
        r = j.latest_result()
        if st == 'finished' and (r is None or r.type != r.Type.SUCCESSFUL):
            bad.append([i, 'finished without a success result', repr(r)])
        if st == 'failed' and (r is None or 'Traceback' not in (r.exc_string or '')):
            bad.append([i, 'failed without a traceback', repr(r)])
    except NoSuchJobError:
        pass  # expired since the scan (results kept 500 s)
    except Exception as e:
        bad.append([i, 'error', repr(e)])
out({'kinds': kinds, 'bad': bad[:10]})
"#;

async fn rq_reads_every_demo_job_as_the_demo_wrote_it(version: &'static str) {
    let demo = start(&[]);
    let seen = Rq::at(version, &demo.redis).py(READ_ALL);
    assert_eq!(seen["bad"], serde_json::json!([]), "rq {version}");
    for state in ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled"] {
        assert!(seen["kinds"][state].as_u64().unwrap_or(0) > 0, "rq {version}: no {state} job: {seen}");
    }
}

for_each_rq_version!(rq_reads_every_demo_job_as_the_demo_wrote_it);

/// RQ's `FailedJobRegistry.requeue` for the first ten failed billing jobs; prints their ids.
const REQUEUE_FAILED: &str = r#"
from rq import Queue
from rq.serializers import JSONSerializer
r = Queue('billing', connection=conn(), serializer=JSONSerializer).failed_job_registry
done = []
for i in r.get_job_ids()[:11]:
    try:
        r.requeue(i)
        done.append(i)
    except Exception:
        pass
out(done)
"#;

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).expect("base64")
}

#[test]
fn a_simulated_worker_records_for_each_call_what_a_real_worker_records() {
    let demo = start(&[]);
    let mut con = demo.conn();
    let queues = ["billing", "emails", "reports", "default"];
    let mut ids: Vec<String> = Vec::new();
    for q in queues {
        let mut q_ids: Vec<String> =
            redis::cmd("LRANGE").arg(format!("rq:queue:{q}")).arg(0).arg(-1).query(&mut con).expect("LRANGE");
        ids.append(&mut q_ids);
    }
    // Failing calls for sure: failed billing jobs requeued with RQ's own API (the planted
    // orphan among them raises NoSuchJobError and stays where it is).
    let rq = Rq::at("2.12.0", &demo.redis);
    let requeued = rq.py(REQUEUE_FAILED);
    ids.extend(requeued.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)));
    let mut args =
        vec!["worker", "-u", demo.redis.as_str(), "-S", "rq.serializers.JSONSerializer", "--burst"];
    args.extend(["-w", "rq.worker.SimpleWorker", "-n", "real"]);
    args.extend(queues);
    rq.cli(&args);
    wait_until(60, "every queued job to end", || {
        ids.iter().all(|id| {
            let s: Option<String> =
                redis::cmd("HGET").arg(format!("rq:job:{id}")).arg("status").query(&mut con).expect("HGET");
            !matches!(s.as_deref(), Some("queued" | "started"))
        })
    });
    let (mut real, mut failures) = (0, 0);
    for id in &ids {
        let key = format!("rq:job:{id}");
        let (worker, data): (Option<String>, Option<Vec<u8>>) =
            redis::cmd("HMGET").arg(&key).arg(&["worker_name", "data"]).query(&mut con).expect("HMGET");
        if worker.as_deref() != Some("real") {
            continue;
        }
        real += 1;
        let call = decode_job_data(&data.expect("data")).expect("a JSON call");
        let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XREVRANGE")
            .arg(format!("rq:results:{id}"))
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query(&mut con)
            .expect("XREVRANGE");
        let fields: std::collections::HashMap<String, String> =
            entries.into_iter().next().expect("a result").1.into_iter().collect();
        match pyfunc::run(&call) {
            Outcome::Return(v) => {
                assert_eq!(fields["type"], "1", "{id}: {call:?}");
                let got: Option<Value> =
                    fields.get("return_value").map(|r| serde_json::from_slice(&b64(r)).expect("JSON"));
                assert_eq!(got, v, "{id}: {call:?}");
            }
            Outcome::Raise { traceback } => {
                failures += 1;
                assert_eq!(fields["type"], "2", "{id}: {call:?}");
                let text = String::from_utf8(inflate(&b64(&fields["exc_string"]), 1 << 20).expect("zlib"))
                    .expect("utf-8");
                assert_eq!(text.lines().last(), traceback.lines().last(), "{id}: {call:?}");
                assert_eq!(text.lines().count(), traceback.lines().count(), "{id}: the same frames");
            }
        }
    }
    assert!(real >= 10, "the real worker ran {real} jobs");
    assert!(failures > 0, "no failing call among the {real} jobs the real worker ran");
}
