//! What rqdash stores and its budget, on the Redis panel, /metrics and `rqdash doctor`.

use rqdash::store::budget::{Budget, Level, state};
use rqdash::store::history::{self, Layout, Limits, Sampler};

use crate::cli::run_expect;
use crate::history::{store, this_minute, utc};
use crate::support::{RedisServer, TestApp};

/// No queue (so doctor finds nothing else) and an archive of 10,000 records (about 3.4 MB), sampled once under a
/// 2 MB budget: the archive is trimmed.
async fn trimmed() -> RedisServer {
    let r = seeded();
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let limits = Limits { storage: Budget { max: Some(2_000_000) }, ..Limits::default() };
    history::sample(inst, &mut Sampler::new(Layout::default()).with_limits(limits), this_minute() + 30)
        .await
        .expect("tick");
    let st = state::read(inst, &Layout::default()).await.expect("read").expect("stored");
    assert_eq!(st.level, Level::ArchiveTrimmed, "{st:?}");
    r
}

fn seeded() -> RedisServer {
    let r = RedisServer::start();
    let now = this_minute() + 30;
    let mut con = r.conn();
    let mut p = redis::pipe();
    let day = utc(now, "%Y%m%d");
    for j in 0..10_000 {
        let id = format!("{j:08x}-5c1e-4e9a-9d7b-7f0c8a6b1e2d");
        let end = format!("{}.250", now - 60);
        let f =
            [("id", id.as_str()), ("q", "default"), ("f", "app.tasks.f"), ("s", "finished"), ("end", &end)];
        p.cmd("XADD").arg("rqdash:history:archive").arg("*").arg(&f[..]).ignore();
        p.hset(format!("rqdash:history:archive:idx:h:{day}:all"), &id, format!("{j}-0")).ignore();
    }
    p.query::<()>(&mut con).expect("seed");
    r
}

#[tokio::test]
async fn the_redis_panel_and_metrics_show_what_rqdash_stores_and_its_budget() {
    let r = trimmed().await;
    let app = TestApp::new(&r.url());
    let page = app.get("/").await.text();
    assert!(page.contains("rqdash stores"), "the panel names rqdash's own storage");
    assert!(page.contains("of 1.9 MB budget") || page.contains("of 2.0 MB budget"), "the budget is shown");
    assert!(page.contains("archive trimmed"), "the degradation level is shown");
    assert!(page.contains("rqdash dropped"), "what was dropped is shown");
    let m = app.get("/metrics").await.text();
    assert!(m.contains("rqdash_storage_budget_bytes{instance=\"0\"} 2000000"), "{m}");
    assert!(m.contains("rqdash_storage_degradation_level{instance=\"0\"} 1"), "{m}");
    let archive = m
        .lines()
        .find(|l| l.starts_with("rqdash_storage_bytes{instance=\"0\",kind=\"archive\"}"))
        .expect("archive bytes");
    let bytes: u64 = archive.rsplit(' ').next().and_then(|b| b.parse().ok()).expect("a number");
    assert!(bytes > 0 && bytes < 2_000_000, "{archive}");
}

#[tokio::test]
async fn doctor_reports_what_rqdash_stores_and_finds_it_over_a_small_budget() {
    let r = trimmed().await;
    let out = run_expect(&r, &["doctor"], 0);
    assert!(!out.contains("Over the storage budget"), "{out}");
    assert!(out.contains("rqdash stores") && out.contains("budget 64.0 MB"), "{out}");
    let out = run_expect(&r, &["doctor", "--storage-max-memory", "1MB"], 3);
    assert!(out.contains("Over the storage budget"), "{out}");
    let o = crate::cli::rqdash_env(&r, &["doctor"], &[("RQDASH_STORAGE_MAX_MEMORY", "1MB")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(crate::cli::stdout(&o).contains("Over the storage budget"), "the variable sets it too");
    let json = crate::cli::json_expect(&r, &["doctor", "--json", "--storage-max-memory", "1MB"], 3);
    assert_eq!(json["storage"]["budget"], 1_000_000);
    assert!(json["storage"]["usage"]["archive"].as_u64().is_some_and(|b| b > 0), "{json}");
}

#[tokio::test]
async fn when_nothing_left_to_drop_brings_it_under_the_budget_the_tick_writes_nothing() {
    // 1 MB: the audit log alone is over it (the budget never drops audit entries), and there
    // is no queue to fold.
    let r = seeded();
    let mut con = r.conn();
    let mut p = redis::pipe();
    for _ in 0..3_000 {
        p.cmd("XADD").arg("rqdash:audit").arg("*").arg("action").arg("x".repeat(500)).ignore();
    }
    p.query::<()>(&mut con).expect("seed the audit log");
    let s = store(&r);
    let inst = s.instance(0).expect("instance");
    let limits = Limits { storage: Budget { max: Some(1_000_000) }, ..Limits::default() };
    let now = this_minute() + 30;
    let tick = history::sample(inst, &mut Sampler::new(Layout::default()).with_limits(limits), now)
        .await
        .expect("tick");
    assert!(tick.skipped);
    let st = state::read(inst, &Layout::default()).await.expect("read").expect("stored");
    assert_eq!(st.level, Level::WritesSkipped, "{st:?}");
    let all = format!("rqdash:history:m:{}:all", utc(now, "%Y%m%d%H"));
    assert!(!redis::Commands::exists::<_, bool>(&mut con, &all).expect("EXISTS"), "no history written");
}
