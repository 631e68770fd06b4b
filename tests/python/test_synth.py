"""Tests of `lifecircle synth` against an independent measurement of the Xinhua network.

The calibration targets are recomputed here from the OSM file with xml.etree and networkx
(walkable ways, largest component, degree-2 chains contracted), and the synthetic city's
degree histogram, edge lengths (against geographiclib's WGS84 geodesic), connectivity,
determinism and its facility and population files are checked against them.
"""
import csv
import json
import math
import os
import subprocess
import xml.etree.ElementTree as ET

import h5py
import networkx as nx
import numpy as np
import pytest
import yaml
from geographiclib.geodesic import Geodesic
from matplotlib.path import Path
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

BIN = os.environ.get("LC_BIN", "build/lifecircle")
ROOT = os.environ.get("LC_ROOT", ".")
SHARED = os.environ.get("LIFECIRCLE_SHARED", os.path.join(ROOT, "..", "shared"))
XINHUA = os.path.join(SHARED, "data", "changning")
CATEGORIES = os.path.join(ROOT, "inputs", "categories.yml")
N = 10000
SEED = 11

# Walking profile used for the calibration: every highway except these classes, foot=no,
# and access=no unless foot allows it.
NOT_WALKABLE = {"construction", "proposed", "platform", "motorway", "motorway_link"}


def walkable(tags):
    hw = tags.get("highway")
    if hw is None or hw in NOT_WALKABLE or tags.get("foot") == "no":
        return False
    if tags.get("access") == "no" and tags.get("foot") not in ("yes", "designated", "permissive"):
        return False
    return True


def contract(graph):
    """Contracts chains of degree-2 nodes of a MultiGraph, summing lengths."""
    anchors = {v for v in graph if graph.degree(v) != 2}
    out = nx.MultiGraph()
    out.add_nodes_from(anchors)
    used = set()
    for s in anchors:
        for _, nb, key, data in graph.edges(s, keys=True, data=True):
            eid = (min(s, nb), max(s, nb), key)
            if eid in used:
                continue
            used.add(eid)
            length, cur = data["length"], nb
            while cur not in anchors:
                step = None
                for _, x, k2, d2 in graph.edges(cur, keys=True, data=True):
                    e2 = (min(cur, x), max(cur, x), k2)
                    if e2 not in used:
                        step = (x, d2["length"], e2)
                        break
                if step is None:
                    break
                used.add(step[2])
                length += step[1]
                cur = step[0]
            out.add_edge(s, cur, length=length)
    return out


@pytest.fixture(scope="module")
def xinhua():
    root = ET.parse(os.path.join(XINHUA, "xinhua-walk.osm")).getroot()
    coord = {int(n.get("id")): (float(n.get("lon")), float(n.get("lat")))
             for n in root.iter("node")}
    g = nx.MultiGraph()
    geod = Geodesic.WGS84
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if not walkable(tags):
            continue
        refs = [int(nd.get("ref")) for nd in way.iter("nd")]
        for a, b in zip(refs, refs[1:]):
            if a != b:
                (x1, y1), (x2, y2) = coord[a], coord[b]
                g.add_edge(a, b, length=geod.Inverse(y1, x1, y2, x2)["s12"])
    g = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    h = contract(g)
    deg = np.array([d for _, d in h.degree()])
    n = len(deg)
    shares = {1: np.mean(deg == 1), 2: np.mean(deg == 2), 3: np.mean(deg == 3),
              4: np.mean(deg == 4), 5: np.mean(deg >= 5)}
    lengths = np.array([d["length"] for _, _, d in h.edges(data=True)])
    # Contracted nodes inside the subdistrict polygon, for the residents-per-node density.
    with open(os.path.join(XINHUA, "xinhua-boundary.geojson")) as f:
        ring = json.load(f)["features"][0]["geometry"]["coordinates"][0]
    inside = Path(ring).contains_points(np.array([coord[v] for v in h]))
    with open(os.path.join(XINHUA, "population-facts.csv"), encoding="utf-8") as f:
        est = [r for r in csv.DictReader(f) if r["figure"] == "estimated residents 2020"]
    residents = float(est[0]["value"])
    return {"nodes": n, "shares": shares, "lengths": lengths,
            "residents_per_node": residents / int(inside.sum())}


