"""The Slurm job scripts of jobs/ against a real single-node Slurm (slurmctld, slurmd, munged
from Debian, started by tests/slurm/slurm_up.sh in a temporary directory and always stopped
by tests/slurm/slurm_down.sh): a scenario sweep as a job array with the dependent compare,
restart after a stop before the time limit, an scancel and a hard kill (complete scenarios
kept byte for byte, the rest finished and equal to an uninterrupted run), a rank failing
(every rank ends within 10 s, one message, non-zero status, an earlier file untouched), and
the scaling table. Job results are read from `scontrol show job` (no accounting)."""
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time

import h5py
import numpy as np
import pytest
import yaml

from lctest import BIN, ROOT

SLURM_TOOLS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "scontrol", "squeue",
               "scancel")
UP = os.path.join(ROOT, "tests", "slurm", "slurm_up.sh")
DOWN = os.path.join(ROOT, "tests", "slurm", "slurm_down.sh")
JOBS = os.path.join(ROOT, "jobs")
XINHUA = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
# Categories and places (within 300 m of the Xinhua network) of the test scenarios.
CATEGORIES = ("party_mass_centre", "parcel_locker", "employment_service", "culture_venue",
              "childcare", "elderly_day_care", "nursing_home", "community_health",
              "emergency_shelter", "elderly_canteen", "wet_market", "daily_shop")
N_SCEN = 16
SETS = ["s00,s01,s02", "s03,s14", "s15"]


def _missing_tools():
    return [t for t in SLURM_TOOLS if shutil.which(t) is None]


def _install_slurm():
    """Installs slurm-wlm and munge when missing and possible (root with apt-get); returns
    the reason they are still missing, or None."""
    if not _missing_tools():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "Slurm tools %s missing and not root with apt-get" % _missing_tools()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "slurm-wlm", "munge"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if _missing_tools():
        return "Slurm cannot be installed (apt-get install slurm-wlm munge: %s)" % \
            (p.stderr.strip()[-300:] or p.returncode)
    return None


class Cluster:
    """A running private Slurm: SLURM_CONF and helpers to submit and wait."""

    def __init__(self, sdir, work):
        self.dir = sdir
        self.work = work
        self.env = dict(os.environ)
        self.env.update(
            SLURM_CONF=os.path.join(sdir, "slurm.conf"), LC_ROOT=ROOT, LC_BIN=BIN,
            # srun launches ranks directly: tell Open MPI the 2 cores are oversubscribed
            # (4 CPUs declared), so that idle ranks yield instead of spinning.
            OMPI_MCA_mpi_yield_when_idle="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")
        for k in ("LC_SETS", "LC_OUTPUT", "LC_SCENARIOS", "LC_RESULTS", "LIFECIRCLE_FAULT",
                  "SLURM_JOB_ID"):
            self.env.pop(k, None)

    def run(self, cmd, env=None, check=True, timeout=60):
        p = subprocess.run(cmd, env=env or self.env, capture_output=True, text=True,
                           timeout=timeout, cwd=self.work)
        if check and p.returncode != 0:
            raise AssertionError("%s failed (%d): %s %s" % (cmd, p.returncode, p.stdout,
                                                            p.stderr))
        return p

    def sbatch(self, script, opts=(), **extra):
        env = dict(self.env, **extra)
        p = self.run(["sbatch", "--parsable"] + list(opts) + [os.path.join(JOBS, script)],
                     env=env)
        return p.stdout.strip().split(";")[0]

    def jobs(self, jid):
        """`scontrol show job -o JID` as a list of dicts (one per array task)."""
        p = self.run(["scontrol", "show", "job", "-o", str(jid)], check=False)
        out = []
        for line in p.stdout.splitlines():
            if line.strip():
                out.append(dict(re.findall(r"(\w+)=(\S*)", line)))
        return out

    def active(self, jid):
        p = self.run(["squeue", "-h", "-j", str(jid), "-o", "%T"], check=False)
        return [s for s in p.stdout.split() if s]

    def wait(self, jid, timeout=150):
        """Waits until job (or array) JID has left the queue; returns its scontrol records."""
        end = time.time() + timeout
        while time.time() < end:
            if not self.active(jid):
                return self.jobs(jid)
            time.sleep(0.25)
        raise AssertionError("job %s still queued after %d s: %s\n%s" % (
            jid, timeout, self.jobs(jid), self.logs_tail()))

    def wait_log(self, path, pattern, jid, timeout=120):
        """Waits until file `path` has a line matching `pattern`; returns the match."""
        end = time.time() + timeout
        rx = re.compile(pattern, re.M)
        while time.time() < end:
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    m = rx.search(f.read())
                if m:
                    return m
            if not self.active(jid):
                raise AssertionError("job %s ended before %r appeared in %s:\n%s" % (
                    jid, pattern, path, tail(path)))
            time.sleep(0.1)
        raise AssertionError("%r did not appear in %s within %d s" % (pattern, path, timeout))

    def logs_tail(self):
        out = []
        for name in ("slurmctld.log", "slurmd.log"):
            out.append("--- %s\n%s" % (name, tail(os.path.join(self.dir, "log", name), 15)))
        return "\n".join(out)


