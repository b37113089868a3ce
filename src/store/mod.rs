//! The only module that talks to Redis: connections, the read model, and (later) atomic writes.

mod acl;
pub mod alert_state;
pub mod archive;
pub mod audit;
pub mod budget;
pub mod census;
pub mod compat;
mod conn;
pub mod control;
pub mod demo;
pub mod detail;
pub mod discover;
pub mod doctor;
mod error;
pub mod failed;
pub mod failure_groups;
pub mod functions;
pub mod groups;
pub mod health;
pub mod history;
pub mod info;
pub mod jobs;
pub mod key_type;
pub mod metrics;
pub mod order;
pub mod overview;
pub mod rate_limits;
pub mod running;
pub mod schedulers;
pub mod search;
pub mod url;
mod value;
pub mod verdict;
pub mod worker_cmd;
pub mod worker_detail;
pub mod workers;
pub mod write;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use redis::aio::ConnectionManager;

use conn::Conn;
pub use conn::ConnOptions;
pub use error::{Error, Result};

use crate::config::RedisArgs;
use crate::rq::Keys;

/// One configured Redis instance.
#[derive(Debug)]
pub struct Instance {
    pub index: usize,
    /// The URL with its password masked: the only form ever shown or logged.
    pub url: String,
    pub keys: Keys,
    /// Reached through Sentinel (the master is re-discovered after a failover).
    pub sentinel: bool,
    /// Queues with jobs that `rq:queues` does not list (see [`discover`]).
    pub discovered: discover::Discovered,
    conn: Conn,
    /// The Redis user may not run MULTI (ACL): MULTI pipelines go out as plain ones.
    multi_refused: AtomicBool,
    /// `rq cron` (RQ 2.4+) was seen here: its keys, or a worker of RQ 2.4+. The nav shows the
    /// schedulers page only then, so RQ 1.x users get no page for a feature they lack.
    cron_seen: AtomicBool,
    /// RQ 3.0's rate limits were seen here (keys in `rq:rl-keys`, or an RQ 3.0+ worker): the
    /// navigation shows the rate-limits page from then on. Set by reads, never unset.
    rate_limits_seen: AtomicBool,
    /// Held jobs per queue of each rate-limit key, as last counted (see [`rate_limits`]).
    held_cache: rate_limits::HeldCache,
}

