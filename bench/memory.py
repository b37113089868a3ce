#!/usr/bin/env python3
"""RSS of rqdash (and rq-dashboard 0.9.0, side by side) under load on job pages, then idle.

    python3 bench/memory.py                       # builds rqdash (release), seeds, runs both
    RQDASH_BIN=target/release/rqdash python3 bench/memory.py --no-rq-dashboard

One private redis-server (free port, temp dir, no persistence) is seeded by bench/seed.py
through rq's API. Then, for each server in turn, on the same data:

  * 3 s idle (the baseline),
  * --load-seconds of --clients concurrent keep-alive clients on job pages,
  * --load-seconds of --connections concurrent keep-alive clients on the same pages,
  * --idle-seconds with no requests,

sampling VmRSS from /proc/PID/status every second. "Job pages" are, at random, a page of 100
failed jobs of queue `big` (rqdash: `/queues/big?state=failed&per_page=100&page=P`, any page;
rq-dashboard: its JSON `/0/data/jobs/big/failed/100/asc/P.json`, pages 1-3 only, because its
page-range bug makes deep pages return tens of thousands of rows) and one failed job's page
(rqdash `/jobs/ID`, rq-dashboard `/0/data/job/ID.json`). The clients are asyncio coroutines
(one socket each, HTTP/1.1, no compression); rq-dashboard's Werkzeug server closes every
connection, so its clients reconnect.

Prints RSS over time, the peak and the idle values, and appends a section to bench/results.md
(--out). Targets for rqdash: peak <= 50 MB under load, < 30 MB within 30 s of idle.
The venv (bench/.venv: rq-dashboard 0.9.0, rq 3.0.0, six) is created as bench/run.sh does.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
from measure import MiniRedis  # noqa: E402

VENV = os.path.join(BENCH, ".venv")
PEAK_TARGET_MB, IDLE_TARGET_MB = 50, 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_http(port: int, path: str, proc: subprocess.Popen, what: str) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"{what} exited during startup")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                if s.recv(64).startswith((b"HTTP/1.0 200", b"HTTP/1.1 200")):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not answer on {port}")


def ensure_venv() -> str:
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(os.path.join(VENV, "bin", "rq-dashboard")):
        print("creating bench/.venv (rq-dashboard 0.9.0, rq 3.0.0, six)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "rq-dashboard==0.9.0", "rq==3.0.0", "six==1.17.0"], check=True)
    return py


# --------------------------------------------------------------------------- load


class Load:
    """Counts of one load phase."""

    def __init__(self) -> None:
        self.ok = self.errors = self.bytes = 0
        self.statuses: dict[int, int] = {}


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """(status, body bytes, connection kept) of one HTTP/1.x response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ")[0], int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:] if ":" in h)}
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        n = int(headers["content-length"])
        await reader.readexactly(n)
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        n = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            n += size
            if size == 0:
                break
    else:
        n = len(await reader.read())
        keep = False
    return status, n, keep


async def client(port: int, paths, deadline: float, load: Load) -> None:
    conn = None
    while time.monotonic() < deadline:
        try:
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", port)
            reader, writer = conn
            path = paths()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: memory.py\r\n\r\n".encode())
            status, n, keep = await asyncio.wait_for(read_response(reader), 60)
            load.statuses[status] = load.statuses.get(status, 0) + 1
            load.ok += status == 200
            load.bytes += n
            if not keep:
                writer.close()
                conn = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, IndexError):
            load.errors += 1
            if conn is not None:
                conn[1].close()
            conn = None
            await asyncio.sleep(0.05)
    if conn is not None:
        conn[1].close()


def drive(port: int, paths, n: int, seconds: float) -> Load:
    load = Load()

    async def run() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(client(port, paths, deadline, load) for _ in range(n)))

    asyncio.run(run())
    return load


# --------------------------------------------------------------------------- one server


