//! `archived:`: whether a search also covers the job archive ([`crate::store::archive`]), and
//! judging one archived record against a query (pure).
//!
//! By default a search finds live jobs and then archived records; `archived:yes` finds only
//! archived records, `archived:no` only live jobs (`archived:any` is the default). A record
//! answers the criteria it has a field for: `id:`, `queue:`, `state:` (its status when it
//! ended), `func:`, `worker:`, `exc:` (its exception type and first line), `after:`/`before:`
//! (ended, else started, else enqueued) and bare words (function or exception). It has no
//! description, meta, creation time, arguments or traceback, so `desc:`, `meta:`,
//! `created_after:`, `created_before:` and `group:` never match a record.

use jiff::Timestamp;

use super::keys::state_of;
use super::matcher::{FAILED_NOW, contains_all, id_matches, in_range};
use super::query::Query;
use crate::rq::job::JobRow;
use crate::rq::time;
use crate::store::archive::Record;
use crate::store::{Error, Result};

/// Which jobs a search covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Archived {
    /// Live jobs, then archived records (the default, `archived:any`).
    #[default]
    Also,
    /// Archived records only (`archived:yes`).
    Only,
    /// Live jobs only (`archived:no`).
    Not,
}

impl Archived {
    /// Read the value of `archived:`.
    pub fn parse(v: &str) -> Result<Archived> {
        match v.trim().to_lowercase().as_str() {
            "yes" | "only" => Ok(Archived::Only),
            "no" => Ok(Archived::Not),
            "any" => Ok(Archived::Also),
            _ => Err(Error::BadRequest(format!(
                "archived:{v} is not known (archived:yes, archived:no or archived:any)"
            ))),
        }
    }

    /// Whether live jobs are searched.
    pub fn live(self) -> bool {
        self != Archived::Only
    }

    /// Whether the archive is searched.
    pub fn archive(self) -> bool {
        self != Archived::Not
    }
}

/// Whether an archived record passes every criterion of `q` (criteria it has no field for fail).
pub fn matches(q: &Query, r: &Record) -> bool {
    let unanswerable = !q.desc.is_empty()
        || !q.meta.is_empty()
        || !q.groups.is_empty()
        || q.created_after.is_some()
        || q.created_before.is_some();
    if unanswerable || !id_matches(q, &r.id) {
        return false;
    }
    let status = r.status.as_deref().unwrap_or("");
    let placed = (q.queues.is_empty() || q.queues.iter().any(|p| p.matches(&r.queue)))
        && (q.states.is_empty() || state_of(Some(status)).is_some_and(|s| q.states.contains(&s)));
    // As for live jobs, exc: alone looks at jobs that ended failed (see `query`).
    if !placed || (q.failures_only() && !FAILED_NOW.contains(&status)) {
        return false;
    }
    let t = |s: &Option<String>| s.as_deref().and_then(time::parse);
    let latest: Option<Timestamp> = t(&r.ended_at).or_else(|| t(&r.started_at)).or_else(|| t(&r.enqueued_at));
    let func = r.function.as_deref().map(str::to_lowercase);
    let exc = r.exception().map(|e| e.to_lowercase());
    let worker = r.worker.as_deref().map(str::to_lowercase);
    in_range(latest, q.after, q.before)
        && contains_all(func.as_deref(), &q.func)
        && contains_all(exc.as_deref(), &q.exc)
        && contains_all(worker.as_deref(), &q.worker)
        && q.words.iter().all(|w| {
            func.as_deref().is_some_and(|f| f.contains(w.as_str()))
                || exc.as_deref().is_some_and(|e| e.contains(w.as_str()))
        })
}

/// The record as a job row (what it does not know left empty).
pub fn row(r: &Record) -> JobRow {
    JobRow {
        id: r.id.clone(),
        missing: false,
        status: r.status.clone(),
        origin: Some(r.queue.clone()),
        description: None,
        func_name: r.function.clone(),
        args_preview: None,
        call_note: None,
        created_at: None,
        enqueued_at: r.enqueued_at.clone(),
        started_at: r.started_at.clone(),
        ended_at: r.ended_at.clone(),
        worker_name: r.worker.clone(),
        exc_summary: r.exception(),
        score: None,
        score_at: None,
        score_meaning: None,
        execution_id: None,
        duration_seconds: r.run_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> Record {
        Record {
            id: "job-1".into(),
            queue: "emails".into(),
            function: Some("app.tasks.send_email".into()),
            status: Some("failed".into()),
            ended_at: Some("2026-11-02T10:00:00Z".into()),
            worker: Some("w1".into()),
            exc_type: Some("TimeoutError".into()),
            exc_line: Some("SMTP did not answer".into()),
            ..Record::default()
        }
    }

    fn q(s: &str) -> Query {
        Query::parse(s, Timestamp::UNIX_EPOCH).expect("query")
    }

    #[test]
    fn a_record_answers_the_criteria_it_has_a_field_for() {
        let r = rec();
        for yes in [
            "func:send_email queue:emails state:failed worker:w1",
            "exc:timeouterror exc:smtp id:job-*",
            "after:2026-11-01 before:2026-11-03 queue:em*",
            "send_email",
            "answer",
            "archived:yes",
        ] {
            assert!(matches(&q(yes), &r), "{yes}");
        }
        for no in [
            "func:charge",
            "queue:billing",
            "state:finished",
            "id:job-2",
            "before:2026-11-02",
            "desc:send",
            "meta:x",
            "created_after:2026-01-01",
            "group:0123456789abcdef",
            "nowhere",
        ] {
            assert!(!matches(&q(no), &r), "{no}");
        }
        let finished = Record { status: Some("finished".into()), ..rec() };
        assert!(!matches(&q("exc:timeout"), &finished), "exc: alone looks at failures only");
        assert!(matches(&q("exc:timeout history:any"), &finished));
    }

    #[test]
    fn the_archived_key_takes_yes_no_or_any() {
        assert_eq!(q("archived:yes").archived, Archived::Only);
        assert_eq!(q("archived:NO x").archived, Archived::Not);
        assert_eq!(q("archived:any x").archived, Archived::Also);
        assert!(Query::parse("archived:maybe", Timestamp::UNIX_EPOCH).is_err());
        assert!(Archived::Also.live() && Archived::Also.archive());
        assert!(!Archived::Only.live() && !Archived::Not.archive());
    }
}
