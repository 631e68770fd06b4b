# Shared pieces of the benchmark scripts; sourced after they set ROOT (the project root).

# Open MPI as root, several ranks per core, no single-copy mechanism (containers lack it).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none

now() { date +%s.%N; }

# bench_categories OUT: writes the first 12 categories of inputs/categories.yml to OUT, in
# the same format (the benchmarks' 12 categories).
bench_categories() {
  /usr/bin/python3 - "$ROOT/inputs/categories.yml" "$1" <<'EOF'
import sys
src, dst = sys.argv[1:3]
lines = open(src, encoding="utf-8").read().split("\n")
out, n = [], 0
for line in lines[lines.index("categories:"):]:
    if line.startswith("  - id:"):
        n += 1
        if n > 12:
            break
    out.append(line)
open(dst, "w", encoding="utf-8").write("\n".join(out).rstrip() + "\n")
EOF
}

# bench_city_params DIR CATS K: prints the parameter sections of a synthetic city made by
# `lifecircle synth` in DIR (DIR/g.h5, DIR/f.csv, DIR/pop/): graph, categories file CATS,
# groups, its facilities, population and k = K; the caller adds Run and the rest.
bench_city_params() {
  cat <<EOF
Graph:
  file: $1/g.h5
Categories:
  file: $2
Groups:
  file: $ROOT/inputs/groups.yml
Facilities:
  pois: false
  max_snap_m: 300
  layers:
    - file: $1/f.csv
      crs: wgs84
      category_column: category
Population:
  subdistricts: $1/pop/subdistricts.geojson
  name_property: name
  residents: $1/pop/residents.csv
  density: $1/pop/density.csv
  density_column: density
Accessibility:
  k: $3
EOF
}
