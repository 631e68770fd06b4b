"""A disk that fills up while `lifecircle run` writes its results: every rank ends with exit
3 and one error line naming the temporary file and "disk full", no crash (HDF5 1.10 crashes
in MPI_Finalize after a failed close unless the file is detached first), no file left under
the temporary name or beside it, and an earlier complete file at the output path keeps its
bytes.

The disk is real where the test may mount (a tmpfs of a few MiB as root, filled by a filler
file to leave N bytes), and otherwise the LD_PRELOAD shim tests/writefail/writefail.c (a
byte budget shared by the ranks; statvfs reports what is left). N sweeps the writing phase:
nothing, a tenth, half and nearly all of the results file.

Environment (set by ctest): LC_BIN, LC_BUILD, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC."""
import hashlib
import os
import re
import shutil
import subprocess
import time

import pytest
import yaml

from lctest import BIN, MPIEXEC, ROOT, mpi_env, shared

BASE = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
DATA = shared("data", "changning")
SHIM = os.path.join(os.environ.get("LC_BUILD", os.path.join(ROOT, "build")), "tests",
                    "writefail.so")
ERROR_LINE = re.compile(r"^\[\d{4} +[\d.]+s\] error: (.*)$", re.M)
CRASH = re.compile(r"AddressSanitizer|runtime error:|Segmentation fault|core dumped|signal")
FRACTIONS = [0.0, 0.1, 0.5, 0.95]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def mpirun(args, env_extra=None, timeout=180):
    env = mpi_env(1)
    env.update(env_extra or {})
    cmd = [MPIEXEC, "-n", "2", "--bind-to", "none"]
    for k in sorted(env_extra or {}):
        cmd += ["-x", k]
    p = subprocess.run(cmd + [BIN] + args, cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=timeout)
    return p


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A graph file, a parameter file (baseline, agents at 10 residents per agent) and an
    earlier complete results file."""
    tmp = tmp_path_factory.mktemp("writefail")
    graph = str(tmp / "graph.h5")
    p = mpirun(["import", os.path.join(DATA, "xinhua-walk.osm.pbf"),
                os.path.join(DATA, "changning-pois.osm.pbf"), "-o", graph])
    assert p.returncode == 0, p.stderr[-3000:]
    with open(BASE, encoding="utf-8") as f:
        prm = yaml.safe_load(f)
    prm["Graph"] = {"file": graph}
    prm["Facilities"]["pois"] = False
    prm.pop("Scenarios", None)
    prm["Agents"]["residents_per_agent"] = 10
    params = str(tmp / "params.yml")
    with open(params, "w", encoding="utf-8") as f:
        yaml.safe_dump(prm, f, allow_unicode=True)
    earlier = str(tmp / "earlier.yml")
    with open(params, encoding="utf-8") as f, open(earlier, "w", encoding="utf-8") as g:
        g.write(f.read() + "# the earlier run\n")
    good = str(tmp / "good.h5")
    p = mpirun(["run", earlier, "-o", good])
    assert p.returncode == 0, p.stderr[-3000:]
    return dict(tmp=tmp, params=params, good=good, sha=sha256(good),
                size=os.path.getsize(good))


def check_failed(p, out, sha):
    text = p.stdout + p.stderr
    ctx = "exit %d:\n%s" % (p.returncode, text[-3000:])
    assert p.returncode == 3, ctx
    assert not CRASH.search(text), ctx
    errors = ERROR_LINE.findall(text)
    assert len(errors) == 1, "expected one error line: " + ctx
    assert out + ".tmp" in errors[0] and "disk full" in errors[0], ctx
    assert sha256(out) == sha, "the earlier results file was modified"
    left = sorted(f for f in os.listdir(os.path.dirname(out)) if f != os.path.basename(out)
                  and not f.startswith("filler"))
    assert not left, "files left beside the results: %s" % left


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_shim_disk_full(setup, fraction):
    d = setup["tmp"] / ("shim-%g" % fraction)
    d.mkdir()
    out = str(d / "results.h5")
    shutil.copyfile(setup["good"], out)
    budget = int(setup["size"] * fraction)
    p = mpirun(["run", setup["params"], "-o", out],
               {"LD_PRELOAD": SHIM, "LC_WRITEFAIL_PATH": out + ".tmp",
                "LC_WRITEFAIL_AFTER": str(budget), "LC_WRITEFAIL_ERRNO": "ENOSPC",
                "LC_WRITEFAIL_COUNTER": str(setup["tmp"] / ("count-%g" % fraction))})
    print("shim: %d of %d bytes: exit %d" % (budget, setup["size"], p.returncode))
    check_failed(p, out, setup["sha"])


def can_mount(path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", path],
                       capture_output=True)
    if r.returncode != 0:
        return False
    subprocess.run(["umount", path])
    return True


@pytest.mark.parametrize("fraction", [0.3, 0.8])
def test_tmpfs_disk_full(setup, fraction):
    d = setup["tmp"] / ("tmpfs-%g" % fraction)
    d.mkdir()
    if not can_mount(str(d)):
        pytest.skip("cannot mount a tmpfs here (not root, or no mount): the shim cases stand")
    size_kib = (2 * setup["size"]) // 1024 + 4096
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk" % size_kib, "tmpfs", str(d)],
                   check=True)
    try:
        out = str(d / "results.h5")
        shutil.copyfile(setup["good"], out)
        free = os.statvfs(str(d)).f_bavail * os.statvfs(str(d)).f_frsize
        leave = int(setup["size"] * fraction)
        with open(str(d / "filler"), "wb") as f:
            f.write(b"\0" * max(free - leave, 0))
        p = mpirun(["run", setup["params"], "-o", out])
        print("tmpfs: %d bytes free for a %d-byte file: exit %d"
              % (leave, setup["size"], p.returncode))
        check_failed(p, out, setup["sha"])
    finally:
        time.sleep(0.2)
        subprocess.run(["umount", str(d)])
