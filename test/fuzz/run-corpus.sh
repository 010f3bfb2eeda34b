#!/usr/bin/env bash
# Runs mmlc-fuzz over the seed corpus (examples, stdlib, lit inputs) plus a fixed number of
# seeded mutations; any crash, hang or leak of a signal fails the test.
set -euo pipefail
fuzzer="$(realpath "$1")"; source_dir="$(realpath "$2")"; work="$3"; runs="${4:-20000}"
rm -rf "$work" && mkdir -p "$work/corpus"
cp "$source_dir"/examples/*.mml "$source_dir"/stdlib/std/*.mml \
   "$source_dir"/test/lit/Language/*.mml "$source_dir"/test/lit/Verifier/*.mml \
   "$source_dir"/test/fuzz/corpus/* "$work/corpus/"
cd "$work"
"$fuzzer" corpus -runs="$runs" -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -5
