#!/usr/bin/env python3
"""Seed a throwaway Redis with RQ data for the rqdash vs rq-dashboard benchmark.

Everything is written through the real RQ library (Job, Queue, registries, Result,
Worker), never with hand-made Redis commands, so the keys and hash fields are exactly
what RQ itself produces for the installed version.

What gets created:

* ``--queues`` queues ``bench-q-0000`` ... each with ``--queued-per-queue`` queued jobs
  (``Queue.enqueue_job``), a few finished jobs and a few failed jobs, so that every
  count in the overview is non-trivial;
* queue ``big`` with a few queued jobs and ``--failed-jobs`` failed jobs in its
  FailedJobRegistry;
* ``--workers`` registered idle workers (``Worker.register_birth``), listening on a few
  queues each, with a long worker TTL so they survive the whole benchmark;
* queue ``bench-real``: a handful of jobs really executed by an in-process
  ``SimpleWorker --burst`` (some fail, some succeed), for realism.

Executing 100k jobs with a worker would take far too long, so finished and failed jobs
are written the way RQ's worker records an outcome: the job gets its status, start and
end times and worker name, then (failure) ``FailedJobRegistry.add(job, ttl,
exc_string=..., pipeline=p)`` which saves the job hash and ZADDs it, plus
``Result.create_failure(...)`` for the results stream entry -- the same two calls as
``Job._handle_failure`` -- or (success) ``job.save`` + ``Result.create`` +
``FinishedJobRegistry.add``, as in ``Job._handle_success``. Writes are batched
``--batch`` jobs per (non-transactional) pipeline.

Run it with the benchmark venv's python:  bench/.venv/bin/python bench/seed.py --redis-url ...
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
from datetime import timedelta

from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq import __version__ as rq_version
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.results import Result
from rq.utils import now

# Import path of the task functions (bench/bench_tasks.py), also used by the real worker.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

CHARGE = "bench_tasks.charge_card"
EMAIL = "bench_tasks.send_email"
RESULT_TTL = 86_400  # keep finished jobs for a day so nothing expires mid-benchmark
WORKER_TTL = 86_400  # likewise for the registered idle workers

# A realistic traceback (about 0.7 kB), as a failing task would leave behind.
TRACEBACK = """Traceback (most recent call last):
  File "/srv/app/.venv/lib/python3.11/site-packages/rq/worker/base.py", line 1612, in perform_job
    rv = job.perform()
         ^^^^^^^^^^^^^
  File "/srv/app/.venv/lib/python3.11/site-packages/rq/job.py", line 1391, in perform
    self._result = self._execute()
                   ^^^^^^^^^^^^^^^
  File "/srv/app/.venv/lib/python3.11/site-packages/rq/job.py", line 1428, in _execute
    result = self.func(*self.args, **self.kwargs)
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/srv/app/bench_tasks.py", line 10, in charge_card
    raise ValueError(f"card declined for order {{order_id}}: amount {{amount}} {{currency}}")
ValueError: card declined for order {order}: amount {amount} EUR
"""


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--redis-url", required=True, help="the throwaway Redis to seed")
    ap.add_argument("--queues", type=int, default=1000, help="number of bench-q-NNNN queues")
    ap.add_argument("--failed-jobs", type=int, default=100_000, help="failed jobs in queue 'big'")
    ap.add_argument("--queued-per-queue", type=int, default=3)
    ap.add_argument("--workers", type=int, default=10, help="registered idle workers")
    ap.add_argument("--batch", type=int, default=1000, help="jobs per Redis pipeline")
    ap.add_argument("--no-real-jobs", action="store_true", help="skip the SimpleWorker burst run")
    return ap.parse_args()


def new_job(conn: Redis, func: str, args: tuple, kwargs: dict, origin: str, created) -> Job:
    """A job as `Queue.enqueue` would build it (default timeout 180), not yet saved."""
    job = Job.create(func, args=args, kwargs=kwargs, connection=conn, origin=origin,
                     result_ttl=RESULT_TTL, timeout=180, id=uuid.uuid4().hex)
    job.created_at = created
    return job


def record_run(job: Job, started, worker: str) -> None:
    """Fill in what a worker sets on a job it has executed (before the outcome is saved)."""
    job.enqueued_at = started - timedelta(milliseconds=40)
    job.started_at = started
    job.ended_at = started + timedelta(milliseconds=12)
    job.worker_name = worker


def add_failed(p, conn: Redis, queue: str, order: int, created, worker: str) -> None:
    """One failed job, recorded as the worker's failure handler does (on pipeline p)."""
    amount = 7 * (order % 500 + 1)
    job = new_job(conn, CHARGE, (order, amount), {"currency": "EUR"}, queue, created)
    record_run(job, created + timedelta(seconds=1), worker)
    exc = TRACEBACK.format(order=order, amount=amount)
    job.set_status(JobStatus.FAILED, pipeline=p)
    # Saves the whole hash (with status/exc_info), sets the failure TTL and ZADDs the id.
    FailedJobRegistry(queue, connection=conn).add(job, ttl=job.failure_ttl, exc_string=exc, pipeline=p)
    # The results stream entry (rq:results:<id>) the worker writes next to it.
    Result.create_failure(job, job.failure_ttl, exc_string=exc, worker_name=worker, pipeline=p,
                          execution_id=uuid.uuid4().hex, execution_started_at=job.started_at,
                          execution_ended_at=job.ended_at)


