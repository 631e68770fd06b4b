#!/bin/sh
# Chaos test of the resumable run (see tests/chaos.py): tests/chaos.sh COUNT [--seed S].
# CI runs it with COUNT 3 (ctest chaos_3); the 30-run result is recorded in tests/README.md.
set -e
cd "$(dirname "$0")/.."
export LC_BIN="${LC_BIN:-$PWD/build/lifecircle}" LC_ROOT="${LC_ROOT:-$PWD}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1 \
  OMPI_MCA_btl_vader_single_copy_mechanism=none
exec /usr/bin/python3 tests/chaos.py "$@"
