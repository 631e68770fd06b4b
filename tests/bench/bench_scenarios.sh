#!/usr/bin/env bash
# Scenario benchmark (issue 5; not a timed test, ctest does not run it).
#
# On a synthetic city of N nodes (default 1,000,000; `lifecircle synth --seed 1`, 12
# categories, facilities and population), it writes 100 scenario files of 1 to 5 random
# facility edits each (add at a random node, remove, relocate or change capacity/hours of
# a random facility of the layer, by its source id; Python's random with seed 1), then
# measures with `lifecircle run` at RANKS ranks (default 2) x 1 thread:
#   T0    the baseline alone (no scenario),
#   T100  the baseline and the 100 scenarios in one run (TS for --scenarios S),
#   T1(s) a fresh run of the baseline and one scenario s, for the first FRESH (default 5)
#         scenarios,
# and reports the cost of one scenario inside the batch, (T100 - T0) / 100, against the cost
# of evaluating it by a fresh run, mean T1(s). Target: the batch is at least 5 x cheaper
# per scenario. Each run's phase times (setup, partition, accessibility, coverage, writing)
# come from its last log line.
#
# Usage: bash tests/bench/bench_scenarios.sh [--nodes N] [--ranks P] [--fresh M]
#        [--scenarios S] (S scenarios instead of 100, for a quick look) [--smoke]
# --smoke: 2,000 nodes, 3 scenarios, 1 fresh run, the table to stdout only and the target
# shown but not judged (exit 0 when every run worked; ctest runs it:
# bench_smoke_bench_scenarios).
# Environment: LC_BIN (default build/lifecircle), MPIEXEC (default mpiexec), BENCH_DIR (work
# folder; default a fresh /tmp/lc-bench-scen.XXXXXX removed at the end). The table goes to
# stdout and to results/bench_scenarios.txt. Exit status 0 when the target is met, 1 when
# missed, 2 when the benchmark cannot run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${LC_BIN:-$ROOT/build/lifecircle}
MPIEXEC=${MPIEXEC:-mpiexec}
PY=/usr/bin/python3
N=1000000
RANKS=2
FRESH=5
NSCEN=100
RESULTS=$ROOT/results/bench_scenarios.txt
SMOKE=0
while [[ $# -gt 0 ]]; do
  case $1 in
  --nodes) N=$2; shift 2 ;;
  --ranks) RANKS=$2; shift 2 ;;
  --fresh) FRESH=$2; shift 2 ;;
  --scenarios) NSCEN=$2; shift 2 ;;
  --smoke) SMOKE=1 N=2000 NSCEN=3 FRESH=1 RESULTS=; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench_scenarios: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [[ ! -x $BIN ]]; then
  echo "bench_scenarios: $BIN not found; build first (cmake --build build) or set LC_BIN" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
$PY -c 'import h5py, numpy' 2>/dev/null ||
  { echo "bench_scenarios: needs python3-h5py and python3-numpy (Debian)" >&2; exit 2; }
source "$ROOT/tests/bench/lib.sh"
KEEP=0
if [[ -n ${BENCH_DIR:-} ]]; then
  WORK=$BENCH_DIR
  KEEP=1
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/lc-bench-scen.XXXXXX)
fi
WORK=$(cd "$WORK" && pwd)
cleanup() {
  local rc=$?
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The 12 categories: the first 12 of inputs/categories.yml, same format.
CATS=$WORK/categories.yml
bench_categories "$CATS"

if [[ ! -f $WORK/g.h5 ]]; then
  echo "bench_scenarios: synth $N nodes" >&2
  "$BIN" synth --nodes "$N" --seed 1 -o "$WORK/g.h5" --facilities "$WORK/f.csv" \
    --categories "$CATS" --population-dir "$WORK/pop" >"$WORK/synth.log" 2>&1 ||
    { echo "bench_scenarios: synth failed:" >&2; tail -5 "$WORK/synth.log" >&2; exit 2; }
fi

# 100 scenarios of 1 to 5 facility edits.
mkdir -p "$WORK/scen"
$PY - "$WORK" "$NSCEN" <<'EOF'
import csv, random, sys
import h5py
work, nscen = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
with h5py.File(work + "/g.h5", "r") as f:
    lon, lat = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
rows = list(csv.DictReader(open(work + "/f.csv", encoding="utf-8")))
cats = sorted({r["category"] for r in rows})
for s in range(nscen):
    edits = {"add": [], "remove": [], "relocate": [], "change": []}
    used = set()
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["add", "remove", "relocate", "change"])
        if kind == "add":
            i = rng.randrange(len(lon))
            edits["add"].append("    - {category: %s, lon: %.7f, lat: %.7f}"
                                % (rng.choice(cats), lon[i], lat[i]))
            continue
        r = rng.randrange(len(rows))
        while r in used:
            r = rng.randrange(len(rows))
        used.add(r)
        sid = rows[r]["id"]
        if kind == "remove":
            edits["remove"].append("    - {source_id: \"%s\"}" % sid)
        elif kind == "relocate":
            i = rng.randrange(len(lon))
            edits["relocate"].append("    - {source_id: \"%s\", lon: %.7f, lat: %.7f}"
                                     % (sid, lon[i], lat[i]))
        else:
            edits["change"].append("    - {source_id: \"%s\", capacity: %d}"
                                   % (sid, rng.randint(1, 50)))
    text = "name: s%03d\nfacilities:\n" % s
    for k, v in edits.items():
        if v:
            text += "  %s:\n%s\n" % (k, "\n".join(v))
    open("%s/scen/s%03d.yml" % (work, s), "w").write(text)
