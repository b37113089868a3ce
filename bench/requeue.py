#!/usr/bin/env python3
"""The "requeue all failed jobs" scenario: one POST per server on freshly seeded queues.

Run by bench/run.sh after measure.py (it changes data, so it comes last), with the benchmark
venv's python because it seeds through rq (bench/seed.py). It appends a section to the report
that measure.py wrote. See bench/README.md, "Requeue all".

Queues (all seeded here, through rq's API, so the read scenarios see the same data as before):

* ``rq-big``: 3 queued jobs, ``--jobs`` failed jobs and ``--orphans`` orphan ids (ids ZADDed into
  ``rq:failed:rq-big`` without a job hash, at 1/4, 1/2 and 3/4 of the registry). rqdash requeues
  it with ``POST /api/v1/queues/rq-big/requeue?state=failed``; this is repeated ``--repeats``
  times, re-seeding the queue in between (the previous round is removed with ``Queue.empty()``);
* ``rqd-big``: 3 queued jobs and ``--rqd-jobs`` failed jobs, no orphan: rq-dashboard's
  ``POST /requeue/rqd-big``, timed once (it is slow);
* ``rqd-orphans``: 3 queued jobs, ``--rqd-orphan-jobs`` failed jobs and the same orphans:
  rq-dashboard's ``POST /requeue/rqd-orphans``, twice (the second time shows that it stays stuck).

Around each request: ``CONFIG SET slowlog-log-slower-than 500`` (µs) and ``slowlog-max-len
4096``, ``SLOWLOG RESET``, ``CONFIG RESETSTAT``, the request, then ``INFO stats``,
``INFO commandstats`` and ``SLOWLOG GET 4096``; the previous settings are restored afterwards.
Afterwards the queue and the registry are checked (LLEN, ZCARD, job statuses).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid

from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import Client, MiniRedis, command_calls, main_thread_cpu, ms, num  # noqa: E402
from seed import seed_failed_queue  # noqa: E402

QUEUED = 3                 # queued jobs seed_failed_queue puts in front (they register the queue)
SLOW_US = 500              # slowlog-log-slower-than while a requeue runs
SLOWLOG_LEN = 4096         # room for every chunk of a 100k requeue (100–2,000 script calls)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rqdash", required=True, help="base URL of rqdash")
    ap.add_argument("--rq-dashboard", required=True, help="base URL of rq-dashboard")
    ap.add_argument("--redis-url", required=True, help="the Redis both servers use")
    ap.add_argument("--jobs", type=int, default=100_000, help="failed jobs in rq-big (rqdash)")
    ap.add_argument("--rqd-jobs", type=int, default=33_334, help="failed jobs in rqd-big (rq-dashboard)")
    ap.add_argument("--rqd-orphan-jobs", type=int, default=1_000,
                    help="failed jobs in rqd-orphans (rq-dashboard, with orphans)")
    ap.add_argument("--orphans", type=int, default=3, help="orphan ids planted in rq-big and rqd-orphans")
    ap.add_argument("--repeats", type=int, default=3, help="rqdash runs, re-seeding rq-big before each")
    ap.add_argument("--skip-rq-dashboard", action="store_true", help="time rqdash only")
    ap.add_argument("--skip-floor", action="store_true", help="do not time bench/floor_requeue.lua")
    ap.add_argument("--rq-dashboard-log", help="rq-dashboard's log, to quote the exception behind a 500")
    ap.add_argument("--rqdash-pid", type=int, help="rqdash's process, for its CPU time")
    ap.add_argument("--rq-dashboard-pid", type=int, help="rq-dashboard's process, for its CPU time")
    ap.add_argument("--batch", type=int, default=1000, help="jobs per Redis pipeline when seeding")
    ap.add_argument("--timeout", type=float, default=900.0, help="HTTP timeout per request (s)")
    ap.add_argument("--out", help="append the markdown section to this report")
    return ap.parse_args()


# --------------------------------------------------------------------------- data


def seed(conn: Redis, queue: str, jobs: int, orphans: int, batch: int) -> dict:
    """Seed `queue` (3 queued + `jobs` failed, through rq) and plant `orphans` orphan ids."""
    t0 = time.perf_counter()
    seed_failed_queue(conn, queue, jobs, batch, queued=QUEUED)
    planted = plant_orphans(conn, FailedJobRegistry(queue, connection=conn).key, orphans)
    dt = time.perf_counter() - t0
    print(f"  seeded {queue}: {QUEUED} queued + {jobs:,} failed jobs + {len(planted)} orphan ids "
          f"in {dt:.1f} s", flush=True)
    return {"seconds": dt, "orphans": planted}


def plant_orphans(conn: Redis, registry: str, n: int) -> list[str]:
    """ZADD n ids that have no job hash into the registry, spread evenly among the real ones.

    This is what a job hash that expired or was deleted behind RQ's back leaves behind. The
    orphan at k/(n+1) takes the score of the member there and, as its id, that member's id + 1
    (read as a hex number): registry scores are whole seconds, so thousands of members share a
    score and are ordered by id, and a random id would land anywhere among them.
    """
    size = conn.zcard(registry)
    ids = []
    for k in range(1, n + 1):
        pos = size * k // (n + 1)
        member = conn.zrange(registry, pos, pos, withscores=True)
        if member:
            mid, score = member[0][0].decode(), member[0][1]
            try:
                oid = f"{int(mid, 16) + 1:0{len(mid)}x}"
            except ValueError:
                oid = mid + "-orphan"
        else:
            oid, score = uuid.uuid4().hex, time.time()
        assert not conn.exists(f"rq:job:{oid}") and conn.zscore(registry, oid) is None, oid
        conn.zadd(registry, {oid: score})
        ids.append(oid)
    return ids


def state_of(conn: Redis, queue: str) -> dict:
    q = Queue(queue, connection=conn)
    return {"llen": conn.llen(q.key), "failed": conn.zcard(FailedJobRegistry(queue, connection=conn).key)}


def check_rqdash(conn: Redis, queue: str, jobs: int, orphans: list[str], status: int, body: bytes) -> list[str]:
    """Problems found after rqdash's requeue (an empty list means correct)."""
    problems = []
    if status != 200:
        return [f"HTTP {status}: {body[:200]!r}"]
    out = json.loads(body)
    want = {"requeued": jobs, "orphans_removed": len(orphans), "skipped": 0, "interrupted": False}
    for k, v in want.items():
        if out.get(k) != v:
            problems.append(f"{k}={out.get(k)!r}, expected {v!r}")
    st = state_of(conn, queue)
    if st["llen"] != QUEUED + jobs:
        problems.append(f"LLEN rq:queue:{queue} = {st['llen']:,}, expected {QUEUED + jobs:,} "
                        f"({QUEUED} queued before + {jobs:,} requeued)")
    if st["failed"]:
        problems.append(f"failed registry still holds {st['failed']:,} ids")
    q = Queue(queue, connection=conn)
    listed = set(conn.lrange(q.key, 0, -1))
    if any(o.encode() in listed for o in orphans):
        problems.append("an orphan id was pushed onto the queue")
    # Every job in the queue is a real job with status queued (checked in one pipeline).
    p = conn.pipeline(transaction=False)
    for jid in listed:
        p.hget(b"rq:job:" + jid, "status")
    statuses = p.execute()
    bad = sum(1 for s in statuses if s != b"queued")
    if bad:
        problems.append(f"{bad:,} ids in the queue do not have a job hash with status queued")
    return problems


