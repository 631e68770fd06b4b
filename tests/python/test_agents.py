"""The agent simulation inside `lifecircle run` on the real Xinhua Road data: Trips,
FacilityLoad and RealisedCoverage identical at 1, 2 and 3 ranks, and checked against
recomputations from the Trips table itself and from the static results (independent of the
simulation's code): walking distances of trips served at the nearest facility equal the static
nearest distance, no facility ever serves more agents at once than it has seats, FacilityLoad's
served counts equal the trips served, and realised coverage follows from the trips.

Skipped while `run` does not yet call the agents (no /Scenarios/baseline/Trips)."""
import os

import h5py
import numpy as np
import pytest

from lctest import ROOT, run

PARAMS = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
BASE = "/Scenarios/baseline"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("agents")
    out = {}
    for ranks in (1, 2, 3):
        path = str(d / ("r%d.h5" % ranks))
        run(["run", PARAMS, "-o", path], ranks=ranks)
        out[ranks] = path
        if ranks == 1:
            with h5py.File(path, "r") as f:
                if BASE + "/RealisedCoverage" not in f:
                    pytest.skip("lifecircle run does not write the agent simulation yet")
    return out


def group(path, name):
    res = {}
    with h5py.File(path, "r") as f:
        if name not in f:
            return res
        f[name].visititems(lambda n, o: res.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return res


def test_identical_for_any_rank_count(runs):
    for part in ("Trips", "FacilityLoad", "RealisedCoverage"):
        ref = group(runs[1], BASE + "/" + part)
        assert ref or part == "Trips", part
        for ranks, path in runs.items():
            other = group(path, BASE + "/" + part)
            assert sorted(other) == sorted(ref), (ranks, part)
            for name, a in ref.items():
                assert np.array_equal(a, other[name], equal_nan=a.dtype.kind == "f"), (ranks, part, name)


def load(path):
    with h5py.File(path, "r") as f:
        t = {k: f[BASE + "/Trips/" + k][:] for k in f[BASE + "/Trips"]}
        st = {
            "near_cm": f[BASE + "/NodeAccess/nearest_cm"][:],
            "near_fac": f[BASE + "/NodeAccess/nearest_facility"][:],
            "capacity": f[BASE + "/Facilities/capacity"][:],
            "threshold": f["/Categories/threshold_min"][:],
            "sub": f["/Population/subdistrict"][:],
            "served": f[BASE + "/FacilityLoad/served"][:],
            "arrivals": f[BASE + "/FacilityLoad/arrivals"][:],
            "refused": f[BASE + "/FacilityLoad/refused"][:],
            "attempts": f[BASE + "/FacilityLoad/attempts"][:],
            "needed": f[BASE + "/RealisedCoverage/needed"][:],
            "covered": f[BASE + "/RealisedCoverage/covered"][:],
            "share": f[BASE + "/RealisedCoverage/share"][:],
            "per_agent": f[BASE + "/RealisedCoverage"].attrs["residents_per_agent"],
            "n_groups": f["/Groups/id"].shape[0],
        }
    return t, st


def test_against_trips_and_static(runs):
    t, st = load(runs[2])
    n = len(t["agent"])
    assert n > 10000
    # Rows sorted by (agent, trip index).
    key = t["agent"] * 64 + t["trip_index"]
    assert (np.diff(key) > 0).all()
    # Served at the first facility, which is the static nearest: the walk is the static
    # nearest distance.
    first = t["outcome"] <= 1
    c, o = t["category"], t["origin"]
    nearest = first & (t["facility"] == st["near_fac"][o, c])
    assert nearest.sum() > 0.3 * first.sum()
    assert np.array_equal(t["walk_cm"][nearest], st["near_cm"][o, c][nearest])
    # Every walk at least the static nearest distance of its category.
    reached = t["facility"] >= 0
    assert (t["walk_cm"][reached] >= st["near_cm"][o, c][reached]).all()
    # Capacity: sweep over the service intervals of every facility with seats.
    served = t["outcome"] <= 2
    f = t["facility"][served]
    start = (t["arrive_s"] + t["wait_s"])[served]
    end = t["end_s"][served]
    assert (end >= start).all()
    for fac in np.unique(f):
        cap = st["capacity"][fac]
        if cap <= 0:
            continue
        m = f == fac
        ev = np.concatenate([np.stack([end[m], np.full(m.sum(), -1)], 1),
                             np.stack([start[m], np.full(m.sum(), 1)], 1)])
        ev = ev[np.lexsort((ev[:, 1], ev[:, 0]))]
        assert np.cumsum(ev[:, 1]).max() <= cap, fac
    # FacilityLoad: services started per facility equal the trips served there.
    per_fac = np.bincount(f, minlength=st["served"].shape[0])
    assert np.array_equal(st["served"].sum(axis=1), per_fac)
    assert (st["arrivals"].sum(axis=1) >= per_fac + 0).all()
    # Every arrival is served or turned away (attempts); persons turned away are distinct
    # agents per facility and bin, never more than the arrivals or the attempts.
    assert st["attempts"].sum() == st["arrivals"].sum() - per_fac.sum()
    assert (st["refused"] <= st["arrivals"]).all() and (st["refused"] <= st["attempts"]).all()
    # Realised coverage recomputed from the trips (one agent per resident).
    if st["per_agent"] == 1:
        G = st["n_groups"]
        ok = (t["outcome"] <= 2) & (t["arrive_s"] + t["wait_s"] - t["depart_s"] <= st["threshold"][c] * 60)
        cell = t["agent"] * 64 + c
        cells, inv = np.unique(cell, return_inverse=True)
        all_ok = np.ones(len(cells), bool)
        np.logical_and.at(all_ok, inv, ok)
        agent = cells // 64
        cat = cells % 64
        first_row = np.searchsorted(t["agent"], agent)
        grp = t["group"][first_row]
        col = cat * G + grp
        need = np.bincount(col, minlength=st["needed"].shape[1])
        cov = np.bincount(col, weights=all_ok, minlength=st["needed"].shape[1])
        assert np.array_equal(st["needed"][-1], need)
        assert np.array_equal(st["covered"][-1], cov.astype(np.int64))
        sub = st["sub"][t["origin"][first_row]]
        for s in range(st["needed"].shape[0] - 1):
            m = sub == s
            assert np.array_equal(st["needed"][s], np.bincount(col[m], minlength=need.size))
