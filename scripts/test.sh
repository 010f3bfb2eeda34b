#!/usr/bin/env bash
# Builds mmlc and runs every test: lit suite, GoogleTest units (ctest) and the fuzzer corpus run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMLC_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