# --------------------------------------------------------------------------- measuring


def proc_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + system, all threads) used by process pid so far, from /proc."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def timed_post(client: Client, path: str, r: MiniRedis, pid: int | None = None) -> dict:
    """One POST with the Redis accounting around it (SLOWLOG, commandstats, stats, CPU time).

    CPU times are what Redis' main thread and the server process really ran, as opposed to the
    wall time, which on a busy machine also includes waiting for a core.
    """
    old = {k: r.cmd("CONFIG", "GET", k)[1] for k in ("slowlog-log-slower-than", "slowlog-max-len")}
    try:
        r.cmd("CONFIG", "SET", "slowlog-log-slower-than", str(SLOW_US))
        r.cmd("CONFIG", "SET", "slowlog-max-len", str(SLOWLOG_LEN))

        def around(do_request: bool) -> dict:
            r.cmd("SLOWLOG", "RESET")
            r.cmd("CONFIG", "RESETSTAT")
            s0 = r.info("stats")
            load = os.getloadavg()
            c0, p0 = main_thread_cpu(r), proc_cpu(pid)
            dt, status, body = client.request("POST", path) if do_request else (0.0, 0, b"")
            c1, p1 = main_thread_cpu(r), proc_cpu(pid)
            s1 = r.info("stats")
            calls = command_calls(r.info("commandstats"))
            slow = r.cmd("SLOWLOG", "GET", str(SLOWLOG_LEN))
            return {"seconds": dt, "status": status, "body": body, "load": load, "calls": calls, "slow": slow,
                    "redis_cpu": c1 - c0, "server_cpu": None if p0 is None or p1 is None else p1 - p0,
                    "top": int(s1["total_commands_processed"]) - int(s0["total_commands_processed"]),
                    "reads": int(s1["total_reads_processed"]) - int(s0["total_reads_processed"])}

        base = around(False)  # the bookkeeping commands of this function alone
        res = around(True)
    finally:
        for k, v in old.items():
            r.cmd("CONFIG", "SET", k, v)
    calls = {k: v - base["calls"].get(k, 0) for k, v in res["calls"].items()}
    calls = {k: v for k, v in calls.items() if v > 0}
    res["commands"] = sum(calls.values())
    res["breakdown"] = sorted(calls.items(), key=lambda kv: -kv[1])
    res["top"] -= base["top"]
    res["reads"] -= base["reads"]
    # SLOWLOG entries: [id, unix time, duration µs, [argv...], client addr, client name].
    # around() starts with SLOWLOG RESET, so every entry is the request's (or SLOWLOG's own).
    entries = [e for e in res["slow"] if e[3] and e[3][0].upper() != "SLOWLOG"]
    res["slow_count"] = len(entries)
    by: dict[str, list[int]] = {}
    for e in entries:
        by.setdefault(e[3][0].upper(), []).append(int(e[2]))
    res["slow_by"] = sorted(((k, len(v), max(v), sum(v)) for k, v in by.items()), key=lambda t: -t[2])
    res["slow_total_us"] = sum(int(e[2]) for e in entries)
    if entries:
        worst = max(entries, key=lambda e: int(e[2]))
        res["longest_us"], res["longest_cmd"] = int(worst[2]), describe(worst[3])
    else:
        res["longest_us"], res["longest_cmd"] = None, None
    return res


