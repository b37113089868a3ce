//! Worker pools (`rq worker-pool`), inferred: RQ records no pool id, so pool-style workers are
//! grouped by host and queues.
//!
//! What RQ writes (worker_pool.py, 1.14 to 3.0): each pool worker is an ordinary worker hash whose
//! name is `uuid4().hex` and whose `hostname`/`queues` are the pool's. Nothing in Redis names the
//! pool. So two or more live workers with 32-hex names, one hostname and one queue list are shown
//! as one pool. A plain `rq worker` started without `--name` also gets a uuid4 hex name: two of
//! them on one host for the same queues look exactly like a pool, and so do two pools there.

use serde::Serialize;

use crate::rq::worker::Worker;

/// Shown beside every pool: why the grouping is a guess.
pub const POOL_NOTE: &str = "RQ records no pool id: rqdash groups workers with uuid names \
(as rq worker-pool names them) that share a host and a queue list.";

/// One inferred pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pool {
    /// "pool on <host> (<queues>)": also each member's `pool` field.
    pub label: String,
    pub hostname: String,
    pub queues: Vec<String>,
    /// Member names, sorted.
    pub workers: Vec<String>,
}

/// `rq worker-pool` names its workers `uuid4().hex`: 32 lowercase hex digits.
pub fn is_pool_style_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Group `workers` into pools (two members or more) and set each member's `pool` to its label.
pub fn group(workers: &mut [Worker]) -> Vec<Pool> {
    let mut pools: Vec<Pool> = Vec::new();
    for w in workers.iter() {
        let Some(host) = w.hostname.as_deref() else { continue };
        // A worker whose hash is gone, or that registered its death, is in no running pool.
        if w.stale || w.death.is_some() || !is_pool_style_name(&w.name) {
            continue;
        }
        match pools.iter_mut().find(|p| p.hostname == host && p.queues == w.queues) {
            Some(p) => p.workers.push(w.name.clone()),
            None => pools.push(Pool {
                label: format!("pool on {host} ({})", w.queues.join(", ")),
                hostname: host.to_owned(),
                queues: w.queues.clone(),
                workers: vec![w.name.clone()],
            }),
        }
    }
    pools.retain(|p| p.workers.len() >= 2);
    for p in &mut pools {
        p.workers.sort();
    }
    pools.sort_by(|a, b| a.label.cmp(&b.label));
    for w in workers.iter_mut() {
        w.pool = pools.iter().find(|p| p.workers.contains(&w.name)).map(|p| p.label.clone());
    }
    pools
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str, host: &str, queues: &str) -> Worker {
        let f = |k: &str, v: &str| (k.to_owned(), v.as_bytes().to_vec());
        Worker::from_hash(name, &[f("hostname", host), f("queues", queues), f("state", "idle")], &[], 400)
    }

    #[test]
    fn uuid_named_workers_sharing_host_and_queues_form_one_pool_and_others_stay_apart() {
        let a = "0123456789abcdef0123456789abcdef";
        let b = "fedcba9876543210fedcba9876543210";
        let c = "00000000000000000000000000000001";
        let mut ws = vec![
            w(a, "h1", "high,low"),
            w(b, "h1", "high,low"),
            w(c, "h2", "high,low"),
            w("named", "h1", "high,low"),
        ];
        let pools = group(&mut ws);
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0].label, "pool on h1 (high, low)");
        assert_eq!(pools[0].workers, vec![a.to_owned(), b.to_owned()]);
        assert_eq!(ws[0].pool.as_deref(), Some("pool on h1 (high, low)"));
        assert_eq!(ws[2].pool, None, "alone on its host");
        assert_eq!(ws[3].pool, None, "named by hand");
    }

    #[test]
    fn pool_style_names_are_exactly_32_lowercase_hex_digits() {
        assert!(is_pool_style_name("0123456789abcdef0123456789abcdef"));
        assert!(!is_pool_style_name("0123456789ABCDEF0123456789ABCDEF"));
        assert!(!is_pool_style_name("0123456789abcdef0123456789abcde"));
        assert!(!is_pool_style_name("host.1234"));
    }
}
