#!/usr/bin/env bash
# Accessibility benchmark (issue 3; not a timed test, ctest does not run it).
#
# For each size N (default 1e5, 1e6, 1e7 nodes) it generates a synthetic city with
# `lifecircle synth` (graph, facilities of 12 categories, population over at most ~100
# subdistricts), then computes every node's nearest facility of every category (k = 1) three
# ways on the same graph and the same snapped sources:
#   - lifecircle run at 1 rank x 1 thread, 2 ranks x 1 thread and 1 rank x 2 threads; the kernel
#     time is the log line "accessibility of C of C categories recomputed ... X s", the wall
#     time is the whole run, the peak memory per rank is the run's final log line;
#   - scipy.sparse.csgraph.dijkstra(directed=False, indices=sources, min_only=True, limit=R)
#     per category (tests/bench/bench_access.py), which also checks, at the smallest size,
#     every node's lifecircle distance against an exact oracle (a virtual source per category);
#   - pgRouting pgr_drivingDistance(edges, ARRAY[sources], R, directed => false,
#     equicost => true) per category, on a PostgreSQL server this script initialises in its
#     work folder and stops at the end (also on failure); the COPY load is timed apart.
# Repetitions: the machine's speed drifts from minute to minute (on the 2-core VM of the
# README's figures, one kernel run takes anywhere from 0.31 to 0.59 s), so each size below
# 10^7 nodes is measured BENCH_REPEAT times (default 3), the lifecircle configurations and
# scipy interleaved (repetition r runs 1r, scipy, 2r, 1r x 2t), and the table shows the
# medians with the ranges in its notes; 10^7 nodes is measured once (scipy alone takes
# minutes there).
# Memory guards: every lifecircle rank runs under ulimit -v (90% of the available memory over
# the ranks) and the 2-rank and 2-thread runs are skipped when the previous size's peak bytes
# per node predict more than that; the PostgreSQL server runs under ulimit -v of half the
# available memory and pgRouting is skipped when the previous size's backend peak predicts
# more. A skipped or failed piece is stated in the table's notes.
#
# Usage: bash tests/bench/bench_access.sh [--sizes 1e5,1e6,1e7] [--repeat R] [--smoke]
# --smoke: a 10^4-node city, one repetition, pgRouting only when it is already installed (no
# package is installed), the table to stdout only, and the targets reported but not judged:
# the exit status says only whether every piece ran and lifecircle's distances equal the
# oracle (ctest runs it: bench_smoke_bench_access).
# Environment: LC_BIN (default build/lifecircle), MPIEXEC (default mpiexec),
# BENCH_DIR (work folder; default a fresh /tmp/lc-bench-access.XXXXXX removed at the end),
# BENCH_PG_BUDGET_S (pgRouting seconds per size, default 600: the queries stop once the
# projected total exceeds it and the rest is extrapolated, marked "~"), BENCH_PG=0 skips
# pgRouting, BENCH_REPEAT (repetitions, as --repeat). The table goes to stdout and to results/bench_access.txt. Exit status 0 when every
# target that was measured is met, 1 when one is missed or the check fails, 2 when the
# benchmark cannot run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${LC_BIN:-$ROOT/build/lifecircle}
MPIEXEC=${MPIEXEC:-mpiexec}
PY=/usr/bin/python3
SIZES=1e5,1e6,1e7
RESULTS=$ROOT/results/bench_access.txt
PG_BUDGET=${BENCH_PG_BUDGET_S:-600}
USE_PG=${BENCH_PG:-1}
REPEAT=${BENCH_REPEAT:-3}
SMOKE=0

while [[ $# -gt 0 ]]; do
  case $1 in
  --sizes) SIZES=$2; shift 2 ;;
  --sizes=*) SIZES=${1#--sizes=}; shift ;;
  --repeat) REPEAT=$2; shift 2 ;;
  --repeat=*) REPEAT=${1#--repeat=}; shift ;;
  --smoke) SMOKE=1; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench_access: unknown argument '$1' (usage: bench_access.sh [--sizes 1e5,1e6] [--repeat R])" >&2; exit 2 ;;
  esac
done
if [[ $SMOKE == 1 ]]; then
  SIZES=1e4
  REPEAT=1
  RESULTS=
  [[ -x /usr/lib/postgresql/15/bin/initdb &&
    -f /usr/share/postgresql/15/extension/pgrouting.control ]] || USE_PG=0
fi
if ! [[ $REPEAT =~ ^[1-9][0-9]*$ ]]; then
  echo "bench_access: --repeat must be a positive integer, got '$REPEAT'" >&2
  exit 2
fi

if [[ ! -x $BIN ]]; then
  echo "bench_access: $BIN not found; build first (cmake --build build) or set LC_BIN" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# Debian packages: scipy and h5py for the peer, PostgreSQL 15 with pgRouting for the other.
