//! `rqdash info` and the other reads: RQ's numbers, RQ's layout, and nothing written.

use serde_json::Value;

use super::{all_fixtures, json_expect, run_expect};
use crate::support::Fixture;
use crate::support::probe::{READ_COMMANDS, commands_used, digest, reset};

const STATES: [&str; 7] = ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled"];

#[test]
fn info_json_counts_equal_what_rq_says_for_every_version() {
    for f in all_fixtures() {
        let server = f.server();
        let info = json_expect(&server, &["info", "--json"], 0);
        let queues = info["queues"].as_array().cloned().unwrap_or_default();
        let oracle = f.oracle["queues"].as_object().cloned().unwrap_or_default();
        assert_eq!(queues.len(), oracle.len(), "rq {}: number of queues", f.version);
        let mut queued_total = 0;
        for (name, want) in &oracle {
            let q = queues
                .iter()
                .find(|q| q["name"] == name.as_str())
                .unwrap_or_else(|| panic!("rq {}: queue {name} missing from info", f.version));
            for s in STATES {
                assert_eq!(q["counts"][s], want[s], "rq {}: {name}.{s}", f.version);
            }
            assert_eq!(q["workers"], want["workers"], "rq {}: {name} workers", f.version);
            queued_total += want["queued"].as_i64().unwrap_or(0);
        }
        assert_eq!(info["totals"]["queued"], Value::from(queued_total), "rq {}: total", f.version);
        // Like RQ's Worker.all(): workers whose hash is gone (ghost-worker) are not listed.
        let names: Vec<&str> =
            info["workers"].as_array().into_iter().flatten().filter_map(|w| w["name"].as_str()).collect();
        assert!(
            names.contains(&"partial-worker") && !names.contains(&"ghost-worker"),
            "rq {}: {names:?}",
            f.version
        );
    }
}

#[test]
fn info_and_every_other_read_command_run_only_read_commands() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let mut con = server.conn();
    let before = digest(&mut con);
    reset(&mut con);
    run_expect(&server, &["info"], 0);
    run_expect(&server, &["info", "--by-queue", "default", "long"], 0);
    run_expect(&server, &["info", "--raw", "--json"], 0);
    run_expect(&server, &["queues"], 0);
    run_expect(&server, &["jobs", "default", "--state", "failed", "--order", "desc"], 0);
    run_expect(&server, &["job", "fail-zero"], 0);
    run_expect(&server, &["workers", "--json"], 0);
    // doctor without --fix is a read too (it finds the fixture's planted problems: status 3).
    run_expect(&server, &["doctor"], 3);
    let used = commands_used(&mut con);
    let writes: Vec<&String> = used.iter().filter(|c| !READ_COMMANDS.contains(&c.as_str())).collect();
    assert!(writes.is_empty(), "read commands issued {writes:?}");
    assert_eq!(digest(&mut con), before, "the dataset changed");
}

#[test]
fn info_prints_rq_infos_lines() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let out = run_expect(&server, &["info", "default", "long"], 0);
    let d = &f.oracle["queues"]["default"];
    let n = |s: &str| d[s].as_i64().unwrap_or(-1);
    let lines: Vec<&str> = out.lines().collect();
    let default = lines.first().copied().unwrap_or_default();
    // `%-12s |<bar> N, N executing, N finished, N failed`, the queues in the order given.
    assert!(default.starts_with("default      |"), "{out}");
    let tail = format!(
        " {}, {} executing, {} finished, {} failed",
        n("queued"),
        n("started"),
        n("finished"),
        n("failed")
    );
    assert!(default.ends_with(&tail), "{default:?} should end with {tail:?}");
    assert!(lines.get(1).is_some_and(|l| l.starts_with("long         | 0, ")), "{out}");
    assert!(out.contains("2 queues, "), "{out}");
    assert!(out.contains("\npartial-worker (? ? ?): idle default. jobs: 0 finished, 0 failed\n"), "{out}");
    assert!(out.contains("\nUpdated: "), "{out}");
    let raw = run_expect(&server, &["info", "--raw", "--only-queues", "long"], 0);
    assert_eq!(raw.trim_end(), "queue long 0, 1 executing, 0 finished, 0 failed");
    let by_queue = run_expect(&server, &["info", "-R", "-W", "default", "high"], 0);
    assert!(by_queue.starts_with("default: partial-worker (idle)\nhigh:    –\n"), "{by_queue}");
}

#[test]
fn started_job_ids_printed_by_jobs_are_ids_that_job_finds() {
    for f in all_fixtures() {
        let server = f.server();
        let v = f.version;
        // RQ 2.x+ keeps `<id>:<execution id>` in the started registry: the id is printed alone.
        let page = json_expect(&server, &["jobs", "long", "--state", "started", "--json"], 0);
        let row = &page["jobs"][0];
        assert_eq!(row["id"], "busy-1", "rq {v}: {page}");
        assert_eq!(row["execution_id"].is_string(), !v.starts_with("1."), "rq {v}: {row}");
        let table = run_expect(&server, &["jobs", "long", "--state", "started"], 0);
        let ids: Vec<&str> = table.lines().skip(2).filter_map(|l| l.split_whitespace().next()).collect();
        assert_eq!(ids, ["busy-1"], "rq {v}:\n{table}");
        if let Some(eid) = row["execution_id"].as_str() {
            assert!(table.lines().nth(1).is_some_and(|h| h.contains("EXECUTION")), "rq {v}:\n{table}");
            assert!(table.contains(&format!("busy-1  {eid}")), "rq {v}:\n{table}");
        }
        let job = json_expect(&server, &["job", ids[0], "--json"], 0);
        assert_eq!(job["id"], "busy-1", "rq {v}");
    }
}
