//! Stop a running job with RQ's `stop-job` pub/sub command.

use serde::Serialize;

use super::{SCRIPTS, count, run, text};
use crate::store::{Error, Instance, Result, value};

/// What a stop request did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StopOutcome {
    pub id: String,
    /// The worker whose channel got the command.
    pub worker: String,
    /// The command sent: always `stop-job` (see `lua/stop.lua` for RQ 3.0's `stop-execution`).
    pub command: &'static str,
    /// PUBLISH's answer: how many subscribers got it. 0 means no worker was listening (it died,
    /// or runs elsewhere); the command is then lost and the job keeps its state.
    pub receivers: u64,
}

impl StopOutcome {
    /// Whether a worker heard the command.
    pub fn heard(&self) -> bool {
        self.receivers > 0
    }
}

/// Ask the worker running job `id` to stop it, as RQ's `send_stop_job_command` does: the worker
/// kills the work horse and the job becomes `stopped` (in the failed registry). 404 when there
/// is no such job, 409 when it is not running. The state is checked inside Redis, in the same
/// call as the PUBLISH.
pub async fn stop(inst: &Instance, id: &str) -> Result<StopOutcome> {
    let reply = run(inst, &SCRIPTS.stop, &[], &[id]).await?;
    let r = value::array(&reply);
    let (code, status, worker) = (text(r.first()), text(r.get(1)), text(r.get(2)));
    match code.as_str() {
        "done" => {
            Ok(StopOutcome { id: id.to_owned(), worker, command: "stop-job", receivers: count(r.get(3)) })
        }
        "orphan" => Err(Error::NotFound(format!("no job {id:?} (no hash, or a hash without data)"))),
        "corrupt" => Err(Error::Conflict(format!("job {id:?} cannot be stopped: {}", text(r.get(3))))),
        _ if status == "started" => Err(Error::Conflict(format!(
            "job {id:?} is started but names no worker; nothing to send the stop to"
        ))),
        _ => {
            let status = if status.is_empty() { "without a status" } else { status.as_str() };
            Err(Error::Conflict(format!(
                "job {id:?} is {status}, not running; only a started job can be stopped"
            )))
        }
    }
}
