#!/bin/sh
# Example user script for examples/extern_task.mml: compiles an HLS project's firmware with g++
# (syntax and semantics only, the project's own ap_fixed headers) and prints JSON metrics.
# Usage: gxx_check.sh PROJECT_DIR STD
set -eu
project="$1"; std="$2"
log="$(mktemp)"; trap 'rm -f "$log"' EXIT
start=$(date +%s.%N)
status=0
for f in "$project"/firmware/*.cpp; do
  g++ -std="$std" -fsyntax-only -Wall -I"$project/firmware/ap_types" -I"$project/firmware" -I"$project" "$f" >>"$log" 2>&1 || status=1
done
end=$(date +%s.%N)
warnings=$(grep -c 'warning:' "$log" || true)
errors=$(grep -c 'error:' "$log" || true)
if [ "$status" -ne 0 ]; then cat "$log" >&2; exit 1; fi
awk -v w="$warnings" -v e="$errors" -v s="$start" -v t="$end" 'BEGIN { printf "{\"warnings\": %d, \"errors\": %d, \"compile_seconds\": %.3f}\n", w, e, t - s }'
