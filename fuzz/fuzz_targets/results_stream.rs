//! Entries of an RQ 1.12+/2.x/3.0 results stream `rq:results:<id>` as XRANGE/XREVRANGE return
//! them: each decoded, shown in a view's budget, and the job view built over all of them.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use rqdash::rq::cap::Budget;
use rqdash::rq::detail::{DetailInput, JobDetail};
use rqdash::rq::result::{RawEntries, ResultData, ResultEntry};

#[global_allocator]
static ALLOC: common::Capped = common::Capped;

fuzz_target!(|data: &[u8]| {
    // A field with an empty name starts the next entry; its value is the entry id.
    let mut entries: RawEntries = Vec::new();
    for (name, value) in common::fields(data) {
        if name.is_empty() {
            entries.push((String::from_utf8_lossy(&value).into_owned(), Vec::new()));
        } else {
            if entries.is_empty() {
                entries.push(("1764720000000-0".to_owned(), Vec::new()));
            }
            if let Some((_, f)) = entries.last_mut() {
                f.push((name, value));
            }
        }
    }
    let mut b = Budget::default();
    for (i, (id, fields)) in entries.iter().enumerate() {
        let _ = ResultEntry::exc_text(fields);
        let d = ResultData::from_entry(id, fields);
        let _ = serde_json::to_string(&d.show(i, &mut b));
    }
    let fields = vec![("status".to_owned(), b"failed".to_vec())];
    let input =
        DetailInput { id: "fuzz".to_owned(), fields, key_ttl: -1, results: entries, ..Default::default() };
    let _ = serde_json::to_string(&JobDetail::build(input));
});
