#!/usr/bin/env bash
# Builds and runs the metaprogramming benchmark; prints RESULT inspect_ms=N and RESULT rewrite_ms=N
# (medians over RUNS runs, default 7). BUILD_DIR overrides the build folder.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench-meta}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DMMLC_BUILD_COMPILER=OFF \
    -DMMLC_RUNTIME_COMPONENTS="hls;meta" >/dev/null
fi
nice -n 10 ninja -C "$BUILD_DIR" mmlc_meta_bench >/dev/null
BIN="$(find "$BUILD_DIR" -name mmlc_meta_bench -type f -perm -u+x | head -1)"
exec nice -n 10 "$BIN" "${RUNS:-7}"
