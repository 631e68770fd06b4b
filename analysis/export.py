#!/usr/bin/python3
"""Export a lifecircle results file as GeoJSON layers and CSV tables.

Usage: /usr/bin/python3 analysis/export.py RESULTS.h5 --geojson DIR --csv DIR
                                           [--crs gcj02|bd09 ...]

GeoJSON (RFC 7946: WGS84, positions [lon, lat]), one set of layers per complete
scenario, ready to style in QGIS (numbers typed as numbers):
  nodes-<scenario>.geojson       Point per graph node: row, osm_id, subdistrict,
                                 residents_<group>, min_<category> (walking minutes
                                 to the nearest facility at the speed of the slowest
                                 group the category serves; null beyond the radius)
  edges-<scenario>.geojson       LineString per edge (its polyline): row, u, v,
                                 osm_way_id, length_m, min_<category> at the edge's
                                 midpoint (same speed), status_<category> (data
                                 status: 0 ok, 1 thin, 2 no data)
  facilities-<scenario>.geojson  Point per facility: category, names, name (or a
                                 label), source, source_id, node (-1 excluded),
                                 excluded, snap_m, capacity, open, close
  subdistricts.geojson           (Multi)Polygon per subdistrict
A min_<category> field that would be null in every feature (a category without
data) is left out: its status_<category> says why. ``--crs gcj02`` / ``--crs bd09``
add copies of every layer named ``*-gcj02.geojson`` / ``*-bd09.geojson`` for AMap
and Baidu users (coordinates converted with lccrs; not RFC 7946).
CSV (UTF-8 with BOM so that spreadsheets in Chinese locales read it), headers in
English and Chinese: coverage.csv (per group), served.csv (per category, the
groups it serves), complete.csv, comparison.csv, realised.csv,
facility_load.csv, trips.csv (the last four only when the file has them),
trip_reasons.csv (when Trips has a reason column).
"""

import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import lccrs  # noqa: E402
import lcindicators as li  # noqa: E402
import lcresults as lc  # noqa: E402

#: Chinese beside each CSV column name ("subdistrict 街道").
HEADERS_ZH = {
    "scenario": "情景", "subdistrict": "街道", "category": "类别", "name_zh": "中文名",
    "name_en": "英文名", "group": "人群", "served": "服务该人群", "threshold_min": "阈值分钟",
    "target_share": "目标", "residents": "居民", "covered": "覆盖居民", "share": "覆盖率",
    "median_min": "步行中位数分钟", "p90_min": "步行90分位分钟",
    "served_groups": "服务人群", "served_residents": "服务人群居民",
    "served_covered": "服务人群覆盖居民", "served_share": "服务人群覆盖率", "pass": "达标",
    "data_status": "数据状态", "complete": "完整生活圈居民", "complete_share": "完整生活圈比例",
    "newly_covered": "新覆盖", "no_longer_covered": "不再覆盖", "net": "净变化",
    "pass_before": "此前达标", "pass_after": "此后达标", "source": "来源",
    "static_covered": "静态覆盖", "static_share": "静态覆盖率",
    "realised_covered": "实际覆盖", "realised_share": "实际覆盖率", "difference": "差值",
    "facility": "设施", "name": "名称", "capacity": "容量", "arrivals": "到达",
    "refused": "拒绝", "peak_queue": "最长排队", "peak_time": "排队高峰时刻",
    "trips": "出行", "served_after_waiting": "等候后服务",
    "redirected_then_served": "转至他处后服务", "failed": "失败",
    "mean_wait_min": "平均等候分钟", "max_wait_min": "最长等候分钟",
    "mean_walk_m": "平均步行米",
}


def bilingual(column):
    """'subdistrict 街道' for the CSV header ('row' is the subdistrict)."""
    column = "subdistrict" if column == "row" else column
    zh = HEADERS_ZH.get(column)
    return "%s %s" % (column, zh) if zh else column


def _json_list(a, digits):
    """A float array as a list with None for NaN/inf, rounded."""
    a = np.round(np.asarray(a, dtype=float), digits)
    out = a.tolist()
    bad = ~np.isfinite(a)
    if bad.any():
        for i in np.nonzero(bad)[0]:
            out[i] = None
    return out


