#!/usr/bin/env bash
# Sensitivity-design benchmark (run by hand; ctest runs only its smoke mode).
#
# Runs the main job (inputs/changning/xinhua.yml, Xinhua Road, 4 scenarios) at RANKS ranks
# (default 2) with its Agents:sensitivity design and, alternately, the same job with the
# design off, REPEAT times (default 2), each into a fresh results file, and reports every
# pair's wall times and the ratio of the medians. Target: at most 3x.
#
# Usage: bash tests/bench/bench_sensitivity.sh [--ranks P] [--repeat N] [--corners C] [--smoke]
#        (C: none, extreme or all, overriding the parameter file's design; --smoke: one
#        pair, the table printed and the target not judged)
# Environment: LC_BIN (default build/lifecircle), MPIEXEC (default mpiexec), BENCH_DIR (work
# folder; default a fresh /tmp/lc-bench-sens.XXXXXX removed at the end). Exit status 0 when
# the target is met, 1 when missed, 2 when the benchmark cannot run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${LC_BIN:-$ROOT/build/lifecircle}
MPIEXEC=${MPIEXEC:-mpiexec}
RANKS=2
REPEAT=2
CORNERS=""
JUDGE=1
while [[ $# -gt 0 ]]; do
  case $1 in
  --ranks) RANKS=$2; shift 2 ;;
  --repeat) REPEAT=$2; shift 2 ;;
  --corners) CORNERS=$2; shift 2 ;;
  --smoke) REPEAT=1; JUDGE=0; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$ROOT/tests/bench/lib.sh"
[[ -x $BIN ]] || { echo "no $BIN: build first" >&2; exit 2; }
DIR=${BENCH_DIR:-$(mktemp -d /tmp/lc-bench-sens.XXXXXX)}
[[ -n ${BENCH_DIR:-} ]] || trap 'rm -rf "$DIR"' EXIT
PARAMS=$ROOT/inputs/changning/xinhua.yml
sed 's/^\(    enabled:\) true\( *# assumed\)/\1 false\2/' "$PARAMS" > "$DIR/off.yml"
if [[ -n $CORNERS ]]; then
  sed "s/^\(    corners:\) [a-z]*/\1 $CORNERS/" "$PARAMS" > "$DIR/on.yml"
else
  cp "$PARAMS" "$DIR/on.yml"
fi
grep -q "enabled: false" "$DIR/off.yml" || { echo "cannot switch the design off" >&2; exit 2; }
cd "$ROOT"
declare -a OFF ON
for ((i = 0; i < REPEAT; i++)); do
  for v in off on; do
    rm -f "$DIR/$v.h5"
    t0=$(now)
    "$MPIEXEC" -n "$RANKS" "$BIN" run "$DIR/$v.yml" -o "$DIR/$v.h5" > "$DIR/$v.log" 2>&1 ||
      { echo "run failed, see $DIR/$v.log" >&2; exit 2; }
    t=$(echo "$(now) - $t0" | bc)
    if [[ $v == off ]]; then OFF+=("$t"); else ON+=("$t"); fi
    printf "pair %d: design %-3s %8.1f s\n" "$((i + 1))" "$v" "$t"
  done
done
/usr/bin/python3 - "${OFF[*]}" "${ON[*]}" "$JUDGE" <<'PY'
import statistics, sys
off = [float(x) for x in sys.argv[1].split()]
on = [float(x) for x in sys.argv[2].split()]
r = statistics.median(on) / statistics.median(off)
print("median without %.1f s, with %.1f s: ratio %.2f (target <= 3)" % (statistics.median(off), statistics.median(on), r))
sys.exit(0 if r <= 3 or sys.argv[3] == "0" else 1)
PY
