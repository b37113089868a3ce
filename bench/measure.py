#!/usr/bin/env python3
"""Time the same requests against rqdash and rq-dashboard, count their Redis work, write a report.

Standard library only (http.client with keep-alive, time.perf_counter, a tiny RESP client
for INFO/CONFIG), so it runs with any python3. bench/run.sh starts both servers on one
seeded Redis and calls this script; see bench/README.md for what each number means.

Per scenario and per server:
  * latency: a few warm-up requests, then up to --rounds sequential timed requests on one
    keep-alive connection (stopping early once --budget seconds are spent and at least 3
    samples exist, so rq-dashboard's multi-second pages do not take hours); median and p90;
  * Redis cost of ONE request: CONFIG RESETSTAT, the request, then INFO commandstats/stats.
    The bookkeeping commands of this script are calibrated away with an identical
    sequence that makes no HTTP request.
At the end: peak RSS (VmHWM) of both server processes.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import socket
import statistics
import sys
import time
import urllib.parse

# --------------------------------------------------------------------------- Redis (RESP)


class MiniRedis:
    """Just enough of a Redis client for CONFIG RESETSTAT and INFO."""

    def __init__(self, url: str):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=30)
        self.f = self.sock.makefile("rb")

    def cmd(self, *args: str):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self.f.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode("utf-8", "replace")
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected RESP reply {line!r}")

    def pipeline(self, cmds: list[tuple[str, ...]]) -> list:
        """Send every command at once, then read every reply (one round trip)."""
        out = []
        for args in cmds:
            out.append(f"*{len(args)}\r\n".encode())
            for a in args:
                b = a.encode()
                out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return [self._reply() for _ in cmds]

    def info(self, section: str) -> dict[str, str]:
        lines = self.cmd("INFO", section).splitlines()
        return dict(ln.split(":", 1) for ln in lines if ln and not ln.startswith("#") and ":" in ln)


def command_usec(info: dict[str, str]) -> int:
    """Microseconds Redis spent executing commands (commandstats `usec`, Lua-invoked commands
    counted inside their EVALSHA and again on their own, so EVAL* entries are left out)."""
    total = 0
    for k, v in info.items():
        if k.startswith("cmdstat_") and not k.startswith(("cmdstat_eval", "cmdstat_fcall")):
            total += int(v.split("usec=", 1)[1].split(",", 1)[0])
    return total


def main_thread_cpu(r) -> float:
    """CPU seconds of Redis' main thread (the whole process before Redis 6.2)."""
    c = r.info("cpu")
    if "used_cpu_user_main_thread" in c:
        return float(c["used_cpu_user_main_thread"]) + float(c["used_cpu_sys_main_thread"])
    return float(c["used_cpu_user"]) + float(c["used_cpu_sys"])


def command_calls(info: dict[str, str]) -> dict[str, int]:
    """{'hgetall': 100, ...} from INFO commandstats (Lua-invoked commands included)."""
    out = {}
    for k, v in info.items():
        if k.startswith("cmdstat_"):
            out[k[len("cmdstat_"):]] = int(v.split("calls=", 1)[1].split(",", 1)[0])
    return out


# --------------------------------------------------------------------------- HTTP


class Client:
    """One keep-alive HTTP/1.1 connection to one server (reopened if the server closes it)."""

    def __init__(self, base: str, timeout: float):
        u = urllib.parse.urlparse(base)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path: str) -> tuple[float, int, bytes]:
        """(seconds, status, body); the time covers sending the request to the last body byte."""
        return self.request("GET", path)

    def request(self, method: str, path: str) -> tuple[float, int, bytes]:
        """Like get() for any method, without a body (POSTs send Content-Length: 0).

        No browser headers (Origin, Sec-Fetch-*, Cookie) are sent, so rqdash treats it as an API
        client and asks for no CSRF token. Anything but a GET goes out once, on a connection
        opened just before the clock starts, so that it is never retried (nor half-sent on a
        keep-alive connection the server is closing).
        """
        if method != "GET":
            self.conn.close()
            self.conn.connect()
        for attempt in ((1, 2) if method == "GET" else (2,)):
            try:
                t0 = time.perf_counter()
                headers = {"Accept": "application/json"}
                if method != "GET":
                    headers["Content-Length"] = "0"
                self.conn.request(method, path, headers=headers)
                resp = self.conn.getresponse()
                body = resp.read()
                elapsed = time.perf_counter() - t0
                if resp.will_close:
                    self.conn.close()
                return elapsed, resp.status, body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server had already closed: retry once on a new one.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


