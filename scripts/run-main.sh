#!/usr/bin/env bash
# The main job: builds mmlc, checks and compiles every example flow, then runs the MetaML S+P+Q
# flow (scale, prune, quantize a Fashion-MNIST MLP into an HLS design for an Alveo U250, next to
# the unoptimised baseline) and prints where its reports are.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMLC_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh"
out="${MMLC_OUT:-$root/out}/lowered"
mkdir -p "$out"
count=0
for flow in "$root"/examples/*.mml; do
  name="$(basename "$flow" .mml)"
  "$build/bin/mmlc" check "$flow"
  "$build/bin/mmlc" "$flow" --emit=lowered -o "$out/$name.mlir"
  steps=$(grep -c 'mml.call @' "$out/$name.mlir" || true)
  printf '  %-24s checked, lowered: %3d task steps -> %s\n' "$name" "$steps" "$out/$name.mlir"
  count=$((count + 1))
done
echo "mmlc: $count example flows checked and compiled; executable forms are in $out"
echo "mmlc: running examples/spq.mml (S+P+Q) on Fashion-MNIST"
"$build/bin/mmlc" run "$root/examples/spq.mml" -o "${MMLC_OUT:-$root/out}/spq"