def describe(argv: list[str]) -> str:
    """'EVALSHA rq:failed:rq-big' / 'ZRANGE rq:failed:rqd-big': command name and its key."""
    name = argv[0].upper()
    key = argv[3] if name in ("EVAL", "EVALSHA", "FCALL") and len(argv) > 3 else (argv[1] if len(argv) > 1 else "")
    return f"{name} {key}".strip()


def rqd_exception(log: str | None) -> str | None:
    """The last exception line rq-dashboard logged (the cause of its 500), if the log is given."""
    if not log:
        return None
    try:
        with open(log, errors="replace") as f:
            lines = [ln.rstrip() for ln in f if "Error" in ln or "Exception" in ln]
    except OSError:
        return None
    lines = [ln for ln in lines if not ln.startswith(("Traceback", " "))]
    return lines[-1][:160] if lines else None


# --------------------------------------------------------------------------- main


def main() -> None:
    a = parse_args()
    conn = Redis.from_url(a.redis_url)
    r = MiniRedis(a.redis_url)
    rqdash, rqd = Client(a.rqdash, a.timeout), Client(a.rq_dashboard, a.timeout)
    load_start = os.getloadavg()
    runs = []

    # ---- rqdash: requeue all of rq-big (with orphans), re-seeded before each run
    queue = "rq-big"
    for i in range(a.repeats):
        print(f"requeue all, rqdash, run {i + 1}/{a.repeats}", flush=True)
        if i:
            Queue(queue, connection=conn).empty()  # drop the previous round's (now queued) jobs
        s = seed(conn, queue, a.jobs, a.orphans, a.batch)
        res = timed_post(rqdash, f"/api/v1/queues/{queue}/requeue?state=failed", r, a.rqdash_pid)
        res.update(server="rqdash", queue=queue, jobs=a.jobs, orphans=len(s["orphans"]), seed=s["seconds"],
                   label=f"{queue} #{i + 1}" if a.repeats > 1 else queue,
                   path=f"POST /api/v1/queues/{queue}/requeue?state=failed")
        res["problems"] = check_rqdash(conn, queue, a.jobs, s["orphans"], res["status"], res["body"])
        res["answer"] = answer(res)
        res["done"] = json.loads(res["body"]).get("requeued", 0) if res["status"] == 200 else 0
        report_run(res)
        runs.append(res)

    # ---- the Redis floor: the same data, a bare Lua loop (bench/floor_requeue.lua)
    floor = None
    if not a.skip_floor:
        print("requeue all, Redis floor (bench/floor_requeue.lua)", flush=True)
        Queue(queue, connection=conn).empty()
        seed(conn, queue, a.jobs, 0, a.batch)
        floor = run_floor(conn, r, queue)
        print(f"    {floor['jobs']:,} jobs in {ms(floor['seconds'] * 1000)} (Redis CPU "
              f"{ms(floor['redis_cpu'] * 1000)}, longest call {ms(floor['longest_ms'])})", flush=True)

    # ---- rq-dashboard: rqd-big (no orphan) once, then rqd-orphans twice
    rqd_runs = []
    if not a.skip_rq_dashboard:
        for queue, jobs, orphans, tries in (("rqd-big", a.rqd_jobs, 0, 1),
                                            ("rqd-orphans", a.rqd_orphan_jobs, a.orphans, 2)):
            print(f"requeue all, rq-dashboard, {queue}", flush=True)
            s = seed(conn, queue, jobs, orphans, a.batch)
            for t in range(tries):
                before = state_of(conn, queue)
                res = timed_post(rqd, f"/requeue/{queue}", r, a.rq_dashboard_pid)
                after = state_of(conn, queue)
                res.update(server="rq-dashboard", queue=queue, jobs=jobs, orphans=orphans, seed=s["seconds"],
                           path=f"POST /requeue/{queue}", attempt=t + 1, before=before, after=after,
                           label=f"{queue} #{t + 1}" if tries > 1 else queue)
                res["done"] = after["llen"] - before["llen"]
                res["answer"] = answer(res)
                res["problems"] = []
                if res["status"] == 200:
                    if after["llen"] != QUEUED + jobs or after["failed"]:
                        res["problems"].append(f"LLEN={after['llen']:,}, failed left={after['failed']:,}")
                else:
                    res["exception"] = rqd_exception(a.rq_dashboard_log)
                report_run(res)
                rqd_runs.append(res)

    section = render(a, runs, rqd_runs, floor, (load_start, os.getloadavg()))
    print()
    print(section)
    if a.out:
        with open(a.out, "a") as f:
            f.write("\n" + section)
        print(f"appended to {a.out}")
    if any(x["problems"] for x in runs):
        sys.exit("requeue all: rqdash left the data in a wrong state (see above)")


