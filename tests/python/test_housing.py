"""Housing scenarios (population:add / population:remove) on the real Xinhua Road data: the
residents a scenario adds and removes per node and group equal an independent numpy
recomputation (nearest node by geographiclib, largest remainder over the groups and nodes);
the housing_* comparison tables equal a numpy recount of the new residents' coverage from
NodeAccess; the baseline's agents keep their ids and plans (and, with unlimited seats,
every trip) while the new residents' agents are numbered after them; `lifecircle compare`
writes the same tables; everything is identical at 1 to 4 ranks."""
import os
import re
import shutil

import h5py
import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from lctest import ROOT, run
from test_scenarios import drop_scenarios

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
HOUSING = os.path.join(ROOT, "inputs", "changning", "scenarios", "housing.yml")
CATEGORIES = os.path.join(ROOT, "inputs", "categories.yml")
# The example: 600 dwellings x 2.32 persons at this point (housing.yml).
POINT, RESIDENTS = (121.4262, 31.2052), round(600 * 2.32)
# The second scenario's polygon (a box inside Xinhua) and its explicit group mix.
BOX = (121.4230, 31.2080, 121.4250, 31.2095)
BOX_RESIDENTS, BOX_MIX = 300, {"adult": 0.6, "elderly": 0.4}


def params(tmp, files, categories=None, name="p.yml"):
    text = drop_scenarios(open(PARAMS, encoding="utf-8").read())
    if categories:
        text = text.replace("inputs/categories.yml", categories)
    text += "Scenarios:\n  files:\n" + "".join("    - %s\n" % f for f in files)
    path = os.path.join(str(tmp), name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def largest_remainder(total, w):
    """Hamilton's method, ties to the lower index (population.h)."""
    w = np.asarray(w, dtype=float)
    q = total * w / w.sum()
    out = np.floor(q).astype(np.int64)
    rem = q - out
    order = sorted(range(len(w)), key=lambda i: (-rem[i], i))
    for i in order[:total - out.sum()]:
        out[i] += 1
    return out


def nearest_node(f, lon, lat):
    nl, na = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
    d = [Geodesic.WGS84.Inverse(lat, lon, b, a)["s12"] for a, b in zip(nl, na)]
    return int(np.argmin(d)), min(d)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("housing")
    one = str(d / "one.h5")
    run(["run", params(d, [HOUSING], name="one.yml"), "-o", one], ranks=1)
    # A second scenario built on the baseline: half the residents of the most populated node
    # leave (their own group mix), and residents with a given mix move into a polygon.
    with h5py.File(one, "r") as f:
        pop = f["Population/residents"][:]
        i = int(np.argmax(pop.sum(axis=1)))
        lon, lat = float(f["Graph/nodes/lon"][i]), float(f["Graph/nodes/lat"][i])
    box = d / "box.geojson"
    x0, y0, x1, y1 = BOX
    box.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                   '"properties": {"name": "project"}, "geometry": {"type": "Polygon", '
                   '"coordinates": [[[%r, %r], [%r, %r], [%r, %r], [%r, %r], [%r, %r]]]}}]}'
                   % (x0, y0, x1, y0, x1, y1, x0, y1, x0, y0))
    removed = int(pop[i].sum() // 2)
    mixed = d / "mixed.yml"
    mixed.write_text("name: mixed\npopulation:\n  add:\n    - {within: box.geojson, residents: "
                     "%d, groups: {%s}}\n  remove:\n    - {lon: %r, lat: %r, residents: %d}\n"
                     % (BOX_RESIDENTS, ", ".join("%s: %r" % kv for kv in BOX_MIX.items()),
                        lon, lat, removed))
    files = [HOUSING, str(mixed)]
    out = {"one": one, "node": i, "removed": removed, "dir": d}
    for ranks in (2, 3, 4):
        out[ranks] = str(d / ("r%d.h5" % ranks))
        p = run(["run", params(d, files), "-o", out[ranks]], ranks=ranks)
        if ranks == 2:
            out["log"] = p.stdout + p.stderr
    # Unlimited seats everywhere: the new agents cannot delay the baseline's.
    cats = d / "categories-unlimited.yml"
    cats.write_text(re.sub(r"(?m)^(\s+capacity:)\s*\d+", r"\1 0",
                           open(CATEGORIES, encoding="utf-8").read()))
    out["unlimited"] = str(d / "unlimited.h5")
    run(["run", params(d, [HOUSING], categories=str(cats), name="u.yml"), "-o",
         out["unlimited"]], ranks=2)
    return out


def area_mix(f, node):
    """The baseline's residents per group of the node's subdistrict (all when outside)."""
    pop, sub = f["Population/residents"][:], f["Population/subdistrict"][:]
    s = sub[node]
    return pop[sub == s].sum(axis=0) if s >= 0 else pop[sub >= 0].sum(axis=0)


def test_example_adds_residents_at_the_snapped_node(runs):
    with h5py.File(runs[2], "r") as f:
        base = f["Population/residents"][:]
        scen = f["Scenarios/housing/Population/residents"][:]
        node, dist = nearest_node(f, *POINT)
        assert dist <= 300
        want = base.copy()
        want[node] += largest_remainder(RESIDENTS, area_mix(f, node))
        assert np.array_equal(scen, want)
        attrs = f["Scenarios/housing/Population"].attrs
        assert attrs["residents_added"] == RESIDENTS and attrs["residents_removed"] == 0
        assert attrs["illustrative"] == 1
        assert f["Comparisons/housing"].attrs["illustrative"] == 1
        # A scenario without population edits writes no Population group.
        assert "Population" not in f["Scenarios/baseline"]


def test_mixed_removal_and_polygon(runs):
    with h5py.File(runs[2], "r") as f:
        base = f["Population/residents"][:]
        scen = f["Scenarios/mixed/Population/residents"][:]
        gid = [g.decode() if isinstance(g, bytes) else g for g in f["Groups/id"][:]]
        lon, lat = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
    want = base.copy()
    i = runs["node"]
    want[i] -= largest_remainder(runs["removed"], base[i])
    x0, y0, x1, y1 = BOX
    inside = np.nonzero((lon > x0) & (lon < x1) & (lat > y0) & (lat < y1))[0]
    assert len(inside) > 1
    per_group = largest_remainder(BOX_RESIDENTS, [BOX_MIX.get(g, 0) for g in gid])
    for g, r in enumerate(per_group):
        want[inside, g] += largest_remainder(r, np.ones(len(inside)))
    assert np.array_equal(scen, want)
    assert (scen >= 0).all()


def housing_expected(f, scen):
    """The housing_* tables recounted with numpy from NodeAccess and the populations."""
    base = f["Population/residents"][:]
    pop = f["Scenarios/%s/Population/residents" % scen][:]
    near = f["Scenarios/%s/NodeAccess/nearest_cm" % scen][:]
    sub = f["Population/subdistrict"][:]
    thr = f["Categories/threshold_min"][:]
    ess = f["Categories/essential"][:].astype(bool)
    speed = f["Groups/speed_m_s"][:]
    S, C, G = f["Subdistricts/name"].shape[0], len(thr), len(speed)
    added, removed = np.maximum(pop - base, 0), np.maximum(base - pop, 0)
    limit = np.floor(thr[:, None] * 60 * speed[None, :] * 100 + 1e-6).astype(np.int64)
    within = (near[:, :, None] >= 0) & (near[:, :, None] <= limit[None])  # N x C x G
    covered = (within * added[:, None, :]).reshape(len(sub), C * G)
    # The complete life circle of group g: the essential categories that serve g and have
    # data in the scenario (Coverage/data_status 2: no facility on the network).
    serves = f["Categories/serves"][:].astype(bool)  # C x G
    nodata = f["Scenarios/%s/Coverage/data_status" % scen][:] == 2
    counted = ess[:, None] & serves & ~nodata[:, None]
    complete = np.stack([within[:, counted[:, g], g].all(axis=1) for g in range(G)],
                        axis=1) * added
    out = {k: np.zeros((S + 1, w), np.int64) for k, w in
           [("housing_added", G), ("housing_removed", G), ("housing_covered", C * G),
            ("housing_complete", G)]}
    for r in range(S + 1):
        m = sub == r if r < S else np.ones(len(sub), bool)
        out["housing_added"][r] = added[m].sum(axis=0)
        out["housing_removed"][r] = removed[m].sum(axis=0)
        out["housing_covered"][r] = covered[m].sum(axis=0)
        out["housing_complete"][r] = complete[m].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["housing_share"] = out["housing_covered"] / np.repeat(
            out["housing_added"][:, None, :], C, axis=1).reshape(S + 1, C * G)
        out["housing_complete_share"] = out["housing_complete"] / out["housing_added"]
    out["housing_share"][:, np.repeat(nodata, G)] = np.nan  # no data, not 0
    return out


def test_housing_tables_equal_numpy(runs):
    with h5py.File(runs[2], "r") as f:
        for scen in ("housing", "mixed"):
            want = housing_expected(f, scen)
            for k, v in want.items():
                got = f["Comparisons/%s/%s" % (scen, k)][:]
                assert np.allclose(got, v, equal_nan=True, rtol=0, atol=1e-12), (scen, k)
            assert want["housing_added"][-1].sum() == (RESIDENTS if scen == "housing"
                                                       else BOX_RESIDENTS)
        # The example's numbers appear in the log, labelled ILLUSTRATIVE.
    assert re.search(r"housing \(ILLUSTRATIVE\): 1392 residents added", runs["log"])
    assert re.search(r"housing \(ILLUSTRATIVE\): residents added by housing with a complete "
                     r"life circle", runs["log"])
    assert "mixed (ILLUSTRATIVE)" not in runs["log"]


def trips(f, scen):
    g = f["Scenarios/%s/Trips" % scen]
    return {k: g[k][:] for k in g}


def test_existing_agents_keep_their_plans(runs):
    with h5py.File(runs[2], "r") as f:
        nb = int(f["Scenarios/baseline/RealisedCoverage"].attrs["agents"])
        b, h = trips(f, "baseline"), trips(f, "housing")
        node, _ = nearest_node(f, *POINT)
        assert int(f["Scenarios/housing/RealisedCoverage"].attrs["agents"]) == nb + RESIDENTS
    old = h["agent"] < nb
    for k in ("agent", "origin", "group", "category", "trip_index"):
        assert np.array_equal(h[k][old], b[k]), k
    # The new residents' agents: ids after the baseline's, all living at the project.
    assert (h["origin"][~old] == node).all()
    assert np.unique(h["agent"][~old]).max() < nb + RESIDENTS


def test_existing_agents_trips_unchanged_with_unlimited_seats(runs):
    with h5py.File(runs["unlimited"], "r") as f:
        nb = int(f["Scenarios/baseline/RealisedCoverage"].attrs["agents"])
        b, h = trips(f, "baseline"), trips(f, "housing")
    old = h["agent"] < nb
    assert (~old).sum() > 0
    assert sorted(b) == sorted(h)
    for k in b:
        assert np.array_equal(h[k][old], b[k]), k


def all_datasets(path, group):
    res = {}
    with h5py.File(path, "r") as f:
        f[group].visititems(lambda n, o: res.__setitem__(n, o[()])
                            if isinstance(o, h5py.Dataset) else None)
    return res


def test_identical_at_1_to_4_ranks(runs):
    groups = ["/Scenarios/housing", "/Scenarios/mixed", "/Comparisons/housing",
              "/Comparisons/mixed"]
    ref = {g: all_datasets(runs[2], g) for g in groups}
    for ranks in (3, 4):
        for g in groups:
            other = all_datasets(runs[ranks], g)
            assert sorted(other) == sorted(ref[g]), (ranks, g)
            for k, v in ref[g].items():
                if k == "Graph" or "owner_rank" in k:
                    continue
                assert np.array_equal(v, other[k], equal_nan=v.dtype.kind == "f"), (ranks, g, k)
    for g in ["/Scenarios/housing", "/Comparisons/housing"]:
        one = all_datasets(runs["one"], g)
        for k, v in ref[g].items():
            assert np.array_equal(v, one[k], equal_nan=v.dtype.kind == "f"), (1, g, k)


def test_compare_command_writes_the_same(runs, tmp_path):
    path = str(tmp_path / "c.h5")
    shutil.copy(runs[2], path)
    run(["compare", path], ranks=3)
    for scen in ("housing", "mixed"):
        before = all_datasets(runs[2], "/Comparisons/" + scen)
        after = all_datasets(path, "/Comparisons/" + scen)
        for k, v in before.items():
            if k.startswith("housing_"):
                assert np.array_equal(v, after[k], equal_nan=v.dtype.kind == "f"), (scen, k)
