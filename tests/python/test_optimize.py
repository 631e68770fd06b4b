"""`lifecircle optimize` on the real Xinhua Road data against an independent oracle: the
plain greedy maximal covering recomputed in numpy from scipy's Dijkstra (candidates: the
graph nodes inside the Xinhua polygon, found with matplotlib's point-in-polygon), the same
picks at 1 and 3 ranks, and the scenario it writes loads in `run`, where the residents it
newly covers equal the sum of the printed gains.

--recheck-agents: on the real data, the sites' load and the realised gain equal what `run`
finds for the written scenario (FacilityLoad, /Comparisons), identical at 1 and 3 ranks; on a
hand-made network (tests/fixtures/optimize) the load of the one site is counted by hand."""
import csv
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
                 BOUNDARY, "-o", prefix, "--recheck-agents"], ranks=ranks,
                threads=2 if ranks == 1 else 1)
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
    # The re-check too: GeoJSON properties and CSV.
    g1, g3 = (json.load(open(optimized[r][0] + ".geojson", encoding="utf-8")) for r in (1, 3))
    assert g1 == g3 and "recheck_agents" in g1
    c1, c3 = (open(optimized[r][0] + "-recheck.csv", encoding="utf-8").read() for r in (1, 3))
    assert c1 == c3


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
        # optimize's gain is compare's served gain: the groups the category serves only.
        served = f["Comparisons/opt1/served_newly_covered"][-1]
        assert served[c] == sum(g for _, g in picks) == sum(
            newly[c * G + g] for g in range(G) if f["Categories/serves"][c, g])
        fac = f["Scenarios/opt1/Facilities/node"][:]
        assert list(fac[-K:]) == [p[0] for p in picks]
        # The re-check simulated the same day as `run` does with the scenario: each site's
        # load, and the realised gain agent by agent.
        fc = json.load(open(prefix + ".geojson", encoding="utf-8"))
        L = "Scenarios/opt1/FacilityLoad/"
        n_fac = len(fac)
        for i, feat in enumerate(fc["features"]):
            p, row = feat["properties"], n_fac - K + i
            assert p["facility_row"] == row
            assert p["visits"] == f[L + "arrivals"][row].sum()
            assert p["served"] == f[L + "served"][row].sum()
            assert p["turned_away"] == f[L + "refused"][row].sum()
            assert p["peak_queue"] == f[L + "peak_queue"][row].max()
            assert p["capacity"] == f["Scenarios/opt1/Facilities/capacity"][row]
            assert p["over_capacity"] == (p["capacity"] > 0 and
                                          (p["peak_queue"] > 0 or p["turned_away"] > 0))
        rk = fc["recheck_agents"]
        rn = f["Comparisons/opt1/realised_served_newly_covered"][-1, c]
        rl = f["Comparisons/opt1/realised_served_no_longer_covered"][-1, c]
        assert (rk["realised_newly_covered"], rk["realised_no_longer_covered"]) == (rn, rl)
        cov = lambda s: f["Scenarios/%s/RealisedCoverage/covered" % s][-1, c * G:(c + 1) * G].sum()
        assert rk["realised_covered_before"] == cov("baseline")
        assert rk["realised_covered_after"] == cov("opt1")
        assert rk["static_newly_covered"] == sum(g for _, g in picks)


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


FIX = os.path.join(ROOT, "tests", "fixtures", "optimize")


def recheck(tmp, name, ranks=1, extra=(), params=None):
    """Runs optimize --recheck-agents on the hand-made fixture; returns the one site's
    GeoJSON properties, the collection's recheck_agents member, the CSV row and stdout."""
    prefix = str(tmp / name)
    p = run(["optimize", params or os.path.join(FIX, "params.yml"), "--category", "shop",
             "--k", "1", "--candidates", os.path.join(FIX, "candidates.geojson"),
             "--recheck-agents", "-o", prefix] + list(extra), ranks=ranks)
    fc = json.load(open(prefix + ".geojson", encoding="utf-8"))
    assert len(fc["features"]) == 1
    rows = list(csv.DictReader(open(prefix + "-recheck.csv", encoding="utf-8")))
    assert len(rows) == 1
    return fc["features"][0]["properties"], fc["recheck_agents"], rows[0], p.stdout


# The hand count (tests/fixtures/optimize/params.yml): 10 adults on node 1 leave at 08:00 for
# the only shop, the chosen site 111 m away (under the 5-minute threshold at 1 m/s), so all
# 10 arrive together. One seat, 10 minutes of service, at most 30 minutes of waiting: the
# first is served at once, the next three after 10, 20 and 30 minutes, the other six would
# wait 40 minutes or more and are turned away. Only the first is served within 5 minutes of
# leaving home.
N, SERVICE_MIN, MAX_WAIT_MIN = 10, 10, 30
SERVED = MAX_WAIT_MIN // SERVICE_MIN + 1
WAITS_MIN = [i * SERVICE_MIN for i in range(SERVED)]


