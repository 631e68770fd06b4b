#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c, clang with AddressSanitizer and
# UndefinedBehaviorSanitizer) in build-fuzz/ and runs each for SECONDS (default 20), seeded
# with its bad-input corpus (tests/bad_inputs/<loader>/) and the project's good inputs.
# Fails when any target finds a crash, a leak, a sanitizer report or a timeout; the input
# is kept as build-fuzz/crashes/<target>/crash-* (add it to tests/bad_inputs/ once fixed).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
# Environment: LC_FUZZ_BUILD (default build-fuzz), LC_FUZZ_JOBS (targets run at once,
# default: number of cores, at most 4), LC_FUZZ_MAX_LEN (default 65536),
# LC_FUZZ_RSS_LIMIT_MB (default 2048; the loaders are told half of it through
# LIFECIRCLE_MEM_AVAILABLE).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_EACH=${1:-20}
shift || true
BUILD=${LC_FUZZ_BUILD:-build-fuzz}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BUILD_LOG=$(mktemp)
SHARED=${LIFECIRCLE_SHARED:-$ROOT/../shared}
JOBS=${LC_FUZZ_JOBS:-$(nproc)}
[ "$JOBS" -gt 4 ] && JOBS=4
MAX_LEN=${LC_FUZZ_MAX_LEN:-65536}
RSS_LIMIT_MB=${LC_FUZZ_RSS_LIMIT_MB:-2048}

if ! command -v clang >/dev/null; then
  echo "fuzz: clang is missing: apt-get install -y --no-install-recommends clang libclang-rt-14-dev" >&2
  exit 2
fi
cmake -S tests/fuzz -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >"$BUILD_LOG" 2>&1 || { cat "$BUILD_LOG" >&2; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" >>"$BUILD_LOG" 2>&1 || { tail -50 "$BUILD_LOG" >&2; exit 1; }
rm -f "$BUILD_LOG"

# Seeds of each target: its corpus folder and good inputs (copied: libFuzzer adds to the
# first corpus directory, which must not be the repository).
declare -A CORPUS=(
  [fuzz_ytree]=params [fuzz_params]=params [fuzz_categories]=categories [fuzz_groups]=groups
  [fuzz_profile]=profile [fuzz_dimacs]=dimacs [fuzz_layer_csv]=layer_csv
  [fuzz_layer_geojson]=layer_geojson [fuzz_polygons]=polygons [fuzz_residents]=residents
  [fuzz_density]=density [fuzz_osm_xml]=osm_xml [fuzz_osm_pbf]=osm_pbf [fuzz_scenario]=scenario
  [fuzz_activities]=activities)
declare -A GOOD=(
  [fuzz_ytree]="inputs/changning/xinhua.yml inputs/groups.yml tests/fixtures/params/*.yml"
  [fuzz_params]="inputs/changning/xinhua.yml tests/fixtures/params/*.yml"
  [fuzz_categories]="inputs/categories.yml tests/fixtures/categories/*.yml tests/fixtures/osm/categories-test.yml"
  [fuzz_groups]="inputs/groups.yml tests/fixtures/agents/groups.yml"
  [fuzz_profile]="inputs/profiles/*.yml"
  [fuzz_dimacs]="tests/fixtures/dimacs/tiny.gr"
  [fuzz_layer_csv]="tests/fixtures/facility/layer_*.csv $SHARED/data/changning/elderly-canteens-gcj02.csv"
  [fuzz_layer_geojson]="tests/fixtures/facility/*.geojson"
  [fuzz_polygons]="tests/fixtures/population/polygons.geojson $SHARED/data/changning/xinhua-boundary.geojson"
  [fuzz_residents]="tests/fixtures/population/residents.csv"
  [fuzz_density]="tests/fixtures/population/density.csv"
  [fuzz_osm_xml]="tests/fixtures/osm/*.osm"
  [fuzz_osm_pbf]=""
  [fuzz_scenario]="inputs/changning/scenarios/*.yml tests/fixtures/scenario/*.yml"
  [fuzz_activities]="inputs/activities.yml tests/fixtures/agents/*.yml")

TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  for f in "$BUILD"/fuzz_*; do
    [ -x "$f" ] && TARGETS+=("$(basename "$f")")
  done
fi

rm -rf "$BUILD/seeds" "$BUILD/work" "$BUILD/crashes" "$BUILD/logs"
mkdir -p "$BUILD/logs"
for t in "${TARGETS[@]}"; do
  seeds="$BUILD/seeds/$t"
  mkdir -p "$seeds" "$BUILD/work/$t" "$BUILD/crashes/$t"
  dir="tests/bad_inputs/${CORPUS[$t]:-none}"
  if [ -d "$dir" ]; then
    find "$dir" -maxdepth 1 -type f ! -name expect.yml -exec cp {} "$seeds/" \;
  fi
  # shellcheck disable=SC2086
  for g in ${GOOD[$t]:-}; do
    [ -f "$g" ] && cp "$g" "$seeds/good-$(basename "$g")"
  done
  if [ "$t" = fuzz_dimacs ]; then
    cat tests/fixtures/dimacs/tiny.gr <(echo "==") tests/fixtures/dimacs/tiny.co \
      >"$seeds/good-tiny-gr-co"
  fi
  if [ "$t" = fuzz_osm_pbf ] && command -v osmium >/dev/null; then
    osmium cat -o "$seeds/good-network.pbf" -f pbf tests/fixtures/osm/network.osm \
      --overwrite >/dev/null 2>&1 || true
    osmium cat -o "$seeds/good-pois.pbf" -f pbf tests/fixtures/osm/pois.osm \
      --overwrite >/dev/null 2>&1 || true
  fi
done

# One target: returns 0 when it ran its time without a finding. libFuzzer's own statistics
# line ("Done N runs") is kept for the README table.
fuzz_one() {
  local t=$1 log="$BUILD/logs/$1.log"
  # The memory estimates of the loaders (memcheck) are checked against half the fuzzer's
  # RSS limit: a request beyond it must be refused up front, not make the fuzzer run out.
  (cd "$BUILD/crashes/$t" &&
    LIFECIRCLE_MEM_AVAILABLE=$((RSS_LIMIT_MB / 2 * 1048576)) \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
    LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/$t" -max_total_time="$SECONDS_EACH" -max_len="$MAX_LEN" -timeout=10 \
      -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
      "$BUILD/work/$t" "$BUILD/seeds/$t") >"$log" 2>&1
  local rc=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | head -1 | grep -o '[0-9]*$' || true)
  runs=${runs:-0}
  if [ "$rc" = 0 ]; then
    printf 'fuzz: %-20s ok      %10s executions in %s s\n' "$t" "$runs" "$SECONDS_EACH"
  else
    printf 'fuzz: %-20s FAILED  (exit %s) after %s executions; input and log:\n' "$t" "$rc" "$runs"
    ls "$BUILD/crashes/$t"/* 2>/dev/null | sed 's/^/      /'
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" \
      | sed 's/^/      /'
    echo "      $log"
  fi
  return $rc
}
export -f fuzz_one
export BUILD ROOT SECONDS_EACH MAX_LEN RSS_LIMIT_MB

status=0
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'fuzz_one {}' || status=1
if [ $status -ne 0 ]; then
  echo "fuzz: at least one target failed (see above)" >&2
fi
exit $status
