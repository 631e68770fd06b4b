#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) over the project:
#   1. builds build-asan/ (cmake -DLC_SANITIZE=ON),
#   2. runs every CUnit and MPI test under it (ctest -E py_), leaks checked at exit,
#   3. runs the main job on the Xinhua default at 2 ranks under the sanitized binary and
#      fails on any sanitizer report (leaks included),
#   4. with LC_SANITIZE_BAD_INPUTS=1, also drives the bad-input corpus
#      (tests/python/test_bad_inputs.py) through the sanitized binary (slow: about half a
#      minute per case; LC_SANITIZE_BAD_INPUTS_K=EXPR selects cases as pytest -k does).
# Leaks inside Open MPI, PMIx, hwloc, HDF5 and readosm/expat are suppressed
# (tests/lsan.supp); every other leak, overflow, use-after-free or undefined behaviour fails.
#
#   tests/sanitize.sh [CTEST ARGS...]
# Run from anywhere; needs the packages of jobs/setup.sh. Exit status non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${LC_ASAN_BUILD:-build-asan}
BUILD_LOG=$(mktemp)
export LIFECIRCLE_SHARED="${LIFECIRCLE_SHARED:-$(cd .. && pwd)/shared}"

if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
# Open MPI and PMIx keep their plugins loaded so that leak reports inside them are
# attributed to them (and suppressed) instead of to an unknown module.
export OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1
# Slow unwinding gives every allocation its whole stack, which the suppressions need.
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"

echo "sanitize: building $BUILD (ASan + UBSan)" >&2
# Warnings are not errors here: gcc warns differently with the sanitizers on.
cmake -S . -B "$BUILD" -DLC_SANITIZE=ON -DLC_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD_LOG" 2>&1 \
  || { cat "$BUILD_LOG" >&2; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" >>"$BUILD_LOG" 2>&1 || { tail -60 "$BUILD_LOG" >&2; exit 1; }
rm -f "$BUILD_LOG"

status=0
echo "sanitize: CUnit and MPI suites" >&2
# MPI suites run at 2 and 3 ranks here (1 and 4 add little under the sanitizers and double
# the time); LC_SANITIZE_ALL=1 runs every rank count.
# The benchmark smoke runs and the chaos test are scripts around whole runs, covered by the
# plain ctest run; under ASan the benchmarks' address-space limit (ulimit -v) aborts ASan's
# shadow-memory reservation, so they are not repeated here.
exclude='^py_|^bench_smoke_|^chaos_'
[ "${LC_SANITIZE_ALL:-0}" = 1 ] || exclude='^py_|^bench_smoke_|^chaos_|_np1$|_np4$'
ctest --test-dir "$BUILD" -E "$exclude" --output-on-failure --timeout 900 "$@" || status=1

echo "sanitize: the main job (Xinhua default) at 2 ranks" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/run.log"
if ! mpiexec -n 2 --bind-to none "$BUILD/lifecircle" run inputs/changning/xinhua.yml \
     -o "$tmp/xinhua.h5" >"$log" 2>&1; then
  echo "sanitize: the main job failed under the sanitizers:" >&2
  tail -80 "$log" >&2
  status=1
elif grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
  echo "sanitize: sanitizer report in the main job:" >&2
  grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" | head -120 >&2
  status=1
else
  echo "sanitize: main job clean (no leak, no error)" >&2
fi

if [ "${LC_SANITIZE_BAD_INPUTS:-0}" = 1 ]; then
  echo "sanitize: bad-input corpus through the sanitized binary" >&2
  # Each case's exit leak check under slow unwinding takes up to half a minute.
  LC_BIN="$ROOT/$BUILD/lifecircle" LC_ROOT="$ROOT" MPIEXEC=mpiexec LC_BAD_INPUT_TIME_BOUND=120 \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python/test_bad_inputs.py \
    ${LC_SANITIZE_BAD_INPUTS_K:+-k "$LC_SANITIZE_BAD_INPUTS_K"} || status=1
fi
[ $status = 0 ] && echo "sanitize: all clean" >&2
exit $status