def test_recheck_hand_count(tmp_path):
    from geographiclib.geodesic import Geodesic
    walk = Geodesic.WGS84.Inverse(31.2200, 121.4200, 31.2210, 121.4200)["s12"]
    assert walk < 5 * 60 * 1.0  # The site is within the threshold's walk.
    p, rk, row, out = recheck(tmp_path, "one", ranks=1)
    assert p["capacity"] == 1
    assert p["visits"] == N
    assert p["served"] == SERVED
    assert p["turned_away"] == N - SERVED
    assert p["gave_up"] == N - SERVED  # No other shop to fall back to.
    assert p["fallback_in"] == 0
    assert p["waited"] == SERVED - 1
    assert p["peak_queue"] == SERVED - 1
    assert p["peak_present"] == SERVED
    assert p["mean_wait_min"] == pytest.approx(sum(WAITS_MIN) / SERVED)
    assert p["max_wait_min"] == pytest.approx(max(WAITS_MIN))
    assert p["over_capacity"] is True
    assert "OVER CAPACITY" in out
    assert rk["static_newly_covered"] == N and rk["static_no_longer_covered"] == 0
    assert rk["realised_needed"] == N
    assert (rk["realised_covered_before"], rk["realised_covered_after"]) == (0, 1)
    assert (rk["realised_newly_covered"], rk["realised_no_longer_covered"]) == (1, 0)
    # The CSV says the same.
    assert int(row["visits"]) == N and int(row["served"]) == SERVED
    assert int(row["turned_away"]) == N - SERVED and int(row["over_capacity"]) == 1
    assert float(row["mean_wait_s"]) == pytest.approx(60 * sum(WAITS_MIN) / SERVED)
    assert int(row["max_wait_s"]) == 60 * max(WAITS_MIN)
    assert int(row["busy_s"]) == SERVED * SERVICE_MIN * 60
    # Identical at 2 ranks.
    p2, rk2, row2, _ = recheck(tmp_path, "two", ranks=2)
    assert (p2, rk2, row2) == (p, rk, row)


def test_recheck_enough_seats(tmp_path):
    """With 20 seats nobody waits, nothing is flagged, and every agent is served in time:
    the realised gain equals the static one."""
    p, rk, row, out = recheck(tmp_path, "seats", ranks=2, extra=["--capacity", "20"])
    assert p["capacity"] == 20 and p["visits"] == N and p["served"] == N
    assert p["turned_away"] == 0 and p["waited"] == 0 and p["peak_queue"] == 0
    assert p["peak_present"] == N and p["over_capacity"] is False
    assert "OVER CAPACITY" not in out
    assert rk["realised_newly_covered"] == rk["static_newly_covered"] == N
    with open(str(tmp_path / "seats.yml"), encoding="utf-8") as f:
        assert "capacity: 20" in f.read()


def test_recheck_fall_back(tmp_path):
    """A baseline shop B on node 4, 333 m from home (beyond the 5-minute walk, so the site
    still gains all 10): the six agents turned away at the site fall back to B instead of
    giving up there; in the baseline all ten walk to B and none is served in time."""
    layer = tmp_path / "b.csv"
    layer.write_text("id,name,lon,lat\nB,shop B,121.4200,31.2230\n")
    text = open(os.path.join(FIX, "params.yml"), encoding="utf-8").read()
    text = text.replace("  pois: false\n", "  pois: false\n  layers:\n    - file: %s\n"
                        "      crs: wgs84\n      category: shop\n" % layer)
    params = tmp_path / "p.yml"
    params.write_text(text)
    p, rk, _, _ = recheck(tmp_path, "fb", ranks=2, params=str(params))
    assert p["visits"] == N and p["served"] == SERVED and p["turned_away"] == N - SERVED
    assert p["gave_up"] == 0 and p["over_capacity"] is True
    assert rk["static_newly_covered"] == N
    assert (rk["realised_covered_before"], rk["realised_covered_after"]) == (0, 1)


def test_recheck_bad_capacity(tmp_path):
    bad = run(["optimize", os.path.join(FIX, "params.yml"), "--category", "shop", "--k", "1",
               "--candidates", os.path.join(FIX, "candidates.geojson"), "--capacity", "-3"],
              ranks=1, check=False)
    assert bad.returncode == 2 and "--capacity" in bad.stderr