def add_finished(p, conn: Redis, queue: str, order: int, created, worker: str) -> None:
    """One finished job, recorded as the worker's success handler does (on pipeline p)."""
    job = new_job(conn, EMAIL, (f"user{order}@example.com", "Your receipt"), {}, queue, created)
    record_run(job, created + timedelta(seconds=1), worker)
    job.set_status(JobStatus.FINISHED, pipeline=p)
    job.save(pipeline=p, include_meta=False)
    job.cleanup(ttl=RESULT_TTL, pipeline=p)
    Result.create(job, Result.Type.SUCCESSFUL, ttl=RESULT_TTL, return_value=f"sent to user{order}",
                  worker_name=worker, pipeline=p, execution_id=uuid.uuid4().hex,
                  execution_started_at=job.started_at, execution_ended_at=job.ended_at)
    FinishedJobRegistry(queue, connection=conn).add(job, RESULT_TTL, pipeline=p)


def enqueue(p, q: Queue, conn: Redis, order: int) -> None:
    """One queued job through Queue.enqueue_job (also registers the queue in rq:queues).

    enqueue_job switches the pipeline to MULTI mode and refuses a pipeline that already holds
    other commands, so queued jobs get a Batcher of their own.
    """
    job = new_job(conn, CHARGE, (order, 10 + order % 90), {"currency": "EUR"}, q.name, now())
    q.enqueue_job(job, pipeline=p)


class Batcher:
    """Runs callables against a shared non-transactional pipeline, executing every `size` jobs."""

    def __init__(self, conn: Redis, size: int):
        self.conn, self.size, self.n, self.total = conn, size, 0, 0
        self.p = conn.pipeline(transaction=False)

    def add(self, fn, *args) -> None:
        fn(self.p, *args)
        self.n += 1
        if self.n >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.n:
            self.p.execute()
            self.total += self.n
            self.n = 0


def seed_small_queues(conn: Redis, a: argparse.Namespace) -> dict:
    """bench-q-NNNN: queued jobs, 2-5 finished and 1-3 failed per queue."""
    queued, b = Batcher(conn, a.batch), Batcher(conn, a.batch)
    counts = {"queued": 0, "finished": 0, "failed": 0}
    base = now() - timedelta(hours=2)
    for i in range(a.queues):
        name = f"bench-q-{i:04d}"
        q = Queue(name, connection=conn)
        for j in range(a.queued_per_queue):
            queued.add(enqueue, q, conn, i * 100 + j)
        counts["queued"] += a.queued_per_queue
        for j in range(2 + i % 4):
            b.add(add_finished, conn, name, i * 100 + j, base + timedelta(seconds=i + j), f"bench-worker-{i % 10}")
            counts["finished"] += 1
        for j in range(1 + i % 3):
            b.add(add_failed, conn, name, i * 100 + 50 + j, base + timedelta(seconds=i + j), f"bench-worker-{i % 10}")
            counts["failed"] += 1
    queued.flush()
    b.flush()
    return counts


