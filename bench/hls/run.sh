#!/usr/bin/env bash
# Builds and runs the HLS backend benchmark; prints RESULT name=value lines.
# BUILD_DIR overrides the build folder; MMLC_HLS_FIXTURE / MMLC_FASHION_MNIST_DIR override inputs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench-hls}"
FIXTURE="${MMLC_HLS_FIXTURE:-$ROOT/test/fixtures/hls4ml-jet-dnn-16-6-rf1}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DMMLC_BUILD_COMPILER=OFF -DMMLC_RUNTIME_COMPONENTS=hls >/dev/null
fi
nice -n 10 ninja -C "$BUILD_DIR" mmlc_hls_bench >/dev/null
BIN="$(find "$BUILD_DIR" -name mmlc_hls_bench -type f -perm -u+x | head -1)"
# The simulator throughput is measured on one core.
exec taskset -c 0 nice -n 10 "$BIN" "$FIXTURE"
