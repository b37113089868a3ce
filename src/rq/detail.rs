//! The job view: every hash field decoded, results history, relations, raw bytes shown safely;
//! every value cut to the view's budget ([`cap`](crate::rq::cap)), each cut listed in `cut`.

use serde::Serialize;

use crate::rq::cap::{self, Budget, Cut, ITEMS_MAX, RELATED_MAX};
use crate::rq::decode;
pub(crate) use crate::rq::detail_parts::Fields;
pub use crate::rq::detail_parts::{DetailInput, RawField};
use crate::rq::detail_parts::{latest_exc, raw_view, small_json};
use crate::rq::job::{exc_summary, func_name_from_description};
use crate::rq::result::{ResultData, ResultEntry};
use crate::rq::shown::Shown;
use crate::rq::time;

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
    pub data_error: Option<Shown>,
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
    pub meta: Option<Shown>,
    /// Latest traceback: newest failed result, else the hash's `exc_info`.
    pub exc_info: Option<String>,
    pub exc_summary: Option<String>,
    /// Latest return value: newest successful result, else the legacy hash field `result`.
    pub result: Option<Shown>,
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
    /// The first [`ITEMS_MAX`] fields of the hash.
    pub raw: Vec<RawField>,
    /// Its keys (hash, results, dependents, dependencies, executions, origin queue) holding
    /// another type than RQ keeps there: read as empty.
    pub corrupt: Vec<super::key_type::WrongType>,
    /// Every value shown cut, with its full size and the `item` serving all of it.
    pub cut: Vec<Cut>,
    /// Some value is hidden by `--redact` (the page offers admins a reveal).
    pub redacted: bool,
}

impl JobDetail {
    /// Decode everything and cut it to one view's budget; CPU-heavy for big payloads, so
    /// callers run it off the async threads.
    pub fn build(input: DetailInput) -> Self {
        let mut b = Budget::default();
        let b = &mut b;
        let f = Fields(&input.fields);
        let data: Vec<ResultData> =
            input.results.iter().map(|(id, fl)| ResultData::from_entry(id, fl)).collect();
        let full_description = f.text("description");
        let description =
            full_description.as_deref().map(|d| b.text("description", Some("description"), d, None));
        let exc = latest_exc(&data, &f);
        let exc_summary = exc.as_ref().and_then(|t| {
            let partial = t.at_least || t.len > t.text.len();
            if partial { Some("… (truncated)".to_owned()) } else { exc_summary(&t.text) }
        });
        let exc_info = exc.map(|t| b.text("exc_info", Some("exc"), &t.text, Some((t.len, t.at_least))));
        let call = super::detail_call::decode_call(f.raw("data"), b);
        let result = match data.iter().find(|r| r.entry.kind == Some(1)).and_then(|r| r.return_value.as_ref())
        {
            Some((d, len)) => Some(Shown::decoded(d, *len, "result", Some("result"), b)),
            None => f.raw("result").map(|v| {
                Shown::decoded(&decode::decode_payload(v, false), v.len(), "result", Some("result"), b)
            }),
        };
        let meta = f
            .raw("meta")
            .map(|v| Shown::decoded(&decode::decode_payload(v, false), v.len(), "meta", Some("meta"), b));
        let results: Vec<ResultEntry> = data.iter().enumerate().map(|(i, r)| r.show(i, b)).collect();
        let (started, ended) = (f.ts("started_at"), f.ts("ended_at"));
        let duration_seconds =
            match (started.as_deref().and_then(time::parse), ended.as_deref().and_then(time::parse)) {
                (Some(a), Some(b)) if b >= a => Some(b.duration_since(a).as_secs_f64()),
                _ => None,
            };
        let callbacks = ["success", "failure", "stopped"]
            .into_iter()
            .filter_map(|kind| {
                let name = f.name(&format!("{kind}_callback_name"))?;
                Some(Callback { kind, name, timeout: f.int(&format!("{kind}_callback_timeout")) })
            })
            .collect();
        let dependency_ids = f
            .json("dependency_ids")
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .or_else(|| f.text("dependency_id").map(|d| vec![d]))
            .unwrap_or_default()
            .iter()
            .take(RELATED_MAX)
            .map(|d| cap::name(d))
            .collect();
        let related =
            |r: Vec<Related>| r.into_iter().map(|r| Related { id: cap::name(&r.id), ..r }).collect();
        let (retry_intervals, repeat_intervals, webhooks) = (
            small_json(&f, "retry_intervals", b),
            small_json(&f, "repeat_intervals", b),
            small_json(&f, "webhooks", b),
        );
        let raw = raw_view(&input.fields, b);
        let redacted = {
            let hidden = |s: &str| s.contains(crate::rq::redact::REDACTED);
            let shown = |v: &Option<Shown>| v.as_ref().is_some_and(|v| hidden(&v.repr));
            description.as_deref().is_some_and(hidden)
                || call.call.as_deref().is_some_and(hidden)
                || call.args.iter().chain(&call.kwargs).any(|a| hidden(&a.repr))
                || shown(&meta)
                || shown(&result)
                || raw.iter().any(|r| r.text.as_deref().is_some_and(hidden))
                || serde_json::to_string(&results).is_ok_and(|r| hidden(&r))
        };
        Self {
            redacted,
            id: input.id.clone(),
            missing: f.raw("data").is_none(),
            status: f.name("status"),
            origin: f.name("origin"),
            func_name: call.func_name.clone().or_else(|| {
                full_description.as_deref().and_then(func_name_from_description).map(|n| cap::name(&n))
            }),
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
            worker_name: f.name("worker_name"),
            timeout: f.int("timeout"),
            result_ttl: f.int("result_ttl"),
            failure_ttl: f.int("failure_ttl"),
            ttl: f.int("ttl"),
            key_ttl: input.key_ttl,
            meta,
            exc_summary,
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
            retry_intervals,
            number_of_retries: f.int("number_of_retries"),
            repeats_left: f.int("repeats_left"),
            repeat_intervals,
            dependency_ids,
            dependencies: related(input.dependencies),
            dependents: related(input.dependents),
            allow_dependency_failures: f.int("allow_dependency_failures").map(|v| v != 0),
            enqueue_at_front: f.int("enqueue_at_front").map(|v| v != 0),
            group_id: f.name("group_id"),
            callbacks,
            webhooks,
            rate_limit_key: f.name("rate_limit_key"),
            position: input.position,
            executions: input
                .executions
                .iter()
                .take(ITEMS_MAX)
                .map(|(id, s)| ExecutionRef { id: cap::name(id), expires_at: s.and_then(time::from_epoch) })
                .collect(),
            raw,
            cut: std::mem::take(&mut b.cuts),
            corrupt: input.corrupt,
        }
    }
}
