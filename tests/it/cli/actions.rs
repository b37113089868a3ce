//! Actions through the CLI on jobs made and run by real RQ workers.

use redis::Commands;
use serde_json::Value;

use super::{json_expect, rqdash, run_expect, stderr, stdout};
use crate::support::probe::digest;
use crate::support::{RQ_VERSIONS, RedisServer, Rq};

/// Five `flaky` jobs that fail until the pass key is set, run once by a real worker.
fn five_failed_jobs(rq: &Rq) {
    rq.py("q = Queue('cli', connection=conn())\n\
         out([q.enqueue(flaky, i, job_id='flaky-%d' % i).id for i in range(5)])");
    rq.burst(&["cli"]);
}

fn requeue_and_run(version: &'static str) {
    let server = RedisServer::start();
    let rq = Rq::new(version, &server);
    five_failed_jobs(&rq);
    let mut con = server.conn();
    let _: () = con.zadd("rq:failed:cli", "ghost-failed", 4_000_000_000_i64).expect("ZADD");
    assert_eq!(con.zcard::<_, i64>("rq:failed:cli").expect("ZCARD"), 6);

    let one = run_expect(&server, &["requeue", "flaky-0", "--yes"], 0);
    assert_eq!(one.trim(), "requeued flaky-0 (failed -> queued, queue cli)", "rq {version}");
    let _: () = con.set("rqdash-test:pass", 1).expect("SET");
    let all = run_expect(&server, &["requeue", "--queue", "cli", "--all", "--yes"], 0);
    assert_eq!(all.trim(), "requeued 4; removed 1 orphaned id", "rq {version}");

    rq.burst(&["cli"]);
    let ids: Vec<String> = (0..5).map(|i| format!("flaky-{i}")).collect();
    let status = rq.py(&format!("out(status_of({ids:?}))"));
    for id in &ids {
        assert_eq!(status[id], "finished", "rq {version}: {status}");
    }
    let page = json_expect(&server, &["jobs", "cli", "--state", "finished", "--json"], 0);
    assert_eq!(page["total"], 5, "rq {version}");
    assert_eq!(con.zcard::<_, i64>("rq:failed:cli").expect("ZCARD"), 0);
}

#[test]
fn requeue_through_the_cli_sends_real_failed_jobs_back_to_a_real_worker() {
    std::thread::scope(|s| {
        for v in RQ_VERSIONS {
            s.spawn(move || requeue_and_run(v));
        }
    });
}

#[test]
fn actions_refuse_without_yes_when_stdin_is_not_a_terminal() {
    let server = RedisServer::start();
    let rq = Rq::new("2.12.0", &server);
    five_failed_jobs(&rq);
    let mut con = server.conn();
    let before = digest(&mut con);
    for args in [
        &["requeue", "--queue", "cli", "--all"][..],
        &["requeue", "flaky-1"],
        &["delete", "flaky-1", "flaky-2"],
        &["empty", "cli", "--state", "failed"],
        &["compact", "cli"],
        &["suspend"],
    ] {
        let o = rqdash(&server, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("stdin is not a terminal (pass --yes)"), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    assert_eq!(digest(&mut con), before, "nothing changed");
}

#[test]
fn actions_report_failures_with_a_non_zero_status() {
    let server = RedisServer::start();
    let rq = Rq::new("2.12.0", &server);
    five_failed_jobs(&rq);
    let o = rqdash(&server, &["delete", "no-such-job", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no job \"no-such-job\""), "{}", stderr(&o));
    // Several ids: the ones acted on are counted, the rest make the command fail.
    let o = rqdash(&server, &["cancel", "flaky-1", "no-such-job", "--yes", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let out: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        (out["canceled"].as_u64(), out["missing"].as_u64(), out["skipped"].as_u64()),
        (Some(0), Some(1), Some(1))
    );
    let o = rqdash(&server, &["stop", "flaky-1", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not running"), "{}", stderr(&o));
}

#[test]
fn suspend_and_resume_use_rqs_own_flag() {
    let server = RedisServer::start();
    let rq = Rq::new("2.12.0", &server);
    let mut con = server.conn();
    let s = json_expect(&server, &["suspend", "--duration", "60", "--yes", "--json"], 0);
    assert_eq!(s["suspended"], true);
    let ttl: i64 = con.ttl("rq:suspended").expect("TTL");
    assert!((1..=60).contains(&ttl), "{ttl}");
    let rq_says = rq.py("from rq.suspension import is_suspended\nout(bool(is_suspended(conn())))");
    assert_eq!(rq_says, true);
    run_expect(&server, &["resume", "--yes"], 0);
    assert!(!con.exists::<_, bool>("rq:suspended").expect("EXISTS"));
    let again = run_expect(&server, &["resume", "--yes"], 0);
    assert!(again.contains("were not suspended"), "{again}");
}
