//! Flags of the audit log: where it is kept and for how long (read by `serve`, by the CLI
//! commands that write, and by `rqdash audit`).

use std::time::Duration;

use clap::Args;

use crate::store::audit::{DEFAULT_MAX_ENTRIES, DEFAULT_PREFIX, Log};

/// Where the audit stream lives and how much of it is kept.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Audit log")]
pub struct AuditArgs {
    /// Key of the audit stream in each Redis (a stream under rqdash's prefix, never RQ's).
    #[arg(long, env = "RQDASH_AUDIT_PREFIX", default_value = DEFAULT_PREFIX, global = true)]
    pub audit_prefix: String,

    /// Entries kept (approximately: Redis trims whole stream nodes); older ones are dropped.
    #[arg(long, env = "RQDASH_AUDIT_MAX_ENTRIES", default_value_t = DEFAULT_MAX_ENTRIES, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub audit_max_entries: u64,

    /// Age kept: "90d", "12h", "30m" or "3600s"; older entries are dropped on the next write.
    #[arg(long, env = "RQDASH_AUDIT_MAX_AGE", default_value = "90d", value_parser = parse_age, global = true)]
    pub audit_max_age: Duration,
}

impl AuditArgs {
    /// The log these flags describe.
    pub fn log(&self) -> Log {
        Log::new(&self.audit_prefix, self.audit_max_entries, self.audit_max_age)
    }
}

/// A whole number of days, hours, minutes or seconds: "90d", "12h", "30m", "3600s".
pub fn parse_age(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let unit = match t.chars().last() {
        Some('d') => 86_400,
        Some('h') => 3_600,
        Some('m') => 60,
        Some('s') => 1,
        _ => return Err(format!("not an age: {s:?} (try 90d, 12h, 30m or 3600s)")),
    };
    let n: u64 = t[..t.len() - 1].trim().parse().map_err(|_| format!("not an age: {s:?} (try 90d)"))?;
    if n == 0 {
        return Err("the audit log's age must be at least 1s".into());
    }
    Ok(Duration::from_secs(n.saturating_mul(unit)))
}

#[cfg(test)]
mod tests {
    use super::parse_age;

    #[test]
    fn ages_take_days_hours_minutes_or_seconds() {
        assert_eq!(parse_age("90d").map(|d| d.as_secs()), Ok(90 * 86_400));
        assert_eq!(parse_age("12h").map(|d| d.as_secs()), Ok(43_200));
        assert_eq!(parse_age("3600s").map(|d| d.as_secs()), Ok(3_600));
        assert!(parse_age("0d").is_err() && parse_age("90").is_err() && parse_age("xd").is_err());
    }
}
