#!/usr/bin/env python3
"""Redis commands/s with 0, 1, 4, 20, 50 open tabs of one queue page, under a producer.

Issue 12 point 8: every open tab used to re-fetch its page on every count change, so Redis load
grew with the number of tabs. This starts a private redis-server, a producer enqueuing through
rq at --rate jobs/s into queue `tabs`, then each dashboard alone, and for each tab count opens
that many emulated tabs on the queue page and reads INFO stats `total_commands_processed`
over --seconds (after a warm-up that absorbs the first page loads).

An rqdash tab does what static/app.js does: one EventSource on /events, and on every snapshot
that changes the queue's count a re-fetch of the page naming that snapshot's tick
(X-Rqdash-Tick). An rq-dashboard 0.9.0 tab does what its jobs.js does: GET the jobs JSON of the
queue, wait its poll interval (2.5 s by default), again. Both run with their default poll
interval; rqdash with --max-streams-per-client 0 (all tabs come from 127.0.0.1).

    bench/.venv/bin/python bench/tabs.py --rqdash-bin target/release/rqdash
    bench/.venv/bin/python bench/tabs.py --tabs 0,1,20 --seconds 5 --no-rq-dashboard

It needs the venv of bench/run.sh (rq for the producer, rq-dashboard), redis-server, and
appends its table to bench/results.md (--out).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import MiniRedis  # noqa: E402

QUEUE = "tabs"
PAGE = f"/queues/{QUEUE}"
BEFORE = "rqdash, tabs without tick"
RQD_JOBS = f"/0/data/jobs/{QUEUE}/queued/8/asc/1.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, proc: subprocess.Popen, secs: float = 30) -> None:
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited during startup")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on {port} did not answer {path}")


def producer(redis_url: str, rate: float, stop: threading.Event) -> None:
    """Enqueue through rq, as an application would, `rate` jobs a second."""
    from redis import Redis
    from rq import Queue

    q = Queue(QUEUE, connection=Redis.from_url(redis_url))
    n = 0
    start = time.monotonic()
    while not stop.is_set():
        q.enqueue("bench_tasks.send_email", f"user{n}@example.com", "hello")
        n += 1
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            stop.wait(delay)


def rqdash_tab(port: int, stop: threading.Event, fetches: list[int], tick: bool = True) -> None:
    """One tab of rqdash's queue page: an event stream, and a re-fetch per change of the count
    (without `tick`, as app.js did before renders were shared: every tab renders its own)."""
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(headers: dict[str, str]) -> None:
        page.request("GET", PAGE, headers=headers)
        page.getresponse().read()
        fetches[0] += 1

    get({"Accept": "text/html"})
    # No timeout: a timed-out file object cannot be read again. A snapshot arrives every tick, so
    # the loop sees `stop` within one poll interval.
    sse = http.client.HTTPConnection("127.0.0.1", port)
    sse.request("GET", "/events?instance=0", headers={"Accept": "text/event-stream"})
    res = sse.getresponse()
    last, data = None, None
    while not stop.is_set():
        line = res.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if line.startswith(b"data: "):
            data = line[6:]
        elif line == b"" and data is not None:
            snap = json.loads(data)
            data = None
            queues = (snap.get("overview") or {}).get("queues") or []
            count = next((q["counts"].get("queued") for q in queues if q["name"] == QUEUE), None)
            if last is not None and count != last:
                get({"Accept": "text/html", **({"X-Rqdash-Tick": str(snap["seq"])} if tick else {})})
            last = count
    sse.close()
    page.close()


def rqd_tab(port: int, stop: threading.Event, fetches: list[int], interval: float, phase: float) -> None:
    """One tab of rq-dashboard's jobs page: its table reloaded every poll interval."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    stop.wait(phase)
    while not stop.is_set():
        c.request("GET", RQD_JOBS)
        c.getresponse().read()
        fetches[0] += 1
        stop.wait(interval)
    c.close()


def commands(r: MiniRedis) -> int:
    return int(r.info("stats")["total_commands_processed"])


