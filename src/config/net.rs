//! Flags of the HTTP listener that defend it on a hostile network: which `Host` names it answers
//! (DNS rebinding), how many connections and live streams it holds, and how long a slow or idle
//! client may keep a connection.

use std::time::Duration;

use clap::Args;

/// Connection limits and allowed host names of `serve`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Dashboard (serve)")]
pub struct NetArgs {
    /// Host name (repeatable) that requests may name in `Host`, besides loopback names and the
    /// bind address: the name browsers use to reach rqdash, e.g. a reverse proxy's. `.example.com`
    /// or `*.example.com` also allows every subdomain; `*` turns the check off (unsafe: exposes
    /// rqdash to DNS rebinding). The env var takes a comma-separated list.
    #[arg(
        long = "allowed-host",
        env = "RQDASH_ALLOWED_HOSTS",
        value_delimiter = ',',
        global = true,
        value_name = "HOST"
    )]
    pub allowed_host: Vec<String>,

    /// Connections held at once; past it an idle or half-sent connection is closed to make room,
    /// or the newcomer gets a 503. Lowered to fit the open-file limit (`ulimit -n`).
    #[arg(long, env = "RQDASH_MAX_CONNECTIONS", default_value_t = 512, global = true,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Live-update streams (open pages, task progress) one client address may hold; 0 = no limit.
    /// Behind a reverse proxy every user shares the proxy's address: raise it there.
    #[arg(long, env = "RQDASH_MAX_STREAMS_PER_CLIENT", default_value_t = 16, global = true)]
    pub max_streams_per_client: u32,

    /// Requests answered at once (pages, APIs, actions); more wait their turn, none is refused.
    /// Bounds the memory answers take. Default: twice the CPU cores, between 2 and 16.
    #[arg(long, env = "RQDASH_MAX_RENDERS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub max_renders: Option<u32>,

    /// Time a client has to send a request's headers, from their first byte ("10s", "500ms").
    #[arg(long, env = "RQDASH_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_timeout,
          global = true)]
    pub header_timeout: Duration,

    /// A connection with no request running and nothing sent either way for this long is closed
    /// ("60s", "2m").
    #[arg(long, env = "RQDASH_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_timeout,
          global = true)]
    pub idle_timeout: Duration,
}

/// "10s", "500ms" or "2m", between 100 ms and 1 h; a bare number is refused (seconds or
/// milliseconds? the poll interval's bare number means milliseconds, as in rq-dashboard).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(v) = t.strip_suffix("ms") {
        (v, 0.001)
    } else if let Some(v) = t.strip_suffix('s') {
        (v, 1.0)
    } else if let Some(v) = t.strip_suffix('m') {
        (v, 60.0)
    } else {
        return Err(format!("give a unit: {s:?} is not a duration (try 10s, 500ms or 2m)"));
    };
    let secs = num.trim().parse::<f64>().map_err(|_| format!("not a duration: {s:?} (try 10s)"))? * scale;
    if !(0.1..=3600.0).contains(&secs) {
        return Err(format!("must be between 100ms and 1h, got {s:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_need_a_unit_and_a_sane_range() {
        assert_eq!(parse_timeout("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_timeout("10").is_err());
        assert!(parse_timeout("1ms").is_err());
        assert!(parse_timeout("2h").is_err());
    }
}
