//! Worker pools: a real `rq worker-pool -n 3` beside one named worker; the API and the page
//! group exactly the pool's workers (RQ records no pool id: rqdash infers it).

use redis::Commands;

use crate::support::rq_worker::{Rq, kill_group, wait_until};
use crate::support::{RedisServer, TestApp};

#[tokio::test]
async fn the_three_workers_of_a_real_worker_pool_are_grouped_and_a_named_worker_is_not() {
    for version in ["2.12.0", "3.0.0"] {
        let server = RedisServer::start();
        let rq = Rq::new(version, &server);
        let mut con = server.conn();
        let pool = rq.spawn_pool(&["-n", "3", "poolq", "otherq"]);
        let mut named = rq.spawn_quiet_worker(&["-n", "solo", "poolq", "otherq"]);
        wait_until(60, "3 pool workers and the named one to register", || {
            con.scard::<_, usize>("rq:workers").unwrap_or(0) == 4
        });
        let app = TestApp::new(&server.url());
        let api = app.get_json("/api/v1/workers").await;
        let _ = named.kill();
        let _ = named.wait();
        kill_group(pool);

        let workers = api["workers"].as_array().expect("workers");
        assert_eq!(workers.len(), 4, "rq {version}: {api}");
        let host = workers[0]["hostname"].as_str().expect("hostname").to_owned();
        let label = format!("pool on {host} (poolq, otherq)");
        let mut pooled: Vec<&str> = workers
            .iter()
            .filter(|w| w["pool"] == label.as_str())
            .filter_map(|w| w["name"].as_str())
            .collect();
        pooled.sort_unstable();
        assert_eq!(pooled.len(), 3, "rq {version}: {api}");
        assert!(pooled.iter().all(|n| n.len() == 32), "uuid4 hex names: {pooled:?}");
        let solo = workers.iter().find(|w| w["name"] == "solo").expect("the named worker");
        assert!(solo["pool"].is_null(), "rq {version}: {solo}");
        let pools = api["pools"].as_array().expect("pools");
        assert_eq!(pools.len(), 1, "rq {version}: {api}");
        assert_eq!(pools[0]["label"], label.as_str());
        assert_eq!(pools[0]["hostname"], host.as_str());
        assert_eq!(pools[0]["queues"], serde_json::json!(["poolq", "otherq"]));
        let members: Vec<&str> =
            pools[0]["workers"].as_array().expect("members").iter().filter_map(|n| n.as_str()).collect();
        assert_eq!(members, pooled);

        // The page: one heading for the pool, its tooltip, and the named worker outside it.
        let page = app.get("/workers").await;
        let html = page.text();
        assert_eq!(page.status, 200);
        let heading = format!("{label}, 3 workers");
        let at = html.find(&heading).unwrap_or_else(|| panic!("rq {version}: no pool heading in {html}"));
        assert!(html.contains("RQ records no pool id"), "the tooltip says the grouping is inferred");
        let solo_at = html.find("w-solo").expect("the named worker's row");
        assert!(solo_at < at, "the named worker is listed before (outside) the pool's section");
        for n in &pooled {
            assert!(html[at..].contains(&format!("w-{n}")), "pool member {n} under the pool heading");
        }

        // The command line says the same, and that the grouping is inferred.
        let out = crate::cli::run_expect(&server, &["workers"], 0);
        assert!(out.contains(&format!("{label}, 3 workers (inferred")), "rq {version}: {out}");
    }
}
