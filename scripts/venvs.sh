#!/usr/bin/env bash
# Create one virtualenv per supported RQ version under <repo>/.venvs/rq-<version>.
# Idempotent: a venv whose `rq` binary exists and whose `import rq` reports the
# pinned version is left alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV_DIR="$ROOT/.venvs"
mkdir -p "$VENV_DIR"

# version -> extra pip requirements (pins)
declare -A EXTRA=(
  ["1.16.2"]="redis>=4,<6"
  ["2.12.0"]=""
  ["3.0.0"]=""
)

# version -> test tools the tests import from that venv (pins), installed into an existing venv
# too: prometheus_client's parsers read /metrics (tests/it/metrics/parse.rs).
declare -A TOOLS=(
  ["2.12.0"]="prometheus-client==0.26.0"
)

for v in 1.16.2 2.12.0 3.0.0; do
  venv="$VENV_DIR/rq-$v"
  if [[ -x "$venv/bin/rq" ]] && "$venv/bin/python" -c "import rq; assert rq.__version__=='$v'" >/dev/null 2>&1; then
    if [[ -n "${TOOLS[$v]:-}" ]] && ! "$venv/bin/python" -m pip show --quiet "${TOOLS[$v]%%=*}" >/dev/null 2>&1; then
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${TOOLS[$v]}"
    fi
    echo "rq-$v: ok (exists) $venv"
    continue
  fi
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "rq==$v" ${EXTRA[$v]:+"${EXTRA[$v]}"} ${TOOLS[$v]:+"${TOOLS[$v]}"}
  "$venv/bin/python" -c "import rq; assert rq.__version__=='$v', rq.__version__"
  redis_v="$("$venv/bin/python" -c 'import redis; print(redis.__version__)')"
  echo "rq-$v: created $venv (redis-py $redis_v)"
done
