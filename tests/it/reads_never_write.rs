//! Every read endpoint leaves Redis byte-for-byte unchanged and issues no write command.

use redis::Commands;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::probe::{READ_COMMANDS, commands_used, digest, reset};
use crate::support::{CronFixture, FAR, Fixture, Limits, RQ_VERSIONS, RedisServer, TestApp, seg};

/// Hit every read endpoint for every queue, state, job and worker the server holds.
async fn hit_everything(app: &TestApp, con: &mut redis::Connection) {
    let q = app.get_json("/api/v1/queues").await;
    for queue in q["queues"].as_array().into_iter().flatten() {
        let name = queue["name"].as_str().unwrap_or_default();
        for state in ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled", "ready"]
        {
            for order in ["asc", "desc"] {
                let page = app
                    .get_json(&format!(
                        "/api/v1/queues/{}/jobs?state={state}&order={order}&per_page=500",
                        seg(name)
                    ))
                    .await;
                for job in page["jobs"].as_array().into_iter().flatten() {
                    let id = job["id"].as_str().unwrap_or_default();
                    let r = app.get(&format!("/api/v1/jobs/{}", seg(id))).await;
                    assert!(r.status == 200 || r.status == 404, "job {id}: {}", r.text());
                }
            }
        }
    }
    let keys: Vec<String> = con.keys("rq:job:*").expect("KEYS");
    for k in keys {
        let id = k.trim_start_matches("rq:job:");
        let _ = app.get(&format!("/api/v1/jobs/{}", seg(id))).await;
    }
    let rl = app.get_json("/api/v1/rate-limits").await;
    for key in rl["keys"].as_array().into_iter().flatten() {
        let key = seg(key["key"].as_str().unwrap_or_default());
        for q in ["", "&order=desc", "&queue=api"] {
            assert_eq!(app.get(&format!("/api/v1/rate-limits/{key}?per_page=500{q}")).await.status, 200);
            assert_eq!(app.get(&format!("/rate-limits/{key}?per_page=500{q}")).await.status, 200);
        }
    }
    let groups: Vec<String> = con.smembers("rq:groups").expect("SMEMBERS");
    for g in groups {
        assert_eq!(app.get(&format!("/api/v1/groups/{}", seg(&g))).await.status, 200, "group {g}");
        assert_eq!(app.get(&format!("/groups/{}", seg(&g))).await.status, 200, "group {g}");
    }
    for q in ["/rate-limits", "/rate-limits?queue=api"] {
        assert_eq!(app.get(q).await.status, 200, "{q}");
    }
    app.get_json("/api/v1/workers").await;
    app.get_json("/api/v1/schedulers").await;
    app.get_json("/api/v1/redis").await;
    app.get_json("/api/v1/instances").await;
    for page in
        ["/", "/workers", "/failed", "/schedulers", "/metrics", "/0/data/queues.json", "/0/data/workers.json"]
    {
        let r = app.get(page).await;
        assert_eq!(r.status, 200, "{page}");
    }
}

async fn assert_reads_write_nothing(server: &RedisServer) {
    let mut con = server.conn();
    let before = digest(&mut con);
    let app = TestApp::new(&server.url());
    reset(&mut con);
    hit_everything(&app, &mut con).await;
    let used = commands_used(&mut con);
    let writes: Vec<&String> =
        used.iter().filter(|c| !READ_COMMANDS.contains(&c.as_str()) && *c != "keys").collect();
    assert!(writes.is_empty(), "reads issued other commands: {writes:?}");
    assert_eq!(digest(&mut con), before, "the dataset changed");
}

#[tokio::test]
async fn reading_planted_data_with_orphans_changes_nothing() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "a", "queued", "default");
    let _: () = con.rpush("rq:queue:default", &["a", "ghost-q"][..]).expect("RPUSH");
    let _: () = con.zadd("rq:failed:default", "ghost-f", FAR).expect("ZADD");
    let _: () = con.sadd("rq:workers", "rq:worker:gone").expect("SADD");
    assert_reads_write_nothing(&r).await;
}

#[tokio::test]
async fn reading_rq_3_rate_limits_held_jobs_and_their_queue_counts_changes_nothing() {
    let r = RedisServer::start();
    let l = Limits::make(&r);
    l.freeze();
    assert_reads_write_nothing(&r).await;
}

#[tokio::test]
async fn reading_real_rq_data_of_every_version_changes_nothing() {
    for v in RQ_VERSIONS {
        let server = Fixture::get(v).server();
        assert_reads_write_nothing(&server).await;
    }
}

#[tokio::test]
async fn reading_schedulers_made_by_real_rq_processes_changes_nothing() {
    for v in RQ_VERSIONS {
        // A killed `rq cron` (RQ's own CronScheduler.all() would clean it up), overdue jobs, a lock.
        let server = CronFixture::get(v).server();
        assert_reads_write_nothing(&server).await;
    }
}
