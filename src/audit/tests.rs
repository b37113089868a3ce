use super::*;
use crate::auth::{Role, Via};

fn who() -> Identity {
    Identity {
        name: "ana".into(),
        role: Role::Operator,
        via: Via::Basic,
        queues: vec![],
        addr: Some("10.0.0.7".parse().expect("ip")),
    }
}

#[test]
fn an_entry_reads_back_as_it_was_written() {
    let ids: Vec<String> = (0..25).map(|i| format!("id{i}")).collect();
    let t = Target { queue: "default".into(), state: "failed".into(), ..Target::default() }.with_ids(&ids);
    let mut intent = Entry::intent(&who(), "bulk.requeue", t);
    intent.id = "1700000000000-0".into();
    let mut result = BTreeMap::new();
    result.insert("requeued".to_owned(), Value::from(22));
    let out = intent.outcome("done", result, "");
    let fields: Vec<(String, Vec<u8>)> =
        FIELDS.iter().zip(out.values()).map(|(k, v)| ((*k).to_owned(), v.into_bytes())).collect();
    let back = Entry::from_fields("1700000000001-0".into(), &fields);
    assert_eq!(back.of, "1700000000000-0");
    assert_eq!((back.user.as_str(), back.role.as_str(), back.via.as_str()), ("ana", "operator", "basic"));
    assert_eq!(back.addr, "10.0.0.7");
    assert_eq!(intent.target.ids.len(), IDS_KEPT);
    assert_eq!((intent.target.ids_total, intent.target.ids_cut()), (25, 5));
    assert!(back.target.ids.is_empty(), "the ids stay with the intent");
    assert_eq!(back.target.ids_total, 25);
    assert_eq!(back.result["requeued"], 22);
    assert_eq!(back.ms(), 1_700_000_000_001);
}

#[test]
fn garbage_fields_read_as_empty_values() {
    let fields = vec![("ids".to_owned(), b"not json".to_vec()), ("ids_total".to_owned(), b"-x".to_vec())];
    let e = Entry::from_fields("x".into(), &fields);
    assert!(e.target.ids.is_empty());
    assert_eq!((e.target.ids_total, e.ms()), (0, 0));
}

#[test]
fn an_action_filter_matches_the_action_or_its_first_word() {
    let e = Entry::intent(&who(), "queue.empty", Target { queue: "q".into(), ..Target::default() });
    let f = |action: &str| Filter { action: Some(action.into()), ..Filter::default() };
    assert!(f("queue.empty").matches(&e) && f("queue").matches(&e));
    assert!(!f("queue.compact").matches(&e) && !f("que").matches(&e));
    assert!(!Filter { user: Some("bob".into()), ..Filter::default() }.matches(&e));
    assert!(Filter { queue: Some("q".into()), ..Filter::default() }.matches(&e));
}

#[test]
fn a_cursor_steps_back_one_id_and_refuses_garbage() {
    assert_eq!(StreamId::parse("5-2").and_then(StreamId::before), Some(StreamId(5, 1)));
    assert_eq!(StreamId::parse("5").and_then(StreamId::before), Some(StreamId(4, u64::MAX)));
    assert_eq!(StreamId(0, 0).before(), None);
    assert_eq!(StreamId::parse("5-x"), None);
    assert_eq!(StreamId::parse("+"), None);
    assert_eq!(StreamId(7, 1).to_string(), "7-1");
}

#[test]
fn results_keep_counts_set_flags_and_short_texts() {
    let answer = serde_json::json!({
        "requeued": 3, "deleted": 0, "interrupted": true, "resumed": 0, "to": "queued",
        "ids": ["a"], "outcome": {"repaired": 2}, "message": "x".repeat(500)
    });
    let r = results(&answer);
    let keys: Vec<&str> = r.keys().map(String::as_str).collect();
    assert_eq!(keys, ["interrupted", "repaired", "requeued", "to"]);
    assert_eq!(status_of(&r, false), "stopped");
    assert_eq!(status_of(&BTreeMap::new(), false), "done");
    assert_eq!(status_of(&r, true), "failed");
}
