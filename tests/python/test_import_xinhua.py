"""lifecircle import on the real Xinhua Road walking network, checked against an independent
oracle: the same OSM XML read with xml.etree, the same walking profile (inputs/profiles/
walk.yml read with PyYAML) applied in Python, geodesic lengths from GeographicLib (Karney's
algorithm, not the Vincenty code of the engine), components and degree-2 contraction with
networkx. The .osm and .pbf copies of the data must give the same graph, and so must an
import under mpiexec -n 2.

Environment (set by ctest): LC_BIN, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC."""
import os
import subprocess
import xml.etree.ElementTree as ET

import h5py
import networkx as nx
import numpy as np
import pytest
import yaml
from geographiclib.geodesic import Geodesic

BIN = os.environ.get("LC_BIN", "build/lifecircle")
ROOT = os.environ.get("LC_ROOT", ".")
SHARED = os.environ.get("LIFECIRCLE_SHARED", os.path.join(ROOT, "..", "shared"))
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
DATA = os.path.join(SHARED, "data", "changning")
OSM = os.path.join(DATA, "xinhua-walk.osm")
PBF = os.path.join(DATA, "xinhua-walk.osm.pbf")
POIS = os.path.join(DATA, "changning-pois.osm.pbf")
PROFILE = os.path.join(ROOT, "inputs", "profiles", "walk.yml")
CATEGORIES = os.path.join(ROOT, "inputs", "categories.yml")

GRAPH_SETS = ["nodes/lon", "nodes/lat", "nodes/osm_id", "edges/u", "edges/v",
              "edges/length_cm", "edges/cost_cm", "edges/osm_way_id", "edges/geom_offset",
              "edges/geom_lon", "edges/geom_lat"]

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}

pytestmark = pytest.mark.skipif(not os.path.exists(OSM), reason="shared data not present")


def run_import(inputs, out, profile=PROFILE, ranks=None):
    cmd = [BIN, "import"] + list(inputs) + ["-o", str(out), "--profile", str(profile),
                                            "--categories", CATEGORIES]
    if ranks:
        cmd = [MPIEXEC, "-n", str(ranks)] + cmd
    env = dict(os.environ, **MPI_ENV)
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    return res


def read_graph(path):
    with h5py.File(path, "r") as f:
        g = {name: f["Graph/" + name][()] for name in GRAPH_SETS}
        g["import"] = {k: int(v) for k, v in f["Import"].attrs.items()}
        g["n_categories"] = f["Categories/id"].shape[0]
        g["pois"] = {k: f["POIs/" + k][()] for k in ("lon", "lat", "osm_type", "osm_id",
                                                      "category")}
    return g


# ---- The oracle ------------------------------------------------------------------------

def load_profile(path):
    """The profile with every scalar as a string (BaseLoader keeps 'no' and 'yes' as text,
    as the engine's YAML reader does)."""
    with open(path, encoding="utf-8") as f:
        p = yaml.load(f, Loader=yaml.BaseLoader)
    return p


def way_factor(tags, prof):
    """The way's cost factor, or None when it is not walkable (profile semantics written
    independently from the file's header comment)."""
    hw = tags.get("highway")
    if hw is None or hw not in prof["highway"]:
        return None
    foot, access = tags.get("foot"), tags.get("access")
    foot_cfg, access_cfg = prof.get("foot", {}), prof.get("access", {})
    if foot is not None and foot in foot_cfg.get("forbid", []):
        return None
    foot_allows = foot is not None and foot in foot_cfg.get("allow", [])
    if not foot_allows and access is not None and access in access_cfg.get("forbid", []):
        return None
    f = float(prof["highway"][hw])
    for rule in prof.get("factors", []):
        if all(k in tags and (v == "*" or tags[k] == v) for k, v in rule["tags"].items()):
            f *= float(rule["factor"])
    return f


