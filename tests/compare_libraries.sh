#!/usr/bin/env bash
# One-off comparison of the library-backed geodesics (PROJ), Philox (Random123) and polygons
# (GEOS) with the hand-written code they replaced, on the project's real and synthetic data.
# Builds tests/compare_libraries_driver.c twice, against src/{geo,rng,geom,status}.c of commit
# OLD (default ddf04aa, the last with the hand-written code) and of the working tree, and
# compares their outputs:
#   - edge lengths in cm (and metres) of every raw OSM segment of the Xinhua Road network
#     (the polylines of `lifecircle import` on xinhua-walk.osm.pbf) and of every edge of the
#     synthetic cities of the benchmarks (synth 5,000 nodes seed 7; 10^5 and 10^6 seed 1);
#   - 10^6 draws of every rng_* function over the whole range of their arguments;
#   - the polygon each point falls in (geom_locate) for the real polygons (the 6 Changning
#     subdistricts, the Xinhua boundary) and a synthetic city's subdistricts, at every graph
#     node and polyline point, every polygon vertex and edge midpoint (points on boundaries)
#     and a 700 x 700 grid over each file's bounding box.
# Prints one line per comparison and every difference (a length with Karney's Python
# GeographicLib's value as referee); exit 0 when all are identical.
#
#   bash tests/compare_libraries.sh [OLD_COMMIT]
# Environment: LC_BIN (default build/lifecircle), LIFECIRCLE_SHARED (default ../shared).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=${1:-ddf04aa}
BIN=${LC_BIN:-$ROOT/build/lifecircle}
SHARED=${LIFECIRCLE_SHARED:-$ROOT/../shared}
DATA=$SHARED/data/changning
W=$(mktemp -d /tmp/lc-compare-libs.XXXXXX)
trap 'rm -rf "$W"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

