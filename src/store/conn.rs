//! One lazily connected, self-healing Redis connection per instance (direct or via Sentinel).

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use redis::{Client, RedisConnectionInfo, TlsCertificates};
use tokio::sync::Mutex;

use super::url::Target;

/// Timeouts and TLS material shared by every instance.
#[derive(Debug, Clone)]
pub struct ConnOptions {
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    pub tls_ca: Option<Vec<u8>>,
}

/// A connection that survives Redis being down at start or later.
pub struct Conn {
    target: Target,
    opts: ConnOptions,
    current: Mutex<Option<ConnectionManager>>,
}

impl Conn {
    /// Build without connecting: rqdash starts even when Redis is down.
    pub fn new(target: Target, opts: ConnOptions) -> Self {
        Self { target, opts, current: Mutex::new(None) }
    }

    fn manager_config(&self) -> ConnectionManagerConfig {
        // Explicit timeouts (redis-rs defaults to 500 ms per reply) and few retries, so a down
        // Redis yields a prompt 503 instead of a hung page.
        ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.opts.connect_timeout))
            .set_response_timeout(Some(self.opts.response_timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(2))
    }

    fn direct_client(&self, url: &str) -> redis::RedisResult<Client> {
        match &self.opts.tls_ca {
            Some(ca) if url.starts_with("rediss") || url.starts_with("valkeys") => {
                let certs = TlsCertificates { client_tls: None, root_cert: Some(ca.clone()) };
                Client::build_with_tls(url, certs)
            }
            _ => Client::open(url),
        }
    }

    async fn sentinel_client(&self) -> redis::RedisResult<Client> {
        let Target::Sentinel { sentinels, master, db, username, password } = &self.target else {
            return Err((redis::ErrorKind::Client, "not a sentinel target").into());
        };
        let nodes: Vec<String> = sentinels.iter().map(|(h, p)| format!("redis://{h}:{p}")).collect();
        let mut info = RedisConnectionInfo::default().set_db(*db);
        if let Some(u) = username {
            info = info.set_username(u);
        }
        if let Some(p) = password {
            info = info.set_password(p);
        }
        let node = SentinelNodeConnectionInfo::default().set_redis_connection_info(info);
        let mut sc = SentinelClient::build(nodes, master, Some(node), SentinelServerType::Master)?;
        // Resolve outside any lock held by readers; bounded so a dead sentinel cannot hang a page.
        match tokio::time::timeout(self.opts.connect_timeout * 2, sc.async_get_client()).await {
            Ok(r) => r,
            Err(_) => Err((redis::ErrorKind::Io, "timed out asking the sentinels").into()),
        }
    }

    /// A connection handle; cheap to clone, multiplexed.
    pub async fn get(&self) -> Result<ConnectionManager, redis::RedisError> {
        if let Some(m) = self.current.lock().await.as_ref() {
            return Ok(m.clone());
        }
        let client = match &self.target {
            Target::Direct(url) => self.direct_client(url)?,
            Target::Sentinel { .. } => self.sentinel_client().await?,
        };
        let manager = ConnectionManager::new_lazy_with_config(client, self.manager_config())?;
        *self.current.lock().await = Some(manager.clone());
        Ok(manager)
    }

    /// Called after a failed command: a Sentinel master may have moved, so ask again next time.
    pub async fn on_error(&self, e: &redis::RedisError) {
        let moved = e.is_io_error()
            || e.is_connection_refusal()
            || e.is_connection_dropped()
            || e.is_timeout()
            || e.to_string().contains("READONLY");
        if moved && matches!(self.target, Target::Sentinel { .. }) {
            *self.current.lock().await = None;
        }
    }
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Conn")
    }
}

/// Whether an error means "Redis unreachable" (503) rather than a server-side error.
pub fn is_unreachable(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() || e.is_timeout()
}
