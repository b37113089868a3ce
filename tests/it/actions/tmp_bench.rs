use super::store;
use crate::support::{RedisServer, Rq};
use redis::Commands;
use rqdash::rq::State;
use rqdash::store::write;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn tmp_bench_requeue_all() {
    for n in [20000u32, 100000] {
        let r = RedisServer::start();
        let rq = Rq::new("2.12.0", &r);
        let code = super::concurrency::MAKE_FAILED_SRC.replace("20000", &n.to_string());
        rq.py(&code);
        let mut con = r.conn();
        let _: () =
            redis::cmd("CONFIG").arg("SET").arg("slowlog-log-slower-than").arg(0).query(&mut con).unwrap();
        let _: () = redis::cmd("CONFIG").arg("SET").arg("slowlog-max-len").arg(1000).query(&mut con).unwrap();
        let _: () = redis::cmd("SLOWLOG").arg("RESET").query(&mut con).unwrap();
        let s = store(&r);
        let inst = s.instance(0).unwrap();
        let t = Instant::now();
        let out = write::requeue_all(inst, "default", State::Failed, |_| {}, &CancellationToken::new())
            .await
            .unwrap();
        let took = t.elapsed();
        let raw: Vec<Vec<redis::Value>> = redis::cmd("SLOWLOG").arg("GET").arg(40).query(&mut con).unwrap();
        for e in raw.iter().take(40) { eprintln!("{:?} {:?}", e.get(2), e.get(3).map(|v| format!("{v:?}").chars().take(60).collect::<String>())); }
        let log: Vec<redis::Value> = redis::cmd("SLOWLOG").arg("GET").arg(1000).query(&mut con).unwrap();
        let mut evals = Vec::new();
        for e in &log {
            if let redis::Value::Array(a) = e {
                let d = match &a[2] {
                    redis::Value::Int(i) => *i,
                    _ => 0,
                };
                let is_eval = matches!(&a[3], redis::Value::Array(c) if matches!(&c[0], redis::Value::BulkString(b) if b.starts_with(b"evalsha") || b.starts_with(b"EVALSHA")));
                if is_eval {
                    evals.push(d);
                }
            }
        }
        let llen: u64 = con.llen("rq:queue:default").unwrap();
        eprintln!(
            "n={n} requeued={} llen={llen} took={} ms, script calls={}, redis time total={} ms, max single call={} us",
            out.requeued,
            took.as_millis(),
            evals.len(),
            evals.iter().sum::<i64>() / 1000,
            evals.iter().max().unwrap_or(&0)
        );
    }
}