def series(name: str, port: int, r: MiniRedis, a: argparse.Namespace) -> list[tuple[int, float, float]]:
    out = []
    for n in a.tabs:
        stop = threading.Event()
        fetches = [0]
        if name.startswith("rqdash"):
            tick = name == "rqdash"
            threads = [threading.Thread(target=rqdash_tab, args=(port, stop, fetches, tick)) for _ in range(n)]
        else:
            threads = [
                threading.Thread(target=rqd_tab, args=(port, stop, fetches, a.rqd_interval, a.rqd_interval * i / n))
                for i in range(n)
            ]
        for t in threads:
            t.start()
        time.sleep(a.warmup)
        c0, f0, t0 = commands(r), fetches[0], time.monotonic()
        time.sleep(a.seconds)
        c1, f1, t1 = commands(r), fetches[0], time.monotonic()
        stop.set()
        for t in threads:
            t.join()
        secs = t1 - t0
        # One INFO of this script falls inside the window.
        out.append((n, (c1 - c0 - 1) / secs, (f1 - f0) / secs))
        print(f"{name:>12}  {n:>3} tabs  {out[-1][1]:8.1f} commands/s  {out[-1][2]:6.1f} page fetches/s", flush=True)
        time.sleep(1)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--rqdash-bin", default=os.path.join(here, "..", "target", "release", "rqdash"))
    p.add_argument("--rq-dashboard-bin", default=os.path.join(here, ".venv", "bin", "rq-dashboard"))
    p.add_argument("--no-rq-dashboard", action="store_true")
    p.add_argument("--before", action="store_true",
                   help=f"also measure '{BEFORE}': tabs that refresh without naming their tick")
    p.add_argument("--tabs", default="0,1,4,20,50", type=lambda s: [int(x) for x in s.split(",")])
    p.add_argument("--seconds", type=float, default=10.0, help="measured window per tab count")
    p.add_argument("--warmup", type=float, default=4.0, help="seconds after opening tabs before measuring")
    p.add_argument("--rate", type=float, default=5.0, help="jobs/s the producer enqueues")
    p.add_argument("--rqd-interval", type=float, default=2.5, help="rq-dashboard's default poll interval")
    p.add_argument("--out", default=os.path.join(here, "results.md"))
    a = p.parse_args()

    tmp = tempfile.mkdtemp(prefix="rqdash-tabs.")
    procs: list[subprocess.Popen] = []
    stop = threading.Event()
    try:
        rport = free_port()
        procs.append(subprocess.Popen(
            ["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", tmp, "--logfile", os.path.join(tmp, "redis.log")]))
        url = f"redis://127.0.0.1:{rport}/0"
        for _ in range(100):
            try:
                r = MiniRedis(url)
                break
            except OSError:
                time.sleep(0.1)
        sys.path.insert(0, here)
        prod = threading.Thread(target=producer, args=(url, a.rate, stop), daemon=True)
        prod.start()
        time.sleep(2)
        results = {}
        rqdash = [a.rqdash_bin, "--redis-url", url, "--max-streams-per-client", "0"]
        servers = [("rqdash", rqdash, "/healthz")]
        if a.before:
            servers.append((BEFORE, rqdash, "/healthz"))
        if not a.no_rq_dashboard and os.path.exists(a.rq_dashboard_bin):
            servers.append(("rq-dashboard", [a.rq_dashboard_bin, "--redis-url", url, "--bind", "127.0.0.1"],
                            "/0/data/workers.json"))
        for name, cmd, probe in servers:
            port = free_port()
            log = open(os.path.join(tmp, f"{name}.log"), "w")
            proc = subprocess.Popen([*cmd, "--port", str(port)], stdout=log, stderr=log)
            procs.append(proc)
            wait_http(port, probe, proc)
            results[name] = series(name, port, r, a)
            proc.terminate()
            proc.wait(10)
        report(a, results)
    finally:
        stop.set()
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def report(a: argparse.Namespace, results: dict) -> None:
    names = list(results)
    head = "| Tabs | " + " | ".join(f"{n} commands/s | {n} page fetches/s" for n in names) + " |"
    lines = [
        "",
        "## Live tabs on one queue page: Redis commands/s (bench/tabs.py)",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; load average "
        f"{os.getloadavg()[0]:.2f} at the end",
        f"- A producer enqueues {a.rate:g} jobs/s through rq into `{QUEUE}`; each row: {a.seconds:g} s measured "
        f"after {a.warmup:g} s with the tabs open; INFO stats `total_commands_processed`, producer included",
        "- rqdash tab: /events + a re-fetch of the page per count change, naming its tick (as static/app.js; "
        f"'{BEFORE}': the same without the tick, i.e. every tab renders its own, as before); "
        f"rq-dashboard tab: its jobs JSON every {a.rqd_interval:g} s (as its jobs.js); default poll intervals",
        f"- rqdash binary: `{a.rqdash_bin}`",
        "",
        head,
        "|--:|" + "--:|--:|" * len(names),
    ]
    for i, n in enumerate(a.tabs):
        cells = " | ".join(f"{results[k][i][1]:,.1f} | {results[k][i][2]:,.1f}" for k in names)
        lines.append(f"| {n} | {cells} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(a.out, "a") as f:
        f.write(text)


if __name__ == "__main__":
    main()
