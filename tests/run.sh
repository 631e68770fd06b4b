#!/usr/bin/env bash
# Every test: the same set-up as jobs/local.sh, then ctest (CUnit suites, MPI tests at
# several rank counts, Python oracle tests). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jobs/setup.sh
source jobs/setup.sh
rc=0
lc_setup || rc=$?
[ "$rc" = 0 ] || exit "$rc"
ctest --test-dir build --output-on-failure --timeout 900 "$@"