impl Instance {
    /// Note that this Redis holds RQ 3.0 rate limits (or is served by RQ 3.0+ workers).
    pub fn saw_rate_limits(&self) {
        self.rate_limits_seen.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether rate limits were seen here by any read so far.
    pub fn has_rate_limits(&self) -> bool {
        self.rate_limits_seen.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Instance {
    /// Whether `rq cron` (RQ 2.4+) was seen on this instance (see [`Instance::note_cron`]).
    pub fn cron_seen(&self) -> bool {
        self.cron_seen.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Remember that this instance runs an RQ with `rq cron`; it is never forgotten, so the
    /// nav does not flicker when the last cron scheduler is cleaned up.
    pub fn note_cron(&self, seen: bool) {
        if seen {
            self.cron_seen.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// A connection, or a 503-class error naming this instance.
    pub(in crate::store) async fn conn(&self) -> Result<ConnectionManager> {
        self.conn.get().await.map_err(|e| self.err(e))
    }

    /// Convert a Redis error into a store error naming this instance (password masked).
    pub fn err(&self, e: redis::RedisError) -> Error {
        let (index, url) = (self.index, self.url.clone());
        if let Some(r) = acl::refusal(&e) {
            return Error::Forbidden { index, url, detail: acl::explain(&r) };
        }
        let detail = e.to_string();
        if key_type::is_wrong_err(&e) {
            // Reads and actions check types first; this is the net under anything they missed.
            return Error::Conflict(format!(
                "a key holds another type than RQ keeps there, so RQ cannot use it (instance {index}, \
                 {url}): {detail}"
            ));
        }
        if conn::is_unreachable(&e) {
            Error::Unavailable { index, url, detail }
        } else {
            Error::Redis { index, url, detail }
        }
    }

    /// Run a pipeline, reporting failures against this instance (and healing Sentinel routing).
    ///
    /// A MULTI pipeline (`atomic()`) is a consistent read. When the Redis user may not run MULTI
    /// (a read-only ACL user), the same commands answer as a plain pipeline instead: each reply
    /// is still exact, only the snapshot may straddle a write. That is remembered per instance,
    /// so later reads skip the refused MULTI. Writes are Lua scripts, never MULTI pipelines.
    pub(in crate::store) async fn query<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T> {
        let mut c = self.conn().await?;
        let mut tx = acl::Tx { conn: &mut c, refused: &self.multi_refused, instance: self.index };
        match pipe.query_async::<T>(&mut tx).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.conn.on_error(&e).await;
                Err(self.err(e))
            }
        }
    }
}

impl Instance {
    /// Run a Lua script (EVALSHA, loading it on NOSCRIPT), healing Sentinel routing on failure.
    pub(in crate::store) async fn invoke(&self, inv: &redis::ScriptInvocation<'_>) -> Result<redis::Value> {
        let mut c = self.conn().await?;
        match inv.invoke_async::<redis::Value>(&mut c).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.conn.on_error(&e).await;
                Err(self.err(e))
            }
        }
    }
}

/// All configured instances; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    instances: Arc<Vec<Instance>>,
    /// How long `/readyz` waits for each instance's PING (the connect timeout).
    probe_timeout: std::time::Duration,
}

impl Store {
    /// Build from configuration without connecting (Redis may be down at start).
    pub fn from_args(args: &RedisArgs) -> Result<Self> {
        // rediss:// panics without a process-wide crypto provider; ring avoids a C/cmake build.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let password = match &args.redis_password_file {
            Some(p) => Some(
                std::fs::read_to_string(p)
                    .map_err(|e| Error::Config(format!("cannot read {}: {e}", p.display())))?
                    .trim_end_matches(['\r', '\n'])
                    .to_owned(),
            ),
            // rq-dashboard's --redis-password / RQ_DASHBOARD_REDIS_PASSWORD.
            None => args.redis_password.clone(),
        };
        let tls_ca = match &args.tls_ca_file {
            Some(p) => Some(
                std::fs::read(p).map_err(|e| Error::Config(format!("cannot read {}: {e}", p.display())))?,
            ),
            None => None,
        };
        let opts = ConnOptions {
            connect_timeout: args.connect_timeout(),
            response_timeout: args.response_timeout(),
            tls_ca,
        };
        let urls = args.urls();
        let mut instances = Vec::with_capacity(urls.len());
        for (index, raw) in urls.iter().enumerate() {
            let target = url::parse(raw, password.as_deref(), args.tls_insecure)?;
            instances.push(Instance {
                index,
                url: url::mask(raw),
                keys: Keys::new(&args.rq_key_prefix),
                sentinel: matches!(target, url::Target::Sentinel { .. }),
                discovered: discover::Discovered::default(),
                conn: Conn::new(target, opts.clone()),
                multi_refused: AtomicBool::new(false),
                cron_seen: AtomicBool::new(false),
                rate_limits_seen: AtomicBool::new(false),
                held_cache: rate_limits::HeldCache::default(),
            });
        }
        Ok(Self { instances: Arc::new(instances), probe_timeout: args.connect_timeout() })
    }

    /// Keep every instance's list of unregistered queues fresh in the background (see
    /// [`discover`]); the task ends with `shutdown` or when the last clone of the store goes.
    pub fn spawn_discovery(&self, shutdown: tokio_util::sync::CancellationToken) {
        discover::spawn(Arc::downgrade(&self.instances), shutdown);
    }

    /// Every instance, in configuration order.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// Instance `n`, or a 404-class error.
    pub fn instance(&self, n: usize) -> Result<&Instance> {
        self.instances.get(n).ok_or_else(|| {
            Error::NotFound(format!(
                "no Redis instance {n}: {} configured (0..{})",
                self.instances.len(),
                self.instances.len().saturating_sub(1)
            ))
        })
    }
}
