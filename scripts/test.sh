#!/usr/bin/env bash
# Run every rqdash test on a fresh Debian machine: installs what is missing
# (redis-server, Python venvs with pinned rq), then fmt, clippy and the test suite.
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

bash scripts/venvs.sh

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet -- --test-threads=4

# The pip wheel as users get it: manylinux2014 build, fresh venv, --version, a served page, uninstall.
bash scripts/wheel-test.sh

# The container image's release binary, built from exactly the files the Dockerfile copies, then
# served and probed by its HEALTHCHECK (no image is built: no container engine runs here). The
# first run is a full release build; later runs rebuild what changed.
bash scripts/container-check.sh

# Browser tests in headless Chromium against the real server and real RQ data.
bash scripts/ui-test.sh