def synth(out, seed=SEED, n=N, extra=()):
    cmd = [BIN, "synth", "--nodes", str(n), "--seed", str(seed), "-o", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    r = synth(d / "city.h5", extra=["--facilities", str(d / "fac.csv"), "--categories",
                                    CATEGORIES, "--population-dir", str(d / "pop")])
    assert r.returncode == 0, r.stderr
    with h5py.File(d / "city.h5", "r") as f:
        data = {k: f[k][()] for k in ("Graph/nodes/lon", "Graph/nodes/lat", "Graph/edges/u",
                                      "Graph/edges/v", "Graph/edges/length_cm",
                                      "Graph/edges/cost_cm")}
        data["kind"] = f["Header"].attrs["kind"]
    data["dir"] = d
    return data


def degrees(city):
    n = len(city["Graph/nodes/lon"])
    return np.bincount(city["Graph/edges/u"], minlength=n) + \
        np.bincount(city["Graph/edges/v"], minlength=n)


def test_calibration_is_the_documented_one(xinhua):
    # The figures in src/graph/synth.c came from the same measurement.
    assert xinhua["nodes"] == 969
    assert xinhua["shares"][1] == pytest.approx(0.194, abs=0.001)
    assert xinhua["shares"][3] == pytest.approx(0.684, abs=0.001)
    assert np.median(xinhua["lengths"]) == pytest.approx(53.7, abs=0.5)


def test_degree_histogram_matches_xinhua(city, xinhua):
    deg = degrees(city)
    n = len(deg)
    assert n == N  # exact node count
    assert city["kind"] in (b"graph", "graph")
    got = {1: np.mean(deg == 1), 2: np.mean(deg == 2), 3: np.mean(deg == 3),
           4: np.mean(deg == 4), 5: np.mean(deg >= 5)}
    assert np.all(deg >= 1)
    for k in (1, 2, 3, 4, 5):
        assert got[k] == pytest.approx(xinhua["shares"][k], abs=0.02), (k, got, xinhua["shares"])


def test_connected_and_simple(city):
    n = len(city["Graph/nodes/lon"])
    u, v = city["Graph/edges/u"], city["Graph/edges/v"]
    adj = coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    ncomp, _ = connected_components(adj, directed=False)
    assert ncomp == 1
    assert np.all(u != v)
    pairs = np.sort(np.stack([u, v], axis=1), axis=1)
    assert len(np.unique(pairs, axis=0)) == len(u)


def test_lengths_are_geodesic_and_like_xinhua(city, xinhua):
    lon, lat = city["Graph/nodes/lon"], city["Graph/nodes/lat"]
    u, v = city["Graph/edges/u"], city["Graph/edges/v"]
    length = city["Graph/edges/length_cm"]
    assert np.all(length >= 1)
    assert np.array_equal(length, city["Graph/edges/cost_cm"])
    geod = Geodesic.WGS84
    s = np.array([geod.Inverse(lat[a], lon[a], lat[b], lon[b])["s12"] for a, b in zip(u, v)])
    assert np.all(np.abs(length / 100.0 - s) <= np.maximum(0.01 * s, 0.01))
    # Around Shanghai.
    assert abs(np.mean(lon) - 121.43) < 0.05 and abs(np.mean(lat) - 31.20) < 0.05
    ref = xinhua["lengths"]
    for q in (25, 50, 75):
        assert np.percentile(length / 100.0, q) == pytest.approx(np.percentile(ref, q), rel=0.1)
    lg, lref = np.log(length / 100.0), np.log(ref)
    assert lg.mean() == pytest.approx(lref.mean(), abs=0.1)
    assert lg.std() == pytest.approx(lref.std(), abs=0.1)


def test_deterministic_per_seed(city, tmp_path):
    r = synth(tmp_path / "again.h5")
    assert r.returncode == 0, r.stderr
    r = synth(tmp_path / "other.h5", seed=SEED + 1)
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "again.h5", "r") as a, h5py.File(tmp_path / "other.h5", "r") as b:
        for k in ("Graph/nodes/lon", "Graph/nodes/lat", "Graph/edges/u", "Graph/edges/v",
                  "Graph/edges/length_cm"):
            assert np.array_equal(a[k][()], city[k]), k
        assert not np.array_equal(b["Graph/nodes/lon"][()], city["Graph/nodes/lon"])


