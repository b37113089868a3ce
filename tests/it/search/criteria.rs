//! Each kind of criterion, alone and combined, finds exactly the expected ids of real RQ data.

use std::collections::BTreeSet;

use rqdash::rq::State;
use rqdash::rq::failure::GroupKey;
use rqdash::store::search::{Budget, search};

use super::{matching, query, seed};

for_each_rq_version!(every_criterion_finds_exactly_the_expected_ids, a_page_of_hits_carries_rows_and_places);

async fn every_criterion_finds_exactly_the_expected_ids(v: &'static str) {
    let s = seed(v);
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    let failed = ["timeouts", "digest", "declined_42", "declined_7", "report", "keyerror"];
    let emails = ["timeouts", "digest", "ok"];
    let between = s.between.to_string();
    let later_send = BTreeSet::from(["inv-2027-001".to_owned()]);
    let cases: Vec<(String, BTreeSet<String>)> = vec![
        // func: from the description, and from `data` when the description is custom.
        ("func:send_email".into(), &s.set(&["timeouts", "digest"]) | &later_send),
        ("func:SEND_EMAIL state:failed".into(), s.set(&["timeouts", "digest"])),
        ("func:charge_card".into(), s.set(&["declined_42", "declined_7"])),
        // exc: the exception lines of the newest result, case-insensitive, non-ASCII included.
        ("exc:timeout".into(), s.set(&["timeouts", "digest"])),
        ("exc:rqdash_search_tasks.PaymentDeclined".into(), s.set(&["declined_42", "declined_7"])),
        ("exc:übersicht".into(), s.set(&["report"])),
        ("exc:顧客_7".into(), BTreeSet::from([s.ids["keyerror"][0].clone()])),
        (
            "exc:\"code 51\"".into(),
            BTreeSet::from([s.ids["declined_42"][0].clone(), s.ids["declined_7"][0].clone()]),
        ),
        ("exc:perform".into(), BTreeSet::new()),
        // queue: and state: choose where to look.
        ("queue:billing".into(), s.set(&["declined_42", "declined_7"])),
        ("queue:rep*".into(), s.set(&["report", "keyerror"])),
        ("queue:emails queue:billing state:finished".into(), s.set(&["ok"])),
        ("state:failed".into(), s.set(&failed)),
        ("state:queued".into(), s.set(&["later"])),
        ("queue:nosuchqueue".into(), BTreeSet::new()),
        // worker:, meta:, desc:
        ("worker:mailer".into(), s.set(&emails)),
        ("worker:LEDGER-2 exc:keyerror".into(), s.set(&["keyerror"])),
        ("meta:customer_42".into(), &s.set(&["declined_42"]) | &later_send),
        ("desc:\"nightly digest\"".into(), s.set(&["digest"])),
        // after: / before: the job's latest time; created_before: its creation.
        (format!("after:{between}"), s.set(&["declined_42", "declined_7", "report", "keyerror"])),
        (format!("before:{between}"), s.set(&["timeouts", "digest", "ok", "later"])),
        (format!("before:{between} state:failed"), s.set(&["timeouts", "digest"])),
        (format!("created_before:{between} queue:reports"), s.set(&["report", "keyerror"])),
        ("after:1h before:2100-01-01 queue:later".into(), s.set(&["later"])),
        // id: exact (one read) and prefix (SCAN, or within the chosen sources).
        ("id:inv-2026-001".into(), BTreeSet::from(["inv-2026-001".to_owned()])),
        ("id:inv-2026*".into(), BTreeSet::from(["inv-2026-001".to_owned(), "inv-2026-002".to_owned()])),
        ("id:inv*".into(), &s.set(&["declined_42"]) | &later_send),
        ("id:inv* state:queued".into(), later_send.clone()),
        ("id:inv-2026-001 state:queued".into(), BTreeSet::new()),
        ("id:inv-2026* exc:\"code 51\"".into(), BTreeSet::from(["inv-2026-001".to_owned()])),
        // Bare words: description, function or exception.
        ("ann@example.com".into(), s.set(&["timeouts"])),
        ("Übersicht".into(), s.set(&["report"])),
        ("send_email timeout".into(), s.set(&["timeouts", "digest"])),
        ("\"after 31s\"".into(), BTreeSet::from([s.ids["timeouts"][1].clone()])),
        // AND of everything.
        (
            "func:charge_card meta:customer_42 exc:\"code 51\"".into(),
            BTreeSet::from(["inv-2026-001".to_owned()]),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(matching(inst, &text).await, want, "rq {v}: {text}");
    }
    // group: the normalised failure, as the groups page links to it.
    let tb = "Traceback (most recent call last):\n  File \"x\"\nTimeoutError: Timeout after 1s\n";
    let g = GroupKey::of(Some(tb)).id();
    assert_eq!(matching(inst, &format!("group:{g}")).await, s.set(&["timeouts", "digest"]), "rq {v}: group");
}

async fn a_page_of_hits_carries_rows_and_places(v: &'static str) {
    let s = seed(v);
    let store = s.store();
    let inst = store.instance(0).expect("instance");
    let p = search(inst, &query("exc:PaymentDeclined"), None, Budget::default()).await.expect("search");
    assert!(p.done && p.cursor.is_none(), "rq {v}: small data is one page");
    assert_eq!(p.hits.len(), 4);
    assert_eq!(p.total, 12, "rq {v}: exc: walks the failed (and canceled) registries: 12 ids");
    let any = search(inst, &query("exc:PaymentDeclined history:any"), None, Budget::default()).await;
    let any = any.expect("search");
    assert_eq!(any.total, 16, "rq {v}: 12 failed + 2 finished + 2 queued ids in all sources");
    assert_eq!(any.hits.len(), 4);
    for h in &p.hits {
        assert_eq!((h.queue.as_str(), h.state, h.listed), ("billing", Some(State::Failed), true));
        assert_eq!(h.job.func_name.as_deref(), Some("rqdash_search_tasks.charge_card"));
        let exc = h.job.exc_summary.as_deref().unwrap_or_default();
        assert!(exc.starts_with("rqdash_search_tasks.PaymentDeclined: card for "), "rq {v}: {exc}");
        assert_eq!(h.job.worker_name.as_deref(), Some("ledger-2"));
    }
    // Newest first within a registry: by score (RQ scores failures in whole seconds).
    let scores: Vec<f64> = p.hits.iter().filter_map(|h| h.job.score).collect();
    assert!(scores.len() == 4 && scores.windows(2).all(|w| w[0] >= w[1]), "rq {v}: {scores:?}");
    // An id search places the job by its own status and origin.
    let p = search(inst, &query("id:inv-2027-001"), None, Budget::default()).await.expect("search");
    assert_eq!(p.mode, "id");
    let h = p.hits.first().expect("one hit");
    assert_eq!((h.queue.as_str(), h.state, h.listed), ("later", Some(State::Queued), false));
    // Bad input is a 400-class error, not a panic.
    for bad in ["fucn:x", "state:nope", "after:someday", ""] {
        assert!(rqdash::store::search::Query::parse(bad, jiff::Timestamp::now()).is_err(), "{bad}");
    }
    let bad_cursor = search(inst, &query("exc:x"), Some("garbage"), Budget::default()).await;
    assert!(matches!(bad_cursor, Err(rqdash::store::Error::BadRequest(_))));
}
