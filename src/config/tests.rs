//! Parsing of intervals and URL prefixes.

use super::*;

#[test]
fn poll_intervals_accept_seconds_milliseconds_and_bare_numbers() {
    assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
    assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_interval("2500"), Ok(Duration::from_millis(2500)));
    assert!(parse_interval("1ms").is_err());
    assert!(parse_interval("soon").is_err());
}

#[test]
fn prefixes_are_normalised() {
    assert_eq!(normalize_prefix("/rq/"), "/rq");
    assert_eq!(normalize_prefix("rq"), "/rq");
    assert_eq!(normalize_prefix("/"), "");
    assert_eq!(normalize_prefix(""), "");
}
