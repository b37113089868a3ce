//! The simulated workers, as RQ 2.12's write themselves: birth, heartbeats, and each job's
//! dequeue and end (the outcome is what [`pyfunc`] says the call returns or raises).

use jiff::{SignedDuration, Timestamp};

use super::catalog::{BILLING, DEFAULT, EMAILS, REPORTS, Rng};
use super::pyfunc::{self, Outcome};
use super::{Demo, SCRIPTS, a, encode};
use crate::rq::decode::decode_job_data;
use crate::rq::time;
use crate::store::{Result, value};

/// RQ's heartbeat TTL of a running job: min(timeout, job_monitoring_interval 30) + 60.
const BUSY_TTL: i64 = 90;
/// RQ's TTL of an idle worker: worker_ttl 420 + 60.
const IDLE_TTL: i64 = 480;
/// Seconds between heartbeats: RQ's job_monitoring_interval while busy; idle RQ workers beat
/// at each dequeue (every 405 s when blocked): the demo's beat a little more often.
const BUSY_BEAT: i64 = 30;
const IDLE_BEAT: i64 = 60;

/// The simulated RQ 2.12 worker process.
const VERSION: &str = "2.12.0";
const PYTHON: &str = "3.11.9 (main, Aug 13 2024, 02:18:20) [GCC 12.2.0]";
pub(super) const HOSTNAME: &str = "rqdash-demo";

pub(super) struct SimWorker {
    pub name: String,
    pub queues: Vec<usize>,
    pub pid: u32,
    port: u16,
    pub birth: String,
    running: Option<Running>,
    next_beat: i64,
}

struct Running {
    id: String,
    eid: String,
    started: Timestamp,
    ends: Timestamp,
    outcome: Outcome,
}

/// Four workers, each with its queues in priority order (a worker serves its first queue
/// whenever it holds jobs, as RQ's dequeue does).
pub(super) fn workers(rng: &mut Rng) -> Vec<SimWorker> {
    let orders = [
        vec![EMAILS, DEFAULT],
        vec![DEFAULT, EMAILS],
        vec![REPORTS, DEFAULT],
        vec![BILLING, EMAILS, DEFAULT],
    ];
    orders
        .into_iter()
        .map(|queues| SimWorker {
            name: encode::uuid4(rng.u128(), false),
            queues,
            pid: u32::try_from(rng.int(2_000, 60_000)).unwrap_or(4242),
            port: u16::try_from(rng.int(40_000, 60_000)).unwrap_or(50_000),
            birth: String::new(),
            running: None,
            next_beat: 0,
        })
        .collect()
}

impl Demo {
    /// The worker's registration fields (Worker.serialize), in RQ's order.
    fn registration(&self, w: &SimWorker) -> Vec<(String, String)> {
        let queues: Vec<&str> = w.queues.iter().map(|q| self.queues[*q].as_str()).collect();
        vec![
            ("birth".into(), w.birth.clone()),
            ("last_heartbeat".into(), w.birth.clone()),
            ("queues".into(), queues.join(",")),
            ("pid".into(), w.pid.to_string()),
            ("hostname".into(), HOSTNAME.into()),
            ("ip_address".into(), format!("127.0.0.1:{}", w.port)),
            ("version".into(), VERSION.into()),
            ("python_version".into(), PYTHON.into()),
        ]
    }

    /// RQ's register_birth for every worker, at `t`, then state `started`.
    pub(super) async fn births(&mut self, t: Timestamp) -> Result<()> {
        for w in &mut self.workers {
            w.birth = time::format(t);
        }
        let inst = self.inst()?;
        let k = &inst.keys;
        let mut p = redis::pipe();
        p.atomic();
        for w in &self.workers {
            let key = k.worker(&w.name);
            p.cmd("DEL").arg(&key).ignore();
            p.cmd("HSET").arg(&key).arg(self.registration(w)).ignore();
            p.cmd("SADD").arg(k.workers()).arg(&key).ignore();
            for q in &w.queues {
                p.cmd("SADD").arg(k.queue_workers(&self.queues[*q])).arg(&key).ignore();
            }
            p.cmd("EXPIRE").arg(&key).arg(IDLE_TTL).ignore();
            p.cmd("HSET").arg(&key).arg("state").arg("started").ignore();
        }
        inst.query::<()>(&p).await
    }

