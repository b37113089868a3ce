"""The floor of bench/sampler_cost.py: the least Redis work that records what the sampler records.

For the jobs that ended during one tick period, a client that already knew everything it needs
(which jobs ended, every row's previous value) still has to, per job, read the job once
(``HMGET`` of the fields the archive and the function rows need, ``XREVRANGE … COUNT 1`` of its
result stream for the result size and the traceback), append its archive record (``XADD``) and
its id index (``HSET``), and write the (queue, function, minute) row it lands in, that row's hour
row and its pair's totals (one ``HSET`` each, values computed client-side); per registry with
jobs one ``ZRANGEBYSCORE`` of the period; per queue one ``HSET`` of its history minute row and
one of its hour row. Everything pipelined in batches of 1,000 commands, no Lua, no ``TYPE`` or
``EXPIREAT`` (new keys are rare), no re-reads: nothing a real sampler could do with less.
Written under its own ``floor:`` prefix, so nothing the sampler reads or writes is touched.
"""

from __future__ import annotations

import time

RESULT_TTL, FAILURE_TTL = 500, 31_536_000
FIELDS = ["ended_at", "result_ttl", "status", "description", "enqueued_at", "started_at",
          "worker_name", "exc_info"]


def run(r, jobs: list, period: float, cpu) -> dict:
    """Do the floor's work for `jobs` (dicts: queue, id, kind, func, end) and measure it.

    Returns the Redis main-thread CPU (less the idle rate of the second before) and commands.
    """
    a, w0 = cpu(r), time.perf_counter()
    time.sleep(1.0)
    idle_rate = (cpu(r) - a) / (time.perf_counter() - w0)
    c0, w0 = cpu(r), time.perf_counter()
    cmds = 0
    p = r.pipeline(transaction=False)

    def flush(force: bool = False) -> None:
        nonlocal p
        if force or len(p) >= 1000:
            p.execute()
            p = r.pipeline(transaction=False)

    now = time.time()
    registries = sorted({(j["queue"], j["kind"]) for j in jobs})
    for q, kind in registries:
        # RQ scores a member end + ttl: the period's members are one score range.
        ttl = RESULT_TTL if kind == "finished" else FAILURE_TTL
        key = f"rq:{kind}:{q}"
        p.zrangebyscore(key, int(now - period) + ttl, int(now) + ttl, withscores=True, start=0, num=1000)
        cmds += 1
        flush()
    rows = {}
    for j in jobs:
        p.hmget(f"rq:job:{j['id']}", FIELDS)
        p.xrevrange(f"rq:results:{j['id']}", count=1)
        cmds += 2
        flush()
        minute = int(j["end"]) // 60 * 60
        rows.setdefault((j["queue"], j["func"], minute), []).append(j)
    for j in jobs:
        eid = p.xadd("floor:archive", {"id": j["id"], "q": j["queue"], "f": j["func"], "s": j["kind"],
                                       "end": f"{j['end']:.3f}"})
        day = int(j["end"]) // 86400 * 86400
        p.hset(f"floor:archive:idx:{day}", j["id"], f"{int(j['end'] * 1000)}-0")
        cmds += 2
        flush()
    for (q, f, minute), js in rows.items():
        row = f"{len(js)},0,5:{len(js)};s:12,7:{len(js)};s:40"
        hour = minute // 3600 * 3600
        p.hset(f"floor:fn:m:{hour}:q:{q}:{f}", str((minute - hour) // 60), row)
        p.hset(f"floor:fn:h:{hour // 86400}:q:{q}:{f}", str((hour % 86400) // 3600), row)
        p.hset(f"floor:fn:t:q:{q}:{f}", mapping={"finished": len(js), "run:5": len(js), "wait:7": len(js),
                                                  "run_ms": 12, "wait_ms": 40})
        cmds += 3
        flush()
    for q in sorted({j["queue"] for j in jobs}):
        minute = int(now) // 60 * 60
        p.hset(f"floor:m:{minute // 3600}:q:{q}", str(minute % 3600 // 60), "3,0,0,10,1,5")
        p.hset(f"floor:h:{minute // 86400}:q:{q}", str(minute % 86400 // 3600), "3,0,0,100,5,5,10,10")
        cmds += 2
        flush()
    flush(True)
    wall = time.perf_counter() - w0
    used = cpu(r) - c0 - idle_rate * wall
    r.delete(*[k for k in r.scan_iter("floor:*", count=10_000)] or ["floor:none"])
    return {"jobs": len(jobs), "cpu_ms": used * 1e3, "commands": cmds, "rows": len(rows),
            "registries": len(registries)}
