//! RQ data made by the real Python `rq` (one run per version per test binary), snapshotted as RDB.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::RedisServer;

/// The RQ versions every compatibility test runs against.
pub const RQ_VERSIONS: [&str; 3] = ["1.16.2", "2.12.0", "3.0.0"];

/// A snapshot of RQ states plus what RQ's own API said about them.
pub struct Fixture {
    pub version: &'static str,
    pub rdb: PathBuf,
    pub oracle: Value,
    _dir: tempfile::TempDir,
}

static FIXTURES: [OnceLock<Fixture>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The python of the virtualenv for an RQ version (made by scripts/venvs.sh).
pub fn venv_python(version: &str) -> PathBuf {
    let p = root().join(".venvs").join(format!("rq-{version}")).join("bin").join("python");
    assert!(p.exists(), "{} is missing: run scripts/venvs.sh (the README's test command does)", p.display());
    p
}

impl Fixture {
    /// The fixture for `version`, generated on first use.
    pub fn get(version: &'static str) -> &'static Fixture {
        let i = RQ_VERSIONS.iter().position(|v| *v == version).expect("known RQ version");
        FIXTURES[i].get_or_init(|| Fixture::generate(version))
    }

    fn generate(version: &'static str) -> Fixture {
        let server = RedisServer::start();
        let dir = tempfile::Builder::new().prefix("rqdash-fixture-").tempdir().expect("temp dir");
        let oracle_path = dir.path().join("oracle.json");
        let out = Command::new(venv_python(version))
            .arg(root().join("tests/fixtures/make_states.py"))
            .args(["--url", &server.url(), "--snapshot", "--oracle"])
            .arg(&oracle_path)
            .env("PYTHONPATH", root().join("tests/fixtures"))
            .output()
            .expect("run make_states.py");
        assert!(
            out.status.success(),
            "make_states.py failed for rq {version}:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let oracle: Value = serde_json::from_slice(&std::fs::read(&oracle_path).expect("oracle written"))
            .expect("oracle is JSON");
        // make_states.py saved the snapshot itself, before RQ's own counts cleaned it up.
        assert_eq!(oracle["snapshot_saved"], true, "make_states.py --snapshot saves the RDB");
        if let Some(pid) = oracle.get("busy_worker_pid").and_then(Value::as_i64) {
            // The busy worker was only needed until the snapshot; end its whole process group.
            let _ = Command::new("kill").args(["-9", "--", &format!("-{pid}")]).status();
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        let rdb = dir.path().join("dump.rdb");
        std::fs::copy(server.dir().join("dump.rdb"), &rdb).expect("copy snapshot");
        Fixture { version, rdb, oracle, _dir: dir }
    }

    /// A fresh redis-server holding this snapshot, private to the calling test.
    pub fn server(&self) -> RedisServer {
        RedisServer::from_rdb(&self.rdb)
    }

    /// The id the oracle gives a label (e.g. "html_description").
    pub fn label(&self, name: &str) -> Option<&str> {
        self.oracle.get("labels")?.get(name)?.as_str()
    }
}
