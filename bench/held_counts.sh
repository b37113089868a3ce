#!/usr/bin/env bash
# What the overview costs with RQ 3.0 rate limits holding many jobs: seeds a private Redis with
# HELD (10,000) jobs held by one limiter (concurrency 1, no worker) over 3 queues, serves it,
# and times GET /api/v1/queues a few times with curl, then prints the HGET/HEXISTS calls Redis
# ran. The first call counts every held job's queue; later ones reuse that while nothing held
# changes. Usage: bash bench/held_counts.sh [path/to/rqdash] (default target/release/rqdash,
# else target/debug/rqdash).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/rqdash}
[ -x "$bin" ] || bin=$root/target/debug/rqdash
held=${HELD:-10000}
dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rport=$(free_port)
hport=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
redis-server --port "$rport" --save '' --appendonly no --dir "$dir" >"$dir/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$root/.venvs/rq-3.0.0/bin/python" - "redis://127.0.0.1:$rport/0" "$held" <<'PY'
import sys
from redis import Redis
from rq import Queue, RateLimit
r = Redis.from_url(sys.argv[1])
lim = RateLimit('bulk', 1)
qs = [Queue(n, connection=r) for n in ('api', 'mail', 'etl')]
for i in range(int(sys.argv[2]) + 1):  # the first takes the only slot
    qs[i % 3].enqueue('builtins.print', i, rate_limit=lim)
print('held:', r.zcard('rq:rl:bulk:rate_limited'))
PY
redis-cli -p "$rport" config resetstat >/dev/null
"$bin" serve -u "redis://127.0.0.1:$rport/0" -p "$hport" >"$dir/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$hport/readyz" && break; sleep 0.1; done
for i in 1 2 3 4 5 6; do
  curl -s -o /dev/null -w "GET /api/v1/queues call $i: %{time_total}s\n" "http://127.0.0.1:$hport/api/v1/queues"
done
redis-cli -p "$rport" zadd rq:rl:bulk:rate_limited 9999999999 ghost-added >/dev/null
curl -s -o /dev/null -w "after one more held id: %{time_total}s\n" "http://127.0.0.1:$hport/api/v1/queues"
curl -s -o /dev/null -w "and again: %{time_total}s\n" "http://127.0.0.1:$hport/api/v1/queues"
redis-cli -p "$rport" info commandstats | grep -E '^cmdstat_(hget|hexists):' | cut -d, -f1
