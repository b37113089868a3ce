//! Real RQ processes for the action tests: Python snippets and `rq worker` in a version's venv,
//! against a test's own redis-server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::RedisServer;
use super::fixture::{root, venv_python};

/// Task functions and helpers, importable as `rqdash_action_tasks` by snippets and workers.
const TASKS: &str = r#"
"""Tasks and helpers for rqdash's action tests (written by tests/it/support/rq_worker.rs)."""
import json
import os
import time

import redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import (
    CanceledJobRegistry,
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)

PASS_KEY = 'rqdash-test:pass'


def flaky(n=0):
    """Fails until the key PASS_KEY exists, then returns n."""
    from rq import get_current_job

    if not get_current_job().connection.exists(PASS_KEY):
        raise RuntimeError('fails until %s is set' % PASS_KEY)
    return n


def ok(n=0):
    return n


def fail_counted():
    """Counts its runs per job id (hash rqdash-test:runs), then fails: a job run twice shows."""
    from rq import get_current_job

    job = get_current_job()
    job.connection.hincrby('rqdash-test:runs', job.id, 1)
    raise RuntimeError('fails every time')


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def conn():
    return redis.Redis.from_url(os.environ['REDIS_URL'])


def out(value):
    print(json.dumps(value))


def text(v):
    v = getattr(v, 'value', v)
    return v.decode() if isinstance(v, bytes) else v


def status_of(ids):
    """RQ's own view: the status of each id, or None when Job.fetch raises NoSuchJobError."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    c = conn()
    res = {}
    for i in ids:
        try:
            res[i] = text(Job.fetch(i, connection=c).get_status())
        except NoSuchJobError:
            res[i] = None
    return res
"#;

fn tasks_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::Builder::new().prefix("rqdash-action-tasks-").tempdir().expect("temp dir");
        std::fs::write(d.path().join("rqdash_action_tasks.py"), TASKS).expect("write tasks module");
        d
    })
    .path()
}

/// One RQ version driving one test's Redis.
pub struct Rq {
    pub version: &'static str,
    url: String,
}

impl Rq {
    /// RQ `version` (a venv under `.venvs/`) against `server`.
    pub fn new(version: &'static str, server: &RedisServer) -> Self {
        Self { version, url: server.url() }
    }

    /// RQ `version` against a Redis this test did not start (e.g. `rqdash demo`'s own).
    pub fn at(version: &'static str, url: &str) -> Self {
        Self { version, url: url.to_owned() }
    }

    /// Run `rq ARGS` (the venv's command line, e.g. a command rqdash printed); returns stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let mut c = Command::new(self.bin("rq"));
        c.args(args);
        self.env(&mut c);
        let o = c.output().expect("run rq");
        checked(&o, &format!("rq {} (rq {})", args.join(" "), self.version))
    }

    fn bin(&self, name: &str) -> PathBuf {
        root().join(".venvs").join(format!("rq-{}", self.version)).join("bin").join(name)
    }

    fn env(&self, c: &mut Command) {
        c.env("REDIS_URL", &self.url).env("PYTHONPATH", tasks_dir()).env("PYTHONWARNINGS", "ignore");
    }

    fn python(&self, code: &str) -> Command {
        let mut c = Command::new(venv_python(self.version));
        c.arg("-c").arg(format!("from rqdash_action_tasks import *\n{code}"));
        self.env(&mut c);
        c
    }

    /// Run a snippet (with `rqdash_action_tasks` star-imported); returns the JSON it printed
    /// last with `out(...)`.
    pub fn py(&self, code: &str) -> Value {
        let o = self.python(code).output().expect("run python");
        let stdout = checked(&o, &format!("python snippet (rq {})", self.version));
        let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("null");
        serde_json::from_str(last).unwrap_or_else(|e| panic!("snippet printed no JSON ({e}): {stdout}"))
    }

    /// Start a snippet in the background (stdout piped, for `finish`).
    pub fn spawn_py(&self, code: &str) -> Child {
        self.python(code).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn python")
    }

    fn worker_cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(self.bin("rq"));
        c.arg("worker").args(["-u", &self.url, "--logging_level", "WARNING"]).args(args);
        self.env(&mut c);
        c
    }

    /// `rq worker --burst` with RQ's SimpleWorker (no fork per job: fast), until the queues
    /// are drained.
    pub fn burst(&self, queues: &[&str]) {
        let o = self
            .worker_cmd(&["--burst", "-w", "rq.worker.SimpleWorker"])
            .args(queues)
            .output()
            .expect("run rq worker");
        checked(&o, &format!("rq worker --burst (rq {})", self.version));
    }

    /// Start `rq worker` with `args` (e.g. `--max-jobs N queue`) in the background.
    pub fn spawn_worker(&self, args: &[&str]) -> Child {
        self.worker_cmd(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn rq worker")
    }

    /// Start `rq worker-pool ARGS` leading its own process group (output discarded), so that
    /// [`kill_group`] ends the pool and every worker it forked.
    pub fn spawn_pool(&self, args: &[&str]) -> Child {
        use std::os::unix::process::CommandExt;
        let mut c = Command::new(self.bin("rq"));
        c.arg("worker-pool").args(["-u", &self.url, "-l", "WARNING"]).args(args).process_group(0);
        self.env(&mut c);
        c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn rq worker-pool")
    }

    /// Start `rq worker` with its output discarded: a worker failing hundreds of jobs logs a
    /// traceback each, and would block on a full pipe nobody reads.
    pub fn spawn_quiet_worker(&self, args: &[&str]) -> Child {
        self.worker_cmd(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn rq worker")
    }
}

/// SIGKILL the process group `child` leads, then reap it.
pub fn kill_group(mut child: Child) {
    let _ = Command::new("kill").args(["-9", "--", &format!("-{}", child.id())]).status();
    let _ = child.wait();
}

/// Wait for a background process and return its stdout; panics with its output on failure.
pub fn finish(child: Child, what: &str) -> String {
    let o = child.wait_with_output().expect("wait for child");
    checked(&o, what)
}

fn checked(o: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

/// Poll `cond` every 20 ms until it holds; panics with `what` after `secs` seconds. For waiting
/// on other processes (a worker picking a job up), where there is no event to wait on.
pub fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out after {secs}s waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
