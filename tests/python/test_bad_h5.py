"""Untrusted HDF5 graph files (they travel between institutes): a corpus of corrupted copies
of a good graph file, made here with h5py from the Xinhua import, each refused by `lifecircle
info` and by `lifecircle run` (Graph:file, 2 ranks) with a non-zero exit, one error line that
names the file (and, for a bad dataset, the dataset), no crash and no results file.

The cases: missing datasets, wrong types and shapes, edge endpoints out of range, negative
lengths and zero costs, NaN and out-of-range coordinates, a geom_offset that is not
monotone, truncated files, a file that is not HDF5, and bit flips in data and in metadata
(fixed seeds; a flip may leave a valid file, which must then be read without a crash).

Environment (set by ctest): LC_BIN, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC."""
import os
import random
import re
import shutil
import subprocess

import h5py
import numpy as np
import pytest
import yaml

from lctest import BIN, MPIEXEC, ROOT, mpi_env, shared

DATA = shared("data", "changning")
ERROR_LINE = re.compile(r"^\[\d{4} +[\d.]+s\] error: (.*)$", re.M)
CRASH = re.compile(r"AddressSanitizer|runtime error:|Segmentation fault|core dumped|"
                   r"signal \d|HDF5-DIAG")


def edit_replace(name, fn):
    """A case that replaces dataset `name` by fn(old values)."""
    def make(path):
        with h5py.File(path, "r+") as f:
            old = f[name][()]
            del f[name]
            f.create_dataset(name, data=fn(old))
    return make


def edit_set(name, index, value):
    def make(path):
        with h5py.File(path, "r+") as f:
            d = f[name][()]
            d[index] = value
            f[name][...] = d
    return make


def edit_delete(name):
    def make(path):
        with h5py.File(path, "r+") as f:
            del f[name]
    return make


def truncate(fraction):
    def make(path):
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(int(size * fraction))
    return make


def flips(seed, lo, hi, count):
    """Bit flips at `count` random bytes between fractions lo and hi of the file."""
    def make(path):
        rng = random.Random(seed)
        with open(path, "r+b") as f:
            data = bytearray(f.read())
            a, b = int(len(data) * lo), max(int(len(data) * hi), int(len(data) * lo) + 1)
            for _ in range(count):
                i = rng.randrange(a, b)
                data[i] ^= 1 << rng.randrange(8)
            f.seek(0)
            f.write(data)
    return make


def unterminated(path):
    """/Categories/id as fixed-length strings filling their width (NULLPAD, no NUL)."""
    with h5py.File(path, "r+") as f:
        old = [s if isinstance(s, bytes) else s.encode() for s in f["/Categories/id"][()]]
        width = max(len(s) for s in old)
        del f["/Categories/id"]
        t = h5py.h5t.C_S1.copy()
        t.set_size(width)
        t.set_strpad(h5py.h5t.STR_NULLPAD)
        arr = np.array([s.ljust(width, b"x") for s in old], dtype="S%d" % width)
        ds = h5py.h5d.create(f.id, b"/Categories/id", t, h5py.h5s.create_simple((len(old),)))
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, arr)


def not_hdf5(path):
    with open(path, "wb") as f:
        f.write(b"lifecircle graph\n" * 100)


