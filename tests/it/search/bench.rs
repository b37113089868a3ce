//! The benchmark behind `bench/search_bench.sh`: 100,000 failed jobs planted with literal keys
//! (job hash, registry entry, results-stream entry with a ~0.6 kB zlib+base64 traceback, as RQ
//! writes them), ten kinds of exception whose messages differ in numbers, ids and quoted values;
//! then the time to the first page of hits, full scans at the default budget, collecting every
//! match, an id-prefix SCAN, and computing the failure groups. Ignored: run it in release.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use base64::Engine;
use tokio_util::sync::CancellationToken;

use rqdash::store::Instance;
use rqdash::store::failure_groups::compute;
use rqdash::store::search::collect::collect;
use rqdash::store::search::{Budget, search};

use super::{query, store};
use crate::support::RedisServer;

const KINDS: [(&str, &str); 10] = [
    ("send_email", "TimeoutError: Timeout after {n}s"),
    ("sync_orders", "ConnectionError: Error 111 connecting to db-{n}.internal:5432. Connection refused."),
    ("load_user", "KeyError: 'user_{n}'"),
    ("parse_row", "ValueError: invalid literal for int() with base 10: 'x{n}'"),
    ("charge_card", "app.errors.PaymentDeclined: card for 'cust-{n}' declined: code {n}"),
    ("ratio", "ZeroDivisionError: division by zero"),
    (
        "fetch_items",
        "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://api.example.com/v1/items/{n}",
    ),
    ("renew_lock", "RuntimeError: job {hex} lost its lock after {n} ms"),
    ("export_csv", "PermissionError: [Errno 13] Permission denied: '/data/reports/{n}.csv'"),
    ("render_report", "ValueError: Berichtsvorlage »Übersicht« fehlt – Zeile {n}"),
];

fn traceback(func: &str, line: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/app/.venv/lib/python3.11/site-packages/rq/worker.py\", line 1431, in perform_job\n    rv = job.perform()\n  File \"/app/.venv/lib/python3.11/site-packages/rq/job.py\", line 1280, in perform\n    self._result = self._execute()\n  File \"/app/.venv/lib/python3.11/site-packages/rq/job.py\", line 1317, in _execute\n    result = self.func(*self.args, **self.kwargs)\n  File \"/app/bench_tasks.py\", line 42, in {func}\n    raise_for(item)\n  File \"/app/bench_tasks.py\", line 17, in raise_for\n    raise error\n{line}\n"
    )
}

fn b64_zlib(text: &str) -> String {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(text.as_bytes()).expect("zlib");
    base64::engine::general_purpose::STANDARD.encode(z.finish().expect("zlib"))
}

/// Plant `n` failed jobs in queue `big` spread over the last two days; returns the seconds it took.
fn plant(r: &RedisServer, n: usize) -> f64 {
    let t = Instant::now();
    let mut con = r.conn();
    let _: () = redis::cmd("SADD").arg("rq:queues").arg("rq:queue:big").query(&mut con).expect("SADD");
    let now = rqdash::rq::time::now_epoch();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut p = redis::pipe();
        for &i in chunk {
            let (func, exc) = KINDS[i % KINDS.len()];
            let line =
                exc.replace("{n}", &(i % 997).to_string()).replace("{hex}", &format!("{:032x}", i * 7919));
            let id = format!("{:08x}-bench-{i:06}", i * 2_654_435_761 % 4_294_967_291);
            let ended = now - 172_800.0 + 172_800.0 * i as f64 / n as f64;
            let ts = |s: f64| rqdash::rq::time::from_epoch(s).unwrap_or_default();
            p.cmd("HSET").arg(format!("rq:job:{id}")).arg("status").arg("failed").arg("origin").arg("big");
            p.arg("description").arg(format!("bench_tasks.{func}({i}, retries=3)")).arg("data").arg("x");
            p.arg("created_at").arg(ts(ended - 5.0)).arg("enqueued_at").arg(ts(ended - 4.0));
            p.arg("started_at").arg(ts(ended - 1.0)).arg("ended_at").arg(ts(ended));
            p.arg("worker_name").arg(format!("w-{}", i % 7)).ignore();
            p.cmd("ZADD").arg("rq:failed:big").arg(ended + 31_536_000.0).arg(&id).ignore();
            p.cmd("XADD").arg(format!("rq:results:{id}")).arg("*").arg("type").arg("2");
            p.arg("exc_string").arg(b64_zlib(&traceback(func, &line))).arg("worker_name").arg("w-1").ignore();
        }
        let _: () = p.query(&mut con).expect("plant");
    }
    t.elapsed().as_secs_f64()
}

