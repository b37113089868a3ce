//! The real `rqdash` binary: flags wired end to end, serves on a socket, exits on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::RedisServer;
use crate::support::served::{Served, free_port, http_get as get, until_listening};

fn start(redis: &RedisServer, port: u16, extra: &[&str]) -> Served {
    let child = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["--redis-url", &redis.url(), "--port", &port.to_string()])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rqdash binary");
    until_listening(port, "/healthz", || "rqdash did not start".to_owned());
    Served(child)
}

#[test]
fn the_binary_serves_with_basic_auth_and_exits_cleanly_on_sigterm() {
    let redis = RedisServer::start();
    let port = free_port();
    let mut server = start(&redis, port, &["--username", "admin", "--password", "pw"]);
    assert_eq!(get(port, "/api/v1/queues", None).map(|r| r.0), Some(401));
    // "admin:pw" in base64.
    let (status, body) = get(port, "/api/v1/queues", Some("YWRtaW46cHc=")).expect("reply");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"queues\""));
    let pid = server.0.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(status)) = server.0.try_wait() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "rqdash did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_binary_refuses_a_password_without_a_user() {
    let redis = RedisServer::start();
    let out = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["--redis-url", &redis.url(), "--port", &free_port().to_string(), "--password", "x"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without --username"));
}

/// Keys under the history prefix, polled until `until` holds or `wait` has passed.
fn history_keys(redis: &RedisServer, wait: Duration, until: impl Fn(usize) -> bool) -> usize {
    let mut con = redis.conn();
    let deadline = Instant::now() + wait;
    loop {
        let keys: Vec<String> = redis::cmd("KEYS").arg("rqdash:history*").query(&mut con).expect("KEYS");
        if until(keys.len()) || Instant::now() >= deadline {
            return keys.len();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn read_only_mode_writes_nothing_not_even_history_while_a_normal_server_samples_at_once() {
    let redis = RedisServer::start();
    let port = free_port();
    let ro = start(&redis, port, &["--read-only"]);
    assert_eq!(get(port, "/api/v1/queues", None).map(|r| r.0), Some(200));
    // The sampler's first tick is immediate: two seconds is ample for it to have written.
    assert_eq!(history_keys(&redis, Duration::from_secs(2), |_| false), 0, "--read-only wrote history");
    drop(ro);
    let _rw = start(&redis, free_port(), &[]);
    assert!(history_keys(&redis, Duration::from_secs(15), |n| n > 0) > 0, "a normal server samples history");
}

/// `rqdash healthcheck` with `args` and `env`: whether it exited 0, and its stderr.
fn healthcheck(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .arg("healthcheck")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run rqdash healthcheck");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn healthcheck_exits_0_while_ready_and_1_naming_the_cause_when_redis_or_the_server_is_gone() {
    let mut redis = RedisServer::start();
    let port = free_port().to_string();
    let auth = ["--username", "admin", "--password", "pw"];
    let server = start(&redis, port.parse().expect("port"), &[&auth[..], &["--url-prefix", "/rq"]].concat());
    let flags = [&auth[..], &["--port", &port, "--url-prefix", "/rq"]].concat();
    assert_eq!(healthcheck(&flags, &[]), (true, String::new()));
    let (ok, err) = healthcheck(&["--port", &port, "--url-prefix", "/rq"], &[]);
    assert!(!ok && err.contains("401"), "without credentials: {err}");
    redis.kill();
    let (ok, err) = healthcheck(&flags, &[]);
    assert!(!ok && err.contains("503") && err.contains("instance 0"), "Redis down: {err}");
    drop(server);
    let (ok, err) = healthcheck(&flags, &[]);
    assert!(!ok && err.contains("cannot connect"), "server gone: {err}");
}

#[test]
fn healthcheck_finds_a_server_configured_by_the_containers_variables_and_gives_up_in_time() {
    let redis = RedisServer::start();
    let port = free_port().to_string();
    // As in the Dockerfile: the server and its HEALTHCHECK read the same RQDASH_* variables.
    let env = [("RQDASH_BIND", "0.0.0.0"), ("RQDASH_PORT", port.as_str())];
    let child = Command::new(env!("CARGO_BIN_EXE_rqdash"))
        .args(["--redis-url", &redis.url()])
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rqdash binary");
    let _server = Served(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(port.parse().expect("port"), "/healthz", None).is_none() {
        assert!(Instant::now() < deadline, "rqdash did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(healthcheck(&[], &env).0, "RQDASH_BIND=0.0.0.0 is probed on 127.0.0.1");
    // A listener that never answers: the probe gives up at --timeout.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}/readyz", hung.local_addr().expect("addr").port());
    let started = Instant::now();
    let (ok, err) = healthcheck(&["--probe-url", &url, "--timeout", "300ms"], &[]);
    assert!(!ok && err.contains("in time"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}