EOF

# Writes a parameter file naming the scenario files given.
params() {
  local out=$1
  shift
  cat >"$out" <<EOF
Run:
  name: bench_scenarios
  strict: true
$(bench_city_params "$WORK" "$CATS" 1)
Agents:
  enabled: false
EOF
  if [[ $# -gt 0 ]]; then
    echo "Scenarios:" >>"$out"
    echo "  files:" >>"$out"
    for f in "$@"; do echo "    - $f" >>"$out"; done
  fi
}

# Runs lifecircle on a parameter file; prints the wall time; keeps the log.
lc_run() {
  local p=$1 tag=$2 t0 t1
  t0=$(now)
  if ! OMP_NUM_THREADS=1 "$MPIEXEC" -n "$RANKS" --bind-to none -x OMP_NUM_THREADS \
    "$BIN" run "$p" -o "$WORK/out_$tag.h5" >"$WORK/run_$tag.log" 2>&1; then
    echo "bench_scenarios: run $tag failed:" >&2
    tail -5 "$WORK/run_$tag.log" >&2
    exit 2
  fi
  t1=$(now)
  rm -f "$WORK/out_$tag.h5"
  echo "$t1 - $t0" | bc -l
}
phases() { grep -o 'setup .*' "$WORK/run_$1.log" | tail -1; }

params "$WORK/p0.yml"
echo "bench_scenarios: baseline alone" >&2
T0=$(lc_run "$WORK/p0.yml" base)
mapfile -t ALL < <(ls "$WORK"/scen/s*.yml)
params "$WORK/p100.yml" "${ALL[@]}"
echo "bench_scenarios: baseline + ${#ALL[@]} scenarios in one run" >&2
T100=$(lc_run "$WORK/p100.yml" all)
FRESH_T=()
for ((i = 0; i < FRESH; i++)); do
  params "$WORK/p1_$i.yml" "${ALL[$i]}"
  echo "bench_scenarios: fresh run of $(basename "${ALL[$i]}")" >&2
  FRESH_T+=("$(lc_run "$WORK/p1_$i.yml" "one$i")")
done

{
  echo "# bench_scenarios: N = $N nodes, $RANKS ranks x 1 thread, ${#ALL[@]} scenarios of 1-5 facility edits"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -n), $(nproc) cores; $("$BIN" --version | head -1)"
  printf "%-44s %10s   %s\n" "run" "wall (s)" "phases (from the run's log)"
  printf "%-44s %10.2f   %s\n" "baseline alone (T0)" "$T0" "$(phases base)"
  printf "%-44s %10.2f   %s\n" "baseline + ${#ALL[@]} scenarios (T${#ALL[@]})" "$T100" "$(phases all)"
  sum=0
  for ((i = 0; i < FRESH; i++)); do
    printf "%-44s %10.2f   %s\n" "fresh: baseline + $(basename "${ALL[$i]}" .yml)" \
      "${FRESH_T[$i]}" "$(phases "one$i")"
    sum=$(echo "$sum + ${FRESH_T[$i]}" | bc -l)
  done
  per=$(echo "($T100 - $T0) / ${#ALL[@]}" | bc -l)
  # A tiny smoke city can make the batch as fast as the baseline alone.
  [[ $(echo "$per < 0.001" | bc -l) -eq 1 ]] && per=0.001
  fresh=$(echo "$sum / $FRESH" | bc -l)
  ratio=$(echo "$fresh / $per" | bc -l)
  printf "per scenario in the batch (T%d - T0)/%d: %.3f s; fresh run (mean of %d): %.2f s; " \
    "${#ALL[@]}" "${#ALL[@]}" "$per" "$FRESH" "$fresh"
  printf "batch is %.1f x cheaper (target >= 5)\n" "$ratio"
  # The accessibility kernel alone (the phase "accessibility X s" of the logs).
  acc() { phases "$1" | sed -n 's/.*accessibility \([0-9.]*\) s.*/\1/p'; }
  kper=$(echo "($(acc all) - $(acc base)) / ${#ALL[@]}" | bc -l)
  [[ $(echo "$kper < 0.001" | bc -l) -eq 1 ]] && kper=0.001
  kfresh=$(acc one0)
  printf "accessibility kernel alone: %.3f s per scenario in the batch (only the categories a " "$kper"
  printf "scenario changes) vs %.2f s in a fresh run: %.1f x\n" "$kfresh" "$(echo "$kfresh / $kper" | bc -l)"
  echo "$ratio" >"$WORK/ratio"
} | tee "$WORK/table.txt"
if [[ $SMOKE == 1 ]]; then
  echo "smoke run: the target is not judged (a city this small is all start-up)"
  exit 0
fi
mkdir -p "$ROOT/results"
cp "$WORK/table.txt" "$RESULTS"
if [[ $(echo "$(cat "$WORK/ratio") >= 5" | bc -l) -eq 1 ]]; then exit 0; else exit 1; fi
