#!/usr/bin/env python3
"""Redis CPU of rqdash's history sampler per tick and per job, next to RQ's own per job.

Driven by bench/sampler_cost.sh (which starts the private redis-server and builds the
sampler_tick example). Three parts, all on that Redis:

1. RQ's own cost: ``--rq-jobs`` jobs of the 200 ``sampler_tasks`` functions (5 % failing) are
   enqueued with ``Queue.enqueue`` and run by a real ``SimpleWorker`` in burst mode over 10
   queues. The Redis main thread's CPU (INFO cpu) is read around each phase. Then FLUSHALL.
2. Seed: ``--queues`` queues (3 queued jobs each, ``Queue.enqueue_job``) and the jobs that
   ended in the last ``--seed-seconds`` at ``--rate`` a minute, written with RQ's own calls for
   an outcome (the worker's ``_handle_success`` / ``_handle_failure`` plus the cleanup expiry,
   as bench/seed.py does), with RQ's default ttls (result 500 s, failure 1 year). The registry
   score and the expiries are then set as RQ sets them when the job ends (ZADD XX int(end) +
   ttl, EXPIREAT end + ttl): seeded jobs are written minutes after their end, and live ones a few
   seconds after (the writer catches up after each tick).
3. Ticks: the sampler_tick example runs the library's ``history::sample`` once per line.
   Between ticks the writer keeps jobs ending at ``--rate`` a minute (same calls), and pauses
   for each tick, so only the sampler talks to Redis during it: INFO cpu and commandstats are
   read right before and after, less the idle CPU of the second just before.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

from redis import Redis
from rq import Queue, SimpleWorker
from rq import __version__ as rq_version
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.results import Result

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sampler_floor  # noqa: E402
import sampler_tasks  # noqa: E402

RESULT_TTL = 500  # rq.defaults.DEFAULT_RESULT_TTL
FAILURE_TTL = 31_536_000  # rq.defaults.DEFAULT_FAILURE_TTL
TB = ('Traceback (most recent call last):\n  File "/srv/app/.venv/lib/python3.11/site-packages/rq/job.py", '
      'line 1428, in _execute\n    result = self.func(*self.args, **self.kwargs)\n  File "/srv/app/'
      'sampler_tasks.py", line 13, in task\n    raise ValueError(f"order {order} rejected")\n'
      'ValueError: order {order} rejected by {func}\n')


def cpu(r: Redis) -> float:
    """Seconds of CPU of Redis' main thread so far."""
    i = r.info("cpu")
    return float(i["used_cpu_user_main_thread"]) + float(i["used_cpu_sys_main_thread"])


def stats(r: Redis) -> dict:
    return {k[len("cmdstat_"):]: (v["calls"], v["usec"]) for k, v in r.info("commandstats").items()}


def diff(a: dict, b: dict) -> dict:
    out = {}
    for k, (calls, usec) in b.items():
        c0, u0 = a.get(k, (0, 0))
        if calls - c0:
            out[k] = (calls - c0, usec - u0)
    return out


def measure_rq(r: Redis, n: int) -> dict:
    """RQ's own Redis CPU per job: enqueue, then a real SimpleWorker (burst) runs them."""
    qs = [Queue(f"rqc-{i}", connection=r) for i in range(10)]
    rnd = random.Random(1)
    c0, s0 = cpu(r), stats(r)
    for k in range(n):
        f = getattr(sampler_tasks, f"f{rnd.randrange(200):03d}")
        qs[k % 10].enqueue(f, k, fail=rnd.random() < 0.05)
    c1, s1 = cpu(r), stats(r)
    SimpleWorker(qs, connection=r).work(burst=True, logging_level="CRITICAL")
    c2, s2 = cpu(r), stats(r)
    done = sum(FinishedJobRegistry(q.name, connection=r).count for q in qs)
    failed = sum(FailedJobRegistry(q.name, connection=r).count for q in qs)
    w = diff(s1, s2)
    return {"jobs": n, "finished": done, "failed": failed,
            "enqueue_ms": (c1 - c0) * 1e3, "work_ms": (c2 - c1) * 1e3,
            "enqueue_cmds": sum(c for c, _ in diff(s0, s1).values()),
            "work_cmds": sum(c for c, _ in w.values()), "work_stats": w}


