//! `rqdash doctor`: finds exactly the planted problems of real RQ data, `--fix` repairs them, and
//! RQ's own API and worker are content afterwards.

use std::collections::BTreeMap;

use redis::Commands;
use serde_json::Value;

use super::{json_expect, rqdash, stderr};
use crate::support::probe::digest;
use crate::support::{Fixture, Rq};

/// The fixture's clocks keep running after the snapshot: make the two time-dependent keys
/// deterministic, so the planted problems are the only ones whatever the fixture's age.
fn freeze_clock_sensitive_keys(con: &mut redis::Connection) {
    // fin-default-ttl (result_ttl 500 s) and its finished entry expire together.
    let alive: bool = con.exists("rq:job:fin-default-ttl").expect("EXISTS");
    if alive {
        let _: () = con.persist("rq:job:fin-default-ttl").expect("PERSIST");
    } else {
        let _: () = con.zrem("rq:finished:default", "fin-default-ttl").expect("ZREM");
    }
    // The killed busy worker's hash (TTL ~90 s): keep it, so ghost-worker is the only stale worker.
    let alive: bool = con.exists("rq:worker:fixture-busy").expect("EXISTS");
    if alive {
        let _: () = con.persist("rq:worker:fixture-busy").expect("PERSIST");
    } else {
        let _: () = con
            .hset_multiple("rq:worker:fixture-busy", &[("state", "busy"), ("queues", "long")])
            .expect("HSET");
    }
}

/// Plant what the fixture lacks: an abandoned started job and a dangling dependents link.
fn plant(con: &mut redis::Connection) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let members: Vec<String> = con.zrange("rq:wip:long", 0, -1).expect("ZRANGE");
    for m in members {
        // busy-1's heartbeat score, 100 s in the past: its worker stopped heartbeating.
        let _: () =
            redis::cmd("ZADD").arg("rq:wip:long").arg("XX").arg(now - 100).arg(&m).query(con).expect("ZADD");
    }
    let _: () = con.sadd("rq:job:q-add-1:dependents", "ghost-child").expect("SADD");
}

/// (check, key) -> sorted ids (examples without their parenthesised context).
fn findings(report: &Value) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        let check = f["check"].as_str().unwrap_or_default().to_owned();
        let key = f["key"].as_str().unwrap_or("-").to_owned();
        let mut ids: Vec<String> = f["examples"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str())
            .map(|e| e.split(" (").next().unwrap_or(e).to_owned())
            .collect();
        ids.sort();
        assert_eq!(f["count"].as_u64(), Some(ids.len() as u64), "{check} {key}: count vs examples");
        out.insert((check, key), ids);
    }
    out
}

