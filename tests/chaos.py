#!/usr/bin/python3
"""Chaos test of the resumable run: COUNT runs of a multi-scenario job (baseline, the three
Xinhua scenarios, agents) at 2 ranks, each interrupted at a random moment by SIGKILL of one
rank, SIGTERM or SIGUSR1 to the launcher, then resumed until complete. Every final file's
datasets must equal those of an uninterrupted run (values compared with h5py; attributes such
as the creation time are not), no temporary file (.tmp, .partial, .lock) may be left, and no
resume may take longer than a fresh run (with a margin for a shared machine, printed).

usage: tests/chaos.py COUNT [--seed S] [--keep DIR] [--timing fail|warn]
Run i uses the seed S + i (S is printed; default: from the clock); `--seed S` with COUNT 1
replays run S. Exit 0 when every run passes.
Environment: LC_BIN, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC (as for the other tests)."""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
from lctest import BIN, MPIEXEC, ROOT, mpi_env, shared  # noqa: E402

RANKS = 2
ACTIONS = ["kill-rank", "sigterm", "sigusr1"]
# A resume may exceed a fresh run's time by this factor plus this many seconds: the machine
# is shared, and a resume pays the setup a fresh run pays too.
SLACK_FACTOR, SLACK_S = 1.25, 3.0


def command(params, out):
    return [MPIEXEC, "-n", str(RANKS), "--bind-to", "none", BIN, "run", params, "-o", out]


def run_plain(params, out):
    t0 = time.monotonic()
    p = subprocess.run(command(params, out), cwd=ROOT, env=mpi_env(1), capture_output=True,
                       text=True, timeout=600)
    return p, time.monotonic() - t0


def interrupt(params, out, rng, fresh_s):
    """One run interrupted at a random moment; returns what was done."""
    action = rng.choice(ACTIONS)
    delay = rng.uniform(0.1, fresh_s * 0.95)
    proc = subprocess.Popen(command(params, out), cwd=ROOT, env=mpi_env(1),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    time.sleep(delay)
    done = "%s after %.2f s" % (action, delay)
    if proc.poll() is None:
        if action == "kill-rank":
            kids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True).stdout.split()
            if kids:
                os.kill(int(rng.choice(kids)), signal.SIGKILL)
            else:
                done += " (no rank yet)"
        else:
            proc.send_signal(signal.SIGTERM if action == "sigterm" else signal.SIGUSR1)
    else:
        done += " (already finished)"
    try:
        proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return done + ": HUNG"
    return done + ": exit %d" % proc.returncode


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def same(a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "f":
            return np.array_equal(a, b, equal_nan=True)
        return np.array_equal(a, b)
    return a == b


def compare(ref, path):
    got = datasets(path)
    missing = sorted(set(ref) ^ set(got))
    if missing:
        return "datasets differ in presence: %s" % missing[:5]
    bad = [k for k in ref if not same(ref[k], got[k])]
    return "datasets differ: %s" % bad[:5] if bad else None


def setup(tmp):
    data = shared("data", "changning")
    graph = os.path.join(tmp, "graph.h5")
    p = subprocess.run([MPIEXEC, "-n", "1", BIN, "import", os.path.join(data, "xinhua-walk.osm.pbf"),
                        os.path.join(data, "changning-pois.osm.pbf"), "-o", graph], cwd=ROOT,
                       env=mpi_env(1), capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit("import failed:\n" + p.stderr[-3000:])
    with open(os.path.join(ROOT, "inputs", "changning", "xinhua.yml"), encoding="utf-8") as f:
        prm = yaml.safe_load(f)
    prm["Graph"] = {"file": graph}
    prm["Agents"]["residents_per_agent"] = 10
    params = os.path.join(tmp, "params.yml")
    with open(params, "w", encoding="utf-8") as f:
        yaml.safe_dump(prm, f, allow_unicode=True)
    return params


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", default=None, help="work folder (kept); default: a temporary one")
    ap.add_argument("--timing", choices=["fail", "warn"], default="fail",
                    help="a resume slower than a fresh run fails the run (default) or is "
                         "printed as a warning (ctest, where other tests load the machine)")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int(time.time()) % 1000000
    print("chaos: %d runs, seeds %d..%d (replay one: tests/chaos.sh 1 --seed SEED)"
          % (a.count, seed, seed + a.count - 1), flush=True)
    tmp = a.keep or tempfile.mkdtemp(prefix="lifecircle-chaos-")
    os.makedirs(tmp, exist_ok=True)
    params = setup(tmp)
    ref_path = os.path.join(tmp, "reference.h5")
    p, fresh_s = run_plain(params, ref_path)
    if p.returncode != 0:
        sys.exit("the uninterrupted run failed:\n" + p.stderr[-3000:])
    ref = datasets(ref_path)
    print("chaos: uninterrupted run %.1f s, %d datasets" % (fresh_s, len(ref)), flush=True)
    failures = 0
    for i in range(a.count):
        s = seed + i
        rng = random.Random(s)
        d = os.path.join(tmp, "run-%d" % s)
        os.makedirs(d, exist_ok=True)
        out = os.path.join(d, "results.h5")
        what = interrupt(params, out, rng, fresh_s)
        resumes, worst, problem = 0, 0.0, None
        while problem is None:
            p, t = run_plain(params, out)
            resumes += 1
            worst = max(worst, t)
            if p.returncode == 0:
                break
            if resumes >= 3:
                problem = "resume failed (exit %d): %s" % (p.returncode, p.stderr[-1500:])
        if problem is None:
            problem = compare(ref, out)
        left = sorted(f for f in os.listdir(d) if f != "results.h5")
        if problem is None and left:
            problem = "files left: %s" % left
        slow = worst > fresh_s * SLACK_FACTOR + SLACK_S
        if problem is None and slow and a.timing == "fail":
            problem = "a resume took %.1f s, a fresh run %.1f s" % (worst, fresh_s)
        elif slow:
            print("chaos seed %d: warning: a resume took %.1f s, a fresh run %.1f s"
                  % (s, worst, fresh_s))
        print("chaos seed %d: %s; %d resume(s), longest %.1f s (fresh %.1f s): %s"
              % (s, what, resumes, worst, fresh_s, problem or "ok"), flush=True)
        failures += problem is not None
    print("chaos: %d of %d runs passed" % (a.count - failures, a.count))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