def tail(path, n=40):
    if not os.path.exists(path):
        return "(no %s)" % path
    with open(path, errors="replace") as f:
        lines = [ln for ln in f.read().splitlines() if "warning: facility" not in ln]
    return "\n".join(lines[-n:])


def read_log(path):
    with open(path, errors="replace") as f:
        return f.read()


def exit_code(rec):
    """ExitCode=S:G of scontrol as (status, signal)."""
    s, g = rec["ExitCode"].split(":")
    return int(s), int(g)


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory):
    reason = _install_slurm()
    if reason:
        pytest.skip(reason)
    if os.geteuid() != 0:
        pytest.skip("a private Slurm needs root (slurmd launches jobs as their user)")
    sdir = tempfile.mkdtemp(prefix="lc-slurm-", dir="/tmp")
    work = str(tmp_path_factory.mktemp("slurm-work"))
    env = dict(os.environ, LC_SLURM_WATCH_PID=str(os.getpid()))
    with open(os.path.join(work, "slurm_up.out"), "w+") as out:
        # Output to a file, not a pipe: the daemons outlive the script.
        p = subprocess.run([UP, sdir, "4"], env=env, stdout=out, stderr=subprocess.STDOUT,
                           timeout=120)
        out.seek(0)
        text = out.read()

    def down():
        # Keep the daemons' logs with the test's files (the cluster directory goes).
        if os.path.isdir(os.path.join(sdir, "log")):
            shutil.copytree(os.path.join(sdir, "log"), os.path.join(work, "slurm-logs"),
                            dirs_exist_ok=True)
        d = subprocess.run([DOWN, sdir], capture_output=True, text=True, timeout=120)
        assert d.returncode == 0, "slurm_down.sh: %s %s" % (d.stdout, d.stderr)
        assert not os.path.exists(sdir)

    request.addfinalizer(down)
    if p.returncode == 3:
        pytest.skip("Slurm cannot be started here: " + text.strip())
    assert p.returncode == 0, "slurm_up.sh failed:\n" + text
    return Cluster(sdir, work)


