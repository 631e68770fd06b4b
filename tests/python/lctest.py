"""Shared helpers of the Python tests: paths, running the binary under mpiexec."""
import os
import subprocess

ROOT = os.environ.get("LC_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.environ.get("LC_BIN", os.path.join(ROOT, "build", "lifecircle"))
SHARED = os.environ.get("LIFECIRCLE_SHARED", os.path.join(ROOT, "..", "shared"))
MPIEXEC = os.environ.get("MPIEXEC") or "mpiexec"


def shared(*parts):
    """Path of a file under the shared data folder."""
    return os.path.join(SHARED, *parts)


def mpi_env(threads=1):
    """Environment for mpiexec as root on a small machine."""
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1",
               OMPI_MCA_btl_vader_single_copy_mechanism="none",
               OMP_NUM_THREADS=str(threads))
    return env


def run(args, ranks=1, threads=1, timeout=600, check=True, cwd=None):
    """Runs `lifecircle ARGS` on `ranks` MPI ranks from the project root; returns the
    CompletedProcess (stdout and stderr as text)."""
    cmd = [MPIEXEC, "-n", str(ranks), "--bind-to", "none", BIN] + list(args)
    p = subprocess.run(cmd, cwd=cwd or ROOT, env=mpi_env(threads), capture_output=True,
                       text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), p.returncode,
                                                          p.stdout[-3000:], p.stderr[-3000:]))
    return p
