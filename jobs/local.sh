#!/usr/bin/env bash
# The main job on the embedded default (Xinhua Road, Changning, Shanghai), with 2 MPI ranks:
# installs what is missing, builds into build/, runs the baseline and the example scenarios,
# and writes the results file and the report under results/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jobs/setup.sh
source jobs/setup.sh
rc=0
lc_setup || rc=$?
[ "$rc" = 0 ] || exit "$rc"

ranks="${LC_RANKS:-2}"
params="${LC_PARAMS:-inputs/changning/xinhua.yml}"
out="${LC_OUTPUT:-results/xinhua.h5}"
mkdir -p "$(dirname "$out")"
mpiexec -n "$ranks" --bind-to none build/lifecircle run "$params" -o "$out"
# The whole summary goes to a file (a pipe into head would end info with SIGPIPE, which
# pipefail turns into a failure); its first lines are shown.
build/lifecircle info "$out" >"${out%.h5}.info.txt"
head -20 "${out%.h5}.info.txt"
/usr/bin/python3 analysis/report.py "$out" -o results/report --pdf
/usr/bin/python3 analysis/export.py "$out" --geojson results/geojson --csv results/csv
echo "lifecircle: results in $(pwd)/$out"
echo "lifecircle: report in $(pwd)/results/report/index.html and report.pdf"
echo "lifecircle: GeoJSON for QGIS in $(pwd)/results/geojson, CSV tables in $(pwd)/results/csv"
