"""`lifecircle optimize` on the real Xinhua Road data against an independent oracle: the
plain greedy maximal covering recomputed in numpy from scipy's Dijkstra (candidates: the
graph nodes inside the Xinhua polygon, found with matplotlib's point-in-polygon), the same
picks at 1 and 3 ranks, and the scenario it writes loads in `run`, where the residents it
newly covers equal the sum of the printed gains."""
import json
import os

import h5py
import numpy as np
import pytest
import scipy.sparse
import yaml
from matplotlib.path import Path
from scipy.sparse.csgraph import dijkstra

from lctest import ROOT, run, shared

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
BOUNDARY = shared("data", "changning", "xinhua-boundary.geojson")
CAT = "elderly_canteen"
K = 4


def drop_scenarios(text):
    """The parameter text without its top-level Scenarios section (if any)."""
    out, skip = [], False
    for line in text.split("\n"):
        if line and not line[0].isspace() and not line.startswith("#"):
            skip = line.startswith("Scenarios:")
        if not skip:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def params_with(tmp, files):
    text = drop_scenarios(open(PARAMS, encoding="utf-8").read())
    if files:
        text += "Scenarios:\n  files:\n" + "".join("    - %s\n" % f for f in files)
    path = os.path.join(str(tmp), "p.yml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def read_picks(prefix):
    with open(prefix + ".geojson", encoding="utf-8") as f:
        fc = json.load(f)
    return [(p["properties"]["node"], p["properties"]["gain"]) for p in fc["features"]]


@pytest.fixture(scope="module")
def optimized(tmp_path_factory):
    d = tmp_path_factory.mktemp("opt")
    out = {}
    for ranks in (1, 3):
        prefix = str(d / ("opt%d" % ranks))
        p = run(["optimize", PARAMS, "--category", CAT, "--k", str(K), "--candidates-in",
                 BOUNDARY, "-o", prefix], ranks=ranks, threads=2 if ranks == 1 else 1)
        out[ranks] = (prefix, p.stdout)
    base = str(d / "base.h5")
    run(["run", params_with(d, []), "-o", base], ranks=2)
    out["base"] = base
    out["dir"] = d
    return out


def test_same_picks_any_rank_count(optimized):
    a, b = read_picks(optimized[1][0]), read_picks(optimized[3][0])
    assert len(a) == K and a == b
    with open(optimized[1][0] + ".yml", encoding="utf-8") as f:
        y1 = f.read()
    with open(optimized[3][0] + ".yml", encoding="utf-8") as f:
        assert f.read().replace("opt3", "opt1") == y1


def test_against_numpy_greedy(optimized):
    """Plain greedy on cover sets from scipy: same nodes, same gains."""
    cats = yaml.safe_load(open(os.path.join(ROOT, "inputs", "categories.yml"), encoding="utf-8"))
    entry = [c for c in cats["categories"] if c["id"] == CAT][0]
    served = entry["groups"]
    with h5py.File(optimized["base"], "r") as f:
        ids = [c.decode() for c in f["Categories/id"][:]]
        c = ids.index(CAT)
        groups = [g.decode() for g in f["Groups/id"][:]]
        speed = f["Groups/speed_m_s"][:]
        thr = f["Categories/threshold_min"][c]
        lon, lat = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
        u, v, w = f["Graph/edges/u"][:], f["Graph/edges/v"][:], f["Graph/edges/cost_cm"][:]
        res = f["Population/residents"][:]
        near = f["Scenarios/baseline/NodeAccess/nearest_cm"][:, c]
    n, G = len(lon), len(groups)
    limit = np.array([np.floor(thr * 60 * speed[g] * 100 + 1e-9) if groups[g] in served else -1
                      for g in range(G)], dtype=np.int64)
    covered0 = (near[:, None] >= 0) & (near[:, None] <= limit[None, :])
    weight = np.where(covered0 | (limit[None, :] < 0), 0, res)
    with open(BOUNDARY, encoding="utf-8") as f:
        gj = json.load(f)
    inside = np.zeros(n, bool)
    for feat in gj["features"]:
        geom = feat["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for poly in polys:
            ring_in = np.zeros(n, bool)
            for ring in poly:  # Even-odd over all rings, as geom_contains.
                ring_in ^= Path(np.array(ring)).contains_points(np.c_[lon, lat])
            inside |= ring_in
    cand = np.where(inside)[0]
    M = np.full((n, n), np.inf)
    np.minimum.at(M, (np.r_[u, v], np.r_[v, u]), np.r_[w, w].astype(float))
    M[np.isinf(M)] = 0
    D = dijkstra(scipy.sparse.csr_matrix(M), directed=True, indices=cand)
    reach = D[:, :, None] <= limit[None, None, :]  # cand x node x group
    cov = np.zeros((n, G), bool)
    picks = []
    for _ in range(K):
        gains = (reach & ~cov[None]) .astype(np.int64)
        gains = (gains * weight[None]).sum(axis=(1, 2))
        j = int(np.argmax(gains))  # First maximum: the lowest candidate id.
        if gains[j] <= 0:
            break
        picks.append((int(cand[j]), int(gains[j])))
        cov |= reach[j]
    assert read_picks(optimized[1][0]) == picks


def test_scenario_round_trip(optimized, tmp_path):
    """The scenario file loads in run; the residents of the served groups it newly covers
    equal the sum of the gains."""
    prefix = optimized[1][0]
    picks = read_picks(prefix)
    out = str(tmp_path / "r.h5")
    run(["run", params_with(tmp_path, [prefix + ".yml"]), "-o", out], ranks=2)
    with h5py.File(out, "r") as f:
        ids = [c.decode() for c in f["Categories/id"][:]]
        groups = [g.decode() for g in f["Groups/id"][:]]
        c, G = ids.index(CAT), len(groups)
        e = groups.index("elderly")
        newly = f["Comparisons/opt1/newly_covered"][-1]
        assert newly[c * G + e] == sum(g for _, g in picks)
        fac = f["Scenarios/opt1/Facilities/node"][:]
        assert list(fac[-K:]) == [p[0] for p in picks]


def test_candidates_file_and_errors(optimized, tmp_path):
    d = tmp_path
    # Three candidate points: two at graph nodes, one 2 km away (dropped when snapping).
    with h5py.File(optimized["base"], "r") as f:
        lon, lat = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
    pts = [(lon[10], lat[10], "a"), (lon[500], lat[500], "b"), (121.3, 31.1, "far")]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": i},
         "geometry": {"type": "Point", "coordinates": [float(x), float(y)]}} for x, y, i in pts]}
    cand = d / "cands.geojson"
    cand.write_text(json.dumps(fc))
    prefix = str(d / "pick")
    p = run(["optimize", PARAMS, "--category", CAT, "--k", "3", "--candidates", str(cand),
             "-o", prefix], ranks=2)
    got = read_picks(prefix)
    assert 1 <= len(got) <= 2 and {g[0] for g in got} <= {10, 500}
    assert "far" not in open(prefix + ".geojson", encoding="utf-8").read()
    bad = run(["optimize", PARAMS, "--category", "bakery", "--k", "2", "--candidates",
               str(cand)], ranks=2, check=False)
    assert bad.returncode == 2 and "bakery" in bad.stderr
    bad = run(["optimize", PARAMS, "--category", CAT, "--k", "2"], ranks=1, check=False)
    assert bad.returncode == 2 and "--candidates" in bad.stderr
    bad = run(["optimize", PARAMS, "--category", CAT, "--k", "0", "--candidates", str(cand)],
              ranks=1, check=False)
    assert bad.returncode == 2
