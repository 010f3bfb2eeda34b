#!/usr/bin/env bash
# Builds and runs the HLS backend benchmark; prints RESULT name=value lines.
# BUILD_DIR overrides the build folder; MMLC_HLS_FIXTURE / MMLC_FASHION_MNIST_DIR override inputs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench-hls}"
FIXTURE="${MMLC_HLS_FIXTURE:-$ROOT/test/fixtures/hls4ml-jet-dnn-16-6-rf1}"
# Configured every time (quick once cached): a folder configured by an older run.sh gets meta too.
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DMMLC_BUILD_COMPILER=OFF -DMMLC_RUNTIME_COMPONENTS="hls;meta" >/dev/null
# The random-forest baseline of the estimator validation (scikit-learn, in the bench only).
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo -n"
  # A fresh machine has no package lists yet: update once when the first try fails.
  $SUDO apt-get install -y -qq python3-sklearn >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq python3-sklearn >/dev/null 2>&1; } ||
    echo "INFO python3-sklearn not installable: no forest baseline"
fi
nice -n 10 ninja -C "$BUILD_DIR" mmlc_hls_bench >/dev/null
BIN="$(find "$BUILD_DIR" -name mmlc_hls_bench -type f -perm -u+x | head -1)"
# The simulator throughput is measured on one core.
taskset -c 0 nice -n 10 "$BIN" "$FIXTURE"
# Estimator validation: leave-one-design-out on the real projects, held-out N-TORC configurations.
if [ -f "$BUILD_DIR/build.ninja" ] && ninja -C "$BUILD_DIR" -t targets all 2>/dev/null | grep -q '^mmlc_estimator_bench:'; then
  nice -n 10 ninja -C "$BUILD_DIR" mmlc_estimator_bench >/dev/null
  EBIN="$(find "$BUILD_DIR" -name mmlc_estimator_bench -type f -perm -u+x | head -1)"
  nice -n 10 "$EBIN" "$ROOT/test/fixtures/hls4ml-projects" "$ROOT/test/fixtures/ntorc-layers" "$ROOT/bench/hls/forest.py"
else
  echo "INFO estimator validation needs runtime/meta (MMLC_RUNTIME_COMPONENTS including meta)"
fi