def answer(res: dict) -> str:
    if res["status"] == 200:
        try:
            out = json.loads(res["body"])
        except ValueError:
            return "HTTP 200 (not JSON)"
        return "`" + json.dumps({k: v for k, v in out.items() if v not in (0, False)}, separators=(",", ":")) + "`"
    return f"**HTTP {res['status']}**"


def report_run(res: dict) -> None:
    rate = res["done"] / res["seconds"] if res["seconds"] > 0 else 0
    longest = f"{res['longest_us']:,} µs ({res['longest_cmd']})" if res["longest_us"] else f"none ≥ {SLOW_US} µs"
    print(f"    {res['path']}: {answer(res)} in {ms(res['seconds'] * 1000)} ({rate:,.0f} jobs/s; CPU: "
          f"Redis {ms(res['redis_cpu'] * 1000)}, server {cpu_ms(res['server_cpu'])}), "
          f"{res['commands']:,} Redis commands ({res['top']:,} top-level, {res['reads']:,} reads), "
          f"longest call {longest}, {res['slow_count']} calls ≥ {SLOW_US} µs "
          f"({', '.join(f'{k}×{n}' for k, n, _, _ in res['slow_by']) or '-'})", flush=True)
    for p in res["problems"]:
        print(f"    ✗ {p}", flush=True)
    if res["server"] == "rqdash" and not res["problems"]:
        print(f"    ✓ queue holds {QUEUED} + {res['jobs']:,} jobs, all queued; failed registry empty; "
              f"{res['orphans']} orphans removed", flush=True)


