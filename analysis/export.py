#!/usr/bin/python3
"""Export a lifecircle results file as GeoJSON layers and CSV tables.

Usage: /usr/bin/python3 analysis/export.py RESULTS.h5 --geojson DIR --csv DIR

GeoJSON (RFC 7946: WGS84, positions [lon, lat]), one set of layers per
complete scenario, for QGIS:
  nodes-<scenario>.geojson       Point per graph node: row, osm_id,
                                 subdistrict, residents per group, walking
                                 minutes to the nearest facility of every
                                 category at every group's speed
                                 ("min_<category>_<group>", null when none
                                 within the catchment radius)
  edges-<scenario>.geojson       LineString per edge (its polyline): row, u,
                                 v, osm_way_id, length_m, cost_m, minutes at
                                 both ends ("min_u_<category>_<group>",
                                 "min_v_<category>_<group>")
  facilities-<scenario>.geojson  Point per facility: category id and names,
                                 name, source, source_id, node, snap_m,
                                 capacity, opening hours
  subdistricts.geojson           (Multi)Polygon per subdistrict
CSV (UTF-8 with BOM so that spreadsheets in Chinese locales read it):
  coverage.csv, complete.csv, comparison.csv, realised.csv,
  facility_load.csv, trips.csv (the last four only when the file has them).
"""

import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lcresults as lc  # noqa: E402


def _minutes_or_none(dist_cm, speed):
    """Walking minutes (2 decimals) or None when no facility is reachable."""
    m = float(lc.cm_to_minutes(dist_cm, speed))
    return None if math.isnan(m) else round(m, 2)


def _write_geojson(path, features, name):
    """Write a FeatureCollection (RFC 7946) to ``path``."""
    doc = {"type": "FeatureCollection", "name": name, "features": features}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
    return path


def _pos(lon, lat):
    """An RFC 7946 position [lon, lat] rounded to 1e-7 degree (about 1 cm)."""
    return [round(float(lon), 7), round(float(lat), 7)]


def node_features(res, scen):
    """Point features of the graph nodes with their attributes."""
    feats = []
    for i in range(res.n_nodes):
        s = int(res.node_subdistrict[i])
        props = {"row": i, "osm_id": int(res.osm_id[i]),
                 "subdistrict": res.subdistricts[s] if 0 <= s < len(res.subdistricts)
                 else None}
        for g in res.groups:
            props["residents_%s" % g.id] = int(res.residents[i, g.row])
        for c in res.categories:
            for g in res.groups:
                props["min_%s_%s" % (c.id, g.id)] = _minutes_or_none(
                    scen.nearest_cm[i, c.row], g.speed_m_s)
        feats.append({"type": "Feature", "id": i,
                      "geometry": {"type": "Point",
                                   "coordinates": _pos(res.lon[i], res.lat[i])},
                      "properties": props})
    return feats


def edge_features(res, scen):
    """LineString features of the edges (their polylines) with attributes."""
    e = res.edges
    feats = []
    cost = e.get("cost_cm", e["length_cm"])
    way = e.get("osm_way_id")
    for i, (x, y) in enumerate(lc.edge_polylines(res)):
        u, v = int(e["u"][i]), int(e["v"][i])
        props = {"row": i, "u": u, "v": v,
                 "osm_way_id": int(way[i]) if way is not None else None,
                 "length_m": round(float(e["length_cm"][i]) / 100.0, 2),
                 "cost_m": round(float(cost[i]) / 100.0, 2)}
        for c in res.categories:
            for g in res.groups:
                props["min_u_%s_%s" % (c.id, g.id)] = _minutes_or_none(
                    scen.nearest_cm[u, c.row], g.speed_m_s)
                props["min_v_%s_%s" % (c.id, g.id)] = _minutes_or_none(
                    scen.nearest_cm[v, c.row], g.speed_m_s)
        coords = [_pos(a, b) for a, b in zip(x, y)]
        if len(coords) < 2:
            coords = [coords[0], coords[0]]
        feats.append({"type": "Feature", "id": i,
                      "geometry": {"type": "LineString", "coordinates": coords},
                      "properties": props})
    return feats


def facility_features(res, scen):
    """Point features of the scenario's facilities."""
    f = scen.facilities
    feats = []
    for i in range(scen.n_facilities):
        c = res.categories[int(f["category"][i])]

        def get(key, conv=int, i=i):
            return conv(f[key][i]) if key in f else None
        props = {"row": i, "category": c.id, "category_row": c.row,
                 "name_zh": c.name_zh, "name_en": c.name_en,
                 "name": get("name", str), "source": get("source"),
                 "source_id": get("source_id", str), "node": get("node"),
                 "snap_m": (round(float(f["snap_cm"][i]) / 100.0, 2)
                            if "snap_cm" in f else None),
                 "capacity": get("capacity"),
                 "open": lc.fmt_hhmm(f["open_min"][i]) if "open_min" in f else None,
                 "close": lc.fmt_hhmm(f["close_min"][i]) if "close_min" in f else None}
        feats.append({"type": "Feature", "id": i,
                      "geometry": {"type": "Point",
                                   "coordinates": _pos(f["lon"][i], f["lat"][i])},
                      "properties": props})
    return feats


