"""Imports the DIMACS rome99 benchmark graph and checks the graph file against an
independent parse of the .gr file: every node kept, one undirected edge per unordered pair
of nodes joined by an arc, with the smallest weight of those arcs (metres -> centimetres)."""
import os
import subprocess

import h5py
import numpy as np
import pytest

SHARED = os.environ.get("LIFECIRCLE_SHARED", "")
GR = os.path.join(SHARED, "data", "benchmarks", "rome99.gr")


def parse_gr(path):
    """Returns (n, m, {(a, b): min weight}) with a < b, 1-based, from the text itself."""
    n = m = None
    pairs = {}
    arcs = 0
    with open(path) as f:
        for line in f:
            t = line.split()
            if not t or t[0] == "c":
                continue
            if t[0] == "p":
                assert t[1] == "sp"
                n, m = int(t[2]), int(t[3])
            elif t[0] == "a":
                u, v, w = int(t[1]), int(t[2]), int(t[3])
                arcs += 1
                if u == v:
                    continue
                key = (min(u, v), max(u, v))
                pairs[key] = min(w, pairs.get(key, w))
    assert arcs == m
    return n, m, pairs


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    if not os.path.exists(GR):
        pytest.skip(f"{GR} not found (set LIFECIRCLE_SHARED)")
    out = tmp_path_factory.mktemp("rome99") / "rome99.h5"
    cmd = [os.environ["LC_BIN"], "import", GR, "-o", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return out


def test_rome99_nodes(imported):
    n, _, _ = parse_gr(GR)
    assert n == 3353
    with h5py.File(imported, "r") as f:
        osm_id = f["/Graph/nodes/osm_id"][:]
        lon = f["/Graph/nodes/lon"][:]
        lat = f["/Graph/nodes/lat"][:]
    assert len(osm_id) == 3353
    # Every DIMACS node number 1..N appears once (the whole graph is one component).
    assert sorted(osm_id.tolist()) == list(range(1, n + 1))
    # No .co file: coordinates are zero.
    assert np.all(lon == 0) and np.all(lat == 0)


def test_rome99_edges(imported):
    _, _, pairs = parse_gr(GR)
    with h5py.File(imported, "r") as f:
        osm_id = f["/Graph/nodes/osm_id"][:]
        u = f["/Graph/edges/u"][:]
        v = f["/Graph/edges/v"][:]
        length = f["/Graph/edges/length_cm"][:]
        cost = f["/Graph/edges/cost_cm"][:]
    assert len(u) == len(pairs) == 4831
    got = {}
    for a, b, w in zip(osm_id[u].tolist(), osm_id[v].tolist(), length.tolist()):
        key = (min(a, b), max(a, b))
        assert key not in got, f"edge {key} stored twice"
        got[key] = w
    assert got == {k: 100 * w for k, w in pairs.items()}
    assert np.array_equal(length, cost)
