//! The order of degradation, on a synthetic measurement.

use super::super::measure::Family;
use super::*;

/// 18 MB: a 3 MB archive of 10,000 records (2 MB of stream), 50 hours of 100 minute hashes of
/// 1,000 B, 10 MB of hour hashes, 100 queues.
fn measured() -> Measurement {
    let mut m = Measurement { archive_entries: 10_000, archive_stream: 2_000_000, ..Measurement::default() };
    m.usage.archive = 3_000_000;
    m.history_minute = Family { keys: 5_000, bytes: 5_000_000 };
    m.history_hour = Family { keys: 9_200, bytes: 10_000_000 };
    m.usage.history = 15_000_000;
    m.minute_hours = (0..50).map(|i| (i * 3600, (100, 0))).collect();
    m
}

fn at(max: u64) -> Plan {
    plan(&measured(), Budget { max: Some(max) }, 90, 100, 10_000)
}

#[test]
fn under_the_target_nothing_is_dropped() {
    assert_eq!(at(30_000_000), Plan::default());
    assert_eq!(plan(&measured(), Budget { max: None }, 90, 100, 10_000), Plan::default());
}

#[test]
fn the_archive_goes_first_then_the_minute_tier_then_folding_then_writes() {
    let p = at(20_000_000);
    assert_eq!((p.level, p.minute_hours, p.fold), (Level::ArchiveTrimmed, None, false), "{p:?}");
    assert!(p.archive_keep.is_some_and(|k| k > ARCHIVE_FLOOR && k < 10_000), "{p:?}");
    let p = at(15_000_000);
    assert_eq!(
        (p.level, p.archive_keep, p.minute_hours),
        (Level::MinuteTierShortened, Some(ARCHIVE_FLOOR), Some(24))
    );
    let p = at(5_000_000);
    assert_eq!((p.level, p.minute_hours, p.fold, p.skip), (Level::Folded, Some(6), true, false), "{p:?}");
    let p = at(1_000_000);
    assert_eq!((p.level, p.skip), (Level::WritesSkipped, true), "{p:?}");
}
