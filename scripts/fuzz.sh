#!/usr/bin/env bash
# Fuzz the parsers of untrusted input (pickle decoder, job hashes, results streams, search
# queries) for a fixed budget each. Not part of scripts/test.sh: it needs the nightly toolchain
# and cargo-fuzz (`cargo install cargo-fuzz`), and it runs for minutes.
#
#   bash scripts/fuzz.sh                    # every target, FUZZ_SECONDS (60) each
#   FUZZ_SECONDS=300 bash scripts/fuzz.sh pickle search_query
#
# New inputs are added to fuzz/corpus/<target> (crashes go to fuzz/artifacts/<target>/). Before
# committing the corpus, minimise it: cd fuzz && cargo +nightly fuzz cmin -s none -a <target>.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"

SECONDS_EACH="${FUZZ_SECONDS:-60}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(pickle job_hash results_stream search_query)

# No sanitizer: the crate forbids unsafe code, so ASan would find little and halve the speed.
# Debug assertions on, so an integer overflow is a crash here rather than a silent wrap.
FLAGS=(--sanitizer none --debug-assertions)
cargo +nightly fuzz build "${FLAGS[@]}"

# The server decodes on tokio threads with 2 MiB stacks; fuzz with no more, so recursion that
# would overflow there overflows here too (libFuzzer runs the target on the main thread).
ulimit -s 2048

status=0
for t in "${TARGETS[@]}"; do
  echo "== $t: ${SECONDS_EACH}s"
  # rss_limit: a target holding over 1 GB is a bug (the decoders cap output at tens of MB).
  if ! cargo +nightly fuzz run "${FLAGS[@]}" "$t" -- \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -max_len=65536 -timeout=10 -print_final_stats=1; then
    status=1
  fi
done
exit $status
