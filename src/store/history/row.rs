//! One bucket as stored: a short comma-separated row, an empty field meaning "not known".
//!
//! Minute rows: `queued,started,failed,finished,failed_ended,oldest_age`. Hour rows (written by
//! `lua/history_record.lua` from the minute rows) add `,finished_minutes,failed_minutes`: the
//! gauges are the hour's maximum, the throughput the hour's sum over that many minutes.

/// A decoded bucket. Everything is optional: a minute recounted after an outage has throughput
/// but no gauges, a saturated registry may leave throughput unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Row {
    /// Length of the queue list.
    pub queued: Option<i64>,
    /// Size of the started (`wip`) registry.
    pub started: Option<i64>,
    /// Size of the failed registry.
    pub failed: Option<i64>,
    /// Jobs whose `ended_at` falls in the bucket, from the finished registry.
    pub finished: Option<i64>,
    /// Same from the failed registry.
    pub failed_ended: Option<i64>,
    /// Age in seconds of the job at the head of the queue (none when it is empty).
    pub oldest_age: Option<i64>,
    /// Hour rows: minutes the `finished` sum covers.
    pub finished_minutes: Option<i64>,
    /// Hour rows: minutes the `failed_ended` sum covers.
    pub failed_minutes: Option<i64>,
}

/// Longest row we accept from Redis: eight 20-digit numbers and their commas.
const MAX_LEN: usize = 8 * 21;

impl Row {
    /// Parse a stored row; None when it is too long to be ours. Unparseable fields read as unknown.
    pub fn parse(raw: &str) -> Option<Row> {
        if raw.len() > MAX_LEN {
            return None;
        }
        let mut f = raw.split(',').map(|s| s.trim().parse::<i64>().ok().filter(|n| *n >= 0));
        let mut next = || f.next().flatten();
        Some(Row {
            queued: next(),
            started: next(),
            failed: next(),
            finished: next(),
            failed_ended: next(),
            oldest_age: next(),
            finished_minutes: next(),
            failed_minutes: next(),
        })
    }

    /// Finished jobs per minute: the count of a minute row, the average of an hour row.
    pub fn finished_per_min(&self) -> Option<f64> {
        per_min(self.finished, self.finished_minutes)
    }

    /// Failed jobs per minute, like [`Row::finished_per_min`].
    pub fn failed_per_min(&self) -> Option<f64> {
        per_min(self.failed_ended, self.failed_minutes)
    }
}

fn per_min(sum: Option<i64>, minutes: Option<i64>) -> Option<f64> {
    match (sum, minutes) {
        (Some(s), None) => Some(s as f64),
        (Some(s), Some(m)) if m > 0 => Some(s as f64 / m as f64),
        _ => None,
    }
}

/// The gauges argument of the record script: `queued,started,failed,oldest_age`.
pub fn gauges(queued: i64, started: i64, failed: i64, oldest_age: Option<i64>) -> String {
    let age = oldest_age.map(|a| a.to_string()).unwrap_or_default();
    format!("{queued},{started},{failed},{age}")
}

/// The throughput argument of the record script: `finished,failed`, empty where unknown.
pub fn throughput(finished: Option<u64>, failed: Option<u64>) -> String {
    let s = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    format!("{},{}", s(finished), s(failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_row_reads_its_counts_as_per_minute_rates() {
        let r = Row::parse("5,1,7,12,2,30").expect("row");
        assert_eq!((r.queued, r.oldest_age), (Some(5), Some(30)));
        assert_eq!(r.finished_per_min(), Some(12.0));
        assert_eq!(r.failed_per_min(), Some(2.0));
    }

    #[test]
    fn an_hour_row_divides_its_sums_by_the_minutes_they_cover() {
        let r = Row::parse("9,2,7,120,3,600,60,30").expect("row");
        assert_eq!(r.finished_per_min(), Some(2.0));
        assert_eq!(r.failed_per_min(), Some(0.1));
    }

    #[test]
    fn empty_and_foreign_fields_read_as_unknown() {
        let r = Row::parse(",,x,,-3,").expect("row");
        assert_eq!(r, Row::default());
        assert_eq!(Row::parse(&"1".repeat(500)), None);
    }

    #[test]
    fn script_arguments_leave_unknowns_empty() {
        assert_eq!(gauges(1, 2, 3, None), "1,2,3,");
        assert_eq!(throughput(Some(4), None), "4,");
    }
}
