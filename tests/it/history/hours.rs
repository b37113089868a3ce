//! Hour rows follow their minute rows by the change alone (history_record.lua), and stay what a
//! full re-sum of the minute hash gives: gauges rising and falling (the current minute's latest
//! sample wins, so the hour's maximum may have to come down), throughput rising, a second
//! sampler, a hostile hour row.

use redis::Commands;

use rqdash::store::history::{self, Layout, Sampler};

use super::{plant_ended, plant_queued, store, this_minute, utc};
use crate::support::RedisServer;

/// The hour row of a minute hash as a full re-sum gives it: the gauges' maximum, the
/// throughput sums and how many minutes each covers.
fn resum(con: &mut redis::Connection, minute_key: &str) -> String {
    let rows: std::collections::HashMap<String, String> = con.hgetall(minute_key).expect("HGETALL");
    let mut sum: [Option<u64>; 8] = [None; 8];
    for row in rows.values() {
        let r: Vec<Option<u64>> = row.split(',').map(|p| p.parse().ok()).collect();
        for g in [0, 1, 2, 5] {
            if let Some(v) = r.get(g).copied().flatten() {
                sum[g] = Some(sum[g].map_or(v, |s| s.max(v)));
            }
        }
        for x in [3, 4] {
            if let Some(v) = r.get(x).copied().flatten() {
                sum[x] = Some(sum[x].unwrap_or(0) + v);
                sum[x + 3] = Some(sum[x + 3].unwrap_or(0) + 1);
            }
        }
    }
    sum.iter().map(|v| v.map(|v| v.to_string()).unwrap_or_default()).collect::<Vec<_>>().join(",")
}

#[tokio::test]
async fn hour_rows_stay_the_sum_of_their_minutes_while_gauges_rise_and_fall() {
    let r = RedisServer::start();
    let mut con = r.conn();
    // The previous hour, sampled minute by minute: no clock can cross it during the test.
    let h = this_minute() - this_minute().rem_euclid(3600) - 3600;
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let (mut a, mut b) = (Sampler::new(Layout::default()), Sampler::new(Layout::default()));
    // Queue lengths per sample: (minute, queued); a minute sampled twice keeps its last.
    let plan =
        [(0, 3), (1, 7), (2, 2), (3, 9), (3, 4), (4, 12), (4, 5), (5, 1), (6, 6), (6, 0), (7, 3), (8, 12)];
    for (k, (minute, queued)) in plan.into_iter().enumerate() {
        let _: () = con.del("rq:queue:default").expect("DEL");
        plant_queued(&mut con, "default", queued);
        let t = h + minute * 60;
        plant_ended(&mut con, "finished", "default", &format!("f{k}"), (t + 5) as f64, 100_000);
        if k % 3 == 0 {
            plant_ended(&mut con, "failed", "default", &format!("x{k}"), (t + 7) as f64, 100_000);
        }
        let sampler = if k % 4 == 3 { &mut b } else { &mut a };
        history::sample(inst, sampler, t + 30 + (k as i64 % 2) * 10).await.expect("sample");
        for subject in ["q:default", "all"] {
            let minutes = format!("rqdash:history:m:{}:{subject}", utc(h, "%Y%m%d%H"));
            let hours = format!("rqdash:history:h:{}:{subject}", utc(h, "%Y%m%d"));
            let field = (h.rem_euclid(86_400) / 3600).to_string();
            let stored: String = con.hget(&hours, &field).expect("hour row");
            assert_eq!(
                stored,
                resum(&mut con, &minutes),
                "{subject} after sample {k} (minute {minute}, {queued} queued)"
            );
        }
    }
    // A hostile hour row is not moved by deltas but rebuilt.
    let hours = format!("rqdash:history:h:{}:q:default", utc(h, "%Y%m%d"));
    let field = (h.rem_euclid(86_400) / 3600).to_string();
    let _: () = con.hset(&hours, &field, "99,x,,,").expect("HSET");
    plant_ended(&mut con, "finished", "default", "late", (h + 8 * 60 + 20) as f64, 100_000);
    history::sample(inst, &mut a, h + 8 * 60 + 50).await.expect("sample");
    let minutes = format!("rqdash:history:m:{}:q:default", utc(h, "%Y%m%d%H"));
    let stored: String = con.hget(&hours, &field).expect("hour row");
    assert_eq!(stored, resum(&mut con, &minutes));
}