def run_server(name: str, cmd: list[str], health: str, paths, a) -> dict:
    port = free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    log = open(os.path.join(a.tmp, f"{name}.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(port, health, proc, name)
        samples: list[tuple[float, str, int]] = []
        phase = ["idle before"]
        stop = threading.Event()
        t0 = time.monotonic()

        def sample() -> None:
            while not stop.is_set():
                samples.append((time.monotonic() - t0, phase[0], rss_kb(proc.pid)))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        time.sleep(3)
        loads = {}
        for label, n in ((f"{a.clients} clients", a.clients), (f"{a.connections} connections", a.connections)):
            phase[0] = label
            print(f"  {name}: {label} for {a.load_seconds} s", flush=True)
            loads[label] = drive(port, paths, n, a.load_seconds)
        phase[0] = "idle after"
        print(f"  {name}: idle for {a.idle_seconds} s", flush=True)
        time.sleep(a.idle_seconds + 0.5)
        stop.set()
        sampler.join()
        return {"name": name, "samples": samples, "loads": loads}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# --------------------------------------------------------------------------- report


def summary(res: dict) -> dict:
    s = res["samples"]
    load = [kb for _, p, kb in s if p not in ("idle before", "idle after")]
    idle = [(t, kb) for t, p, kb in s if p == "idle after"]
    start = idle[0][0] if idle else 0
    at = lambda sec: next((kb for t, kb in idle if t - start >= sec - 0.5), None)  # noqa: E731
    return {
        "before": max((kb for _, p, kb in s if p == "idle before"), default=0),
        "peak": max(load, default=0),
        "idle10": at(10), "idle20": at(20), "end": idle[-1][1] if idle else None,
        "under30": next((round(t - start) for t, kb in idle if kb < IDLE_TARGET_MB * 1024), None),
    }


def mb(kb) -> str:
    return "–" if kb is None else f"{kb / 1024:.1f}"


def render(a, results: list[dict], meta: list[str]) -> str:
    out = [f"\n## Memory under load (`bench/memory.py`, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)\n"]
    out += [f"- {m}" for m in meta]
    out.append(f"- Load: {a.clients} then {a.connections} concurrent keep-alive clients, {a.load_seconds} s each, "
               f"then {a.idle_seconds} s idle; VmRSS sampled every second.\n")
    names = [r["name"] for r in results]
    out.append("| | " + " | ".join(names) + " |")
    out.append("|---|" + "--:|" * len(names))
    sums = [summary(r) for r in results]
    rows = [("RSS idle before (MB)", "before"), ("peak RSS under load (MB)", "peak"),
            ("RSS after 10 s idle (MB)", "idle10"), ("RSS after 20 s idle (MB)", "idle20"),
            (f"RSS after {a.idle_seconds} s idle (MB)", "end")]
    for label, k in rows:
        out.append(f"| {label} | " + " | ".join(mb(s[k]) for s in sums) + " |")
    out.append(f"| first second under {IDLE_TARGET_MB} MB after load | "
               + " | ".join("–" if s["under30"] is None else f"{s['under30']} s" for s in sums) + " |")
    for label in results[0]["loads"]:
        cells = []
        for r in results:
            ld = r["loads"][label]
            other = {k: v for k, v in ld.statuses.items() if k != 200}
            cells.append(f"{ld.ok} ok ({ld.ok / a.load_seconds:.0f}/s), {ld.bytes / 2**20:.0f} MB"
                         + (f", other {other}" if other else "") + (f", {ld.errors} errors" if ld.errors else ""))
        out.append(f"| requests, {label} | " + " | ".join(cells) + " |")
    out.append("\nRSS over time (MB, one sample per second):\n")
    out.append("| s | " + " | ".join(f"{n} | phase" for n in names) + " |")
    out.append("|--:|" + "--:|---|" * len(names))
    for i in range(max(len(r["samples"]) for r in results)):
        row = [r["samples"][i] if i < len(r["samples"]) else None for r in results]
        out.append(f"| {i} | " + " | ".join(f"{mb(x[2])} | {x[1]}" if x else " | " for x in row) + " |")
    s = sums[0]
    ok_peak = s["peak"] <= PEAK_TARGET_MB * 1024
    ok_idle = s["under30"] is not None and s["under30"] <= 30
    out.append(f"\nrqdash peak ≤ {PEAK_TARGET_MB} MB under load: **{'PASS' if ok_peak else 'FAIL'}** "
               f"({mb(s['peak'])} MB); back under {IDLE_TARGET_MB} MB within 30 s of idle: "
               f"**{'PASS' if ok_idle else 'FAIL'}** ({mb(s['end'])} MB at the end)\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queues", type=int, default=100)
    ap.add_argument("--failed-jobs", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--load-seconds", type=int, default=15)
    ap.add_argument("--idle-seconds", type=int, default=30)
    ap.add_argument("--no-rq-dashboard", action="store_true", help="measure rqdash only")
    ap.add_argument("--out", default=os.path.join(BENCH, "results.md"), help="appended to; '-' for stdout only")
    return ap.parse_args()


def main() -> None:
    a = parse_args()
    py = ensure_venv()
    binary = os.environ.get("RQDASH_BIN")
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "rqdash"], cwd=ROOT, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        binary = os.path.join(target, "release", "rqdash")
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="rqdash-mem.") as tmp:
        a.tmp = tmp
        rport = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", tmp, "--logfile", os.path.join(tmp, "redis.log")])
        try:
            url = f"redis://127.0.0.1:{rport}"
            for _ in range(50):
                try:
                    MiniRedis(url).cmd("PING")
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"seeding {a.queues} queues, {a.failed_jobs} failed jobs", flush=True)
            subprocess.run([py, os.path.join(BENCH, "seed.py"), "--redis-url", url, "--queues", str(a.queues),
                            "--failed-jobs", str(a.failed_jobs), "--workers", "5"], check=True,
                           stdout=subprocess.DEVNULL)
            ids = MiniRedis(url).cmd("ZRANGE", "rq:failed:big", "0", "499")
            ids = [i.decode() if isinstance(i, bytes) else i for i in ids]
            pages = max(1, a.failed_jobs // 100)
            rqdash_paths = lambda: (f"/queues/big?state=failed&per_page=100&page={random.randint(1, pages)}"  # noqa: E731
                                    if random.random() < 0.5 else f"/jobs/{random.choice(ids)}")
            rqd_paths = lambda: (f"/0/data/jobs/big/failed/100/asc/{random.randint(1, 3)}.json"  # noqa: E731
                                 if random.random() < 0.5 else f"/0/data/job/{random.choice(ids)}.json")
            results = [run_server("rqdash", [binary, "--redis-url", url, "--port", "{port}"], "/healthz",
                                  rqdash_paths, a)]
            if not a.no_rq_dashboard:
                results.append(run_server("rq-dashboard", [os.path.join(VENV, "bin", "rq-dashboard"), "--redis-url",
                                                            url, "--port", "{port}", "--bind", "127.0.0.1"],
                                          "/0/data/workers.json", rqd_paths, a))
        finally:
            redis.terminate()
            redis.wait()
    meta = [f"rqdash: {rev}, release build ({binary}), default options; rq-dashboard 0.9.0 (its CLI, Werkzeug threaded)"
            if not a.no_rq_dashboard else f"rqdash: {rev}, release build ({binary}), default options",
            f"Data: {a.queues} queues + queue `big` with {a.failed_jobs} failed jobs (bench/seed.py); "
            f"machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}"]
    text = render(a, results, meta)
    print(text)
    if a.out != "-":
        with open(a.out, "a") as f:
            f.write(text + "\n")
        print(f"appended to {a.out}")


if __name__ == "__main__":
    if not shutil.which("redis-server"):
        sys.exit("redis-server is needed")
    main()
