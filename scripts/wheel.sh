#!/usr/bin/env bash
# Build the pip wheel of rqdash: the release binary for manylinux2014 (glibc 2.17), linked by
# zig so it runs on Debian 10+, Ubuntu 18.04+ and RHEL 7+, plus the `python -m rqdash` launcher.
#
#   bash scripts/wheel.sh   # -> target/wheels/rqdash-<version>-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
#
# Uses its own build venv (target/wheel-venv) with pinned maturin and ziglang from PyPI, and
# checks the wheel afterwards (tag, contents, highest GLIBC_ symbol version <= 2.17).
# Cargo's output goes to target/x86_64-unknown-linux-gnu/release, apart from host builds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MATURIN_VERSION=1.16.0
ZIGLANG_VERSION=0.13.0
VENV="$ROOT/target/wheel-venv"
OUT="$ROOT/target/wheels"

log() { echo "wheel: $*" >&2; }

if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  log "installing python3-venv"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi

want="maturin==$MATURIN_VERSION ziglang==$ZIGLANG_VERSION"
if ! "$VENV/bin/python" -c "
import importlib.metadata as m, sys
sys.exit(not (m.version('maturin') == '$MATURIN_VERSION' and m.version('ziglang') == '$ZIGLANG_VERSION'))
" 2>/dev/null; then
  log "creating $VENV ($want)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $want
fi

# maturin finds zig as `python3 -m ziglang` of the venv first on PATH.
export PATH="$VENV/bin:$PATH"
rm -f "$OUT"/rqdash-*.whl
start=$SECONDS
maturin build --release --zig --compatibility manylinux2014 --out "$OUT" --quiet
log "built in $((SECONDS - start)) s"

wheel="$(ls "$OUT"/rqdash-*.whl)"
python3 scripts/wheel_check.py --max-glibc 2.17 "$wheel" >&2
echo "$wheel"
