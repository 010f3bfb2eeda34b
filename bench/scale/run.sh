#!/usr/bin/env bash
# Times 200 evaluations of a cheap extern task with the local and the Slurm executor on this
# machine (a one-node cluster started here, test/slurm/cluster.sh) and prints
# RESULT slurm_overhead_s_per_eval= (extra wall time per evaluation over local workers) and
# RESULT slurm_controller_mb= (peak resident memory of the controller of the Slurm run).
# JOBS (default 4) evaluations at a time in both; OUT (default out/scale) holds the runs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export MMLC_BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/build.sh" >/dev/null # also installs slurm-wlm and munge when missing
MMLC="$MMLC_BUILD_DIR/bin/mmlc"
OUT="$(mkdir -p "${OUT:-$ROOT/out/scale}" && cd "${OUT:-$ROOT/out/scale}" && pwd)"
JOBS="${JOBS:-4}"
FLOW="$ROOT/bench/scale/scale.mml"
trap 'bash "$ROOT/test/slurm/cluster.sh" stop "$OUT/cluster"' EXIT
eval "$(bash "$ROOT/test/slurm/cluster.sh" start "$OUT/cluster")"
export SLURM_CONF

# run NAME ARGS...: runs the flow into OUT/NAME; prints "seconds peak_rss_kb" of the controller
run() {
  local name="$1"; shift
  rm -rf "$OUT/$name"
  python3 - "$MMLC" run "$FLOW" -o "$OUT/$name" "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
with open(sys.argv[5] + ".out", "w") as log:
    subprocess.run(sys.argv[1:], stdout=log, stderr=subprocess.STDOUT, check=True)
# ru_maxrss of waited-for children: the controller (its sbatch/squeue children are smaller; the
# workers are children of slurmd, not of the controller)
print(time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

read -r local_s local_kb < <(run local --jobs "$JOBS")
read -r slurm_s slurm_kb < <(run slurm --jobs "$JOBS" --executor slurm)
evals="$(grep -c '"event":"search_eval"' "$OUT/slurm/log.jsonl")"
local_evals="$(grep -c '"event":"search_eval"' "$OUT/local/log.jsonl")"
[ "$evals" = 200 ] && [ "$local_evals" = 200 ] || { echo "expected 200 evaluations, got $local_evals (local) and $evals (slurm)" >&2; exit 1; }
diff <(ls "$OUT/local/models") <(ls "$OUT/slurm/models") > /dev/null || { echo "the two runs made different models" >&2; exit 1; }
python3 - "$local_s" "$slurm_s" "$slurm_kb" "$local_kb" "$JOBS" <<'PY'
import sys
local_s, slurm_s, slurm_kb, local_kb, jobs = map(float, sys.argv[1:])
print(f"local executor: {local_s:.1f} s, slurm executor: {slurm_s:.1f} s for 200 evaluations, {int(jobs)} at a time")
print(f"controller peak RSS: local {local_kb / 1024:.1f} MB, slurm {slurm_kb / 1024:.1f} MB")
print(f"RESULT slurm_overhead_s_per_eval={(slurm_s - local_s) / 200:.3f}")
print(f"RESULT slurm_controller_mb={slurm_kb / 1024:.1f}")
PY