def cpu_ms(v: float | None) -> str:
    return "–" if v is None else ms(v * 1000)


def run_floor(conn: Redis, r: MiniRedis, queue: str, chunk: int = 1000) -> dict:
    """Time bench/floor_requeue.lua over the whole failed registry of `queue`."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "floor_requeue.lua")) as f:
        sha = conn.script_load(f.read())
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    keys = (FailedJobRegistry(queue, connection=conn).key, Queue(queue, connection=conn).key)
    c0, t0, longest, jobs = main_thread_cpu(r), time.perf_counter(), 0.0, 0
    while True:
        t = time.perf_counter()
        n = int(conn.evalsha(sha, 2, *keys, str(chunk), "rq:job:", now))
        longest = max(longest, time.perf_counter() - t)
        jobs += n
        if n < chunk:
            break
    return {"seconds": time.perf_counter() - t0, "redis_cpu": main_thread_cpu(r) - c0, "jobs": jobs,
            "longest_ms": longest * 1000}


def render(a: argparse.Namespace, runs: list[dict], rqd_runs: list[dict], floor: dict | None, load) -> str:
    (s1, s5, _), (e1, e5, _) = load
    seeds = ", ".join(f"{x['seed']:.0f}" for x in runs)
    L = ["## Requeue all failed jobs (changes data: runs last)", "",
         f"- rqdash: queue `rq-big` with {QUEUED} queued jobs, {a.jobs:,} failed jobs and {a.orphans} orphan ids "
         f"(ids without a job hash ZADDed among the failed ones, at 1/4, 1/2 and 3/4 of the registry); "
         f"seeded through rq's API before each of {a.repeats} runs (in {seeds} s), the previous round "
         f"removed with `Queue.empty()`.",
         f"- rq-dashboard: `rqd-big` with {QUEUED} queued and {a.rqd_jobs:,} failed jobs (`RQD_REQUEUE_JOBS`), "
         f"once; `rqd-orphans` with {QUEUED} queued, {a.rqd_orphan_jobs:,} failed jobs and the same "
         f"{a.orphans} orphans, twice." if not a.skip_rq_dashboard else "- rq-dashboard: skipped.",
         "- One POST per run, timed from sending the request to the last body byte, on a new connection. "
         "rqdash answers when the whole registry is done (synchronous mode).",
         f"- Around each request: `CONFIG SET slowlog-log-slower-than {SLOW_US}` (µs), `slowlog-max-len "
         f"{SLOWLOG_LEN}`, `SLOWLOG RESET`, `CONFIG RESETSTAT`; then `INFO commandstats` and `SLOWLOG GET` "
         "(settings restored after). *longest call*: the slowest single command Redis executed (for a "
         "script, the whole EVALSHA); *slow calls*: how many took ≥ 0.5 ms. Redis 7 also logs "
         "the commands a Lua script runs, so a script's inner commands can appear too.",
         "- *Redis CPU*: CPU time of Redis' main thread during the request (`INFO cpu`); *server CPU*: "
         "CPU time of the dashboard's process (`/proc/PID/stat`, 10 ms ticks). Unlike the wall time, "
         "they hardly grow when other processes compete for the cores, so on a busy machine they "
         "show what the request would take alone: about Redis CPU plus the round trips.",
         f"- Load average (1 min / 5 min): {s1:.2f} / {s5:.2f} at start, {e1:.2f} / {e5:.2f} at end.", "",
         "| Server | Run | Failed jobs (+ orphans) | Time | Jobs/s | Redis CPU | Server CPU | Redis commands | "
         "top-level | Longest call | Slow calls (total) | Answer | Check |",
         "|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|---|"]
    for x in runs + rqd_runs:
        rate = x["done"] / x["seconds"] if x["seconds"] > 0 else 0
        longest = f"{x['longest_us']:,} µs `{x['longest_cmd']}`" if x["longest_us"] else f"< {SLOW_US} µs"
        if x["server"] == "rqdash" or x["status"] == 200:
            check = "✓" if not x["problems"] else "✗ " + "; ".join(x["problems"])
        else:
            check = (f"{x['done']:,} requeued before the error, {x['after']['failed']:,} ids left "
                     f"in the registry")
        L.append(f"| {x['server']} | {x['label']} | {x['jobs']:,} (+ {x['orphans']}) | {ms(x['seconds'] * 1000)} | "
                 f"{rate:,.0f} | {cpu_ms(x['redis_cpu'])} | {cpu_ms(x['server_cpu'])} | {num(x['commands'])} | {num(x['top'])} | {longest} | "
                 f"{x['slow_count']} ({x['slow_total_us'] / 1000:,.0f} ms) | {x['answer']} | {check} |")

    L += ["", "Command mix (top 4) and the slow calls per command (count, slowest, sum of their durations; "
          "commands run inside a script are counted both on their own and in the EVALSHA):", ""]
    for x in runs[:1] + rqd_runs[:1]:
        mix = " ".join(f"{k.upper()}×{v:,}" for k, v in x["breakdown"][:4])
        slow = ", ".join(f"{k}×{n} (max {m:,} µs, total {t / 1000:,.0f} ms)" for k, n, m, t in x["slow_by"]) \
            or "none"
        L.append(f"- {x['server']}, {x['label']}: {mix}{' …' if len(x['breakdown']) > 4 else ''}; slow: {slow}")

    ok_runs = [x for x in runs if x["status"] == 200 and not x["problems"]]
    L += ["", "### Target (rqdash)", ""]
    if runs:
        times = sorted(x["seconds"] for x in runs)
        med = statistics.median(times)
        ok = len(ok_runs) == len(runs) and med <= 1.0
        scale = "" if a.jobs == 100_000 else f" (this run: {a.jobs:,} jobs, target set for 100,000)"
        L.append(f"- Requeue-all of 100,000 failed jobs ≤ 1 s{scale}: {'PASS' if ok else 'FAIL'} "
                 f"(median {ms(med * 1000)}, min {ms(times[0] * 1000)}, max {ms(times[-1] * 1000)} "
                 f"over {len(runs)} run(s); longest Redis call "
                 f"{max((x['longest_us'] or 0) for x in runs):,} µs; Redis CPU median "
                 f"{ms(statistics.median(x['redis_cpu'] for x in runs) * 1000)}, rqdash CPU median "
                 f"{cpu_ms(None if any(x['server_cpu'] is None for x in runs) else statistics.median(x['server_cpu'] for x in runs))})")
    if floor and runs:
        med = statistics.median(x["seconds"] for x in runs)
        L.append(f"- Redis floor on the same data (`bench/floor_requeue.lua`: only HEXISTS + HSET status per "
                 f"job, then ZREM + RPUSH per chunk; no checks, not a correct requeue): {floor['jobs']:,} jobs in "
                 f"{ms(floor['seconds'] * 1000)}, Redis CPU {ms(floor['redis_cpu'] * 1000)}, longest call "
                 f"{ms(floor['longest_ms'])}; rqdash's median is ×{med / floor['seconds']:.2f} that.")
    clean = [x for x in rqd_runs if x["status"] == 200]
    if ok_runs and clean:
        rate_rqdash = statistics.median(x["done"] / x["seconds"] for x in ok_runs)
        rate_rqd = clean[0]["done"] / clean[0]["seconds"]
        L.append(f"- Throughput: rqdash {rate_rqdash:,.0f} jobs/s, rq-dashboard {rate_rqd:,.0f} jobs/s "
                 f"(×{rate_rqdash / rate_rqd:,.0f}); at its rate rq-dashboard would need "
                 f"{a.jobs / rate_rqd:,.0f} s for {a.jobs:,} jobs.")
    for x in rqd_runs:
        if x["status"] != 200:
            exc = f"; its log: `{x['exception']}`" if x.get("exception") else ""
            L.append(f"- rq-dashboard with {x['orphans']} orphan ids, attempt {x['attempt']}: "
                     f"HTTP {x['status']} after {ms(x['seconds'] * 1000)}, {x['done']:,} jobs requeued before "
                     f"it stopped, {x['after']['failed']:,} ids left in the failed registry{exc}.")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
