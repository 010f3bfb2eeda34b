#!/usr/bin/env bash
# The Slurm executor against a real one-node cluster (cluster.sh): equality with --jobs 1,
# retries of a job cancelled from outside, a failing job's located error, Ctrl-C (scancel), and
# --resume after kill -9 of the controller (it adopts the running jobs). Usage: run.sh MMLC WORKDIR
set -euo pipefail
mmlc="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
flow="$here/Inputs/flow.mml"
cluster="$work/cluster"
rm -rf "$work"
mkdir -p "$work"
trap 'bash "$here/cluster.sh" stop "$cluster"' EXIT
eval "$(bash "$here/cluster.sh" start "$cluster")"
export SLURM_CONF
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
# events NAME DIR [KEY...]: the values of KEYs of every NAME event of DIR's LOG, one per line
events() {
  python3 - "$@" <<'PY'
import json, sys
name, d, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
for line in open(d + "/log.jsonl"):
    e = json.loads(line)
    if e["event"] == name:
        print(" ".join(str(e.get(k)) for k in keys))
PY
}
# wait_running N: until N of our jobs are RUNNING (at most 30 s)
wait_running() {
  for _ in $(seq 300); do
    [ "$(squeue -h -t RUNNING -o %i | wc -l)" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "no $1 running job(s) after 30 s: $(squeue -h -o '%i %T' | tr '\n' ' ')"
}
wait_queue_empty() {
  for _ in $(seq 300); do
    [ -z "$(squeue -h -o %i)" ] && return 0
    sleep 0.1
  done
  fail "jobs still queued after 30 s: $(squeue -h -o '%i %T' | tr '\n' ' ')"
}

echo "== 1. --executor slurm gives the models and results of --jobs 1"
"$mmlc" run "$flow" -o ref > ref.out
"$mmlc" run "$flow" -o s2 --executor slurm --jobs 2 > s2.out
diff <(ls ref/models) <(ls s2/models) || fail "model keys differ"
diff <(events search_eval ref evaluation params result) <(events search_eval s2 evaluation params result) \
  || fail "search evaluations differ"
diff <(events parallel_branch ref label selected result) <(events parallel_branch s2 label selected result) \
  || fail "parallel branches differ"
[ "$(events slurm_job s2 state | grep -c SUBMITTED)" = 9 ] || fail "expected 9 submitted jobs (3 branches, 6 evaluations)"
[ "$(events slurm_job s2 state | grep -c COMPLETED)" = 9 ] || fail "expected 9 completed jobs"
ls s2/jobs/L*-evaluation_6.*.log > /dev/null || fail "no job log in s2/jobs"
grep -q "Slurm jobs at a time" s2.out || fail "no executor note"

echo "== 2. a job cancelled from outside is submitted again"
"$mmlc" run "$flow" -o retry --executor slurm --jobs 2 --set 'main.cost.pause=2' > retry.out 2>&1 &
controller=$!
wait_running 1
victim="$(squeue -h -t RUNNING -o %i | head -n1)"
scancel "$victim"
wait "$controller" || { cat retry.out; fail "the run with a cancelled job failed"; }
grep -q "Slurm job $victim (.*) ended: CANCELLED; submitting it again (attempt 2 of 3)" retry.out \
  || { cat retry.out; fail "no retry note for job $victim"; }
# grep reads all of it: with -q it could stop early, python would fail on the broken pipe, and
# pipefail would report the job missing.
events slurm_job retry job state | grep "^$victim CANCELLED$" > /dev/null || fail "LOG lacks the cancelled job"
"$mmlc" run "$flow" -o retry-ref --set 'main.cost.pause=2' --jobs 2 > /dev/null
diff <(ls retry-ref/models) <(ls retry/models) || fail "model keys differ after a retry"

echo "== 3. a job that keeps failing is a located error with its log's tail"
if "$mmlc" run "$flow" -o failing --executor slurm --jobs 2 --slurm-retries 1 --set 'cost.fail=1' \
     > failing.out 2> failing.err; then
  fail "a failing flow succeeded"
fi
grep -q "flow.mml:18:11: error: Slurm job [0-9]* for .* ended: exit status 1 (2 attempts)" failing.err \
  || { cat failing.err; fail "no located error"; }
grep -q "| .*cost.py: failing on request" failing.err || { cat failing.err; fail "no log tail"; }
wait_queue_empty

echo "== 4. Ctrl-C cancels every job the run submitted"
"$mmlc" run "$flow" -o interrupted --executor slurm --jobs 2 --set 'main.cost.pause=20' > interrupted.out 2>&1 &
controller=$!
wait_running 2
kill -INT "$controller"
status=0
wait "$controller" || status=$?
[ "$status" = 130 ] || { cat interrupted.out; fail "exit status $status after Ctrl-C, expected 130"; }
grep -q "cancelled 2 Slurm job(s) (scancel)" interrupted.out || { cat interrupted.out; fail "no scancel note"; }
wait_queue_empty

echo "== 5. kill -9 of the controller, then --resume waits for the running jobs"
"$mmlc" run "$flow" -o killed --executor slurm --jobs 2 --set 'main.cost.pause=3' > killed.out 2>&1 &
controller=$!
wait_running 2
running="$(squeue -h -t RUNNING -o %i | sort | tr '\n' ' ')"
kill -9 "$controller"
wait "$controller" 2>/dev/null || true
[ "$(squeue -h -t RUNNING -o %i | sort | tr '\n' ' ')" = "$running" ] || fail "the jobs did not outlive the controller"
"$mmlc" run "$flow" -o killed --executor slurm --jobs 2 --set 'main.cost.pause=3' --resume > resumed.out 2>&1 \
  || { cat resumed.out; fail "the resumed run failed"; }
for job in $running; do
  grep -q "Slurm job $job (.*) of an earlier run is RUNNING: waiting for it" resumed.out \
    || { cat resumed.out; fail "job $job was not adopted"; }
done
# every part was submitted once: no duplicates of the adopted jobs
dups="$(events slurm_job killed part state | grep SUBMITTED | sort | uniq -d)"
[ -z "$dups" ] || fail "parts submitted twice: $dups"
"$mmlc" run "$flow" -o killed-ref --set 'main.cost.pause=3' --jobs 2 > /dev/null
diff <(ls killed-ref/models) <(ls killed/models) || fail "model keys differ after kill -9 and --resume"
diff <(events search_eval killed-ref params result) <(events search_eval killed params result | tail -n 6) \
  || fail "search evaluations differ after kill -9 and --resume"
# Site options from cfg (slurm.OPTION, slurm.TASK.OPTION): the partition reaches sbatch (Slurm
# refuses one that does not exist), and the command line's --slurm-partition beats cfg.
# (the copy of the flow runs its extern command from its own folder, next to a link to cost.py)
{ echo 'cfg { slurm.partition = "nosuch"; slurm.cost.arg = "--comment=from-cfg"; }'; cat "$flow"; } > cfg-flow.mml
ln -sf "$here/Inputs/cost.py" cost.py
if "$mmlc" run cfg-flow.mml -o cfgbad --executor slurm --jobs 2 > cfgbad.out 2>&1; then
  fail "a cfg partition that does not exist was accepted"
fi
grep -q "sbatch could not submit" cfgbad.out || { cat cfgbad.out; fail "cfg slurm.partition did not reach sbatch"; }
partition="$(sinfo -h -o %P | head -1 | tr -d '*')"
"$mmlc" run cfg-flow.mml -o cfgok --executor slurm --jobs 2 --slurm-partition "$partition" > cfgok.out 2>&1 \
  || { cat cfgok.out; fail "--slurm-partition did not beat cfg's slurm.partition"; }
diff <(ls ref/models) <(ls cfgok/models) || fail "cfg Slurm options changed the model keys"
echo "PASS"
