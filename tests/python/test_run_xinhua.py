"""The main job on the real Xinhua Road data: an independent oracle (scipy's Dijkstra) for
every node's nearest facility of every category, and bit-identical results at 1-4 ranks."""
import os

import h5py
import numpy as np
import pytest
import scipy.sparse
from scipy.sparse.csgraph import dijkstra

from lctest import ROOT, run

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The default run at 1, 2, 3 and 4 ranks (and 2 ranks x 2 threads)."""
    d = tmp_path_factory.mktemp("xinhua")
    out = {}
    for ranks, threads in [(1, 1), (2, 1), (3, 1), (4, 1), (2, 2)]:
        path = str(d / ("r%d_t%d.h5" % (ranks, threads)))
        run(["run", PARAMS, "-o", path], ranks=ranks, threads=threads)
        out[(ranks, threads)] = path
    return out


def datasets(path, group):
    with h5py.File(path, "r") as f:
        res = {}
        f[group].visititems(lambda n, o: res.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        return res


def test_identical_for_any_rank_count(runs):
    ref = datasets(runs[(1, 1)], "/Scenarios/baseline")
    assert "NodeAccess/nearest_cm" in ref and "Coverage/share" in ref
    for key, path in runs.items():
        other = datasets(path, "/Scenarios/baseline")
        assert sorted(other) == sorted(ref)
        for name, a in ref.items():
            b = other[name]
            if a.dtype.kind == "f":
                assert np.array_equal(a, b, equal_nan=True), (key, name)
            else:
                assert np.array_equal(a, b), (key, name)


def test_nearest_against_scipy(runs):
    """Every node x category: distance and facility equal a brute-force oracle built on
    scipy's Dijkstra from every facility node (ties to the lower facility row)."""
    with h5py.File(runs[(2, 1)], "r") as f:
        n = f["Graph/nodes/lon"].shape[0]
        u, v = f["Graph/edges/u"][:], f["Graph/edges/v"][:]
        w = f["Graph/edges/cost_cm"][:].astype(float)
        fac_node = f["Scenarios/baseline/Facilities/node"][:]
        fac_cat = f["Scenarios/baseline/Facilities/category"][:]
        snap = f["Scenarios/baseline/Facilities/snap_cm"][:]
        radius_cm = np.round(f["Categories/radius_m"][:] * 100).astype(np.int64)
        near = f["Scenarios/baseline/NodeAccess/nearest_cm"][:]
        near_fac = f["Scenarios/baseline/NodeAccess/nearest_facility"][:]
    # Parallel edges: keep the cheapest (a sparse matrix sums duplicates otherwise).
    best = {}
    for a, b, c in zip(u, v, w):
        key = (min(a, b), max(a, b))
        if a != b and (key not in best or c < best[key]):
            best[key] = c
    rows = [k[0] for k in best] + [k[1] for k in best]
    cols = [k[1] for k in best] + [k[0] for k in best]
    vals = list(best.values()) * 2
    graph = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    live = np.where(fac_node >= 0)[0]
    nodes = np.unique(fac_node[live])
    dist = dijkstra(graph, directed=False, indices=nodes)
    row_of = {x: i for i, x in enumerate(nodes)}
    checked = 0
    for c in range(near.shape[1]):
        facs = live[fac_cat[live] == c]
        if len(facs) == 0:
            assert (near[:, c] == -1).all() and (near_fac[:, c] == -1).all()
            continue
        # d[f, x] = snap + path; the best is the lexicographic minimum of (d, row).
        d = np.stack([dist[row_of[fac_node[fi]]] + snap[fi] for fi in facs])
        d[d > radius_cm[c]] = np.inf
        order = np.lexsort((np.broadcast_to(facs[:, None], d.shape), d), axis=0)[0]
        best_d = d[order, np.arange(n)]
        best_f = facs[order]
        reach = np.isfinite(best_d)
        assert np.array_equal(near[reach, c], best_d[reach].astype(np.int64)), c
        assert np.array_equal(near_fac[reach, c], best_f[reach]), c
        assert (near[~reach, c] == -1).all() and (near_fac[~reach, c] == -1).all()
        checked += int(reach.sum())
    assert checked > 5000


@pytest.mark.parametrize("scenario", ["baseline", "canteens", "market-closes", "crossing"])
def test_coverage_recomputed(runs, scenario):
    """Coverage recomputed in numpy from the node tables equals the file's, for the baseline
    and for every scenario (whose unchanged categories reuse the baseline's tables); the
    complete life circle over the essential categories serving the group that have data."""
    with h5py.File(runs[(3, 1)], "r") as f:
        base = "Scenarios/%s/" % scenario
        near = f[base + "NodeAccess/nearest_cm"][:]
        res = f["Population/residents"][:]
        sub = f["Population/subdistrict"][:]
        thr = f["Categories/threshold_min"][:]
        ess = f["Categories/essential"][:]
        speed = f["Groups/speed_m_s"][:]
        covered = f[base + "Coverage/covered"][:]
        complete = f[base + "Coverage/complete"][:]
        median = f[base + "Coverage/median_min"][:]
        residents = f[base + "Coverage/residents"][:]
        serves = f["Categories/serves"][:]
        fac_node = f[base + "Facilities/node"][:]
        fac_cat = f[base + "Facilities/category"][:]
    C, G = near.shape[1], res.shape[1]
    # The complete life circle of group g: the essential categories that serve g and have
    # data (a facility on the network).
    has_data = np.array([((fac_node >= 0) & (fac_cat == c)).any() for c in range(C)])
    assert residents[-1].sum() == res.sum() > 0
    for row, mask in [(0, sub == 0), (-1, np.ones(len(sub), bool))]:
        all_in = np.ones((len(sub), G), bool)
        for c in range(C):
            for g in range(G):
                lim = np.floor(thr[c] * 60 * speed[g] * 100 + 1e-6)
                inside = (near[:, c] >= 0) & (near[:, c] <= lim)
                if ess[c] and serves[c, g] and has_data[c]:
                    all_in[:, g] &= inside
                assert covered[row, c * G + g] == res[inside & mask, g].sum(), (c, g)
                # Median: upper edge of the 1-metre bin where half the residents are reached.
                w = res[mask, g]
                d = near[mask, c]
                if w.sum() == 0:
                    continue
                bins = np.where(d < 0, 10**9, d // 100)
                order = np.argsort(bins, kind="stable")
                cum = np.cumsum(w[order])
                at = bins[order][np.searchsorted(cum, 0.5 * w.sum())]
                expect = (at + 1) / (speed[g] * 60) if at < 10**9 else np.nan
                assert np.isclose(median[row, c * G + g], expect, equal_nan=True), (c, g)
        for g in range(G):
            assert complete[row, g] == res[all_in[:, g] & mask, g].sum()
