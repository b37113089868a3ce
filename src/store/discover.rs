//! Queues that hold jobs but are not members of `rq:queues`.
//!
//! RQ's `Queue.delete()` removes a queue from `rq:queues` and leaves its registries, and other
//! tools push to `rq:queue:<q>` without registering it; RQ's `FailedJobRegistry('q')` still
//! works on them, so rqdash must show them and act on them. Finding them takes a SCAN of the
//! keyspace, which is never done on the request path: a background pass per instance (bounded
//! SCAN calls, paced) keeps a cache that the overview merges, and one-shot CLI commands run a
//! bounded pass themselves.

use std::collections::BTreeSet;
use std::sync::{Mutex, Weak};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Instance, Result, value};

/// Keys asked of Redis per SCAN call.
const SCAN_COUNT: usize = 1000;
/// SCAN calls per burst, and the pause between bursts: at most ~50,000 keys a second.
const BURST: usize = 10;
const BURST_PAUSE: Duration = Duration::from_millis(200);
/// Pause between two complete passes.
const PASS_PAUSE: Duration = Duration::from_secs(30);

/// The registry kinds a queue name can be read from (`<prefix>:<kind>:<queue>`).
const KINDS: [&str; 7] = ["wip", "finished", "failed", "deferred", "scheduled", "canceled", "ready"];

/// The last complete pass of one instance.
#[derive(Debug, Default)]
pub struct Discovered {
    names: Mutex<Option<Vec<String>>>,
}

impl Discovered {
    /// Queue names found by the last complete pass (empty before the first one ends).
    pub fn names(&self) -> Vec<String> {
        self.names.lock().map(|n| n.clone().unwrap_or_default()).unwrap_or_default()
    }

    /// Whether a pass has completed.
    pub fn ready(&self) -> bool {
        self.names.lock().map(|n| n.is_some()).unwrap_or(false)
    }

    fn set(&self, names: Vec<String>) {
        if let Ok(mut n) = self.names.lock() {
            *n = Some(names);
        }
    }
}

/// The queue a key belongs to, if it is a queue list or a registry under `prefix`.
pub fn queue_of<'a>(prefix: &str, key: &'a str) -> Option<&'a str> {
    let rest = key.strip_prefix(prefix)?.strip_prefix(':')?;
    let (kind, q) = rest.split_once(':')?;
    if q.is_empty() {
        return None;
    }
    if kind == "queue" {
        // RQ 1.15+'s `<q>:intermediate` list belongs to queue `<q>`.
        return Some(q.strip_suffix(":intermediate").filter(|s| !s.is_empty()).unwrap_or(q));
    }
    KINDS.contains(&kind).then_some(q)
}

/// Escape SCAN's glob characters in the prefix.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One complete SCAN pass (at most `max_calls` calls; paced when `paced`): every queue name
/// with a list or registry key, minus the registered ones.
pub async fn scan(inst: &Instance, max_calls: usize, paced: bool) -> Result<Vec<String>> {
    let k = &inst.keys;
    let pattern = format!("{}:*", glob_escape(k.prefix()));
    let mut found = BTreeSet::new();
    let mut cursor = 0u64;
    for call in 1..=max_calls {
        let mut p = redis::pipe();
        p.cmd("SCAN").arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(SCAN_COUNT);
        let (reply,): (redis::Value,) = inst.query(&p).await?;
        let parts = value::array(&reply);
        cursor = parts.first().and_then(value::string).and_then(|c| c.parse().ok()).unwrap_or(0);
        for key in parts.get(1).map(value::strings).unwrap_or_default() {
            if let Some(q) = queue_of(k.prefix(), &key) {
                found.insert(q.to_owned());
            }
        }
        if cursor == 0 {
            break;
        }
        if paced && call % BURST == 0 {
            tokio::time::sleep(BURST_PAUSE).await;
        }
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(k.queues());
    // A corrupt rq:queues (another type than a set) reads as empty: every queue is then found here.
    let (reply,): (redis::Value,) = inst.query(&p).await?;
    let members = value::strings(&reply);
    let registered: BTreeSet<String> = super::overview::queue_names(k, &members).into_iter().collect();
    Ok(found.into_iter().filter(|q| !registered.contains(q)).collect())
}

/// Calls a one-shot command may spend on a pass (2 million keys); a failed or cut pass just
/// leaves unregistered queues out.
const ONE_SHOT_CALLS: usize = 2000;

/// A one-shot pass for CLI commands (no background task runs there), unpaced and bounded.
pub async fn scan_into(inst: &Instance) {
    match scan(inst, ONE_SHOT_CALLS, false).await {
        Ok(names) => inst.discovered.set(names),
        Err(e) => tracing::debug!(instance = inst.index, "queue discovery: {e}"),
    }
}

/// Refresh every instance's cache in the background until `shutdown` or until the store is
/// dropped. Passes are unbounded in calls but paced, and errors only delay the next pass.
pub fn spawn(instances: Weak<Vec<Instance>>, shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            let Some(all) = instances.upgrade() else { return };
            for inst in all.iter() {
                match scan(inst, usize::MAX, true).await {
                    Ok(names) => inst.discovered.set(names),
                    Err(e) => tracing::debug!(instance = inst.index, "queue discovery: {e}"),
                }
            }
            drop(all);
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(PASS_PAUSE) => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_come_from_lists_and_registries_only() {
        assert_eq!(queue_of("rq", "rq:failed:default"), Some("default"));
        assert_eq!(queue_of("rq", "rq:wip:tenant:42"), Some("tenant:42"));
        assert_eq!(queue_of("rq", "rq:queue:low"), Some("low"));
        assert_eq!(queue_of("rq", "rq:queue:low:intermediate"), Some("low"));
        assert_eq!(queue_of("rq", "rq:job:abc"), None);
        assert_eq!(queue_of("rq", "rq:workers:default"), None);
        assert_eq!(queue_of("rq", "rq:failed:"), None);
        assert_eq!(queue_of("rq", "rqx:failed:a"), None);
    }

    #[test]
    fn glob_characters_of_the_prefix_are_escaped() {
        assert_eq!(glob_escape("a*b?[c]"), "a\\*b\\?\\[c\\]");
    }
}