class Writer:
    """Jobs of `rate` a minute ending at evenly spaced times, written as RQ records outcomes."""

    def __init__(self, r: Redis, queues: int, rate: int, funcs_per_queue: int, fail: float):
        self.r, self.queues, self.rate, self.fail = r, queues, rate, fail
        self.fpq = funcs_per_queue
        self.rnd = random.Random(7)
        self.n = 0
        # Jobs written since the last take(), for the floor (bench/sampler_floor.py).
        self.recent: list = []
        self.workers = [f"bench-worker-{i:02d}" for i in range(20)]

    def func(self, q: int) -> str:
        # Each queue runs `fpq` of the 200 functions; together the queues run all of them.
        return f"sampler_tasks.f{(q * 7 + self.rnd.randrange(self.fpq)) % 200:03d}"

    def one(self, p, end: float, fails: bool) -> None:
        rnd = self.rnd
        q = rnd.randrange(self.queues)
        origin = f"sq-{q:04d}"
        func = self.func(q)
        ended = datetime.fromtimestamp(end, timezone.utc)
        run = min(rnd.lognormvariate(-3, 1.5), 60.0)
        wait = min(rnd.lognormvariate(-1, 2), 600.0)
        job = Job.create(func, args=(self.n,), connection=self.r, origin=origin, timeout=180,
                         id=uuid.uuid4().hex, failure_ttl=None)
        job.started_at = ended - timedelta(seconds=run)
        job.enqueued_at = job.started_at - timedelta(seconds=wait)
        job.created_at = job.enqueued_at
        job.ended_at = ended
        job.worker_name = self.workers[q % len(self.workers)]
        ex = dict(worker_name=job.worker_name, pipeline=p, execution_id=uuid.uuid4().hex,
                  execution_started_at=job.started_at, execution_ended_at=job.ended_at)
        if fails:
            exc = TB.format(order=self.n, func=func)
            job.set_status(JobStatus.FAILED, pipeline=p)
            reg = FailedJobRegistry(origin, connection=self.r)
            reg.add(job, ttl=FAILURE_TTL, exc_string=exc, pipeline=p)
            Result.create_failure(job, FAILURE_TTL, exc_string=exc, **ex)
            ttl = FAILURE_TTL
        else:
            job.set_status(JobStatus.FINISHED, pipeline=p)
            job.save(pipeline=p, include_meta=False, include_result=False)
            Result.create(job, Result.Type.SUCCESSFUL, ttl=RESULT_TTL, return_value=f"done {self.n}", **ex)
            reg = FinishedJobRegistry(origin, connection=self.r)
            reg.add(job, RESULT_TTL, pipeline=p)
            job.cleanup(ttl=RESULT_TTL, pipeline=p, remove_from_queue=False)
            ttl = RESULT_TTL
        # Written at most a few seconds (seeding: minutes) after `end`: score and expiries as RQ
        # would have set them at `end` (it scores int(now) + ttl and expires ttl from then).
        p.zadd(reg.key, {job.id: int(end) + ttl}, xx=True)
        if not fails:
            p.expireat(job.key, int(end) + ttl)
            p.expireat(Result.get_key(job.id), int(end) + ttl)
        self.recent.append({"queue": origin, "id": job.id, "kind": "failed" if fails else "finished",
                            "func": func, "end": end})
        self.n += 1

    def take(self) -> list:
        out, self.recent = self.recent, []
        return out

    def write(self, start: float, stop: float) -> int:
        """Jobs ending at every 60/rate s in [start, stop); finished ones already expired skipped."""
        step, t, k = 60.0 / self.rate, start, 0
        p = self.r.pipeline(transaction=False)
        now = time.time()
        while t < stop:
            fails = self.rnd.random() < self.fail
            # A finished job that ended over RESULT_TTL ago has expired; a failure is kept a year.
            if fails or t + RESULT_TTL > now:
                k += 1
                self.one(p, t, fails)
            if len(p) >= 6000:
                p.execute()
            t += step
        p.execute()
        return k


def seed_queues(r: Redis, n: int) -> None:
    p = r.pipeline(transaction=False)
    for i in range(n):
        q = Queue(f"sq-{i:04d}", connection=r)
        for j in range(3):
            job = Job.create(f"sampler_tasks.f{(i * 7 + j) % 200:03d}", args=(j,), connection=r,
                             origin=q.name, timeout=180, id=uuid.uuid4().hex)
            q.enqueue_job(job, pipeline=p)
        if i % 100 == 99:
            p.execute()
    p.execute()


