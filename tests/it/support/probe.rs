//! Probes of what a test's Redis went through: a digest of the whole dataset, the commands run.

use std::collections::BTreeSet;

/// Commands a read may use: anything else in INFO commandstats after a read fails its test.
pub const READ_COMMANDS: &[&str] = &[
    "smembers",
    "scard",
    "sismember",
    "exists",
    "llen",
    "zcard",
    "zcount",
    "eval",
    "lindex",
    "hget",
    "hexists",
    "lrange",
    "zrange",
    "zrevrange",
    "zrevrangebyscore",
    "zrevrank",
    "zscore",
    "scan",
    "dbsize",
    "hmget",
    "hstrlen",
    "xrevrange",
    "hgetall",
    "ttl",
    "get",
    "lpos",
    // doctor sizes what rqdash stores (the storage budget)
    "xlen",
    "memory|usage",
    // keys of the wrong type are named with TYPE (doctor's worker check always uses it)
    "type",
    "info",
    "ping",
    "multi",
    "exec",
    "client|setinfo",
    "client|setname",
    "hello",
    "select",
    "auth",
    // the test's own probes
    "debug|digest",
    "config|resetstat",
];

/// DEBUG DIGEST: changes whenever any key or value changes.
pub fn digest(con: &mut redis::Connection) -> String {
    redis::cmd("DEBUG").arg("DIGEST").query(con).expect("DEBUG DIGEST")
}

/// CONFIG RESETSTAT: start counting commands from zero.
pub fn reset(con: &mut redis::Connection) {
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(con).expect("RESETSTAT");
}

/// The commands the server ran since the last reset.
pub fn commands_used(con: &mut redis::Connection) -> BTreeSet<String> {
    let info: String = redis::cmd("INFO").arg("commandstats").query(con).expect("INFO commandstats");
    info.lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| l.split(':').next())
        .map(str::to_owned)
        .collect()
}

/// How many commands ran since the last reset, the test's own INFO/CONFIG excluded.
pub fn calls(con: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("commandstats").query(con).expect("INFO");
    info.lines()
        .filter(|l| {
            l.starts_with("cmdstat_") && !l.starts_with("cmdstat_info") && !l.starts_with("cmdstat_config")
        })
        .filter_map(|l| l.split("calls=").nth(1)?.split(',').next()?.parse::<u64>().ok())
        .sum()
}

/// How many times `command` ran since the last reset.
pub fn calls_of(con: &mut redis::Connection, command: &str) -> i64 {
    let stats: String = redis::cmd("INFO").arg("commandstats").query(con).expect("INFO");
    let prefix = format!("cmdstat_{command}:calls=");
    stats.lines().find_map(|l| l.strip_prefix(&prefix)?.split(',').next()?.parse().ok()).unwrap_or(0)
}

/// DEBUG DIGEST-VALUE of every key but the audit log's stream (`rqdash:audit`): RQ's data and
/// rqdash's others. An action a handler refuses (409) changes nothing, yet is recorded there.
pub fn digest_of_data(con: &mut redis::Connection) -> String {
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(con).expect("KEYS");
    keys.retain(|k| k != "rqdash:audit");
    keys.sort();
    if keys.is_empty() {
        return "empty".into();
    }
    let values: Vec<String> =
        redis::cmd("DEBUG").arg("DIGEST-VALUE").arg(&keys).query(con).expect("DIGEST-VALUE");
    format!("{keys:?} {values:?}")
}
