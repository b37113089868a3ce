//! The search box's text: tokens, their rendering back to text (which must tokenize to the same
//! tokens), the parsed query, folding form controls in, and judging jobs against it.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use rqdash::store::search::matcher::{Facts, fields, id_matches, judge};
use rqdash::store::search::query::{MAX_QUERY_BYTES, Query, merge, render, tokens};

#[global_allocator]
static ALLOC: common::Capped = common::Capped;

fn facts() -> Vec<Facts> {
    let names = ["status", "origin", "description", "worker_name", "ended_at", "created_at"];
    let values = [
        Some(b"failed".to_vec()),
        Some(b"default".to_vec()),
        Some(b"tasks.send_email('a@b.c', n=2)".to_vec()),
        Some(b"w1".to_vec()),
        Some(b"2026-11-20T10:00:00.000000Z".to_vec()),
        Some(b"2026-11-19T10:00:00Z".to_vec()),
    ];
    let mut failed = Facts::from_hash(&names, &values);
    failed.traceback = Some(Some("Traceback (most recent call last):\nTimeoutError: 30s\n".to_owned()));
    failed.history = Some(vec![None, Some("ValueError: échec ✓".to_owned())]);
    let mut unread = Facts::from_hash(&names[..2], &values[..2]);
    unread.data_func = Some(None);
    vec![Facts::default(), failed, unread]
}

fuzz_target!(|data: &[u8]| {
    let q = String::from_utf8_lossy(data);
    let now = Timestamp::from_second(1_795_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
    let parsed = Query::parse(&q, now);
    if let Ok(toks) = tokens(&q) {
        let text = render(&toks);
        let again = tokens(&text);
        assert_eq!(again.as_ref().ok(), Some(&toks), "render({q:?}) = {text:?} tokenizes differently");
        if q.len() <= MAX_QUERY_BYTES && text.len() <= MAX_QUERY_BYTES {
            assert_eq!(Query::parse(&text, now).is_ok(), parsed.is_ok(), "{q:?} vs its rendering {text:?}");
        }
    }
    if let Ok(query) = &parsed {
        let _ = fields(query, true);
        let _ = fields(query, false);
        let _ = query.looks_in();
        let _ = id_matches(query, "job-1");
        for f in facts() {
            let _ = judge(query, &f);
        }
    }
    let _ = merge(&q, &[("state", "failed"), ("queue", "with space"), ("exc", "a\"b\\")]);
});