class Ticker:
    def __init__(self, binary: str, url: str):
        self.p = subprocess.Popen([binary, "--redis-url", url], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def tick(self) -> dict:
        assert self.p.stdin and self.p.stdout
        self.p.stdin.write("tick\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit("sampler_tick exited")
        return json.loads(line)

    def close(self) -> None:
        if self.p.stdin:
            self.p.stdin.close()
        self.p.wait(timeout=30)


def measured_tick(r: Redis, t: Ticker) -> dict:
    a, w0 = cpu(r), time.perf_counter()
    time.sleep(1.0)
    idle, idle_s = cpu(r) - a, time.perf_counter() - w0
    # Script calls slower than 100 µs are logged, to tell the three write scripts apart (EVALSHA
    # is one line in commandstats); the reads of a tick take a few µs each and are not logged.
    r.config_set("slowlog-log-slower-than", 100)
    r.config_set("slowlog-max-len", 100_000)
    r.slowlog_reset()
    s0, c0, w0 = stats(r), cpu(r), time.perf_counter()
    out = t.tick()
    c1, s1, wall = cpu(r), stats(r), time.perf_counter() - w0
    out.update(cpu_ms=(c1 - c0 - idle * wall / idle_s) * 1e3, idle_ms_per_s=idle / idle_s * 1e3,
               stats=diff(s0, s1), scripts=scripts(r.slowlog_get(100_000)))
    r.config_set("slowlog-log-slower-than", 10_000)
    return out


def scripts(log: list) -> dict:
    """EVALSHA time per write script, named by the shape of its first key."""
    out: dict = {}
    for e in log:
        cmd = e["command"]
        cmd = cmd.decode(errors="replace") if isinstance(cmd, bytes) else cmd
        args = cmd.split(" ")
        if not args or args[0].lower() != "evalsha" or len(args) < 4:
            continue
        key = args[3]
        name = ("functions_record" if ":fn:m:" in key else "archive_append" if key.endswith(":archive")
                else "history_record" if ":m:" in key else "other")
        calls, usec = out.get(name, (0, 0))
        out[name] = (calls + 1, usec + e["duration"])
    return out


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--redis-url", required=True)
    ap.add_argument("--tick-bin", required=True, help="target/…/examples/sampler_tick")
    ap.add_argument("--queues", type=int, default=1000)
    ap.add_argument("--rate", type=int, default=10_000, help="jobs ending per minute")
    ap.add_argument("--funcs-per-queue", type=int, default=10, help="of the 200 functions")
    ap.add_argument("--fail", type=float, default=0.05, help="share of jobs that fail")
    ap.add_argument("--seed-seconds", type=int, default=600, help="history before the first tick")
    ap.add_argument("--period", type=float, default=60.0, help="seconds between ticks")
    ap.add_argument("--ticks", type=int, default=4, help="steady ticks after the first")
    ap.add_argument("--rq-jobs", type=int, default=2000)
    ap.add_argument("--target", type=float, default=2.0, help="percent of RQ's Redis CPU")
    ap.add_argument("--out", default="-")
    ap.add_argument("--label", default="")
    return ap.parse_args()


def top(st: dict, n: int = 12) -> list:
    return sorted(st.items(), key=lambda kv: -kv[1][1])[:n]


def main() -> None:
    a = parse_args()
    r = Redis.from_url(a.redis_url)
    load0 = os.getloadavg()
    print(f"RQ's own cost: {a.rq_jobs} jobs through Queue.enqueue and a SimpleWorker…", file=sys.stderr)
    rq = measure_rq(r, a.rq_jobs)
    r.flushall()
    print(f"seeding {a.queues} queues and {a.seed_seconds} s of jobs at {a.rate}/min…", file=sys.stderr)
    t0 = time.time()
    seed_queues(r, a.queues)
    w = Writer(r, a.queues, a.rate, a.funcs_per_queue, a.fail)
    start = time.time() - a.seed_seconds
    seeded = w.write(start, time.time())
    seed_s = time.time() - t0
    cursor = start + a.seed_seconds
    # Seeding took a while: write what ended meanwhile, so the first tick sees a steady stream.
    seeded += w.write(cursor, time.time())
    cursor = time.time()
    ticker = Ticker(a.tick_bin, a.redis_url)
    ticks, writes, period_jobs = [], [], []
    try:
        for i in range(a.ticks + 1):
            if i:
                # Jobs keep ending until the next tick is due; the writer pauses for the tick.
                due = ticks[-1]["start"] + a.period  # as serve's interval: start to start
                while time.time() < due - 1.5:
                    stop = min(time.time(), due - 1.5)
                    c = cpu(r)
                    k = w.write(cursor, stop)
                    writes.append((k, cpu(r) - c))
                    cursor = stop
                    time.sleep(0.2)
            period_jobs = w.take()
            start = time.time()
            t = measured_tick(r, ticker)
            t["start"] = start
            t["ended"] = w.n - (ticks[-1]["n"] if ticks else 0)  # jobs ended since the last tick
            t["n"] = w.n
            ticks.append(t)
            print(f"tick {i}: {t['cpu_ms']:.0f} ms Redis CPU, {t['wall_ms']:.0f} ms wall, "
                  f"{sum(c for c, _ in t['stats'].values())} commands, archived {t['archived']}",
                  file=sys.stderr)
    finally:
        ticker.close()
    # The floor, on the jobs of the last steady period (still in their registries and hashes).
    floor = sampler_floor.run(r, period_jobs, a.period, cpu) if a.ticks else None
    if floor:
        print(f"floor: {floor['cpu_ms']:.0f} ms Redis CPU for {floor['jobs']} jobs", file=sys.stderr)
    report(a, rq, ticks, writes, seeded, seed_s, load0, r, floor)


def report(a, rq, ticks, writes, seeded, seed_s, load0, r, floor) -> None:
    # A tick with no job ended (a low rate, a short period) has no cost per job to report.
    steady = [t for t in ticks[1:] if t["ended"] > 0]
    per_min = a.rate
    jobs_per_tick = sum(t["ended"] for t in steady) / len(steady) if steady else float("nan")
    rq_work = rq["work_ms"] / rq["jobs"]
    rq_all = (rq["work_ms"] + rq["enqueue_ms"]) / rq["jobs"]
    med = sorted(t["cpu_ms"] for t in steady)[len(steady) // 2] if steady else float("nan")
    per_job = sorted(t["cpu_ms"] / t["ended"] for t in steady)[len(steady) // 2] if steady else float("nan")
    wk = sum(k for k, _ in writes)
    wr = sum(c for _, c in writes) * 1e3 / wk if wk else float("nan")
    info = r.info("server")
    cpu_name = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    L = []
    L.append(f"# History sampler: Redis cost per tick and per job ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
    L.append(f"Command: `{a.label or 'bash bench/sampler_cost.sh'}`  ")
    L.append(f"Machine: {cpu_name}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
             f"Redis {info['redis_version']}; rq {rq_version}; load average at start "
             f"{load0[0]:.2f}, at end {os.getloadavg()[0]:.2f}.  ")
    L.append(f"Data: {a.queues} queues (3 queued jobs each), {per_min:,} jobs ending a minute over "
             f"{a.funcs_per_queue} of 200 functions per queue, {a.fail:.0%} failing; RQ's default ttls "
             f"(result 500 s, failure 1 year); {seeded:,} jobs seeded for the {a.seed_seconds} s before "
             f"the first tick in {seed_s:.0f} s. Tick period {a.period:.0f} s.\n")
    L.append("## RQ's own Redis CPU per job\n")
    L.append(f"{rq['jobs']:,} jobs (`Queue.enqueue` over 10 queues, then a `SimpleWorker` burst; "
             f"{rq['finished']} finished, {rq['failed']} failed):\n")
    L.append("| phase | Redis CPU per job | commands per job |")
    L.append("|---|--:|--:|")
    L.append(f"| enqueue | {rq['enqueue_ms'] / rq['jobs'] * 1e3:.0f} µs | {rq['enqueue_cmds'] / rq['jobs']:.1f} |")
    L.append(f"| worker (dequeue → finished/failed) | {rq_work * 1e3:.0f} µs | {rq['work_cmds'] / rq['jobs']:.1f} |")
    L.append(f"| whole life | {rq_all * 1e3:.0f} µs | {(rq['work_cmds'] + rq['enqueue_cmds']) / rq['jobs']:.1f} |")
    L.append(f"\nFor comparison, the bench's writer (RQ's outcome calls without the dequeue and the "
             f"worker's bookkeeping) cost {wr * 1e3:.0f} µs per job.\n")
    L.append("## The sampler, tick by tick\n")
    L.append("Redis main-thread CPU during the tick, less the idle rate measured in the second before.\n")
    L.append("| tick | jobs ended since the last | Redis CPU | per job | commands | wall (client) | minute rows | function rows | archived |")
    L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for i, t in enumerate(ticks):
        st = t["stats"]
        L.append(f"| {'first (600 s back)' if i == 0 else i} | {t['ended']:,} | {t['cpu_ms']:.0f} ms | "
                 f"{t['cpu_ms'] / t['ended'] * 1e3:.0f} µs | "
                 f"{sum(c for c, _ in st.values()):,} | {t['wall_ms']:.0f} ms | "
                 f"{t['minute_rows']:,} | {t['function_rows']:,} | {t['archived']:,} |")
    L.append("\n## Per job, against the target\n")
    ratio = per_job / rq_work * 100
    ratio_all = per_job / rq_all * 100
    L.append(f"- Sampler, median steady tick: **{med:.0f} ms** of Redis CPU, {jobs_per_tick:,.0f} jobs "
             f"ended per tick; median per tick and job: **{per_job * 1e3:.0f} µs per job**.")
    L.append(f"- RQ: {rq_work * 1e3:.0f} µs per job in the worker, {rq_all * 1e3:.0f} µs with the enqueue.")
    verdict = "PASS" if ratio <= a.target else "FAIL"
    L.append(f"- Ratio: **{ratio:.0f} %** of the worker's Redis CPU ({ratio_all:.0f} % of the whole life); "
             f"target ≤ {a.target:g} %: **{verdict}**.")
    if floor and floor["jobs"]:
        f_job = floor["cpu_ms"] / floor["jobs"]
        f_ratio = f_job / rq_work * 100
        below = "below" if a.target < f_ratio else "above"
        L.append(f"- Floor (bench/sampler_floor.py: the least Redis work recording the same, on the "
                 f"{floor['jobs']:,} jobs of the last period, {floor['rows']:,} function rows, "
                 f"{floor['registries']:,} registries, {floor['commands']:,} commands): "
                 f"**{f_job * 1e3:.0f} µs per job = {f_ratio:.1f} %** of the worker; the target is "
                 f"{below} the floor. rqdash costs **{per_job / f_job:.1f}×** the floor.")
    L.append("")
    if steady:
        L.append("## Where a steady tick's Redis time goes (commandstats, last steady tick)\n")
        L.append("`usec` is Redis' own time inside the command; EVALSHA's includes the commands its "
                 "script runs, which are listed too.\n")
        L.append("| command | calls | calls per job | usec | usec per job |")
        L.append("|---|--:|--:|--:|--:|")
        for k, (c, u) in top(steady[-1]["stats"]):
            L.append(f"| {k} | {c:,} | {c / jobs_per_tick:.2f} | {u:,} | {u / jobs_per_tick:.1f} |")
        if steady[-1].get("scripts"):
            L.append("\nThe EVALSHA time by script (SLOWLOG of the same tick, calls over 100 µs):\n")
            L.append("| script | calls | usec | usec per job |")
            L.append("|---|--:|--:|--:|")
            for k, (c, u) in sorted(steady[-1]["scripts"].items(), key=lambda kv: -kv[1][1]):
                L.append(f"| {k} | {c:,} | {u:,} | {u / jobs_per_tick:.1f} |")
    L.append("\n## RQ's worker, commandstats for comparison\n")
    L.append("| command | calls per job | usec per job |")
    L.append("|---|--:|--:|")
    for k, (c, u) in top(rq["work_stats"]):
        L.append(f"| {k} | {c / rq['jobs']:.2f} | {u / rq['jobs']:.1f} |")
    text = "\n".join(L) + "\n"
    if a.out == "-":
        sys.stdout.write(text)
    else:
        with open(a.out, "w") as f:
            f.write(text)
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
