"""Tests of analysis/ (report.py, export.py, lcresults.py, lcindicators.py, lcplot.py).

A small results file is built here with h5py following the results layout:
a 6 x 5 street grid in Shanghai (Xinhua Road), 3 categories with Chinese
names, 4 groups, 2 subdistricts (新华路街道, 天山路街道), a baseline and one
scenario with Trips, FacilityLoad, RealisedCoverage and Comparisons.  Its
distances come from a Dijkstra written here, its coverage tables from loops
written here, so the analysis code is checked against an independent
construction.  Set LC_RESULTS_REAL to a real results file to run the report
and the export on it as well.
"""

import csv
import heapq
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

ROOT = os.environ.get("LC_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
ANALYSIS = os.path.join(ROOT, "analysis")
sys.path.insert(0, ANALYSIS)

import lcresults as lc  # noqa: E402

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

HEADINGS = ("覆盖 Coverage by category and subdistrict",
            "实际 Static against realised coverage",
            "情景 Baseline against scenarios",
            "缺口 Gap maps",
            "步行时间 Maps of walking minutes",
            "情景增益 Maps of scenario gains",
            "负荷 Facility load over the day",
            "数据与假设 Data and assumptions",
            "来源 Provenance")
ATTRIBUTION = "Map data © OpenStreetMap contributors, ODbL 1.0"

# ---------------------------------------------------------------------------
# Fixture construction
# ---------------------------------------------------------------------------

NX, NY = 6, 5
LON0, LAT0, DLON, DLAT = 121.4200, 31.2000, 0.0015, 0.0013
CATS = [  # id, zh, en, threshold, target, essential, radius_m, served groups
    ("wet_market", "菜场", "Wet market", 10, 0.99, 1, 1500.0, ("adult", "elderly")),
    ("elderly_canteen", "老年助餐点", "Elderly canteen", 5, 0.90, 1, 800.0, ("elderly",)),
    ("bus_stop", "公交站点", "Bus stop", 5, 1.0, 0, 450.0,
     ("pupil", "adult", "elderly")),
]
GROUPS = [("child", 0.8, 0.10), ("pupil", 1.1, 0.10), ("adult", 1.3, 0.55),
          ("elderly", 1.0, 0.25)]
SUBS = ["新华路街道", "天山路街道"]
# (category row, node, snap_cm) of the baseline facilities.
BASE_FAC = [(0, 0, 1200), (0, 17, 0), (1, 8, 500), (2, 2, 0), (2, 27, 300)]
# The scenario adds a canteen at node 22 and removes the bus stop at node 27.
SCEN_FAC = [(0, 0, 1200), (0, 17, 0), (1, 8, 500), (2, 2, 0), (1, 22, 800)]


def geodesic_cm(lon1, lat1, lon2, lat2):
    """Haversine distance in cm (R = 6371008.8 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return int(round(2 * 6371008.8 * math.asin(math.sqrt(a)) * 100))


def grid():
    """Nodes, edges (u, v, length_cm) and edge polylines of the test grid."""
    lon = np.array([LON0 + DLON * (i % NX) for i in range(NX * NY)])
    lat = np.array([LAT0 + DLAT * (i // NX) for i in range(NX * NY)])
    edges = []
    for r in range(NY):
        for c in range(NX):
            i = r * NX + c
            if c + 1 < NX:
                edges.append((i, i + 1))
            if r + 1 < NY:
                edges.append((i, i + NX))
    geoms, lengths = [], []
    for k, (u, v) in enumerate(edges):
        pts = [(lon[u], lat[u]), (lon[v], lat[v])]
        if k % 4 == 0:  # a bent street: one point off the middle, inwards
            mx, my = (lon[u] + lon[v]) / 2, (lat[u] + lat[v]) / 2
            if v == u + 1:  # horizontal street: bend in latitude
                my += 0.0002 if u // NX < NY - 1 else -0.0002
            else:           # vertical street: bend in longitude
                mx += 0.0002 if u % NX < NX - 1 else -0.0002
            pts = [pts[0], (mx, my), pts[1]]
        geoms.append(pts)
        lengths.append(sum(geodesic_cm(*pts[j], *pts[j + 1]) for j in range(len(pts) - 1)))
    return lon, lat, edges, geoms, np.array(lengths, dtype=np.int64)


def dijkstra(n, edges, lengths, sources):
    """Multi-source Dijkstra: distance (cm) and source index per node."""
    adj = [[] for _ in range(n)]
    for (u, v), w in zip(edges, lengths):
        adj[u].append((v, int(w)))
        adj[v].append((u, int(w)))
    dist = [math.inf] * n
    src = [-1] * n
    heap = []
    for k, (node, snap) in enumerate(sources):
        if snap < dist[node]:
            dist[node], src[node] = snap, k
            heapq.heappush(heap, (snap, node, k))
    while heap:
        d, x, k = heapq.heappop(heap)
        if d > dist[x]:
            continue
        for y, w in adj[x]:
            if d + w < dist[y]:
                dist[y], src[y] = d + w, k
                heapq.heappush(heap, (d + w, y, k))
    return dist, src


def wquantile(values, weights, q):
    """Weighted quantile: smallest value whose cumulative weight reaches q."""
    order = np.argsort(values)
    cum = np.cumsum(np.asarray(weights)[order])
    if cum[-1] == 0:
        return float("nan")
    k = int(np.searchsorted(cum, q * cum[-1]))
    return float(np.asarray(values)[order][k])


def node_subdistrict():
    """Columns 0-2 -> 新华路街道, columns 3-5 of rows 0-3 -> 天山路街道, rest -1."""
    sub = np.full(NX * NY, -1, dtype=np.int64)
    for i in range(NX * NY):
        r, c = divmod(i, NX)
        if c <= 2:
            sub[i] = 0
        elif r <= 3:
            sub[i] = 1
    return sub


def access(n, edges, lengths, facilities):
    """nearest_cm and nearest_facility (N x C) for a facility list."""
    nearest = np.full((n, len(CATS)), -1, dtype=np.int64)
    which = np.full((n, len(CATS)), -1, dtype=np.int64)
    for c, cat in enumerate(CATS):
        rows = [k for k, f in enumerate(facilities) if f[0] == c]
        dist, src = dijkstra(n, edges, lengths, [(facilities[k][1], facilities[k][2])
                                                 for k in rows])
        for i in range(n):
            if dist[i] <= cat[6] * 100:
                nearest[i, c] = dist[i]
                which[i, c] = rows[src[i]]
    return nearest, which


def covered_flags(nearest):
    """Independent covered test per node, category and group (loops)."""
    n = nearest.shape[0]
    out = np.zeros((n, len(CATS) * len(GROUPS)), dtype=bool)
    for i in range(n):
        for c, cat in enumerate(CATS):
            for g, (_, speed, _) in enumerate(GROUPS):
                d = nearest[i, c]
                out[i, c * len(GROUPS) + g] = 0 <= d <= cat[3] * 60 * speed * 100
    return out


def coverage(nearest, residents, sub):
    """Coverage datasets (R x ...) from per-node flags."""
    n_c, n_g, r_n = len(CATS), len(GROUPS), len(SUBS) + 1
    flags = covered_flags(nearest)
    rows = [sub == s for s in range(len(SUBS))] + [np.ones(len(sub), dtype=bool)]
    out = {k: np.zeros((r_n, n_c * n_g), dtype=np.int64) for k in ("covered",)}
    out["residents"] = np.zeros((r_n, n_g), dtype=np.int64)
    out["share"] = np.full((r_n, n_c * n_g), np.nan)
    out["median_min"] = np.full((r_n, n_c * n_g), np.nan)
    out["p90_min"] = np.full((r_n, n_c * n_g), np.nan)
    out["complete"] = np.zeros((r_n, n_g), dtype=np.int64)
    out["complete_share"] = np.full((r_n, n_g), np.nan)
    out["served_share"] = np.full((r_n, n_c), np.nan)
    out["pass"] = np.full((r_n, n_c), -1, dtype=np.int64)
    ess = [c for c, cat in enumerate(CATS) if cat[5]]
    for r, m in enumerate(rows):
        for g, (gid, speed, _) in enumerate(GROUPS):
            res_g = residents[m, g]
            out["residents"][r, g] = res_g.sum()
            allc = np.all([flags[m, c * n_g + g] for c in ess], axis=0)
            out["complete"][r, g] = res_g[allc].sum()
            if res_g.sum():
                out["complete_share"][r, g] = res_g[allc].sum() / res_g.sum()
            for c in range(n_c):
                k = c * n_g + g
                out["covered"][r, k] = res_g[flags[m, k]].sum()
                if res_g.sum():
                    out["share"][r, k] = out["covered"][r, k] / res_g.sum()
                    d = nearest[m, c].astype(float)
                    d[d < 0] = np.inf
                    mins = d / 100 / speed / 60
                    for key, q in (("median_min", 0.5), ("p90_min", 0.9)):
                        v = wquantile(mins, res_g, q)
                        out[key][r, k] = v if np.isfinite(v) else np.nan
        for c, cat in enumerate(CATS):
            served = [g for g, grp in enumerate(GROUPS) if grp[0] in cat[7]]
            tot = sum(out["residents"][r, g] for g in served)
            if tot:
                cov = sum(out["covered"][r, c * n_g + g] for g in served)
                out["served_share"][r, c] = cov / tot
                out["pass"][r, c] = int(cov / tot >= cat[4])
    return out, flags


def _str(values):
    """Fixed-length UTF-8 strings as h5py writes them for the C engine."""
    b = [v.encode("utf-8") for v in values]
    return np.array(b, dtype="S%d" % max(1, max((len(x) for x in b), default=1)))


def _ds(grp, name, data, units="1", desc="test"):
    """Create a dataset with units and description attributes."""
    ds = grp.create_dataset(name, data=data)
    ds.attrs["units"] = np.bytes_(units)
    ds.attrs["description"] = np.bytes_(desc)
    return ds


def write_scenario(grp, name, facilities, n, edges, lengths, residents, sub, rng,
                   optional):
    """Write /Scenarios/<name> and return its nearest_cm and coverage."""
    lon, lat = grid()[:2]
    s = grp.create_group(name)
    f = s.create_group("Facilities")
    _ds(f, "node", np.array([x[1] for x in facilities], dtype=np.int64))
    _ds(f, "category", np.array([x[0] for x in facilities], dtype=np.int64))
    # A facility lies a few metres from its node, towards the inside of the grid.
    _ds(f, "lon", np.array([lon[x[1]] + (0.00005 if x[1] % NX < NX - 1 else -0.00005)
                            for x in facilities]))
    _ds(f, "lat", np.array([lat[x[1]] + (0.00003 if x[1] // NX < NY - 1 else -0.00003)
                            for x in facilities]))
    _ds(f, "source", np.array([-1, -1, 0, -1, 0][:len(facilities)], dtype=np.int64))
    _ds(f, "source_id", _str(["node/%d" % (900 + k) for k in range(len(facilities))]))
    _ds(f, "name", _str(["%s %d号" % (CATS[x[0]][1], k) for k, x in enumerate(facilities)]))
    _ds(f, "snap_cm", np.array([x[2] for x in facilities], dtype=np.int64))
    _ds(f, "capacity", np.array([20, 30, 8, 0, 8][:len(facilities)], dtype=np.int64))
    _ds(f, "open_min", np.full(len(facilities), 360, dtype=np.int64))
    _ds(f, "close_min", np.full(len(facilities), 1200, dtype=np.int64))
    nearest, which = access(n, edges, lengths, facilities)
    a = s.create_group("NodeAccess")
    _ds(a, "nearest_cm", nearest, "cm")
    _ds(a, "nearest_facility", which)
    _ds(a, "count_within", (covered_flags(nearest)).astype(np.int64))
    cov, flags = coverage(nearest, residents, sub)
    c = s.create_group("Coverage")
    for key, val in cov.items():
        _ds(c, key, val)
    _ds(c, "row_name", _str(SUBS + ["all"]))
    if optional:
        nf, nt = len(facilities), 24
        t = s.create_group("Trips")
        m = 200
        cols = {"agent": np.arange(m), "group": rng.integers(0, 4, m),
                "category": rng.integers(0, 3, m), "origin": rng.integers(0, n, m),
                "facility": rng.integers(0, nf, m),
                "depart_s": rng.integers(6 * 3600, 20 * 3600, m),
                "wait_s": rng.integers(0, 900, m), "outcome": rng.integers(0, 4, m),
                "walk_cm": rng.integers(1000, 100000, m)}
        cols["arrive_s"] = cols["depart_s"] + 600
        for key, val in cols.items():
            _ds(t, key, val.astype(np.int64))
        ld = s.create_group("FacilityLoad")
        ld.attrs["bin_s"] = np.int64(3600)
        arrivals = rng.integers(0, 12, (nf, nt))
        arrivals[:, :6] = 0
        refused = np.minimum(arrivals, rng.integers(0, 3, (nf, nt)))
        _ds(ld, "arrivals", arrivals.astype(np.int64))
        _ds(ld, "served", (arrivals - refused).astype(np.int64))
        _ds(ld, "peak_queue", rng.integers(0, 6, (nf, nt)).astype(np.int64))
        _ds(ld, "refused", refused.astype(np.int64))
        rc = s.create_group("RealisedCoverage")
        realised = (cov["covered"] * 0.8).astype(np.int64)
        _ds(rc, "covered", realised)
        res_rep = np.tile(cov["residents"], (1, len(CATS)))
        # Every resident needs every category once in this fixture.
        _ds(rc, "needed", res_rep.astype(np.int64))
        _ds(rc, "share", np.where(res_rep > 0, realised / np.maximum(res_rep, 1), np.nan))
    s.attrs["complete"] = np.int64(1)
    return nearest, cov, flags


def build_results(path, optional=True):
    """Write the test results file; return a dict of fixture facts."""
    rng = np.random.default_rng(7)
    lon, lat, edges, geoms, lengths = grid()
    n = len(lon)
    sub = node_subdistrict()
    residents = rng.integers(0, 40, (n, len(GROUPS))).astype(np.int64)
    with h5py.File(path, "w", track_order=True) as f:
        h = f.create_group("Header")
        for k, v in (("kind", "results"), ("run_name", "xinhua-test"),
                     ("created", "2025-01-01T00:00:00Z"), ("status", "complete"),
                     ("attribution", ATTRIBUTION)):
            h.attrs[k] = np.bytes_(v.encode("utf-8"))
        for k, v in (("ranks", 2), ("threads", 1), ("seed", 42), ("partition_seed", 1)):
            h.attrs[k] = np.int64(v)
        c = f.create_group("Code")
        for k, v in (("version", "0.1.0"), ("git_revision", "abc1234"),
                     ("compiler", "gcc 12.2"), ("hdf5", "1.10.8"), ("mpi", "Open MPI 4.1.4")):
            c.attrs[k] = np.bytes_(v)
        p = f.create_group("Parameters")
        p.create_dataset("given", data=np.bytes_("run_name: xinhua-test\n".encode()))
        p.create_dataset("used", data=np.bytes_(
            "run_name: xinhua-test\nseed: 42\nsubdistrict: 新华路街道\n".encode("utf-8")))
        gn = f.create_group("Graph/nodes")
        _ds(gn, "lon", lon, "degree")
        _ds(gn, "lat", lat, "degree")
        _ds(gn, "osm_id", np.arange(1000, 1000 + n, dtype=np.int64))
        _ds(gn, "owner_rank", (np.arange(n) % 2).astype(np.int64))
        ge = f.create_group("Graph/edges")
        _ds(ge, "u", np.array([e[0] for e in edges], dtype=np.int64))
        _ds(ge, "v", np.array([e[1] for e in edges], dtype=np.int64))
        _ds(ge, "length_cm", lengths, "cm")
        _ds(ge, "cost_cm", lengths, "cm")
        _ds(ge, "osm_way_id", np.arange(5000, 5000 + len(edges), dtype=np.int64))
        off = np.concatenate(([0], np.cumsum([len(g) for g in geoms]))).astype(np.int64)
        _ds(ge, "geom_offset", off)
        _ds(ge, "geom_lon", np.array([pt[0] for g in geoms for pt in g]))
        _ds(ge, "geom_lat", np.array([pt[1] for g in geoms for pt in g]))
        cg = f.create_group("Categories")
        _ds(cg, "id", _str([x[0] for x in CATS]))
        _ds(cg, "name_zh", _str([x[1] for x in CATS]))
        _ds(cg, "name_en", _str([x[2] for x in CATS]))
        _ds(cg, "threshold_min", np.array([x[3] for x in CATS], dtype=np.int64))
        _ds(cg, "target_share", np.array([x[4] for x in CATS]))
        _ds(cg, "essential", np.array([x[5] for x in CATS], dtype=np.int64))
        _ds(cg, "radius_m", np.array([x[6] for x in CATS]))
        _ds(cg, "n_facilities", np.array([2, 1, 2], dtype=np.int64))
        gg = f.create_group("Groups")
        _ds(gg, "id", _str([x[0] for x in GROUPS]))
        _ds(gg, "speed_m_s", np.array([x[1] for x in GROUPS]))
        _ds(gg, "share", np.array([x[2] for x in GROUPS]))
        sd = f.create_group("Subdistricts")
        _ds(sd, "name", _str(SUBS))
        xm = LON0 + DLON * 2.5
        rings = [  # 新华路街道: columns 0-2; 天山路街道: columns 3-5, rows 0-3
            [(LON0, LAT0), (xm, LAT0), (xm, LAT0 + 4 * DLAT), (LON0, LAT0 + 4 * DLAT)],
            [(xm, LAT0), (LON0 + 5 * DLON, LAT0), (LON0 + 5 * DLON, LAT0 + 3.5 * DLAT),
             (xm, LAT0 + 3.5 * DLAT)],
        ]
        _ds(sd, "ring_offset", np.array([0, 4, 8], dtype=np.int64))
        _ds(sd, "ring_subdistrict", np.array([0, 1], dtype=np.int64))
        _ds(sd, "ring_lon", np.array([p[0] for r in rings for p in r]))
        _ds(sd, "ring_lat", np.array([p[1] for r in rings for p in r]))
        pg = f.create_group("Population")
        _ds(pg, "residents", residents)
        _ds(pg, "subdistrict", sub)
        sc = f.create_group("Scenarios", track_order=True)
        base = write_scenario(sc, "baseline", BASE_FAC, n, edges, lengths, residents,
                              sub, rng, optional)
        facts = {"lon": lon, "lat": lat, "residents": residents, "sub": sub,
                 "base_nearest": base[0], "base_cov": base[1], "n_edges": len(edges)}
        if optional:
            scen = write_scenario(sc, "add_canteen", SCEN_FAC, n, edges, lengths,
                                  residents, sub, rng, optional)
            # Comparisons by explicit loops over nodes.
            r_n, k_n = len(SUBS) + 1, len(CATS) * len(GROUPS)
            newly = np.zeros((r_n, k_n), dtype=np.int64)
            lost = np.zeros((r_n, k_n), dtype=np.int64)
            for i in range(n):
                for k in range(k_n):
                    w = residents[i, k % len(GROUPS)]
                    for r in ([sub[i]] if sub[i] >= 0 else []) + [r_n - 1]:
                        if scen[2][i, k] and not base[2][i, k]:
                            newly[r, k] += w
                        if base[2][i, k] and not scen[2][i, k]:
                            lost[r, k] += w
            cp = f.create_group("Comparisons/add_canteen")
            _ds(cp, "newly_covered", newly)
            _ds(cp, "no_longer_covered", lost)
            delta = np.where((base[0] >= 0) & (scen[0] >= 0), scen[0] - base[0], -1)
            _ds(cp, "delta_nearest_cm", delta.astype(np.int64))
            _ds(cp, "pass_before", base[1]["pass"])
            _ds(cp, "pass_after", scen[1]["pass"])
            facts.update(scen_nearest=scen[0], newly=newly, lost=lost)
    return facts


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The full results file (baseline + scenario + every optional group)."""
    d = tmp_path_factory.mktemp("full")
    path = str(d / "results.h5")
    facts = build_results(path, optional=True)
    return path, facts, d


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    """A results file with only the baseline and no agent-simulation groups."""
    d = tmp_path_factory.mktemp("minimal")
    path = str(d / "results.h5")
    facts = build_results(path, optional=False)
    return path, facts, d


def run(script, *args):
    """Run an analysis script with /usr/bin/python3; return the CompletedProcess."""
    return subprocess.run([PY, os.path.join(ANALYSIS, script)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=600)


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------

def is_position(p):
    """An RFC 7946 position: two finite numbers."""
    return (isinstance(p, list) and len(p) == 2 and
            all(isinstance(x, (int, float)) and math.isfinite(x) for x in p))


def check_geometry(g):
    """Assert that a GeoJSON geometry is valid for its type; return positions."""
    t, c = g["type"], g["coordinates"]
    if t == "Point":
        assert is_position(c)
        return [c]
    if t == "LineString":
        assert len(c) >= 2 and all(is_position(p) for p in c)
        return c
    if t == "Polygon":
        polys = [c]
    elif t == "MultiPolygon":
        polys = c
    else:
        raise AssertionError("unexpected geometry type %s" % t)
    pts = []
    for poly in polys:
        assert len(poly) >= 1
        for ring in poly:
            assert len(ring) >= 4 and ring[0] == ring[-1]
            assert all(is_position(p) for p in ring)
            pts += ring
    return pts


def read_csv(path):
    """(header, rows) of a CSV written with a BOM."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

def test_help():
    for script in ("report.py", "export.py"):
        p = run(script, "--help")
        assert p.returncode == 0 and "usage" in p.stdout.lower()


def test_not_a_results_file(tmp_path):
    txt = tmp_path / "notes.h5"
    txt.write_text("hello")
    p = run("report.py", txt, "-o", tmp_path / "out")
    assert p.returncode == 2 and "not an HDF5 file" in p.stderr and str(txt) in p.stderr
    graph = tmp_path / "graph.h5"
    with h5py.File(graph, "w") as f:
        f.create_group("Header").attrs["kind"] = np.bytes_(b"graph")
    for script, args in (("report.py", ("-o", tmp_path / "o2")),
                         ("export.py", ("--csv", tmp_path / "o3"))):
        p = run(script, graph, *args)
        assert p.returncode == 2, p.stderr
        assert "not a lifecircle results file" in p.stderr


def test_report_full(full):
    path, _, d = full
    out = d / "report"
    p = run("report.py", path, "-o", out)
    assert p.returncode == 0, p.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    for h in HEADINGS:
        assert "<h2>%s</h2>" % h in page, h
    import re
    imgs = re.findall(r'<img src="([^"]+)"', page)
    # 3 minutes maps, 2 gap maps (the essential categories), gains maps, the
    # baseline's load and realised charts (the scenario's load is in its tables).
    assert len(imgs) >= 3 + 2 + 1 + 1 + 1
    assert "load_baseline.png" in imgs and "load_add_canteen.png" not in imgs
    for img in imgs:
        assert (out / img).is_file() and (out / img).stat().st_size > 1000, img
    for cat in ("wet_market", "elderly_canteen", "bus_stop"):
        assert "minutes_%s.png" % cat in imgs
    assert sorted(i for i in imgs if i.startswith("gap_")) == [
        "gap_elderly_canteen.png", "gap_wet_market.png"]
    # The scenario changes canteens and bus stops, not wet markets.
    assert "gains_add_canteen_elderly_canteen.png" in imgs
    assert "gains_add_canteen_bus_stop.png" in imgs
    assert "gains_add_canteen_wet_market.png" not in imgs
    assert page.count(ATTRIBUTION) >= len(imgs) + 1
    for text in ("新华路街道", "天山路街道", "菜场", "老年助餐点", "Wet market",
                 "abc1234", "summed here over each category&#39;s served groups",
                 "subdistrict: 新华路街道"):
        assert text in page, text
    # Everything was computed except the agents' band (no sensitivity design).
    assert page.count("not computed in this run") == 1
    assert "band: not computed in this run (no sensitivity design)" in page


def test_report_minimal_says_what_is_missing(minimal):
    path, _, d = minimal
    out = d / "report"
    p = run("report.py", path, "-o", out)
    assert p.returncode == 0, p.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    for h in HEADINGS:
        assert "<h2>%s</h2>" % h in page, h
    assert "realised coverage (RealisedCoverage, agent simulation) was not computed" in page
    assert "facility load (FacilityLoad) was not computed in this run" in page
    assert "(Trips) were not computed in this run" in page
    assert "holds only the baseline" in page
    assert (out / "minutes_bus_stop.png").is_file()
    p = run("export.py", path, "--geojson", d / "gj", "--csv", d / "csv")
    assert p.returncode == 0, p.stderr
    assert (d / "csv" / "coverage.csv").is_file()
    assert not (d / "csv" / "comparison.csv").exists()
    assert "comparison.csv not written" in p.stderr


def test_incomplete_scenario_and_straight_edges(tmp_path):
    """Edges without polylines or cost, and a scenario that did not finish."""
    path = str(tmp_path / "r.h5")
    build_results(path, optional=False)
    with h5py.File(path, "a") as f:
        for key in ("geom_offset", "geom_lon", "geom_lat", "cost_cm"):
            del f["Graph/edges"][key]
        f["Scenarios"].create_group("half_done")  # no 'complete' attribute
    p = run("report.py", path, "-o", tmp_path / "rep")
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "incomplete scenarios (skipped)" in page and "half_done" in page
    p = run("export.py", path, "--geojson", tmp_path / "gj")
    assert p.returncode == 0, p.stderr
    with open(tmp_path / "gj" / "edges-baseline.geojson", encoding="utf-8") as fh:
        edges = json.load(fh)["features"]
    lon, lat = grid()[:2]
    assert edges[0]["geometry"]["coordinates"] == [[round(lon[0], 7), round(lat[0], 7)],
                                                    [round(lon[1], 7), round(lat[1], 7)]]
    assert edges[0]["properties"]["length_m"] == round(grid()[4][0] / 100, 2)


def test_geojson_valid(full):
    path, facts, d = full
    out = d / "geojson"
    p = run("export.py", path, "--geojson", out)
    assert p.returncode == 0, p.stderr
    lon, lat = facts["lon"], facts["lat"]
    eps = 1e-9
    bbox = (lon.min() - eps, lat.min() - eps, lon.max() + eps, lat.max() + eps)
    names = sorted(os.listdir(out))
    assert names == sorted(["%s-%s.geojson" % (k, s) for k in ("nodes", "edges", "facilities")
                            for s in ("baseline", "add_canteen")] + ["subdistricts.geojson"])
    for name in names:
        with open(out / name, encoding="utf-8") as fh:
            doc = json.load(fh)
        assert doc["type"] == "FeatureCollection" and doc["features"], name
        for feat in doc["features"]:
            assert feat["type"] == "Feature" and isinstance(feat["properties"], dict)
            for x, y in check_geometry(feat["geometry"]):
                assert bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3], (name, x, y)
    with open(out / "nodes-baseline.geojson", encoding="utf-8") as fh:
        nodes = json.load(fh)["features"]
    assert len(nodes) == len(lon)
    # [lon, lat] order, attributes against the fixture.
    n7 = nodes[7]
    assert n7["geometry"]["coordinates"] == [round(lon[7], 7), round(lat[7], 7)]
    assert n7["properties"]["osm_id"] == 1007
    assert n7["properties"]["subdistrict"] == "新华路街道"
    assert n7["properties"]["residents_elderly"] == int(facts["residents"][7, 3])
    # Minutes at the speed of the slowest served group: the elderly (1.0 m/s) for
    # all three categories.
    d_cm = facts["base_nearest"][7, 1]
    assert n7["properties"]["min_elderly_canteen"] == round(d_cm / 100 / 1.0 / 60, 2)
    assert n7["properties"]["min_wet_market"] == round(
        facts["base_nearest"][7, 0] / 100 / 1.0 / 60, 2)
    assert not any(k.startswith("min_") and k.count("_") > 2 and k.endswith("adult")
                   for k in n7["properties"])
    unreachable = [i for i in range(len(lon)) if facts["base_nearest"][i, 2] < 0]
    assert unreachable, "fixture should have nodes beyond the bus-stop radius"
    assert nodes[unreachable[0]]["properties"]["min_bus_stop"] is None
    outside = [i for i in range(len(lon)) if facts["sub"][i] < 0]
    assert nodes[outside[0]]["properties"]["subdistrict"] is None
    with open(out / "edges-baseline.geojson", encoding="utf-8") as fh:
        edges = json.load(fh)["features"]
    assert len(edges) == facts["n_edges"]
    assert len(edges[0]["geometry"]["coordinates"]) == 3  # the bent street
    e0 = edges[0]["properties"]
    assert (e0["u"], e0["v"]) == (0, 1)
    # The midpoint: min(d_u, d_v) + L / 2, at the elderly's 1.0 m/s.
    lengths = grid()[4]
    d0, d1 = facts["base_nearest"][0, 0], facts["base_nearest"][1, 0]
    assert e0["min_wet_market"] == round((min(d0, d1) + lengths[0] / 2) / 6000, 2)
    assert e0["status_wet_market"] == 0
    # Slim: geometry, ids, length, and per category minutes and data status.
    assert len(e0) == 5 + 2 * len(CATS)
    with open(out / "facilities-add_canteen.geojson", encoding="utf-8") as fh:
        # (every facility of the fixture is on the network)
        fac = json.load(fh)["features"]
    assert [f["properties"]["category"] for f in fac] == [
        "wet_market", "wet_market", "elderly_canteen", "bus_stop", "elderly_canteen"]
    assert fac[4]["properties"]["name_zh"] == "老年助餐点"
    assert fac[4]["properties"]["snap_m"] == 8.0
    assert fac[4]["properties"]["open"] == "06:00"
    with open(out / "subdistricts.geojson", encoding="utf-8") as fh:
        subs = json.load(fh)["features"]
    assert [s["properties"]["name"] for s in subs] == ["新华路街道", "天山路街道"]


def test_csv_bom_and_values(full):
    path, facts, d = full
    out = d / "csv"
    p = run("export.py", path, "--csv", out)
    assert p.returncode == 0, p.stderr
    for name in ("coverage", "served", "complete", "comparison", "realised", "facility_load",
                 "trips"):
        raw = (out / (name + ".csv")).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        header, rows = read_csv(out / (name + ".csv"))
        assert rows and all(len(r) == len(header) for r in rows), name
    header, rows = read_csv(out / "coverage.csv")
    # Both languages, the subdistrict named as such.
    assert header[:3] == ["scenario 情景", "subdistrict 街道", "category 类别"]
    ix = {h.split(" ")[0]: i for i, h in enumerate(header)}
    cov = facts["base_cov"]
    got = [r for r in rows if r[ix["scenario"]] == "baseline"
           and r[ix["subdistrict"]] == "新华路街道"
           and r[ix["category"]] == "elderly_canteen" and r[ix["group"]] == "elderly"]
    assert len(got) == 1
    assert got[0][ix["name_zh"]] == "老年助餐点"
    assert int(got[0][ix["covered"]]) == cov["covered"][0, 1 * 4 + 3]
    assert int(got[0][ix["residents"]]) == cov["residents"][0, 3]
    assert got[0][ix["served"]] == "1"
    header, rows = read_csv(out / "comparison.csv")
    ix = {h.split(" ")[0]: i for i, h in enumerate(header)}
    served_rows = 0
    for r in rows:
        row = (SUBS + ["all"]).index(r[ix["subdistrict"]])
        c = [x[0] for x in CATS].index(r[ix["category"]])
        if r[ix["group"]] == "served":
            # The headline: summed over the groups the category serves only.
            gs = [g for g, grp in enumerate(GROUPS) if grp[0] in CATS[c][7]]
            assert int(r[ix["newly_covered"]]) == sum(facts["newly"][row, c * 4 + g]
                                                      for g in gs)
            assert int(r[ix["no_longer_covered"]]) == sum(facts["lost"][row, c * 4 + g]
                                                          for g in gs)
            served_rows += 1
            continue
        g = [x[0] for x in GROUPS].index(r[ix["group"]])
        assert GROUPS[g][0] in CATS[c][7], "a group the category does not serve"
        assert int(r[ix["newly_covered"]]) == facts["newly"][row, c * 4 + g]
        assert int(r[ix["no_longer_covered"]]) == facts["lost"][row, c * 4 + g]
        assert r[ix["source"]] == "file"
    assert served_rows == len(CATS) * (len(SUBS) + 1)
    assert facts["newly"].sum() > 0 and facts["lost"].sum() > 0


def test_computed_comparison_matches_fixture(full):
    path, facts, _ = full
    with lc.Results(path) as res:
        assert res.scenario_names == ["baseline", "add_canteen"]
        got = lc.compute_comparison(res, res.scenario("baseline"),
                                    res.scenario("add_canteen"))
        assert got["source"] == "computed"
        np.testing.assert_array_equal(got["newly_covered"], facts["newly"])
        np.testing.assert_array_equal(got["no_longer_covered"], facts["lost"])
        added, removed = lc.facility_changes(res.scenario("baseline"),
                                             res.scenario("add_canteen"))
        assert added == [4] and removed == [4]


def test_segment_interpolation_by_hand(full):
    path, _, _ = full
    with lc.Results(path) as res:
        segs = lc.edge_segments(res)
        # Edge 1 is (0, 6): a straight vertical street, one piece, midpoint at 1/2.
        k = np.flatnonzero(segs["edge"] == 1)
        assert len(k) == 1 and abs(segs["frac"][k[0]] - 0.5) < 1e-9
        # Node 0 at 100 m, node 6 none: distance at the midpoint = 100 m + L/2.
        nearest = np.full(res.n_nodes, -1, dtype=np.int64)
        nearest[0] = 10000
        length = res.edges["cost_cm"][1]
        d = lc.segment_distance_cm(res, segs, nearest)
        assert abs(d[k[0]] - (10000 + length / 2)) < 1e-6
        nearest[6] = 0  # now node 6 is nearer: L/2 from the other side
        d = lc.segment_distance_cm(res, segs, nearest)
        assert abs(d[k[0]] - min(10000 + length / 2, length / 2)) < 1e-6
        # Edge 0 is bent (3 points): two pieces with midpoints at 1/4 and 3/4
        # (the bend sits symmetrically).
        k = np.flatnonzero(segs["edge"] == 0)
        assert len(k) == 2
        np.testing.assert_allclose(segs["frac"][k], [0.25, 0.75], atol=1e-6)


def test_subdistrict_polygon_holes():
    class Fake:  # pylint: disable=too-few-public-methods
        rings = [(0, np.array([0.0, 4, 4, 0]), np.array([0.0, 0, 4, 4])),
                 (0, np.array([1.0, 2, 2, 1]), np.array([1.0, 1, 2, 2])),
                 (1, np.array([5.0, 6, 6]), np.array([0.0, 0, 1]))]
    polys = lc.subdistrict_polygons(Fake())
    assert len(polys[0]) == 1 and len(polys[0][0]) == 2      # outer + hole
    assert polys[0][0][1][0] == polys[0][0][1][-1] == [1.0, 1.0]
    assert len(polys[1]) == 1 and len(polys[1][0][0]) == 4   # closed triangle


def test_map_not_blank_and_cjk(full, tmp_path):
    path, _, _ = full
    import lcplot
    from matplotlib.figure import Figure
    import matplotlib.image as mpimg
    family = lcplot.setup_cjk_font()
    assert "CJK" in family
    with lc.Results(path) as res:
        canvas = lcplot.MapCanvas(res, lc.edge_segments(res))
        base = res.scenario("baseline")
        png = str(tmp_path / "map.png")
        elderly = res.groups[3]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lcplot.minutes_map(canvas, base, res.categories[1], elderly, png)
            lcplot.gains_map(canvas, base, res.scenario("add_canteen"), res.categories[1],
                             elderly, str(tmp_path / "g.png"))
            lcplot.gap_map(canvas, base, res.categories[1], str(tmp_path / "gap.png"))
            # The canvas is reused: the second minutes map equals the first.
            lcplot.minutes_map(canvas, base, res.categories[1], elderly,
                               str(tmp_path / "again.png"))
        glyph = [str(w.message) for w in caught if "missing from" in str(w.message)]
        assert not glyph, glyph
    img = mpimg.imread(png)
    assert img.ndim == 3 and img.shape[0] > 300
    assert float(img[..., :3].var()) > 0.005
    # Coloured street pieces: some clearly green pixels (the 0-5 min class).
    rgb = img[..., :3]
    green = (rgb[..., 1] > 0.5) & (rgb[..., 0] < 0.4) & (rgb[..., 2] < 0.4)
    assert green.sum() > 50
    # The warning check is able to see a missing glyph: a Latin-only font
    # rendering the same title must warn.
    import matplotlib
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = Figure()
            fig.text(0.5, 0.5, "新华路街道", family="DejaVu Sans")
            fig.savefig(str(tmp_path / "latin.png"))
    assert any("missing from" in str(w.message) for w in caught)
    again = mpimg.imread(str(tmp_path / "again.png"))
    np.testing.assert_array_equal(img, again)


def test_missing_cjk_font_fails_clearly(full, tmp_path, monkeypatch, capsys):
    path = full[0]
    import lcplot
    import report
    monkeypatch.setattr(lcplot, "_FONT", None)
    monkeypatch.setattr(lcplot, "CJK_FAMILIES", ("No Such CJK Font",))
    monkeypatch.setattr(lcplot.font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(lcplot.FontError, match="fonts-noto-cjk"):
        lcplot.setup_cjk_font()
    assert report.main([path, "-o", str(tmp_path / "rep")]) == 3
    assert "fonts-noto-cjk" in capsys.readouterr().err


REAL = os.environ.get("LC_RESULTS_REAL")


@pytest.mark.skipif(not (REAL and os.path.isfile(REAL)),
                    reason="LC_RESULTS_REAL does not name a results file")
def test_real_results(tmp_path):
    p = run("report.py", REAL, "-o", tmp_path / "report")
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    for h in HEADINGS:
        assert "<h2>%s</h2>" % h in page, h
    p = run("export.py", REAL, "--geojson", tmp_path / "gj", "--csv", tmp_path / "csv")
    assert p.returncode == 0, p.stderr
    with lc.Results(REAL) as res:
        x0, y0, x1, y1 = res.bounds()
    with open(tmp_path / "gj" / "nodes-baseline.geojson", encoding="utf-8") as fh:
        doc = json.load(fh)
    for feat in doc["features"]:
        x, y = check_geometry(feat["geometry"])[0]
        assert x0 <= x <= x1 and y0 <= y <= y1
    assert (tmp_path / "csv" / "coverage.csv").read_bytes().startswith(b"\xef\xbb\xbf")
