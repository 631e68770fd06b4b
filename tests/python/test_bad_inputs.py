"""The bad-input corpus (tests/bad_inputs/<loader>/, expectations in each expect.yml) driven
through the real binary at 2 MPI ranks: `lifecircle run PARAMS` with a parameter file made
from inputs/changning/xinhua.yml that points the loader at the bad file, or `lifecircle
import` for OSM and DIMACS inputs. Every case must end, within 30 s (LC_BAD_INPUT_TIME_BOUND), with the expected
non-zero exit code, exactly one error line that names the bad file and the position
(line/column, feature or element), no signal and no sanitizer report, and no results file
(nor its temporary) left behind.

The run cases use a graph file imported once from the same Xinhua OSM files (and no OSM POIs
in the facility and population cases) so that each case takes seconds, not a full import.
LC_BIN may point at the sanitizer build (tests/sanitize.sh does so).

Environment (set by ctest): LC_BIN, LC_ROOT, LIFECIRCLE_SHARED, MPIEXEC."""
import concurrent.futures
import os
import re
import subprocess
import time

import pytest
import yaml

from lctest import BIN, MPIEXEC, ROOT, mpi_env, shared

CORPUS = os.path.join(ROOT, "tests", "bad_inputs")
BASE = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
DATA = shared("data", "changning")
RANKS = 2
# The sanitizer build (tests/sanitize.sh) is several times slower: it sets a larger bound.
TIME_BOUND_S = float(os.environ.get("LC_BAD_INPUT_TIME_BOUND", "30"))
MEM_AVAILABLE = 4 << 30
# Several cases at once (each is 2 short-lived ranks).
WORKERS = int(os.environ.get("LC_BAD_INPUT_WORKERS", "4"))
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                       r"runtime error:|Segmentation fault|core dumped|exited on signal|"
                       r"killed by signal|stack smashing|double free|free\(\): invalid")
ERROR_LINE = re.compile(r"^\[\d{4} +[\d.]+s\] error: (.*)$", re.M)

FOLDERS = sorted(d for d in os.listdir(CORPUS) if os.path.isfile(os.path.join(CORPUS, d, "expect.yml")))


