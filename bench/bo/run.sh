#!/usr/bin/env bash
# Builds and runs the design-space exploration benchmark: mmlc BO, random search and Optuna TPE,
# 20 seeds each, and prints the medians as RESULT name=value lines.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"
BUILD="${MMLC_BO_BUILD:-/tmp/build-bo-bench}"
SEEDS="${MMLC_BO_SEEDS:-20}"
PY=/usr/bin/python3  # Debian's interpreter: that is where python3-optuna installs

# Optuna TPE is the reference; install Debian's package when missing.
if ! "$PY" -c "import optuna" 2>/dev/null; then
  echo "bench/bo: installing python3-optuna" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends python3-optuna >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends python3-optuna >/dev/null; }
fi

# A private build of just the search library and the bench, so the bench does not depend on the
# state of the rest of the tree.
mkdir -p "$BUILD/src"
cat > "$BUILD/src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(mmlc_bo_bench LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY \${PROJECT_BINARY_DIR}/bin)
add_subdirectory($ROOT/runtime/dse runtime/dse)
add_subdirectory($ROOT/bench/bo bench/bo)
CMAKE
LAUNCHER=(); command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$BUILD/src" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "${LAUNCHER[@]}" >/dev/null
nice -n 10 ninja -C "$BUILD" -j2 mmlc_bo_bench >/dev/null
BIN="$BUILD/bin/mmlc_bo_bench"

OUT="$BUILD/traces.txt"
: > "$OUT"
run() { echo "bench/bo: $*" >&2; nice -n 10 "$@" >> "$OUT"; }
run "$BIN" branin bayes "$SEEDS" 100
run "$BIN" hartmann6 bayes "$SEEDS" 100
for p in ackley5 levy5; do
  run "$BIN" "$p" bayes "$SEEDS" 100
  run "$BIN" "$p" random "$SEEDS" 100
done
run "$BIN" branin random "$SEEDS" 100
run "$BIN" hartmann6 random "$SEEDS" 100
for p in branin hartmann6 ackley5 levy5; do
  run "$PY" "$HERE/tpe.py" "$p" "$SEEDS" 100
done
for p in zdt1 dtlz2 zdt1_30; do  # zdt1_30: the classic d = 30, reported as INFO
  run "$BIN" "$p" bayes "$SEEDS" 100         # two objectives: EHVI
  run "$BIN" "$p" bayes-parego "$SEEDS" 100  # the ParEGO alternative, reported as INFO
  run "$BIN" "$p" random "$SEEDS" 100
done
# Suggestion latency on a d = 20 mixed space, averaged over one refit period.
run "$BIN" suggest 100 10
run "$BIN" suggest 500 50
# Replay of the tabulated design space of our own flows (CSV: parameter columns, objective,
# constraint): computed once by make_dse_table.sh and cached next to the build, or given.
TABLE="${MMLC_BO_REPLAY_TABLE:-$BUILD/dse_table.csv}"
[ -f "$TABLE" ] || bash "$HERE/make_dse_table.sh" "$TABLE"
run "$BIN" replay "$TABLE" "$SEEDS"
"$PY" "$HERE/aggregate.py" < "$OUT"
