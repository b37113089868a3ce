//! The screen of `rqdash info`, line for line as `rq info` prints it: the queue block with its
//! bars, the worker block (per worker or per queue), the footer and warnings.

use super::Info;
use crate::cli::output::{Style, clean, pad};
use crate::config::InfoArgs;
use crate::rq::worker::Worker;

/// RQ's `get_scale`: the lowest of its scales at or above `x`.
fn scale(x: i64) -> i64 {
    [20, 50, 100, 200, 400, 600, 800, 1000].into_iter().find(|s| x <= *s).unwrap_or(x)
}

fn terminal_columns() -> i64 {
    std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).unwrap_or(80)
}

/// The queue block, line for line as `rq info` (1.14+) prints it.
pub fn queue_lines(info: &Info, raw: bool, style: Style, columns: i64) -> Vec<String> {
    let chart_width = 20.min(columns - 20).max(0);
    let max = info.queues.iter().map(|q| q.counts.queued).max().unwrap_or(0);
    let ratio = chart_width as f64 / scale(max).max(1) as f64;
    let mut out = Vec::new();
    for q in &info.queues {
        let c = &q.counts;
        let tail =
            format!("{}, {} executing, {} finished, {} failed", c.queued, c.started, c.finished, c.failed);
        if raw {
            out.push(format!("queue {} {tail}", clean(&q.name)));
        } else {
            let bar = format!("|{}", "█".repeat((ratio * c.queued as f64) as usize));
            out.push(format!("{} {} {tail}", pad(&clean(&q.name), 12), style.green(&bar)));
        }
    }
    if !raw {
        out.push(format!("{} queues, {} jobs total", info.queues.len(), info.totals.queued));
    }
    out
}

fn worker_name(w: &Worker) -> String {
    let or_q = |v: Option<String>| v.map_or_else(|| "?".to_owned(), |s| clean(&s));
    format!(
        "{} ({} {} {})",
        clean(&w.name),
        or_q(w.hostname.clone()),
        or_q(w.ip_address.clone()),
        or_q(w.pid.map(|p| p.to_string()))
    )
}

/// The worker block, per worker or (`by_queue`) per queue.
pub fn worker_lines(info: &Info, raw: bool, by_queue: bool, style: Style) -> Vec<String> {
    let mut out = Vec::new();
    if by_queue {
        let longest = info.queues.iter().map(|q| clean(&q.name).chars().count()).max().unwrap_or(0);
        for q in &info.queues {
            let mut names: Vec<String> = info
                .workers
                .iter()
                .filter(|w| w.queues.contains(&q.name))
                .map(|w| format!("{} ({})", clean(&w.name), style.worker_state(&w.state)))
                .collect();
            names.sort();
            let list = if names.is_empty() { "–".to_owned() } else { names.join(", ") };
            out.push(format!("{} {list}", pad(&format!("{}:", clean(&q.name)), longest + 1)));
        }
    } else {
        for w in &info.workers {
            let queues = clean(&w.queues.join(", "));
            let jobs = format!("jobs: {} finished, {} failed", w.successful_job_count, w.failed_job_count);
            if raw {
                out.push(format!("worker {} {} {queues}. {jobs}", worker_name(w), clean(&w.state)));
            } else {
                out.push(format!("{}: {} {queues}. {jobs}", worker_name(w), style.worker_state(&w.state)));
            }
        }
    }
    if !raw {
        out.push(format!("{} workers, {} queues", info.workers.len(), info.queues.len()));
    }
    out
}

/// Local time as Python's `datetime.now()` prints it.
fn now_local() -> String {
    crate::rq::time::format_in(jiff::Timestamp::now(), &jiff::tz::TimeZone::system(), ' ', "")
}

/// The whole screen for `a`'s options.
pub(super) fn screen(info: &Info, a: &InfoArgs, style: Style) -> String {
    let mut lines = Vec::new();
    if !a.only_workers {
        lines.extend(queue_lines(info, a.raw, style, terminal_columns()));
    }
    if !a.only_queues && !a.only_workers && !a.raw {
        lines.push(String::new());
    }
    if !a.only_queues {
        lines.extend(worker_lines(info, a.raw, a.by_queue, style));
    }
    if !a.only_queues && !a.only_workers && !a.raw {
        lines.push(String::new());
        let suspended = if info.suspended { style.yellow(" (workers suspended)") } else { String::new() };
        lines.push(format!("Updated: {}{suspended}", now_local()));
    }
    for w in info.corrupt.iter().filter(|_| !a.raw) {
        lines.push(style.yellow(&format!("warning: {} (read as empty)", w.message)));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::overview::{Counts, QueueInfo};

    fn queue(name: &str, queued: i64, started: i64) -> QueueInfo {
        let counts = Counts { queued, started, ..Counts::default() };
        let (oldest_enqueued_at, corrupt) = (None, Vec::new());
        QueueInfo { name: name.to_owned(), counts, workers: 0, oldest_enqueued_at, registered: true, corrupt }
    }

    #[test]
    fn queue_lines_match_rq_info() {
        let queues = vec![queue("low", 0, 1), queue("high", 25, 0), queue("default", 5, 0)];
        let mut totals = Counts::default();
        queues.iter().for_each(|q| totals.add(&q.counts));
        let info = Info { queues, totals, workers: Vec::new(), suspended: false, corrupt: Vec::new() };
        // RQ 2.12's own output for the same counts (rq-data-model.md §6).
        assert_eq!(
            queue_lines(&info, false, Style { color: false }, 80),
            vec![
                "low          | 0, 1 executing, 0 finished, 0 failed",
                "high         |██████████ 25, 0 executing, 0 finished, 0 failed",
                "default      |██ 5, 0 executing, 0 finished, 0 failed",
                "3 queues, 30 jobs total",
            ]
        );
        assert_eq!(
            queue_lines(&info, true, Style { color: false }, 80)[0],
            "queue low 0, 1 executing, 0 finished, 0 failed"
        );
    }

    #[test]
    fn scales_follow_rq() {
        assert_eq!(scale(0), 20);
        assert_eq!(scale(25), 50);
        assert_eq!(scale(5000), 5000);
    }
}
