"""Person-level agent outcomes, their invariants and the sensitivity bands, on the real Xinhua
Road data (the main job's parameters with one scenario): everything identical at 1, 2 and 4
ranks and 1 or 2 threads; RealisedCoverage's person-level tables recomputed with numpy from
the Trips table (each person and category: unmet by the reason of its first trip not served,
else served late, else served in time); the invariants need = in time + late + unmet, served
services = served trips, persons turned away <= arrivals; the bands contain the central
value, and the comparison's band, sign and elasticities recomputed from the design tables."""
import os
import re

import h5py
import numpy as np
import pytest

from lctest import ROOT, run

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
BASE = "/Scenarios/baseline"
SCEN = "canteens"
UNMET = ["unmet_none_within_radius", "unmet_closed_on_arrival", "unmet_capacity_full",
         "unmet_gave_up_waiting"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("outcomes")
    text = open(PARAMS).read()
    # Only the canteens scenario (the comparison's band); everything else as in the main job.
    text = re.sub(r"(\n  files:\n)(    - .*\n)+",
                  r"\1    - inputs/changning/scenarios/canteens.yml\n", text)
    assert "sensitivity:" in text and "enabled: true" in text
    params = d / "xinhua-one.yml"
    params.write_text(text)
    out = {}
    for ranks, threads in ((1, 1), (2, 2), (4, 1)):
        path = str(d / ("r%dt%d.h5" % (ranks, threads)))
        run(["run", str(params), "-o", path], ranks=ranks, threads=threads)
        out[(ranks, threads)] = path
    return out


def datasets(path, name):
    res = {}
    with h5py.File(path, "r") as f:
        f[name].visititems(lambda n, o: res.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return res


def test_identical_for_any_rank_and_thread_count(runs):
    ref_path = runs[(1, 1)]
    for part in (BASE + "/Trips", BASE + "/FacilityLoad", BASE + "/RealisedCoverage",
                 "/Scenarios/%s/RealisedCoverage" % SCEN, "/Comparisons/%s" % SCEN):
        ref = datasets(ref_path, part)
        assert ref, part
        for key, path in runs.items():
            other = datasets(path, part)
            assert sorted(other) == sorted(ref), (key, part)
            for name, a in ref.items():
                assert np.array_equal(a, other[name], equal_nan=a.dtype.kind == "f"), (key, part, name)


def load(path, scen=BASE):
    with h5py.File(path, "r") as f:
        t = {k: f[scen + "/Trips/" + k][:] for k in f[scen + "/Trips"]}
        names = f[scen + "/Trips"].attrs["reason_names"]
        rc = {k: f[scen + "/RealisedCoverage/" + k][()] for k in f[scen + "/RealisedCoverage"]}
        per = f[scen + "/RealisedCoverage"].attrs["residents_per_agent"]
        fl = {k: f[scen + "/FacilityLoad/" + k][:] for k in f[scen + "/FacilityLoad"]}
        st = {"thr": f["/Categories/threshold_min"][:], "sub": f["/Population/subdistrict"][:],
              "G": f["/Groups/id"].shape[0], "C": f["/Categories/id"].shape[0],
              "near_fac": f[scen + "/NodeAccess/nearest_facility"][:]}
    return t, names, rc, per, fl, st


def test_person_level_counts_from_trips(runs):
    t, names, rc, per, fl, st = load(runs[(2, 2)])
    assert per == 1
    assert "none within radius" in (names.decode() if isinstance(names, bytes) else names)
    G, C = st["G"], st["C"]
    c = t["category"]
    reason = t["reason"]
    # Reasons agree with the outcome column.
    assert np.array_equal(np.minimum(reason, 3), t["outcome"])
    # "None within radius": no facility, no walk, and the static view agrees there is none.
    none = reason == 3
    assert none.sum() > 0
    assert (t["facility"][none] == -1).all() and (t["walk_cm"][none] == 0).all()
    assert (st["near_fac"][t["origin"][none], c[none]] < 0).all()
    # Person x category classification.
    served = reason <= 2
    late = served & (t["arrive_s"] + t["wait_s"] - t["depart_s"] > st["thr"][c] * 60)
    cell = t["agent"] * 64 + c
    cells, inv = np.unique(cell, return_inverse=True)
    n = len(cells)
    any_late = np.zeros(n, bool)
    np.logical_or.at(any_late, inv, late)
    # First trip not served (rows are sorted by agent and trip index).
    first_unmet = np.full(n, -1)
    idx = np.nonzero(~served)[0][::-1]
    first_unmet[inv[idx]] = reason[idx]  # Reversed: the earliest row is written last.
    agent = cells // 64
    cat = cells % 64
    row = np.searchsorted(t["agent"], agent)
    col = cat * G + t["group"][row]
    sub = st["sub"][t["origin"][row]]
    R = rc["needed"].shape[0]
    for r in range(R):
        m = np.ones(n, bool) if r == R - 1 else sub == r
        def count(mask):
            return np.bincount(col[m & mask], minlength=C * G)
        assert np.array_equal(rc["needed"][r], count(np.ones(n, bool)))
        unmet = first_unmet >= 0
        assert np.array_equal(rc["covered"][r], count(~unmet & ~any_late))
        assert np.array_equal(rc["served_late"][r], count(~unmet & any_late))
        assert np.array_equal(rc["unmet"][r], count(unmet))
        for k, name in enumerate(UNMET):
            assert np.array_equal(rc[name][r], count(first_unmet == 3 + k)), name
    # Invariants.
    assert np.array_equal(rc["needed"], rc["covered"] + rc["served_late"] + sum(rc[u] for u in UNMET))
    assert fl["served"].sum() == served.sum()
    assert np.array_equal(fl["served"].sum(1), np.bincount(t["facility"][served], minlength=fl["served"].shape[0]))
    assert (fl["refused"] <= fl["arrivals"]).all()
    assert (fl["refused"] <= fl["attempts"]).all()
    assert fl["arrivals"].sum() == fl["served"].sum() + fl["attempts"].sum()
    # Every trip not served at the facility it reached last was turned away there.
    last_refused = (~served) & (t["facility"] >= 0)
    assert fl["attempts"].sum() >= last_refused.sum()


def test_bands_contain_the_central_value(runs):
    path = runs[(1, 1)]
    for scen in (BASE, "/Scenarios/" + SCEN):
        _, _, rc, _, _, st = load(path, scen)
        share = rc["share"]
        ok = np.isfinite(share)
        assert ok.any()
        assert (rc["share_low"][ok] <= share[ok]).all() and (share[ok] <= rc["share_high"][ok]).all()
        assert (rc["unmet_low"] <= rc["unmet"]).all() and (rc["unmet"] <= rc["unmet_high"]).all()
        D = rc["design_factors"].shape[0]
        assert D == 8  # One at a time (3 parameters x 2) plus the two extreme corners.
        assert rc["design_covered"].shape[1] == share.size
        # share_low/high recomputed from the design points and the central run.
        need = np.vstack([rc["needed"].ravel()[None], rc["design_needed"]])
        cov = np.vstack([rc["covered"].ravel()[None], rc["design_covered"]])
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(need > 0, cov / need, np.nan)
        lo = np.nanmin(np.where(np.isnan(s), np.inf, s), 0)
        assert np.allclose(rc["share_low"].ravel()[ok.ravel()], lo[ok.ravel()])
        # Elasticities from the one-at-a-time points of row "all".
        C, G = st["C"], st["G"]
        R = rc["needed"].shape[0]
        f = rc["design_factors"]
        for q in range(3):
            others = np.all(np.delete(f, q, 1) == 1, 1)
            dl = np.nonzero(others & (f[:, q] < 1))[0][0]
            dh = np.nonzero(others & (f[:, q] > 1))[0][0]
            def sh(d):
                n = rc["design_needed"][d].reshape(R, C, G)[-1].sum(1)
                k = rc["design_covered"][d].reshape(R, C, G)[-1].sum(1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    return k / n
            with np.errstate(invalid="ignore", divide="ignore"):
                e = (np.log(sh(dh)) - np.log(sh(dl))) / (np.log(f[dh, q]) - np.log(f[dl, q]))
            good = np.isfinite(e) & (sh(dh) > 0) & (sh(dl) > 0)
            assert np.allclose(rc["elasticity"][q][good], e[good])
            assert np.isnan(rc["elasticity"][q][~good]).all()


def test_comparison_band(runs):
    path = runs[(1, 1)]
    with h5py.File(path, "r") as f:
        cmp = {k: f["/Comparisons/%s/%s" % (SCEN, k)][:] for k in
               ("realised_served_gain", "realised_served_gain_low", "realised_served_gain_high",
                "realised_served_gain_sign_holds")}
        b = {k: f[BASE + "/RealisedCoverage/" + k][:] for k in ("covered", "design_covered")}
        s = {k: f["/Scenarios/%s/RealisedCoverage/%s" % (SCEN, k)][:] for k in ("covered", "design_covered")}
        serves = f["/Categories/serves"][:] if "/Categories/serves" in f else None
        C, G = f["/Categories/id"].shape[0], f["/Groups/id"].shape[0]
    R = b["covered"].shape[0]
    mask = serves if serves is not None else np.ones((C, G), np.int64)
    def gain(x, y):
        return ((x.reshape(R, C, G) - y.reshape(R, C, G)) * mask[None]).sum(2)
    central = gain(s["covered"], b["covered"])
    assert np.array_equal(cmp["realised_served_gain"], central)
    pts = np.stack([central] + [gain(s["design_covered"][d], b["design_covered"][d])
                                for d in range(b["design_covered"].shape[0])])
    assert np.array_equal(cmp["realised_served_gain_low"], pts.min(0))
    assert np.array_equal(cmp["realised_served_gain_high"], pts.max(0))
    holds = (np.sign(pts) == np.sign(central)[None]).all(0)
    assert np.array_equal(cmp["realised_served_gain_sign_holds"], holds.astype(np.int64))
    assert (cmp["realised_served_gain_low"] <= central).all() and (central <= cmp["realised_served_gain_high"]).all()
    # The canteens scenario adds elderly canteens: some realised gain at some design point.
    assert cmp["realised_served_gain_high"][-1].max() > 0
