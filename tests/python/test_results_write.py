"""The results writer on a synthetic city large enough that every per-node table spans
several chunks and every rank several blocks: the scenario checksum stored by the run (taken
from the data while it was written) equals an independent recomputation of the documented
definition with hashlib and h5py, the datasets and checksums are identical at 1, 2 and 3
ranks, and a rerun into the same output verifies the checksum by reading the file back and
keeps the scenario."""
import hashlib
import os
import struct

import h5py
import numpy as np
import pytest

from lctest import ROOT, run

N = 30000
SLAB_BYTES = 1 << 20  # H5IO_SLAB_BYTES: the slab unit of the checksum (results.h).


def slab_rows(row_bytes):
    return 1 if row_bytes == 0 or row_bytes >= SLAB_BYTES else SLAB_BYTES // row_bytes


def group_checksum(f, group):
    """The checksum of results.h: datasets in H5Ovisit name order (depth first, names
    compared bytewise), each with its relative path and NUL, class, type size, rank,
    element count, dimensions, then the SHA-256 over the SHA-256 digests of its row slabs."""
    names = []
    f[group].visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    names.sort(key=lambda n: [c.encode() for c in n.split("/")])
    h = hashlib.sha256()
    for n in names:
        d = f[group][n]
        tid = d.id.get_type()
        size, cls, shape = tid.get_size(), tid.get_class(), d.shape
        count = int(np.prod(shape)) if shape else 1
        h.update(n.encode() + b"\0")
        h.update(struct.pack("<4q", cls, size, len(shape), count))
        h.update(struct.pack("<%dQ" % len(shape), *shape))
        if count == 0:
            continue
        a = d[()]
        if shape:
            raw = np.ascontiguousarray(a).tobytes()
        else:
            raw = (a if isinstance(a, bytes) else np.asarray(a).tobytes()).ljust(size, b"\0")
        row = size * int(np.prod(shape[1:])) if len(shape) > 1 else size
        rows = shape[0] if shape else 1
        per = slab_rows(row)
        data = hashlib.sha256()
        for s in range(0, rows, per):
            data.update(hashlib.sha256(raw[s * row:min(rows, s + per) * row]).digest())
        h.update(data.digest())
    return h.hexdigest()


def attr_str(v):
    return v.decode() if isinstance(v, bytes) else v


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    d = tmp_path_factory.mktemp("write")
    cats = os.path.join(ROOT, "inputs", "categories.yml")
    run(["synth", "--nodes", str(N), "--seed", "3", "-o", str(d / "g.h5"), "--facilities",
         str(d / "f.csv"), "--categories", cats, "--population-dir", str(d / "pop"),
         "--nodes-per-subdistrict", "3000"])
    params = d / "params.yml"
    params.write_text("""Run:
  name: write
  output: %(d)s/out.h5
  strict: true
Graph:
  file: %(d)s/g.h5
Categories:
  file: %(cats)s
Facilities:
  pois: false
  max_snap_m: 300
  layers:
    - file: %(d)s/f.csv
      crs: wgs84
      category_column: category
Population:
  subdistricts: %(d)s/pop/subdistricts.geojson
  name_property: name
  residents: %(d)s/pop/residents.csv
  density: %(d)s/pop/density.csv
  density_column: density
Agents:
  enabled: false
Accessibility:
  k: 3
""" % {"d": d, "cats": cats})
    out = {}
    for ranks in (1, 2, 3):
        path = str(d / ("r%d.h5" % ranks))
        run(["run", str(params), "-o", path], ranks=ranks)
        out[ranks] = path
    return {"dir": d, "params": str(params), "out": out}


def test_checksum_matches_definition(city):
    for ranks, path in city["out"].items():
        with h5py.File(path, "r") as f:
            g = f["Scenarios/baseline"]
            assert g["NodeAccess/count_within"].shape[0] == N
            assert int(g.attrs["complete"]) == 1
            assert attr_str(g.attrs["checksum"]) == group_checksum(f, "Scenarios/baseline"), ranks


def test_identical_at_any_rank_count(city):
    def load(path):
        with h5py.File(path, "r") as f:
            data = {}
            f["Scenarios/baseline"].visititems(
                lambda n, o: data.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
            for n in ("Graph/nodes/lon", "Graph/edges/u", "Population/residents"):
                data[n] = f[n][()]
            return data, attr_str(f["Scenarios/baseline"].attrs["checksum"])
    ref, ref_sum = load(city["out"][1])
    for ranks in (2, 3):
        other, other_sum = load(city["out"][ranks])
        assert sorted(other) == sorted(ref)
        for name, a in ref.items():
            b = other[name]
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                assert np.array_equal(a, b, equal_nan=True), (ranks, name)
            else:
                assert np.array_equal(a, b), (ranks, name)
        assert other_sum == ref_sum


def test_rerun_keeps_verified_scenario(city):
    """A second run into the 2-rank file reads the baseline back, finds the checksum taken
    while writing, and keeps it."""
    path = city["out"][2]
    with h5py.File(path, "r") as f:
        before = f["Scenarios/baseline/NodeAccess/nearest_cm"][()]
    p = run(["run", city["params"], "-o", path], ranks=2)
    log = p.stdout + p.stderr
    assert "complete in the earlier results with a verified checksum: kept" in log, log[-2000:]
    with h5py.File(path, "r") as f:
        assert np.array_equal(f["Scenarios/baseline/NodeAccess/nearest_cm"][()], before)
        assert attr_str(f["Scenarios/baseline"].attrs["checksum"]) == \
            group_checksum(f, "Scenarios/baseline")