def _write_geojson(path, name, geoms, props, crs_note=None):
    """Write a FeatureCollection: ``geoms`` list of geometry dicts, ``props`` an
    ordered dict column -> list of values."""
    keys = list(props)
    cols = [props[k] for k in keys]
    feats = [{"type": "Feature", "id": i, "geometry": g,
              "properties": {k: c[i] for k, c in zip(keys, cols)}}
             for i, g in enumerate(geoms)]
    doc = {"type": "FeatureCollection", "name": name}
    if crs_note:
        doc["crs_note"] = crs_note
    doc["features"] = feats
    with open(path, "w", encoding="utf-8") as fh:
        # dumps, not dump: only the one-shot encoder is the C one.
        fh.write(json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
        fh.write("\n")
    return path


def _round_pos(x, y):
    """Positions rounded to 1e-7 degree (about 1 cm)."""
    return np.round(np.asarray(x, dtype=float), 7), np.round(np.asarray(y, dtype=float), 7)


class Layers:
    """The GeoJSON layers of one results file, in any of the three CRSs."""

    def __init__(self, res):
        self.res = res
        self.slowest = [li.slowest_served(res, c) for c in res.categories]
        self.polylines = list(lc.edge_polylines(res))

    def _convert(self, crs, lon, lat):
        lon, lat = lccrs.from_wgs84(crs, lon, lat)
        return _round_pos(lon, lat)

    def _points(self, crs, lon, lat):
        x, y = self._convert(crs, lon, lat)
        return [{"type": "Point", "coordinates": [a, b]} for a, b in zip(x.tolist(), y.tolist())]

    def _minutes(self, dist_cm, cat):
        """Walking minutes at the slowest served group's speed (NaN when none)."""
        g = self.slowest[cat.row]
        d = np.asarray(dist_cm, dtype=float)
        return np.where(d < 0, np.nan, d / 100.0 / g.speed_m_s / 60.0)

    def nodes(self, scen, crs):
        res = self.res
        sub = np.asarray(res.node_subdistrict)
        names = [res.subdistricts[s] if 0 <= s < len(res.subdistricts) else None
                 for s in sub.tolist()]
        props = {"row": list(range(res.n_nodes)), "osm_id": res.osm_id.astype(np.int64).tolist(),
                 "subdistrict": names}
        for g in res.groups:
            props["residents_%s" % g.id] = res.residents[:, g.row].astype(np.int64).tolist()
        for c in res.categories:
            vals = _json_list(self._minutes(scen.nearest_cm[:, c.row], c), 2)
            if any(v is not None for v in vals):
                props["min_%s" % c.id] = vals
        return self._points(crs, res.lon, res.lat), props

    def edges(self, scen, crs):
        res = self.res
        e = res.edges
        ind = li.scenario_indicators(res, scen)
        cost = np.asarray(e.get("cost_cm", e["length_cm"]), dtype=float)
        u, v = e["u"], e["v"]
        props = {"row": list(range(len(u))), "u": u.astype(np.int64).tolist(),
                 "v": v.astype(np.int64).tolist(),
                 "osm_way_id": e["osm_way_id"].astype(np.int64).tolist()
                 if "osm_way_id" in e else [None] * len(u),
                 "length_m": np.round(e["length_cm"] / 100.0, 2).tolist()}
        for c in res.categories:
            d = scen.nearest_cm[:, c.row].astype(float)
            radius = c.radius_m * 100.0 if np.isfinite(c.radius_m) else np.inf
            du = np.where(d[u] < 0, np.inf, d[u])
            dv = np.where(d[v] < 0, np.inf, d[v])
            mid = np.minimum(du, dv) + cost / 2.0  # min(du + L/2, dv + L/2)
            mid = np.where(mid > radius, -1.0, mid)
            vals = _json_list(self._minutes(np.where(np.isfinite(mid), mid, -1.0), c), 2)
            if any(x is not None for x in vals):
                props["min_%s" % c.id] = vals
            props["status_%s" % c.id] = [int(ind.data_status[c.row])] * len(u)
        geoms = []
        for x, y in self.polylines:
            gx, gy = self._convert(crs, x, y)
            coords = [[a, b] for a, b in zip(gx.tolist(), gy.tolist())]
            if len(coords) < 2:
                coords = [coords[0], coords[0]]
            geoms.append({"type": "LineString", "coordinates": coords})
        return geoms, props

    def facilities(self, scen, crs):
        res = self.res
        f = scen.facilities
        n = scen.n_facilities
        cat = np.asarray(f["category"], dtype=np.int64)
        node = np.asarray(f["node"], dtype=np.int64) if "node" in f else np.zeros(n, np.int64)
        names = f.get("name", [""] * n)
        sid = f.get("source_id", [""] * n)
        props = {
            "row": list(range(n)),
            "category": [res.categories[c].id for c in cat.tolist()],
            "name_zh": [res.categories[c].name_zh for c in cat.tolist()],
            "name_en": [res.categories[c].name_en for c in cat.tolist()],
            "name": [names[i] or "%s %s" % (res.categories[cat[i]].name_zh, sid[i])
                     for i in range(n)],
            "source": np.asarray(f["source"]).astype(np.int64).tolist()
            if "source" in f else [None] * n,
            "source_id": list(sid),
            "node": node.tolist(),
            "excluded": (node < 0).astype(np.int64).tolist(),
            "snap_m": np.round(np.asarray(f["snap_cm"], dtype=float) / 100.0, 2).tolist()
            if "snap_cm" in f else [None] * n,
            "capacity": np.asarray(f["capacity"]).astype(np.int64).tolist()
            if "capacity" in f else [None] * n,
            "open": [lc.fmt_hhmm(m) for m in f["open_min"]] if "open_min" in f else [None] * n,
            "close": [lc.fmt_hhmm(m) for m in f["close_min"]] if "close_min" in f
            else [None] * n,
        }
        return self._points(crs, f["lon"], f["lat"]), props

    def subdistricts(self, crs):
        res = self.res
        geoms, rows, names = [], [], []
        for s, polys in sorted(lc.subdistrict_polygons(res).items()):
            if not 0 <= s < len(res.subdistricts):
                continue
            out = []
            for poly in polys:
                rings = []
                for ring in poly:
                    a = np.asarray(ring, dtype=float)
                    x, y = self._convert(crs, a[:, 0], a[:, 1])
                    rings.append([[p, q] for p, q in zip(x.tolist(), y.tolist())])
                out.append(rings)
            geoms.append({"type": "Polygon", "coordinates": out[0]} if len(out) == 1
                         else {"type": "MultiPolygon", "coordinates": out})
            rows.append(s)
            names.append(res.subdistricts[s])
        return geoms, {"row": rows, "name": names}


def export_geojson(res, outdir, crs_list=("wgs84",)):
    """Write every GeoJSON layer into ``outdir`` for each CRS; return the paths."""
    os.makedirs(outdir, exist_ok=True)
    layers = Layers(res)
    paths = []
    for crs in crs_list:
        suffix = "" if crs == "wgs84" else "-" + crs
        note = None if crs == "wgs84" else (
            "coordinates in %s (converted from WGS84 for Chinese web maps); not RFC 7946"
            % crs.upper())

        def put(fname, name, geoms_props):
            geoms, props = geoms_props
            paths.append(_write_geojson(os.path.join(outdir, fname + suffix + ".geojson"),
                                        name + suffix, geoms, props, note))

        for name in res.scenario_names:
            scen = res.scenario(name)
            tag = lc.safe_name(name)
            put("nodes-" + tag, "nodes-" + name, layers.nodes(scen, crs))
            put("edges-" + tag, "edges-" + name, layers.edges(scen, crs))
            put("facilities-" + tag, "facilities-" + name, layers.facilities(scen, crs))
        put("subdistricts", "subdistricts", layers.subdistricts(crs))
    return paths


def write_csv(path, table_):
    """Write a :class:`lcresults.Table` as CSV, UTF-8 with BOM, bilingual header."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([bilingual(c) for c in table_.columns])
        for row in table_.rows:
            w.writerow(["" if v is None or (isinstance(v, float) and math.isnan(v))
                        else v for v in row])
    return path


def _concat(tables):
    """Join tables with the same columns into one (None entries skipped)."""
    tables = [t for t in tables if t is not None and t.columns]
    if not tables:
        return None
    rows = [r for t in tables for r in t.rows]
    return lc.Table(tables[0].name, tables[0].columns, rows)


def _num(x, digits=4):
    x = float(x)
    return None if math.isnan(x) else round(x, digits)


def coverage_table(res, scen):
    """Per (subdistrict, category, group): the served flag, the group's share
    and quantiles (empty for no data), and the category's data status."""
    ind = li.scenario_indicators(res, scen)
    cov = scen.coverage
    s = li.serves(res)
    n_g = len(res.groups)
    rows = []
    for r, rname in enumerate(res.row_names):
        for c in res.categories:
            for g in res.groups:
                k = lc.col(c.row, g.row, n_g)
                rows.append([scen.name, rname, c.id, c.name_zh, c.name_en, g.id,
                             int(s[c.row, g.row]), c.threshold_min, c.target_share,
                             int(cov["residents"][r, g.row]), int(cov["covered"][r, k]),
                             _num(ind.share[r, k]), _num(ind.median_min[r, k], 2),
                             _num(ind.p90_min[r, k], 2), int(ind.data_status[c.row])])
    return lc.Table("coverage", [
        "scenario", "subdistrict", "category", "name_zh", "name_en", "group", "served",
        "threshold_min", "target_share", "residents", "covered", "share", "median_min",
        "p90_min", "data_status"], rows)


def served_table(res, scen):
    """Per (subdistrict, category): residents of the served groups, covered, the
    served share against the target, pass (-1 no data or none served)."""
    ind = li.scenario_indicators(res, scen)
    rows = []
    for r, rname in enumerate(res.row_names):
        for c in res.categories:
            rows.append([scen.name, rname, c.id, c.name_zh, c.name_en,
                         " ".join(g.id for g in li.served_groups(res, c)),
                         c.threshold_min, c.target_share,
                         int(ind.served_residents[r, c.row]), int(ind.served_covered[r, c.row]),
                         _num(ind.served_share[r, c.row], 6), int(ind.pass_[r, c.row]),
                         int(ind.data_status[c.row])])
    return lc.Table("served", [
        "scenario", "subdistrict", "category", "name_zh", "name_en", "served_groups",
        "threshold_min", "target_share", "served_residents", "served_covered",
        "served_share", "pass", "data_status"], rows)


def complete_table(res, scen):
    """The complete life circle over the essential categories with data."""
    ind = li.scenario_indicators(res, scen)
    cov = scen.coverage
    rows = [[scen.name, rname, g.id, int(cov["residents"][r, g.row]),
             int(ind.complete[r, g.row]), _num(ind.complete_share[r, g.row])]
            for r, rname in enumerate(res.row_names) for g in res.groups]
    return lc.Table("complete", ["scenario", "subdistrict", "group", "residents",
                                 "complete", "complete_share"], rows)


def comparison_table(res, name):
    """Served gains per (subdistrict, category), group "served" rows first, then
    the per-group detail of the served groups."""
    cs = li.comparison_served(res, name)
    cmp_ = res.comparison(name)
    s = li.serves(res)
    n_g = len(res.groups)
    rows = []
    for r, rname in enumerate(res.row_names):
        for c in res.categories:
            new, lost = int(cs["newly"][r, c.row]), int(cs["lost"][r, c.row])
            rows.append([name, rname, c.id, c.name_zh, c.name_en, "served", new, lost,
                         new - lost, int(cmp_["pass_before"][r, c.row]),
                         int(cmp_["pass_after"][r, c.row]), cs["source"]])
            for g in res.groups:
                if not s[c.row, g.row]:
                    continue
                k = lc.col(c.row, g.row, n_g)
                new, lost = int(cmp_["newly_covered"][r, k]), int(cmp_["no_longer_covered"][r, k])
                rows.append([name, rname, c.id, c.name_zh, c.name_en, g.id, new, lost,
                             new - lost, int(cmp_["pass_before"][r, c.row]),
                             int(cmp_["pass_after"][r, c.row]), cmp_["source"]])
    return lc.Table("comparison", [
        "scenario", "subdistrict", "category", "name_zh", "name_en", "group",
        "newly_covered", "no_longer_covered", "net", "pass_before", "pass_after",
        "source"], rows)


def export_csv(res, outdir):
    """Write the tables into ``outdir``; return the paths."""
    os.makedirs(outdir, exist_ok=True)
    scens = [res.scenario(n) for n in res.scenario_names]
    tables = {
        "coverage": _concat([coverage_table(res, s) for s in scens]),
        "served": _concat([served_table(res, s) for s in scens]),
        "complete": _concat([complete_table(res, s) for s in scens]),
        "comparison": _concat([comparison_table(res, n) for n in res.other_scenarios]),
        "realised": _concat([lc.realised_table(res, s) for s in scens]),
        "facility_load": _concat([lc.facility_load_table(res, s) for s in scens]),
        "trips": _concat([lc.trips_table(res, s) for s in scens]),
        "trip_reasons": _concat([lc.trips_reason_table(res, s) for s in scens]),
    }
    paths = []
    for name, t in tables.items():
        if t is None:
            if name == "trip_reasons":
                continue  # only files with Trips/reason have it
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
                    "tables (coverage, served shares, comparisons, load).",
        epilog="Exit status: 0 done; 1 cannot write; 2 usage error or not a "
               "results file. "
               "Run with /usr/bin/python3. " + lc.OSM_ATTRIBUTION + ".")
    p.add_argument("results", help="results file (HDF5) written by 'lifecircle run'")
    p.add_argument("--geojson", metavar="DIR", help="folder for the GeoJSON layers")
    p.add_argument("--csv", metavar="DIR", help="folder for the CSV tables")
    p.add_argument("--crs", action="append", choices=("gcj02", "bd09"), default=[],
                   help="also write GeoJSON copies in GCJ-02 (AMap) or BD-09 (Baidu); "
                        "repeat for both")
    args = p.parse_args(argv)
    if not args.geojson and not args.csv:
        p.error("give --geojson DIR, --csv DIR or both")
    if args.crs and not args.geojson:
        p.error("--crs needs --geojson DIR")
    return args


def main(argv=None):
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        with lc.Results(args.results) as res:
            written = []
            if args.geojson:
                crs = ["wgs84"] + [c for c in dict.fromkeys(args.crs)]
                written += export_geojson(res, args.geojson, crs)
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