/// Page through a whole search at the default budget: (seconds, requests, slowest request, hits).
async fn full_scan(inst: &Instance, text: &str) -> (f64, usize, f64, usize) {
    let q = query(text);
    let (t, mut requests, mut slowest, mut hits, mut cursor) = (Instant::now(), 0, 0.0f64, 0, None::<String>);
    loop {
        let r = Instant::now();
        let p = search(inst, &q, cursor.as_deref(), Budget::default()).await.expect("search");
        slowest = slowest.max(r.elapsed().as_secs_f64());
        requests += 1;
        hits += p.hits.len();
        if p.done {
            return (t.elapsed().as_secs_f64(), requests, slowest, hits);
        }
        cursor = p.cursor;
    }
}

#[tokio::test]
#[ignore = "benchmark: bash bench/search_bench.sh"]
async fn search_and_groups_over_100k_failed_jobs() {
    let n: usize = std::env::var("SEARCH_BENCH_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let r = RedisServer::start();
    let seeded = plant(&r, n);
    let store = store(&r);
    let inst = store.instance(0).expect("instance");
    let mut out = String::new();
    let _ = writeln!(out, "Failed jobs: {n} in one queue, planted in {seeded:.1} s.\n");
    let _ = writeln!(out, "| Scenario | Result | Time |\n|---|---|---|");
    for text in ["exc:timeout", "func:charge_card", "worker:w-3 exc:\"lost its lock\"", "übersicht"] {
        let t = Instant::now();
        let p = search(inst, &query(text), None, Budget::default()).await.expect("first page");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let row = format!("{} hits, scanned {} of {}", p.hits.len(), p.scanned, p.total);
        let _ = writeln!(out, "| first page of `{text}` | {row} | {ms:.0} ms |");
    }
    for text in ["exc:\"no such text\"", "func:no_such_function", "state:failed after:1h"] {
        let (secs, requests, slowest, hits) = full_scan(inst, text).await;
        let row = format!("{hits} hits, {requests} requests, slowest {:.0} ms", slowest * 1e3);
        let _ = writeln!(out, "| full scan of `{text}` | {row} | {secs:.2} s |");
    }
    let t = Instant::now();
    let c = collect(inst, &query("state:failed exc:timeout"), |_| {}, &CancellationToken::new())
        .await
        .expect("collect");
    let _ = writeln!(
        out,
        "| select all matching `state:failed exc:timeout` | {} ids | {:.2} s |",
        c.count,
        t.elapsed().as_secs_f64()
    );
    let (secs, requests, slowest, hits) = full_scan(inst, "id:ffffffff-none*").await;
    let row = format!("{hits} hits, {requests} requests (SCAN), slowest {:.0} ms", slowest * 1e3);
    let _ = writeln!(out, "| id prefix across all keys `id:ffffffff-none*` | {row} | {secs:.2} s |");
    let t = Instant::now();
    let snap = compute(inst, None, |_| {}).await.expect("groups");
    let _ = writeln!(
        out,
        "| failure groups of all {} failed jobs | {} groups, largest {} | {:.2} s |",
        snap.scanned,
        snap.groups.len(),
        snap.groups.first().map_or(0, |g| g.count),
        t.elapsed().as_secs_f64()
    );
    assert_eq!(snap.groups.len(), KINDS.len(), "numbers, ids and quoted values are masked");
    assert_eq!(c.count as usize, n.div_ceil(KINDS.len()));
    println!("\n{out}");
    if let Ok(path) = std::env::var("SEARCH_BENCH_OUT") {
        std::fs::write(path, out).expect("write results");
    }
}
