//! All of one value of a job, for the "show all" links: that value alone is decoded, and at
//! most [`FULL_MAX`] bytes of it are kept.

use crate::rq::cap::FULL_MAX;
use crate::rq::decode::{self, Decoded, TextPrefix};
use crate::rq::detail::{DetailInput, Fields};
use crate::rq::result::{ResultData, ResultEntry};

/// One value in full, or its first [`FULL_MAX`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullItem {
    pub text: String,
    /// When `text` stops at [`FULL_MAX`]: the full size in bytes (for decoded values, the
    /// stored bytes), and whether that size is only a lower bound.
    pub cut: Option<(usize, bool)>,
}

impl FullItem {
    fn of_text(t: TextPrefix) -> Self {
        let cut = (t.at_least || t.len > t.text.len()).then_some((t.len, t.at_least));
        FullItem { text: t.text, cut }
    }

    fn of_decoded(d: &Decoded, stored: usize) -> Self {
        let (text, cut) = d.to_repr_cut(FULL_MAX);
        FullItem { text, cut: cut.then_some((stored, false)) }
    }

    fn of_bytes(v: &[u8]) -> Self {
        match std::str::from_utf8(v) {
            Ok(_) => Self::of_text(decode::text_prefix(v, false, FULL_MAX, FULL_MAX)),
            Err(_) => {
                let text = decode::hex_preview(v, FULL_MAX / 3);
                FullItem { cut: (v.len() > FULL_MAX / 3).then_some((v.len(), false)), text }
            }
        }
    }
}

/// `item` of the job: `description`, `call`, `instance`, `arg:0`, `kwarg:name`, `meta`,
/// `result` (the latest), `result:1`, `exc` (the latest), `exc:1`, `raw:<field>`.
pub fn full_item(input: &DetailInput, item: &str) -> Option<FullItem> {
    let f = Fields(&input.fields);
    let (kind, key) = item.split_once(':').unwrap_or((item, ""));
    let entry = |i: &str| input.results.get(i.parse::<usize>().ok()?);
    match kind {
        "description" => f.raw("description").map(FullItem::of_bytes),
        "raw" => f.raw(key).map(|v| {
            if crate::rq::redact::raw_hidden(key, v) {
                return FullItem { text: crate::rq::redact::REDACTED.to_owned(), cut: None };
            }
            FullItem::of_bytes(v)
        }),
        "call" | "instance" | "arg" | "kwarg" => {
            let data = f.raw("data")?;
            let c = decode::decode_job_data(data).ok()?;
            let v = match kind {
                "call" => {
                    let text = c.call_string(FULL_MAX);
                    let cut = (text.len() > FULL_MAX).then_some((data.len(), false));
                    return Some(FullItem { text, cut });
                }
                "instance" => c.instance?,
                "arg" => c.args.into_iter().nth(key.parse().ok()?)?,
                _ => c.kwargs.into_iter().find(|(k, _)| k == key)?.1,
            };
            Some(FullItem::of_decoded(&Decoded::Pickle(v), data.len()))
        }
        "meta" => f.raw("meta").map(|v| FullItem::of_decoded(&decode::decode_payload(v, false), v.len())),
        "result" if key.is_empty() => {
            let latest = input
                .results
                .iter()
                .map(|(id, fl)| ResultData::from_entry(id, fl))
                .find_map(|r| if r.entry.kind == Some(1) { r.return_value } else { None });
            match latest {
                Some((d, len)) => Some(FullItem::of_decoded(&d, len)),
                None => {
                    f.raw("result").map(|v| FullItem::of_decoded(&decode::decode_payload(v, false), v.len()))
                }
            }
        }
        "result" => {
            let (id, fl) = entry(key)?;
            let (d, len) = ResultData::from_entry(id, fl).return_value?;
            Some(FullItem::of_decoded(&d, len))
        }
        "exc" if key.is_empty() => {
            let stream =
                input.results.first().and_then(|(_, fl)| ResultEntry::exc_prefix(fl, FULL_MAX, FULL_MAX));
            let hash = || {
                f.raw("exc_info")
                    .map(|v| decode::text_prefix(v, true, FULL_MAX, FULL_MAX))
                    .filter(|t| !t.text.trim().is_empty())
            };
            stream.or_else(hash).map(FullItem::of_text)
        }
        "exc" => {
            let (_, fl) = entry(key)?;
            ResultEntry::exc_prefix(fl, FULL_MAX, FULL_MAX).map(FullItem::of_text)
        }
        _ => None,
    }
}
