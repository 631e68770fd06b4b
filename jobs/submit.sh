#!/usr/bin/env bash
# Submits the nightly chain to Slurm: the scenario sweep (an array, one task per scenario
# set), then the comparison and report after it (--dependency=afterany: the sets that did
# finish are compared; compare fails naming any set that did not), and optionally the
# scaling study after that. Run it again, unchanged, to resume an interrupted sweep:
# every task re-uses its results file and keeps the scenarios already complete.
#
#   jobs/submit.sh [SBATCH-OPTION...]        (options are passed to every sbatch)
#   LC_SETS=inputs/changning/sets.txt LC_RANKS=4 LC_PARTITION=compute jobs/submit.sh
#
# Environment (defaults in brackets):
#   LC_PARAMS, LC_SETS, LC_OUTDIR, LC_NAME, LC_BIN, LC_MPI   see jobs/nightly.sbatch
#   LC_PARTITION, LC_ACCOUNT, LC_QOS   sbatch -p, -A, --qos [cluster defaults]
#   LC_TIME       time limit of each sweep task [02:00:00]
#   LC_SIGNAL_S   seconds before the time limit at which the run is asked to stop [300]
#   LC_RANKS      MPI ranks per sweep task [2]
#   LC_THREADS    OpenMP threads per rank (--cpus-per-task) [1]
#   LC_NODES      nodes per sweep task [Slurm's choice]
#   LC_ARRAY_LIMIT  sweep tasks running at once (the array's %N) [no limit]
#   LC_LOGDIR     job logs [$LC_OUTDIR/logs]
#   LC_COMPARE    1: submit compare.sbatch after the sweep; 0: do not [1]
#   LC_COMPARE_AFTER  afterany or afterok [afterany]
#   LC_COMPARE_TIME, LC_COMPARE_RANKS   [00:30:00, 2]
#   LC_SCALING    1: also submit scaling.sbatch after compare [0]
#   LC_SCALING_TASKS, LC_SCALING_TIME   [4, 01:00:00] (and LC_SCALING_* of scaling.sbatch)
# Prints one line: "nightly=ID compare=ID [scaling=ID]". Exit status: sbatch's.
set -euo pipefail

LC_ROOT="${LC_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
export LC_ROOT
export LC_PARAMS="${LC_PARAMS:-$LC_ROOT/inputs/changning/xinhua.yml}"
export LC_OUTDIR="${LC_OUTDIR:-$LC_ROOT/results/nightly}"
export LC_NAME="${LC_NAME:-$(basename "${LC_PARAMS%.*}")}"
logdir="${LC_LOGDIR:-$LC_OUTDIR/logs}"
mkdir -p "$LC_OUTDIR" "$logdir"

# Absolute paths: jobs start in another directory.
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
LC_PARAMS=$(abspath "$LC_PARAMS")
LC_OUTDIR=$(abspath "$LC_OUTDIR")
logdir=$(abspath "$logdir")
if [ -n "${LC_SETS:-}" ]; then
  LC_SETS=$(abspath "$LC_SETS")
  export LC_SETS
fi

common=()
[ -n "${LC_PARTITION:-}" ] && common+=(--partition="$LC_PARTITION")
[ -n "${LC_ACCOUNT:-}" ] && common+=(--account="$LC_ACCOUNT")
[ -n "${LC_QOS:-}" ] && common+=(--qos="$LC_QOS")
threads="${LC_THREADS:-1}"

sweep=(--ntasks="${LC_RANKS:-2}" --cpus-per-task="$threads" --time="${LC_TIME:-02:00:00}"
  --signal="B:USR1@${LC_SIGNAL_S:-300}")
[ -n "${LC_NODES:-}" ] && sweep+=(--nodes="$LC_NODES")
if [ -n "${LC_SETS:-}" ]; then
  count=$(grep -cvE '^[[:space:]]*(#|$)' "$LC_SETS" || [ $? = 1 ])
  if [ "$count" = 0 ]; then
    echo "submit: $LC_SETS lists no scenario set" >&2
    exit 2
  fi
  sweep+=(--array="1-$count${LC_ARRAY_LIMIT:+%$LC_ARRAY_LIMIT}"
    --output="$logdir/%x-%A_%a.out")
else
  sweep+=(--output="$logdir/%x-%j.out")
fi

nightly=$(sbatch --parsable "${common[@]}" "${sweep[@]}" "$@" "$LC_ROOT/jobs/nightly.sbatch")
nightly="${nightly%%;*}"
line="nightly=$nightly"

last="$nightly"
if [ "${LC_COMPARE:-1}" = 1 ]; then
  compare=$(sbatch --parsable "${common[@]}" --ntasks="${LC_COMPARE_RANKS:-2}" \
    --cpus-per-task="$threads" --time="${LC_COMPARE_TIME:-00:30:00}" \
    --dependency="${LC_COMPARE_AFTER:-afterany}:$nightly" --kill-on-invalid-dep=yes \
    --output="$logdir/%x-%j.out" "$@" "$LC_ROOT/jobs/compare.sbatch")
  compare="${compare%%;*}"
  line="$line compare=$compare"
  last="$compare"
fi
if [ "${LC_SCALING:-0}" = 1 ]; then
  scaling=$(sbatch --parsable "${common[@]}" --ntasks="${LC_SCALING_TASKS:-4}" \
    --cpus-per-task="$threads" --time="${LC_SCALING_TIME:-01:00:00}" \
    --dependency="afterany:$last" --output="$logdir/%x-%j.out" "$@" \
    "$LC_ROOT/jobs/scaling.sbatch")
  line="$line scaling=${scaling%%;*}"
fi
echo "$line"
