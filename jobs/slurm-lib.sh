# shellcheck shell=bash
# Shared by jobs/nightly.sbatch, jobs/compare.sbatch and jobs/scaling.sbatch (sourced at run
# time from "$LC_ROOT/jobs"): settings from the environment, the header and footer lines of
# the job log, and MPI launches through srun that pass on the signal Slurm sends before the
# time limit. Not a job script itself.
#
# Environment (all optional):
#   LC_ROOT       the lifecircle checkout (default: the directory sbatch was run from)
#   LC_BIN        the binary (default $LC_ROOT/build/lifecircle)
#   LC_WORKDIR    directory runs start in; paths in parameter files are relative to it
#                 (default $LC_ROOT)
#   LC_MPI        srun's --mpi plugin (default pmix; Debian's Open MPI speaks only PMIx)
#   LC_SRUN_ARGS  extra srun options, split on spaces (e.g. "--cpu-bind=cores")

# Reads the settings every job shares and prints the header line. $1 is the job's kind.
lc_job_begin() {
  LC_JOB_KIND="$1"
  LC_BIN="${LC_BIN:-$LC_ROOT/build/lifecircle}"
  LC_WORKDIR="${LC_WORKDIR:-$LC_ROOT}"
  LC_MPI="${LC_MPI:-pmix}"
  LC_THREADS="${SLURM_CPUS_PER_TASK:-1}"
  LC_NTASKS="${SLURM_NTASKS:-1}"
  export OMP_NUM_THREADS="$LC_THREADS"
  # Open MPI's shared-memory transport complains inside containers without this.
  export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
  LC_T0=$(date +%s.%N)
  if [ ! -x "$LC_BIN" ]; then
    echo "lifecircle-job: error: $LC_BIN is not an executable; build first or set LC_BIN" >&2
    return 2
  fi
  cd "$LC_WORKDIR" || return 2
  local limit="none"
  if [ -n "${SLURM_JOB_ID:-}" ]; then
    limit=$(squeue -h -j "$SLURM_JOB_ID" -o %l 2>/dev/null) || limit="unknown"
  fi
  echo "lifecircle-job: start $LC_JOB_KIND job=${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-none}}" \
    "array=${SLURM_ARRAY_TASK_ID:-none} step_job=${SLURM_JOB_ID:-none}" \
    "partition=${SLURM_JOB_PARTITION:-none} nodes=${SLURM_JOB_NUM_NODES:-1}" \
    "(${SLURM_JOB_NODELIST:-$(hostname)}) ranks=$LC_NTASKS threads=$OMP_NUM_THREADS" \
    "time_limit=${limit:-unknown} bin=$LC_BIN at $(date -Is)"
}

# Prints the footer line with the elapsed time and $1 (the exit status), then returns it.
lc_job_end() {
  local rc="$1" t1
  t1=$(date +%s.%N)
  if [ "$rc" = 14 ]; then
    echo "lifecircle-job: the run stopped cleanly before the time limit; submit the same job" \
      "again (same output) to finish the remaining scenarios"
  fi
  echo "lifecircle-job: end $LC_JOB_KIND job=${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-none}}" \
    "array=${SLURM_ARRAY_TASK_ID:-none} status=$rc" \
    "elapsed=$(awk -v a="$LC_T0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s at $(date -Is)"
  return "$rc"
}

# Passes a signal received by the batch shell (Slurm's --signal=B:USR1@T before the time
# limit, or scancel's TERM) on to the running srun, which forwards it to every rank; the run
# then finishes its current scenario, writes what is complete and exits 14.
lc_forward() {
  local sig="$1"
  echo "lifecircle-job: received SIG$sig at $(date -Is); asking the run to stop after its" \
    "current scenario" >&2
  if [ -n "${LC_CHILD:-}" ] && kill -0 "$LC_CHILD" 2>/dev/null; then
    kill -s "$sig" "$LC_CHILD" 2>/dev/null || echo "lifecircle-job: srun already ended" >&2
  fi
}

# Runs `srun --mpi=$LC_MPI [-n RANKS] ... ARGS` in the background and waits for it, so that
# the batch shell can pass on signals meanwhile; returns srun's exit status (the highest of
# the ranks'). Options before `--` go to srun: lc_srun -n 2 -- "$LC_BIN" run ...
lc_srun() {
  local opts=() rc=0
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    opts+=("$1")
    shift
  done
  [ "${1:-}" = "--" ] && shift
  # shellcheck disable=SC2206
  local extra=(${LC_SRUN_ARGS:-})
  srun --mpi="$LC_MPI" --kill-on-bad-exit=1 --cpus-per-task="$LC_THREADS" "${opts[@]}" \
    "${extra[@]}" "$@" &
  LC_CHILD=$!
  trap 'lc_forward USR1' USR1
  trap 'lc_forward TERM' TERM
  trap 'lc_forward INT' INT
  # `wait` returns early (status > 128) when a trapped signal arrives: wait again until
  # srun itself has ended.
  while :; do
    rc=0
    wait "$LC_CHILD" || rc=$?
    if [ "$rc" -gt 128 ] && kill -0 "$LC_CHILD" 2>/dev/null; then
      continue
    fi
    break
  done
  trap - USR1 TERM INT
  LC_CHILD=""
  return "$rc"
}
