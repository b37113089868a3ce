#!/usr/bin/env bash
# Redis CPU of the history sampler per tick and per job, next to RQ's own per job (issue #18).
# Starts a private redis-server, measures RQ (enqueue + a real SimpleWorker burst), seeds QUEUES
# queues with jobs ending at RATE a minute, then runs TICKS+1 sampler ticks PERIOD s apart through
# the sampler_tick example (the library's history::sample alone; serve would add its health task)
# while jobs keep ending. Writes bench/sampler_results.md (OUT=- prints only). About 7 minutes.
# Usage: bash bench/sampler_cost.sh   (QUEUES=100 RATE=1000 TICKS=2 PERIOD=30 for a quick run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venvs/rq-${RQ_VERSION:-3.0.0}/bin/python}
out=${OUT:-$root/bench/sampler_results.md}
target=${CARGO_TARGET_DIR:-$root/target}
bin=${TICK_BIN:-$target/debug/examples/sampler_tick}
if [ -z "${TICK_BIN:-}" ]; then
  # The same flags as the test build, so the library's artifacts are shared with it.
  (cd "$root" && RUSTC_WORKSPACE_WRAPPER=$(command -v clippy-driver) \
    CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__ nice cargo build --quiet --example sampler_tick)
fi
dir=$(mktemp -d)
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
redis-server --port "$rport" --save '' --appendonly no --dir "$dir" >"$dir/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
label="bash bench/sampler_cost.sh"
for v in QUEUES RATE TICKS PERIOD RQ_JOBS RQ_VERSION; do
  [ -n "${!v:-}" ] && label="$v=${!v} $label"
done
args=(--redis-url "redis://127.0.0.1:$rport/0" --tick-bin "$bin" --out "$out"
  --label "$label (sampler_tick: ${bin#"$root"/}, rqdash $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'))")
[ -n "${QUEUES:-}" ] && args+=(--queues "$QUEUES")
[ -n "${RATE:-}" ] && args+=(--rate "$RATE")
[ -n "${TICKS:-}" ] && args+=(--ticks "$TICKS")
[ -n "${PERIOD:-}" ] && args+=(--period "$PERIOD")
[ -n "${RQ_JOBS:-}" ] && args+=(--rq-jobs "$RQ_JOBS")
nice "$py" "$root/bench/sampler_cost.py" "${args[@]}"
