#!/usr/bin/env bash
# The pip wheel as a user gets it: build it (scripts/wheel.sh), install it into a FRESH venv with
# no index, run `rqdash --version` and `python -m rqdash --version`, serve pages from that
# venv's rqdash against a private redis-server, check the glibc bound of the installed binary,
# then uninstall. Everything it starts is stopped on exit. Prints the release binary's numbers
# (sizes, start-up, idle RSS) as it goes.
#
#   bash scripts/wheel-test.sh
#
# Installs what is missing: redis-server, redis-tools, curl, python3-venv, binutils (apt-get).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { echo "wheel-test: $*" >&2; }
passed=0
ok() { passed=$((passed + 1)); log "ok - $*"; }
fail() { log "FAIL - $*"; echo "wheel-test: $passed passed, 1 failed"; exit 1; }

# ---- cleanup ----------------------------------------------------------------------------------
TMP="$(mktemp -d -t rqdash-wheel.XXXXXX)"
RQDASH_PID=""
REDIS_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "$RQDASH_PID" "$REDIS_PID"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
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
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
command -v curl >/dev/null || need_apt+=(curl)
command -v objdump >/dev/null || need_apt+=(binutils)
python3 -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
if [[ ${#need_apt[@]} -gt 0 ]]; then
  log "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

now_ms() { date +%s%3N; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then fail "timed out waiting for $what"; fi
    sleep 0.01
  done
}

# ---- build ------------------------------------------------------------------------------------
start=$SECONDS
WHEEL="$(bash scripts/wheel.sh | tail -n 1)"
log "wheel built and checked in $((SECONDS - start)) s: $WHEEL ($(du -k "$WHEEL" | cut -f1) KiB)"
ok "scripts/wheel.sh built a manylinux2014 wheel whose binary needs at most GLIBC_2.17"

VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"

# ---- install into a fresh venv ----------------------------------------------------------------
VENV="$TMP/venv"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-index --disable-pip-version-check "$WHEEL"
[[ -x "$VENV/bin/rqdash" ]] || fail "pip put no rqdash into $VENV/bin"
log "installed binary: $(du -k "$VENV/bin/rqdash" | cut -f1) KiB"
ok "pip installs the wheel into a fresh venv without an index"

t0=$(now_ms)
out="$("$VENV/bin/rqdash" --version)"
log "rqdash --version took $(($(now_ms) - t0)) ms"
[[ "$out" == "rqdash $VERSION" ]] || fail "rqdash --version said '$out', expected 'rqdash $VERSION'"
ok "the venv's rqdash --version says rqdash $VERSION"

# Without the venv's bin on PATH: the launcher must find the binary through sysconfig.
out="$(env PATH=/usr/bin:/bin "$VENV/bin/python" -m rqdash --version)"
[[ "$out" == "rqdash $VERSION" ]] || fail "python -m rqdash --version said '$out'"
ok "python -m rqdash --version runs the installed binary"

# ---- the binary's glibc bound, read two ways --------------------------------------------------
python3 scripts/wheel_check.py --max-glibc 2.17 "$VENV/bin/rqdash" >&2 \
  || fail "the installed binary needs a glibc newer than 2.17"
objdump_max="$(objdump -T "$VENV/bin/rqdash" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)"
[[ "$objdump_max" =~ ^GLIBC_2\.([0-9]|1[0-7])(\.[0-9]+)?$ ]] \
  || fail "objdump -T says the installed binary needs $objdump_max"
# The checker must be able to fail: any real binary needs more than the oldest version.
if python3 scripts/wheel_check.py --max-glibc 2.2.5 "$VENV/bin/rqdash" >/dev/null 2>&1; then
  fail "wheel_check.py accepted a GLIBC_2.2.5 bound for a binary that needs $objdump_max"
fi
ok "the installed binary needs $objdump_max at most (wheel_check.py and objdump -T agree)"

# ---- serve pages ------------------------------------------------------------------------------
REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
  --logfile "$TMP/redis.log" >/dev/null &
REDIS_PID=$!
wait_for 10 "redis-server on $REDIS_PORT" redis-cli -p "$REDIS_PORT" ping
redis-cli -p "$REDIS_PORT" sadd rq:queues rq:queue:wheel-test >/dev/null

PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"
t0=$(now_ms)
"$VENV/bin/rqdash" --redis-url "redis://127.0.0.1:$REDIS_PORT/0" --port "$PORT" \
  >"$TMP/rqdash.log" 2>&1 &
RQDASH_PID=$!
wait_for 20 "rqdash on $PORT" curl -fsS "$URL/api/v1/queues"
log "first answered request after $(($(now_ms) - t0)) ms"

curl -fsS "$URL/api/v1/queues" >"$TMP/queues.json" || fail "GET /api/v1/queues"
grep -q '"wheel-test"' "$TMP/queues.json" || fail "/api/v1/queues does not list wheel-test: $(head -c 300 "$TMP/queues.json")"
curl -fsS "$URL/" >"$TMP/index.html" || fail "GET /"
grep -q 'wheel-test' "$TMP/index.html" || fail "the overview does not show the wheel-test queue"
ok "the venv's rqdash serves / and /api/v1/queues from the test Redis"

sleep 2
log "idle RSS $(awk '/^VmRSS/ {print $2, $3}' "/proc/$RQDASH_PID/status")"
kill "$RQDASH_PID"
wait "$RQDASH_PID" 2>/dev/null || true
RQDASH_PID=""

# ---- uninstall --------------------------------------------------------------------------------
"$VENV/bin/python" -m pip uninstall --quiet --yes rqdash
[[ ! -e "$VENV/bin/rqdash" ]] || fail "pip uninstall left $VENV/bin/rqdash"
if env PATH=/usr/bin:/bin "$VENV/bin/python" -m rqdash --version >/dev/null 2>&1; then
  fail "python -m rqdash still runs after uninstall"
fi
ok "pip uninstall removes the binary and the launcher"

echo "wheel-test: $passed passed, 0 failed"
