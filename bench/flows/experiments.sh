#!/usr/bin/env bash
# Reruns the MetaML experiments of examples/ from scratch and prints the results tables of
# docs/results.md (accuracy, DSP, LUT, FF, latency of each design and its reductions against the
# experiment's own fixed<16,6>, reuse-1 baseline), plus each run's wall time.
# Usage: bench/flows/experiments.sh [experiment...]   (default: all; e.g. `resnet vgg` for the CNNs)
# OUT overrides the folder of the runs (default out/experiments).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export MMLC_BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/build.sh" >/dev/null
OUT="${OUT:-$ROOT/out/experiments}"
mkdir -p "$OUT"
experiments=("$@")
[ ${#experiments[@]} -gt 0 ] || experiments=(auto_pruning scaling_vs_pruning spq jet_tagging bottom_up resnet vgg)
touch "$OUT/times.txt"
for example in "${experiments[@]}"; do
  rm -rf "$OUT/$example"
  start=$(date +%s.%N)
  "$MMLC_BUILD_DIR/bin/mmlc" run "$ROOT/examples/$example.mml" -o "$OUT/$example" > "$OUT/$example.log"
  end=$(date +%s.%N)
  # Keep the other experiments' times: a run of some experiments updates only theirs.
  { grep -v "^$example " "$OUT/times.txt" || true; python3 -c "print('$example', $end - $start)"; } > "$OUT/times.txt.new"
  mv "$OUT/times.txt.new" "$OUT/times.txt"
done
python3 "$ROOT/bench/flows/results_table.py" "$OUT"
