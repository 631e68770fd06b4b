"""Requests that cannot fit are refused up front with the memory estimate (exit 12,
LC_ETOOBIG), within seconds and before any large allocation, and leave no output file:
a 10^9-node synthetic city, an agent simulation of 10^10 agents (one agent per resident of
an absurd population), the largest catchment lists (k = 64) against a pinned limit. The same
requests made small enough are accepted, so the refusal is the estimate's doing, not a
blanket one.

The memory available is pinned with LIFECIRCLE_MEM_AVAILABLE (bytes; read by memcheck in
place of /proc/meminfo's MemAvailable) so that the outcome does not depend on the machine.
The estimates are checked against lower bounds computed here from the sizes the design
fixes (coordinates of a node, a 16-byte catchment entry, an agent's id and clock), not
against the program's own figure.

Environment (set by ctest): LC_BIN, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC."""
import os
import re
import subprocess
import time

import pytest
import yaml

from lctest import BIN, MPIEXEC, ROOT, mpi_env, shared

BASE = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
DATA = shared("data", "changning")
ETOOBIG, EPARAM = 12, 5
GIB, MIB = 1 << 30, 1 << 20
ERROR_LINE = re.compile(r"^\[\d{4} +[\d.]+s\] error: (.*)$", re.M)
NEEDS = re.compile(r"needs about ([\d.]+) (GiB|MiB) \((.*)\), more than the ([\d.]+) (GiB|MiB) "
                   r"available")
# Lines the run logs once it computes (partition, accessibility, agents): a refusal up front
# comes before all of them.
COMPUTED = re.compile(r"accessibility of \d+ of \d+ categories|agent day simulated")


def mpirun(args, ranks, env_extra=None, timeout=300):
    env = mpi_env(1)
    env.pop("LIFECIRCLE_MEM_AVAILABLE", None)
    env.update(env_extra or {})
    cmd = [MPIEXEC, "-n", str(ranks), "--bind-to", "none", BIN] + args
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0, p.stdout + p.stderr


def refusal(p, text):
    """The estimate (bytes), the detail and the limit (bytes) of a refusal's one error line."""
    assert p.returncode == ETOOBIG, "exit %d, expected %d:\n%s" % (p.returncode, ETOOBIG,
                                                                   text[-3000:])
    errors = ERROR_LINE.findall(text)
    assert len(errors) == 1, "expected one error line:\n" + text[-3000:]
    m = NEEDS.search(errors[0])
    assert m, "the error does not give the estimate: " + errors[0]
    unit = lambda u: GIB if u == "GiB" else MIB
    return float(m.group(1)) * unit(m.group(2)), m.group(3), float(m.group(4)) * unit(m.group(5))


@pytest.fixture(scope="module")
def xinhua(tmp_path_factory):
    """A parameter file of the Xinhua default on a graph file imported once (no OSM POIs
    and no scenarios: seconds per run)."""
    tmp = tmp_path_factory.mktemp("mem")
    graph = str(tmp / "xinhua.h5")
    p, _, text = mpirun(["import", os.path.join(DATA, "xinhua-walk.osm.pbf"),
                         os.path.join(DATA, "changning-pois.osm.pbf"), "-o", graph], 1)
    assert p.returncode == 0, text[-3000:]
    with open(BASE, encoding="utf-8") as f:
        prm = yaml.safe_load(f)
    prm["Graph"] = {"file": graph}
    prm["Facilities"]["pois"] = False
    prm.pop("Scenarios", None)
    n_nodes = int(re.search(r"wrote .*: (\d+) nodes", text).group(1))
    return dict(tmp=tmp, prm=prm, n_nodes=n_nodes)


def write_params(xinhua, name, edit):
    prm = yaml.safe_load(yaml.safe_dump(xinhua["prm"], allow_unicode=True))
    edit(prm)
    path = str(xinhua["tmp"] / name)
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(prm, f, allow_unicode=True)
    return path


def test_synth_1e9_nodes_refused(tmp_path):
    """synth --nodes 10^9: refused at once with the estimate, at a pinned 64 GiB. The
    coordinates and OSM ids alone (3 x 8 bytes a node) are 22.4 GiB, and the edges, the
    adjacency and the write buffers come on top."""
    out = str(tmp_path / "big.h5")
    p, elapsed, text = mpirun(["synth", "--nodes", "1000000000", "--seed", "1", "-o", out], 1,
                              {"LIFECIRCLE_MEM_AVAILABLE": str(64 * GIB)}, timeout=60)
    need, detail, limit = refusal(p, text)
    assert elapsed < 15, "the refusal took %.1f s" % elapsed
    assert need >= 10 ** 9 * 24 and need > limit, (need, text)
    assert abs(limit - 64 * GIB) < 0.1 * GIB
    assert "1000000000 nodes" in detail
    assert not os.path.exists(out) and not os.path.exists(out + ".tmp")


def test_synth_that_fits_is_accepted(tmp_path):
    """The same limit accepts a small city: the refusal above is the estimate's."""
    out = str(tmp_path / "small.h5")
    p, _, text = mpirun(["synth", "--nodes", "2000", "--seed", "1", "-o", out], 1,
                        {"LIFECIRCLE_MEM_AVAILABLE": str(64 * GIB)}, timeout=120)
    assert p.returncode == 0, text[-3000:]
    assert os.path.exists(out)


