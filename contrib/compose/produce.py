"""Keeps compose.yaml's dashboard alive: enqueues real RQ jobs on `default` and `low`, one every
second or so, with RQ's JSON serializer (nothing pickled). The functions are builtins, so any
worker can import them: sums finish, `int('not a number')` fails with a real traceback, sleeps
keep the worker busy, and `len` is scheduled for later (the worker runs `--with-scheduler`).

REDIS_URL says where (default redis://redis:6379); PRODUCE_LIMIT=N stops after N jobs with no
pauses (the tests use it; 0, the default, runs forever).
"""

import itertools
import os
import random
import time
from datetime import timedelta

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

redis = Redis.from_url(os.environ.get('REDIS_URL', 'redis://redis:6379'))
default, low = (Queue(name, connection=redis, serializer=JSONSerializer) for name in ('default', 'low'))
limit = int(os.environ.get('PRODUCE_LIMIT', '0'))

# One round of eight jobs: a fixed mix, so that every state shows up within seconds.
ROUND = [
    lambda: default.enqueue('builtins.sum', [random.randint(1, 9) for _ in range(3)]),
    lambda: default.enqueue('time.sleep', round(random.uniform(0.1, 2.0), 2)),
    lambda: low.enqueue('builtins.sum', [random.randint(1, 99) for _ in range(5)]),
    lambda: default.enqueue('builtins.int', 'not a number'),
    lambda: low.enqueue_in(timedelta(seconds=30), 'builtins.len', 'scheduled for later'),
    lambda: default.enqueue('builtins.sum', [1, 2, 3]),
    lambda: low.enqueue('time.sleep', round(random.uniform(0.1, 1.0), 2)),
    lambda: default.enqueue('builtins.max', [random.randint(1, 9) for _ in range(4)]),
]

for n, make in enumerate(itertools.cycle(ROUND), start=1):
    make()
    if limit and n >= limit:
        break
    if not limit:
        time.sleep(random.uniform(0.3, 1.5))
