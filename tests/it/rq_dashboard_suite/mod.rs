//! rq-dashboard's own test suite (`tests/test_basic.py`, Parallels/rq-dashboard), one test per
//! original test, run over HTTP against the real `rqdash` binary on data the real `rq` wrote;
//! then the compat JSON shapes and the safety of its action routes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::RedisServer;
use crate::support::fixture::{root, venv_python};
use crate::support::served::{Served, free_port, until_listening};

mod ported;
mod shapes;

/// The RQ version the suite runs on (the route shapes also run on the others).
pub const RQ: &str = "2.12.0";

/// rq-dashboard's `REGISTRY_NAMES`.
pub const REGISTRY_NAMES: [&str; 7] =
    ["failed", "deferred", "scheduled", "queued", "started", "finished", "canceled"];

/// The real binary serving one Redis, killed when dropped.
pub struct Dash {
    pub redis: RedisServer,
    port: u16,
    _child: Served,
}

/// One HTTP answer: status, headers (names lowercased) and body.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Dash {
    /// `rqdash --redis-url <redis> --port P --no-history <extra>`, once it answers `/healthz`.
    pub fn on(redis: RedisServer, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_rqdash"))
            .args(["--redis-url", &redis.url(), "--port", &port.to_string()])
            // No history samples: tests compare Redis byte for byte before and after a request.
            .arg("--no-history")
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rqdash binary");
        until_listening(port, "/healthz", || "rqdash did not start".to_owned());
        Self { redis, port, _child: Served(child) }
    }

    /// A request with extra header lines (`"Name: value"`), answered whole.
    pub fn send(&self, method: &str, path: &str, headers: &[&str]) -> Resp {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
        let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|c| c.parse().ok());
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked { dechunk(body) } else { body.to_owned() };
        Resp { status: status.expect("a status line"), headers, body }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send("GET", path, &[])
    }

    pub fn post(&self, path: &str) -> Resp {
        self.send("POST", path, &[])
    }

    /// GET, following redirects as an HTTP client does.
    pub fn follow(&self, path: &str) -> Resp {
        let mut path = path.to_owned();
        for _ in 0..5 {
            let r = self.get(&path);
            match r.header("location") {
                Some(to) if (300..400).contains(&r.status) => path = to.to_owned(),
                _ => return r,
            }
        }
        panic!("more than 5 redirects from {path}")
    }

    pub fn con(&self) -> redis::Connection {
        self.redis.conn()
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(rest.get(..n).unwrap_or(rest));
        s = rest.get(n + 2..).unwrap_or("");
    }
    out
}

/// Run `tests/fixtures/rq_dashboard_suite.py URL <args>` under the real rq `version`: its JSON.
pub fn rq(version: &str, redis: &RedisServer, args: &[&str]) -> Value {
    let out = Command::new(venv_python(version))
        .arg(root().join("tests/fixtures/rq_dashboard_suite.py"))
        .arg(redis.url())
        .args(args)
        .env("PYTHONPATH", root().join("tests/fixtures"))
        .output()
        .expect("run rq_dashboard_suite.py");
    assert!(out.status.success(), "rq_dashboard_suite.py {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    // The worker logs to stdout too: the answer is the last line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("JSON on stdout's last line ({e}): {stdout}"))
}
