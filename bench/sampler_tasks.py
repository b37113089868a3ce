"""The 200 task functions of bench/sampler_cost.py: ``sampler_tasks.f000`` ... ``f199``.

Only the real-worker part of the bench (RQ's own cost per job) runs them; the seeded jobs
merely name them. Each returns a short string; a call with ``fail=True`` raises, as a task
that fails would, so the worker's failure path (traceback, failed registry) is exercised too.
"""

FUNCTIONS = 200


def _task(i):
    def task(order, fail=False):
        if fail:
            raise ValueError(f"order {order} rejected by f{i:03d}")
        return f"f{i:03d} done {order}"

    task.__name__ = task.__qualname__ = f"f{i:03d}"
    return task


globals().update({f"f{i:03d}": _task(i) for i in range(FUNCTIONS)})
