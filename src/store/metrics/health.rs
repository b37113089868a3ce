//! `rq_queue_health{instance,queue,severity}` (1 for the queue's verdict, 0 for the others, as
//! a Prometheus state set) and `rq_instance_health{instance,severity}` for the instance-wide
//! rules, written after the other families.

use std::fmt::Write;
use std::sync::Arc;

use crate::health::{Report, Severity};

/// Insert both families before `# EOF`.
pub fn append(body: &mut String, reports: &[Arc<Report>]) {
    let mut out = String::new();
    let q = "rq_queue_health";
    let _ = writeln!(
        out,
        "# HELP {q} Health verdict of the queue: 1 for its severity (ok, warning, critical), 0 for the others"
    );
    let _ = writeln!(out, "# TYPE {q} gauge");
    for r in reports {
        for h in &r.queues {
            for s in Severity::ALL {
                let v = u8::from(h.verdict == s);
                let _ = writeln!(
                    out,
                    "{q}{{instance=\"{}\",queue=\"{}\",severity=\"{}\"}} {v}",
                    r.instance,
                    escape(&h.queue),
                    s.as_str()
                );
            }
        }
    }
    let i = "rq_instance_health";
    let _ = writeln!(
        out,
        "# HELP {i} Instance-wide health verdict (Redis eviction policy, memory, stale workers)"
    );
    let _ = writeln!(out, "# TYPE {i} gauge");
    for r in reports {
        for s in Severity::ALL {
            let v = u8::from(r.instance_verdict == s);
            let _ = writeln!(out, "{i}{{instance=\"{}\",severity=\"{}\"}} {v}", r.instance, s.as_str());
        }
    }
    super::text::insert_before_eof(body, &out);
}

/// A label value as the exposition formats want it: `\`, `"` and newlines escaped.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
