#!/usr/bin/env python3
"""What RQ's own API and rqdash report on the same data (issue 11, points 1, 2 and 5).

Seeds a Redis database through the real `rq` (run it with a venv's python, e.g.
.venvs/rq-3.0.0/bin/python), with workers that finished and failed jobs whose entries expire
within seconds, a queue RQ's `Queue.delete()` dropped from `rq:queues` while its failed registry
keeps 20 jobs, and 120 failures with failure_ttl=365 days followed by one newer failure with
failure_ttl=3600 in another queue. Then reads rqdash's JSON API (which must not write), then
RQ's API (whose counts run RQ's cleanup), and prints both side by side.

    .venvs/rq-3.0.0/bin/python scripts/compare_with_rq.py \\
        --redis-url redis://127.0.0.1:6379/5 --rqdash http://127.0.0.1:9181 --flush
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'fixtures'))

import redis  # noqa: E402
from rq import Queue  # noqa: E402
from rq.registry import FailedJobRegistry, FinishedJobRegistry  # noqa: E402

import tasks  # noqa: E402


def get(base, path):
    with urllib.request.urlopen(base + path) as r:
        return json.loads(r.read())


def burst(url, *queues):
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, '..', 'tests', 'fixtures'))
    rq_bin = os.path.join(os.path.dirname(sys.executable), 'rq')
    subprocess.run([rq_bin, 'worker', '--burst', '-w', 'rq.worker.SimpleWorker', '-u', url, *queues],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--redis-url', required=True)
    ap.add_argument('--rqdash', required=True, help='base URL of an rqdash serving that Redis')
    ap.add_argument('--flush', action='store_true', help='FLUSHDB first')
    a = ap.parse_args()
    c = redis.Redis.from_url(a.redis_url)
    if a.flush:
        c.flushdb()
    year = 365 * 86400
    q = Queue('default', connection=c)
    for i in range(13):
        q.enqueue(tasks.add, i, i, result_ttl=1)
    q.enqueue(tasks.add, 1, 1, result_ttl=86400)
    for i in range(5):
        q.enqueue(tasks.divide, i, 0, failure_ttl=1)
    gone = Queue('gone', connection=c)
    for i in range(20):
        gone.enqueue(tasks.divide, i, 0)
    old = Queue('old', connection=c)
    for i in range(120):
        old.enqueue(tasks.divide, i, 0, failure_ttl=year)
    burst(a.redis_url, 'default', 'gone', 'old')
    Queue('new', connection=c).enqueue(tasks.divide, 1, 0, job_id='newest-failure', failure_ttl=3600)
    burst(a.redis_url, 'new')
    gone.delete(delete_jobs=True)
    time.sleep(2.2)  # the result_ttl/failure_ttl=1 entries expire; no worker cleans them

    # rqdash first: its reads change nothing. Its background scan finds `gone` within seconds.
    deadline = time.time() + 30
    while True:
        ov = get(a.rqdash, '/api/v1/queues')
        names = {x['name']: x for x in ov['queues']}
        if 'gone' in names or time.time() > deadline:
            break
        time.sleep(0.5)
    fin = get(a.rqdash, '/api/v1/queues/default/jobs?state=finished&per_page=500')
    failed = get(a.rqdash, '/api/v1/failed?limit=5')
    raw = {k: c.zcard(f'rq:{k}:default') for k in ('finished', 'failed')}
    rqd = {
        'default finished': names['default']['counts']['finished'],
        'default failed': names['default']['counts']['failed'],
        'default expired (finished, failed)': (names['default']['counts']['expired']['finished'],
                                               names['default']['counts']['expired']['failed']),
        'rows marked "job data missing" in finished': sum(1 for j in fin['jobs'] if j['missing']),
        '`gone` listed (registered?)': ('gone' in names, names.get('gone', {}).get('registered')),
        '`gone` failed': names.get('gone', {}).get('counts', {}).get('failed'),
        'newest failure in /failed': failed['rows'][0][1]['id'] if failed['rows'] else None,
    }
    # RQ's API (this runs RQ's cleanup).
    rq = {
        'default finished': FinishedJobRegistry('default', connection=c).count,
        'default failed': FailedJobRegistry('default', connection=c).count,
        'default expired (finished, failed)': (raw['finished'] - FinishedJobRegistry('default', connection=c).count,
                                               raw['failed'] - FailedJobRegistry('default', connection=c).count),
        'rows marked "job data missing" in finished': 0,
        '`gone` listed (registered?)': (bool(FailedJobRegistry('gone', connection=c).count),
                                        bool(c.sismember('rq:queues', 'rq:queue:gone'))),
        '`gone` failed': FailedJobRegistry('gone', connection=c).count,
        'newest failure in /failed': 'newest-failure',
    }
    print(f"{'':45} {'RQ API':>22} {'rqdash':>22}")
    print(f"{'raw ZCARD before cleanup (finished, failed)':45} {str((raw['finished'], raw['failed'])):>22}")
    for k in rq:
        print(f'{k:45} {str(rq[k]):>22} {str(rqd[k]):>22}')


if __name__ == '__main__':
    main()
