"""lifecircle import refuses bad input: each case exits non-zero, names the file in its
message (and the element where known), and leaves no output file (nor a temporary one).

Environment (set by ctest): LC_BIN, LC_ROOT, LC_FIXTURES, LIFECIRCLE_SHARED, MPIEXEC."""
import bz2
import gzip
import os
import shutil
import subprocess

import pytest

BIN = os.environ.get("LC_BIN", "build/lifecircle")
ROOT = os.environ.get("LC_ROOT", ".")
FIX = os.environ.get("LC_FIXTURES", os.path.join(ROOT, "tests", "fixtures"))
SHARED = os.environ.get("LIFECIRCLE_SHARED", os.path.join(ROOT, "..", "shared"))
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
DATA = os.path.join(SHARED, "data", "changning")
PROFILE = os.path.join(ROOT, "inputs", "profiles", "walk.yml")
CATEGORIES = os.path.join(ROOT, "inputs", "categories.yml")
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}


def fixture(name):
    return os.path.join(FIX, "osm", name)


def make_case(name, tmp):
    """Returns (input path, words the message must contain) for a case."""
    net = fixture("network.osm")
    if name == "missing":
        return str(tmp / "absent.osm"), ["cannot open"]
    if name == "suffix":
        p = tmp / "network.txt"
        shutil.copy(net, p)
        return str(p), ["unsupported input suffix"]
    if name == "gzip":
        p = tmp / "network.osm.gz"
        with open(net, "rb") as f, gzip.open(p, "wb") as g:
            g.write(f.read())
        return str(p), ["decompress first", "gunzip -k"]
    if name == "bzip2":
        p = tmp / "network.osm.bz2"
        with open(net, "rb") as f, bz2.open(p, "wb") as g:
            g.write(f.read())
        return str(p), ["decompress first"]
    if name == "xml-truncated":
        p = tmp / "truncated.osm"
        with open(os.path.join(DATA, "xinhua-walk.osm"), "rb") as f:
            data = f.read()
        p.write_bytes(data[: len(data) // 2])
        return str(p), ["XML"]
    if name == "xml-garbage":
        return fixture("bad-garbage.osm"), ["XML"]
    if name == "pbf-truncated":
        p = tmp / "truncated.osm.pbf"
        with open(os.path.join(DATA, "xinhua-walk.osm.pbf"), "rb") as f:
            data = f.read()
        p.write_bytes(data[: int(len(data) * 0.6)])
        return str(p), ["PBF"]
    if name == "pbf-garbage":
        p = tmp / "garbage.pbf"
        p.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(5000)))
        return str(p), ["PBF"]
    if name == "missing-node":
        return fixture("bad-missing-node.osm"), ["way 500", "node 999"]
    if name == "lat-range":
        return fixture("bad-lat.osm"), ["node 77"]
    if name == "lat-nan":
        return fixture("bad-nan.osm"), ["node 78", "nan"]
    if name == "empty":
        return fixture("bad-empty.osm"), ["no walkable edge"]
    raise ValueError(name)


CASES = ["missing", "suffix", "gzip", "bzip2", "xml-truncated", "xml-garbage",
         "pbf-truncated", "pbf-garbage", "missing-node", "lat-range", "lat-nan", "empty"]


def run(inputs, out, ranks=None):
    cmd = [BIN, "import"] + inputs + ["-o", str(out), "--profile", PROFILE, "--categories",
                                      CATEGORIES]
    if ranks:
        cmd = [MPIEXEC, "-n", str(ranks)] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, **MPI_ENV))


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path):
    if case in ("xml-truncated", "pbf-truncated") and not os.path.isdir(DATA):
        pytest.skip("shared data not present")
    path, words = make_case(case, tmp_path)
    out = tmp_path / "out" / "graph.h5"
    out.parent.mkdir()
    res = run([path], out)
    assert res.returncode != 0, res.stderr
    assert path in res.stderr, res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)
    assert list(out.parent.iterdir()) == [], "no output or temporary file is left"


def test_bad_second_input(tmp_path):
    """A good file followed by a bad one: the bad one is named, nothing is written."""
    out = tmp_path / "graph.h5"
    bad = fixture("bad-lat.osm")
    res = run([fixture("network.osm"), bad], out)
    assert res.returncode != 0
    assert bad in res.stderr and "node 77" in res.stderr
    assert not out.exists()


def test_bad_input_two_ranks(tmp_path):
    """Under mpiexec every rank fails together, with one message, within seconds."""
    out = tmp_path / "graph.h5"
    path = fixture("bad-missing-node.osm")
    res = run([path], out, ranks=2)
    assert res.returncode != 0
    assert res.stderr.count("way 500 references node 999") == 1, res.stderr
    assert not out.exists()


def test_usage_errors(tmp_path):
    res = subprocess.run([BIN, "import", fixture("network.osm")], capture_output=True,
                         text=True)
    assert res.returncode != 0 and "-o GRAPH.h5" in res.stderr
    res = subprocess.run([BIN, "import", "-o", str(tmp_path / "g.h5")], capture_output=True,
                         text=True)
    assert res.returncode != 0 and "no input file" in res.stderr
    res = subprocess.run([BIN, "import", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "usage: lifecircle import" in res.stdout
