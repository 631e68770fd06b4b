"""The accessibility kernel against an independent oracle, scipy's Dijkstra, on rome99.

The MPI unit test test_mpi_access (run here at 2 ranks) writes its rome99 k = 4 result when
LC_ACCESS_DUMP is set. This test reads rome99 itself (every unordered pair of nodes with an
arc becomes one undirected edge with the smallest weight, in metres, times 100 cm), runs
scipy.sparse.csgraph.dijkstra from every source, adds the source's snap offset, keeps for each
facility its nearest source, and checks that every node's list is the 4 best
(distance, facility id) within the category's radius, padded with -1.
"""

import os
import subprocess

import numpy as np
import pytest

scipy_sparse = pytest.importorskip("scipy.sparse")
csgraph = pytest.importorskip("scipy.sparse.csgraph")

K = 4


def read_rome(path):
    best = {}
    n = None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "p":
                n = int(parts[2])
            elif parts[0] == "a":
                u, v, w = int(parts[1]) - 1, int(parts[2]) - 1, int(parts[3])
                if u == v:
                    continue
                key = (min(u, v), max(u, v))
                best[key] = min(best.get(key, w), w)
    rows = np.array([k[0] for k in best], dtype=np.int64)
    cols = np.array([k[1] for k in best], dtype=np.int64)
    w = np.array(list(best.values()), dtype=np.float64) * 100.0
    g = scipy_sparse.csr_matrix((w, (rows, cols)), shape=(n, n))
    return n, g


def test_rome_against_scipy(tmp_path):
    build = os.environ.get("LC_BUILD")
    shared = os.environ.get("LIFECIRCLE_SHARED", "../shared")
    rome = os.path.join(shared, "data", "benchmarks", "rome99.gr")
    binary = os.path.join(build or "", "tests", "test_mpi_access")
    if not build or not os.path.exists(binary):
        pytest.skip("test_mpi_access is not built (LC_BUILD unset)")
    if not os.path.exists(rome):
        pytest.skip("rome99.gr is not available")
    prefix = str(tmp_path / "rome")
    env = dict(os.environ, LC_ACCESS_DUMP=prefix)
    mpiexec = os.environ.get("MPIEXEC") or "mpiexec"
    run = subprocess.run([mpiexec, "-n", "2", binary], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr

    n, g = read_rome(rome)
    src = np.loadtxt(prefix + ".src", dtype=np.int64, ndmin=2)
    res = np.loadtxt(prefix + ".res", dtype=np.int64, ndmin=2)
    n_cat = int(src[:, 0].max()) + 1
    assert res.shape == (n_cat * n * K, 2)
    res = res.reshape(n_cat, n, K, 2)

    reached = 0
    for c in range(n_cat):
        rows = src[src[:, 0] == c]
        radius = int(rows[0, 4])
        d = csgraph.dijkstra(g, directed=False, indices=rows[:, 1])
        d = d + rows[:, 3][:, None]
        # Nearest source of every facility.
        facs = np.unique(rows[:, 2])
        best = np.full((len(facs), n), np.inf)
        for i, f in enumerate(facs):
            best[i] = d[rows[:, 2] == f].min(axis=0)
        for x in range(n):
            cand = sorted((int(best[i, x]), int(f)) for i, f in enumerate(facs)
                          if best[i, x] <= radius)
            want = cand[:K] + [(-1, -1)] * (K - len(cand[:K]))
            got = [tuple(int(v) for v in res[c, x, j]) for j in range(K)]
            assert got == want, f"category {c}, node {x}: kernel {got}, scipy {want}"
            reached += len(cand) > 0
    assert reached > 0
