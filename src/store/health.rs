//! Readiness: does every configured Redis answer PING in time? (`/readyz`, `rqdash healthcheck`.)

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Instance, Store};

/// One instance's answer to PING.
#[derive(Debug, Clone, Serialize)]
pub struct Ping {
    pub index: usize,
    /// Masked: the password never appears.
    pub url: String,
    pub ok: bool,
    /// Round trip, connection included when it had to be (re)opened.
    pub latency_ms: f64,
    /// Why the instance is not ready (names it, password masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Every instance's PING, in configuration order.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub timeout_ms: u128,
    pub instances: Vec<Ping>,
}

impl Store {
    /// PING every instance at once, each bounded by the connect timeout: a probe must answer
    /// well within an orchestrator's own timeout even when a Redis hangs without refusing.
    pub async fn readiness(&self) -> Readiness {
        let timeout = self.probe_timeout;
        let pings = futures_util::future::join_all(self.instances().iter().map(|i| ping(i, timeout))).await;
        Readiness { ready: pings.iter().all(|p| p.ok), timeout_ms: timeout.as_millis(), instances: pings }
    }
}

/// Whether the instance answers PING now (no timeout of its own: `/api/v1/instances`).
pub async fn answers_ping(inst: &Instance) -> bool {
    let mut p = redis::pipe();
    p.cmd("PING");
    inst.query::<(String,)>(&p).await.is_ok()
}

async fn ping(inst: &Instance, timeout: Duration) -> Ping {
    let start = Instant::now();
    let mut p = redis::pipe();
    p.cmd("PING");
    let error = match tokio::time::timeout(timeout, inst.query::<(redis::Value,)>(&p)).await {
        Ok(Ok(_pong)) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!(
            "Redis instance {} ({}) did not answer PING within {} ms",
            inst.index,
            inst.url,
            timeout.as_millis()
        )),
    };
    let latency_ms = (start.elapsed().as_secs_f64() * 1e4).round() / 10.0;
    Ping { index: inst.index, url: inst.url.clone(), ok: error.is_none(), latency_ms, error }
}
