//! A job hash as HGETALL/HMGET return it, through every reader of job hashes: the list row
//! (with its call), the search facts, the job view and its "show all" items.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use rqdash::rq::State;
use rqdash::rq::detail::{DetailInput, JobDetail};
use rqdash::rq::detail_full::full_item;
use rqdash::rq::job::{JobRow, LIST_FIELDS};
use rqdash::store::search::matcher::Facts;

#[global_allocator]
static ALLOC: common::Capped = common::Capped;

const FACT_FIELDS: [&str; 9] = [
    "status",
    "origin",
    "description",
    "worker_name",
    "meta",
    "ended_at",
    "started_at",
    "enqueued_at",
    "created_at",
];

fuzz_target!(|data: &[u8]| {
    let fields = common::fields(data);
    let values: Vec<Option<Vec<u8>>> = LIST_FIELDS.iter().map(|n| common::get(&fields, n)).collect();
    let job_data = common::get(&fields, "data");
    let data_len = job_data.as_ref().map_or(0, |d| d.len() as i64);
    for state in [State::Started, State::Failed] {
        let mut row = JobRow::from_fields(
            "id:0123456789abcdef0123456789abcdef",
            state,
            Some(1e9),
            &values,
            data_len,
            None,
        );
        row.set_call(job_data.as_deref(), data_len);
    }
    let fact_values: Vec<Option<Vec<u8>>> = FACT_FIELDS.iter().map(|n| common::get(&fields, n)).collect();
    let _ = Facts::from_hash(&FACT_FIELDS, &fact_values);

    let input = DetailInput { id: "fuzz".to_owned(), fields, key_ttl: -1, ..Default::default() };
    for item in ["description", "call", "instance", "arg:0", "kwarg:a", "meta", "result", "exc", "raw:data"] {
        let _ = full_item(&input, item);
    }
    let detail = JobDetail::build(input);
    let _ = serde_json::to_string(&detail);
});
