#!/usr/bin/env bash
# Runs the S+P+Q example (MetaML Fig. 2c) on Fashion-MNIST from scratch; prints RESULT lines:
# DSP and LUT reductions and accuracy loss against the unoptimised fixed<16,6>, reuse-1 baseline
# of the same trained network (both designs are in the same run), and the run's wall time.
# BUILD_DIR overrides the build folder (default: the project's build/), OUT the run folder.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export MMLC_BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/build.sh" >/dev/null
OUT="${OUT:-$ROOT/out/bench-flows}"
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"  # a fresh clone has no out/ yet (the log is written next to the run)
start=$(date +%s.%N)
"$MMLC_BUILD_DIR/bin/mmlc" run "$ROOT/examples/spq.mml" -o "$OUT" > "$OUT.log"
end=$(date +%s.%N)
python3 "$ROOT/bench/flows/compare.py" "$OUT/baseline/report.md" "$OUT/spq/report.md" "$start" "$end"
