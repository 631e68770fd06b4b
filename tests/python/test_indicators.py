"""Planner-grade indicators on the real Xinhua Road run (its scenarios included), each
recomputed with numpy from the results file and the input files:

- served gains: /Comparisons/<s>/served_* and realised_served_* are the sums over the groups
  each category serves (taken from inputs/categories.yml, not from the file) of the static
  changes recomputed from NodeAccess and of the realised per-group tables;
- data status: no data where no facility of the category is on the network, thin below the
  categories file's expected density; no-data categories are NaN and -1 in every table and
  "no data" in compare's printout; the complete life circle over the essential categories
  that serve the group and have data;
- E2SFCA: per node and per subdistrict, against a numpy implementation on catchment lists
  rebuilt with scipy's Dijkstra;
- every new dataset identical at 1 and 4 ranks; an older results file without
  /Categories/serves is refused by compare with a message naming it."""
import os
import shutil

import h5py
import numpy as np
import pytest
import scipy.sparse
import yaml
from scipy.sparse.csgraph import dijkstra

from lctest import ROOT, compare_printout, run

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
CATEGORIES = os.path.join(ROOT, "inputs", "categories.yml")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("indicators")
    out = {}
    for ranks in (1, 4):
        path = str(d / ("r%d.h5" % ranks))
        run(["run", PARAMS, "-o", path], ranks=ranks)
        out[ranks] = path
    return out


def categories():
    with open(CATEGORIES, encoding="utf-8") as f:
        return yaml.safe_load(f)["categories"]


def serves_from_inputs(f):
    groups = [g.decode() for g in f["Groups/id"][:]]
    cats = categories()
    assert [c["id"] for c in cats] == [c.decode() for c in f["Categories/id"][:]]
    return np.array([[g in c["groups"] for g in groups] for c in cats], dtype=np.int64)


def scenarios(f):
    return [s for s in f["Scenarios"] if s != "baseline"]


def test_serves_written(runs):
    with h5py.File(runs[1], "r") as f:
        assert np.array_equal(f["Categories/serves"][:], serves_from_inputs(f))


def test_served_gains_equal_numpy(runs):
    """Static served gains from the nearest distances; realised ones from the per-group
    tables (themselves checked agent by agent in test_scenarios)."""
    with h5py.File(runs[1], "r") as f:
        serves = serves_from_inputs(f)
        res = f["Population/residents"][:]
        sub = f["Population/subdistrict"][:]
        thr = f["Categories/threshold_min"][:]
        speed = f["Groups/speed_m_s"][:]
        C, G = serves.shape
        R = f["Subdistricts/name"].shape[0] + 1
        base = f["Scenarios/baseline/NodeAccess/nearest_cm"][:]
        names = scenarios(f)
        assert len(names) >= 3
        for s in names:
            near = f["Scenarios/%s/NodeAccess/nearest_cm" % s][:]
            gain = np.zeros((R, C), np.int64)
            loss = np.zeros((R, C), np.int64)
            for c in range(C):
                for g in range(G):
                    if not serves[c, g]:
                        continue
                    lim = np.floor(thr[c] * 60 * speed[g] * 100 + 1e-6)
                    a = (base[:, c] >= 0) & (base[:, c] <= lim)
                    b = (near[:, c] >= 0) & (near[:, c] <= lim)
                    for r in range(R):
                        m = np.ones(len(sub), bool) if r == R - 1 else sub == r
                        gain[r, c] += res[m & b & ~a, g].sum()
                        loss[r, c] += res[m & a & ~b, g].sum()
            cmp = f["Comparisons/" + s]
            assert np.array_equal(cmp["served_newly_covered"][:], gain), s
            assert np.array_equal(cmp["served_no_longer_covered"][:], loss), s
            if "realised_newly_covered" not in cmp:
                # A scenario that changes the residents (housing) has no agent-by-agent
                # comparison: only the net change, as its attribute says.
                assert b"net change only" in cmp.attrs["realised"], s
                assert "realised_served_newly_covered" not in cmp, s
                continue
            for k in ("newly_covered", "no_longer_covered"):
                per = cmp["realised_" + k][:].reshape(R, C, G)
                assert np.array_equal(cmp["realised_served_" + k][:],
                                      (per * serves[None]).sum(axis=2)), (s, k)
        # The example: the canteens serve the elderly only.
        c = [x.decode() for x in f["Categories/id"][:]].index("elderly_canteen")
        cmp = f["Comparisons/canteens"]
        e = [g.decode() for g in f["Groups/id"][:]].index("elderly")
        assert cmp["served_newly_covered"][-1, c] == cmp["newly_covered"][-1, c * G + e] > 0
        assert cmp["served_newly_covered"][-1, c] < cmp["newly_covered"][-1, c * G:(c + 1) * G].sum()


def expected_status(f, scen):
    cats = categories()
    node = f["Scenarios/%s/Facilities/node" % scen][:]
    cat = f["Scenarios/%s/Facilities/category" % scen][:]
    people = f["Population/residents"][:].sum()
    out = []
    for c, k in enumerate(cats):
        n = int(((node >= 0) & (cat == c)).sum())
        exp = k.get("expected", {}).get("per_10k_residents", 0) * people / 1e4
        out.append(2 if n == 0 else 1 if n < exp else 0)
    return np.array(out)


