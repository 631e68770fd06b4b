#!/usr/bin/env bash
# Import benchmark (not a timed test; ctest does not run it).
#
# Generates a synthetic OSM city of at least BENCH_NODES nodes (default 1,000,000) as OSM XML
# with tests/bench/gen_osm.py and as PBF with `osmium cat`, then imports each with
# `lifecircle import`, measuring wall time and peak resident memory with /usr/bin/time, and
# compares with a named peer reading the same file: `osmium fileinfo -e` (libosmium reads and
# decodes every object to count it; it builds no graph, so it is a lower bound on reading),
# and with the floor of the parsing library lifecircle uses: libreadosm alone counting the
# elements (tests/bench/readosm_count.c, compiled here).
#
# Targets: PBF >= 2 M OSM nodes/s, XML >= 0.5 M OSM nodes/s, peak memory <= 200 bytes per
# OSM node. The table goes to stdout and to results/bench_import.txt. Exit status 0 when
# every target is met, 1 when one is missed, 2 when the benchmark cannot run.
#
# --smoke (the only argument): a city of about 2,000 nodes, the table to stdout only, the
# targets shown but not judged (exit 0 when every piece ran; ctest runs it:
# bench_smoke_bench_import).
#
# Environment: LC_BIN (default build/lifecircle), BENCH_NODES, BENCH_DIR (work folder,
# default a fresh temporary folder, removed at the end), BENCH_IMPORT_ARGS (extra import
# options; default: --categories inputs/categories.yml).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${LC_BIN:-$ROOT/build/lifecircle}
NODES=${BENCH_NODES:-1000000}
IMPORT_ARGS=${BENCH_IMPORT_ARGS:---categories $ROOT/inputs/categories.yml}
RESULTS=$ROOT/results/bench_import.txt
SMOKE=0
case ${1:-} in
'') ;;
--smoke) SMOKE=1 NODES=2000 RESULTS= ;;
*) echo "bench_import: unknown argument '$1' (the only one is --smoke)" >&2; exit 2 ;;
esac

if [[ ! -x $BIN ]]; then
  echo "bench_import: $BIN not found; build first (cmake --build build) or set LC_BIN" >&2
  exit 2
fi
if ! command -v osmium >/dev/null; then
  echo "bench_import: osmium not found: apt-get install -y osmium-tool" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench_import: installing the Debian package 'time' for /usr/bin/time" >&2
  apt-get install -y --no-install-recommends time >/dev/null || {
    echo "bench_import: cannot install 'time' (run apt-get update as root?)" >&2
    exit 2
  }
fi

if [[ -n ${BENCH_DIR:-} ]]; then
  WORK=$BENCH_DIR
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/lc-bench-import.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi

echo "bench_import: generating a synthetic city of >= $NODES nodes in $WORK" >&2
/usr/bin/python3 "$ROOT/tests/bench/gen_osm.py" --nodes "$NODES" -o "$WORK/city.osm"
osmium cat "$WORK/city.osm" -o "$WORK/city.osm.pbf" --overwrite
N_OSM=$(osmium fileinfo -e -g data.count.nodes "$WORK/city.osm.pbf")
# The floor: libreadosm alone, counting elements (tests/bench/readosm_count.c).
gcc -O2 -Wall -o "$WORK/readosm_count" "$ROOT/tests/bench/readosm_count.c" \
  $(pkg-config --cflags --libs readosm)
N_WAYS=$(osmium fileinfo -e -g data.count.ways "$WORK/city.osm.pbf")

# Runs a command under /usr/bin/time and prints "seconds peak_KiB". The command's output goes
# to $WORK/log.TAG; a failure stops the benchmark and shows the end of that log.
measure() {
  local tag=$1
  shift
  if ! /usr/bin/time -f "%e %M" -o "$WORK/time.$tag" "$@" >"$WORK/log.$tag" 2>&1; then
    echo "bench_import: '$*' failed; its output:" >&2
    tail -20 "$WORK/log.$tag" >&2
    return 1
  fi
  tail -1 "$WORK/time.$tag"
}

{
  echo "lifecircle import benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -n), $(nproc) CPUs"
  echo "input: synthetic grid city (tests/bench/gen_osm.py), $N_OSM OSM nodes, $N_WAYS ways;"
  echo "       XML $(stat -c %s "$WORK/city.osm") bytes, PBF $(stat -c %s "$WORK/city.osm.pbf") bytes"
  echo "lifecircle: $BIN import FILE -o OUT.h5 $IMPORT_ARGS"
  echo "peer: osmium fileinfo -e FILE ($(osmium --version | head -1))"
  echo
  printf "%-6s %10s %8s %10s %9s %10s %13s  %-7s %8s %10s %7s\n" format "OSM nodes" seconds \
    "M nodes/s" "peak MiB" "bytes/node" target verdict "peer s" "peer Mn/s" ratio
} >"$WORK/table"
cat "$WORK/table"

status=0
floors=()
for fmt in xml pbf; do
  if [[ $fmt == xml ]]; then
    file=$WORK/city.osm target=0.5
  else
    file=$WORK/city.osm.pbf target=2.0
  fi
  # shellcheck disable=SC2086
  lc=$(measure "lc.$fmt" "$BIN" import "$file" -o "$WORK/out.$fmt.h5" $IMPORT_ARGS) || exit 1
  peer=$(measure "peer.$fmt" osmium fileinfo -e "$file") || exit 1
  floor=$(measure "floor.$fmt" "$WORK/readosm_count" "$file") || exit 1
  floors+=("$fmt $floor")
  line=$(awk -v f="$fmt" -v n="$N_OSM" -v lc="$lc" -v peer="$peer" -v t="$target" '
    BEGIN {
      split(lc, a, " "); split(peer, b, " ");
      s = a[1]; k = a[2]; ps = b[1];
      if (s < 0.01) s = 0.01;
      if (ps < 0.01) ps = 0.01;
      rate = n / s / 1e6; bpn = k * 1024 / n; prate = n / ps / 1e6;
      ok = (rate >= t && bpn <= 200) ? "PASS" : "FAIL";
      printf "%-6s %10d %8.2f %10.2f %9.1f %10.1f %4.1f/<=200B  %-7s %8.2f %10.2f %6.1fx\n",
             f, n, s, rate, k / 1024, bpn, t, ok, ps, prate, s / ps
    }')
  echo "$line" | tee -a "$WORK/table"
  [[ $line == *FAIL* && $SMOKE == 0 ]] && status=1
done
{
  echo
  for f in "${floors[@]}"; do
    awk -v n="$N_OSM" -v f="$f" 'BEGIN {
      split(f, a, " "); s = a[2] < 0.01 ? 0.01 : a[2];
      printf "floor, libreadosm alone counting elements (%s): %.2f s, %.2f M nodes/s, %.1f MiB\n",
             a[1], s, n / s / 1e6, a[3] / 1024 }'
  done
  echo
  echo "target: M OSM nodes/s >= first number, peak memory per OSM node <= 200 bytes."
  [[ $SMOKE == 1 ]] && echo "smoke run: the verdicts are not judged (a city this small is all start-up)"
  echo "ratio: lifecircle seconds / osmium seconds on the same file (osmium only decodes the"
  echo "file; lifecircle also filters walkable ways, builds, contracts and checks the graph,"
  echo "matches POIs to categories and writes HDF5)."
} | tee -a "$WORK/table"

if [[ -n $RESULTS ]]; then
  mkdir -p "$(dirname "$RESULTS")"
  cp "$WORK/table" "$RESULTS"
  echo "bench_import: table written to $RESULTS" >&2
fi
exit $status
