"""Precision of every OSM tag rule of both category sets on Changning's real POIs, against a
hand-labelled sample (tests/fixtures/categories/precision-changning.csv: one row per element
and category, labelled correct or not by its name and tags, with the reason). The engine's
own matches come from `lifecircle import`; every category that matches anything must be in
the sample, at least 200 labelled rows must match, and each category's precision over its
labelled matches must be at least 95%. Rows labelled wrong that no longer match (the old
community_health rule's beauty salon, nail clinic and postpartum centre) cost nothing; if a
rule matched them again, the precision would fall below the bar."""
import collections
import csv
import os

import h5py
import pytest

import lctest

POIS = lctest.shared("data", "changning", "changning-pois.osm.pbf")
WALK = lctest.shared("data", "changning", "xinhua-walk.osm.pbf")
SAMPLE = os.path.join(lctest.ROOT, "tests", "fixtures", "categories", "precision-changning.csv")
SETS = {"shanghai": "inputs/categories.yml",
        "international": "inputs/categories/international.yml"}
TYPES = {0: "n", 1: "w", 2: "r"}


def matches(tmp_path, name):
    out = tmp_path / ("%s.h5" % name)
    lctest.run(["import", POIS, WALK, "--categories", SETS[name], "-o", str(out)])
    with h5py.File(out, "r") as f:
        ids = [x.decode() for x in f["/Categories/id"][:]]
        got = set()
        for c, t, o in zip(f["/POIs/category"][:], f["/POIs/osm_type"][:], f["/POIs/osm_id"][:]):
            got.add((ids[int(c)], "%s%d" % (TYPES[int(t)], int(o))))
    return got


@pytest.mark.skipif(not os.path.exists(POIS), reason="shared Changning data not present")
def test_rule_precision(tmp_path):
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["reason"].strip() for r in rows), "every label needs its reason"
    total = 0
    report = []
    for name in SETS:
        got = matches(tmp_path, name)
        cats = {c for c, _ in got}
        labelled = [r for r in rows if r["set"] == name]
        right = collections.Counter()
        n = collections.Counter()
        for r in labelled:
            if (r["category"], r["osm"]) in got:
                n[r["category"]] += 1
                right[r["category"]] += int(r["correct"])
        for c in sorted(cats):
            assert n[c] > 0, "%s: category %s matches but has no labelled sample" % (name, c)
            p = right[c] / n[c]
            report.append("%s %s: %d/%d = %.3f" % (name, c, right[c], n[c], p))
            assert p >= 0.95, "%s: %s precision %.3f (%d of %d labelled matches correct)" % (
                name, c, p, right[c], n[c])
        total += sum(n.values())
    print("\n".join(report))
    assert total >= 200, "only %d labelled rows match" % total