CFLAGS=(-O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall)
mkdir -p "$W/old"
git -C "$ROOT" archive "$OLD" include src/geo.c src/rng.c src/geom.c src/status.c | tar -x -C "$W/old"
gcc "${CFLAGS[@]}" -I "$W/old/include" "$ROOT/tests/compare_libraries_driver.c" \
  "$W"/old/src/*.c $(pkg-config --cflags --libs jansson) -lm -o "$W/drv_old"
# shellcheck disable=SC2046
gcc "${CFLAGS[@]}" -I "$ROOT/include" "$ROOT/tests/compare_libraries_driver.c" \
  "$ROOT"/src/input/{geo,geom}.c "$ROOT"/src/core/{rng,status,log}.c -fopenmp $(pkg-config --cflags --libs proj geos jansson) -lm \
  -o "$W/drv_new"
echo "old: $(git -C "$ROOT" log -1 --format='%h %s' "$OLD" | cut -c1-80)"
echo "new: working tree at $(git -C "$ROOT" rev-parse --short HEAD)"

"$BIN" import "$DATA/xinhua-walk.osm.pbf" -o "$W/xinhua.h5" >"$W/import.log" 2>&1
for c in "5000 7" "100000 1" "1000000 1"; do
  read -r n s <<<"$c"
  "$BIN" synth --nodes "$n" --seed "$s" -o "$W/synth$n.h5" --population-dir "$W/pop$n" \
    >"$W/synth$n.log" 2>&1
done

/usr/bin/python3 - "$W" "$DATA" <<'PY'
import json, sys
import h5py, numpy as np
w, data = sys.argv[1:3]
def pairs(path, out, polylines):
    with h5py.File(path, "r") as f:
        e = f["Graph/edges"]
        if polylines:
            lon, lat, off = e["geom_lon"][:], e["geom_lat"][:], e["geom_offset"][:]
            keep = np.ones(len(lon) - 1, bool)
            keep[off[1:-1] - 1] = False  # no segment across two edges' polylines
            a = np.nonzero(keep)[0]
            rows = np.c_[lon[a], lat[a], lon[a + 1], lat[a + 1]]
        else:
            nl, nt = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
            u, v = e["u"][:], e["v"][:]
            rows = np.c_[nl[u], nt[u], nl[v], nt[v]]
    np.savetxt(out, rows, fmt="%.17g")
    return len(rows)
def points(out, **parts):
    # The points, and beside them (out.kind) what each one is.
    np.savetxt(out, np.vstack(list(parts.values())), fmt="%.17g")
    with open(out + ".kind", "w") as k:
        for name, a in parts.items():
            k.write((name.replace("_", " ") + "\n") * len(a))
def polygon_points(path, n=700):
    g = json.load(open(path, encoding="utf-8"))
    pts = []
    for ft in g["features"]:
        geom = g_ = ft["geometry"]
        polys = [g_["coordinates"]] if g_["type"] == "Polygon" else g_["coordinates"]
        for poly in polys:
            for ring in poly:
                r = np.array(ring, float)
                pts.append(r[:-1])
                pts.append((r[:-1] + r[1:]) / 2)
    p = np.vstack(pts)
    edge = p
    lo, hi = p.min(0), p.max(0)
    pad = (hi - lo) * 0.02
    gx, gy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], n))
    return edge, np.c_[gx.ravel(), gy.ravel()]
print("segments: xinhua", pairs(f"{w}/xinhua.h5", f"{w}/seg_xinhua.txt", True),
      *(f"synth{n} {pairs(f'{w}/synth{n}.h5', f'{w}/seg_synth{n}.txt', False)}"
        for n in (5000, 100000, 1000000)))
with h5py.File(f"{w}/xinhua.h5", "r") as f:
    nodes = np.c_[f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]]
    poly = np.c_[f["Graph/edges/geom_lon"][:], f["Graph/edges/geom_lat"][:]]
for name in ("subdistricts-partial", "xinhua-boundary"):
    edge, grid = polygon_points(f"{data}/{name}.geojson")
    points(f"{w}/pts_{name}.txt", graph_node=nodes, polyline_point=poly,
           polygon_vertex_or_edge_midpoint=edge, grid_point=grid)
with h5py.File(f"{w}/synth100000.h5", "r") as f:
    snodes = np.c_[f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]]
edge, grid = polygon_points(f"{w}/pop100000/subdistricts.geojson")
points(f"{w}/pts_synth.txt", graph_node=snodes, polygon_vertex_or_edge_midpoint=edge,
       grid_point=grid)
PY

status=0
# compare NAME: the two drivers' outputs FILE.old and FILE.new, line by line.
compare() {
  /usr/bin/python3 - "$1" "$2.old" "$2.new" "$3" "${4:-}" <<'PY' || status=1
import json, sys
import numpy as np
name, a, b, inputs, geojson = sys.argv[1:6]
A, B = open(a).read().split("\n"), open(b).read().split("\n")
I = open(inputs).read().split("\n") if inputs != "-" else None
assert len(A) == len(B), (len(A), len(B))
diff = [i for i in range(len(A)) if A[i] != B[i]]
if name.startswith("lengths"):
    cm_diff = [i for i in diff if A[i].split()[0] != B[i].split()[0]]
    dm = max((abs(float(x.split()[1]) - float(y.split()[1])) for x, y in zip(A, B) if x), default=0)
    print(f"{name}: {len(A) - 1} segments, cm differ at {len(cm_diff)}, largest |difference| "
          f"{dm * 1e9:.3f} nm")
    # The referee: Karney's own Python GeographicLib (python3-geographiclib), separate code.
    from geographiclib.geodesic import Geodesic
    for i in cm_diff:
        lon1, lat1, lon2, lat2 = map(float, I[i].split())
        s12 = Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]
        print(f"  segment {I[i]}: old {A[i]} new {B[i]}; GeographicLib {s12:.9f} m = "
              f"{int(s12 * 100 + 0.5)} cm")
    sys.exit(1 if cm_diff else 0)
print(f"{name}: {len(A) - 1} lines, {len(diff)} differ")
if not diff:
    sys.exit(0)
if geojson:
    # Each differing point's kind and its distance to the nearest polygon edge (degrees).
    kind = open(inputs + ".kind").read().split("\n")
    segs = []
    for ft in json.load(open(geojson, encoding="utf-8"))["features"]:
        g = ft["geometry"]
        for poly in [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]:
            for ring in poly:
                r = np.array(ring, float)
                segs.append(np.c_[r[:-1], r[1:]])
    ax, ay, bx, by = np.vstack(segs).T
    by_kind, far = {}, 0.0
    for i in diff:
        x, y = map(float, I[i].split())
        t = np.clip(((x - ax) * (bx - ax) + (y - ay) * (by - ay)) /
                    np.maximum((bx - ax) ** 2 + (by - ay) ** 2, 1e-300), 0, 1)
        d = float(np.hypot(ax + t * (bx - ax) - x, ay + t * (by - ay) - y).min())
        far = max(far, d)
        by_kind[kind[i]] = by_kind.get(kind[i], 0) + 1
        print(f"  {kind[i]} {I[i]}: old {A[i]} new {B[i]}, {d:.1e} degree from an edge")
    print(f"  {name}: differences by kind {by_kind}; the farthest from a polygon edge "
          f"{far:.1e} degree")
else:
    for i in diff:
        print(f"  line {i + 1}: old {A[i]} new {B[i]}")
sys.exit(1 if diff else 0)
PY
}
for s in xinhua synth5000 synth100000 synth1000000; do
  for v in old new; do "$W/drv_$v" geo <"$W/seg_$s.txt" >"$W/len_$s.$v"; done
  compare "lengths $s" "$W/len_$s" "$W/seg_$s.txt"
done
for v in old new; do "$W/drv_$v" rng 1000000 >"$W/rng.$v"; done
compare "rng streams" "$W/rng" -
for c in "subdistricts-partial $DATA/subdistricts-partial.geojson subdistrict" \
  "xinhua-boundary $DATA/xinhua-boundary.geojson name" \
  "synth $W/pop100000/subdistricts.geojson name"; do
  read -r tag file prop <<<"$c"
  for v in old new; do "$W/drv_$v" geom "$file" "$prop" <"$W/pts_$tag.txt" >"$W/zone_$tag.$v"; done
  compare "zones $tag" "$W/zone_$tag" "$W/pts_$tag.txt" "$file"
done
exit $status
