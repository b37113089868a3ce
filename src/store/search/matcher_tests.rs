use super::*;
use crate::rq::State;

fn q(text: &str) -> Query {
    Query::parse(text, "2026-11-27T12:00:00Z".parse().expect("time")).expect("query")
}

fn facts(desc: &str, worker: &str, ended: &str) -> Facts {
    with_status(desc, worker, ended, "failed")
}

fn with_status(desc: &str, worker: &str, ended: &str, status: &str) -> Facts {
    let names = ["description", "worker_name", "ended_at", "created_at", "status"];
    let vals = [desc, worker, ended, "2026-11-01T00:00:00Z", status].map(|v| Some(v.as_bytes().to_vec()));
    Facts::from_hash(&names, &vals)
}

const TB: &str = "Traceback (most recent call last):\n  File \"t.py\", line 3, in send\n    raise X\nTimeoutError: Timeout after 31s\n";

#[test]
fn known_facts_decide_without_reading_more() {
    let f = facts("tasks.send_email('a@b.c', 3)", "mailer-1", "2026-11-20T10:00:00Z");
    assert_eq!(judge(&q("func:send_email worker:MAILER"), &f), Verdict::Yes);
    assert_eq!(judge(&q("func:charge"), &f), Verdict::No);
    assert_eq!(judge(&q("desc:a@b.c after:2026-11-20"), &f), Verdict::Yes);
    assert_eq!(judge(&q("before:2026-11-20T10:00:00Z"), &f), Verdict::No);
    assert_eq!(judge(&q("created_before:2026-11-02"), &f), Verdict::Yes);
    assert_eq!(judge(&q("send_email"), &f), Verdict::Yes);
}

#[test]
fn exceptions_are_read_only_when_needed() {
    let mut f = facts("tasks.send_email(1)", "w", "2026-11-20T10:00:00Z");
    let need = Verdict::Undecided { traceback: true, data: false };
    assert_eq!(judge(&q("exc:timeout"), &f), need);
    assert_eq!(judge(&q("exc:timeout worker:other"), &f), Verdict::No);
    assert_eq!(judge(&q("timeout"), &f), need);
    f.traceback = Some(Some(TB.to_owned()));
    assert_eq!(judge(&q("exc:timeout exc:\"after 31\""), &f), Verdict::Yes);
    assert_eq!(judge(&q("exc:raise"), &f), Verdict::No, "frames are not the exception");
    let group = GroupKey::of(Some(TB)).id();
    assert_eq!(judge(&q(&format!("group:{group}")), &f), Verdict::Yes);
    assert_eq!(judge(&q("group:0000000000000000"), &f), Verdict::No);
    f.traceback = Some(None);
    assert_eq!(judge(&q("exc:timeout"), &f), Verdict::No);
}

#[test]
fn a_custom_description_needs_the_data_for_the_function() {
    let mut f = facts("nightly digest", "w", "2026-11-20T10:00:00Z");
    assert_eq!(judge(&q("func:send_email"), &f), Verdict::Undecided { traceback: false, data: true });
    f.data_func = Some(Some("tasks.send_email".into()));
    assert_eq!(judge(&q("func:send_email"), &f), Verdict::Yes);
    f.data_func = Some(None);
    assert_eq!(judge(&q("func:send_email"), &f), Verdict::No);
}

#[test]
fn missing_hashes_and_ids() {
    let f = Facts::from_hash(&["status"], &[None]);
    assert_eq!(judge(&q("exc:x"), &f), Verdict::No);
    assert_eq!(judge(&q("state:failed"), &f), Verdict::Yes, "listing needs no hash");
    assert!(id_matches(&q("id:ab*"), "abc"));
    assert!(!id_matches(&q("id:ab"), "abc"));
    assert_eq!(fields(&q("exc:x"), false), ["status"]);
    assert!(fields(&q("state:failed"), false).is_empty());
}

#[test]
fn an_old_failure_of_a_job_not_failed_now_counts_only_when_asked_for() {
    let old = Some(Some(TB.to_owned()));
    let mut queued = with_status("tasks.send_email(1)", "w", "2026-11-20T10:00:00Z", "queued");
    queued.traceback.clone_from(&old);
    // Not even read: the status decides.
    let mut unread = queued.clone();
    unread.traceback = None;
    assert_eq!(judge(&q("exc:timeout"), &unread), Verdict::No);
    assert_eq!(judge(&q("exc:timeout"), &queued), Verdict::No);
    assert_eq!(judge(&q("timeout"), &queued), Verdict::No, "a word does not match an old failure");
    assert_eq!(judge(&q("exc:timeout state:queued"), &queued), Verdict::Yes);
    let history = Verdict::Undecided { traceback: true, data: false };
    assert_eq!(judge(&q("exc:timeout history:any"), &queued), history, "history is read separately");
    queued.history = Some(vec![None, Some("ValueError: x".into()), Some(TB.to_owned())]);
    assert_eq!(judge(&q("exc:timeout history:any"), &queued), Verdict::Yes);
    assert_eq!(
        judge(&q("exc:timeout exc:valueerror history:any"), &queued),
        Verdict::No,
        "one failure holds both"
    );
    assert_eq!(judge(&q("exc:keyerror history:any"), &queued), Verdict::No);
    for status in ["failed", "stopped", "canceled"] {
        let mut f = with_status("tasks.send_email(1)", "w", "2026-11-20T10:00:00Z", status);
        f.traceback.clone_from(&old);
        assert_eq!(judge(&q("exc:timeout"), &f), Verdict::Yes, "{status}");
    }
    assert_eq!(fields(&q("exc:x state:failed worker:w"), false), ["worker_name"], "state: needs no status");
    assert_eq!(fields(&q("exc:x worker:w"), false), ["worker_name", "status"]);
    assert!(q("exc:x").failures_only() && !q("exc:x history:any").failures_only());
    assert_eq!(q("exc:x").looks_in(), [State::Failed, State::Canceled]);
    assert_eq!(q("exc:x state:queued state:failed").looks_in(), [State::Queued, State::Failed]);
    assert_eq!(q("exc:x history:any").looks_in(), State::ALL);
    assert!(Query::parse("history:some", "2026-11-27T12:00:00Z".parse().expect("time")).is_err());
}