def test_data_status_and_no_data_tables(runs):
    with h5py.File(runs[1], "r") as f:
        serves = serves_from_inputs(f)
        ess = f["Categories/essential"][:]
        res = f["Population/residents"][:]
        sub = f["Population/subdistrict"][:]
        thr = f["Categories/threshold_min"][:]
        speed = f["Groups/speed_m_s"][:]
        C, G = serves.shape
        for s in list(f["Scenarios"]):
            cov = f["Scenarios/%s/Coverage" % s]
            status = cov["data_status"][:]
            assert np.array_equal(status, expected_status(f, s)), s
            reason = [x.decode() if isinstance(x, bytes) else x
                      for x in cov["data_status_reason"][:]]
            for c in range(C):
                said = reason[c].startswith("no data"), reason[c].startswith("thin data")
                assert said == (status[c] == 2, status[c] == 1), (s, c)
                assert (reason[c] == "") == (status[c] == 0)
            none = status == 2
            # Xinhua: 9 categories have no data, and the baseline's wet markets are thin (the
            # market-closes scenario closes the one left, so it has none there).
            assert none.any()
            if s == "baseline":
                assert (status == 1).any()
            share = cov["share"][:].reshape(-1, C, G)
            for tab in ("share", "median_min", "p90_min"):
                t = cov[tab][:].reshape(-1, C, G)
                assert np.isnan(t[:, none, :]).all(), (s, tab)
            assert np.isnan(cov["served_share"][:][:, none]).all()
            assert (cov["pass"][:][:, none] == -1).all()
            # Categories with data and residents are measured (no NaN from no data).
            assert not np.isnan(share[-1][~none]).any()
            assert np.isin(cov["pass"][:][-1, ~none], [0, 1]).all()
            # Complete life circle over the essential categories that serve the group and
            # have data.
            cc = cov["complete_categories"][:]
            assert np.array_equal(cc, (ess.astype(bool) & ~none).astype(np.int64))
            near = f["Scenarios/%s/NodeAccess/nearest_cm" % s][:]
            ok = np.ones((len(sub), G), bool)
            for c in range(C):
                for g in range(G):
                    if cc[c] and serves[c, g]:
                        lim = np.floor(thr[c] * 60 * speed[g] * 100 + 1e-6)
                        ok[:, g] &= (near[:, c] >= 0) & (near[:, c] <= lim)
            comp = cov["complete"][:]
            for g in range(G):
                assert comp[-1, g] == res[ok[:, g], g].sum()
                assert comp[0, g] == res[ok[:, g] & (sub == 0), g].sum()
            missing = [(ess.astype(bool) & none & serves[:, g].astype(bool)).any()
                       for g in range(G)]
            cae, csh = cov["complete_all_essential"][:], cov["complete_share"][:]
            for g in range(G):
                if missing[g]:
                    assert np.isnan(cae[:, g]).all()
                else:
                    assert np.array_equal(cae[:, g], csh[:, g], equal_nan=True)
        for s in scenarios(f):
            for k in ("pass_before", "pass_after"):
                p = f["Comparisons/%s/%s" % (s, k)][:]
                st = f["Scenarios/%s/Coverage/data_status" % ("baseline" if k == "pass_before" else s)][:]
                assert (p[:, st == 2] == -1).all()


def catchment_lists(f, scen, k):
    """Per category, per node, the k best (distance, facility row) within the radius, from
    scipy's Dijkstra on the file's edges (the kernel's list semantics: ties to the lower
    row)."""
    n = f["Graph/nodes/lon"].shape[0]
    u, v = f["Graph/edges/u"][:], f["Graph/edges/v"][:]
    w = f["Graph/edges/cost_cm"][:].astype(float)
    best = {}
    for a, b, c in zip(u, v, w):
        key = (min(a, b), max(a, b))
        if a != b and (key not in best or c < best[key]):
            best[key] = c
    rows = [x[0] for x in best] + [x[1] for x in best]
    cols = [x[1] for x in best] + [x[0] for x in best]
    graph = scipy.sparse.csr_matrix((list(best.values()) * 2, (rows, cols)), shape=(n, n))
    node = f["Scenarios/%s/Facilities/node" % scen][:]
    cat = f["Scenarios/%s/Facilities/category" % scen][:]
    snap = f["Scenarios/%s/Facilities/snap_cm" % scen][:]
    radius = np.round(f["Categories/radius_m"][:] * 100)
    live = np.where(node >= 0)[0]
    nodes = np.unique(node[live])
    dist = dijkstra(graph, directed=False, indices=nodes)
    at = {x: i for i, x in enumerate(nodes)}
    out = []
    for c in range(len(radius)):
        facs = live[cat[live] == c]
        if len(facs) == 0:
            out.append((np.zeros((n, 0)), np.zeros((n, 0), int)))
            continue
        d = np.stack([dist[at[node[x]]] + snap[x] for x in facs]).T  # n x F_c
        d[d > radius[c]] = np.inf
        order = np.lexsort((np.broadcast_to(facs[None, :], d.shape), d), axis=1)[:, :k]
        dk = np.take_along_axis(d, order, axis=1)
        out.append((dk, facs[order]))
    return out


