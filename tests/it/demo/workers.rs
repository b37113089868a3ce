//! A real `rq worker` of each pinned RQ version, started with the command the demo printed,
//! runs the demo's queued jobs while the simulated workers keep going: RQ reports them
//! finished, and some were run by the real worker.

use serde_json::Value;

use super::start;
use crate::support::Rq;
use crate::support::rq_worker::wait_until;

async fn a_real_rq_worker_runs_the_demos_queued_jobs(version: &'static str) {
    let demo = start(&[]);
    let mut con = demo.conn();
    let queued: Vec<String> =
        redis::cmd("LRANGE").arg("rq:queue:default").arg(0).arg(-1).query(&mut con).expect("LRANGE");
    assert!(queued.len() >= 5, "the demo queued jobs: {queued:?}");
    let rq = Rq::at(version, &demo.redis);
    let name = format!("real-{}", version.replace('.', "-"));
    // The printed command, as printed (`rq worker -u URL -S ... default`), in burst mode.
    let printed: Vec<&str> = demo.worker_command.iter().skip(1).map(String::as_str).collect();
    assert_eq!(printed[..4], ["worker", "-u", demo.redis.as_str(), "-S"]);
    let mut args = printed.clone();
    args.extend(["--burst", "-w", "rq.worker.SimpleWorker", "-n", &name]);
    rq.cli(&args);
    // A simulated worker may still hold one of them for a few seconds.
    wait_until(30, "every queued job to end", || {
        queued.iter().all(|id| {
            let s: Option<String> =
                redis::cmd("HGET").arg(format!("rq:job:{id}")).arg("status").query(&mut con).expect("HGET");
            !matches!(s.as_deref(), Some("queued" | "started"))
        })
    });
    let ids = serde_json::to_string(&queued).expect("json");
    let seen = rq.py(&format!(
        "from rq.job import Job\nfrom rq.serializers import JSONSerializer\nc = conn()\n\
         out({{i: [text(Job.fetch(i, connection=c, serializer=JSONSerializer).get_status()), \
         Job.fetch(i, connection=c, serializer=JSONSerializer).worker_name] for i in {ids}}})"
    ));
    let Value::Object(seen) = seen else { panic!("statuses: {seen}") };
    for id in &queued {
        assert_eq!(seen[id][0], "finished", "rq {version}: job {id}: {}", seen[id]);
    }
    let by_real = queued.iter().filter(|id| seen[id.as_str()][1] == name.as_str()).count();
    assert!(by_real > 0, "rq {version}: the real worker ran none of {}", queued.len());
    drop(demo);
}

for_each_rq_version!(a_real_rq_worker_runs_the_demos_queued_jobs);
