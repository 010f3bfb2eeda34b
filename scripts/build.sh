#!/usr/bin/env bash
# Configures (once) and builds mmlc into ./build with Ninja, clang-19 and ccache when present.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMLC_BUILD_DIR:-$root/build}"
bash "$root/scripts/install-deps.sh"
if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "${launcher[@]}" "$@" >/dev/null
fi
cmake --build "$build" -- -j"$(nproc)" ${MMLC_NINJA_FLAGS:-}