def load_subdistricts(city):
    with open(city["dir"] / "pop" / "subdistricts.geojson") as f:
        gj = json.load(f)
    assert gj["type"] == "FeatureCollection"
    names, boxes = [], []
    for ft in gj["features"]:
        assert ft["geometry"]["type"] == "Polygon"
        ring = np.array(ft["geometry"]["coordinates"][0])
        assert len(ring) == 5 and np.array_equal(ring[0], ring[-1])
        names.append(ft["properties"]["name"])
        boxes.append((ring[:, 0].min(), ring[:, 0].max(), ring[:, 1].min(), ring[:, 1].max()))
    return names, np.array(boxes)


def test_facilities_inside_and_near_nodes(city):
    with open(CATEGORIES, encoding="utf-8") as f:
        ids = [c["id"] for c in yaml.safe_load(f)["categories"]]
    with open(city["dir"] / "fac.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == ["id", "category", "lon", "lat", "name"]
    per = {}
    for r in rows:
        per[r["category"]] = per.get(r["category"], 0) + 1
    # Default: one per 2,000 nodes for each category.
    assert per == {c: N // 2000 for c in ids}
    assert len({r["id"] for r in rows}) == len(rows)
    _, boxes = load_subdistricts(city)
    w, e, s, n = boxes[:, 0].min(), boxes[:, 1].max(), boxes[:, 2].min(), boxes[:, 3].max()
    flon = np.array([float(r["lon"]) for r in rows])
    flat = np.array([float(r["lat"]) for r in rows])
    assert np.all((flon > w) & (flon < e) & (flat > s) & (flat < n))
    # Within 20 m of a node: nearest in a local plane, then the geodesic.
    lon, lat = city["Graph/nodes/lon"], city["Graph/nodes/lat"]
    k = math.cos(math.radians(31.2))
    tree = cKDTree(np.stack([lon * k, lat], axis=1))
    _, idx = tree.query(np.stack([flon * k, flat], axis=1))
    geod = Geodesic.WGS84
    for i, j in enumerate(idx):
        assert geod.Inverse(flat[i], flon[i], lat[j], lon[j])["s12"] <= 20.05


def test_population_files(city, xinhua):
    names, boxes = load_subdistricts(city)
    side = round(math.sqrt(N / 1000))
    assert len(names) == side * side
    assert names == ["S%02d" % i for i in range(side * side)]
    lon, lat = city["Graph/nodes/lon"], city["Graph/nodes/lat"]
    count = np.zeros(len(names), dtype=np.int64)
    for i, (w, e, s, n) in enumerate(boxes):
        count[i] = np.sum((lon >= w) & (lon < e) & (lat >= s) & (lat < n))
    assert count.sum() == N  # every node in exactly one rectangle
    with open(city["dir"] / "pop" / "residents.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["subdistrict"] for r in rows] == names
    res = np.array([int(r["residents"]) for r in rows])
    assert np.all(res >= 0)
    # Residents follow the nodes, at Xinhua's residents per node.
    rpn = xinhua["residents_per_node"]
    assert np.all(np.abs(res - count * rpn) <= 0.5 + 1e-6 * res)
    with open(city["dir"] / "pop" / "density.csv", newline="") as f:
        dens = list(csv.DictReader(f))
    assert list(dens[0].keys()) == ["lon", "lat", "density"]
    d = np.array([[float(r["lon"]), float(r["lat"]), float(r["density"])] for r in dens])
    assert np.all(np.isfinite(d)) and np.all(d[:, 2] >= 0) and d[:, 2].sum() > 0


def test_usage_errors(tmp_path):
    r = synth(tmp_path / "x.h5", n=10)
    assert r.returncode == 2 and "--nodes" in r.stderr
    r = subprocess.run([BIN, "synth", "--nodes", "1000", "--seed", "1"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "required" in r.stderr
    r = synth(tmp_path / "x.h5", extra=["--per-category", "3"])
    assert r.returncode == 2 and "--facilities" in r.stderr
    r = synth(tmp_path / "x.h5", extra=["--facilities", str(tmp_path / "f.csv"),
                                        "--categories", str(tmp_path / "missing.yml")])
    assert r.returncode != 0 and "missing.yml" in r.stderr
    assert not (tmp_path / "x.h5").exists()
