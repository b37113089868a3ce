//! `rqdash demo --redis-url`: on a Redis that holds other data, the demo writes its own
//! namespaced queues only, and SIGINT removes exactly what it created.

use std::process::{Command, Stdio};

use super::{jobs_done, start};
use crate::support::RedisServer;
use crate::support::probe::digest;
use crate::support::rq_worker::wait_until;
use crate::support::served::free_port;

/// Someone's data: an RQ queue with a job, a worker, rqdash history, an unrelated key.
fn theirs(con: &mut redis::Connection) {
    let mut p = redis::pipe();
    p.cmd("SADD").arg("rq:queues").arg("rq:queue:default");
    p.cmd("RPUSH").arg("rq:queue:default").arg("their-job");
    p.cmd("HSET").arg("rq:job:their-job").arg(&[("status", "queued"), ("origin", "default")]);
    p.cmd("SADD").arg("rq:workers").arg("rq:worker:theirs");
    p.cmd("HSET").arg("rq:worker:theirs").arg(&[("state", "idle"), ("queues", "default")]);
    p.cmd("HSET").arg("rqdash:history:m:2026010100:all").arg("0").arg("1,0,0,0,0,0");
    p.cmd("SET").arg("app:config").arg("keep me");
    p.query::<()>(con).expect("plant their data");
}

#[test]
fn on_a_shared_redis_the_demo_removes_exactly_what_it_created_and_nothing_else() {
    let redis = RedisServer::start();
    let mut con = redis.conn();
    theirs(&mut con);
    let before = digest(&mut con);
    let demo = start(&["--redis-url", &redis.url()]);
    assert!(demo.dir.is_none(), "no private server with --redis-url");
    assert!(
        demo.worker_command.last().is_some_and(|q| q == "rqdash-demo-default"),
        "{:?}",
        demo.worker_command
    );
    let n = jobs_done(&mut con);
    wait_until(30, "the simulated workers to finish jobs", || jobs_done(&mut con) > n);
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).expect("KEYS");
    assert!(keys.iter().any(|k| k == "rq:finished:rqdash-demo-default"), "{keys:?}");
    assert!(!keys.iter().any(|k| k == "rq:finished:default"), "the demo used their queue");
    wait_until(30, "the dashboard's history under the demo's prefix", || {
        let h: Vec<String> = redis::cmd("KEYS").arg("rqdash-demo:*").query(&mut con).expect("KEYS");
        !h.is_empty()
    });
    let (status, _) = demo.interrupt();
    assert!(status.success(), "exit status {status}");
    let left: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).expect("KEYS");
    assert_eq!(digest(&mut con), before, "keys now: {left:?}");
}

#[test]
fn read_only_refuses_a_demo_on_a_shared_redis() {
    let redis = RedisServer::start();
    let out = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args([
            "--read-only",
            "demo",
            "--no-open",
            "--port",
            &free_port().to_string(),
            "--redis-url",
            &redis.url(),
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run rqdash");
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut redis.conn()).expect("KEYS");
    assert!(keys.is_empty(), "{keys:?}");
}