def oracle(path, prof):
    root = ET.parse(path).getroot()
    coords = {int(n.get("id")): (float(n.get("lon")), float(n.get("lat")))
              for n in root.iter("node")}
    geod = Geodesic.WGS84
    g = nx.MultiGraph()
    for w in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
        f = way_factor(tags, prof)
        if f is None:
            continue
        refs = [int(nd.get("ref")) for nd in w.iter("nd")]
        for a, b in zip(refs, refs[1:]):
            if a == b:
                continue
            (lon1, lat1), (lon2, lat2) = coords[a], coords[b]
            s = geod.Inverse(lat1, lon1, lat2, lon2)["s12"]
            g.add_edge(a, b, length=int(round(s * 100)), factor=f)
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    h = g.subgraph(comps[0])
    total = sum(d["length"] for _, _, d in g.edges(data=True))
    kept_len = sum(d["length"] for _, _, d in h.edges(data=True))

    # Contraction: a node stays when its degree is not 2 or its two edges differ in factor;
    # a chain that comes back to its start adds one node (its middle) and two edges.
    def stays(n):
        if h.degree(n) != 2:
            return True
        return len({d["factor"] for _, _, d in h.edges(n, data=True)}) > 1

    keep = {n for n in h.nodes if stays(n)}
    seen = set()
    chains, loops, cost = 0, 0, 0
    starts = sorted(keep) if keep else [min(h.nodes)]
    for s in starts:
        for _, t, k, d in h.edges(s, keys=True, data=True):
            key = (min(s, t), max(s, t), k)
            if key in seen:
                continue
            seen.add(key)
            length, factor, prev, cur = d["length"], d["factor"], key, t
            while cur not in keep and cur != s:
                nxt = [(cur, x, kk, dd) for _, x, kk, dd in h.edges(cur, keys=True, data=True)
                       if (min(cur, x), max(cur, x), kk) != prev]
                _, x, kk, dd = nxt[0]
                prev = (min(cur, x), max(cur, x), kk)
                seen.add(prev)
                length += dd["length"]
                cur = x
            if cur == s:
                loops += 1
                chains += 2
            else:
                chains += 1
            cost += int(round(length * factor))
    nodes = len(keep) + loops + (0 if keep else 1)
    return {"raw_nodes": h.number_of_nodes(), "raw_edges": h.number_of_edges(),
            "components": len(comps), "length_cm": kept_len,
            "dropped_length_cm": total - kept_len, "nodes": nodes, "edges": chains,
            "cost_cm": cost, "keep": keep, "all_nodes": g.number_of_nodes()}


# ---- Tests ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    d = tmp_path_factory.mktemp("xinhua")
    run_import([OSM], d / "osm.h5")
    run_import([PBF], d / "pbf.h5")
    return d


@pytest.fixture(scope="module")
def default_oracle():
    return oracle(OSM, load_profile(PROFILE))


def test_graph_matches_oracle(imported, default_oracle):
    g, o = read_graph(imported / "osm.h5"), default_oracle
    imp = g["import"]
    assert imp["raw_nodes"] == o["raw_nodes"]
    assert imp["raw_edges"] == o["raw_edges"]
    assert imp["components"] == o["components"]
    assert imp["dropped_nodes"] == o["all_nodes"] - o["raw_nodes"]
    # DESIGN.md: with private lanes the largest component has about 2,500 raw nodes.
    assert 2300 <= imp["raw_nodes"] <= 2700
    assert len(g["nodes/osm_id"]) == o["nodes"]
    assert len(g["edges/u"]) == o["edges"]
    length = int(g["edges/length_cm"].sum())
    assert abs(length - o["length_cm"]) <= 0.005 * o["length_cm"], (length, o["length_cm"])
    assert abs(imp["dropped_length_cm"] - o["dropped_length_cm"]) <= \
        0.005 * max(o["dropped_length_cm"], 1)
    cost = int(g["edges/cost_cm"].sum())
    assert abs(cost - o["cost_cm"]) <= 0.005 * o["cost_cm"], (cost, o["cost_cm"])
    # Every kept node is a node the oracle keeps, or the middle of a split ring.
    extra = set(int(x) for x in g["nodes/osm_id"]) - o["keep"]
    assert len(extra) == o["nodes"] - len(o["keep"])


