#!/usr/bin/env bash
# Stops the private Slurm started by tests/slurm/slurm_up.sh DIR: cancels its jobs, shuts
# down slurmctld and slurmd (`scontrol shutdown`), stops munged (`munged --stop`), waits on
# the pid files, and as a last resort ends, by pid, any process still carrying this
# cluster's mark in its environment (daemons, slurmstepd). Safe to call more than once and on
# a half-started cluster. Removes DIR unless KEEP=1 or a process could not be stopped.
#
#   tests/slurm/slurm_down.sh DIR
#
# Exit status: 0 when nothing of this cluster is left running, 1 otherwise.
set -uo pipefail

dir="${1:?usage: slurm_down.sh DIR}"
[ -d "$dir" ] || exit 0
dir="$(cd "$dir" && pwd)"
export SLURM_CONF="$dir/slurm.conf"

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { [ -s "$1" ] && tr -dc '0-9' <"$1"; }
wait_gone() { # PID SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    alive "$1" || return 0
    sleep 0.1
  done
  return 1
}

# The watchdog of slurm_up.sh is not needed any more (unless it is who called us).
watchdog=$(pid_of "$dir/watchdog.pid" || true)
if alive "$watchdog" && [ "$watchdog" != "$$" ] && [ "$watchdog" != "$PPID" ]; then
  kill -TERM -- "-$watchdog" 2>/dev/null  # its own session (setsid): bash and its sleep
fi
ctld=$(pid_of "$dir/slurmctld.pid" || true)
slurmd=$(pid_of "$dir/slurmd.pid" || true)
munged=$(pid_of "$dir/munge/munged.pid" || true)

if [ -f "$SLURM_CONF" ] && alive "$ctld"; then
  # Jobs first: scontrol shutdown leaves running job steps behind.
  jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs 2>/dev/null
    for ((i = 0; i < 150; i++)); do
      [ -z "$(timeout 5 squeue -h -o %A 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  timeout 20 scontrol shutdown >/dev/null 2>&1
fi
for p in "$ctld" "$slurmd"; do
  if alive "$p" && ! wait_gone "$p" 15; then
    kill -TERM "$p" 2>/dev/null
    wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null
  fi
done

# Leftovers of this cluster (slurmstepd, a daemon that ignored shutdown): found by the mark
# slurm_up.sh put in the daemons' environment, never by name. Our own ancestry is spared.
spare=" $$ "
p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do
  p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 1)
  spare="$spare$p "
done
marked() {
  local f pid
  # shellcheck disable=SC2013  # /proc/N/environ paths have no spaces.
  for f in $(grep -lazxF "LC_SLURM_TEST_DIR=$dir" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${f#/proc/}
    pid=${pid%/environ}
    [ "$pid" = "$munged" ] && continue
    case "$spare" in *" $pid "*) continue ;; esac
    echo "$pid"
  done
}
left=$(marked)
if [ -n "$left" ]; then
  echo "slurm_down: ending leftover processes of $dir: $left" >&2
  # shellcheck disable=SC2086
  kill -TERM $left 2>/dev/null
  sleep 1
  left=$(marked)
  # shellcheck disable=SC2086
  [ -n "$left" ] && kill -KILL $left 2>/dev/null
  sleep 0.2
fi

if alive "$munged"; then
  munged --stop --socket="$dir/munge/munge.socket.2" >/dev/null 2>&1
  if ! wait_gone "$munged" 10; then
    kill -TERM "$munged" 2>/dev/null
    wait_gone "$munged" 5 || kill -KILL "$munged" 2>/dev/null
  fi
fi

status=0
for p in "$ctld" "$slurmd" "$munged" $(marked); do
  if alive "$p"; then
    echo "slurm_down: process $p of $dir is still running" >&2
    status=1
  fi
done
if [ "$status" = 0 ] && [ "${KEEP:-0}" != 1 ]; then
  rm -rf "$dir"
fi
exit "$status"