    /// Worker `i` at `t`: finish, take the next job, heartbeat.
    pub(super) async fn step(&mut self, i: usize, t: Timestamp, replay: bool) -> Result<()> {
        let due = self.workers[i].running.as_ref().is_some_and(|r| r.ends <= t);
        if due && let Some(r) = self.workers[i].running.take() {
            self.finish(i, r, t, replay).await?;
            self.workers[i].next_beat = 0;
        }
        if self.workers[i].running.is_none() {
            self.start(i, t).await?;
        }
        if t.as_second() >= self.workers[i].next_beat {
            self.heartbeat(i, t).await?;
        }
        Ok(())
    }

    async fn start(&mut self, i: usize, t: Timestamp) -> Result<()> {
        let eid = encode::uuid4(self.rng.u128(), false);
        let w = &self.workers[i];
        let mut argv = vec![a(&w.name), a(&eid), a(now_f(t)), a(BUSY_TTL.to_string())];
        argv.extend(w.queues.iter().map(|q| a(&self.queues[*q])));
        let reply = self.call(&SCRIPTS.start, t, &argv).await?;
        let items = value::array(&reply);
        let (Some(id), Some(q)) =
            (items.first().and_then(value::string), items.get(1).and_then(value::string))
        else {
            return Ok(());
        };
        let data = items.get(2).and_then(value::bytes).unwrap_or_default();
        let outcome = match decode_job_data(&data) {
            Ok(call) => pyfunc::run(&call),
            Err(_) => {
                Outcome::Raise { traceback: "rq.exceptions.DeserializationError: not JSON job data\n".into() }
            }
        };
        let secs = match self.queues.iter().position(|x| *x == q).unwrap_or(DEFAULT) {
            REPORTS => self.rng.float(4.0, 25.0),
            EMAILS => self.rng.float(0.5, 2.0),
            BILLING => self.rng.float(1.0, 4.0),
            _ => self.rng.float(0.5, 3.0),
        };
        let ends = t + SignedDuration::from_secs_f64(secs);
        self.workers[i].running = Some(Running { id, eid, started: t, ends, outcome });
        self.workers[i].next_beat = t.as_second() + BUSY_BEAT;
        Ok(())
    }

    async fn finish(&mut self, i: usize, r: Running, t: Timestamp, replay: bool) -> Result<()> {
        let (kind, payload) = match &r.outcome {
            Outcome::Return(v) => ("ok", v.as_ref().map(encode::b64_json).unwrap_or_default()),
            Outcome::Raise { traceback } => ("fail", encode::b64_exc(traceback)),
        };
        let worked = (t - r.started).as_secs_f64();
        let entry = if replay { format!("{}-0", t.as_millisecond()) } else { "*".to_owned() };
        let argv = vec![
            a(&self.workers[i].name),
            a(&r.id),
            a(&r.eid),
            a(kind),
            a(payload),
            a(now_f(r.started)),
            a(now_f(t)),
            a(encode::py_float(worked)),
            a(entry),
        ];
        self.call(&SCRIPTS.finish, t, &argv).await?;
        Ok(())
    }

    /// RQ's heartbeat (idle) or maintain_heartbeats (busy) for worker `i`.
    pub(super) async fn heartbeat(&mut self, i: usize, t: Timestamp) -> Result<()> {
        let w = &self.workers[i];
        let (ttl, id, eid, worked) = match &w.running {
            Some(r) => (BUSY_TTL, r.id.clone(), r.eid.clone(), (t - r.started).as_secs_f64()),
            None => (IDLE_TTL, String::new(), String::new(), 0.0),
        };
        let mut argv =
            vec![a(&w.name), a(ttl.to_string()), a(id), a(eid), a(now_f(t)), a(encode::py_float(worked))];
        for (f, v) in self.registration(w) {
            argv.extend([a(f), a(v)]);
        }
        self.call(&SCRIPTS.heartbeat, t, &argv).await?;
        let every = if self.workers[i].running.is_some() { BUSY_BEAT } else { IDLE_BEAT };
        self.workers[i].next_beat = t.as_second() + every;
        Ok(())
    }

    /// Heartbeat every worker now (after the replay, and after the machine slept).
    pub(super) async fn beat_all(&mut self, t: Timestamp) -> Result<()> {
        for i in 0..self.workers.len() {
            self.heartbeat(i, t).await?;
        }
        Ok(())
    }
}

/// `t` as the float seconds RQ writes in executions and results.
fn now_f(t: Timestamp) -> String {
    encode::py_float(encode::micros_to_secs(t.as_microsecond()))
}
