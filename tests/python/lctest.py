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


def display_columns(text):
    """The text as a list with one entry per terminal column: a wide (East Asian W or F)
    character takes two, the second an empty string (Unicode's own table, independent of
    the C code's)."""
    import unicodedata
    out = []
    for ch in text:
        if unicodedata.combining(ch):
            out[-1] += ch
            continue
        out.append(ch)
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append("")
    return out


def compare_printout(stdout):
    """The tables printed by `lifecircle compare`, read by display column from each table's
    header (so a misaligned row fails to parse): {scenario: {"head": {(row, category label):
    (static gain, static loss, realised gain or None, realised loss or None, pass before,
    pass after)}, "detail": {(row, category label, group): (static gain, static loss,
    realised gain or None, realised loss or None)}}}."""
    import re
    out, cur, cols = {}, None, None
    num = lambda s: None if s == "-" else abs(int(s))
    for line in stdout.split("\n"):
        m = re.match(r"^(\S+) compared with (\S+):", line)
        if m:
            cur = out.setdefault(m.group(1), {"head": {}, "detail": {}})
            continue
        if cur is None:
            continue
        if line.startswith("  subdistrict"):
            cols = [line.index(h) for h in ("subdistrict", "category", "served groups")]
            cols.append(cols[2] + 24)
            continue
        if cols is None or not line.startswith("  ") or line.startswith("  ("):
            continue
        d = display_columns(line)
        if len(d) <= cols[3] or d[cols[0] - 1] != " " or d[cols[1] - 1] != " ":
            continue
        field = lambda a, b: "".join(d[a:b]).strip()
        row, cat, grp = field(cols[0], cols[1]), field(cols[1], cols[2]), field(cols[2], cols[3])
        rest = "".join(d[cols[3]:]).split()
        if not row or not cat or len(rest) < 4:
            continue
        vals = tuple(num(x) for x in rest[:4])
        if "->" in rest:
            tail = " ".join(rest[4:]).replace("(changed)", "").strip()
            before, after = [x.strip() for x in tail.split("->")]
            cur["head"][(row, cat)] = vals + (before, after)
        else:
            cur["detail"][(row, cat, grp)] = vals
    return out
