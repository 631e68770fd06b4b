#!/usr/bin/env bash
# Starts a private single-node Slurm (munged, slurmctld, slurmd) for testing jobs/, with every
# file (configuration, key, state, spool, logs, sockets, pid files) under one directory.
#
#   tests/slurm/slurm_up.sh DIR [CPUS]
#
# DIR is created if needed (use a fresh one under /tmp). CPUS (default 4) is the node's
# declared CPU count; SlurmdParameters=config_overrides lets it exceed the real cores so
# that 2-4 rank jobs fit on a small machine. Ports are chosen free at start.
# On success prints `export SLURM_CONF=DIR/slurm.conf` (also written to DIR/env.sh) and
# exits 0 with the node idle. Needs root and the Debian packages slurm-wlm and munge.
# Exit status: 0 up; 3 a tool is missing or not root (nothing started); 1 a daemon did not
# come up (everything started is stopped again and the logs are printed).
# Stop with tests/slurm/slurm_down.sh DIR. With LC_SLURM_WATCH_PID=PID in the environment,
# a watchdog also stops the cluster once process PID (say, the test) has ended, so that a
# test killed before its clean-up leaves no daemons behind.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: slurm_up.sh DIR [CPUS]}"
cpus="${2:-4}"

for tool in munged slurmctld slurmd sbatch srun scontrol squeue scancel; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "slurm_up: $tool not found (Debian packages: slurm-wlm munge)" >&2
    exit 3
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "slurm_up: needs root (slurmd launches jobs as their user)" >&2
  exit 3
fi
plugin_dir=$(dirname "$(find /usr/lib /usr/lib64 -name mpi_pmix.so -path '*slurm*' 2>/dev/null | head -1)")
if [ "$plugin_dir" = "." ]; then
  echo "slurm_up: Slurm's mpi_pmix plugin not found" >&2
  exit 3
fi

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
# Sockets and key must be reachable by every client: the tree is world-readable, the key not.
chmod 0755 "$dir"
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 0755 "$dir/munge" "$dir/log"
chmod 0700 "$dir/state" "$dir/spool"

# A fresh munge key for this cluster only (root-owned, 0600).
head -c 1024 /dev/urandom >"$dir/munge/munge.key"
chmod 0600 "$dir/munge/munge.key"

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done

# Job ids differ between clusters started at the same time on one machine: Slurm's PMIx
# plugin names per-step paths after the job id.
first_job=$(( (RANDOM * 32768 + RANDOM) % 900000 + 100000 ))
mem_mb=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
: >"$dir/plugstack.conf"
cat >"$dir/slurm.conf" <<EOF
# Written by tests/slurm/slurm_up.sh: a private single-node cluster for tests.
ClusterName=lctest
FirstJobId=$first_job
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket.2
CredType=cred/munge
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=100000
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
EnforcePartLimits=ALL
MpiDefault=pmix
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
MessageTimeout=20
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p "$dir/pmix"
echo "PMIxCliTmpDirBase=$dir/pmix" >"$dir/mpi.conf"
printf 'export SLURM_CONF=%s/slurm.conf\n' "$dir" >"$dir/env.sh"
export SLURM_CONF="$dir/slurm.conf"
# Every daemon carries this mark in its environment; slurm_down.sh finds leftovers by it.
export LC_SLURM_TEST_DIR="$dir"

fail() {
  echo "slurm_up: $*" >&2
  for f in "$dir"/log/*.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
  done
  "$here/slurm_down.sh" "$dir" >&2 || true
  exit 1
}

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

munged --socket="$dir/munge/munge.socket.2" --key-file="$dir/munge/munge.key" \
  --log-file="$dir/log/munged.log" --pid-file="$dir/munge/munged.pid" \
  --seed-file="$dir/munge/munged.seed" --force ||
  fail "munged did not start"
wait_for "[ -S '$dir/munge/munge.socket.2' ]" 10 || fail "munged socket did not appear"

slurmctld -c -f "$dir/slurm.conf" || fail "slurmctld did not start"
wait_for "scontrol ping | grep -q UP" 20 || fail "slurmctld does not answer"
slurmd -N localhost -f "$dir/slurm.conf" || fail "slurmd did not start"
wait_for "scontrol show node localhost | grep -Eq 'State=IDLE'" 30 ||
  fail "the node did not become idle: $(scontrol show node localhost 2>&1 | grep State)"
if [ -n "${LC_SLURM_WATCH_PID:-}" ]; then
  # shellcheck disable=SC2016  # $1.. belong to the inner shell.
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -f "$2/slurm.conf" ]; do sleep 2; done
    [ -f "$2/slurm.conf" ] && exec "$3/slurm_down.sh" "$2"' watchdog \
    "$LC_SLURM_WATCH_PID" "$dir" "$here" </dev/null >>"$dir/log/watchdog.log" 2>&1 &
  echo $! >"$dir/watchdog.pid"
fi
cat "$dir/env.sh"
