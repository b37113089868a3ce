//! Unit tests of the throughput arithmetic: windows, learned ttls, end times, minute coverage.

use super::*;

const NOW: i64 = 1_700_000_130; // 2023-11-14T22:15:30Z, 30 s into its minute
const MIN: i64 = NOW - 30;

fn read(events: &[f64], saturated: bool) -> Read {
    Read { saturated, events: events.to_vec(), earliest: events.iter().copied().reduce(f64::min) }
}

#[test]
fn a_small_registry_is_read_whole_down_to_the_lookback_start() {
    let (discovery, w) = Track::default().plan(10, MIN - 120, NOW);
    assert!(discovery);
    assert_eq!(w, vec![Window { max: "(+inf".into(), min: (MIN - 120).to_string() }]);
}

#[test]
fn a_big_registry_with_a_known_ttl_is_read_through_a_narrow_window() {
    let mut t = Track::default();
    t.learn(true, NOW, [(NOW as f64 + 31_536_000.0, NOW as f64 - 0.4)].into_iter());
    assert_eq!(t.single_class(), Some(31_536_000));
    let (discovery, w) = t.plan(50_000, MIN - 120, NOW);
    assert!(!discovery);
    assert_eq!(w[0].min, (MIN - 120 + 31_536_000 - 5).to_string());
    assert_eq!(w[0].max, (NOW + 31_536_000 + 60).to_string());
    // Ten minutes later the ttls are relearned from the newest members.
    assert!(t.plan(50_000, MIN, NOW + REDISCOVER).0);
}

#[test]
fn ttls_within_a_few_seconds_are_one_class_and_many_ttls_give_up_windows() {
    let mut t = Track::default();
    t.learn(true, NOW, [(1500.0, 1000.0), (1501.0, 999.5), (87_400.0, 1000.0)].into_iter());
    assert_eq!(t.classes, vec![500, 86_400]);
    let many = (0..20).map(|i| (1000.0 + f64::from(i) * 100.0, 0.0));
    t.learn(true, NOW, many);
    assert!(t.plan(50_000, MIN, NOW).0, "no classes left: discovery every tick");
}

#[test]
fn jobs_kept_forever_count_by_the_growth_of_their_number() {
    let mut t = Track::default();
    assert_eq!(t.forever_delta(7), None);
    assert_eq!(t.forever_delta(10), Some(3));
    assert_eq!(t.forever_delta(4), Some(0), "deletions are not negative throughput");
}

#[test]
fn end_time_is_ended_at_else_score_minus_ttl_and_none_for_a_vanished_hash() {
    let e = ended(Kind::Finished, 2000.0, Some("1970-01-01T00:16:40.250000Z"), None, Some("finished"));
    assert_eq!(e, Some(1000.25));
    assert_eq!(ended(Kind::Failed, 2000.0, None, Some("100"), Some("failed")), Some(1900.0));
    assert_eq!(ended(Kind::Finished, 2000.0, Some(""), None, Some("finished")), Some(1500.0));
    assert_eq!(ended(Kind::Failed, 2000.0, None, None, None), None);
}

#[test]
fn an_unsaturated_read_counts_every_minute_of_the_lookback() {
    let m = MIN as f64;
    let c = count(&[read(&[m - 61.0, m - 60.0, m - 0.5, m + 1.0, m + 29.0], false)], MIN - 120, NOW);
    let want: BTreeMap<i64, u64> = [(MIN - 120, 1), (MIN - 60, 2), (MIN, 2)].into_iter().collect();
    assert_eq!(c.minutes, want);
    assert!(c.uncovered.is_empty());
}

#[test]
fn a_saturated_read_counts_only_the_minutes_after_its_earliest_member() {
    let m = MIN as f64;
    let c = count(&[read(&[m - 50.0, m + 3.0], true)], MIN - 120, NOW);
    assert_eq!(c.minutes, [(MIN, 1)].into_iter().collect());
    assert_eq!(c.uncovered, vec![MIN - 120, MIN - 60]);
}

#[test]
fn a_saturated_read_of_vanished_hashes_vouches_for_nothing() {
    let c = count(&[Read { saturated: true, ..Read::default() }], MIN - 60, NOW);
    assert!(c.minutes.is_empty());
    assert_eq!(c.uncovered.len(), 2);
}
