#!/usr/bin/env bash
# Benchmark rqdash against rq-dashboard 0.9.0, side by side, on one private seeded Redis.
#
#   bash bench/run.sh                                          # full run (1,000 queues, 100k failed jobs)
#   QUEUES=100 FAILED_JOBS=5000 ROUNDS=5 bash bench/run.sh     # quick run
#
# Steps: (1) bench/.venv with rq-dashboard + rq, (2) cargo build --release, (3) a throwaway
# redis-server on a free port, seeded by bench/seed.py, (4) rqdash and rq-dashboard on free
# ports against it, (5) bench/measure.py prints the table and writes bench/results.md,
# (6) bench/requeue.py times "requeue all failed jobs" on freshly seeded queues (it changes
# data, so it runs last) and appends its section to bench/results.md.
# Everything started here is stopped on exit, also on failure or Ctrl-C.
#
# Environment:
#   QUEUES (1000)  FAILED_JOBS (100000)  ROUNDS (30)   size of the data set / timed requests
#   WORKERS (10)        registered idle workers
#   BUDGET (60)         seconds of timed requests per scenario and server before stopping early
#   SKIP_REQUEUE (0)    1 skips the requeue-all scenario (step 6)
#   REQUEUE_JOBS (FAILED_JOBS)   failed jobs rqdash requeues (queue rq-big, + 3 orphan ids)
#   REQUEUE_REPEATS (3)          rqdash requeue runs, rq-big re-seeded before each
#   RQD_REQUEUE_JOBS (REQUEUE_JOBS/3, i.e. 33,334)  failed jobs rq-dashboard requeues (rqd-big)
#   RQD_ORPHAN_JOBS (1000)       failed jobs next to the 3 orphans for rq-dashboard (rqd-orphans)
#   CARGO_TARGET_DIR    defaults to <repo>/target
#   RQDASH_BIN          use this rqdash binary instead of building (RQDASH_REV labels it)
#   RQ_VERSION (3.0.0)  rq installed next to rq-dashboard 0.9.0 (the venv is rebuilt on change)
#   PYTHON (python3)    interpreter used to create the venv and to run measure.py
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
QUEUES="${QUEUES:-1000}"
FAILED_JOBS="${FAILED_JOBS:-100000}"
ROUNDS="${ROUNDS:-30}"
WORKERS="${WORKERS:-10}"
BUDGET="${BUDGET:-60}"
SKIP_REQUEUE="${SKIP_REQUEUE:-0}"
REQUEUE_JOBS="${REQUEUE_JOBS:-$FAILED_JOBS}"
REQUEUE_REPEATS="${REQUEUE_REPEATS:-3}"
RQD_REQUEUE_JOBS="${RQD_REQUEUE_JOBS:-$(( (REQUEUE_JOBS + 2) / 3 ))}"
RQD_ORPHAN_JOBS="${RQD_ORPHAN_JOBS:-1000}"
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

VENV="$BENCH/.venv"
RQ_DASHBOARD_VERSION="0.9.0"
# rq-dashboard 0.9.0 imports `six` without declaring it; rq 3.0.0 is what pip resolves today
# and works with it (RQ >= 2.6 only breaks its job page for jobs with dependencies).
RQ_VERSION="${RQ_VERSION:-3.0.0}"

log() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- cleanup on any exit
TMP="$(mktemp -d "${TMPDIR:-/tmp}/rqdash-bench.XXXXXX")"
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 ]]; then
    # Show what the servers said before going away, then drop the temp dir.
    for f in "$TMP"/*.log; do
      [[ -s "$f" ]] && { echo "--- tail of $(basename "$f")"; tail -n 20 "$f"; }
    done
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free TCP port on 127.0.0.1 (the kernel picks it; the tiny race is acceptable here).
free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http NAME PID URL LOG: poll URL until it answers 200, failing fast if PID died.
wait_http() {
  local name=$1 pid=$2 url=$3 i
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { echo "$name exited during startup" >&2; return 1; }
    if "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url" 2>/dev/null; then
      echo "$name is up: $url"
      return 0
    fi
    sleep 0.2
  done
  echo "$name did not answer at $url within 30 s" >&2
  return 1
}

# ---------------------------------------------------------------- 1. venv
need_venv=1
if [[ -x "$VENV/bin/rq-dashboard" ]] && "$VENV/bin/python" - "$RQ_DASHBOARD_VERSION" "$RQ_VERSION" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
assert version("rq-dashboard") == sys.argv[1] and version("rq") == sys.argv[2]
import rq_dashboard  # noqa: F401  (fails without six)
EOF
then
  need_venv=0
fi
if [[ $need_venv -eq 1 ]]; then
  log "creating $VENV (rq-dashboard $RQ_DASHBOARD_VERSION, rq $RQ_VERSION)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "rq-dashboard==$RQ_DASHBOARD_VERSION" "rq==$RQ_VERSION" "six==1.17.0"
fi
versions="$("$VENV/bin/python" -c '
from importlib.metadata import version as v
print(", ".join(f"{p} {v(p)}" for p in ("rq-dashboard", "rq", "redis", "Flask", "Werkzeug")))')"
echo "venv: $versions"

# ---------------------------------------------------------------- 2. build rqdash
if [[ -n "${RQDASH_BIN:-}" ]]; then
  # Benchmark a given binary (e.g. one built from another checkout) instead of building.
  log "using prebuilt $RQDASH_BIN"
  rev="${RQDASH_REV:-$("$RQDASH_BIN" --version)}"
else
  log "cargo build --release (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
  (cd "$ROOT" && cargo build --release --quiet --bin rqdash)
  RQDASH_BIN="$CARGO_TARGET_DIR/release/rqdash"
  rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ -n "$(git -C "$ROOT" status --porcelain -- src templates static Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
    rev="$rev+dirty"
  fi
fi

# ---------------------------------------------------------------- 3. private Redis + seed
REDIS_PORT="$(free_port)"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
log "redis-server on $REDIS_PORT (dir $TMP, no persistence)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$TMP" --logfile "$TMP/redis.log" &
PIDS+=($!)
for _ in $(seq 1 50); do
  [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]] && break
  sleep 0.1
done
[[ "$(redis-cli -p "$REDIS_PORT" ping)" == "PONG" ]]
redis_version="$(redis-cli -p "$REDIS_PORT" info server | sed -n 's/^redis_version:\(.*\)\r$/\1/p')"

log "seeding ($QUEUES queues, $FAILED_JOBS failed jobs, $WORKERS workers)"
"$VENV/bin/python" "$BENCH/seed.py" --redis-url "$REDIS_URL" --queues "$QUEUES" \
  --failed-jobs "$FAILED_JOBS" --workers "$WORKERS" | tee "$TMP/seed.out"
seed_seconds="$(sed -n 's/^SEED_SECONDS=//p' "$TMP/seed.out")"

# ---------------------------------------------------------------- 4. both dashboards
P_RQDASH="$(free_port)"
P_RQD="$(free_port)"
log "starting rqdash on $P_RQDASH and rq-dashboard on $P_RQD"
"$RQDASH_BIN" --redis-url "$REDIS_URL" --port "$P_RQDASH" >"$TMP/rqdash.log" 2>&1 &
RQDASH_PID=$!
PIDS+=("$RQDASH_PID")
"$VENV/bin/rq-dashboard" --redis-url "$REDIS_URL" --port "$P_RQD" --bind 127.0.0.1 \
  >"$TMP/rq-dashboard.log" 2>&1 &
RQD_PID=$!
PIDS+=("$RQD_PID")
wait_http rqdash "$RQDASH_PID" "http://127.0.0.1:$P_RQDASH/healthz"
wait_http rq-dashboard "$RQD_PID" "http://127.0.0.1:$P_RQD/0/data/workers.json"

# ---------------------------------------------------------------- 5. measure
log "measuring (ROUNDS=$ROUNDS, BUDGET=${BUDGET}s per scenario and server)"
"$PYTHON" "$BENCH/measure.py" \
  --rqdash "http://127.0.0.1:$P_RQDASH" --rq-dashboard "http://127.0.0.1:$P_RQD" \
  --redis-url "$REDIS_URL" --rqdash-pid "$RQDASH_PID" --rq-dashboard-pid "$RQD_PID" \
  --rounds "$ROUNDS" --budget "$BUDGET" --out "$BENCH/results.md" \
  --meta "Data: $QUEUES queues × (3 queued, 2–5 finished, 1–3 failed) + queue \`big\` with $FAILED_JOBS failed jobs, $WORKERS idle workers; seeded through rq's API in ${seed_seconds} s" \
  --meta "rqdash: $rev, release build, default options" \
  --meta "rq-dashboard: its CLI (Flask/Werkzeug dev server, threaded); $versions" \
  --meta "Redis server: $redis_version, \`--save '' --appendonly no\`"

# ---------------------------------------------------------------- 6. requeue all (changes data: last)
if [[ "$SKIP_REQUEUE" == 1 ]]; then
  log "requeue-all scenario skipped (SKIP_REQUEUE=1)"
  printf '\n## Requeue all failed jobs\n\nSkipped (`SKIP_REQUEUE=1`).\n' >>"$BENCH/results.md"
else
  log "requeue all: rqdash $REQUEUE_JOBS failed jobs ×$REQUEUE_REPEATS, rq-dashboard $RQD_REQUEUE_JOBS (+ $RQD_ORPHAN_JOBS with orphans)"
  "$VENV/bin/python" "$BENCH/requeue.py" \
    --rqdash "http://127.0.0.1:$P_RQDASH" --rq-dashboard "http://127.0.0.1:$P_RQD" \
    --redis-url "$REDIS_URL" --jobs "$REQUEUE_JOBS" --repeats "$REQUEUE_REPEATS" \
    --rqd-jobs "$RQD_REQUEUE_JOBS" --rqd-orphan-jobs "$RQD_ORPHAN_JOBS" \
    --rq-dashboard-log "$TMP/rq-dashboard.log" --rqdash-pid "$RQDASH_PID" --rq-dashboard-pid "$RQD_PID" \
    --out "$BENCH/results.md"
fi
