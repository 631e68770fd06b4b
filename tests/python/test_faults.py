"""Fault injection into `lifecircle run` (LIFECIRCLE_FAULT=RANK:PHASE) and SIGKILL of one
rank: every rank ends within seconds with a non-zero status and one error message, and a
complete results file written earlier at the same path is never damaged (same bytes, still
readable with h5py). A rerun after the kill completes.

The runs use the Xinhua default with a graph file imported once from the same OSM files and
no OSM POIs (seconds per run instead of a full import).

Environment (set by ctest): LC_BIN, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC."""
import concurrent.futures
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time

import h5py
import pytest
import yaml

from lctest import BIN, MPIEXEC, ROOT, mpi_env, shared

BASE = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
DATA = shared("data", "changning")
PHASES = ["import", "partition", "accessibility", "agents", "write"]
EXIT_FAULT = 13
# A faulty rank must bring every rank down within this many seconds of a good run's time.
GRACE_S = 10.0
ERROR_LINE = re.compile(r"^\[\d{4} +[\d.]+s\] error: (.*)$", re.M)
CRASH = re.compile(r"AddressSanitizer|runtime error:|Segmentation fault|core dumped")
CASES = [(ranks, rank, phase) for phase in PHASES for ranks in (2, 3)
         for rank in sorted({0, ranks - 1})]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def mpirun(args, ranks, env_extra=None, timeout=300):
    env = mpi_env(1)
    env.pop("LIFECIRCLE_FAULT", None)
    env.update(env_extra or {})
    cmd = [MPIEXEC, "-n", str(ranks), "--bind-to", "none", BIN] + args
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A parameter file and one complete results file (with its checksum and the time a
    good run takes)."""
    tmp = tmp_path_factory.mktemp("faults")
    graph = str(tmp / "xinhua-graph.h5")
    p, _ = mpirun(["import", os.path.join(DATA, "xinhua-walk.osm.pbf"),
                   os.path.join(DATA, "changning-pois.osm.pbf"), "-o", graph], 1)
    assert p.returncode == 0, p.stderr[-3000:]
    with open(BASE, encoding="utf-8") as f:
        prm = yaml.safe_load(f)
    prm["Graph"] = {"file": graph}
    prm["Facilities"]["pois"] = False
    prm.pop("Scenarios", None)  # They refer to OSM POIs.
    params = str(tmp / "params.yml")
    with open(params, "w", encoding="utf-8") as f:
        yaml.safe_dump(prm, f, allow_unicode=True)
    # The earlier file is made from a different parameter text (a comment more), so that
    # the faulty runs cannot reuse its baseline and pass through every phase.
    earlier = str(tmp / "earlier.yml")
    with open(params, encoding="utf-8") as f, open(earlier, "w", encoding="utf-8") as g:
        g.write(f.read() + "# the earlier run\n")
    good = str(tmp / "good.h5")
    p, elapsed = mpirun(["run", earlier, "-o", good], 2)
    assert p.returncode == 0, p.stderr[-3000:]
    with h5py.File(good, "r") as f:
        assert f["/Header"].attrs["status"] in (b"complete", "complete")
    return dict(tmp=tmp, params=params, good=good, sha=sha256(good), good_s=elapsed)


def check_intact(path, sha):
    assert sha256(path) == sha, "the earlier results file was modified"
    with h5py.File(path, "r") as f:
        assert f["/Header"].attrs["status"] in (b"complete", "complete")
        assert f["/Scenarios/baseline"].attrs["complete"] == 1


def run_fault(setup, ranks, rank, phase):
    d = setup["tmp"] / ("fault-%d-%d-%s" % (ranks, rank, phase))
    d.mkdir()
    out = str(d / "results.h5")
    shutil.copyfile(setup["good"], out)
    p, elapsed = mpirun(["run", setup["params"], "-o", out], ranks,
                        {"LIFECIRCLE_FAULT": "%d:%s" % (rank, phase)},
                        timeout=setup["good_s"] * 3 + 120)
    return dict(p=p, elapsed=elapsed, out=out)


@pytest.fixture(scope="module")
def faults(setup):
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        fut = {c: pool.submit(run_fault, setup, *c) for c in CASES}
        return {c: f.result() for c, f in fut.items()}


@pytest.mark.parametrize("ranks,rank,phase", CASES,
                         ids=["np%d-rank%d-%s" % c for c in CASES])
def test_fault(setup, faults, ranks, rank, phase):
    r = faults[(ranks, rank, phase)]
    p, text = r["p"], r["p"].stdout + r["p"].stderr
    ctx = "exit %d after %.1f s:\n%s" % (p.returncode, r["elapsed"], text[-3000:])
    assert p.returncode == EXIT_FAULT, ctx
    assert not CRASH.search(text), ctx
    # Several faulty runs share the machine: the bound is a good run's time (measured
    # alone) plus the grace period, doubled for the runs beside it.
    assert r["elapsed"] < 2 * (setup["good_s"] + GRACE_S), ctx
    errors = ERROR_LINE.findall(text)
    assert len(errors) == 1, "expected one error line: " + ctx
    assert "fault" in errors[0], ctx
    # From the error (logged with the run's elapsed time once the ranks agree) to the end of
    # every rank and of mpiexec: within the grace period.
    stamp = float(re.search(r"^\[\d{4} +([\d.]+)s\] error:", text, re.M).group(1))
    print("fault np%d rank %d %s: exit %d, %.1f s in all, %.1f s from the error to the end"
          % (ranks, rank, phase, p.returncode, r["elapsed"], r["elapsed"] - stamp))
    assert r["elapsed"] - stamp < GRACE_S, "ranks ended %.1f s after the error: %s" % (
        r["elapsed"] - stamp, ctx)
    check_intact(r["out"], setup["sha"])
    assert not os.path.exists(r["out"] + ".tmp"), "temporary results left: " + ctx


def test_sigkill_one_rank(setup):
    """kill -9 of the last rank while the run is under way: mpiexec ends every rank, the
    earlier results file is unchanged, and a rerun completes the results."""
    d = setup["tmp"] / "sigkill"
    d.mkdir()
    out = str(d / "results.h5")
    shutil.copyfile(setup["good"], out)
    env = mpi_env(1)
    env.pop("LIFECIRCLE_FAULT", None)
    cmd = [MPIEXEC, "-n", "3", "--bind-to", "none", BIN, "run", setup["params"], "-o", out]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        # Wait until the ranks are under way (the temporary results file exists, or half a
        # good run's time has passed), then kill one rank.
        t0 = time.monotonic()
        while (time.monotonic() - t0 < setup["good_s"] * 0.5
               and not os.path.exists(out + ".tmp") and proc.poll() is None):
            time.sleep(0.05)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        assert proc.poll() is None and children, "the run ended before it could be killed"
        victim = int(children[-1])
        os.kill(victim, signal.SIGKILL)
        t_kill = time.monotonic()
        text, _ = proc.communicate(timeout=60)
        waited = time.monotonic() - t_kill
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0, text[-3000:]
    assert waited < GRACE_S + 20, "ranks still running %.1f s after the kill" % waited
    left = subprocess.run(["pgrep", "-f", out], capture_output=True, text=True).stdout.split()
    assert not left, "ranks left running: %s" % left
    check_intact(out, setup["sha"])
    # The rerun moves any partial file aside and completes.
    p, _ = mpirun(["run", setup["params"], "-o", out], 2)
    assert p.returncode == 0, p.stderr[-3000:]
    with h5py.File(out, "r") as f:
        assert f["/Header"].attrs["status"] in (b"complete", "complete")
    assert not os.path.exists(out + ".tmp")
