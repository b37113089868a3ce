//! Bench helper for `bench/sampler_cost.sh`: the history sampler alone, one tick per stdin line.
//!
//! `serve` runs the health task at the sampler's period too, so Redis deltas around a serve tick
//! would mix both. This runs the library's [`sample`] (what serve's sampler task runs) with one
//! [`Sampler`] kept across ticks, as serve keeps it, and nothing else: the driver reads
//! `INFO` before and after each tick with no other client at work. Usage:
//! `sampler_tick --redis-url redis://127.0.0.1:PORT/0`, then write one line per tick; each
//! prints one JSON line.

use std::io::BufRead;
use std::time::Instant;

use rqdash::config::Cli;
use rqdash::rq::time;
use rqdash::store::Store;
use rqdash::store::history::{Layout, Sampler, sample};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = rqdash::config::try_parse_from(std::env::args_os(), |k| std::env::var(k).ok())?;
    let Cli { redis, .. } = cli;
    let store = Store::from_args(&redis)?;
    let inst = store.instance(0)?;
    let mut sampler = Sampler::new(Layout::default());
    for line in std::io::stdin().lock().lines() {
        line?;
        let now = time::now_epoch() as i64;
        let start = Instant::now();
        let t = sample(inst, &mut sampler, now).await?;
        let line = serde_json::json!({
            "now": now,
            "queues": t.queues,
            "minute_rows": t.written.minute_rows,
            "function_rows": t.function_rows,
            "archived": t.archived,
            "wall_ms": start.elapsed().as_secs_f64() * 1000.0,
        });
        println!("{line}");
    }
    Ok(())
}
