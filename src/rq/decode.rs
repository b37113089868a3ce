//! TEMPORARY STUB (replaced by the real decoder).
use serde::Serialize;
use crate::rq::pickle::PyValue;
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum Decoded { Text { repr: String }, Undecodable { error: String, hex_preview: String, len: usize } }
impl Decoded { pub fn to_repr(&self, _m: usize) -> String { String::new() } }
pub fn decode_payload(_raw: &[u8], _c: bool) -> Decoded { Decoded::Text { repr: String::new() } }
pub fn decode_text(raw: &[u8], _c: bool) -> String { String::from_utf8_lossy(raw).into_owned() }
pub fn hex_preview(b: &[u8], n: usize) -> String { b.iter().take(n).map(|x| format!("{x:02x}")).collect() }
pub struct JobCall { pub func_name: Option<String>, pub instance: Option<PyValue>, pub args: Vec<PyValue>, pub kwargs: Vec<(String, PyValue)> }
impl JobCall { pub fn call_string(&self, _m: usize) -> String { String::new() } }
pub fn decode_job_data(_raw: &[u8]) -> Result<JobCall, Decoded> { Err(Decoded::Text{repr:String::new()}) }
