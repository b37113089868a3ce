//! The demo's private `redis-server`: a free port on 127.0.0.1, no persistence, its own
//! temporary directory; killed and the directory removed when dropped (also on errors).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Servers tried in this order: Redis, then Valkey (its fork, which some distributions ship).
const SERVERS: [&str; 2] = ["redis-server", "valkey-server"];

/// What to do when neither is installed.
pub const MISSING: &str = "rqdash demo starts a private redis-server, and none was found on PATH \
(valkey-server would do too). Install it: Debian/Ubuntu `sudo apt-get install redis-server`, \
Fedora/RHEL `sudo dnf install redis`, Alpine `apk add redis`, macOS `brew install redis`. \
Or run the demo on a Redis you have (it writes only its own queues, and removes them at the \
end): `rqdash demo --redis-url redis://127.0.0.1:6379`";

/// A running private server.
pub struct PrivateRedis {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl PrivateRedis {
    /// Start one and wait until it answers PING. A port taken between choosing and binding it
    /// is retried on another.
    pub fn start() -> anyhow::Result<Self> {
        let dir = temp_dir()?;
        let mut last = None;
        for _ in 0..3 {
            let port = free_port()?;
            let mut child = match spawn(&dir, port) {
                Ok(c) => c,
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    return Err(e);
                }
            };
            match wait_ready(&mut child, &dir, port) {
                Ok(()) => return Ok(Self { child, dir, port }),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    last = Some(e);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(last.unwrap_or_else(|| anyhow::anyhow!("redis-server did not start")))
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's directory (removed at the end).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

/// Wait until the server answers PING (or exits, or 10 s pass).
fn wait_ready(child: &mut Child, dir: &std::path::Path, port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait()? {
            let log = std::fs::read_to_string(dir.join("redis.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(3).collect();
            bail!("redis-server exited ({status}): {}", tail.join(" / "));
        }
        if ping(port) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("redis-server did not answer on port {port} within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn spawn(dir: &std::path::Path, port: u16) -> anyhow::Result<Child> {
    for bin in SERVERS {
        let r = Command::new(bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .args(["--logfile", "redis.log", "--daemonize", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match r {
            Ok(child) => return Ok(child),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot start {bin}")),
        }
    }
    bail!("{MISSING}")
}

/// A private directory under the system's temporary directory.
fn temp_dir() -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("rqdash-demo-{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// A TCP port nothing listens on right now.
fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("no free port on 127.0.0.1")?;
    Ok(l.local_addr()?.port())
}

/// Whether a server answers `PING` with `+PONG` (RESP, no client library needed).
fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}
