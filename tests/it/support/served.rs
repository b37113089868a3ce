//! Child processes of a test (the real `rqdash` binary, extra redis-servers): a free port, a
//! minimal HTTP GET, kill on drop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::time::Duration;

/// A spawned process, killed and reaped when dropped (also when a test fails).
pub struct Served(pub Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

/// A minimal HTTP/1.1 GET: the status code and the body, or None while nothing listens.
pub fn http_get(port: u16, path: &str, auth: Option<&str>) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let auth = auth.map(|a| format!("Authorization: Basic {a}\r\n")).unwrap_or_default();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()))
}

/// Wait until something answers `GET path` on `port` (30 s at most, then fail with `why()`).
pub fn until_listening(port: u16, path: &str, why: impl Fn() -> String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while http_get(port, path, None).is_none() {
        assert!(std::time::Instant::now() < deadline, "{}", why());
        std::thread::sleep(Duration::from_millis(50));
    }
}
