#!/usr/bin/env bash
# The main job on the embedded default (Xinhua Road, Changning, Shanghai), with 2 MPI ranks.
# Installs what is missing, builds into build/, writes results under results/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jobs/setup.sh
source jobs/setup.sh
rc=0
lc_setup || rc=$?
[ "$rc" = 0 ] || exit "$rc"

ranks="${LC_RANKS:-2}"
shared="$LIFECIRCLE_SHARED"
mkdir -p results
mpiexec -n "$ranks" build/lifecircle import \
  "$shared/data/changning/xinhua-walk.osm.pbf" "$shared/data/changning/changning-pois.osm.pbf" \
  -o results/xinhua-graph.h5
mpiexec -n "$ranks" build/lifecircle info results/xinhua-graph.h5
echo "lifecircle: the walking graph is in $(pwd)/results/xinhua-graph.h5"
