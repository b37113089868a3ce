//! Decoding of a job's `data` field into the call it describes (function, instance, args, kwargs),
//! cut to the view's budget.

use crate::rq::cap::{self, Budget, ITEMS_MAX};
use crate::rq::decode::{self, Decoded};
use crate::rq::detail::Arg;
use crate::rq::shown::Shown;

/// Bytes rendered past the allowance, so that a cut can be told from a value that fits.
const SLACK: usize = 1024;

/// The decoded call, or why it could not be decoded.
#[derive(Debug, Default)]
pub struct CallView {
    pub func_name: Option<String>,
    pub call: Option<String>,
    pub instance: Option<String>,
    pub args: Vec<Arg>,
    pub kwargs: Vec<Arg>,
    pub error: Option<Shown>,
    pub serializer: &'static str,
}

/// Decode `data`; a missing field or undecodable bytes yield an error marker, never a panic.
pub fn decode_call(data: Option<&[u8]>, b: &mut Budget) -> CallView {
    let Some(raw) = data else {
        let missing = Decoded::Undecodable {
            error: "the job hash has no data field".to_owned(),
            hex_preview: String::new(),
            len: 0,
        };
        return CallView {
            error: Some(Shown::decoded(&missing, 0, "data", None, b)),
            serializer: "unknown",
            ..Default::default()
        };
    };
    let stored = raw.len();
    let c = match decode::decode_job_data(raw) {
        Ok(c) => c,
        Err(d) => {
            let error = Some(Shown::decoded(&d, stored, "data", Some("raw:data"), b));
            return CallView { error, serializer: "unknown", ..Default::default() };
        }
    };
    let call = b.take("call", Some("call"), &c.call_string(b.allowance() + SLACK), stored);
    let instance = c
        .instance
        .as_ref()
        .map(|i| b.take("instance", Some("instance"), &i.to_repr(b.allowance() + SLACK), stored));
    let arg = |b: &mut Budget, name: Option<String>, field: String, item: String, v| {
        let s = Shown::py(v, stored, &field, Some(&item), b);
        Arg { name, repr: s.repr, value: s.value }
    };
    let args = c
        .args
        .iter()
        .take(ITEMS_MAX)
        .enumerate()
        .map(|(i, v)| arg(b, None, format!("args[{i}]"), format!("arg:{i}"), v))
        .collect();
    if c.args.len() > ITEMS_MAX {
        b.cut("args", None, c.args.len(), false);
    }
    let kwargs = c
        .kwargs
        .iter()
        .take(ITEMS_MAX)
        .map(|(k, v)| {
            let k = cap::name(k);
            arg(b, Some(k.clone()), format!("kwargs.{k}"), format!("kwarg:{k}"), v)
        })
        .collect();
    if c.kwargs.len() > ITEMS_MAX {
        b.cut("kwargs", None, c.kwargs.len(), false);
    }
    CallView {
        func_name: c.func_name.as_deref().map(cap::name),
        call: Some(call),
        instance,
        args,
        kwargs,
        error: None,
        serializer: match c.serializer {
            decode::Serializer::Pickle => "pickle",
            decode::Serializer::Json => "json",
        },
    }
}