def test_synth_1e9_refused_on_this_machine(tmp_path):
    """Without the pin, against this machine's MemAvailable (when it is below the
    estimate's lower bound of 22.4 GiB x 4)."""
    with open("/proc/meminfo") as f:
        avail = int(re.search(r"MemAvailable:\s+(\d+) kB", f.read()).group(1)) * 1024
    if avail > 90 * GIB:
        pytest.skip("this machine has %.0f GiB available" % (avail / GIB))
    out = str(tmp_path / "big.h5")
    p, elapsed, text = mpirun(["synth", "--nodes", "1000000000", "--seed", "1", "-o", out], 1,
                              timeout=60)
    refusal(p, text)
    assert elapsed < 15
    assert not os.path.exists(out)


def test_agents_absurd_population_refused(xinhua, tmp_path):
    """One agent per resident of 10^10 residents: at least 16 bytes an agent (its id and
    clock) makes 149 GiB; refused with the estimate before the partition, the
    accessibility or the agents run, at a pinned 16 GiB and with nothing written."""
    table = tmp_path / "residents.csv"
    table.write_text("subdistrict,residents\n新华路街道,10000000000\n", encoding="utf-8")

    def edit(prm):
        prm["Population"]["residents"] = str(table)
        prm["Agents"]["residents_per_agent"] = 1
    params = write_params(xinhua, "agents-absurd.yml", edit)
    out = str(tmp_path / "absurd.h5")
    p, elapsed, text = mpirun(["run", params, "-o", out], 2,
                              {"LIFECIRCLE_MEM_AVAILABLE": str(16 * GIB)}, timeout=120)
    need, detail, _ = refusal(p, text)
    assert need >= 10 ** 10 * 16, (need, detail)
    assert "10000000000 agents" in detail and "residents_per_agent = 1" in detail, detail
    assert not COMPUTED.search(text), "refused only after computing:\n" + text[-3000:]
    assert elapsed < 30
    assert not os.path.exists(out) and not os.path.exists(out + ".tmp")


def test_agents_sane_factor_accepted(xinhua, tmp_path):
    """The same population at one agent per 10^6 residents (10^4 agents) runs."""
    table = tmp_path / "residents.csv"
    table.write_text("subdistrict,residents\n新华路街道,10000000000\n", encoding="utf-8")

    def edit(prm):
        prm["Population"]["residents"] = str(table)
        prm["Agents"]["residents_per_agent"] = 1000000
    params = write_params(xinhua, "agents-sane.yml", edit)
    out = str(tmp_path / "sane.h5")
    p, _, text = mpirun(["run", params, "-o", out], 2,
                        {"LIFECIRCLE_MEM_AVAILABLE": str(16 * GIB)}, timeout=300)
    assert p.returncode == 0, text[-3000:]
    assert os.path.exists(out)


@pytest.mark.parametrize("bad", [0, -5, 10 ** 12, "many"])
def test_agents_factor_out_of_range_refused(xinhua, tmp_path, bad):
    """Agents:residents_per_agent outside 1..10^6 (or not an integer) is refused as a
    parameter, naming the key and the range."""
    params = write_params(xinhua, "agents-%s.yml" % bad,
                          lambda prm: prm["Agents"].update(residents_per_agent=bad))
    out = str(tmp_path / "agents.h5")
    p, _, text = mpirun(["run", params, "-o", out], 2, timeout=120)
    assert p.returncode == EPARAM, text[-3000:]
    errors = ERROR_LINE.findall(text)
    assert len(errors) == 1 and "residents_per_agent" in errors[0], text[-3000:]
    assert not os.path.exists(out)


def test_largest_catchment_lists_refused(xinhua, tmp_path):
    """Accessibility:k = 64 (the largest allowed) with every category on the Xinhua graph,
    against a pinned 40 MiB: the catchment lists alone are nodes x categories x 64 x 16
    bytes; refused with the estimate, while the default k = 8 runs under the same pin."""
    limit = 40 * MIB
    env = {"LIFECIRCLE_MEM_AVAILABLE": str(limit)}
    with open(os.path.join(ROOT, xinhua["prm"]["Categories"]["file"]), encoding="utf-8") as f:
        n_cat = len(yaml.safe_load(f)["categories"])
    big = write_params(xinhua, "k64.yml", lambda prm: prm.setdefault("Accessibility", {})
                       .update(k=64))
    out = str(tmp_path / "k64.h5")
    p, elapsed, text = mpirun(["run", big, "-o", out], 2, env, timeout=120)
    need, detail, got_limit = refusal(p, text)
    lower = xinhua["n_nodes"] * n_cat * 64 * 16
    assert need >= lower and need > limit, (need, lower, detail)
    assert abs(got_limit - limit) < 0.1 * MIB
    assert "k = 64" in detail and ("%d categories" % n_cat) in detail, detail
    assert not COMPUTED.search(text), "refused only after computing:\n" + text[-3000:]
    assert elapsed < 30
    assert not os.path.exists(out) and not os.path.exists(out + ".tmp")

    small = write_params(xinhua, "k8.yml", lambda prm: prm.setdefault("Accessibility", {})
                         .update(k=8))
    out = str(tmp_path / "k8.h5")
    p, _, text = mpirun(["run", small, "-o", out], 2, env, timeout=300)
    assert p.returncode == 0, text[-3000:]
    assert os.path.exists(out)
