#!/bin/bash
# Benchmark of the agent simulation on synthetic cities (lifecircle synth):
#   changning: 5,000 nodes x 140.9 residents = about 704,000 agents (Changning District's
#              2020 census population is about 693,000), 40 facilities per category;
#              one simulated day at 1 and 2 ranks.
#   shanghai:  5,000,000 nodes x 5 residents = 25,000,000 agents (Shanghai: 24.9 million in
#              2020), 10,000 facilities per category, catchment lists of k = 4, hourly
#              FacilityLoad bins; one simulated day at 1 rank (about 12 GB of memory).
#   smoke:     2,000 nodes x 20 residents = 40,000 agents, 2 facilities per category; one
#              day at 1 and 2 ranks, seconds in all (run by ctest: bench_smoke_bench_agents).
# Prints one line of figures per run (wall and CPU seconds of the simulated day, trips per
# second, bytes of agent state and trips per agent, peak memory per rank), appends them to
# $WORK/figures.txt, and ends with the table of those lines. The driver (bench_agents_driver.c) loads each city the way
# `lifecircle run` does and times agents_run alone.
#
# usage: tests/bench/bench_agents.sh [BUILD_DIR] [changning|shanghai|all|smoke]
# environment: LC_BENCH_DIR (work directory, default a new one under /tmp, removed at the
# end of a smoke run), MPIEXEC.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
WHAT=${2:-changning}
if [ -n "${LC_BENCH_DIR:-}" ]; then
  WORK=$LC_BENCH_DIR
else
  WORK=$(mktemp -d /tmp/lc-bench-agents.XXXXXX)
  [ "$WHAT" = smoke ] && trap 'rm -rf "$WORK"' EXIT
fi
case $WHAT in changning | shanghai | all | smoke) ;;
*) echo "bench_agents: unknown city '$WHAT' (changning, shanghai, all or smoke)" >&2; exit 2 ;;
esac
MPIEXEC=${MPIEXEC:-mpiexec}
source "$ROOT/tests/bench/lib.sh"
# Ranks waiting in a collective yield the core instead of spinning: on a machine shared with
# other work (or with more ranks than cores) spinning ranks steal the time of the rank that
# has work, which doubles the wall time of a 2-rank day on a loaded 2-core machine.
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
mkdir -p "$WORK"

# The driver, linked exactly like the lifecircle binary (CMake's link line for it).
[ -f "$BUILD/liblifecircle_core.a" ] || { echo "build $BUILD first" >&2; exit 1; }
mpicc -O2 -fopenmp -I "$ROOT/include" $(for d in "$ROOT"/src/*/; do printf -- "-I %s " "$d"; done) -I /usr/include/hdf5/openmpi \
  -c "$ROOT/tests/bench/bench_agents_driver.c" -o "$WORK/driver.o"
(cd "$BUILD" && $(sed -e "s|CMakeFiles/lifecircle.dir/src/cli/main.c.o|$WORK/driver.o|" \
                      -e "s|-o lifecircle|-o $WORK/driver|" CMakeFiles/lifecircle.dir/link.txt))

# city NAME NODES RESIDENTS_PER_NODE FACILITIES_PER_CATEGORY K BIN_S
city() {
  local d="$WORK/$1"
  mkdir -p "$d"
  if [ ! -f "$d/g.h5" ]; then
    "$BUILD/lifecircle" synth --nodes "$2" --seed 7 -o "$d/g.h5" --facilities "$d/f.csv" \
      --per-category "$4" --population-dir "$d/pop" --residents-per-node "$3" \
      --categories "$ROOT/inputs/categories.yml" > "$d/synth.log" 2>&1
  fi
  cat > "$d/run.yml" <<EOF
Run:
  name: bench-$1
  seed: 20250701
  output: $d/unused.h5
  strict: true
$(bench_city_params "$d" "$ROOT/inputs/categories.yml" "$5")
Partition:
  seed: 1
  weights: true
EOF
  cat > "$d/agents.yml" <<EOF
Agents:
  activities: $ROOT/inputs/activities.yml
  bin_s: $6
EOF
}

# day NAME RANKS
day() {
  local d="$WORK/$1" line
  line=$(cd "$d" && OMP_NUM_THREADS=1 "$MPIEXEC" -n "$2" "$WORK/driver" run.yml agents.yml 2> "$d/run_$2.log" | grep '^ranks=') || {
    echo "$1 at $2 ranks failed, see $d/run_$2.log" >&2; tail -5 "$d/run_$2.log" >&2; return 1; }
  echo "$1 $line (load average: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$WORK/figures.txt"
}

if [ "$WHAT" = smoke ]; then
  city smoke 2000 20 2 8 900
  day smoke 1
  day smoke 2
fi
if [ "$WHAT" = changning ] || [ "$WHAT" = all ]; then
  city changning 5000 140.9 40 8 900
  day changning 1
  day changning 2
fi
if [ "$WHAT" = shanghai ] || [ "$WHAT" = all ]; then
  city shanghai 5000000 5 10000 4 3600
  day shanghai 1
fi
echo
echo "# bench_agents ($WHAT): $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -n), $(nproc) cores," \
  "$("$BUILD/lifecircle" --version | head -1)"
echo "# city ranks threads nodes agents ... sim_s (the simulated day, wall) ... (load average)"
cat "$WORK/figures.txt"
echo "figures in $WORK/figures.txt" >&2
