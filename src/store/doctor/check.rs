//! The checks of `rqdash doctor`: each kind of problem, how it is described, and what `--fix`
//! does about it (repair, or leave alone and why).

use serde::Serialize;

/// One kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    ExpiredEntry,
    UnregisteredQueue,
    MissingJob,
    JobWithoutData,
    StatusMismatch,
    AbandonedStarted,
    DanglingDependent,
    DanglingDependency,
    StuckDeferred,
    DeferredParentsGone,
    StaleWorker,
    StaleQueueWorker,
    EmptyQueue,
    OverdueScheduled,
    StaleCronScheduler,
    WrongType,
}

/// What `--fix` does about a check.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "action", content = "how", rename_all = "snake_case")]
pub enum Policy {
    Repair(&'static str),
    LeaveAlone(&'static str),
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 16] = [
        Check::ExpiredEntry,
        Check::UnregisteredQueue,
        Check::MissingJob,
        Check::JobWithoutData,
        Check::StatusMismatch,
        Check::AbandonedStarted,
        Check::DanglingDependent,
        Check::DanglingDependency,
        Check::StuckDeferred,
        Check::DeferredParentsGone,
        Check::StaleWorker,
        Check::StaleQueueWorker,
        Check::EmptyQueue,
        Check::OverdueScheduled,
        Check::StaleCronScheduler,
        Check::WrongType,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::ExpiredEntry => "expired_entry",
            Check::UnregisteredQueue => "unregistered_queue",
            Check::MissingJob => "missing_job",
            Check::JobWithoutData => "job_without_data",
            Check::StatusMismatch => "status_mismatch",
            Check::AbandonedStarted => "abandoned_started",
            Check::DanglingDependent => "dangling_dependent",
            Check::DanglingDependency => "dangling_dependency",
            Check::StuckDeferred => "stuck_deferred",
            Check::DeferredParentsGone => "deferred_parents_gone",
            Check::StaleWorker => "stale_worker",
            Check::StaleQueueWorker => "stale_queue_worker",
            Check::EmptyQueue => "empty_queue",
            Check::OverdueScheduled => "overdue_scheduled",
            Check::StaleCronScheduler => "stale_cron_scheduler",
            Check::WrongType => "wrong_type",
        }
    }

    /// One line for humans.
    pub fn describe(self) -> &'static str {
        match self {
            Check::ExpiredEntry => "registry entries past expiry, awaiting RQ's cleanup",
            Check::UnregisteredQueue => "queues holding jobs that rq:queues does not list",
            Check::MissingJob => "ids whose job hash is missing",
            Check::JobWithoutData => "ids whose job hash has no data",
            Check::StatusMismatch => "jobs whose status disagrees with where they sit",
            Check::AbandonedStarted => "started jobs whose heartbeat expired or whose worker is gone",
            Check::DanglingDependent => "dependents sets naming missing jobs",
            Check::DanglingDependency => "dependency sets of deferred jobs naming missing jobs",
            Check::StuckDeferred => "deferred jobs whose parents have all finished",
            Check::DeferredParentsGone => "deferred jobs whose parents are finished or gone",
            Check::StaleWorker => "members of the workers set whose worker hash is gone",
            Check::StaleQueueWorker => "members of a queue's workers set whose worker hash is gone",
            Check::EmptyQueue => "queues with nothing anywhere",
            Check::OverdueScheduled => "scheduled jobs overdue with no scheduler holding the queue's lock",
            Check::StaleCronScheduler => "rq cron schedulers whose heartbeat is older than their TTL",
            Check::WrongType => "keys holding another type than RQ keeps there (RQ cannot use them)",
        }
    }

    /// What `--fix` does, or why it leaves the problem alone.
    pub fn policy(self) -> Policy {
        use Policy::{LeaveAlone, Repair};
        match self {
            Check::ExpiredEntry => Repair(
                "removes them, as RQ's registry cleanup does (ZREMRANGEBYSCORE key 0 now); job \
                 hashes are left to their own TTL",
            ),
            Check::UnregisteredQueue => LeaveAlone(
                "RQ registers a queue again at its next enqueue (a requeue from rqdash does); until \
                 then `rq info` does not show it, while rqdash does",
            ),
            Check::MissingJob | Check::JobWithoutData => Repair(
                "removes the ids (queue lists compacted in place, registries pruned) and deletes \
                 hashes without data",
            ),
            Check::StatusMismatch => LeaveAlone(
                "which side is right depends on what happened (a worker may be mid-transition); \
                 requeue, cancel or delete the job explicitly",
            ),
            Check::AbandonedStarted => LeaveAlone(
                "RQ's own maintenance fails it (retries and failure callbacks included) once its \
                 heartbeat score passes; `rqdash stop ID` if its worker is still alive",
            ),
            Check::DanglingDependent | Check::DanglingDependency => {
                Repair("removes the missing ids from the set (RQ treats a missing job as met)")
            }
            Check::StuckDeferred => {
                Repair("enqueues the job, as RQ would have when its last parent finished")
            }
            Check::DeferredParentsGone => LeaveAlone(
                "a parent was deleted or emptied, perhaps to stop the chain: decide with \
                 `rqdash enqueue ID` or `rqdash delete ID`",
            ),
            Check::StaleWorker | Check::StaleQueueWorker => {
                Repair("removes the member, as RQ's clean_worker_registry does")
            }
            Check::EmptyQueue => LeaveAlone(
                "an idle queue looks the same; removing it would hide it from rq info and \
                 dashboards and can race an RQ 2.x enqueue",
            ),
            Check::OverdueScheduled => LeaveAlone(
                "start a worker with --with-scheduler (or `rqdash enqueue ID` the ones that should \
                 run now); rqdash does not stand in for RQ's scheduler",
            ),
            Check::StaleCronScheduler => LeaveAlone(
                "start `rq cron` again; RQ's own CronScheduler.all() drops the entry, a new process \
                 registers under a new name",
            ),
            Check::WrongType => LeaveAlone(
                "what such a key holds was written by something other than RQ, and deleting it may \
                 lose it: look at it (TYPE, DUMP) and repair or DEL it by hand",
            ),
        }
    }

    /// Whether `--fix` repairs this check.
    pub fn repaired(self) -> bool {
        matches!(self.policy(), Policy::Repair(_))
    }
}
