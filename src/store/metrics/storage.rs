//! `rqdash_storage_*`: what rqdash stores in each Redis and its budget, from the figure the
//! sampler stored ([`crate::store::budget::state`]), written after the other families.

use std::fmt::Write;

use crate::store::budget::state::Status;

/// `rqdash_storage_bytes{instance,kind}`, `rqdash_storage_budget_bytes{instance}` and
/// `rqdash_storage_degradation_level{instance}`, inserted before `# EOF`.
pub fn append(body: &mut String, statuses: &[(usize, Status)]) {
    if statuses.is_empty() {
        return;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP rqdash_storage_bytes Bytes rqdash stores in this Redis, per kind (sampled MEMORY USAGE)"
    );
    let _ = writeln!(out, "# TYPE rqdash_storage_bytes gauge");
    for (i, s) in statuses {
        for (kind, b) in s.usage.kinds() {
            let _ = writeln!(out, "rqdash_storage_bytes{{instance=\"{i}\",kind=\"{kind}\"}} {b}");
        }
    }
    let _ = writeln!(
        out,
        "# HELP rqdash_storage_budget_bytes The budget of what rqdash stores (--storage-max-memory)"
    );
    let _ = writeln!(out, "# TYPE rqdash_storage_budget_bytes gauge");
    for (i, max) in statuses.iter().filter_map(|(i, s)| Some((i, s.budget?))) {
        let _ = writeln!(out, "rqdash_storage_budget_bytes{{instance=\"{i}\"}} {max}");
    }
    let _ = writeln!(
        out,
        "# HELP rqdash_storage_degradation_level 0 normal, 1 archive trimmed, 2 per-minute tier shortened, 3 folded, 4 writes skipped"
    );
    let _ = writeln!(out, "# TYPE rqdash_storage_degradation_level gauge");
    for (i, s) in statuses {
        let _ = writeln!(out, "rqdash_storage_degradation_level{{instance=\"{i}\"}} {}", s.level.number());
    }
    super::text::insert_before_eof(body, &out);
}
