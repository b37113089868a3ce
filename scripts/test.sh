#!/usr/bin/env bash
# Run every rqdash test on a fresh Debian machine: installs what is missing
# (redis-server, Python venvs with pinned rq), then fmt, clippy and the test suite, the browser
# tests, the wheel and the container check.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
python3 -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The two release builds (the wheel's, linked by zig for glibc 2.17, and the container's, in a copy
# of the Dockerfile's build context) share nothing with the debug build and are the longest steps.
# They start now at the lowest CPU priority, so they take only the cycles the steps in front leave
# idle (tests waiting on Redis, rq workers and the browser); wheel-test.sh and container-check.sh
# below wait for them, find them built (cargo has nothing left to do) and run their checks. A
# failed early build is not an error here: the scripts below build again and say why.
mkdir -p target
# Each step's wall time goes to stderr, so every CI log tells where the time went.
step() { # step NAME COMMAND...
  local name=$1 start=$SECONDS rc=0; shift
  "$@" || rc=$?
  echo "test.sh: $name took $((SECONDS - start)) s (at $SECONDS s)" >&2
  return "$rc"
}
RELEASE_LOG="$ROOT/target/release-builds.log"
# set -m gives it a process group of its own, to stop all of it (cargo, rustc, zig) if we stop
# early. Not setsid: a new session is a new scheduler autogroup, which would get as much CPU as
# this whole session whatever its nice value.
set -m
nice -n 19 bash -c 'set -e; bash scripts/wheel.sh >/dev/null; bash scripts/container-check.sh --build-only
  echo "release builds done after $SECONDS s"' >"$RELEASE_LOG" 2>&1 &
RELEASE_PID=$!
set +m
trap 'kill -- "-$RELEASE_PID" 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step venvs bash scripts/venvs.sh

step fmt cargo fmt --all -- --check
# One build for clippy and the tests: clippy-driver compiles rqdash's own crates (lib, bin, unit
# tests, tests/it, i.e. clippy's --all-targets) with its lints on and -D warnings, as `cargo
# clippy` does, but also emits the code, so the test build is the lint pass. (`cargo clippy` would
# check every dependency a second time, as metadata only.) The ui-test build below reuses it.
command -v clippy-driver >/dev/null || { echo "clippy-driver missing: rustup component add clippy" >&2; exit 1; }
lint=(env RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")
step "clippy + cargo test" "${lint[@]}" cargo test --quiet -- --test-threads=4

# Browser tests in headless Chromium against the real server and real RQ data.
step ui-test "${lint[@]}" bash scripts/ui-test.sh

# Whatever is left of them now runs at normal priority (a shared machine would starve it at 19);
# only root may raise a priority, so elsewhere it simply stays at 19.
renice -n 0 -g "$RELEASE_PID" >/dev/null 2>&1 || true
if step "waiting for the release builds" wait "$RELEASE_PID"; then
  tail -n 1 "$RELEASE_LOG" >&2
else
  echo "the early release builds failed (the checks below build again); $RELEASE_LOG:" >&2
  tail -n 20 "$RELEASE_LOG" >&2 || true
fi

# The pip wheel as users get it: manylinux2014 build, fresh venv, --version, a served page, uninstall.
step wheel-test bash scripts/wheel-test.sh

# The container image's release binary, built from exactly the files the Dockerfile copies, then
# served and probed by its HEALTHCHECK (no image is built: no container engine runs here). The
# first run is a full release build; later runs rebuild what changed.
step container-check bash scripts/container-check.sh
