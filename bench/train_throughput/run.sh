#!/usr/bin/env bash
# Trains the issue-3 networks in mmlc and in PyTorch (same nets, batch, Adam, threads) and prints RESULT lines.
# Usage: bench/train_throughput/run.sh [threads=2] [accuracy_epochs=10]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bash "$ROOT/scripts/install-deps.sh"
THREADS="${1:-2}"
EPOCHS="${2:-10}"
FMNIST="${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}"
BUILD="${BUILD_DIR:-${TMPDIR:-/tmp}/mmlc-bench-train-throughput}"

# PyTorch and the data set come from Debian; install them only when missing.
need=()
for p in python3-torch libopenblas0-pthread dataset-fashion-mnist; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "run.sh: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A minimal wrapper project builds just the engine and this bench, so the benchmark does not
# depend on the compiler (LLVM/MLIR) or other components being buildable.
mkdir -p "$BUILD/wrapper"
cat > "$BUILD/wrapper/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(mmlc_train_throughput LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
add_subdirectory("$ROOT/runtime/nn" nn)
add_subdirectory("$HERE" bench)
CMAKE
CXX_COMPILER="$(command -v clang++-19 || command -v c++)"
C_COMPILER="$(command -v clang-19 || command -v cc)"
GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
LAUNCHER=(); command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if ! { cmake -S "$BUILD/wrapper" -B "$BUILD/out" "${GEN[@]}" "${LAUNCHER[@]}" -DCMAKE_BUILD_TYPE=Release \
         -DCMAKE_C_COMPILER="$C_COMPILER" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" &&
       cmake --build "$BUILD/out" --target bench_train_throughput -j 2; } >"$BUILD/build.log" 2>&1; then
  tail -40 "$BUILD/build.log" >&2
  echo "run.sh: building bench_train_throughput failed (full log: $BUILD/build.log)" >&2
  exit 1
fi
BENCH="$(find "$BUILD/out" -name bench_train_throughput -type f -perm -u+x | head -1)"

echo "== mmlc (threads=$THREADS)" >&2
MMLC_OUT="$("$BENCH" "$FMNIST" "$THREADS" "$EPOCHS")"
echo "$MMLC_OUT" >&2
echo "== PyTorch (threads=$THREADS)" >&2
TORCH_OUT="$(OMP_NUM_THREADS="$THREADS" /usr/bin/python3 "$HERE/pytorch_train_throughput.py" "$FMNIST" "$THREADS" "$EPOCHS")"
echo "$TORCH_OUT" >&2

/usr/bin/python3 - "$MMLC_OUT" "$TORCH_OUT" <<'PY'
import sys
def parse(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
m, t = parse(sys.argv[1]), parse(sys.argv[2])
for net in ("jet_mlp", "fmnist_mlp", "fmnist_cnn"):
    ratio = float(m[f"mmlc_{net}_samples_per_s"]) / float(t[f"torch_{net}_samples_per_s"])
    print(f"RESULT {net}_ratio_vs_pytorch={ratio:.2f}")
print(f"RESULT fmnist_mlp_test_accuracy={m['mmlc_fmnist_mlp_test_accuracy']}")
print(f"RESULT gflops_jet_mlp={m['mmlc_gflops_jet_mlp']}")
print(f"RESULT pytorch_fmnist_mlp_test_accuracy={t['torch_fmnist_mlp_test_accuracy']}")
PY