def load_expect(folder):
    with open(os.path.join(CORPUS, folder, "expect.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def all_cases():
    out = []
    for folder in FOLDERS:
        e = load_expect(folder)
        for name in sorted(e.get("cases", {})):
            out.append((folder, name, False))
        for name in sorted(e.get("generated", {}) or {}):
            out.append((folder, name, True))
    return out


CASES = all_cases()


def activities_wired():
    """The activities file is read by `run` only once the agent simulation is wired in."""
    for name in os.listdir(os.path.join(ROOT, "src")):
        if name.startswith("run_") and name.endswith(".c"):
            with open(os.path.join(ROOT, "src", name), encoding="utf-8") as f:
                if "agents_prepare" in f.read():
                    return True
    return False


def base_params(graph_file, pois):
    with open(BASE, encoding="utf-8") as f:
        p = yaml.safe_load(f)
    # Absolute paths: the parameter file lives in a temporary folder.
    def absolute(v):
        return v if os.path.isabs(v) else os.path.normpath(os.path.join(ROOT, v))
    p["Graph"] = {"file": graph_file}
    p["Facilities"]["pois"] = pois
    for layer in p["Facilities"].get("layers", []):
        layer["file"] = absolute(layer["file"])
    for k in ("subdistricts", "residents", "density"):
        if p["Population"].get(k):
            p["Population"][k] = absolute(p["Population"][k])
    p["Categories"]["file"] = absolute(p["Categories"]["file"])
    p["Groups"]["file"] = absolute(p["Groups"]["file"])
    p["Run"]["output"] = "unused.h5"
    # The default's scenarios refer to OSM POIs; each case adds what it needs.
    p.pop("Scenarios", None)
    return p


def command_for(folder, path, graph_file, tmp):
    """The lifecircle arguments that make the loader of `folder` read `path`."""
    out = os.path.join(tmp, "out.h5")
    if folder in ("osm_xml", "osm_pbf"):
        return ["import", path, "-o", out], out
    if folder == "dimacs":
        if path.endswith(".co"):
            return ["import", os.path.join(CORPUS, "dimacs", "good.gr"), path, "-o", out], out
        return ["import", path, "-o", out], out
    if folder == "params":
        return ["run", path, "-o", out], out
    p = base_params(graph_file, pois=folder in ("categories", "groups", "activities"))
    if folder == "categories":
        p["Categories"]["file"] = path
    elif folder == "groups":
        p["Groups"]["file"] = path
    elif folder == "profile":
        p["Graph"] = {"osm": [os.path.join(DATA, "xinhua-walk.osm.pbf"),
                              os.path.join(DATA, "changning-pois.osm.pbf")],
                      "profile": path}
    elif folder == "scenario":
        p["Scenarios"] = {"files": [path]}
    elif folder == "activities":
        p["Agents"] = {"activities": path}
    elif folder in ("layer_csv", "layer_geojson"):
        p["Facilities"]["layers"] = [{"file": path, "crs": "wgs84"}]
    elif folder == "polygons":
        p["Population"]["subdistricts"] = path
    elif folder == "residents":
        p["Population"]["residents"] = path
    elif folder == "density":
        p["Population"]["density"] = path
        p["Population"]["density_column"] = "density"
    else:
        raise AssertionError("no driver for corpus folder " + folder)
    params = os.path.join(tmp, "params.yml")
    with open(params, "w", encoding="utf-8") as f:
        yaml.safe_dump(p, f, allow_unicode=True)
    return ["run", params, "-o", out], out


def run_case(folder, name, generated, graph_file, tmp_root):
    tmp = os.path.join(tmp_root, folder + "--" + name)
    os.makedirs(tmp, exist_ok=True)
    spec = load_expect(folder)["generated" if generated else "cases"][name]
    if generated:
        path = os.path.join(tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(spec["head"])
            if spec.get("numbered"):
                f.write("".join(spec["repeat"].format(i=i) for i in range(spec["times"])))
            else:
                f.write(spec["repeat"] * spec["times"])
            f.write(spec["tail"])
    else:
        path = os.path.join(CORPUS, folder, name)
    args, out = command_for(folder, path, graph_file, tmp)
    cmd = [MPIEXEC, "-n", str(RANKS), "--bind-to", "none", BIN] + args
    env = mpi_env(1)
    # When a rank exits non-zero, mpiexec signals the others and by default waits 1 s
    # before SIGKILL; the ranks here have all returned by then, so the wait only makes
    # each case slower.
    env["OMPI_MCA_odls_base_sigkill_timeout"] = "0"
    # The memory the estimates are checked against, pinned so that a case that announces
    # a huge size is refused the same way on any machine (the Xinhua run needs < 100 MiB).
    env["LIFECIRCLE_MEM_AVAILABLE"] = str(MEM_AVAILABLE)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=120)
        rc, text = p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        rc, text = None, ((e.stdout or b"") + (e.stderr or b"")).decode("utf-8", "replace")
    elapsed = time.monotonic() - t0
    leftovers = [f for f in (out, out + ".tmp", out + ".partial") if os.path.exists(f)]
    return dict(spec=spec, path=path, rc=rc, text=text, elapsed=elapsed, leftovers=leftovers,
                cmd=" ".join(cmd))


@pytest.fixture(scope="session")
def graph_file(tmp_path_factory):
    """The Xinhua walking graph with its POIs, imported once."""
    out = str(tmp_path_factory.mktemp("graph") / "xinhua.h5")
    cmd = [MPIEXEC, "-n", "1", BIN, "import", os.path.join(DATA, "xinhua-walk.osm.pbf"),
           os.path.join(DATA, "changning-pois.osm.pbf"), "-o", out]
    subprocess.run(cmd, cwd=ROOT, env=mpi_env(1), check=True, capture_output=True, timeout=300)
    return out


@pytest.fixture(scope="session")
def results(request, graph_file, tmp_path_factory):
    """Runs every selected case once, several at a time; the tests below check one each."""
    tmp_root = str(tmp_path_factory.mktemp("bad"))
    selected = set()
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if cs and "folder" in cs.params:
            selected.add((cs.params["folder"], cs.params["name"], cs.params["generated"]))
    todo = [c for c in CASES if c in selected and (c[0] != "activities" or activities_wired())]
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {c: pool.submit(run_case, c[0], c[1], c[2], graph_file, tmp_root) for c in todo}
        return {c: f.result() for c, f in futures.items()}


def problems(r):
    """What is wrong with one case's outcome (an empty list when it behaved as expected)."""
    spec, text = r["spec"], r["text"]
    if r["rc"] is None:
        return ["no exit within 120 s"]
    out = []
    if r["elapsed"] >= TIME_BOUND_S:
        out.append("took %.1f s" % r["elapsed"])
    if SANITIZER.search(text):
        out.append("crash or sanitizer report")
    if spec["exit"] == 0:
        # A regression input (a fuzzer finding) that is valid: it must be accepted.
        if r["rc"] != 0:
            out.append("a valid input was refused (exit %d)" % r["rc"])
        return out
    if r["rc"] <= 0:
        out.append("exit %d (0 accepts bad input; negative is a signal)" % r["rc"])
        return out
    allowed = spec["exit"] if isinstance(spec["exit"], list) else [spec["exit"]]
    if r["rc"] not in allowed:
        out.append("exit %d, expected %s" % (r["rc"], allowed))
    errors = ERROR_LINE.findall(text)
    if len(errors) != 1:
        out.append("expected exactly one error line, got %d" % len(errors))
    else:
        if os.path.basename(r["path"]) not in errors[0]:
            out.append("the error does not name the file")
        if not re.search(spec["where"], errors[0]):
            out.append("the error does not give the position /%s/" % spec["where"])
    if r["leftovers"]:
        out.append("output left behind %s" % r["leftovers"])
    return out


@pytest.mark.parametrize("folder,name,generated", CASES,
                         ids=["%s/%s" % (c[0], c[1]) for c in CASES])
def test_bad_input(results, folder, name, generated):
    if folder == "activities" and not activities_wired():
        pytest.skip("lifecircle run does not read Agents:activities yet")
    r = results[(folder, name, generated)]
    spec = r["spec"]
    ctx = "%s\n(%s)\n%s" % (r["cmd"], spec.get("why", ""), r["text"][-3000:])
    found = problems(r)
    if spec.get("xfail"):
        # A known gap, named in expect.yml: the case still must not crash or hang, and once
        # the gap is closed the xfail must go (strict).
        assert r["rc"] is not None and r["rc"] >= 0 and not SANITIZER.search(r["text"]), ctx
        assert found, "xfail case now behaves as expected: remove its xfail: " + ctx
        pytest.xfail(spec["xfail"])
    assert not found, "; ".join(found) + ": " + ctx


def test_corpus_is_complete():
    """Every loader has its folder, and every file in a folder is a case (or good.gr)."""
    need = {"params", "categories", "groups", "profile", "scenario", "layer_csv",
            "layer_geojson", "polygons", "residents", "density", "osm_xml", "osm_pbf",
            "dimacs", "activities"}
    assert need <= set(FOLDERS)
    for folder in FOLDERS:
        listed = set(load_expect(folder).get("cases", {}))
        files = {f for f in os.listdir(os.path.join(CORPUS, folder))
                 if f != "expect.yml" and f != "good.gr"}
        assert files == listed, "%s: files without expectation %s, expectations without file %s" % (
            folder, sorted(files - listed), sorted(listed - files))
