"""Scenarios on the real Xinhua Road data: a scenario without edits changes nothing; the
/Comparisons tables equal numpy recomputations from the scenario datasets (static ones from
NodeAccess, realised ones agent by agent from the Trips tables, facility load changes from
FacilityLoad); `lifecircle compare` on a file gives the tables `run` wrote and prints them;
a removed facility and an added crossing change exactly what an independent oracle (scipy's
Dijkstra on the edited edge list, the link's length from geographiclib) says; bad scenarios
fail naming file and line."""
import re
import os
import shutil

import h5py
import numpy as np
import pytest
import scipy.sparse
from geographiclib.geodesic import Geodesic
from scipy.sparse.csgraph import dijkstra

from lctest import ROOT, compare_printout, run

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
EXAMPLES = os.path.join(ROOT, "inputs", "changning", "scenarios")
NAMES = ["noop", "canteens", "market-closes", "crossing"]


def drop_scenarios(text):
    """The parameter text without its top-level Scenarios section (if any)."""
    out, skip = [], False
    for line in text.split("\n"):
        if line and not line[0].isspace() and not line.startswith("#"):
            skip = line.startswith("Scenarios:")
        if not skip:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def params_with(tmp, files, name="p.yml"):
    """The Xinhua parameters with Scenarios:files replaced by `files`."""
    text = drop_scenarios(open(PARAMS, encoding="utf-8").read())
    text += "Scenarios:\n  files:\n" + "".join("    - %s\n" % f for f in files)
    path = os.path.join(str(tmp), name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("scen")
    noop = d / "noop.yml"
    noop.write_text("name: noop\ndescription: no edits\n")
    files = [str(noop)] + [os.path.join(EXAMPLES, n + ".yml") for n in NAMES[1:]]
    out = str(d / "r.h5")
    run(["run", params_with(d, files), "-o", out], ranks=2)
    return out


def read_all(path, group):
    res = {}
    with h5py.File(path, "r") as f:
        f[group].visititems(lambda n, o: res.__setitem__(n, o[()])
                            if isinstance(o, h5py.Dataset) else None)
    return res


def test_noop_equals_baseline(results):
    base = read_all(results, "/Scenarios/baseline")
    noop = read_all(results, "/Scenarios/noop")
    assert sorted(base) == sorted(noop)
    for k, a in base.items():
        assert np.array_equal(a, noop[k], equal_nan=a.dtype.kind == "f"), k
    cmp = read_all(results, "/Comparisons/noop")
    for k in ["newly_covered", "no_longer_covered", "delta_nearest_cm", "reach_change",
              "realised_newly_covered", "realised_no_longer_covered",
              "realised_covered_change", "facility_load_change"]:
        assert not cmp[k].any(), k
    assert cmp["facility_load_after"].any()  # The agents did visit facilities.
    assert np.array_equal(cmp["pass_before"], cmp["pass_after"])


def test_unchanged_categories_map_to_the_baseline(results):
    """A scenario stores only the categories it changes (by hand: the canteens scenario
    touches elderly canteens only, the market closure markets only, the noop nothing); its
    NodeAccess tables are virtual datasets whose other columns read the baseline's, and the
    data read through them equal a plain table of the scenario's own values."""
    with h5py.File(results, "r") as f:
        cats = [c.decode() for c in f["Categories/id"][:]]
        G = f["Groups/id"].shape[0]
        touched = {"canteens": ["elderly_canteen"], "market-closes": ["wet_market"], "noop": []}
        for scen, want in touched.items():
            g = f["Scenarios/%s/NodeAccess" % scen]
            for t, w in [("nearest_cm", 1), ("nearest_facility", 1), ("count_within", G)]:
                d = g[t]
                assert d.is_virtual, (scen, t)
                stored = [cats[b] for b in g["stored/%s_blocks" % t][:]] if want else []
                assert stored == want, (scen, t, stored)
                base = f["Scenarios/baseline/NodeAccess/" + t][:]
                full = d[:]
                for c in range(len(cats)):
                    cols = slice(c * w, (c + 1) * w)
                    if cats[c] in want:
                        j = stored.index(cats[c])
                        assert np.array_equal(full[:, cols],
                                              g["stored/" + t][:, j * w:(j + 1) * w])
                    else:
                        assert np.array_equal(full[:, cols], base[:, cols]), (scen, t, c)
                srcs = {s.dset_name for s in d.virtual_sources()}
                assert srcs <= {"/Scenarios/baseline/NodeAccess/" + t,
                                "/Scenarios/%s/NodeAccess/stored/%s" % (scen, t)}, srcs
        # The markets really changed, and the delta of an unchanged category reads 0.
        m = cats.index("wet_market")
        assert (f["Scenarios/market-closes/NodeAccess/nearest_cm"][:, m] !=
                f["Scenarios/baseline/NodeAccess/nearest_cm"][:, m]).any()
        assert not f["Comparisons/market-closes/delta_nearest_cm"][:, cats.index("primary_school")].any()


def expected_comparison(f, scen):
    """The comparison recomputed with numpy from the datasets of the file."""
    near_b = f["Scenarios/baseline/NodeAccess/nearest_cm"][:]
    near_s = f["Scenarios/%s/NodeAccess/nearest_cm" % scen][:]
    res = f["Population/residents"][:]
    sub = f["Population/subdistrict"][:]
    thr = f["Categories/threshold_min"][:]
    speed = f["Groups/speed_m_s"][:]
    S = f["Subdistricts/name"].shape[0]
    C, G = len(thr), len(speed)
    limit = np.floor(thr[:, None] * 60 * speed[None, :] * 100 + 1e-9).astype(np.int64)
    inb = (near_b[:, :, None] >= 0) & (near_b[:, :, None] <= limit[None])
    ins = (near_s[:, :, None] >= 0) & (near_s[:, :, None] <= limit[None])
    gain = ((ins & ~inb) * res[:, None, :]).reshape(len(sub), C * G)
    loss = ((inb & ~ins) * res[:, None, :]).reshape(len(sub), C * G)
    newly = np.zeros((S + 1, C * G), np.int64)
    lost = np.zeros((S + 1, C * G), np.int64)
    for s in range(S):
        newly[s] = gain[sub == s].sum(axis=0)
        lost[s] = loss[sub == s].sum(axis=0)
    newly[S], lost[S] = gain.sum(axis=0), loss.sum(axis=0)
    both = (near_b >= 0) & (near_s >= 0)
    delta = np.where(both, near_s - near_b, 0)
    reach = np.where(both | ((near_b < 0) & (near_s < 0)), 0, np.where(near_s >= 0, 1, -1))
    return {"newly_covered": newly, "no_longer_covered": lost, "delta_nearest_cm": delta,
            "reach_change": reach,
            "pass_before": f["Scenarios/baseline/Coverage/pass"][:],
            "pass_after": f["Scenarios/%s/Coverage/pass" % scen][:]}


def test_comparisons_equal_numpy(results):
    with h5py.File(results, "r") as f:
        assert sorted(f["Comparisons"]) == sorted(NAMES)
        for scen in NAMES:
            want = expected_comparison(f, scen)
            for k, a in want.items():
                got = f["Comparisons/%s/%s" % (scen, k)][:]
                assert np.array_equal(got, a), (scen, k)
                assert "units" in f["Comparisons/%s/%s" % (scen, k)].attrs
        # Each example changes what it should.
        cats = [c.decode() for c in f["Categories/id"][:]]
        G = f["Groups/id"].shape[0]
        elderly = [g.decode() for g in f["Groups/id"][:]].index("elderly")
        c = cats.index("elderly_canteen")
        assert f["Comparisons/canteens/newly_covered"][-1, c * G + elderly] > 0
        assert not f["Comparisons/canteens/no_longer_covered"][:].any()
        c = cats.index("wet_market")
        assert f["Comparisons/market-closes/no_longer_covered"][-1, c * G:(c + 1) * G].sum() > 0
        assert not f["Comparisons/market-closes/newly_covered"][:].any()


def realised_covered(f, scen):
    """Per (agent, category) with a trip: the key agent * C + c, realised-covered or not
    (every trip of the category served with arrival + wait - departure within the
    threshold), the agent's group and home node. Recomputed from the Trips table alone."""
    t = {k: f["Scenarios/%s/Trips/%s" % (scen, k)][:] for k in
         ["agent", "category", "group", "origin", "outcome", "depart_s", "arrive_s", "wait_s"]}
    thr = f["Categories/threshold_min"][:]
    C = len(thr)
    ok = (t["outcome"] <= 2) & (t["arrive_s"] + t["wait_s"] - t["depart_s"]
                                <= thr[t["category"]] * 60)
    key = t["agent"] * C + t["category"]
    keys, first, inv = np.unique(key, return_index=True, return_inverse=True)
    bad = np.bincount(inv, weights=~ok, minlength=len(keys))
    return keys, bad == 0, t["group"][first], t["origin"][first]


def expected_realised(f, scen):
    """Realised newly / no longer covered, agent by agent, from the Trips of both."""
    rc = f["Scenarios/baseline/RealisedCoverage"]
    assert rc.attrs["residents_per_agent"] == 1  # Every agent weighs one resident.
    C = f["Categories/id"].shape[0]
    G = f["Groups/id"].shape[0]
    S = f["Subdistricts/name"].shape[0]
    sub = f["Population/subdistrict"][:]
    kb, cb, gb, ob = realised_covered(f, "baseline")
    ks, cs, gs, os_ = realised_covered(f, scen)
    keys = np.union1d(kb, ks)
    def spread(k, v, fill):
        out = np.full(len(keys), fill, dtype=v.dtype)
        out[np.searchsorted(keys, k)] = v
        return out
    inb, ins = spread(kb, cb, False), spread(ks, cs, False)
    grp = np.maximum(spread(kb, gb, -1), spread(ks, gs, -1))
    home = np.maximum(spread(kb, ob, -1), spread(ks, os_, -1))
    col = (keys % C) * G + grp
    row = sub[home]
    out = {}
    for name, m in (("realised_newly_covered", ins & ~inb),
                    ("realised_no_longer_covered", inb & ~ins)):
        tab = np.zeros((S + 1, C * G), np.int64)
        np.add.at(tab, (row[m & (row >= 0)], col[m & (row >= 0)]), 1)
        tab[S] = np.bincount(col[m], minlength=C * G)
        out[name] = tab
    out["realised_covered_change"] = (f["Scenarios/%s/RealisedCoverage/covered" % scen][:] -
                                      f["Scenarios/baseline/RealisedCoverage/covered"][:])
    return out


def expected_load(f, scen):
    """Per row of the scenario's Facilities: day totals of arrivals, served, refused and the
    largest peak queue, for the baseline's same facility (row, category and source id) and
    for the scenario."""
    def totals(s):
        L = "Scenarios/%s/FacilityLoad/" % s
        return np.stack([f[L + "arrivals"][:].sum(1), f[L + "served"][:].sum(1),
                         f[L + "refused"][:].sum(1), f[L + "peak_queue"][:].max(1)], 1)
    tb, ts = totals("baseline"), totals(scen)
    cat_b = f["Scenarios/baseline/Facilities/category"][:]
    cat_s = f["Scenarios/%s/Facilities/category" % scen][:]
    sid_b = list(f["Scenarios/baseline/Facilities/source_id"][:])
    sid_s = list(f["Scenarios/%s/Facilities/source_id" % scen][:])
    n = len(cat_s)
    brow = np.array([i if i < len(cat_b) and cat_b[i] == cat_s[i] and sid_b[i] == sid_s[i]
                     else -1 for i in range(n)])
    before = np.where(brow[:, None] >= 0, tb[np.maximum(brow, 0)], 0)
    return {"facility_load_before": before, "facility_load_after": ts,
            "facility_load_change": ts - before, "facility_baseline_row": brow}


def test_realised_and_load_equal_numpy(results):
    with h5py.File(results, "r") as f:
        for scen in NAMES:
            g = "Comparisons/%s/" % scen
            want = expected_realised(f, scen)
            want.update(expected_load(f, scen))
            for k, a in want.items():
                assert np.array_equal(f[g + k][:], a), (scen, k)
                assert f[g + k].attrs["units"] and f[g + k].attrs["description"], (scen, k)
            assert np.array_equal(f[g + "realised_newly_covered"][:] -
                                  f[g + "realised_no_longer_covered"][:],
                                  f[g + "realised_covered_change"][:])
        # New canteens serve some elderly within the threshold who were not before, and
        # the added canteens (rows the baseline lacks) get visits.
        cats = [c.decode() for c in f["Categories/id"][:]]
        G = f["Groups/id"].shape[0]
        c = cats.index("elderly_canteen")
        assert f["Comparisons/canteens/realised_newly_covered"][-1, c * G:(c + 1) * G].sum() > 0
        new = f["Comparisons/canteens/facility_baseline_row"][:] < 0
        assert new.any() and f["Comparisons/canteens/facility_load_after"][new, 0].sum() > 0
        # Every dataset of every comparison carries units and a description.
        for scen in NAMES:
            def described(k, d, scen=scen):
                if isinstance(d, h5py.Dataset):
                    assert "units" in d.attrs and "description" in d.attrs, (scen, k)
            f["Comparisons/" + scen].visititems(described)


def check_printed(path, stdout):
    """Every printed row equals the datasets: the headline per subdistrict and category is
    over the groups the category serves (served_* tables), the detail per served group
    (newly_covered etc.); every row that changes is printed, with "no data" for a category
    without facilities; columns line up at double-width Chinese names."""
    tables = compare_printout(stdout)
    with h5py.File(path, "r") as f:
        cats = [c.decode() for c in f["Categories/id"][:]]
        label = ["%s %s" % (z.decode(), e.decode()) for z, e in
                 zip(f["Categories/name_zh"][:], f["Categories/name_en"][:])]
        groups = [g.decode() for g in f["Groups/id"][:]]
        serves = f["Categories/serves"][:]
        rows = [r.decode() for r in f["Comparisons/%s/row_name" % NAMES[1]][:]]
        G = len(groups)
        assert sorted(tables) == sorted(NAMES)
        for scen in NAMES:
            g = f["Comparisons/" + scen]
            head = [g[k][:] for k in ["served_newly_covered", "served_no_longer_covered",
                                      "realised_served_newly_covered",
                                      "realised_served_no_longer_covered"]]
            per = [g[k][:] for k in ["newly_covered", "no_longer_covered",
                                     "realised_newly_covered", "realised_no_longer_covered"]]
            pb, pa = g["pass_before"][:], g["pass_after"][:]
            sb = f["Scenarios/baseline/Coverage/data_status"][:]
            sa = f["Scenarios/%s/Coverage/data_status" % scen][:]
            word = lambda p, s: "no data" if s == 2 else {1: "pass", 0: "fail", -1: "-"}[p]
            for r, rn in enumerate(rows):
                for c in range(len(cats)):
                    cells = [int(t[r, c]) for t in head]
                    changed = any(cells) or pb[r, c] != pa[r, c] or sb[c] != sa[c]
                    got = tables[scen]["head"].get((rn, label[c]))
                    assert (got is not None) == changed, (scen, rn, cats[c])
                    if not got:
                        continue
                    assert list(got[:4]) == cells, (scen, rn, cats[c])
                    assert got[4:] == (word(pb[r, c], sb[c]), word(pa[r, c], sa[c]))
                    for gi, gn in enumerate(groups):
                        d = tables[scen]["detail"].get((rn, label[c], gn))
                        # Only the groups the category serves are detailed.
                        assert (d is not None) == bool(serves[c, gi]), (scen, rn, cats[c], gn)
                        if d:
                            assert list(d) == [int(t[r, c * G + gi]) for t in per]


def test_compare_command_equals_run(results, tmp_path):
    copy = str(tmp_path / "copy.h5")
    shutil.copy(results, copy)
    p = run(["compare", copy], ranks=3)
    check_printed(copy, p.stdout)
    assert "canteens compared with baseline" in p.stdout
    assert "老年助餐点/社区长者食堂 Elderly canteen" in p.stdout
    assert not os.path.exists(copy + ".compare.tmp")
    a, b = read_all(results, "/Comparisons"), read_all(copy, "/Comparisons")
    for k, v in a.items():
        assert np.array_equal(v, b[k]), k
    # The rest of the file is unchanged.
    for group in ["/Scenarios", "/Graph", "/Population"]:
        x, y = read_all(results, group), read_all(copy, group)
        assert sorted(x) == sorted(y)
        for k, v in x.items():
            assert np.array_equal(v, y[k], equal_nan=v.dtype.kind == "f"), k
    with h5py.File(copy, "r") as f:
        assert f["Comparisons/crossing"].attrs["complete"] == 1
        assert f["Comparisons/crossing"].attrs["baseline"] in (b"baseline", "baseline")
    # Against another baseline, and an unknown scenario.
    run(["compare", copy, "--baseline", "noop", "--scenarios", "canteens"], ranks=2)
    with h5py.File(copy, "r") as f:
        assert f["Comparisons/canteens"].attrs["baseline"] in (b"noop", "noop")
    bad = run(["compare", copy, "--scenarios", "nope"], ranks=2, check=False)
    assert bad.returncode == 2 and "nope" in bad.stderr


def oracle_nearest(n, u, v, w, fac_node, snap, radius):
    """Nearest distance per node from facilities (node, snap offset) within radius."""
    M = np.full((n, n), np.inf)
    np.minimum.at(M, (np.r_[u, v], np.r_[v, u]), np.r_[w, w].astype(float))  # Parallel edges.
    M[np.isinf(M)] = 0  # No edge (every cost is >= 1 cm).
    A = scipy.sparse.csr_matrix(M)
    best = np.full(n, np.inf)
    if len(fac_node):
        D = dijkstra(A, directed=True, indices=fac_node)
        best = (D + snap[:, None]).min(axis=0)
    return np.where(best <= radius, best, -1).astype(np.int64)


def test_market_removed_by_source_id(results):
    with h5py.File(results, "r") as f:
        sid = [s.decode() for s in f["Scenarios/market-closes/Facilities/source_id"][:]]
        row = sid.index("node/7155822634")
        assert f["Scenarios/baseline/Facilities/node"][row] >= 0
        assert f["Scenarios/market-closes/Facilities/node"][row] == -1
        n_b = f["Scenarios/baseline/Facilities/node"].shape[0]
        assert f["Scenarios/market-closes/Facilities/node"].shape[0] == n_b
        cats = [c.decode() for c in f["Categories/id"][:]]
        c = cats.index("wet_market")
        n = f["Graph/nodes/lon"].shape[0]
        u, v, w = f["Graph/edges/u"][:], f["Graph/edges/v"][:], f["Graph/edges/cost_cm"][:]
        node = f["Scenarios/market-closes/Facilities/node"][:]
        cat = f["Scenarios/market-closes/Facilities/category"][:]
        snap = f["Scenarios/market-closes/Facilities/snap_cm"][:]
        keep = (cat == c) & (node >= 0)
        radius = int(round(f["Categories/radius_m"][c] * 100))
        want = oracle_nearest(n, u, v, w, node[keep], snap[keep], radius)
        assert np.array_equal(f["Scenarios/market-closes/NodeAccess/nearest_cm"][:, c], want)


def test_crossing_against_oracle(results):
    """The crossing's ends are two graph nodes; the edited graph is the edge list plus the
    link of geodesic length (geographiclib); every category's nearest distances must equal
    scipy's on it."""
    with h5py.File(results, "r") as f:
        lon, lat = f["Graph/nodes/lon"][:], f["Graph/nodes/lat"][:]
        n = len(lon)
        a = int(np.argmin(np.hypot(lon - 121.4217491, lat - 31.2119275)))
        b = int(np.argmin(np.hypot(lon - 121.4217175, lat - 31.2122118)))
        link = int(round(Geodesic.WGS84.Inverse(lat[a], lon[a], lat[b], lon[b])["s12"] * 100))
        u = np.r_[f["Graph/edges/u"][:], a]
        v = np.r_[f["Graph/edges/v"][:], b]
        w = np.r_[f["Graph/edges/cost_cm"][:], link]
        near = f["Scenarios/crossing/NodeAccess/nearest_cm"][:]
        base = f["Scenarios/baseline/NodeAccess/nearest_cm"][:]
        node = f["Scenarios/crossing/Facilities/node"][:]
        cat = f["Scenarios/crossing/Facilities/category"][:]
        snap = f["Scenarios/crossing/Facilities/snap_cm"][:]
        radius = np.round(f["Categories/radius_m"][:] * 100).astype(np.int64)
        for c in range(near.shape[1]):
            keep = (cat == c) & (node >= 0)
            want = oracle_nearest(n, u, v, w, node[keep], snap[keep], radius[c])
            assert np.array_equal(near[:, c], want), c
        assert (near != base).any()  # The crossing shortens some walks.
        reached = (near >= 0) & (base >= 0)
        assert (near[reached] <= base[reached]).all()  # A new link never lengthens one.


def test_bad_scenarios_fail_with_position(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\nfacilities:\n  remove:\n    - source_id: node/1\n")
    p = run(["run", params_with(tmp_path, [str(bad)]), "-o", str(tmp_path / "x.h5")], ranks=2,
            check=False)
    assert p.returncode == 5, p.stderr[-2000:]
    assert "%s:4:" % bad in p.stderr and "node/1" in p.stderr
    bad.write_text("name: bad\nnetwork:\n  close_ways: [1]\n")
    p = run(["run", params_with(tmp_path, [str(bad)]), "-o", str(tmp_path / "x.h5")], ranks=2,
            check=False)
    assert p.returncode == 5 and "%s:3:" % bad in p.stderr and "way 1 " in p.stderr
    bad.write_text("name: bad\nfacilities:\n  add:\n    - {category: bakery, lon: 121.42, "
                   "lat: 31.2}\n")
    p = run(["run", params_with(tmp_path, [str(bad)]), "-o", str(tmp_path / "x.h5")], ranks=2,
            check=False)
    assert p.returncode == 5 and "%s:4:" % bad in p.stderr and "bakery" in p.stderr
    assert not os.path.exists(str(tmp_path / "x.h5"))


def all_attrs(path, group):
    """Every attribute of every object under group (the group itself as "."), by path."""
    out = {}
    with h5py.File(path, "r") as f:
        def add(name, obj):
            out[name] = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                         for k, v in obj.attrs.items()}
        add(".", f[group])
        f[group].visititems(add)
    return out


def test_rerun_keeps_every_attribute(results, tmp_path):
    """A rerun at another rank count into a copy of the file keeps every complete scenario
    (copied, not recomputed): every dataset and every attribute of every object under
    /Scenarios, subgroups included (the agent counts of RealisedCoverage, the bin width of
    FacilityLoad), are the first run's."""
    copy = str(tmp_path / "again.h5")
    shutil.copy(results, copy)
    params = os.path.join(os.path.dirname(results), "p.yml")
    p = run(["run", params, "-o", copy], ranks=3)
    kept = re.findall(r"(\S+): complete in the earlier results with a verified checksum: kept",
                      p.stdout + p.stderr)
    assert sorted(kept) == sorted(["baseline"] + NAMES), kept
    a, b = all_attrs(results, "/Scenarios"), all_attrs(copy, "/Scenarios")
    assert sorted(a) == sorted(b)
    assert "agents" in a["baseline/RealisedCoverage"] and "bin_s" in a["canteens/FacilityLoad"]
    for name, attrs in a.items():
        assert attrs == b[name], name
    x, y = read_all(results, "/Scenarios"), read_all(copy, "/Scenarios")
    assert sorted(x) == sorted(y)
    for k, v in x.items():
        assert np.array_equal(v, y[k], equal_nan=v.dtype.kind == "f"), k
