#!/usr/bin/env bash
# Shared set-up of jobs/local.sh and tests/run.sh: installs the Debian packages that are
# missing, sets the MPI environment for root, and configures and builds into build/.
# Source it from the project root: `source jobs/setup.sh`.

LC_PACKAGES="build-essential cmake pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
hdf5-tools libmetis-dev libcunit1-dev libreadosm-dev libexpat1-dev zlib1g-dev libyaml-dev libjansson-dev
libcsv-dev nettle-dev libproj-dev libgeos-dev librandom123-dev osmium-tool python3-h5py python3-numpy python3-matplotlib python3-scipy
python3-networkx python3-pytest python3-geographiclib python3-yaml fonts-noto-cjk slurm-wlm munge
clang libclang-rt-14-dev python3-jinja2 chromium poppler-utils gdal-bin libproj-dev proj-data
python3-pyproj python3-gdal"
# clang and libclang-rt-14-dev (libFuzzer and clang's sanitizer runtimes) build the fuzz
# targets of tests/fuzz/; gcc's own sanitizer runtimes (tests/sanitize.sh) come with gcc.
# python3-jinja2 (report templates), chromium (report.pdf, browser checks), poppler-utils
# (pdftotext in tests) and gdal-bin (ogrinfo in tests) serve analysis/. libproj-dev and
# proj-data read layers in any EPSG CRS, python3-gdal (analysis/prepare.py) converts
# GeoPackage, Shapefile and KML, python3-pyproj checks PROJ's results in the tests.

lc_missing_packages() {
  local missing=""
  for p in $LC_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $p"
    fi
  done
  echo "$missing"
}

lc_setup() {
  local missing
  missing=$(lc_missing_packages)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "lifecircle: installing Debian packages:$missing" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq || return 1
      # shellcheck disable=SC2086
      apt-get install -y --no-install-recommends $missing >/dev/null || return 1
    else
      echo "lifecircle: these Debian packages are missing; as root run:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
      return 2
    fi
  fi
  if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  export OMPI_MCA_rmaps_base_oversubscribe=1
  # With more ranks than cores (tests at 3 and 4 ranks on 2 cores), idle ranks must yield.
  export OMPI_MCA_mpi_yield_when_idle=1
  # Open MPI's shared-memory transport complains inside containers without this.
  export OMPI_MCA_btl_vader_single_copy_mechanism=none
  export LC_WERROR="${LC_WERROR:-OFF}"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLC_WERROR="$LC_WERROR" >build.log 2>&1 \
    || { cat build.log >&2; return 1; }
  cmake --build build -j "$(nproc)" >>build.log 2>&1 || { cat build.log >&2; return 1; }
  rm -f build.log
  export LIFECIRCLE_SHARED="${LIFECIRCLE_SHARED:-$(cd .. && pwd)/shared}"
  return 0
}
