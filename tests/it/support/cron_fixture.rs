//! Scheduler state made by real RQ processes (`tests/fixtures/make_cron.py`: a killed `rq cron`,
//! overdue scheduled jobs, a lock left by a killed scheduler), one run per version, as RDB + oracle.

use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::fixture::{root, venv_python};
use super::{RQ_VERSIONS, RedisServer};

/// A snapshot of scheduler state plus what RQ's own API said about it.
pub struct CronFixture {
    pub version: &'static str,
    pub oracle: Value,
    rdb: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

static FIXTURES: [OnceLock<CronFixture>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];

impl CronFixture {
    /// The fixture for `version`, generated on first use.
    pub fn get(version: &'static str) -> &'static CronFixture {
        let i = RQ_VERSIONS.iter().position(|v| *v == version).expect("known RQ version");
        FIXTURES[i].get_or_init(|| CronFixture::generate(version))
    }

    fn generate(version: &'static str) -> CronFixture {
        let server = RedisServer::start();
        let dir = tempfile::Builder::new().prefix("rqdash-cron-fixture-").tempdir().expect("temp dir");
        let oracle_path = dir.path().join("oracle.json");
        let out = Command::new(venv_python(version))
            .arg(root().join("tests/fixtures/make_cron.py"))
            .args(["--url", &server.url(), "--snapshot", "--oracle"])
            .arg(&oracle_path)
            .env("PYTHONPATH", root().join("tests/fixtures"))
            .output()
            .expect("run make_cron.py");
        assert!(
            out.status.success(),
            "make_cron.py failed for rq {version}:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let oracle: Value = serde_json::from_slice(&std::fs::read(&oracle_path).expect("oracle written"))
            .expect("oracle is JSON");
        assert_eq!(oracle["snapshot_saved"], true, "make_cron.py --snapshot saves the RDB");
        let rdb = dir.path().join("dump.rdb");
        std::fs::copy(server.dir().join("dump.rdb"), &rdb).expect("copy snapshot");
        CronFixture { version, oracle, rdb, _dir: dir }
    }

    /// A fresh redis-server holding this snapshot, private to the calling test.
    pub fn server(&self) -> RedisServer {
        RedisServer::from_rdb(&self.rdb)
    }
}