# name: (make, regex the error must match besides the file name; None: a valid file may
# result, which must then be accepted or refused cleanly)
CASES = {
    "missing-edges-v": (edit_delete("/Graph/edges/v"), r"/Graph/edges/v"),
    "missing-nodes-lat": (edit_delete("/Graph/nodes/lat"), r"/Graph/nodes/lat"),
    "missing-geom-lat": (edit_delete("/Graph/edges/geom_lat"), r"geom_lat"),
    "u-as-text": (edit_replace("/Graph/edges/u", lambda a: np.array([b"x"] * len(a))),
                  r"/Graph/edges/u"),
    "lon-short": (edit_replace("/Graph/nodes/lon", lambda a: a[:-1]), r"/Graph/nodes/lon"),
    "u-2d": (edit_replace("/Graph/edges/u", lambda a: np.stack([a, a], axis=1)),
             r"/Graph/edges/u"),
    "u-out-of-range": (edit_set("/Graph/edges/u", 0, 10 ** 9), r"/Graph/edges"),
    "v-negative": (edit_set("/Graph/edges/v", 3, -1), r"/Graph/edges"),
    "length-negative": (edit_set("/Graph/edges/length_cm", 5, -100), r"/Graph/edges"),
    "cost-zero": (edit_set("/Graph/edges/cost_cm", 7, 0), r"/Graph/edges"),
    "lon-nan": (edit_set("/Graph/nodes/lon", 2, np.nan), r"/Graph/nodes/lon"),
    "lat-out-of-range": (edit_set("/Graph/nodes/lat", 4, 123.0), r"/Graph/nodes"),
    "geom-lon-inf": (edit_set("/Graph/edges/geom_lon", 9, np.inf), r"geom_lon"),
    "geom-offset-down": (edit_set("/Graph/edges/geom_offset", 10, 0), r"geom_offset"),
    "geom-offset-huge": (edit_set("/Graph/edges/geom_offset", -1, 2 ** 40), r"geom_"),
    "categories-unterminated": (unterminated, None),
    "truncated-half": (truncate(0.5), r""),
    "truncated-header": (truncate(0.01), r""),
    "not-hdf5": (not_hdf5, r"not an HDF5 file"),
    "flips-data-1": (flips(1, 0.3, 0.95, 8), None),
    "flips-data-2": (flips(2, 0.3, 0.95, 64), None),
    "flips-meta-1": (flips(3, 0.0, 0.02, 4), "xfail"),
    "flips-meta-2": (flips(4, 0.0, 0.02, 32), None),
    "flips-meta-3": (flips(5, 0.0, 0.1, 16), "xfail"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("badh5")
    good = str(tmp / "good.h5")
    p = subprocess.run([MPIEXEC, "-n", "1", BIN, "import",
                        os.path.join(DATA, "xinhua-walk.osm.pbf"),
                        os.path.join(DATA, "changning-pois.osm.pbf"), "-o", good],
                       cwd=ROOT, env=mpi_env(1), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    files = {}
    for name, (make, _) in CASES.items():
        path = str(tmp / (name + ".h5"))
        shutil.copyfile(good, path)
        make(path)
        files[name] = path
    with open(os.path.join(ROOT, "inputs", "changning", "xinhua.yml"), encoding="utf-8") as f:
        prm = yaml.safe_load(f)
    prm.pop("Scenarios", None)
    prm["Agents"]["enabled"] = False
    return dict(tmp=tmp, files=files, prm=prm)


# Known gap: HDF5 1.10.8 itself crashes (H5HG_read, a memcpy from a corrupted global heap)
# reading the variable-length strings of these files; our code cannot check the heap first.
XFAIL = "HDF5 1.10.8 crashes in H5HG_read on a corrupted global heap (variable-length strings)"


def check(p, path, want, what):
    text = p.stdout + p.stderr
    if want == "xfail":
        if CRASH.search(text):
            pytest.xfail(XFAIL)
        want = None
    ctx = "%s: exit %d:\n%s" % (what, p.returncode, text[-3000:])
    assert not CRASH.search(text), ctx
    assert p.returncode not in (0,) or want is None, ctx
    if p.returncode == 0:
        return
    assert 0 < p.returncode < 64, ctx
    errors = ERROR_LINE.findall(text)
    assert len(errors) == 1, "expected one error line: " + ctx
    assert path in errors[0], "the error does not name the file: " + ctx
    if want:
        assert re.search(want, errors[0]), "the error does not name the dataset: " + ctx


@pytest.mark.parametrize("name", sorted(CASES))
def test_info(corpus, name):
    path = corpus["files"][name]
    p = subprocess.run([BIN, "info", path], cwd=ROOT, env=mpi_env(1), capture_output=True,
                       text=True, timeout=60)
    check(p, path, CASES[name][1], "info")


# `run` reads the graph through the same reader as `info`: one case of each kind keeps the
# test short.
RUN_CASES = ["missing-edges-v", "u-as-text", "u-out-of-range", "cost-zero", "lon-nan",
             "geom-offset-down", "truncated-half", "flips-data-2"]


@pytest.mark.parametrize("name", RUN_CASES)
def test_run(corpus, name):
    path = corpus["files"][name]
    prm = dict(corpus["prm"])
    prm["Graph"] = {"file": path}
    params = str(corpus["tmp"] / (name + ".yml"))
    with open(params, "w", encoding="utf-8") as f:
        yaml.safe_dump(prm, f, allow_unicode=True)
    out = str(corpus["tmp"] / (name + "-results.h5"))
    p = subprocess.run([MPIEXEC, "-n", "2", "--bind-to", "none", BIN, "run", params, "-o", out],
                       cwd=ROOT, env=mpi_env(1), capture_output=True, text=True, timeout=120)
    check(p, path, CASES[name][1], "run")
    if p.returncode != 0:
        assert not os.path.exists(out) and not os.path.exists(out + ".tmp")
