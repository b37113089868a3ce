use super::*;

fn now() -> Timestamp {
    "2026-11-27T12:00:00Z".parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

fn parse(q: &str) -> Query {
    Query::parse(q, now()).unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

#[test]
fn every_key_is_read() {
    let q = parse(
        r#"func:send_email exc:Timeout queue:emails state:failed worker:W1 meta:customer_42 after:2026-11-01 before:2026-11-20 desc:"some text" id:abc* hello"#,
    );
    assert_eq!(q.func, ["send_email"]);
    assert_eq!(q.exc, ["timeout"]);
    assert_eq!(q.queues, [QueuePattern::Exact("emails".into())]);
    assert_eq!(q.states, [State::Failed]);
    assert_eq!(q.worker, ["w1"]);
    assert_eq!(q.meta, ["customer_42"]);
    assert_eq!(q.desc, ["some text"]);
    assert_eq!(q.id, Some(IdPattern::Prefix("abc".into())));
    assert_eq!(q.words, ["hello"]);
    assert_eq!(q.after.map(|t| t.to_string()).as_deref(), Some("2026-11-01T00:00:00Z"));
    assert_eq!(q.before.map(|t| t.to_string()).as_deref(), Some("2026-11-20T00:00:00Z"));
}

#[test]
fn quotes_escapes_and_colons_in_words() {
    let q = parse(r#""division by zero" exc:"say \"hi\"" KeyError: http://x"#);
    assert_eq!(q.words, ["division by zero", "keyerror:", "http://x"]);
    assert_eq!(q.exc, [r#"say "hi""#]);
}

#[test]
fn unknown_lowercase_keys_and_empty_values_are_errors() {
    assert!(Query::parse("fucn:x", now()).is_err());
    assert!(Query::parse("func:", now()).is_err());
    assert!(Query::parse("state:nope", now()).is_err());
    assert!(Query::parse("id:a id:b", now()).is_err());
    assert!(Query::parse("   ", now()).is_err());
    assert!(Query::parse("after:someday", now()).is_err());
}

#[test]
fn times_absolute_and_relative() {
    assert_eq!(parse_time("2h", now()).map(|t| t.to_string()).as_deref(), Some("2026-11-27T10:00:00Z"));
    assert_eq!(
        parse_time("2026-11-01T12:30", now()).map(|t| t.to_string()).as_deref(),
        Some("2026-11-01T12:30:00Z")
    );
    assert_eq!(
        parse_time("2026-11-01T12:30:00+01:00", now()).map(|t| t.to_string()).as_deref(),
        Some("2026-11-01T11:30:00Z")
    );
    let q = parse("after:2026-11-01 after:2026-11-05 before:2026-11-20 before:2026-11-10");
    assert_eq!(q.after.map(|t| t.to_string()).as_deref(), Some("2026-11-05T00:00:00Z"));
    assert_eq!(q.before.map(|t| t.to_string()).as_deref(), Some("2026-11-10T00:00:00Z"));
}

#[test]
fn controls_replace_their_key_and_keep_the_rest() {
    let m = merge("exc:Timeout queue:a words", &[("queue", "b c"), ("state", ""), ("func", "send")]);
    assert_eq!(m.ok().as_deref(), Some(r#"exc:Timeout words queue:"b c" func:send"#));
}

#[test]
fn rendering_round_trips() {
    let text = r#"exc:"a \"b\"" queue:x* "two words""#;
    let toks = tokens(text).unwrap_or_default();
    assert_eq!(render(&toks), text);
    assert_eq!(parse("queue:mail*").queues, [QueuePattern::Prefix("mail".into())]);
}

#[test]
fn a_query_of_more_than_fifty_terms_or_two_kilobytes_is_refused() {
    assert_eq!(parse(&["w"; 50].join(" ")).words.len(), 50);
    let many = Query::parse(&["w"; 51].join(" "), now()).map_err(|e| e.to_string());
    assert!(many.is_err_and(|e| e.contains("51 terms; at most 50")));
    let long = Query::parse(&format!("desc:{}", "x".repeat(2048)), now()).map_err(|e| e.to_string());
    assert!(long.is_err_and(|e| e.contains("2053 bytes; at most 2048")));
}

#[test]
fn awkward_queries_render_to_text_that_reads_back_as_the_same_tokens() {
    // Shapes the fuzzer (fuzz/fuzz_targets/search_query.rs) keeps in its corpus: unterminated
    // quotes, trailing and doubled backslashes, empty values, URLs, control characters.
    let cases = [
        r#"desc:"v\"#,
        r#"g0\\"\"#,
        "\u{10}\0\"~\\\u{c}\0\" ",
        r#""mun unc:x\""#,
        "\u{8} \\\\r:\" \\\\r:51c-",
        r#"func: "" exc:"" http://x/a:b Func:Upper é:x"#,
        "a\u{a0}b\u{2028}\"c\u{85}d\"",
    ];
    for q in cases {
        let toks = tokens(q).unwrap_or_default();
        assert!(!toks.is_empty(), "{q:?}");
        let text = render(&toks);
        assert_eq!(tokens(&text).ok(), Some(toks), "{q:?} rendered as {text:?}");
    }
}