# --------------------------------------------------------------------------- measuring


def pct(sorted_vals: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return sorted_vals[max(0, math.ceil(p / 100 * len(sorted_vals)) - 1)]


def rows_of(body: bytes, key: str | None) -> int | None:
    """How many items the JSON response holds under `key` (None when not applicable)."""
    if key is None:
        return None
    try:
        return len(json.loads(body)[key])
    except (ValueError, KeyError, TypeError):
        return None


def time_endpoint(client: Client, path: str, a: argparse.Namespace, rows_key: str | None) -> dict:
    """Warm up, then time up to a.rounds requests within a.budget seconds."""
    res: dict = {"path": path, "error": None, "times": [], "bytes": None, "rows": None}
    try:
        for _ in range(a.warmup):
            dt, status, body = client.get(path)
            if status != 200:
                res["error"] = f"HTTP {status}"
                res["error_body"] = body[:300].decode("utf-8", "replace")
                return res
            if dt > 1.0:  # one warm-up is plenty for a multi-second endpoint
                break
        start = time.perf_counter()
        for _ in range(a.rounds):
            dt, status, body = client.get(path)
            if status != 200:
                res["error"] = f"HTTP {status}"
                return res
            res["times"].append(dt)
            if time.perf_counter() - start > a.budget and len(res["times"]) >= 3:
                break
    except (OSError, http.client.HTTPException) as e:
        res["error"] = f"{type(e).__name__}: {e}"[:120]
        return res
    res["bytes"] = len(body)
    res["rows"] = rows_of(body, rows_key)
    t = sorted(res["times"])
    res["median_ms"] = statistics.median(t) * 1000
    res["p90_ms"] = pct(t, 90) * 1000
    return res


def redis_cost(client: Client, path: str, r: MiniRedis, trials: int) -> dict:
    """Redis work done for one request of `path`: commands, read events, new connections.

    Each figure is the minimum over `trials` (anything else touching Redis can only add),
    minus a calibration run of the same RESETSTAT/INFO sequence without a request.
    """

    def one(do_request: bool) -> dict:
        r.cmd("CONFIG", "RESETSTAT")
        s0 = r.info("stats")
        c0 = main_thread_cpu(r)
        if do_request:
            client.get(path)
        c1 = main_thread_cpu(r)
        s1 = r.info("stats")
        stats = r.info("commandstats")
        calls = command_calls(stats)
        return {
            "usec": command_usec(stats),
            "cpu": c1 - c0,
            "top": int(s1["total_commands_processed"]) - int(s0["total_commands_processed"]),
            "reads": int(s1["total_reads_processed"]) - int(s0["total_reads_processed"]),
            "conns": int(s1["total_connections_received"]) - int(s0["total_connections_received"]),
            "calls": calls,
        }

    base = one(False)
    runs = [one(True) for _ in range(trials)]
    best = min(runs, key=lambda x: sum(x["calls"].values()))
    calls = {k: v - base["calls"].get(k, 0) for k, v in best["calls"].items()}
    calls = {k: v for k, v in calls.items() if v > 0}
    return {
        "commands": sum(calls.values()),
        "top_level": min(x["top"] for x in runs) - base["top"],
        "reads": min(x["reads"] for x in runs) - base["reads"],
        "conns": min(x["conns"] for x in runs) - base["conns"],
        "breakdown": sorted(calls.items(), key=lambda kv: -kv[1]),
        # Medians: what Redis itself needs for the request, a floor for its latency.
        "exec_ms": max(0, statistics.median(x["usec"] - base["usec"] for x in runs)) / 1000,
        "cpu_ms": max(0.0, statistics.median(x["cpu"] - base["cpu"] for x in runs)) * 1000,
    }


def counts_floor(r: MiniRedis, trials: int = 7) -> dict:
    """What Redis alone spends on the overview's irreducible part: the seven counts per queue
    the read model requires (LLEN of the queue, ZCARD of its six registries), nothing else
    (no workers, no oldest job), as one pipeline. Medians of Redis' main-thread CPU and of
    commandstats `usec` over `trials`."""
    names = sorted(m[len("rq:queue:"):] for m in r.cmd("SMEMBERS", "rq:queues") if m.startswith("rq:queue:"))
    cmds = []
    for q in names:
        cmds.append(("LLEN", f"rq:queue:{q}"))
        for reg in ("wip", "finished", "failed", "deferred", "scheduled", "canceled"):
            cmds.append(("ZCARD", f"rq:{reg}:{q}"))
    cpu, usec = [], []
    for _ in range(trials):
        r.cmd("CONFIG", "RESETSTAT")
        c0 = main_thread_cpu(r)
        r.pipeline(cmds)
        cpu.append(main_thread_cpu(r) - c0)
        usec.append(command_usec(r.info("commandstats")))
    return {"queues": len(names), "commands": len(cmds), "cpu_ms": statistics.median(cpu) * 1000,
            "exec_ms": statistics.median(usec) / 1000}


def proc_mem(pid: int) -> dict[str, int]:
    """VmHWM (peak RSS) and VmRSS in kB from /proc/PID/status."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


# --------------------------------------------------------------------------- formatting


def ms(v: float | None) -> str:
    if v is None:
        return "–"
    if v < 10:
        return f"{v:.2f} ms"
    if v < 100:
        return f"{v:.1f} ms"
    return f"{v:,.0f} ms"


def cell(res: dict, key: str) -> str:
    return f"**{res['error']}**" if res["error"] else ms(res.get(key))


def num(v) -> str:
    return "–" if v is None else f"{v:,}"


def size(n: int | None) -> str:
    if n is None:
        return "–"
    for unit, div in (("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} B"


def breakdown(cost: dict, top: int = 4) -> str:
    parts = [f"{k.upper()}×{v:,}" for k, v in cost["breakdown"][:top]]
    if len(cost["breakdown"]) > top:
        parts.append("…")
    return " ".join(parts)


# --------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark rqdash against rq-dashboard.")
    ap.add_argument("--rqdash", required=True, help="base URL of rqdash, e.g. http://127.0.0.1:9181")
    ap.add_argument("--rq-dashboard", required=True, help="base URL of rq-dashboard")
    ap.add_argument("--redis-url", required=True, help="the seeded Redis both servers read")
    ap.add_argument("--rqdash-pid", type=int)
    ap.add_argument("--rq-dashboard-pid", type=int)
    ap.add_argument("--queue", default="big", help="queue whose failed registry is paged")
    ap.add_argument("--per-page", type=int, default=100)
    ap.add_argument("--deep-page", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds of timed requests per scenario and server before stopping early")
    ap.add_argument("--timeout", type=float, default=600.0, help="HTTP timeout per request (s)")
    ap.add_argument("--out", help="write the markdown report here")
    ap.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                    help="extra line for the report header (repeatable)")
    return ap.parse_args()


def main() -> None:
    a = parse_args()
    load_start = os.getloadavg()
    rqdash, rqd = Client(a.rqdash, a.timeout), Client(a.rq_dashboard, a.timeout)
    r = MiniRedis(a.redis_url)

    # Discover the page count and a job id through rqdash (rq-dashboard's paging is buggy).
    q, pp = urllib.parse.quote(a.queue), a.per_page
    _, status, body = rqdash.get(f"/api/v1/queues/{q}/jobs?state=failed&per_page={pp}&page=1")
    if status != 200:
        sys.exit(f"rqdash cannot list {a.queue}: HTTP {status} {body[:200]!r}")
    first = json.loads(body)
    total, last = first["total"], max(1, first["pages"])
    deep = a.deep_page if last >= a.deep_page else max(1, last // 2)
    job_id = first["jobs"][0]["id"] if first["jobs"] else "missing"
    _, _, body = rqdash.get("/api/v1/queues")
    n_queues = len(json.loads(body)["queues"])
    _, _, body = rqdash.get("/api/v1/workers")
    n_workers = len(json.loads(body)["workers"])

    def pages(p: int) -> tuple[str, str]:
        return (f"/api/v1/queues/{q}/jobs?state=failed&per_page={pp}&page={p}",
                f"/0/data/jobs/{q}/failed/{pp}/asc/{p}.json")

    # (label, rqdash path, rq-dashboard path, JSON key holding the rows, is a page of jobs)
    scenarios = [
        (f"All-queues overview ({n_queues:,} queues)", "/api/v1/queues", "/0/data/queues.json", "queues", False),
        (f"Failed jobs of `{a.queue}` ({total:,}), page 1 ×{pp}", *pages(1), "jobs", True),
        (f"… page {deep:,} ×{pp}", *pages(deep), "jobs", True),
        (f"… last page ({last:,}) ×{pp}", *pages(last), "jobs", True),
        (f"Workers list ({n_workers} workers)", "/api/v1/workers", "/0/data/workers.json", "workers", False),
        ("Job detail (one failed job)", f"/api/v1/jobs/{job_id}", f"/0/data/job/{job_id}.json", None, False),
    ]

    results = []
    for label, p_rqdash, p_rqd, key, is_page in scenarios:
        row = {"label": label, "is_page": is_page, "short": label.split(", ")[-1].lstrip("… ")}
        for side, client, path in (("rqdash", rqdash, p_rqdash), ("rqd", rqd, p_rqd)):
            print(f"{label} — {'rqdash' if side == 'rqdash' else 'rq-dashboard'}: {path}", flush=True)
            res = time_endpoint(client, path, a, key)
            if not res["error"]:
                trials = 7 if res["median_ms"] < 100 else 3 if res["median_ms"] < 1000 else 1
                res["cost"] = redis_cost(client, path, r, trials)
                print(f"    median {ms(res['median_ms'])}, p90 {ms(res['p90_ms'])}, n={len(res['times'])}, "
                      f"{res['cost']['commands']:,} Redis commands, rows={res['rows']}", flush=True)
            else:
                print(f"    {res['error']}", flush=True)
            row[side] = res
        results.append(row)

    mem = {"rqdash": proc_mem(a.rqdash_pid) if a.rqdash_pid else {},
           "rqd": proc_mem(a.rq_dashboard_pid) if a.rq_dashboard_pid else {}}
    a.load = (load_start, os.getloadavg())
    floor = counts_floor(r)
    report = render(a, results, mem, r, floor)
    print()
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)
        print(f"wrote {a.out}")


def machine_info(r: MiniRedis) -> list[str]:
    server = r.info("server")
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        pass
    return [
        f"Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, "
        f"{platform.system()} {platform.release()}",
        f"Redis: {server.get('redis_version', '?')} (private instance, loopback TCP)",
        f"Client: Python {platform.python_version()} http.client, sequential requests on one keep-alive "
        f"connection per server, no compression",
    ]


def n_queues_of(label: str) -> str:
    """'All-queues overview (1,002 queues)' -> '1,002'."""
    return label.split("(", 1)[1].split(" ", 1)[0]


def render(a: argparse.Namespace, results: list[dict], mem: dict, r: MiniRedis, floor: dict) -> str:
    L = ["# rqdash vs rq-dashboard: benchmark results", ""]
    L += [f"- {m}" for m in machine_info(r)]
    L += [f"- {m}" for m in a.meta]
    (s1, s5, _), (e1, e5, _) = a.load
    busy = " (**busy machine: other processes competed for the CPUs, numbers are inflated**)" \
        if max(s5, e5) > 0.75 * (os.cpu_count() or 1) + 1 else ""
    L += [f"- Load average (1 min / 5 min): {s1:.2f} / {s5:.2f} at start, {e1:.2f} / {e5:.2f} at end "
          f"(this run itself keeps about one CPU busy){busy}"]
    L += [f"- Rounds: up to {a.rounds} timed requests per scenario and server after {a.warmup} warm-up(s), "
          f"stopping early after {a.budget:.0f} s (n below)", ""]

    L += ["## Latency", "",
          "| Scenario | rqdash median | rqdash p90 | rq-dashboard median | rq-dashboard p90 | rq-dashboard / rqdash | n |",
          "|---|--:|--:|--:|--:|--:|--:|"]
    for row in results:
        x, y = row["rqdash"], row["rqd"]
        ratio = "–"
        if not x["error"] and not y["error"] and x["median_ms"] > 0:
            ratio = f"×{y['median_ms'] / x['median_ms']:,.0f}" if y["median_ms"] / x["median_ms"] >= 10 \
                else f"×{y['median_ms'] / x['median_ms']:.1f}"
        L.append(f"| {row['label']} | {cell(x, 'median_ms')} | {cell(x, 'p90_ms')} | {cell(y, 'median_ms')} | "
                 f"{cell(y, 'p90_ms')} | {ratio} | {len(x['times'])} / {len(y['times'])} |")

    L += ["", "## Redis work for one request", "",
          "- commands: sum of INFO commandstats calls (commands run inside Lua scripts included);",
          "- top-level: delta of INFO stats `total_commands_processed`;",
          "- reads: delta of `total_reads_processed`, socket reads Redis served (≈ client round trips);",
          "- conns: new Redis connections opened for the request;",
          "- Redis exec: time Redis spent executing those commands (sum of commandstats `usec`), and",
          "  Redis CPU: its main thread's CPU time for the request (execution + protocol), medians over",
          "  the trials. No client can answer faster than Redis CPU.", "",
          "| Scenario | Server | commands | top-level | reads | conns | Redis exec | Redis CPU | rows returned | body size |",
          "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for row in results:
        for side, name in (("rqdash", "rqdash"), ("rqd", "rq-dashboard")):
            res = row[side]
            if res["error"]:
                L.append(f"| {row['label']} | {name} | **{res['error']}** | | | | | | | |")
                continue
            c = res["cost"]
            L.append(f"| {row['label']} | {name} | {c['commands']:,} | {c['top_level']:,} | {c['reads']:,} | "
                     f"{c['conns']:,} | {ms(c['exec_ms'])} | {ms(c['cpu_ms'])} | {num(res['rows'])} | "
                     f"{size(res['bytes'])} |")

    L += ["", "Command mix (top 4):", ""]
    for row in results:
        for side, name in (("rqdash", "rqdash"), ("rqd", "rq-dashboard")):
            res = row[side]
            if not res["error"]:
                L.append(f"- {row['label']}, {name}: {breakdown(res['cost'])}")

    L += ["", "## Memory", "", "| Server | peak RSS (VmHWM) | RSS at end |", "|---|--:|--:|"]
    for side, name in (("rqdash", "rqdash"), ("rqd", "rq-dashboard")):
        m = mem[side]
        L.append(f"| {name} | {size(m['VmHWM'] * 1024) if 'VmHWM' in m else '–'} | "
                 f"{size(m['VmRSS'] * 1024) if 'VmRSS' in m else '–'} |")

    L += ["", "## Targets (rqdash)", ""]
    ov = results[0]["rqdash"]
    ok = not ov["error"] and ov["median_ms"] <= 10
    L.append(f"- All-queues overview median ≤ 10 ms (target set at 1,000 queues): "
             f"{'PASS' if ok else 'FAIL'} ({cell(ov, 'median_ms')} with {n_queues_of(results[0]['label'])} queues)")
    L.append(f"  - Redis floor on the same data: the {floor['commands']:,} counts alone (LLEN + six ZCARD "
             f"for each of {floor['queues']:,} queues, nothing else, one pipeline) cost Redis "
             f"{ms(floor['cpu_ms'])} of CPU ({ms(floor['exec_ms'])} executing the commands), median of 7.")
    for row in results:
        if row["is_page"]:
            x = row["rqdash"]
            ok = not x["error"] and x["median_ms"] <= 5
            L.append(f"- Page of {a.per_page} jobs ≤ 5 ms (target set for a 100k registry), {row['short']}: "
                     f"{'PASS' if ok else 'FAIL'} ({cell(x, 'median_ms')})")

    notes = []
    for row in results:
        y = row["rqd"]
        if y["error"]:
            notes.append(f"- rq-dashboard failed on {row['label']}: {y['error']} `{y['path']}`"
                         + (f" ({y['error_body'][:120]!r})" if y.get("error_body") else ""))
        elif row["is_page"] and y["rows"] is not None and y["rows"] != row["rqdash"]["rows"]:
            notes.append(f"- rq-dashboard returned {y['rows']:,} rows for a {a.per_page}-row page "
                         f"({row['label']}; rqdash: {num(row['rqdash']['rows'])}): its page range bug.")
        if row["rqdash"]["error"]:
            notes.append(f"- rqdash failed on {row['label']}: {row['rqdash']['error']} `{row['rqdash']['path']}`")
    if notes:
        L += ["", "## Notes", ""] + notes
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
