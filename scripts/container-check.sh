#!/usr/bin/env bash
# The container image, as far as it can be checked without a container engine (none runs on the
# test machines, so NO IMAGE IS BUILT here): the builder stage's cargo command, run on exactly the
# files the Dockerfile copies, must produce the binary the final stage copies; that binary must
# need nothing distroless/cc-debian12 lacks (glibc 2.36, libgcc_s), and, started with the image's
# environment, serve and pass its own HEALTHCHECK. tests/it/deploy checks the Dockerfile's stages,
# paths and settings. The first run is a full release build (minutes); later runs are incremental.
#
#   bash scripts/container-check.sh               # build, then check
#   bash scripts/container-check.sh --build-only  # the build alone (scripts/test.sh runs it early)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "container-check: $*" >&2; }

# ---- the builder stage, on a copy of its build context ----------------------------------------
# A fixed path under target/, so that cargo's fingerprints survive from one run to the next.
CTX="$ROOT/target/container"
mkdir -p "$CTX"
find "$CTX" -mindepth 1 -maxdepth 1 ! -name target -exec rm -rf {} +
# The builder's COPY sources (its last word is the destination; COPY --from is the final stage's).
mapfile -t SOURCES < <(awk '/^FROM /{stage++} stage==1 && /^COPY / && !/--from/ {for(i=2;i<NF;i++) print $i}' Dockerfile)
[[ ${#SOURCES[@]} -gt 0 ]] || { log "no COPY in the builder stage"; exit 1; }
for s in "${SOURCES[@]}"; do cp -a "$s" "$CTX/"; done
BUILD="$(awk '/^FROM /{stage++} stage==1' Dockerfile | grep -o 'cargo build[^\\]*')"
log "in the build context (${SOURCES[*]}): $BUILD"
(cd "$CTX" && env -u CARGO_TARGET_DIR $BUILD)
[[ "${1:-}" == --build-only ]] && exit 0

# ---- the binary the final stage copies ------------------------------------------------------
WORKDIR="$(awk '/^WORKDIR /{print $2; exit}' Dockerfile)"
FROM_PATH="$(awk '/^COPY --from=builder /{print $3}' Dockerfile)"
BIN="$CTX/${FROM_PATH#"$WORKDIR"/}"
[[ -x "$BIN" ]] || { log "the builder produced no $FROM_PATH"; exit 1; }
NEEDED="$(readelf -d "$BIN" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort | tr '\n' ' ')"
for lib in $NEEDED; do
  case "$lib" in
    libc.so.6 | libm.so.6 | libgcc_s.so.1 | ld-linux-*.so.* | libdl.so.2 | libpthread.so.0 | librt.so.1) ;;
    *) log "$FROM_PATH needs $lib, which distroless/cc does not have"; exit 1 ;;
  esac
done
GLIBC="$(objdump -T "$BIN" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1)"
if [[ "$(printf '%s\nGLIBC_2.36\n' "$GLIBC" | sort -V | tail -1)" != "GLIBC_2.36" ]]; then
  log "$FROM_PATH needs $GLIBC; distroless/cc-debian12 has glibc 2.36"; exit 1
fi

# ---- served with the image's environment, probed by its HEALTHCHECK ---------------------------
TMP="$(mktemp -d -t rqdash-container.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
redis-server --port 0 --unixsocket "$TMP/redis.sock" --save '' --dir "$TMP" >/dev/null &
PIDS+=($!)
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export RQDASH_BIND=0.0.0.0 RQDASH_PORT="$PORT" RQDASH_REDIS_URL="unix://$TMP/redis.sock" RUST_LOG=warn
for _ in $(seq 100); do [[ -S "$TMP/redis.sock" ]] && break; sleep 0.05; done
START="$(date +%s%N)"
"$BIN" &
PIDS+=($!)
RQDASH_PID=$!
until "$BIN" healthcheck --timeout 1s >/dev/null 2>&1; do
  (($(date +%s%N) - START < 10000000000)) || { log "no ready answer within 10 s"; exit 1; }
  sleep 0.02
done
READY_MS=$((($(date +%s%N) - START) / 1000000))
sleep 1
RSS="$(awk '/VmRSS/{print $2}' "/proc/$RQDASH_PID/status")"
# Redis gone (waited for: a Redis still shutting down answers PING).
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
if "$BIN" healthcheck --timeout 2s >/dev/null 2>&1; then log "healthcheck passed with Redis gone"; exit 1; fi
SIZE="$(stat -c %s "$BIN")"
log "ok, no image built: $FROM_PATH $((SIZE / 1024)) KiB, needs $NEEDED(up to $GLIBC)," \
  "ready after ${READY_MS} ms, idle RSS $((RSS / 1024)) MiB; HEALTHCHECK 0 while ready, 1 without Redis"
