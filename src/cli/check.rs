//! `rqdash check`: the health verdicts of one instance as a Nagios plugin answers: a one-line
//! summary (`RQ CRITICAL - ...`), a line per reason, exit 0 ok / 1 warning / 2 critical /
//! 3 unknown. Computed on demand (no server or sampler needed), read-only.

use std::process::ExitCode;

use serde_json::json;

use super::output::clean_text;
use crate::config::{CliArgs, RedisArgs, ServeArgs};
use crate::health::{Report, Severity};
use crate::store::history::Layout;
use crate::store::{Store, verdict};

/// Nagios' UNKNOWN: the check could not be made (Redis unreachable, bad configuration).
pub const EXIT_UNKNOWN: u8 = 3;

/// Judge `--instance` and print the verdict; the exit status is the verdict's.
pub async fn run(redis: &RedisArgs, serve: &ServeArgs, opts: &CliArgs) -> ExitCode {
    let report = match Store::from_args(redis) {
        Ok(store) => match store.instance(opts.instance) {
            Ok(inst) => {
                let layout = Layout::new(&serve.history_prefix);
                verdict::report(inst, &layout, &serve.health.settings()).await.map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    };
    match report {
        Ok(r) if opts.json => {
            let mut v = serde_json::to_value(&r).unwrap_or_default();
            v["status"] = json!(r.verdict.exit_code());
            println!("{v:#}");
            ExitCode::from(r.verdict.exit_code())
        }
        Ok(r) => {
            println!("{}", clean_text(&summary(&r)));
            for line in details(&r) {
                println!("{}", clean_text(&line));
            }
            ExitCode::from(r.verdict.exit_code())
        }
        Err(e) if opts.json => {
            println!("{:#}", json!({ "verdict": "unknown", "status": EXIT_UNKNOWN, "error": e }));
            ExitCode::from(EXIT_UNKNOWN)
        }
        Err(e) => {
            println!("RQ UNKNOWN - {}", clean_text(&e).replace('\n', " "));
            ExitCode::from(EXIT_UNKNOWN)
        }
    }
}

/// `RQ WARNING - 1 critical, 2 warning, 5 ok queues; first reason | critical=1 warning=2 ok=5`.
pub fn summary(r: &Report) -> String {
    let [ok, warn, crit] = r.counts();
    let worst = |x: &&crate::health::Reason| x.severity == r.verdict && x.severity > Severity::Ok;
    let first = match r.instance_reasons.iter().find(worst) {
        Some(x) => format!("; Redis: {}", x.text),
        None => r
            .queues
            .iter()
            .find_map(|q| q.reasons.iter().find(worst).map(|x| format!("; {}: {}", q.queue, x.text)))
            .unwrap_or_default(),
    };
    format!(
        "RQ {} - {crit} critical, {warn} warning, {ok} ok queues{first} | critical={crit} warning={warn} ok={ok}",
        r.verdict.upper()
    )
}

/// One line per reason, worst first.
pub fn details(r: &Report) -> Vec<String> {
    let mut lines: Vec<(Severity, String)> = r
        .instance_reasons
        .iter()
        .map(|x| (x.severity, format!("{} Redis: {}", x.severity.upper(), x.text)))
        .collect();
    for q in &r.queues {
        lines.extend(
            q.reasons
                .iter()
                .map(|x| (x.severity, format!("{} queue {}: {}", x.severity.upper(), q.queue, x.text))),
        );
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    lines.into_iter().map(|(_, l)| l).collect()
}
