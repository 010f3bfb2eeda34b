#!/usr/bin/env bash
# Times mmlc --emit=lowered on a generated 10,000-line flow against mlir-opt-19 parsing the same
# module (MLIRGen output, generic form); prints RESULT lines. Best of 5 runs for each tool.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${MMLC_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >/dev/null
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 "$root/bench/compile_speed/gen_flow.py" 10000 > "$work/big.mml"
lines=$(wc -l < "$work/big.mml")
"$build/bin/mmlc" "$work/big.mml" --emit=mlir -o "$work/big.mlir"
"$build/bin/mmlc-opt" "$work/big.mlir" --mlir-print-op-generic -o "$work/big.generic.mlir"
best() { # best wall time in seconds of a command over 5 runs
  local b=999999
  for _ in 1 2 3 4 5; do
    local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  echo "$b"
}
t_mmlc=$(best "$build/bin/mmlc" "$work/big.mml" --emit=lowered -o /dev/null)
t_mlir=$(best /usr/lib/llvm-19/bin/mlir-opt --allow-unregistered-dialect "$work/big.generic.mlir" -o /dev/null)
python3 - "$lines" "$t_mmlc" "$t_mlir" <<'PY'
import sys
lines, t_mmlc, t_mlir = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"flow: {lines} lines; mmlc --emit=lowered {t_mmlc:.3f} s; mlir-opt-19 parse+print of the generic module {t_mlir:.3f} s")
print(f"RESULT mmlc_lines_per_s={lines / t_mmlc:.0f}")
print(f"RESULT ratio_vs_mlir_opt={t_mmlc / t_mlir:.2f}")
print(f"RESULT mmlc_seconds_10k_lines={t_mmlc:.3f}")
PY