def e2sfca_numpy(f, scen, k):
    res = f["Population/residents"][:]
    sub = f["Population/subdistrict"][:]
    serves = serves_from_inputs(f)
    cap = f["Scenarios/%s/Facilities/capacity" % scen][:].astype(float)
    supply = np.where(cap > 0, cap, 1.0)
    radius = np.round(f["Categories/radius_m"][:] * 100)
    F, R = len(cap), f["Subdistricts/name"].shape[0] + 1
    C = len(radius)
    node_a = np.full((len(sub), C), np.nan)
    rows = np.full((R, C), np.nan)
    e = np.exp(-0.5)
    for c, (dk, fk) in enumerate(catchment_lists(f, scen, k)):
        if dk.shape[1] == 0:
            continue
        demand = (res * serves[c][None, :]).sum(axis=1).astype(float)
        wgt = np.where(np.isfinite(dk), (np.exp(-0.5 * (dk / radius[c]) ** 2) - e) / (1 - e), 0)
        wgt = np.clip(wgt, 0, None)
        fd = np.zeros(F)
        np.add.at(fd, fk[np.isfinite(dk)], (demand[:, None] * wgt)[np.isfinite(dk)])
        ratio = np.where(fd > 0, supply / np.where(fd > 0, fd, 1), 0)
        node_a[:, c] = 1000 * (ratio[fk] * wgt).sum(axis=1)
        for r in range(R):
            m = np.ones(len(sub), bool) if r == R - 1 else sub == r
            if demand[m].sum() > 0:
                rows[r, c] = (demand[m] * node_a[m, c]).sum() / demand[m].sum()
    return node_a, rows


@pytest.mark.parametrize("scen", ["baseline", "canteens"])
def test_e2sfca_against_numpy(runs, scen):
    params = yaml.safe_load(open(PARAMS, encoding="utf-8"))
    k = params.get("Accessibility", {}).get("k", 8)
    with h5py.File(runs[4], "r") as f:
        node_a, rows = e2sfca_numpy(f, scen, k)
        got_n = f["Scenarios/%s/NodeAccess/e2sfca" % scen][:]
        got_r = f["Scenarios/%s/Coverage/e2sfca" % scen][:]
        status = f["Scenarios/%s/Coverage/data_status" % scen][:]
    assert np.isnan(got_n[:, status == 2]).all() and np.isnan(got_r[:, status == 2]).all()
    assert np.isfinite(got_r[-1, status != 2]).all()
    assert np.allclose(got_n, node_a, rtol=1e-6, atol=1e-9, equal_nan=True)
    assert np.allclose(got_r, rows, rtol=1e-6, atol=1e-9, equal_nan=True)


def all_datasets(path, groups):
    out = {}
    with h5py.File(path, "r") as f:
        for g in groups:
            f[g].visititems(lambda n, o: out.__setitem__(g + "/" + n, o[()])
                            if isinstance(o, h5py.Dataset) else None)
    return out


def test_identical_at_1_and_4_ranks(runs):
    a = all_datasets(runs[1], ["/Categories", "/Scenarios", "/Comparisons"])
    b = all_datasets(runs[4], ["/Categories", "/Scenarios", "/Comparisons"])
    new = [k for k in a if k.endswith(("serves", "data_status", "complete_categories",
                                       "complete_all_essential", "e2sfca", "served_newly_covered",
                                       "served_no_longer_covered"))]
    assert len(new) > 20
    for key in new:
        x, y = a[key], b[key]
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), key


def test_compare_says_no_data_and_refuses_old_files(runs, tmp_path):
    copy = str(tmp_path / "c.h5")
    shutil.copy(runs[1], copy)
    p = run(["compare", copy, "--scenarios", "market-closes"], ranks=2)
    t = compare_printout(p.stdout)["market-closes"]
    assert "no data" in p.stdout
    with h5py.File(copy, "r") as f:
        lab = ["%s %s" % (z.decode(), e.decode()) for z, e in
               zip(f["Categories/name_zh"][:], f["Categories/name_en"][:])]
        status = f["Scenarios/baseline/Coverage/data_status"][:]
        for c in np.where(status == 2)[0]:
            assert "no data   %s" % lab[c] in p.stdout
        w = [x.decode() for x in f["Categories/id"][:]].index("wet_market")
        assert t["head"][("all", lab[w])][:2] == (0, int(f["Comparisons/market-closes/"
                                                           "served_no_longer_covered"][-1, w]))
        assert "thin      %s" % lab[w] in p.stdout
    # A file written before /Categories/serves existed.
    with h5py.File(copy, "a") as f:
        del f["Categories/serves"]
    bad = run(["compare", copy], ranks=2, check=False)
    assert bad.returncode != 0 and "/Categories/serves" in bad.stderr
