//! A private redis-server per test: own temp dir, unix socket only, killed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A running redis-server listening on a unix socket in its own directory.
pub struct RedisServer {
    child: Child,
    dir: TempDir,
    port: Option<u16>,
}

impl RedisServer {
    /// An empty server.
    pub fn start() -> Self {
        Self::spawn(None, false)
    }

    /// A server whose data is loaded from a copy of `rdb`.
    pub fn from_rdb(rdb: &Path) -> Self {
        Self::spawn(Some(rdb), false)
    }

    fn spawn(rdb: Option<&Path>, tcp: bool) -> Self {
        let dir = tempfile::Builder::new().prefix("rqdash-redis-").tempdir().expect("temp dir");
        if let Some(r) = rdb {
            std::fs::copy(r, dir.path().join("dump.rdb")).expect("copy rdb");
        }
        let port = tcp.then(super::served::free_port);
        let child = Self::command(dir.path(), port.unwrap_or(0))
            .spawn()
            .expect("redis-server must be installed (the README's test command installs it)");
        let server = Self { child, dir, port };
        server.wait_ready();
        server
    }

    fn command(dir: &Path, port: u16) -> Command {
        let mut c = Command::new("redis-server");
        c.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .arg("--unixsocket")
            .arg(dir.join("redis.sock"))
            .args(["--unixsocketperm", "700", "--save", "", "--appendonly", "no"])
            .args(["--dbfilename", "dump.rdb", "--enable-debug-command", "yes"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(c) = redis::Client::open(self.url())
                && let Ok(mut con) = c.get_connection()
                && redis::cmd("PING").query::<String>(&mut con).is_ok()
            {
                // While an RDB is loading PING answers with an error, so Ok means ready.
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start in {}", self.dir.path().display());
    }

    /// `unix:///.../redis.sock`.
    pub fn url(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// A least-privilege user that may only read (`+@read +@connection +info`, every key and
    /// channel), as a read-only dashboard account is set up; returns its URL.
    pub fn acl_reader(&self) -> String {
        let mut con = self.conn();
        let _: () = redis::cmd("ACL")
            .arg(&["SETUSER", "reader", "on", ">pw", "~*", "&*", "+@read", "+@connection", "+info"])
            .query(&mut con)
            .expect("ACL SETUSER");
        format!("{}?user=reader&pass=pw", self.url())
    }

    /// The unix socket path.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// The server's directory (SAVE writes dump.rdb here).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A synchronous connection for setup and assertions.
    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url()).and_then(|c| c.get_connection()).expect("connect to test redis")
    }

    /// Stop the server now (to test outages); the directory stays.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(self.socket());
    }

    /// Start again on the same socket after `kill` (with whatever dump.rdb holds).
    pub fn restart(&mut self) {
        self.child =
            Self::command(self.dir.path(), self.port.unwrap_or(0)).spawn().expect("restart redis-server");
        self.wait_ready();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
