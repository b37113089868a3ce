//! Commands that write, recorded with via=cli and the OS user; `rqdash audit` reads the log.

use redis::Commands;
use serde_json::json;

use super::five_failed_jobs;
use crate::cli::{rqdash_env, stderr, stdout};
use crate::support::probe::digest;
use crate::support::{RedisServer, Rq};

fn as_ana(r: &RedisServer, args: &[&str]) -> std::process::Output {
    rqdash_env(r, args, &[("USER", "ana-ops")])
}

#[test]
fn cli_actions_are_recorded_as_the_os_user_with_their_counts() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    five_failed_jobs(&rq);
    let mut con = r.conn();
    let _: () = con.zadd("rq:failed:cli", "ghost-1", 4_000_000_000_i64).expect("ZADD");
    let o = as_ana(&r, &["requeue", "flaky-0", "--yes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = as_ana(&r, &["requeue", "--queue", "cli", "--all", "--yes"]);
    assert_eq!(stdout(&o).trim(), "requeued 4; removed 1 orphaned id", "{}", stderr(&o));
    let o = as_ana(&r, &["suspend", "--duration", "60", "--yes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Refused by its confirmation (no terminal, no --yes): nothing done, nothing recorded.
    let o = as_ana(&r, &["empty", "cli"]);
    assert!(!o.status.success());
    let o = as_ana(&r, &["cancel", "no-such-job", "--yes"]);
    assert!(!o.status.success(), "a failed action is recorded, with its error");

    let o = as_ana(&r, &["audit", "--json", "-n", "100"]);
    let page: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let all = page["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 8, "{all:#?}");
    for e in &all {
        assert_eq!(
            (&e["user"], &e["via"], &e["addr"]),
            (&json!("ana-ops"), &json!("cli"), &json!("")),
            "{e}"
        );
    }
    let outcome = |action: &str| {
        all.iter().find(|e| e["action"] == action && e["phase"] == "outcome").cloned().expect(action)
    };
    let one = outcome("bulk.requeue");
    let intent = all.iter().find(|e| e["id"] == one["of"]).expect("its intent");
    assert_eq!((&intent["ids"], &one["result"]["to"]), (&json!(["flaky-0"]), &json!("queued")), "{one}");
    let whole = outcome("queue.requeue");
    assert_eq!((&whole["queue"], &whole["state"]), (&json!("cli"), &json!("failed")));
    assert_eq!((&whole["result"]["requeued"], &whole["result"]["orphans_removed"]), (&json!(4), &json!(1)));
    assert_eq!(outcome("workers.suspend")["target"], "60s");
    assert!(all.iter().all(|e| e["action"] != "queue.empty"), "a declined question writes nothing");
    let refused = outcome("bulk.cancel");
    assert_eq!(refused["status"], "failed");
    assert!(refused["error"].as_str().unwrap_or_default().contains("no-such-job"), "{refused}");

    let table = stdout(&as_ana(&r, &["audit", "--action", "queue", "--user", "ana-ops"]));
    assert!(table.contains("queue.requeue") && table.contains("orphans_removed=1 requeued=4"), "{table}");
    assert!(!table.contains("bulk.requeue"), "filtered by action kind: {table}");
}

#[test]
fn a_cli_action_whose_intent_cannot_be_recorded_does_nothing_and_read_only_records_nothing() {
    let r = RedisServer::start();
    let rq = Rq::new("2.12.0", &r);
    five_failed_jobs(&rq);
    let mut con = r.conn();
    let o = as_ana(&r, &["--read-only", "requeue", "flaky-0", "--yes"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(!con.exists::<_, bool>("rqdash:audit").expect("EXISTS"), "read-only writes no entry");
    let _: () = con.set("rqdash:audit", "not a stream").expect("SET");
    let before = digest(&mut con);
    let o = as_ana(&r, &["requeue", "--queue", "cli", "--all", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("audit log could not be written"), "{}", stderr(&o));
    assert_eq!(digest(&mut con), before, "nothing changed");
}

#[test]
fn a_cli_reveal_is_recorded_like_the_dashboards_and_read_only_records_nothing() {
    let r = RedisServer::start();
    let rq = Rq::new("3.0.0", &r);
    five_failed_jobs(&rq);
    let mut con = r.conn();
    let o = as_ana(&r, &["--read-only", "job", "flaky-0", "--reveal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!con.exists::<_, bool>("rqdash:audit").expect("EXISTS"), "read-only writes no entry");
    let o = as_ana(&r, &["job", "flaky-0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!con.exists::<_, bool>("rqdash:audit").expect("EXISTS"), "a plain read is not recorded");
    let o = as_ana(&r, &["job", "flaky-0", "--reveal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page: serde_json::Value =
        serde_json::from_slice(&as_ana(&r, &["audit", "--json"]).stdout).expect("JSON");
    let all = page["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 2, "intent and outcome: {all:#?}");
    assert!(
        all.iter().all(|e| e["action"] == "job.reveal" && e["user"] == "ana-ops" && e["via"] == "cli"),
        "{all:#?}"
    );
    let intent = all.iter().find(|e| e["phase"] == "intent").expect("intent");
    assert_eq!(intent["ids"], json!(["flaky-0"]));
}

#[test]
fn the_audit_prefix_moves_the_stream_for_the_cli_too() {
    let r = RedisServer::start();
    let o = as_ana(&r, &["--audit-prefix", "team:audit", "resume", "--yes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut con = r.conn();
    assert_eq!(con.xlen::<_, u64>("team:audit").expect("XLEN"), 2);
    assert!(!con.exists::<_, bool>("rqdash:audit").expect("EXISTS"));
    let shown = stdout(&as_ana(&r, &["audit", "--audit-prefix", "team:audit"]));
    assert!(shown.contains("workers.resume"), "{shown}");
}
