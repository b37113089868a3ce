//! The full job view: every hash field decoded, results history, relations, raw bytes shown safely.

use serde::Serialize;

use crate::rq::decode::{self, Decoded};
use crate::rq::job::{exc_summary, func_name_from_description};
use crate::rq::result::ResultEntry;
use crate::rq::time;

/// Longest rendering of one argument, meta or result value kept in the detail (the rest is elided).
pub const VALUE_MAX: usize = 4 * 1024 * 1024;
/// Longest raw field shown as text in the raw-hash view.
pub const RAW_TEXT_MAX: usize = 4096;

/// A job related by dependency, with its status (or `missing`).
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub id: String,
    pub status: Option<String>,
    pub missing: bool,
}

/// One decoded argument.
#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    /// Keyword name; None for positional arguments.
    pub name: Option<String>,
    pub repr: String,
    pub value: serde_json::Value,
}

/// One raw hash field, shown without trusting its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct RawField {
    pub name: String,
    pub len: usize,
    /// The value as text when it is valid UTF-8 (capped); None for binary data.
    pub text: Option<String>,
    pub hex_preview: String,
}

/// Everything read from Redis about one job, before decoding.
#[derive(Debug, Default)]
pub struct DetailInput {
    pub id: String,
    pub fields: Vec<(String, Vec<u8>)>,
    pub key_ttl: i64,
    pub results: crate::rq::result::RawEntries,
    pub dependencies: Vec<Related>,
    pub dependents: Vec<Related>,
    pub position: Option<i64>,
    pub executions: Vec<(String, Option<f64>)>,
    pub corrupt: Vec<super::key_type::WrongType>,
}

/// A running execution of the job (2.x+).
#[derive(Debug, Clone, Serialize)]
pub struct ExecutionRef {
    pub id: String,
    pub expires_at: Option<String>,
}

/// Callback configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Callback {
    pub kind: &'static str,
    pub name: String,
    pub timeout: Option<i64>,
}

/// The job detail served by `/api/v1/jobs/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct JobDetail {
    pub id: String,
    /// The hash exists but has no `data`: RQ itself cannot load this job.
    pub missing: bool,
    pub status: Option<String>,
    pub origin: Option<String>,
    pub description: Option<String>,
    pub func_name: Option<String>,
    /// `module.func(args, kw=...)`, rendered from the decoded `data`.
    pub call: Option<String>,
    pub instance: Option<String>,
    pub args: Vec<Arg>,
    pub kwargs: Vec<Arg>,
    /// Set when `data` could not be decoded (shown with a hex preview), or is absent.
    pub data_error: Option<Decoded>,
    pub serializer: &'static str,
    pub created_at: Option<String>,
    pub enqueued_at: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub last_heartbeat: Option<String>,
    pub duration_seconds: Option<f64>,
    pub worker_name: Option<String>,
    pub timeout: Option<i64>,
    pub result_ttl: Option<i64>,
    pub failure_ttl: Option<i64>,
    pub ttl: Option<i64>,
    /// TTL of the job key in seconds; -1 means it never expires.
    pub key_ttl: i64,
    pub meta: Option<Decoded>,
    /// Latest traceback: newest failed result, else the hash's `exc_info`.
    pub exc_info: Option<String>,
    pub exc_summary: Option<String>,
    /// Latest return value: newest successful result, else the legacy hash field `result`.
    pub result: Option<Decoded>,
    /// Newest first (RQ keeps about ten).
    pub results: Vec<ResultEntry>,
    pub results_source: &'static str,
    pub retries_left: Option<i64>,
    pub retry_intervals: Option<serde_json::Value>,
    pub number_of_retries: Option<i64>,
    pub repeats_left: Option<i64>,
    pub repeat_intervals: Option<serde_json::Value>,
    pub dependency_ids: Vec<String>,
    pub dependencies: Vec<Related>,
    pub dependents: Vec<Related>,
    pub allow_dependency_failures: Option<bool>,
    pub enqueue_at_front: Option<bool>,
    pub group_id: Option<String>,
    pub callbacks: Vec<Callback>,
    pub webhooks: Option<serde_json::Value>,
    pub rate_limit_key: Option<String>,
    /// 0-based index in the origin queue for queued jobs.
    pub position: Option<i64>,
    pub executions: Vec<ExecutionRef>,
    pub raw: Vec<RawField>,
    /// Its keys (hash, results, dependents, dependencies, executions, origin queue) holding
    /// another type than RQ keeps there: read as empty.
    pub corrupt: Vec<super::key_type::WrongType>,
}

pub(crate) struct Fields<'a>(pub &'a [(String, Vec<u8>)]);