def seed_failed_queue(conn: Redis, queue: str, count: int, batch: int = 1000, queued: int = 3) -> None:
    """Queue `queue`: `queued` queued jobs and `count` failed jobs (oldest first).

    The queued jobs also register the queue in rq:queues (as any enqueue does); the failed
    jobs are recorded as the worker's failure path records them (see add_failed). Used for
    queue 'big' here and, by bench/requeue.py, for the queues that "requeue all" consumes.
    """
    q = Queue(queue, connection=conn)
    queued_jobs, b = Batcher(conn, batch), Batcher(conn, batch)
    for j in range(queued):
        queued_jobs.add(enqueue, q, conn, j)
    queued_jobs.flush()
    base = now() - timedelta(seconds=count)
    for i in range(count):
        b.add(add_failed, conn, queue, i, base + timedelta(seconds=i), f"bench-worker-{i % 10}")
    b.flush()


def seed_big(conn: Redis, a: argparse.Namespace) -> None:
    """Queue 'big': a few queued jobs and --failed-jobs failed ones (oldest first)."""
    seed_failed_queue(conn, "big", a.failed_jobs, a.batch)


def register_workers(conn: Redis, a: argparse.Namespace, names: list[str]) -> None:
    """Idle workers as `rq worker` registers them at birth, with a long TTL."""
    for i in range(a.workers):
        listen = [names[(i * 3 + k) % len(names)] for k in range(3)] + (["big"] if i == 0 else [])
        queues = [Queue(n, connection=conn) for n in listen]
        w = Worker(queues, name=f"bench-worker-{i}", connection=conn, worker_ttl=WORKER_TTL)
        w.register_birth()
        w.set_state("idle")


def real_jobs(conn: Redis) -> tuple[int, int]:
    """A few jobs really executed by an in-process burst worker: 3 failures, 3 successes."""
    q = Queue("bench-real", connection=conn)
    q.enqueue(CHARGE, 1, 14)                 # ValueError (14 % 7 == 0)
    q.enqueue(CHARGE, 2, 21, currency="USD")  # ValueError
    q.enqueue("bench_tasks.divide", 1, 0)     # ZeroDivisionError
    q.enqueue(CHARGE, 3, 10)
    q.enqueue(EMAIL, "a@example.com", "hello", body="x" * 200)
    q.enqueue("bench_tasks.divide", 10, 4)
    SimpleWorker([q], connection=conn, name="bench-burst-worker").work(burst=True, logging_level="CRITICAL")
    return FailedJobRegistry("bench-real", connection=conn).get_job_count(), \
        FinishedJobRegistry("bench-real", connection=conn).get_job_count()


def main() -> None:
    a = parse_args()
    logging.basicConfig(level=logging.WARNING)
    conn = Redis.from_url(a.redis_url)
    if conn.dbsize():
        sys.exit(f"refusing to seed {a.redis_url}: it is not empty (dbsize={conn.dbsize()})")
    print(f"seeding {a.redis_url} with rq {rq_version}: {a.queues} queues, "
          f"{a.failed_jobs} failed jobs in 'big', {a.workers} workers", flush=True)
    t0 = time.perf_counter()

    counts = seed_small_queues(conn, a)
    t1 = time.perf_counter()
    print(f"  small queues: {counts} in {t1 - t0:.1f} s", flush=True)

    seed_big(conn, a)
    t2 = time.perf_counter()
    rate = a.failed_jobs / max(t2 - t1, 1e-9)
    print(f"  big: {a.failed_jobs} failed jobs in {t2 - t1:.1f} s ({rate:,.0f} jobs/s)", flush=True)

    names = [f"bench-q-{i:04d}" for i in range(a.queues)] or ["big"]
    register_workers(conn, a, names)
    if not a.no_real_jobs:
        failed, finished = real_jobs(conn)
        print(f"  bench-real: {failed} failed, {finished} finished by a real SimpleWorker", flush=True)
    t3 = time.perf_counter()

    # Sanity checks, so a silently broken seed cannot produce a meaningless benchmark.
    n_failed = FailedJobRegistry("big", connection=conn).get_job_count(cleanup=False)
    n_queues = len(Queue.all(connection=conn))
    assert n_failed == a.failed_jobs, (n_failed, a.failed_jobs)
    print(f"seeded in {t3 - t0:.1f} s: {n_queues} queues, big failed={n_failed}, "
          f"workers={len(Worker.all(connection=conn))}, keys={conn.dbsize()}, "
          f"used_memory={conn.info('memory')['used_memory_human']}")
    print(f"SEED_SECONDS={t3 - t0:.1f}")


if __name__ == "__main__":
    main()
