#!/usr/bin/env bash
# Test fixture: starts/stops a one-node Slurm cluster (munged, slurmctld, slurmd) in a private dir.
# Usage: cluster.sh start DIR   (prints `export SLURM_CONF=...` lines to eval)
#        cluster.sh stop DIR
# Everything lives under DIR: the munge key and socket, slurm.conf (free ports picked at start),
# state, spool, pid and log files. `stop` ends only the daemons whose pid files are in DIR.
set -euo pipefail
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
  for name in slurmd slurmctld munged; do
    pidfile="$dir/$name.pid"
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  if [ -f "$dir/munge-socket-dir" ]; then
    rm -rf "$(cat "$dir/munge-socket-dir")"
    rm -f "$dir/munge-socket-dir"
  fi
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

fail() {
  echo "slurm test cluster: $1" >&2
  for log in "$dir"/munged.log "$dir"/slurmctld.log "$dir"/slurmd.log; do
    [ -f "$log" ] && { echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; }
  done
  stop
  exit 1
}

for tool in munged slurmctld slurmd sbatch squeue scancel scontrol; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" 
  command -v "$tool" >/dev/null || fail "'$tool' not found: install Debian's slurm-wlm and munge (scripts/install-deps.sh --slurm)"
done

stop
rm -rf "$dir"
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 755 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
if [ "${#socket}" -gt 100 ]; then # a Unix socket path has at most 107 bytes
  short="$(mktemp -d /tmp/mmlc-munge.XXXXXX)"
  chmod 755 "$short"
  echo "$short" > "$dir/munge-socket-dir"
  socket="$short/munge.socket"
fi
munged --force --socket="$socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" \
  || fail "munged did not start"

read -r ctldport slurmdport < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
host="$(hostname -s)"
cpus=$(( $(nproc) * 4 ))  # more slots than cores: a queued job waits for none (tests use small --jobs)
mem="$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)"
cat > "$dir/slurm.conf" <<CONF
# One-node test cluster written by test/slurm/cluster.sh
ClusterName=mmlctest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctldport
SlurmdPort=$slurmdport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
KillWait=2
InactiveLimit=0
SlurmdTimeout=60
MessageTimeout=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -i -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N "$host" || fail "slurmd did not start"
for _ in $(seq 100); do
  state="$(sinfo -h -N -o '%t' 2>/dev/null | head -n1 || true)"
  case "$state" in idle|mix|alloc) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.1
done
fail "the node did not become idle within 10 s (state '${state:-unknown}')"
