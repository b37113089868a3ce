//! The real binary on a hostile network: foreign host names, slow and idle clients, a connection
//! cap, live streams per client, and shutdown when the reader of its output is gone.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::RedisServer;
use crate::support::served::{Served, free_port, http_get, until_listening};

/// `rqdash --redis-url URL --port PORT <extra>` under `sh -c` (for `ulimit`), with `stdio` as its
/// stdout and stderr, once it answers /healthz.
fn spawn(redis: &RedisServer, port: u16, shell: &str, extra: &[&str], out: Stdio, err: Stdio) -> Child {
    let bin = env!("CARGO_BIN_EXE_rqdash");
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("{shell} exec \"$0\" \"$@\""))
        .arg(bin)
        .args(["--redis-url", &redis.url(), "--port", &port.to_string()])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("rqdash binary");
    until_listening(port, "/healthz", || "rqdash did not start".to_owned());
    child
}

fn start(redis: &RedisServer, port: u16, extra: &[&str]) -> Served {
    Served(spawn(redis, port, "", extra, Stdio::null(), Stdio::null()))
}

/// A connection that has sent `request` (maybe only part of one).
fn open(port: u16, request: &str) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s.write_all(request.as_bytes()).expect("send");
    s
}

/// GET `path` naming `host`; the status and the whole answer.
fn get_as(port: u16, path: &str, host: &str) -> (u16, String) {
    let mut s = open(port, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    (out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), out)
}

/// The status line of a response that stays open (a live stream).
fn status_of_stream(s: &TcpStream) -> String {
    let mut line = String::new();
    if let Err(e) = BufReader::new(s).read_line(&mut line) {
        panic!("no status line: {e}");
    }
    line
}

/// How long the connection stays open before rqdash closes it.
fn closed_after(mut s: TcpStream) -> Duration {
    let t = Instant::now();
    let mut sink = [0u8; 4096];
    while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    t.elapsed()
}

#[test]
fn the_binary_refuses_a_foreign_host_name_and_serves_loopback_and_allowed_ones() {
    let redis = RedisServer::start();
    let port = free_port();
    let _s = start(&redis, port, &["--allowed-host", "dash.test"]);
    let (status, answer) = get_as(port, "/api/v1/queues", &format!("evil.example:{port}"));
    assert_eq!(status, 421, "{answer}");
    assert!(answer.contains("--allowed-host"), "{answer}");
    assert_eq!(get_as(port, "/", &format!("evil.example:{port}")).0, 421);
    for host in [format!("localhost:{port}"), "127.0.0.1".into(), format!("[::1]:{port}"), "dash.test".into()]
    {
        assert_eq!(get_as(port, "/api/v1/queues", &host).0, 200, "{host}");
    }
}

#[test]
fn hundreds_of_half_open_connections_under_a_low_fd_limit_do_not_stop_a_normal_request() {
    let redis = RedisServer::start();
    let port = free_port();
    let _s = Served(spawn(&redis, port, "ulimit -n 256;", &[], Stdio::null(), Stdio::null()));
    let half_open: Vec<TcpStream> = (0..400).map(|_| open(port, "GET / HTTP/1.1\r\n")).collect();
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let (status, answer) = get_as(port, "/api/v1/queues", "127.0.0.1");
    assert_eq!(status, 200, "{answer}");
    assert!(t.elapsed() < Duration::from_secs(3), "served after {:?}", t.elapsed());
    drop(half_open);
}

#[test]
fn past_the_connection_cap_with_every_connection_busy_a_newcomer_gets_a_503_that_says_why() {
    let redis = RedisServer::start();
    let port = free_port();
    let _s = start(&redis, port, &["--max-connections", "4", "--max-streams-per-client", "10"]);
    let streams: Vec<TcpStream> =
        (0..4).map(|_| open(port, "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).collect();
    for s in &streams {
        assert!(status_of_stream(s).contains(" 200 "));
    }
    let (status, answer) = get_as(port, "/api/v1/queues", "127.0.0.1");
    assert_eq!(status, 503, "{answer}");
    assert!(answer.contains("--max-connections"), "{answer}");
    drop(streams);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get_as(port, "/api/v1/queues", "127.0.0.1").0, 200, "room again once streams close");
}

#[test]
fn slow_headers_and_idle_keep_alive_connections_are_closed_on_time() {
    let redis = RedisServer::start();
    let port = free_port();
    let _s = start(&redis, port, &["--header-timeout", "500ms", "--idle-timeout", "1500ms"]);
    let half = closed_after(open(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    assert!(half >= Duration::from_millis(400) && half < Duration::from_millis(1400), "{half:?}");
    let idle = closed_after(open(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    assert!(idle >= Duration::from_millis(1400) && idle < Duration::from_millis(3000), "{idle:?}");
}

#[test]
fn one_client_address_holds_at_most_its_share_of_live_streams() {
    let redis = RedisServer::start();
    let port = free_port();
    let _s = start(&redis, port, &["--max-streams-per-client", "2"]);
    let events = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let (a, b) = (open(port, events), open(port, events));
    assert!(status_of_stream(&a).contains(" 200 ") && status_of_stream(&b).contains(" 200 "));
    let (status, answer) = get_as(port, "/events", "127.0.0.1");
    assert_eq!(status, 429, "{answer}");
    assert!(answer.contains("--max-streams-per-client"), "{answer}");
    assert_eq!(get_as(port, "/api/v1/queues", "127.0.0.1").0, 200, "other requests are served");
    drop(a);
    std::thread::sleep(Duration::from_millis(300));
    let c = open(port, events);
    assert!(status_of_stream(&c).contains(" 200 "), "a closed stream gives its slot back");
}

/// Send `signal` and wait up to 2 s for the exit.
fn stops_within_two_seconds(child: &mut Child, signal: &str) {
    let _ = Command::new("kill").args([signal, &child.id().to_string()]).status();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(2) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("rqdash still running 2 s after kill {signal}");
}

#[test]
fn rqdash_stops_on_sigterm_and_sigint_after_the_reader_of_its_output_went_away() {
    let redis = RedisServer::start();
    for signal in ["-TERM", "-INT"] {
        let port = free_port();
        // `rqdash 2>&1 | head -1`: one pipe for both, closed after the first line.
        let mut child = spawn(&redis, port, "exec 2>&1;", &[], Stdio::piped(), Stdio::null());
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("a first line");
        // The reader is gone; the next lines fail to write. Streams and keep-alive stay open.
        let _stream = open(port, "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        let _keep = open(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        let _half = open(port, "GET / HTTP/1.1\r\n");
        assert_eq!(http_get(port, "/api/v1/queues", None).map(|r| r.0), Some(200));
        std::thread::sleep(Duration::from_millis(200));
        let mut served = Served(child);
        stops_within_two_seconds(&mut served.0, signal);
    }
}

#[test]
fn logs_written_to_a_file_carry_no_colour_codes() {
    let redis = RedisServer::start();
    let port = free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rqdash.log");
    let file = std::fs::File::create(&path).expect("log file");
    let err = file.try_clone().expect("clone");
    let mut served = Served(spawn(&redis, port, "", &[], Stdio::from(file), Stdio::from(err)));
    assert_eq!(http_get(port, "/api/v1/queues", None).map(|r| r.0), Some(200));
    stops_within_two_seconds(&mut served.0, "-TERM");
    let log = std::fs::read_to_string(&path).expect("log");
    assert!(log.contains("listening on"), "{log}");
    assert!(!log.contains("\x1b["), "ANSI codes in a log file: {log:?}");
}
