//! The health task: alongside the history sampler, at its period, each instance is judged, the
//! report kept for pages, `/api/v1/health` and `/metrics`, and a change of verdict alerted.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::alerter::Alerter;
use crate::store::history::MIN_PERIOD;
use crate::store::{Store, verdict};

/// Start one task per instance, judging every `period` (at least the sampler's minimum) until
/// `shutdown`; `alerter` None only judges. A failing read is logged once per outage.
pub fn spawn(
    store: Store,
    cache: Arc<verdict::Cache>,
    alerter: Option<Alerter>,
    period: Duration,
    shutdown: CancellationToken,
) -> Vec<JoinHandle<()>> {
    let period = period.max(MIN_PERIOD);
    (0..store.instances().len())
        .map(|index| {
            let (store, cache, alerter, shutdown) = (store.clone(), cache.clone(), alerter.clone(), shutdown.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(period);
                tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
                let mut failing = false;
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        () = shutdown.cancelled() => return,
                    }
                    let Ok(inst) = store.instance(index) else { return };
                    let judged = async {
                        let r = cache.judge(inst).await?;
                        // Reused until the next tick is due (a slow tick: pages read their own).
                        let r = cache.put_for(r, period + Duration::from_secs(5));
                        match &alerter {
                            Some(a) => a.tick(&store, &r).await.map(drop),
                            None => Ok(()),
                        }
                    };
                    let result = tokio::select! {
                        r = judged => r,
                        () = shutdown.cancelled() => return,
                    };
                    match result {
                        Ok(()) => failing = false,
                        Err(e) if !failing => {
                            failing = true;
                            tracing::warn!(instance = index, error = %e, "health verdicts failed; retrying every tick");
                        }
                        Err(_) => {}
                    }
                }
            })
        })
        .collect()
}