def test_graph_invariants(imported):
    g = read_graph(imported / "osm.h5")
    u, v, n = g["edges/u"], g["edges/v"], len(g["nodes/osm_id"])
    assert np.all(u != v), "no self-loops"
    assert np.all((u >= 0) & (u < n) & (v >= 0) & (v < n))
    assert np.all(g["edges/length_cm"] >= 1)
    assert np.all(g["edges/cost_cm"] >= g["edges/length_cm"])
    assert np.all(np.diff(g["nodes/osm_id"]) > 0), "nodes in id order"
    # The graph is connected (only the largest component is kept).
    h = nx.MultiGraph()
    h.add_nodes_from(range(n))
    h.add_edges_from(zip(u.tolist(), v.tolist()))
    assert nx.is_connected(h)
    # Geometry: polylines start and end at their edge's nodes, and their geodesic length
    # (GeographicLib, per segment rounded to cm) equals length_cm exactly.
    off, glon, glat = g["edges/geom_offset"], g["edges/geom_lon"], g["edges/geom_lat"]
    assert off[0] == 0 and off[-1] == len(glon) and np.all(np.diff(off) >= 2)
    geod = Geodesic.WGS84
    for e in range(len(u)):
        a, b = off[e], off[e + 1]
        assert glon[a] == g["nodes/lon"][u[e]] and glat[a] == g["nodes/lat"][u[e]]
        assert glon[b - 1] == g["nodes/lon"][v[e]] and glat[b - 1] == g["nodes/lat"][v[e]]
        s = sum(int(round(100 * geod.Inverse(glat[k], glon[k], glat[k + 1],
                                             glon[k + 1])["s12"]))
                for k in range(a, b - 1))
        assert abs(s - g["edges/length_cm"][e]) <= (b - a - 1), (e, s, g["edges/length_cm"][e])


def test_osm_and_pbf_agree(imported):
    a, b = read_graph(imported / "osm.h5"), read_graph(imported / "pbf.h5")
    for name in GRAPH_SETS:
        assert np.array_equal(a[name], b[name]), name
    assert a["import"] == b["import"]


def test_mpi_two_ranks(imported, tmp_path):
    out = tmp_path / "mpi.h5"
    run_import([PBF], out, ranks=2)
    a, b = read_graph(imported / "pbf.h5"), read_graph(out)
    for name in GRAPH_SETS:
        assert np.array_equal(a[name], b[name]), name


def test_private_lanes_matter(imported, tmp_path):
    """Forbidding access=private (and foot=private) drops compound lanes: DESIGN.md says the
    largest component falls from about 2,500 to 2,000 raw nodes and loses about a quarter
    of its length. The engine and the oracle agree on the strict profile too."""
    prof = load_profile(PROFILE)
    for tag in ("foot", "access"):
        prof[tag]["allow"] = [x for x in prof[tag]["allow"] if x != "private"]
        prof[tag]["forbid"] = prof[tag]["forbid"] + ["private"]
    strict = tmp_path / "strict.yml"
    with open(strict, "w", encoding="utf-8") as f:
        yaml.safe_dump(prof, f, allow_unicode=True)
    out = tmp_path / "strict.h5"
    run_import([OSM], out, profile=strict)
    g, o = read_graph(out), oracle(OSM, load_profile(strict))
    imp = g["import"]
    assert imp["raw_nodes"] == o["raw_nodes"]
    assert len(g["nodes/osm_id"]) == o["nodes"]
    assert 1800 <= imp["raw_nodes"] <= 2200, imp["raw_nodes"]
    full = read_graph(imported / "osm.h5")
    ratio = g["edges/length_cm"].sum() / full["edges/length_cm"].sum()
    assert 0.6 <= ratio <= 0.85, ratio


def test_merge_with_pois(imported, tmp_path):
    """The roads and the district POI file together: the same graph, and POIs from nodes,
    ways and multipolygons, all placed (the POI file carries full geometry)."""
    out = tmp_path / "merged.h5"
    res = run_import([PBF, POIS], out)
    assert "changning-pois.osm.pbf: read 11470 nodes, 1088 ways, 18 relations" in res.stderr
    a, m = read_graph(imported / "pbf.h5"), read_graph(out)
    for name in GRAPH_SETS:
        assert np.array_equal(a[name], m[name]), name
    p = m["pois"]
    assert m["import"]["pois_unplaced"] == 0
    assert len(p["lon"]) > 1000
    assert set(np.unique(p["osm_type"]).tolist()) == {0, 1, 2}
    assert np.all((p["category"] >= 0) & (p["category"] < m["n_categories"]))
    assert np.all((p["lon"] > 121.31) & (p["lon"] < 121.47))
    assert np.all((p["lat"] > 31.16) & (p["lat"] < 31.26))
    # One row per (element, category): no duplicates.
    keys = set(zip(p["osm_type"].tolist(), p["osm_id"].tolist(), p["category"].tolist()))
    assert len(keys) == len(p["lon"])
    # Importing the POI file twice changes nothing (duplicates are kept once).
    out2 = tmp_path / "twice.h5"
    run_import([PBF, POIS, POIS], out2)
    q = read_graph(out2)["pois"]
    for k in p:
        assert np.array_equal(p[k], q[k]), k