fn planted() -> BTreeMap<(String, String), Vec<String>> {
    let mut m = BTreeMap::new();
    let mut add = |check: &str, key: &str, ids: &[&str]| {
        m.insert((check.to_owned(), key.to_owned()), ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    };
    add("missing_job", "rq:queue:default", &["orphan-q1"]);
    for kind in ["wip", "finished", "failed", "deferred", "scheduled", "canceled"] {
        let id = if kind == "wip" { "orphan-started".to_owned() } else { format!("orphan-{kind}") };
        add("missing_job", &format!("rq:{kind}:default"), &[id.as_str()]);
    }
    add("job_without_data", "rq:failed:default", &["nodata-1"]);
    // The fixture's result_ttl/failure_ttl=1 entries: past expiry, not missing jobs.
    add("expired_entry", "rq:finished:expiring", &["exp-fin-0", "exp-fin-1", "exp-fin-2"]);
    add("expired_entry", "rq:failed:expiring", &["exp-fail-0", "exp-fail-1"]);
    add("abandoned_started", "rq:wip:long", &["busy-1"]);
    add("dangling_dependent", "-", &["q-add-1 -> ghost-child"]);
    add("stale_worker", "rq:workers", &["ghost-worker"]);
    add("stale_queue_worker", "rq:workers:default", &["ghost-worker"]);
    m
}

/// RQ's own view after the repair: every id of every queue and registry loads with
/// `Job.fetch_many` (which raises for a hash without data), every worker set member exists,
/// and `FailedJobRegistry.requeue` (what `rq requeue --all` does) works for every failed id.
const RQ_IS_CONTENT: &str = r#"
from rq import Queue
c = conn()
missing, stale = [], []
for q in Queue.all(connection=c):
    regs = [q.started_job_registry, q.finished_job_registry, q.failed_job_registry,
            q.deferred_job_registry, q.scheduled_job_registry, q.canceled_job_registry]
    ids = list(q.job_ids)
    for r in regs:
        ids += r.get_job_ids()
    jobs = Job.fetch_many(ids, connection=c)
    missing += [i for i, j in zip(ids, jobs) if j is None]
for key in [k.decode() for k in c.smembers('rq:workers')]:
    if not c.exists(key):
        stale.append(key)
failed = FailedJobRegistry('default', connection=c)
for i in failed.get_job_ids():
    failed.requeue(i)
out({'missing': missing, 'stale': stale, 'failed_left': failed.count})
"#;

fn doctor_round_trip(version: &'static str) {
    let server = Fixture::get(version).server();
    let mut con = server.conn();
    freeze_clock_sensitive_keys(&mut con);
    plant(&mut con);
    let report = json_expect(&server, &["doctor", "--json"], 3);
    assert_eq!(findings(&report), planted(), "rq {version}: doctor's findings");
    assert_eq!(report["repairable"], 16, "rq {version}");

    let fixed = json_expect(&server, &["doctor", "--fix", "--yes", "--json"], 3);
    let after = findings(&fixed["after"]);
    let left: Vec<&(String, String)> = after.keys().collect();
    assert_eq!(left, vec![&("abandoned_started".to_owned(), "rq:wip:long".to_owned())], "rq {version}");
    assert_eq!(fixed["fix"]["left_alone"][0]["check"], "abandoned_started", "rq {version}");
    let deleted: u64 = fixed["fix"]["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["hashes_deleted"].as_u64())
        .sum();
    assert_eq!(deleted, 1, "rq {version}: the data-less hash nodata-1 is deleted");
    // Literal keys: the repairs happened where RQ looks.
    let finished: Vec<String> = con.zrange("rq:finished:expiring", 0, -1).expect("ZRANGE");
    assert_eq!(finished, ["exp-kept"], "rq {version}: expired entries removed as RQ's cleanup does");
    assert!(!con.exists::<_, bool>("rq:job:nodata-1").expect("EXISTS"));
    assert_eq!(con.zscore::<_, _, Option<f64>>("rq:failed:default", "orphan-failed").expect("ZSCORE"), None);
    assert!(!con.sismember::<_, _, bool>("rq:workers", "rq:worker:ghost-worker").expect("SISMEMBER"));
    assert!(!con.sismember::<_, _, bool>("rq:workers:default", "rq:worker:ghost-worker").expect("SISMEMBER"));
    assert!(!con.sismember::<_, _, bool>("rq:job:q-add-1:dependents", "ghost-child").expect("SISMEMBER"));
    let queued: Vec<String> = con.lrange("rq:queue:default", 0, -1).expect("LRANGE");
    assert!(
        !queued.iter().any(|i| i == "orphan-q1") && queued.first().is_some_and(|i| i == "q-add-1"),
        "{queued:?}"
    );

    let rq = Rq::new(version, &server);
    let verdict = rq.py(RQ_IS_CONTENT);
    assert_eq!(verdict["missing"], Value::Array(vec![]), "rq {version}: {verdict}");
    assert_eq!(verdict["stale"], Value::Array(vec![]), "rq {version}: {verdict}");
    assert_eq!(verdict["failed_left"], 0, "rq {version}: {verdict}");
    // What doctor left alone is RQ's to handle: a worker's maintenance fails the abandoned job.
    rq.burst(&["long"]);
    let o = rqdash(&server, &["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(0), "rq {version}: {}\n{}", super::stdout(&o), stderr(&o));
    let status: Option<String> = con.hget("rq:job:busy-1", "status").expect("HGET");
    assert_eq!(status.as_deref(), Some("failed"), "rq {version}");
}

#[test]
fn doctor_finds_and_repairs_the_planted_problems_of_rq_1_16_2_data() {
    doctor_round_trip("1.16.2");
}

#[test]
fn doctor_finds_and_repairs_the_planted_problems_of_rq_2_12_0_data() {
    doctor_round_trip("2.12.0");
}

#[test]
fn doctor_finds_and_repairs_the_planted_problems_of_rq_3_0_0_data() {
    doctor_round_trip("3.0.0");
}

#[test]
fn doctor_fix_without_yes_and_without_a_terminal_changes_nothing() {
    let server = Fixture::get("2.12.0").server();
    let mut con = server.conn();
    let before = digest(&mut con);
    let o = rqdash(&server, &["doctor", "--fix"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(super::stdout(&o).contains("--fix will:"), "the dry run is shown first");
    assert!(stderr(&o).contains("pass --yes"), "{}", stderr(&o));
    assert_eq!(digest(&mut con), before);
}

/// Real RQ 2.12 chains: `child-c` waits on two parents that a worker finished but died before
/// releasing it; `child-g` waits on a parent that was deleted.
const STUCK_CHAINS: &str = r#"
c = conn()
q = Queue('chain', connection=c)
a = q.enqueue(ok, 1, job_id='parent-a')
b = q.enqueue(ok, 2, job_id='parent-b')
q.enqueue(ok, 3, job_id='child-c', depends_on=[a, b])
x = q.enqueue(ok, 5, job_id='parent-x')
q.enqueue(ok, 6, job_id='child-g', depends_on=[x])
x.delete()
for j in (a, b):
    c.lrem(q.key, 1, j.id)
    c.hset(j.key, 'status', 'finished')
    c.zadd('rq:finished:chain', {j.id: '+inf'})
out(sorted(i.decode() for i in c.zrange('rq:deferred:chain', 0, -1)))
"#;

#[test]
fn doctor_releases_deferred_jobs_whose_parents_all_finished_and_leaves_orphaned_chains_alone() {
    let server = crate::support::RedisServer::start();
    let rq = Rq::new("2.12.0", &server);
    assert_eq!(rq.py(STUCK_CHAINS), serde_json::json!(["child-c", "child-g"]));
    let report = json_expect(&server, &["doctor", "--json"], 3);
    let mut want = BTreeMap::new();
    want.insert(("stuck_deferred".to_owned(), "-".to_owned()), vec!["child-c".to_owned()]);
    want.insert(("deferred_parents_gone".to_owned(), "-".to_owned()), vec!["child-g".to_owned()]);
    assert_eq!(findings(&report), want);

    let fixed = json_expect(&server, &["doctor", "--fix", "--yes", "--json"], 3);
    assert_eq!(fixed["fix"]["steps"][0]["repaired"], 1, "{fixed}");
    assert_eq!(fixed["fix"]["left_alone"][0]["check"], "deferred_parents_gone");
    let mut con = server.conn();
    let queued: Vec<String> = con.lrange("rq:queue:chain", 0, -1).expect("LRANGE");
    assert_eq!(queued, vec!["child-c"]);
    assert!(!con.sismember::<_, _, bool>("rq:job:parent-a:dependents", "child-c").expect("SISMEMBER"));
    rq.burst(&["chain"]);
    let status = rq.py("out(status_of(['child-c', 'child-g']))");
    assert_eq!(status, serde_json::json!({"child-c": "finished", "child-g": "deferred"}));
}
