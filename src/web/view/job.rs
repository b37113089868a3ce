//! The job page: the call, decoded values (cut at 64 KB by [`JobDetail`], each with a "show all
//! (N MB)" link to the full text), history, relations.

use askama::Template;
use askama_web::WebTemplate;

use super::job_actions::job_actions;
use super::job_values::{PRETTY_MAX, ShowAll, ValueView, pretty_json, value_view};
use super::worker_link::{WorkerLink, WorkerPages};
use super::{ActionButton, Chrome};
use crate::rq::cap::Budget;
use crate::rq::detail::{JobDetail, Related};
use crate::web::fmt::{self, Time, filters};

/// A results-history entry.
pub struct ResultView {
    pub kind: &'static str,
    pub label: String,
    pub at: Option<Time>,
    pub worker: Option<WorkerLink>,
    pub duration: String,
    pub value: Option<ValueView>,
    pub exc: Option<String>,
    pub exc_full: Option<ShowAll>,
}

/// A related job with its badge.
pub struct RelatedView {
    pub id: String,
    pub href: String,
    pub status: String,
    pub missing: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "job.html")]
pub struct JobPage {
    pub c: Chrome,
    /// The job's keys holding another type than RQ keeps there, one sentence each.
    pub corrupt: Vec<String>,
    pub id: String,
    pub status: String,
    pub missing: bool,
    pub call: String,
    pub description: String,
    pub origin: Option<(String, String)>,
    pub group: Option<(String, String)>,
    pub facts: Vec<(&'static str, String)>,
    pub times: Vec<(&'static str, Time)>,
    pub worker: Option<WorkerLink>,
    pub args: Vec<ValueView>,
    pub data_error: Option<String>,
    pub meta: Option<ValueView>,
    pub result: Option<ValueView>,
    pub exc: Option<super::job_exc::ExcView>,
    pub results: Vec<ResultView>,
    pub dependencies: Vec<RelatedView>,
    pub dependents: Vec<RelatedView>,
    pub raw: Vec<(String, String, String, Option<ShowAll>)>,
    pub actions: Vec<ActionButton>,
    pub call_full: Option<ShowAll>,
    pub description_full: Option<ShowAll>,
    pub exc_full: Option<ShowAll>,
    /// What was cut of lists too long to show (arguments, raw fields), as sentences.
    pub notes: Vec<String>,
    /// Where an admin POSTs to reveal values hidden by `--redact` (when some are).
    pub reveal: Option<String>,
}

fn related(c: &Chrome, r: &[Related]) -> Vec<RelatedView> {
    r.iter()
        .map(|x| RelatedView {
            href: c.job_href(&x.id),
            id: x.id.clone(),
            status: x.status.clone().unwrap_or_else(|| if x.missing { "missing".into() } else { "?".into() }),
            missing: x.missing,
        })
        .collect()
}

impl JobPage {
    /// Build the page from the decoded job; `workers` says which worker names to link.
    pub fn build(c: Chrome, j: JobDetail, workers: &WorkerPages) -> Self {
        let full_base = format!("{}/jobs/{}/full?instance={}&item=", c.prefix, fmt::seg(&j.id), c.instance);
        let base = full_base.as_str();
        let mut pretty_left = PRETTY_MAX;
        let left = &mut pretty_left;
        let arg_view = |label: String, field: String, a: &crate::rq::detail::Arg, left: &mut usize| {
            let truncated = Budget::find(&j.cut, &field).is_some();
            ValueView {
                label,
                text: a.repr.clone(),
                full: ShowAll::of(&j.cut, &field, base),
                pretty: if truncated { None } else { pretty_json(&a.value, left) },
                undecodable: false,
            }
        };
        let mut args: Vec<ValueView> = Vec::new();
        for (i, a) in j.args.iter().enumerate() {
            args.push(arg_view(format!("args[{i}]"), format!("args[{i}]"), a, left));
        }
        for a in &j.kwargs {
            let name = a.name.clone().unwrap_or_default();
            args.push(arg_view(name.clone(), format!("kwargs.{name}"), a, left));
        }
        let notes = [("args", "arguments"), ("kwargs", "keyword arguments"), ("raw", "hash fields")]
            .into_iter()
            .filter_map(|(field, what)| {
                let c = Budget::find(&j.cut, field)?;
                Some(format!(
                    "Only the first {} of {} {what} are shown.",
                    crate::rq::cap::ITEMS_MAX,
                    fmt::int(c.len as i64)
                ))
            })
            .collect();
        let facts = super::job_facts::facts(&j);
        let times: Vec<(&'static str, Time)> = [
            ("Created", &j.created_at),
            ("Enqueued", &j.enqueued_at),
            ("Started", &j.started_at),
            ("Ended", &j.ended_at),
            ("Last heartbeat", &j.last_heartbeat),
        ]
        .into_iter()
        .filter_map(|(k, v)| Time::from(v.as_deref()).map(|t| (k, t)))
        .collect();
        let results = j
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| ResultView {
                kind: r.type_name,
                label: r.type_name.replace('_', " "),
                at: Time::from(r.created_at.as_deref()),
                worker: r.worker_name.clone().map(|w| workers.link(&c, w)),
                duration: r.duration_seconds.map(fmt::duration).unwrap_or_default(),
                value: r.return_value.as_ref().map(|v| {
                    value_view(
                        "return value".into(),
                        v,
                        &format!("results[{i}].return_value"),
                        &j,
                        base,
                        left,
                    )
                }),
                exc: r.exc_string.clone(),
                exc_full: ShowAll::of(&j.cut, &format!("results[{i}].exc_string"), base),
            })
            .collect();
        let call_full = ShowAll::of(&j.cut, "call", base);
        let exc_full = ShowAll::of(&j.cut, "exc_info", base);
        let description_full = ShowAll::of(&j.cut, "description", base);
        let result = j.result.as_ref().map(|r| value_view("result".into(), r, "result", &j, base, left));
        let meta = j.meta.as_ref().map(|m| value_view("meta".into(), m, "meta", &j, base, left));
        let raw = j
            .raw
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    fmt::int(r.len as i64),
                    r.text.clone().unwrap_or_else(|| format!("(binary) {}", r.hex_preview)),
                    ShowAll::of(&j.cut, &format!("raw.{}", r.name), base),
                )
            })
            .collect();
        Self {
            corrupt: j.corrupt.iter().map(|w| w.message.clone()).collect(),
            id: j.id.clone(),
            status: j.status.clone().unwrap_or_else(|| "unknown".into()),
            missing: j.missing,
            call: j.call.clone().unwrap_or_default(),
            description: j.description.clone().unwrap_or_default(),
            origin: j.origin.clone().map(|o| (c.queue_href(&o, None), o)),
            group: j.group_id.clone().map(|g| (c.group_href(&g), g)),
            facts,
            times,
            worker: j.worker_name.clone().map(|w| workers.link(&c, w)),
            args,
            data_error: j.data_error.as_ref().map(|d| d.repr.clone()),
            meta,
            result,
            exc: j.exc_info.as_deref().map(|t| super::job_exc::ExcView::of(t, exc_full.is_some())),
            results,
            dependencies: related(&c, &j.dependencies),
            dependents: related(&c, &j.dependents),
            raw,
            actions: job_actions(
                &c,
                &j.id,
                j.status.as_deref().unwrap_or(""),
                j.origin.as_deref().unwrap_or(""),
            ),
            call_full,
            description_full,
            exc_full,
            notes,
            reveal: (j.redacted && !c.read_only).then(|| {
                format!("{}/api/v1/jobs/{}/reveal?instance={}", c.prefix, fmt::seg(&j.id), c.instance)
            }),
            c,
        }
    }
}
