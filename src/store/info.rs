//! Redis server facts from INFO; every section degrades to "unavailable" on its own.

use serde::Serialize;

use super::{Instance, Result};

/// What the dashboard shows about the Redis server.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RedisInfo {
    pub available: bool,
    /// Why INFO could not be read (e.g. a managed Redis that forbids it).
    pub error: Option<String>,
    pub redis_version: Option<String>,
    pub redis_mode: Option<String>,
    pub role: Option<String>,
    pub uptime_in_seconds: Option<i64>,
    pub connected_clients: Option<i64>,
    pub used_memory: Option<i64>,
    pub used_memory_human: Option<String>,
    pub used_memory_peak_human: Option<String>,
    pub maxmemory: Option<i64>,
    pub maxmemory_policy: Option<String>,
    pub instantaneous_ops_per_sec: Option<i64>,
    /// The keyspace line of each db, e.g. `db0: keys=12,expires=3,avg_ttl=0`.
    pub keyspace: Vec<(String, String)>,
    /// INFO sections the server refused (managed Redis); their fields stay empty.
    pub unavailable_sections: Vec<String>,
}

/// Parse INFO's `key:value` text.
pub fn parse_info(text: &str) -> RedisInfo {
    let mut r = RedisInfo { available: true, ..Default::default() };
    for line in text.lines() {
        let Some((k, v)) = line.trim().split_once(':') else { continue };
        let s = || Some(v.to_owned());
        let n = || v.parse::<i64>().ok();
        match k {
            "redis_version" => r.redis_version = s(),
            "redis_mode" => r.redis_mode = s(),
            "role" => r.role = s(),
            "uptime_in_seconds" => r.uptime_in_seconds = n(),
            "connected_clients" => r.connected_clients = n(),
            "used_memory" => r.used_memory = n(),
            "used_memory_human" => r.used_memory_human = s(),
            "used_memory_peak_human" => r.used_memory_peak_human = s(),
            "maxmemory" => r.maxmemory = n(),
            "maxmemory_policy" => r.maxmemory_policy = s(),
            "instantaneous_ops_per_sec" => r.instantaneous_ops_per_sec = n(),
            _ if k.starts_with("db") && k[2..].chars().all(|c| c.is_ascii_digit()) => {
                r.keyspace.push((k.to_owned(), v.to_owned()));
            }
            _ => {}
        }
    }
    r
}

/// The INFO sections read, one command each, so a managed Redis that refuses one section
/// (or renames INFO) only blanks that part of the panel.
const SECTIONS: [&str; 6] = ["server", "clients", "memory", "stats", "replication", "keyspace"];

/// INFO section by section in one pipeline; only connectivity errors fail, refused sections are
/// listed in `unavailable_sections`.
pub async fn redis_info(inst: &Instance) -> Result<RedisInfo> {
    let mut p = redis::pipe();
    p.ignore_errors();
    for s in SECTIONS {
        p.cmd("INFO").arg(s);
    }
    let replies: Vec<redis::Value> = inst.query(&p).await?;
    let mut text = String::new();
    let mut refused = Vec::new();
    for (s, r) in SECTIONS.iter().zip(&replies) {
        match super::value::string(r) {
            Some(t) => text.push_str(&t),
            None => refused.push((*s).to_owned()),
        }
    }
    if refused.len() == SECTIONS.len() {
        let why = replies.first().map(|r| format!("{r:?}")).unwrap_or_default();
        return Ok(RedisInfo { error: Some(format!("INFO refused: {why}")), ..Default::default() });
    }
    let mut info = parse_info(&text);
    info.unavailable_sections = refused;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_text_is_parsed() {
        let r = parse_info(
            "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n# Keyspace\r\ndb0:keys=3,expires=0\r\n",
        );
        assert_eq!(r.redis_version.as_deref(), Some("7.0.15"));
        assert_eq!(r.uptime_in_seconds, Some(42));
        assert_eq!(r.keyspace, vec![("db0".to_owned(), "keys=3,expires=0".to_owned())]);
    }
}
