//! RQ 3.0 rate-limit state made by `tests/fixtures/make_limits.py` against a test's own Redis:
//! a real limiter, held jobs, and a real worker left busy holding the slot (killed on drop).

use std::process::Command;

use serde_json::Value;

use super::RedisServer;
use super::fixture::{root, venv_python};

/// The state and what RQ's own API said about it.
pub struct Limits {
    pub oracle: Value,
    worker_pid: i64,
    _dir: tempfile::TempDir,
}

impl Limits {
    /// Run make_limits.py (RQ 3.0.0) against `server`; returns once the worker is busy.
    pub fn make(server: &RedisServer) -> Self {
        let dir = tempfile::Builder::new().prefix("rqdash-limits-").tempdir().expect("temp dir");
        let oracle_path = dir.path().join("oracle.json");
        let out = Command::new(venv_python("3.0.0"))
            .arg(root().join("tests/fixtures/make_limits.py"))
            .args(["--url", &server.url(), "--oracle"])
            .arg(&oracle_path)
            .arg("--log-dir")
            .arg(dir.path())
            .env("PYTHONPATH", root().join("tests/fixtures"))
            .output()
            .expect("run make_limits.py");
        assert!(
            out.status.success(),
            "make_limits.py failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let oracle: Value = serde_json::from_slice(&std::fs::read(&oracle_path).expect("oracle written"))
            .expect("oracle is JSON");
        let worker_pid = oracle["worker_pid"].as_i64().expect("worker_pid");
        Limits { oracle, worker_pid, _dir: dir }
    }

    /// Stop the worker (SIGSTOP to its process group): no more heartbeats, so the dataset
    /// holds still (its horse only reads while it sleeps).
    pub fn freeze(&self) {
        let ok = Command::new("kill").args(["-STOP", "--", &format!("-{}", self.worker_pid)]).status();
        assert!(ok.is_ok_and(|s| s.success()), "SIGSTOP the worker");
    }

    /// The oracle's entry for one key.
    pub fn key(&self, key: &str) -> &Value {
        self.oracle["keys"]
            .as_array()
            .and_then(|a| a.iter().find(|k| k["key"] == key))
            .unwrap_or_else(|| panic!("no key {key} in the oracle"))
    }
}

impl Drop for Limits {
    fn drop(&mut self) {
        // The worker leads its own process group; its horse ends when it sees its parent gone.
        let _ = Command::new("kill").args(["-9", "--", &format!("-{}", self.worker_pid)]).status();
    }
}
