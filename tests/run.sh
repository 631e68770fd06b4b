#!/usr/bin/env bash
# Every test: the same set-up as jobs/local.sh, then ctest (CUnit suites, MPI tests at
# several rank counts, Python oracle tests), then every fuzz target for 20 s seeded with the
# bad-input corpus (tests/fuzz/run.sh) and the ASan + UBSan build running the CUnit and MPI
# suites and the main job (tests/sanitize.sh). Exits non-zero on any failure of any of them.
#
#   tests/run.sh [CTEST ARGS...]
# Environment: LC_SKIP_FUZZ=1 and LC_SKIP_SANITIZE=1 skip those two steps (for quick local
# runs; CI runs everything); LC_FUZZ_SECONDS (default 20) is each fuzz target's time.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jobs/setup.sh
source jobs/setup.sh
rc=0
lc_setup || rc=$?
[ "$rc" = 0 ] || exit "$rc"

status=0
ctest --test-dir build --output-on-failure --timeout 900 "$@" || status=1

if [ "${LC_SKIP_FUZZ:-0}" = 1 ]; then
  echo "tests: fuzzing skipped (LC_SKIP_FUZZ=1)" >&2
else
  echo "tests: fuzzing every parser for ${LC_FUZZ_SECONDS:-20} s (tests/fuzz/run.sh)" >&2
  t0=$SECONDS
  tests/fuzz/run.sh "${LC_FUZZ_SECONDS:-20}" || status=1
  echo "tests: fuzzing took $((SECONDS - t0)) s" >&2
fi

if [ "${LC_SKIP_SANITIZE:-0}" = 1 ]; then
  echo "tests: sanitizer run skipped (LC_SKIP_SANITIZE=1)" >&2
else
  echo "tests: ASan + UBSan build and suites (tests/sanitize.sh)" >&2
  t0=$SECONDS
  tests/sanitize.sh || status=1
  echo "tests: sanitizer run took $((SECONDS - t0)) s" >&2
fi
[ $status = 0 ] || echo "tests: FAILED (see above)" >&2
exit $status