need=()
$PY -c 'import scipy.sparse.csgraph, h5py, numpy' 2>/dev/null || need+=(python3-scipy python3-h5py python3-numpy)
if [[ $USE_PG == 1 ]]; then
  [[ -x /usr/lib/postgresql/15/bin/initdb ]] || need+=(postgresql-15)
  [[ -f /usr/share/postgresql/15/extension/pgrouting.control ]] || need+=(postgresql-15-pgrouting)
fi
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bench_access: missing Debian packages; as root run:" >&2
    echo "  apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 2
  fi
  echo "bench_access: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
    { echo "bench_access: apt-get install ${need[*]} failed (apt-get update first?)" >&2; exit 2; }
fi
source "$ROOT/tests/bench/lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
PGDATA=
PGSOCK=
KEEP=0
if [[ -n ${BENCH_DIR:-} ]]; then
  WORK=$BENCH_DIR
  KEEP=1
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/lc-bench-access.XXXXXX)
fi
WORK=$(cd "$WORK" && pwd)

# Runs a command as the PostgreSQL user when this script runs as root (the server refuses root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local rc=$?
  if [[ -n $PGDATA && -f $PGDATA/postmaster.pid ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 ||
      as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private PostgreSQL server: its own data folder and a unix socket in the work folder, no TCP.
PGPORT=54329
if [[ $USE_PG == 1 ]]; then
  chmod 755 "$WORK"
  # Everything of the server lives in WORK/pg, owned by the server's user.
  PGDATA=$WORK/pg/data
  PGSOCK=$WORK/pg/sock
  PGLOG=$WORK/pg/postgres.log
  mkdir -p "$PGSOCK"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$WORK/pg"; fi
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust >"$WORK/initdb.log" 2>&1 ||
    { echo "bench_access: initdb failed:" >&2; tail -5 "$WORK/initdb.log" >&2; exit 2; }
  # The server and its backends may map at most half the available memory (ulimit -v):
  # pgRouting's multi-start driving distance grows with starts x reached nodes (at 1e7 nodes
  # it reached 23 GB and woke the OOM killer), so it fails cleanly instead.
  PG_LIMIT_MIB=$(awk '/MemAvailable/{print int($2 / 2048)}' /proc/meminfo)
  (
    ulimit -v $((PG_LIMIT_MIB * 1024))
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGLOG" \
      -o "-k $PGSOCK -p $PGPORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
          -c full_page_writes=off -c max_wal_size=8GB -c shared_buffers=256MB -c work_mem=256MB" \
      start >/dev/null
  ) ||
    { echo "bench_access: PostgreSQL did not start:" >&2; tail -5 "$PGLOG" >&2; exit 2; }
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -h "$PGSOCK" -p "$PGPORT" -U postgres -d postgres \
    -c 'CREATE EXTENSION pgrouting CASCADE' >/dev/null
fi

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench_access: work folder $WORK; load average at start $LOAD0" >&2

# The 12 categories: the first 12 of inputs/categories.yml, same format.
CATS=$WORK/categories.yml
bench_categories "$CATS"

# Runs lifecircle at RANKS x THREADS, repetition REP; the log goes to DIR/run_TAG.log, the wall
# time to DIR/run_TAG.wall, the results to DIR/out_TAG.h5 (repetitions after the first: run_TAG.REP.*,
# their results removed). A configuration skipped at its first repetition is skipped at all.
lc_run() {
  local dir=$1 tag=$2 ranks=$3 threads=$4 rep=$5 t0 t1 need avail
  local sfx="" out="$dir/out_$tag.h5"
  if [[ $rep -gt 1 ]]; then
    grep -q '^skipped' "$dir/run_$tag.wall" 2>/dev/null && return 0
    sfx=".$rep"
    out="$dir/out_rep.h5"
  fi
  # A run predicted (from the previous size's bytes per node per rank) not to fit in the
  # available memory is skipped rather than left to the OOM killer.
  avail=$(awk '/MemAvailable/{print int($2 / 1024)}' /proc/meminfo)
  if [[ $tag != 1r && -f $WORK/bpn_$tag ]]; then
    need=$(($(cat "$WORK/bpn_$tag") * N * ranks / 1048576))
    if [[ $need -gt $((avail * 9 / 10)) ]]; then
      echo "bench_access: skipping $ranks ranks x $threads threads at $N nodes: predicted" \
        "$need MiB > 90% of the $avail MiB available" >&2
      echo "skipped: predicted $need MiB (from the previous size's bytes per node per rank)" \
        "exceeds 90% of the $avail MiB available" >"$dir/run_$tag.wall"
      return 0
    fi
  fi
  # Each rank may map at most 90% of the available memory over the ranks (ulimit -v), so a
  # run that does not fit fails with "out of memory" instead of waking the OOM killer.
  local limit_kib=$((avail * 1024 * 9 / 10 / ranks)) rc=0
  t0=$(now)
  (
    ulimit -v "$limit_kib"
    OMP_NUM_THREADS=$threads exec "$MPIEXEC" -n "$ranks" --bind-to none -x OMP_NUM_THREADS \
      "$BIN" run "$dir/params.yml" -o "$out"
  ) >"$dir/run_$tag$sfx.log" 2>&1 || rc=$?
  t1=$(now)
  echo "$t1 - $t0" | bc -l >"$dir/run_$tag$sfx.wall"
  echo "$rc" >"$dir/run_$tag$sfx.rc"
  [[ $rep -gt 1 ]] && rm -f "$out"
  if [[ $rc -ne 0 ]]; then
    echo "bench_access: lifecircle run ($ranks ranks x $threads threads) exited $rc; its log:" >&2
    tail -3 "$dir/run_$tag$sfx.log" >&2
  fi
}

DIRS=()
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
first=1
for s in "${SIZE_LIST[@]}"; do
  N=$($PY -c "print(int(float('$s')))")
  D=$WORK/n$N
  mkdir -p "$D"
  DIRS+=("$D")
  # At most ~100 subdistricts: a grid side of round(sqrt(N / K)) <= 10.
  K=$((N / 100 > 1000 ? N / 100 : 1000))
  echo "bench_access: N = $N: synth" >&2
  t0=$(now)
  "$BIN" synth --nodes "$N" --seed 1 -o "$D/g.h5" --facilities "$D/f.csv" --categories "$CATS" \
    --population-dir "$D/pop" --nodes-per-subdistrict "$K" >"$D/synth.log" 2>&1 ||
    { echo "bench_access: synth failed:" >&2; tail -5 "$D/synth.log" >&2; exit 2; }
  echo "$(now) - $t0" | bc -l >"$D/synth.wall"
  cat >"$D/params.yml" <<EOF
Run:
  name: bench_n$N
  output: $D/out.h5
  strict: true
$(bench_city_params "$D" "$CATS" 1)
Agents:
  enabled: false
EOF
  reps=$REPEAT
  [[ $N -ge 10000000 ]] && reps=1
  for rep in $(seq 1 "$reps"); do
    for cfg in "1r 1 1" "2r 2 1" "1r2t 1 2"; do
      read -r tag ranks threads <<<"$cfg"
      echo "bench_access: N = $N: lifecircle run, $ranks ranks x $threads threads ($rep of $reps)" >&2
      lc_run "$D" "$tag" "$ranks" "$threads" "$rep"
      if [[ $tag == 1r ]]; then
        echo "bench_access: N = $N: scipy ($rep of $reps)" >&2
        $PY "$ROOT/tests/bench/bench_access.py" scipy "$D" --categories "$CATS" >"$D/scipy.$rep.json" ||
          { echo "bench_access: the scipy peer failed" >&2; rm -f "$D/scipy.$rep.json"; }
      fi
    done
  done
  echo "$(cut -d' ' -f1-3 /proc/loadavg)" >"$D/load"
  verify=()
  [[ $first -eq 1 ]] && verify=(--verify)
  args=("$D" --categories "$CATS" "${verify[@]}")
  if [[ $USE_PG == 1 ]]; then
    args+=("--pg=-h $PGSOCK -p $PGPORT -U postgres -d postgres" --pg-budget "$PG_BUDGET"
      --pg-limit-mib "$PG_LIMIT_MIB")
    [[ -f $WORK/pg_bpn ]] && args+=(--pg-prev-bpn "$(cat "$WORK/pg_bpn")")
  fi
  echo "bench_access: N = $N: checks and pgRouting" >&2
  $PY "$ROOT/tests/bench/bench_access.py" measure "${args[@]}" ||
    echo "bench_access: measuring N = $N failed (reported in the table)" >&2
  [[ -f $D/pg_bpn ]] && cp "$D/pg_bpn" "$WORK/pg_bpn"
  # Bytes per node per rank of each configuration, to predict the next size's memory.
  for tag in 1r 2r 1r2t; do
    $PY "$ROOT/tests/bench/bench_access.py" bpn "$D/run_$tag.log" "$N" >"$WORK/bpn_$tag" ||
      rm -f "$WORK/bpn_$tag"
  done
  # The results files are large at 1e7; only the measurements are kept.
  rm -f "$D"/out_*.h5 "$D/g.h5"
  first=0
done

smoke=()
[[ $SMOKE == 1 ]] && smoke=(--smoke)
set +e
if [[ -n $RESULTS ]]; then
  mkdir -p "$(dirname "$RESULTS")"
  $PY "$ROOT/tests/bench/bench_access.py" report --load-start "$LOAD0" \
    --lc "$BIN" "${DIRS[@]}" | tee "$RESULTS"
  rc=${PIPESTATUS[0]}
  echo "bench_access: table written to $RESULTS" >&2
else
  $PY "$ROOT/tests/bench/bench_access.py" report --load-start "$LOAD0" --lc "$BIN" \
    "${smoke[@]}" "${DIRS[@]}"
  rc=$?
fi
set -e
exit "$rc"
