#!/usr/bin/env bash
# Search and failure groups over 100,000 failed jobs, in release mode, on a private redis-server.
#
#   bash bench/search_bench.sh                  # 100,000 failed jobs (~1 min after the first build)
#   JOBS=20000 bash bench/search_bench.sh       # quicker
#
# It runs the ignored test `search::bench` of tests/it (tests/it/search/bench.rs), which starts its
# own redis-server (unix socket, temp dir, no persistence; never the one on 6379), plants JOBS
# failed jobs in queue `big` with literal keys through pipelines (job hash, failed-registry entry,
# results-stream entry with a zlib+base64 traceback, as RQ 1.12+ writes them; ten kinds of
# exception whose messages differ in numbers, ids and quoted values), then times, through the
# same store calls the API uses:
#   - the first page of hits (default budget: 20,000 ids / 300 ms / 50 hits per request),
#   - full scans at that budget (request after request with the cursor, as the page does),
#   - "select all matching" (collecting every matching id),
#   - an id prefix across the whole keyspace (SCAN),
#   - computing the failure groups of every failed job.
# The table is printed and written to bench/search_results.md.
#
# Environment: JOBS (100000), CARGO_TARGET_DIR (<repo>/target).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v redis-server >/dev/null || { echo "redis-server is required" >&2; exit 1; }

export SEARCH_BENCH_JOBS="${JOBS:-100000}"
export SEARCH_BENCH_OUT="$ROOT/bench/search_results.md.tmp"
cargo test --release --test it search::bench -- --ignored --nocapture --test-threads=1

{
  echo "# Search and failure groups: ${SEARCH_BENCH_JOBS} failed jobs"
  echo
  echo "Made by \`bash bench/search_bench.sh\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, Redis $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'), release build)."
  echo "Times are for rqdash's store calls (what \`GET /api/v1/search\` runs), on one connection, Redis on a unix socket."
  echo
  cat "$SEARCH_BENCH_OUT"
} > "$ROOT/bench/search_results.md"
rm -f "$SEARCH_BENCH_OUT"
echo "wrote bench/search_results.md"
