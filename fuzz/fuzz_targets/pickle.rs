//! The pickle decoder on arbitrary bytes, then everything that renders its output, and the job
//! `data` path (zlib or raw, pickle or JSON, then the call's shape and its call string).
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use rqdash::rq::decode::decode_job_data;
use rqdash::rq::pickle::{Limits, decode};

#[global_allocator]
static ALLOC: common::Capped = common::Capped;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = decode(data, &Limits::default()) {
        let _ = v.to_repr(4096);
        let _ = v.to_repr_cut(100);
        let _ = v.to_json_cut(1000, 1000);
        let _ = v.to_json().to_string();
    }
    match decode_job_data(data) {
        Ok(call) => {
            let _ = call.call_string(2000);
            let _ = call.args_string(120);
            let _ = call.to_json(4096).to_string();
        }
        Err(d) => {
            let _ = d.to_repr_cut(4096);
            let _ = d.to_json(4096).to_string();
        }
    }
});
