#!/usr/bin/env bash
# Smoke run of one benchmark script (ctest: bench_smoke_<script>): the script in its smoke
# mode (a tiny city, one repetition, only installed peers, seconds in all) must exit 0 and
# print its table; the full runs stay manual. Timings of a smoke run mean nothing.
#
#   tests/bench/smoke.sh bench_access.sh|bench_agents.sh|bench_import.sh|bench_scenarios.sh|
#                        bench_sensitivity.sh
# Environment (set by ctest): LC_BIN (the lifecircle binary), LC_BUILD (the build folder).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${LC_BUILD:-$ROOT/build}
export LC_BIN=${LC_BIN:-$BUILD/lifecircle}
name=$1
# The arguments of each script's smoke mode, and a line of the table it must print.
case $name in
bench_access.sh) args=(--smoke) table='^ +10000 +[0-9]+ +12 ' ;;
bench_agents.sh) args=("$BUILD" smoke) table='^smoke ranks=2 threads=1 nodes=2000 ' ;;
bench_import.sh) args=(--smoke) table='^pbf +[0-9]+ +[0-9.]+ ' ;;
bench_scenarios.sh) args=(--smoke) table='^per scenario in the batch ' ;;
bench_sensitivity.sh) args=(--smoke) table='^median without ' ;;
*) echo "smoke: no smoke mode known for '$name'" >&2; exit 2 ;;
esac
out=$(mktemp /tmp/lc-bench-smoke.XXXXXX)
trap 'rm -f "$out"' EXIT
t0=$SECONDS
bash "$HERE/$name" "${args[@]}" >"$out"
rc=$?
cat "$out"
if [[ $rc -ne 0 ]]; then
  echo "smoke: $name ${args[*]} exited $rc" >&2
  exit 1
fi
if ! grep -Eq "$table" "$out"; then
  echo "smoke: $name ${args[*]} exited 0 but printed no table line matching /$table/" >&2
  exit 1
fi
echo "smoke: $name ran in $((SECONDS - t0)) s and printed its table" >&2
