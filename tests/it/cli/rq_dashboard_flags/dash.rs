//! The real binary started as rq-dashboard's users start it, in a directory of their choosing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::served::{Served, free_port, http_get, until_listening};

/// Variables of the test environment that would change what the binary reads.
const CLEARED: [&str; 12] = [
    "RQDASH_REDIS_URL",
    "RQ_DASHBOARD_REDIS_URL",
    "RQ_REDIS_URL",
    "RQDASH_PORT",
    "RQDASH_URL_PREFIX",
    "RQDASH_USERNAME",
    "RQDASH_PASSWORD",
    "RQ_DASHBOARD_USERNAME",
    "RQ_DASHBOARD_PASSWORD",
    "RQ_DASHBOARD_SETTINGS",
    "RQ_DASHBOARD_CONFIG",
    "RQ_DASHBOARD_REDIS_PASSWORD",
];

/// A started dashboard: its port and where its stderr goes.
pub struct Dash {
    _child: Served,
    pub port: u16,
    stderr: PathBuf,
}

impl Dash {
    /// `rqdash -p PORT ARGS` in `cwd` with `env`, once it answers `probe`.
    pub fn start(cwd: &Path, args: &[&str], env: &[(&str, &str)], probe: &str) -> Self {
        let port = free_port();
        let stderr = cwd.join(format!("stderr-{port}.txt"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rqdash"));
        cmd.current_dir(cwd).args(["-p", &port.to_string()]).args(args);
        for v in CLEARED {
            cmd.env_remove(v);
        }
        let child = cmd
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("rqdash binary");
        let dash = Self { _child: Served(child), port, stderr };
        until_listening(port, probe, || format!("rqdash {args:?} did not listen: {}", dash.stderr()));
        dash
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// The instances the dashboard serves, as `/api/v1/instances` (under `prefix`) lists them.
    pub fn instances(&self, prefix: &str, auth: Option<&str>) -> Vec<Value> {
        let (status, body) =
            http_get(self.port, &format!("{prefix}/api/v1/instances"), auth).expect("answer");
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        v["instances"].as_array().cloned().unwrap_or_default()
    }

    /// The one instance's masked URL.
    pub fn url(&self) -> String {
        self.instances("", None)[0]["url"].as_str().unwrap_or_default().to_owned()
    }
}

/// `rqdash ARGS` that must refuse to start: its exit status and stderr.
pub fn refused(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rqdash"));
    for v in CLEARED {
        cmd.env_remove(v);
    }
    let o = cmd.current_dir(cwd).args(args).envs(env.iter().copied()).output().expect("run");
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A redis-server on TCP that requires a password, as `-H/-P --redis-password` address it.
pub fn redis_with_password(dir: &Path, port: u16) -> Served {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--requirepass", "p@ss w"])
        .args(["--save", "", "--appendonly", "no", "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server");
    let served = Served(child);
    let url = format!("redis://:p%40ss%20w@127.0.0.1:{port}/3");
    let deadline = Instant::now() + Duration::from_secs(20);
    while redis::Client::open(url.as_str()).and_then(|c| c.get_connection()).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    served
}
