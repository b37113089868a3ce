#!/usr/bin/env bash
# Browser tests of the rqdash web UI (tests/ui/*.test.mjs, node's built-in test runner and
# playwright-core driving Debian's chromium).
#
# Starts a private redis-server on a free port, fills it with tests/fixtures/make_states.py
# (rq 3.0.0), starts rqdash in front of it with a 500 ms poll interval and runs
# `node --test tests/ui/`. Everything it starts is stopped again on exit.
#
#   bash scripts/ui-test.sh                       # run the tests
#   UPDATE_SCREENSHOTS=1 bash scripts/ui-test.sh  # also rewrite docs/screenshots/*.png
#   UI_TEST_ARGS='--test-name-pattern=live' bash scripts/ui-test.sh
#
# Installs what is missing: chromium, a CJK font, redis-server (apt-get), the rq venvs
# (scripts/venvs.sh) and tests/ui/node_modules (npm ci). It never downloads a browser.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RQ_VERSION=3.0.0
VENV="$ROOT/.venvs/rq-$RQ_VERSION"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

log() { echo "ui-test: $*" >&2; }

# ---- cleanup ----------------------------------------------------------------------------------
TMP="$(mktemp -d -t rqdash-ui.XXXXXX)"
RQDASH_PID=""
REDIS_PID=""
BUSY_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$RQDASH_PID" ]]; then kill "$RQDASH_PID" 2>/dev/null || true; fi
  # The fixture's busy worker runs in its own session: its pid is its process group.
  if [[ -n "$BUSY_PID" ]]; then kill -KILL -- "-$BUSY_PID" 2>/dev/null || true; fi
  if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; fi
  for pid in "$RQDASH_PID" "$REDIS_PID"; do
    [[ -n "$pid" ]] || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 && -s "$TMP/rqdash.log" ]]; then
    log "rqdash log (last 30 lines):"
    tail -n 30 "$TMP/rqdash.log" >&2 || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- tools ------------------------------------------------------------------------------------
need_apt=()
[[ -x "$CHROMIUM" ]] || need_apt+=(chromium)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
python3 -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
# Queue names in the fixture are CJK; without a font they render as boxes in screenshots.
if ! command -v fc-list >/dev/null || [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
  need_apt+=(fonts-wqy-microhei)
fi
if [[ ${#need_apt[@]} -gt 0 ]]; then
  log "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import rq; assert rq.__version__=='$RQ_VERSION'" 2>/dev/null; then
  bash scripts/venvs.sh
fi

if [[ ! -d tests/ui/node_modules/playwright-core || ! -d tests/ui/node_modules/axe-core ]]; then
  log "npm ci in tests/ui"
  (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# The binary tests/it drives (CARGO_BIN_EXE_rqdash). `cargo build` would build it again: without
# a test target, the dev-dependencies' features drop out of the resolved graph and every crate
# they touch (rustix, clap, redis ...) is compiled a second time; after `cargo test` (as in
# scripts/test.sh) this is a no-op.
log "cargo test --no-run"
cargo test --no-run --quiet
BIN="$ROOT/target/debug/rqdash"

# ---- services ---------------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then log "timed out waiting for $what"; return 1; fi
    sleep 0.1
  done
}

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
  --logfile "$TMP/redis.log" >/dev/null &
REDIS_PID=$!
wait_for 10 "redis-server on $REDIS_PORT" redis-cli -p "$REDIS_PORT" ping
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

log "filling $REDIS_URL with make_states.py (rq $RQ_VERSION)"
export ORACLE="$TMP/oracle.json"
mkdir -p "$TMP/logs"
(cd tests/fixtures && PYTHONPATH="$ROOT/tests/fixtures" "$VENV/bin/python" make_states.py \
  --url "$REDIS_URL" --oracle "$ORACLE" --flush --log-dir "$TMP/logs" >"$TMP/make_states.out")
BUSY_PID="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["busy_worker_pid"])' "$ORACLE")"

RQDASH_PORT="$(free_port)"
# tabs.test.mjs opens 20 live tabs from 127.0.0.1, more than the default 16 streams per address.
"$BIN" --redis-url "$REDIS_URL" --port "$RQDASH_PORT" --poll-interval 500ms --max-streams-per-client 64 >"$TMP/rqdash.log" 2>&1 &
RQDASH_PID=$!
export RQDASH_URL="http://127.0.0.1:$RQDASH_PORT"
wait_for 20 "rqdash on $RQDASH_PORT" curl -fsS "$RQDASH_URL/healthz"

export RQ_PYTHON="$VENV/bin/python"
export CHROMIUM

# ---- tests ------------------------------------------------------------------------------------
log "rqdash $RQDASH_URL, redis $REDIS_URL"
set +e
# shellcheck disable=SC2086
node --test --test-concurrency=1 ${UI_TEST_ARGS:-} tests/ui/
status=$?
set -e
exit "$status"