@pytest.fixture(scope="module")
def scen(cluster):
    """16 one-facility scenarios s00..s15 and params = the Xinhua default + them."""
    d = os.path.join(cluster.work, "scenarios")
    os.makedirs(d)
    with open(XINHUA) as f:
        params = yaml.safe_load(f)
    files = []
    for i in range(N_SCEN):
        c = CATEGORIES[i % len(CATEGORIES)]
        path = os.path.join(d, "s%02d.yml" % i)
        with open(path, "w") as f:
            yaml.safe_dump({"name": "s%02d" % i, "description": "one more %s" % c,
                            "facilities": {"add": [{
                                "category": c, "lon": round(121.425 + 0.0015 * (i % 8), 6),
                                "lat": round(31.2025 + 0.0005 * (i // 8), 6),
                                "name": "test %s %d" % (c, i)}]}}, f)
        files.append(path)
    params["Scenarios"] = {"files": files}
    ppath = os.path.join(d, "params.yml")
    with open(ppath, "w") as f:
        yaml.safe_dump(params, f, allow_unicode=True, sort_keys=False)
    sets = os.path.join(d, "sets.txt")
    with open(sets, "w") as f:
        f.write("# scenario sets of the test sweep, one array task each\n%s\n\n%s\n%s\n" %
                tuple(SETS))
    return {"params": ppath, "sets": sets}


def scenario_data(path, complete_only=True):
    """{scenario: {dataset path: (dtype, shape, raw bytes)}} of the scenarios complete in a
    results file, plus their group attributes."""
    out = {}
    with h5py.File(path, "r", locking=False) as f:
        if "Scenarios" not in f:
            return out
        for name, g in f["Scenarios"].items():
            if complete_only and int(g.attrs.get("complete", 0)) != 1:
                continue
            data = {}

            def visit(n, o, data=data):
                if isinstance(o, h5py.Dataset):
                    a = np.asarray(o[()])
                    data[n] = (a.dtype.str, a.shape, a.tobytes())
            g.visititems(visit)
            data["@checksum"] = g.attrs.get("checksum")
            out[name] = data
    return out


def header_status(path):
    with h5py.File(path, "r", locking=False) as f:
        s = f["Header"].attrs.get("status")
    return s.decode() if isinstance(s, bytes) else s


@pytest.fixture(scope="module")
def sweep(cluster, scen):
    """The nightly chain through jobs/submit.sh: 3 array tasks and the dependent compare
    (with a stand-in report command that records its arguments)."""
    out = os.path.join(cluster.work, "sweep")
    stub = os.path.join(cluster.work, "report_stub.sh")
    with open(stub, "w") as f:
        f.write("#!/bin/sh\n# Stand-in for analysis/report.py: records its arguments.\n"
                "[ \"$2\" = -o ] || exit 9\nmkdir -p \"$3\" && echo \"$1\" > \"$3/index.html\"\n")
    os.chmod(stub, 0o755)
    env = dict(cluster.env, LC_PARAMS=scen["params"], LC_SETS=scen["sets"], LC_OUTDIR=out,
               LC_NAME="sweep", LC_RANKS="2", LC_THREADS="1", LC_TIME="00:10:00",
               LC_PARTITION="debug", LC_REPORT_CMD=stub)
    p = cluster.run([os.path.join(JOBS, "submit.sh")], env=env)
    ids = dict(kv.split("=") for kv in p.stdout.split())
    tasks = cluster.wait(ids["nightly"], timeout=150)
    comp = cluster.wait(ids["compare"], timeout=120)
    return {"out": out, "ids": ids, "tasks": tasks, "compare": comp[0],
            "files": [os.path.join(out, "sweep-set%03d.h5" % i) for i in (1, 2, 3)],
            "logs": os.path.join(out, "logs")}


def test_sweep_array(sweep):
    """Every array task completed with status 0 and wrote its set's scenarios (and the
    baseline), each marked complete with a SHA-256 checksum; submit.sh's settings reached
    Slurm; the logs have the header, the engine's progress and the footer."""
    tasks = sorted(sweep["tasks"], key=lambda r: int(r["ArrayTaskId"]))
    assert [r["ArrayTaskId"] for r in tasks] == ["1", "2", "3"]
    for r in tasks:
        assert r["JobState"] == "COMPLETED" and exit_code(r) == (0, 0), r
        assert r["TimeLimit"] == "00:10:00" and r["Partition"] == "debug", r
        assert r["NumTasks"] == "2", r
    baselines = []
    for i, path in enumerate(sweep["files"]):
        assert os.path.exists(path) and not os.path.exists(path + ".tmp"), path
        assert header_status(path) == "complete"
        data = scenario_data(path, complete_only=False)
        assert sorted(data) == sorted(["baseline"] + SETS[i].split(",")), path
        for name, d in data.items():
            assert re.fullmatch(r"[0-9a-f]{64}", d["@checksum"].decode()
                                if isinstance(d["@checksum"], bytes) else d["@checksum"])
        with h5py.File(path, "r", locking=False) as f:
            for name in data:
                assert int(f["Scenarios"][name].attrs["complete"]) == 1
        baselines.append(data["baseline"])
    # The baseline does not depend on which set ran with it.
    assert baselines[0] == baselines[1] == baselines[2]
    for i, r in enumerate(tasks, start=1):
        log = read_log(os.path.join(sweep["logs"], "lc-nightly-%s_%d.out" %
                                    (sweep["ids"]["nightly"], i)))
        assert re.search(r"^lifecircle-job: start nightly job=%s array=%d .*nodes=1 "
                         r"\(localhost\) ranks=2 threads=1" % (sweep["ids"]["nightly"], i),
                         log, re.M), log[:500]
        assert "set %d of 3: %s" % (i, SETS[i - 1]) in log
        assert re.search(r"scenarios: +100\.0% done, [\d.]+ s elapsed, [\d.]+ s left, peak "
                         r"memory [\d.]+ MiB", log), log[-2000:]
        assert re.search(r"peak memory per rank \(MiB\) 0: [\d.]+, 1: [\d.]+", log)
        assert re.search(r"^lifecircle-job: end nightly .* status=0 elapsed=[\d.]+ s", log,
                         re.M)


def test_compare_after_sweep(sweep):
    """The compare job ran after the whole array (afterany dependency), compared every set's
    scenarios into /Comparisons, printed the tables, and called the report on each file."""
    c = sweep["compare"]
    assert c["JobState"] == "COMPLETED" and exit_code(c) == (0, 0), c
    ends = [r["EndTime"] for r in sweep["tasks"]]
    assert c["StartTime"] >= max(ends), (c["StartTime"], ends)
    for i, path in enumerate(sweep["files"]):
        with h5py.File(path, "r", locking=False) as f:
            assert "Comparisons" in f, path
            assert sorted(f["Comparisons"]) == sorted(SETS[i].split(","))
        txt = read_log(path[:-3] + ".compare.txt")
        for s in SETS[i].split(","):
            assert "%s compared with baseline" % s in txt
        with open(os.path.join(path[:-3] + "-report", "index.html")) as f:
            assert f.read().strip() == path
    log = read_log(os.path.join(sweep["logs"], "lc-compare-%s.out" % sweep["ids"]["compare"]))
    assert re.search(r"^lifecircle-job: end compare .* status=0 ", log, re.M)


def test_compare_fails_on_missing_set(cluster, sweep, scen):
    """compare.sbatch names a set whose results file is missing and fails, after comparing
    the others; a report that fails fails the job too."""
    out = os.path.join(cluster.work, "missing")
    os.makedirs(out)
    shutil.copy(sweep["files"][0], os.path.join(out, "sweep-set001.h5"))
    jid = cluster.sbatch("compare.sbatch", ["-o", os.path.join(out, "compare.out")],
                         LC_PARAMS=scen["params"], LC_SETS=scen["sets"], LC_OUTDIR=out,
                         LC_NAME="sweep", LC_REPORT="0")
    rec = cluster.wait(jid, timeout=90)[0]
    assert rec["JobState"] == "FAILED" and exit_code(rec) == (1, 0), rec
    log = read_log(os.path.join(out, "compare.out"))
    assert "sweep-set002.h5 is missing" in log and "sweep-set003.h5 is missing" in log
    assert "compare %s/sweep-set001.h5" % out in log


def test_restart_keeps_complete_scenarios(cluster, scen, sweep):
    """One sweep of all 16 scenarios (2 ranks x 2 threads) stopped three times, submitted again after each: by the
    signal Slurm sends before the time limit (USR1 to the batch shell), by scancel (TERM),
    and by SIGKILL (a node failure). Scenarios complete after a stop are kept byte for byte
    (and logged as kept), the rest are computed, and the final file equals the uninterrupted
    sweep on the scenarios both have."""
    out = os.path.join(cluster.work, "restart")
    os.makedirs(out)
    final = os.path.join(out, "all.h5")
    env = dict(LC_PARAMS=scen["params"], LC_OUTPUT=final, LC_OUTDIR=out)

    def submit(stage):
        log = os.path.join(out, "stage%d.out" % stage)
        return cluster.sbatch("nightly.sbatch", ["-n", "2", "-c", "2", "-t", "10", "-o", log],
                              **env), log

    def computed(log, k):
        # Scenario sNN is computed after s(NN-1) has been written completely.
        return cluster.wait_log(log, r"^\[\d+ +[\d.]+s\] s%02d: accessibility" % k, jid)

    snaps = []
    # Stage 1: the time-limit signal (what --signal=B:USR1@T sends), to the batch shell.
    jid, log = submit(1)
    computed(log, 4)
    cluster.run(["scancel", "--batch", "--signal=USR1", jid])
    rec = cluster.wait(jid)[0]
    text = read_log(log)
    assert rec["JobState"] == "FAILED" and exit_code(rec) == (14, 0), (rec, tail(log))
    assert "received SIGUSR1" in text
    # --cpus-per-task reaches OpenMP through the script.
    assert re.search(r"^lifecircle-job: start nightly .* ranks=2 threads=2 ", text, re.M)
    assert "2 ranks x 2 threads" in text
    m = re.search(r"stopped by signal before the time limit: (\d+) of (\d+) scenarios "
                  r"complete", text)
    assert m and int(m.group(2)) == N_SCEN + 1, tail(log)
    assert re.search(r"^lifecircle-job: end nightly .* status=14 ", text, re.M)
    assert header_status(final) == "partial"
    snaps.append(scenario_data(final))
    assert len(snaps[0]) == int(m.group(1)) and 5 <= len(snaps[0]) < N_SCEN + 1

    # Stage 2: scancel (TERM to the batch shell and the ranks, KILL 5 s later).
    jid, log = submit(2)
    computed(log, len(snaps[0]) + 1)
    cluster.run(["scancel", jid])
    rec = cluster.wait(jid)[0]
    assert rec["JobState"] == "CANCELLED", rec
    text = read_log(log)
    for name in snaps[0]:
        if name != "baseline":
            assert "%s: complete in the earlier results with a verified checksum: kept" % \
                name in text, name
    snaps.append(scenario_data(final))
    assert len(snaps[1]) > len(snaps[0]), "scancel lost the scenarios written meanwhile"

    # Stage 3: SIGKILL to the ranks themselves, as the OOM killer or a failing node would
    # (scancel --signal=KILL goes through TERM first).
    jid, log = submit(3)
    computed(log, len(snaps[1]) + 1)
    p = cluster.run(["scontrol", "listpids", jid])
    ranks = []
    for line in p.stdout.splitlines()[1:]:
        pid = line.split()[0]
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0] == BIN.encode() and b"run" in argv:
            ranks.append(int(pid))
    assert len(ranks) == 2, p.stdout
    for pid in ranks:
        os.kill(pid, 9)
    rec = cluster.wait(jid)[0]
    assert rec["JobState"] == "FAILED" and exit_code(rec)[0] != 0, rec
    assert re.search(r"^lifecircle-job: end nightly .* status=[1-9]", read_log(log), re.M)
    assert os.path.exists(final + ".tmp"), "the killed run left no partial file"
    try:
        snaps.append(scenario_data(final + ".tmp"))
    except OSError as e:  # Not closed: HDF5 may refuse it; the engine then uses all.h5.
        print("the killed run's %s.tmp is unreadable: %s" % (final, e))

    # Stage 4: to the end.
    jid, log = submit(4)
    rec = cluster.wait(jid)[0]
    text = read_log(log)
    assert rec["JobState"] == "COMPLETED" and exit_code(rec) == (0, 0), (rec, tail(log))
    assert header_status(final) == "complete"
    assert not os.path.exists(final + ".tmp") and not os.path.exists(final + ".partial")
    done = scenario_data(final)
    assert sorted(done) == sorted(["baseline"] + ["s%02d" % i for i in range(N_SCEN)])
    for snap in snaps:
        for name, data in snap.items():
            assert done[name] == data, "%s changed after a restart" % name
    kept = re.findall(r"(s\d\d): complete in the earlier results with a verified checksum: "
                      r"kept", text)
    assert set(snaps[1]) - {"baseline"} <= set(kept), (kept, sorted(snaps[1]))
    # Against the uninterrupted sweep (different sets, same scenarios).
    for i, path in enumerate(sweep["files"]):
        ref = scenario_data(path)
        for name in SETS[i].split(","):
            a = {k: v for k, v in ref[name].items() if not k.startswith("@")}
            b = {k: v for k, v in done[name].items() if not k.startswith("@")}
            assert sorted(a) == sorted(b) and all(a[k] == b[k] for k in a), name


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.mark.parametrize("fault", ["1:accessibility", "0:write"])
def test_rank_failure_ends_within_10_s(cluster, scen, sweep, fault):
    """LIFECIRCLE_FAULT makes one rank fail: the job ends within 10 s of the failure with the
    fault's status (13) and one message, not at its time limit; an earlier complete file at
    the output path is left as it was."""
    out = os.path.join(cluster.work, "fault-" + fault.replace(":", "-"))
    os.makedirs(out)
    output = os.path.join(out, "res.h5")
    shutil.copy(sweep["files"][2], output)  # An earlier complete file at the output path.
    before = _sha256(output)
    log = os.path.join(out, "job.out")
    # -t 10: the job asks for USR1 300 s before its time limit.
    jid = cluster.sbatch("nightly.sbatch", ["-n", "2", "-t", "10", "-o", log],
                         LC_PARAMS=scen["params"], LC_OUTPUT=output, LC_SCENARIOS="s15",
                         LIFECIRCLE_FAULT=fault)
    cluster.wait_log(log, r"injected fault", jid, timeout=120)
    seen = time.time()
    rec = cluster.wait(jid, timeout=60)[0]
    took = time.time() - seen
    assert took <= 10.0, "the job ended %.1f s after the fault" % took
    assert rec["JobState"] == "FAILED" and exit_code(rec) == (13, 0), (rec, tail(log))
    text = read_log(log)
    errors = [ln for ln in text.splitlines() if re.match(r"\[\d+ +[\d.]+s\] error:", ln)]
    assert len(errors) == 1 and "injected fault on rank %s" % fault.split(":")[0] in \
        errors[0], errors
    assert re.search(r"^lifecircle-job: end nightly .* status=13 ", text, re.M)
    assert _sha256(output) == before
    assert not os.path.exists(output + ".tmp")


def test_bad_array_index(cluster, scen):
    """An array index beyond the sets file fails at once with a message (status 2)."""
    log = os.path.join(cluster.work, "bad-index.out")
    jid = cluster.sbatch("nightly.sbatch", ["--array=7", "-o", log], LC_PARAMS=scen["params"],
                         LC_SETS=scen["sets"], LC_OUTDIR=os.path.join(cluster.work, "bad"))
    rec = cluster.wait(jid, timeout=60)[0]
    assert rec["JobState"] == "FAILED" and exit_code(rec) == (2, 0), rec
    assert "has 3 sets; array index 7 has none" in read_log(log)


def test_scaling_table(cluster):
    """scaling.sbatch on a synthetic city: strong and weak rows at 1 and 2 ranks, with the
    speed-up and efficiency recomputed here from the seconds column."""
    if subprocess.run([BIN, "synth", "--help"], capture_output=True).returncode != 0:
        pytest.skip("lifecircle synth is not in this build")
    out = os.path.join(cluster.work, "scaling")
    log = os.path.join(cluster.work, "scaling.out")
    jid = cluster.sbatch("scaling.sbatch", ["-n", "2", "-t", "10", "-o", log],
                         LC_SCALING_OUTDIR=out, LC_SCALING_RANKS="1 2",
                         LC_SCALING_NODES="2000")
    rec = cluster.wait(jid, timeout=150)[0]
    assert rec["JobState"] == "COMPLETED" and exit_code(rec) == (0, 0), (rec, tail(log))
    with open(os.path.join(out, "scaling-%s.tsv" % jid)) as f:
        lines = f.read().splitlines()
    head = lines[0].split("\t")
    assert head == ["mode", "ranks", "nodes", "threads", "graph_nodes", "seconds", "speedup",
                    "efficiency"]
    rows = [dict(zip(head, ln.split("\t"))) for ln in lines[1:]]
    assert [(r["mode"], r["ranks"]) for r in rows] == [("strong", "1"), ("strong", "2"),
                                                       ("weak", "1"), ("weak", "2")]
    for mode in ("strong", "weak"):
        rs = [r for r in rows if r["mode"] == mode]
        t0 = float(rs[0]["seconds"])
        for r in rs:
            ranks, t = int(r["ranks"]), float(r["seconds"])
            assert r["nodes"] == "1" and r["threads"] == "1" and t > 0
            assert int(r["graph_nodes"]) == (2000 if mode == "strong" else 2000 * ranks)
            if mode == "strong":
                s, e = t0 / t, t0 / t / ranks
            else:
                e = t0 / t
                s = ranks * e
            assert abs(float(r["speedup"]) - s) < 2e-3 + 1e-3 * s, r
            assert abs(float(r["efficiency"]) - e) < 2e-3 + 1e-3 * e, r
