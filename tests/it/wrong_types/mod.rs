//! Every key rqdash reads, holding in turn every type but its own, on data made by the real RQ:
//! no route answers 5xx, the other queues stay listed, the CLI exits cleanly, and the sampler
//! still records. One redis-server for all the cases: the dataset is restored between them.

mod actions;
mod named;
mod routes;
mod side;

use std::sync::Arc;
use std::time::Instant;

use redis::Commands;

use crate::support::{Fixture, TestApp};

/// The six Redis types a key can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    List,
    Set,
    Hash,
    Zset,
    Stream,
}

const KINDS: [Kind; 6] = [Kind::String, Kind::List, Kind::Set, Kind::Hash, Kind::Zset, Kind::Stream];

/// Replace `key` with a value of `kind` (contents that look like RQ's, so nothing but the type is wrong).
fn plant(con: &mut redis::Connection, key: &str, kind: Kind) {
    let _: () = con.del(key).expect("DEL");
    let mut c = redis::cmd(match kind {
        Kind::String => "SET",
        Kind::List => "RPUSH",
        Kind::Set => "SADD",
        Kind::Hash => "HSET",
        Kind::Zset => "ZADD",
        Kind::Stream => "XADD",
    });
    c.arg(key);
    match kind {
        Kind::String | Kind::List | Kind::Set => c.arg("rq:queue:default"),
        Kind::Hash => c.arg("status").arg("failed"),
        Kind::Zset => c.arg(1).arg("fail-zero"),
        Kind::Stream => c.arg("*").arg("type").arg("2"),
    };
    let _: () = c.query(con).expect("plant a wrong type");
}

/// Every key a page, an API, an action, the CLI or the sampler reads, with the type RQ gives it.
/// Queue `default`, jobs in every state and both kinds of workers of the fixture; the others
/// (`high`, `low`, ...) must stay visible whatever happens to these.
fn keys(hour: &str) -> Vec<(String, Kind)> {
    use Kind::{Hash, List, Set, Stream, Zset};
    let mut k: Vec<(String, Kind)> = vec![
        ("rq:queues".into(), Set),
        ("rq:workers".into(), Set),
        ("rq:suspended".into(), Kind::String),
        ("rq:queue:default".into(), List),
        ("rq:queue:default:intermediate".into(), List),
        ("rq:workers:default".into(), Set),
        ("rq:job:dep-parent-a:dependents".into(), Set),
        ("rq:job::dep-child-2:dependencies".into(), Set),
        ("rq:executions:busy-1".into(), Zset),
        ("rq:worker:fixture-busy:executions".into(), Set),
        (format!("rqdash:history:m:{hour}:q:default"), Hash),
        (format!("rqdash:history:m:{hour}:all"), Hash),
    ];
    for r in ["wip", "finished", "failed", "deferred", "scheduled", "canceled", "ready"] {
        k.push((format!("rq:{r}:default"), Zset));
    }
    for id in routes::JOBS {
        k.push((format!("rq:job:{id}"), Hash));
        k.push((format!("rq:results:{id}"), Stream));
    }
    for w in routes::WORKERS {
        k.push((format!("rq:worker:{w}"), Hash));
    }
    k
}

/// The whole dataset as DUMP payloads, restored without expiry (nothing may expire mid-test).
struct Snapshot(Vec<(Vec<u8>, Vec<u8>)>);

impl Snapshot {
    fn take(con: &mut redis::Connection) -> Self {
        let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(con).expect("KEYS");
        let dumps = keys
            .into_iter()
            .filter_map(|k| {
                let d: Option<Vec<u8>> = redis::cmd("DUMP").arg(&k).query(con).expect("DUMP");
                Some((k, d?))
            })
            .collect();
        Self(dumps)
    }

    fn restore(&self, con: &mut redis::Connection) {
        let mut p = redis::pipe();
        p.cmd("FLUSHDB").ignore();
        for (k, d) in &self.0 {
            p.cmd("RESTORE").arg(k).arg(0).arg(d).arg("REPLACE").ignore();
        }
        let _: () = p.query(con).expect("restore the dataset");
    }
}

/// The UTC hour of now as the history layout names it (`yyyymmddhh`).
fn hour_now() -> String {
    jiff::Timestamp::now().strftime("%Y%m%d%H").to_string()
}

/// Cases run side by side, each lane in its own database of the one server (a lane's process
/// spawns and waits overlap the others' work).
const LANES: usize = 4;

/// One planted key: (key, the type planted, the type RQ keeps there).
type Case = (String, Kind, Kind);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_key_of_a_wrong_type_is_shown_as_corrupt_and_never_answers_5xx() {
    let server = Fixture::get("3.0.0").server();
    let snapshot = Arc::new(Snapshot::take(&mut server.conn()));
    let started = Instant::now();
    let cases: Vec<Case> = keys(&hour_now())
        .into_iter()
        .flat_map(|(key, right)| {
            KINDS.into_iter().filter(move |k| *k != right).map(move |kind| (key.clone(), kind, right))
        })
        .collect();
    assert!(cases.len() > 150, "every key times every wrong type: {}", cases.len());
    let lanes: Vec<_> = (0..LANES)
        .map(|db| {
            let lane: Vec<Case> = cases.iter().skip(db).step_by(LANES).cloned().collect();
            tokio::spawn(run_lane(format!("{}?db={db}", server.url()), Arc::clone(&snapshot), lane))
        })
        .collect();
    let mut failures = Vec::new();
    for lane in lanes {
        failures.extend(lane.await.expect("lane finished"));
    }
    eprintln!("{} wrong-type cases in {:?}", cases.len(), started.elapsed());
    assert!(
        failures.is_empty(),
        "{} failures, the first 60:\n{}",
        failures.len(),
        failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Each case on a fresh copy of the dataset in database `url`'s db: plant, check, hit everything.
async fn run_lane(url: String, snapshot: Arc<Snapshot>, cases: Vec<Case>) -> Vec<String> {
    let mut con = redis::Client::open(url.as_str()).and_then(|c| c.get_connection()).expect("connect");
    let mut failures = Vec::new();
    for (key, kind, right) in cases {
        snapshot.restore(&mut con);
        plant(&mut con, &key, kind);
        let app = TestApp::new(&url);
        let mut found = named::named(&app, &key, kind, right).await;
        found.extend(routes::hit_every_route(&app, &url, &key).await);
        app.shutdown.cancel();
        failures.extend(found.into_iter().map(|f| format!("[{key} as a {kind:?}] {f}")));
    }
    failures
}