impl Fields<'_> {
    fn raw(&self, k: &str) -> Option<&[u8]> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_slice())
    }
    fn text(&self, k: &str) -> Option<String> {
        self.raw(k).map(|v| String::from_utf8_lossy(v).into_owned()).filter(|s| !s.is_empty())
    }
    fn int(&self, k: &str) -> Option<i64> {
        self.text(k).and_then(|s| s.trim().parse().ok())
    }
    fn ts(&self, k: &str) -> Option<String> {
        self.text(k).and_then(|s| time::normalize(&s))
    }
    fn json(&self, k: &str) -> Option<serde_json::Value> {
        self.raw(k).and_then(|v| serde_json::from_slice(v).ok())
    }
}

fn raw_view(fields: &[(String, Vec<u8>)]) -> Vec<RawField> {
    fields
        .iter()
        .map(|(name, v)| {
            let text = std::str::from_utf8(v)
                .ok()
                .filter(|s| !s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
                .map(|s| crate::rq::job::truncate(s, RAW_TEXT_MAX));
            RawField { name: name.clone(), len: v.len(), text, hex_preview: decode::hex_preview(v, 48) }
        })
        .collect()
}

impl JobDetail {
    /// Decode everything; CPU-heavy for big payloads, so callers run it off the async threads.
    pub fn build(input: DetailInput) -> Self {
        let f = Fields(&input.fields);
        let results: Vec<ResultEntry> =
            input.results.iter().map(|(id, fl)| ResultEntry::from_entry(id, fl, true)).collect();
        let call = super::detail_call::decode_call(f.raw("data"));
        // RQ's `job.exc_info`: the newest result's exception when that result is a failure,
        // else the hash field (which a requeue blanks): an old failure stays in the timeline.
        let latest_exc = results.first().and_then(|r| r.exc_string.clone());
        let hash_exc =
            f.raw("exc_info").map(|v| decode::decode_text(v, true)).filter(|s| !s.trim().is_empty());
        let exc_info = latest_exc.or(hash_exc);
        let result = results
            .iter()
            .find(|r| r.kind == Some(1))
            .and_then(|r| r.return_value.clone())
            .or_else(|| f.raw("result").map(|v| decode::decode_payload(v, false)));
        let description = f.text("description");
        let (started, ended) = (f.ts("started_at"), f.ts("ended_at"));
        let duration_seconds =
            match (started.as_deref().and_then(time::parse), ended.as_deref().and_then(time::parse)) {
                (Some(a), Some(b)) if b >= a => Some(b.duration_since(a).as_secs_f64()),
                _ => None,
            };
        let callbacks = ["success", "failure", "stopped"]
            .into_iter()
            .filter_map(|kind| {
                let name = f.text(&format!("{kind}_callback_name"))?;
                Some(Callback { kind, name, timeout: f.int(&format!("{kind}_callback_timeout")) })
            })
            .collect();
        let dependency_ids = f
            .json("dependency_ids")
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .or_else(|| f.text("dependency_id").map(|d| vec![d]))
            .unwrap_or_default();
        Self {
            id: input.id.clone(),
            missing: f.raw("data").is_none(),
            status: f.text("status"),
            origin: f.text("origin"),
            func_name: call
                .func_name
                .clone()
                .or_else(|| description.as_deref().and_then(func_name_from_description)),
            description,
            call: call.call,
            instance: call.instance,
            args: call.args,
            kwargs: call.kwargs,
            data_error: call.error,
            serializer: call.serializer,
            created_at: f.ts("created_at"),
            enqueued_at: f.ts("enqueued_at"),
            started_at: started,
            ended_at: ended,
            last_heartbeat: f.ts("last_heartbeat"),
            duration_seconds,
            worker_name: f.text("worker_name"),
            timeout: f.int("timeout"),
            result_ttl: f.int("result_ttl"),
            failure_ttl: f.int("failure_ttl"),
            ttl: f.int("ttl"),
            key_ttl: input.key_ttl,
            meta: f.raw("meta").map(|v| decode::decode_payload(v, false)),
            exc_summary: exc_info.as_deref().and_then(exc_summary),
            exc_info,
            result,
            results_source: if !results.is_empty() {
                "stream"
            } else if f.raw("result").is_some() || f.raw("exc_info").is_some() {
                "hash"
            } else {
                "none"
            },
            results,
            retries_left: f.int("retries_left"),
            retry_intervals: f.json("retry_intervals"),
            number_of_retries: f.int("number_of_retries"),
            repeats_left: f.int("repeats_left"),
            repeat_intervals: f.json("repeat_intervals"),
            dependency_ids,
            dependencies: input.dependencies,
            dependents: input.dependents,
            allow_dependency_failures: f.int("allow_dependency_failures").map(|v| v != 0),
            enqueue_at_front: f.int("enqueue_at_front").map(|v| v != 0),
            group_id: f.text("group_id"),
            callbacks,
            webhooks: f.json("webhooks"),
            rate_limit_key: f.text("rate_limit_key"),
            position: input.position,
            executions: input
                .executions
                .iter()
                .map(|(id, s)| ExecutionRef { id: id.clone(), expires_at: s.and_then(time::from_epoch) })
                .collect(),
            raw: raw_view(&input.fields),
            corrupt: input.corrupt,
        }
    }
}
