//! Every Redis key RQ uses, built from one prefix (RQ 3.0's `RQ_KEY_PREFIX`, `rq` before).

use crate::rq::State;

/// Concatenate with one exact allocation: keys are built ~10,000 times per overview, and
/// `format!` showed up in profiles.
fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Key builder for one RQ key prefix. Built here and nowhere else, so a wrong template shows up once.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Keys under `prefix` (normally `rq`).
    pub fn new(prefix: &str) -> Self {
        Self { prefix: prefix.to_owned() }
    }

    /// The prefix in use.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `rq:queues`: the set of queue keys (members are full keys, not names).
    pub fn queues(&self) -> String {
        cat(&[&self.prefix, ":queues"])
    }

    /// The namespace of queue keys, `rq:queue:`.
    pub fn queue_ns(&self) -> String {
        cat(&[&self.prefix, ":queue:"])
    }

    /// `rq:queue:<q>`: the list of queued job ids.
    pub fn queue(&self, q: &str) -> String {
        cat(&[&self.prefix, ":queue:", q])
    }

    /// `rq:queue:<q>:intermediate`: ids a worker has moved out of the queue but not yet started (1.15+).
    pub fn intermediate(&self, q: &str) -> String {
        cat(&[&self.prefix, ":queue:", q, ":intermediate"])
    }

    /// The sorted set behind a registry state (None for `queued`, which is a list).
    pub fn registry(&self, state: State, q: &str) -> Option<String> {
        let kind = match state {
            State::Queued => return None,
            State::Started => "wip",
            State::Finished => "finished",
            State::Failed => "failed",
            State::Deferred => "deferred",
            State::Scheduled => "scheduled",
            State::Canceled => "canceled",
            State::Ready => "ready",
        };
        Some(cat(&[&self.prefix, ":", kind, ":", q]))
    }

    /// The key holding a state's ids: the queue list or the registry zset.
    pub fn state_key(&self, state: State, q: &str) -> String {
        self.registry(state, q).unwrap_or_else(|| self.queue(q))
    }

    /// `rq:job:<id>`: the job hash.
    pub fn job(&self, id: &str) -> String {
        cat(&[&self.prefix, ":job:", id])
    }

    /// `rq:job:<id>:dependents`.
    pub fn dependents(&self, id: &str) -> String {
        cat(&[&self.prefix, ":job:", id, ":dependents"])
    }

    /// `rq:job::<id>:dependencies` (the double colon is RQ's, in every version).
    pub fn dependencies(&self, id: &str) -> String {
        cat(&[&self.prefix, ":job::", id, ":dependencies"])
    }

    /// `rq:results:<id>`: the results stream.
    pub fn results(&self, id: &str) -> String {
        cat(&[&self.prefix, ":results:", id])
    }

    /// `rq:executions:<id>` (2.x+).
    pub fn executions(&self, id: &str) -> String {
        cat(&[&self.prefix, ":executions:", id])
    }

    /// `rq:workers`: set of worker keys.
    pub fn workers(&self) -> String {
        cat(&[&self.prefix, ":workers"])
    }

    /// `rq:workers:<q>`: worker keys listening on a queue.
    pub fn queue_workers(&self, q: &str) -> String {
        cat(&[&self.prefix, ":workers:", q])
    }

    /// The namespace of worker keys, `rq:worker:`.
    pub fn worker_ns(&self) -> String {
        cat(&[&self.prefix, ":worker:"])
    }

    /// `rq:worker:<name>`.
    pub fn worker(&self, name: &str) -> String {
        cat(&[&self.prefix, ":worker:", name])
    }

    /// `rq:pubsub:<name>`: the channel a worker listens on for commands.
    pub fn pubsub(&self, worker: &str) -> String {
        cat(&[&self.prefix, ":pubsub:", worker])
    }

    /// `rq:worker:<name>:executions` (3.0: replaces `current_job`).
    pub fn worker_executions(&self, name: &str) -> String {
        cat(&[&self.prefix, ":worker:", name, ":executions"])
    }

    /// `rq:suspended`.
    pub fn suspended(&self) -> String {
        cat(&[&self.prefix, ":suspended"])
    }

    /// `rq:cron_schedulers`: cron scheduler names, score = last heartbeat (RQ 2.6+).
    pub fn cron_schedulers(&self) -> String {
        cat(&[&self.prefix, ":cron_schedulers"])
    }

    /// `rq:cron_scheduler:<name>`: one cron scheduler's identity and its jobs as JSON.
    pub fn cron_scheduler(&self, name: &str) -> String {
        cat(&[&self.prefix, ":cron_scheduler:", name])
    }

    /// `rq:cron_jobs`: cron job names, score = last enqueue (RQ 2.12+).
    pub fn cron_jobs(&self) -> String {
        cat(&[&self.prefix, ":cron_jobs"])
    }

    /// `rq:cron_job:<name>:jobs`: ids of the jobs a cron job enqueued, score = enqueued_at (2.11+).
    pub fn cron_job_history(&self, name: &str) -> String {
        cat(&[&self.prefix, ":cron_job:", name, ":jobs"])
    }

    /// `rq:scheduler-lock:<q>`: held by the queue scheduler that moves `<q>`'s due jobs.
    pub fn scheduler_lock(&self, q: &str) -> String {
        cat(&[&self.prefix, ":scheduler-lock:", q])
    }

    /// `rq:scheduler:<name>`: a queue scheduler's identity (RQ 2.10+).
    pub fn scheduler(&self, name: &str) -> String {
        cat(&[&self.prefix, ":scheduler:", name])
    }

    /// `rq:rl-keys` (3.0): the set of rate-limit keys in use (members are bare keys).
    pub fn rl_keys(&self) -> String {
        cat(&[&self.prefix, ":rl-keys"])
    }

    /// `rq:rl:<key>` (3.0): the rate limit's config hash (`concurrency`).
    pub fn rl_config(&self, key: &str) -> String {
        cat(&[&self.prefix, ":rl:", key])
    }

    /// `rq:rl:<key>:allowed` (3.0): ids the limiter let through (queued or running), by time.
    pub fn rl_allowed(&self, key: &str) -> String {
        cat(&[&self.prefix, ":rl:", key, ":allowed"])
    }

    /// `rq:rl:<key>:rate_limited` (3.0): ids the limiter holds back, oldest first.
    pub fn rl_held(&self, key: &str) -> String {
        cat(&[&self.prefix, ":rl:", key, ":rate_limited"])
    }

    /// `rq:groups` (2.0+): the set of group names.
    pub fn groups(&self) -> String {
        cat(&[&self.prefix, ":groups"])
    }

    /// `rq:group:<name>` (2.0+): the set of a group's job ids.
    pub fn group(&self, name: &str) -> String {
        cat(&[&self.prefix, ":group:", name])
    }

    /// Strip a namespace from a member of `rq:queues` / `rq:workers`; None if it does not belong.
    pub fn strip<'a>(ns: &str, member: &'a str) -> Option<&'a str> {
        member.strip_prefix(ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_key_keeps_rqs_double_colon() {
        assert_eq!(Keys::new("rq").dependencies("a"), "rq:job::a:dependencies");
    }

    #[test]
    fn rate_limit_keys_follow_rq_3s_templates() {
        let k = Keys::new("rq");
        assert_eq!(k.rl_keys(), "rq:rl-keys");
        assert_eq!(k.rl_config("api"), "rq:rl:api");
        assert_eq!(k.rl_allowed("api"), "rq:rl:api:allowed");
        assert_eq!(k.rl_held("api"), "rq:rl:api:rate_limited");
    }

    #[test]
    fn started_registry_is_called_wip() {
        assert_eq!(Keys::new("rq").state_key(State::Started, "q"), "rq:wip:q");
        assert_eq!(Keys::new("myapp").state_key(State::Queued, "q"), "myapp:queue:q");
    }
}
