//! rq's own conventions: `RQ_REDIS_URL`, `--url`, `RQ_KEY_PREFIX`, as `rq info` reads them.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::stderr;
use crate::support::RedisServer;

/// Run the binary with no Redis flag and none of rqdash's or rq-dashboard's variables, only `env`.
fn bare(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("RQDASH_REDIS_URL")
        .env_remove("RQ_DASHBOARD_REDIS_URL")
        .env_remove("RQ_REDIS_URL")
        .env_remove("RQDASH_RQ_KEY_PREFIX")
        .env_remove("RQ_KEY_PREFIX")
        .env_remove("RQDASH_INSTANCE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run the rqdash binary")
}

fn queue_names(o: &Output) -> Vec<String> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    v["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["name"].as_str().map(str::to_owned))
        .collect()
}

/// A Redis with queue `alpha` under RQ's default prefix and `beta` under the prefix `custom`.
fn two_prefixes() -> RedisServer {
    let server = RedisServer::start();
    let mut c = server.conn();
    for (prefix, q) in [("rq", "alpha"), ("custom", "beta")] {
        let _: () = redis::cmd("SADD")
            .arg(format!("{prefix}:queues"))
            .arg(format!("{prefix}:queue:{q}"))
            .query(&mut c)
            .expect("SADD");
        let _: () =
            redis::cmd("RPUSH").arg(format!("{prefix}:queue:{q}")).arg("j1").query(&mut c).expect("RPUSH");
    }
    server
}

#[test]
fn rq_redis_url_is_read_when_no_rqdash_or_rq_dashboard_url_is_given() {
    let server = two_prefixes();
    let url = server.url();
    assert_eq!(queue_names(&bare(&["info", "--json"], &[("RQ_REDIS_URL", &url)])), ["alpha"]);
    // rq-dashboard's variable comes before rq's, and rqdash's own before both.
    let empty = RedisServer::start();
    let o = bare(&["info", "--json"], &[("RQ_DASHBOARD_REDIS_URL", &url), ("RQ_REDIS_URL", &empty.url())]);
    assert_eq!(queue_names(&o), ["alpha"]);
    let o = bare(&["info", "--json"], &[("RQDASH_REDIS_URL", &empty.url()), ("RQ_REDIS_URL", &url)]);
    assert_eq!(queue_names(&o), Vec::<String>::new());
}

#[test]
fn url_is_an_alias_of_redis_url_on_every_subcommand_as_in_rq_info_url() {
    let server = two_prefixes();
    let url = server.url();
    assert_eq!(queue_names(&bare(&["info", "--url", &url, "--json"], &[])), ["alpha"]);
    assert_eq!(queue_names(&bare(&["--url", &url, "info", "--json"], &[])), ["alpha"]);
    let o = bare(&["jobs", "alpha", "--url", &url, "--json"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("j1"));
}

#[test]
fn rq_key_prefix_is_read_as_the_rq_key_prefix_flag_and_the_flag_wins() {
    let server = two_prefixes();
    let url = server.url();
    assert_eq!(
        queue_names(&bare(&["info", "--url", &url, "--json"], &[("RQ_KEY_PREFIX", "custom")])),
        ["beta"]
    );
    let o = bare(&["info", "--url", &url, "--rq-key-prefix", "rq", "--json"], &[("RQ_KEY_PREFIX", "custom")]);
    assert_eq!(queue_names(&o), ["alpha"]);
}

#[test]
fn info_on_an_empty_redis_says_which_redis_it_read_and_why_that_one() {
    let empty = RedisServer::start();
    let o = bare(&["info"], &[("RQ_REDIS_URL", &empty.url())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("no RQ queues or workers at") && err.contains("RQ_REDIS_URL"), "{err}");
    assert!(err.contains("key prefix \"rq\""), "{err}");
    // With data there is nothing to explain.
    let server = two_prefixes();
    let o = bare(&["info"], &[("RQ_REDIS_URL", &server.url())]);
    assert!(!stderr(&o).contains("no RQ queues"), "{}", stderr(&o));
}