def subdistrict_features(res):
    """(Multi)Polygon features of the subdistricts that have rings."""
    feats = []
    for s, polys in sorted(lc.subdistrict_polygons(res).items()):
        if not 0 <= s < len(res.subdistricts):
            continue
        polys = [[[_pos(x, y) for x, y in ring] for ring in poly] for poly in polys]
        geom = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1
                else {"type": "MultiPolygon", "coordinates": polys})
        feats.append({"type": "Feature", "id": s, "geometry": geom,
                      "properties": {"row": s, "name": res.subdistricts[s]}})
    return feats


def write_csv(path, table_):
    """Write a :class:`lcresults.Table` as CSV, UTF-8 with BOM."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(table_.columns)
        for row in table_.rows:
            w.writerow(["" if v is None or (isinstance(v, float) and math.isnan(v))
                        else v for v in row])
    return path


def export_geojson(res, outdir):
    """Write every GeoJSON layer into ``outdir``; return the paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for name in res.scenario_names:
        scen = res.scenario(name)
        tag = lc.safe_name(name)
        paths.append(_write_geojson(os.path.join(outdir, "nodes-%s.geojson" % tag),
                                    node_features(res, scen), "nodes-" + name))
        paths.append(_write_geojson(os.path.join(outdir, "edges-%s.geojson" % tag),
                                    edge_features(res, scen), "edges-" + name))
        paths.append(_write_geojson(
            os.path.join(outdir, "facilities-%s.geojson" % tag),
            facility_features(res, scen), "facilities-" + name))
    paths.append(_write_geojson(os.path.join(outdir, "subdistricts.geojson"),
                                subdistrict_features(res), "subdistricts"))
    return paths


def _concat(tables):
    """Join tables with the same columns into one (None entries skipped)."""
    tables = [t for t in tables if t is not None and t.columns]
    if not tables:
        return None
    rows = [r for t in tables for r in t.rows]
    return lc.Table(tables[0].name, tables[0].columns, rows)


def export_csv(res, outdir):
    """Write the coverage and comparison tables into ``outdir``; return paths."""
    os.makedirs(outdir, exist_ok=True)
    scens = [res.scenario(n) for n in res.scenario_names]
    tables = {
        "coverage": _concat([lc.coverage_table(res, s) for s in scens]),
        "complete": _concat([lc.complete_table(res, s) for s in scens]),
        "comparison": _concat([lc.comparison_table(res, n)
                               for n in res.other_scenarios]),
        "realised": _concat([lc.realised_table(res, s) for s in scens]),
        "facility_load": _concat([lc.facility_load_table(res, s) for s in scens]),
        "trips": _concat([lc.trips_table(res, s) for s in scens]),
    }
    paths = []
    for name, t in tables.items():
        if t is None:
            print("export: %s.csv not written: %s" % (
                name, "no scenario besides the baseline" if name == "comparison"
                else "not computed in this run"), file=sys.stderr)
            continue
        paths.append(write_csv(os.path.join(outdir, name + ".csv"), t))
    return paths


def parse_args(argv):
    """Command-line arguments."""
    p = argparse.ArgumentParser(
        prog="export.py",
        description="Export a lifecircle results file as GeoJSON layers "
                    "(nodes, edges, facilities per scenario; subdistricts) and CSV "
                    "tables (coverage, comparisons, load).",
        epilog="Exit status: 0 done; 1 cannot write; 2 usage error or not a "
               "results file. "
               "Run with /usr/bin/python3. " + lc.OSM_ATTRIBUTION + ".")
    p.add_argument("results", help="results file (HDF5) written by 'lifecircle run'")
    p.add_argument("--geojson", metavar="DIR", help="folder for the GeoJSON layers")
    p.add_argument("--csv", metavar="DIR", help="folder for the CSV tables")
    args = p.parse_args(argv)
    if not args.geojson and not args.csv:
        p.error("give --geojson DIR, --csv DIR or both")
    return args


def main(argv=None):
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        with lc.Results(args.results) as res:
            written = []
            if args.geojson:
                written += export_geojson(res, args.geojson)
            if args.csv:
                written += export_csv(res, args.csv)
    except lc.ResultsError as exc:
        print("export: %s" % exc, file=sys.stderr)
        return 2
    except OSError as exc:
        print("export: cannot write: %s" % exc, file=sys.stderr)
        return 1
    for path in written:
        print("export: wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
