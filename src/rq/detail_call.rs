//! Decoding of a job's `data` field into the call it describes (function, instance, args, kwargs).

use crate::rq::decode::{self, Decoded};
use crate::rq::detail::{Arg, VALUE_MAX};

/// The decoded call, or why it could not be decoded.
#[derive(Debug, Default)]
pub struct CallView {
    pub func_name: Option<String>,
    pub call: Option<String>,
    pub instance: Option<String>,
    pub args: Vec<Arg>,
    pub kwargs: Vec<Arg>,
    pub error: Option<Decoded>,
    pub serializer: &'static str,
}

/// Decode `data`; a missing field or undecodable bytes yield an error marker, never a panic.
pub fn decode_call(data: Option<&[u8]>) -> CallView {
    let Some(raw) = data else {
        return CallView {
            error: Some(Decoded::Undecodable {
                error: "the job hash has no data field".to_owned(),
                hex_preview: String::new(),
                len: 0,
            }),
            serializer: "unknown",
            ..Default::default()
        };
    };
    match decode::decode_job_data(raw) {
        Ok(c) => CallView {
            func_name: c.func_name.clone(),
            call: Some(c.call_string(VALUE_MAX)),
            instance: c.instance.as_ref().map(|i| i.to_repr(VALUE_MAX)),
            args: c
                .args
                .iter()
                .map(|a| Arg { name: None, repr: a.to_repr(VALUE_MAX), value: a.to_json() })
                .collect(),
            kwargs: c
                .kwargs
                .iter()
                .map(|(k, v)| Arg { name: Some(k.clone()), repr: v.to_repr(VALUE_MAX), value: v.to_json() })
                .collect(),
            error: None,
            serializer: match c.serializer {
                decode::Serializer::Pickle => "pickle",
                decode::Serializer::Json => "json",
            },
        },
        Err(d) => CallView { error: Some(d), serializer: "unknown", ..Default::default() },
    }
}
