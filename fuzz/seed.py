#!/usr/bin/env python3
"""Seed the fuzz corpora with real RQ data: run tests/fixtures/make_states.py (real rq, real
workers) against a private redis-server, then dump what it wrote into fuzz/corpus/<target>/:

- pickle:         job `data` (decompressed), `meta`, legacy `result`, results' `return_value`
- job_hash:       every job hash (HGETALL), in the fuzz field-map format (see fuzz/common/mod.rs)
- results_stream: every `rq:results:<id>` stream (XRANGE), same format, '' starts an entry
- search_query:   query texts in the documented syntax

Run it with each venv's python (the data differs between rq versions):

    for v in 1.16.2 2.12.0 3.0.0; do .venvs/rq-$v/bin/python fuzz/seed.py; done

Values over 32 KB are left out (the 1 MiB argument, the 200 000-char result): libFuzzer's
inputs stay small; the fuzzer grows them where it helps.
"""

import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'tests', 'fixtures')
CORPUS = os.path.join(HERE, 'corpus')
VALUE_MAX = 32 * 1024

QUERIES = [
    'func:send_email exc:Timeout queue:emails state:failed worker:w1 meta:customer_42',
    'after:2026-11-01 before:2026-11-20 desc:"nightly digest" id:abc* group:9f0c history:any words',
    'created_after:2026-11-01T12:30 created_before:7d',
    'after:90m before:2h',
    'after:2026-11-01T12:30:00Z',
    'queue:mail* queue:default state:started state:wip',
    'desc:"a \\"quoted\\" \\\\ value" "bare phrase"',
    'exc:ZeroDivisionError history:any',
    'fn:tasks.add function:div error:KeyError exception:x origin:"with space" status:canceled',
    'id:fail-zero',
    'ünïcödé/名前 queue:ünïcödé/名前',
    'unknown:key',
    'Func:Upper',
    'state:bogus',
    'after:yesterday',
    '"unterminated',
    'a:b:c "x:y" ::',
]


def put(target, blob):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), 'wb') as f:
        f.write(blob)


def field_map(pairs):
    out = b''
    for name, value in pairs:
        if len(value) > VALUE_MAX:
            continue
        out += name + b'\0' + struct.pack('<I', len(value)) + value
    return out


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pickles_of_hash(h):
    if b'data' in h:
        try:
            yield zlib.decompress(h[b'data'])
        except zlib.error:
            yield h[b'data']
    for k in (b'meta', b'result'):
        if h.get(k):
            yield h[k]


def dump(r):
    import base64

    for key in r.scan_iter(match='*', count=1000):
        kind = r.type(key)
        if kind == b'hash' and b':job:' in key:
            h = r.hgetall(key)
            put('job_hash', field_map(sorted(h.items())))
            for p in pickles_of_hash(h):
                if p and len(p) <= VALUE_MAX:
                    put('pickle', p)
        elif kind == b'stream' and b':results:' in key:
            blob = b''
            for entry_id, fields in r.xrange(key):
                blob += field_map([(b'', entry_id)] + sorted(fields.items()))
                rv = fields.get(b'return_value')
                if rv:
                    try:
                        p = base64.b64decode(rv)
                        if len(p) <= VALUE_MAX:
                            put('pickle', p)
                    except ValueError:
                        pass
            put('results_stream', blob)


def main():
    for q in QUERIES:
        put('search_query', q.encode())
    pickles = os.path.join(FIXTURES, 'pickles')
    for name in sorted(os.listdir(pickles)):
        with open(os.path.join(pickles, name), 'rb') as f:
            blob = f.read()
        if name.endswith('.pkl'):
            put('pickle', blob)
        elif name.endswith('.zlib'):
            put('pickle', zlib.decompress(blob))

    port = free_port()
    tmp = tempfile.mkdtemp(prefix='rqdash-seed-')
    server = subprocess.Popen(
        ['redis-server', '--port', str(port), '--save', '', '--appendonly', 'no', '--dir', tmp],
        stdout=subprocess.DEVNULL,
    )
    busy = None
    try:
        url = f'redis://127.0.0.1:{port}/0'
        r = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        out = subprocess.run(
            [sys.executable, 'make_states.py', '--url', url, '--oracle', os.path.join(tmp, 'oracle.json'),
             '--flush', '--log-dir', tmp],
            cwd=FIXTURES, check=True, capture_output=True, text=True,
        )
        busy = json.loads(out.stdout.strip().splitlines()[-1])['busy_worker_pid']
        dump(r)
    finally:
        if busy:
            try:
                os.killpg(busy, signal.SIGKILL)
            except ProcessLookupError:
                pass
        server.terminate()
        server.wait()
    for t in sorted(os.listdir(CORPUS)):
        print(t, len(os.listdir(os.path.join(CORPUS, t))), file=sys.stderr)


if __name__ == '__main__':
    main()
