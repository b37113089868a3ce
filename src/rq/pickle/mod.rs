//! TEMPORARY STUB (replaced by the real decoder).
#[derive(Debug, Clone)]
pub enum PyValue { None }
impl PyValue { pub fn to_repr(&self, _m: usize) -> String { "None".into() } pub fn to_json(&self) -> serde_json::Value { serde_json::Value::Null } }
