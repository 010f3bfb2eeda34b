#!/usr/bin/env bash
# Builds and runs bench/allocate: on hls4ml's jet tagger and a Fashion-MNIST MLP, for several
# latency limits and two objectives, the MIP's optimum against exhaustive enumeration, and the time
# random search and mmlc's Bayesian optimisation take to reach it (the same estimator, same run).
# Prints RESULT allocate_optimal_fraction=, allocate_speedup_vs_random=, allocate_speedup_vs_bayes=.
# BUILD_DIR overrides the build folder; ALLOCATE_SEARCH_CAP the seconds a search may take (10;
# 24 instances, two searches each: a few minutes).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench-allocate}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DMMLC_BUILD_COMPILER=OFF "${launcher[@]}" >/dev/null
nice -n 10 ninja -C "$BUILD_DIR" mmlc_allocate_bench >/dev/null
BIN="$(find "$BUILD_DIR" -name mmlc_allocate_bench -type f -perm -u+x | head -1)"
"$BIN" "$ROOT/test/fixtures/keras" "${ALLOCATE_SEARCH_CAP:-10}"
