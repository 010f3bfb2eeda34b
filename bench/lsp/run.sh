#!/usr/bin/env bash
# Latency of mmlc-lsp on the largest example with a line typed one keystroke at a time (change ->
# diagnostics, completion, hover), against `mmlc check` of the same file in the same run; prints
# RESULT lsp_p95_ms= (goal: at most 100 ms) and the per-request figures.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${MMLC_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >/dev/null
python3 "$root/bench/lsp/lsp_bench.py" "$build/bin/mmlc-lsp" "$build/bin/mmlc" "$root"
