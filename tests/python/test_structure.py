"""The structure rules of src/README.md, checked on the built tree:
- no cycle between source files (from the object files' symbols);
- every MPI call that communicates or makes a handle is checked (the rule in
  include/lifecircle/agree.h);
- every dataset the writers produce is in the file format table, every table entry is
  produced by some run, and src/results/FORMAT.md lists exactly the table;
- no source outside tests/ reaches into src/ by a relative path, and tests include private
  headers through the include path only."""
import collections
import glob
import os
import re
import subprocess
import sys

import h5py
import pytest

from lctest import ROOT, run

BUILD = os.environ.get("LC_BUILD", os.path.join(ROOT, "build"))


def object_graph():
    """file -> set of files whose symbols it uses, from `nm` on the engine's objects."""
    objs = glob.glob(os.path.join(BUILD, "CMakeFiles", "lifecircle_core.dir", "src", "**",
                                  "*.o"), recursive=True)
    assert len(objs) > 40, "engine objects not found under %s" % BUILD
    defined, used = {}, collections.defaultdict(set)
    for o in objs:
        name = os.path.basename(o).split(".")[0]
        out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                defined[parts[2]] = name
            elif len(parts) == 2 and parts[0] == "U":
                used[name].add(parts[1])
    edges = collections.defaultdict(set)
    for a, syms in used.items():
        for s in syms:
            b = defined.get(s)
            if b and b != a:
                edges[a].add(b)
    return edges, set(defined.values())


def cycles(edges, nodes):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes | set(edges)):
        if v not in index:
            strong(v)
    return out


def test_cycle_finder_finds_a_planted_cycle():
    edges = collections.defaultdict(set, {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert cycles(edges, {"a", "b", "c", "d"}) == [["a", "b", "c"]]
    edges = collections.defaultdict(set, {"a": {"b"}, "b": {"c"}, "d": {"a"}})
    assert cycles(edges, {"a", "b", "c", "d"}) == []


def test_no_cycle_between_source_files():
    edges, nodes = object_graph()
    found = cycles(edges, nodes)
    assert found == [], "source files that depend on each other: %s" % found


# MPI calls exempt from the check (include/lifecircle/agree.h).
MPI_EXEMPT = {"MPI_Comm_rank", "MPI_Comm_size", "MPI_Comm_free", "MPI_Type_free", "MPI_Op_free",
              "MPI_Finalize", "MPI_Get_library_version", "MPI_Wtime", "MPI_Wtick",
              "MPI_Error_string", "MPI_Initialized", "MPI_Finalized"}


def unchecked_mpi_calls(text):
    """(line, call) of MPI calls whose result is neither compared with MPI_SUCCESS, stored,
    returned, passed to a checker nor explicitly discarded with (void)."""
    out = []
    for m in re.finditer(r"\bMPI_([A-Z][a-z_0-9]*)\s*\(", text):
        name = "MPI_" + m.group(1)
        if name in MPI_EXEMPT:
            continue
        start = max(text.rfind(";", 0, m.start()), text.rfind("{", 0, m.start()),
                    text.rfind("}", 0, m.start())) + 1
        end = text.find(";", m.end())
        stmt = text[start:end]
        before = text[start:m.start()]
        if ("MPI_SUCCESS" in stmt or re.search(r"=\s*(\w+\s*\?\s*)?[^=]*$", before)
                or "(void)" in before or "return" in before or "LC_MPI_CHECK(" in before
                or "#define" in before):
            continue
        out.append((text.count("\n", 0, m.start()) + 1, name))
    return out


def test_mpi_scanner_flags_an_unchecked_call():
    code = ("int f(MPI_Comm c) {\n  int x = 0;\n  MPI_Bcast(&x, 1, MPI_INT, 0, c);\n"
            "  if (MPI_Barrier(c) != MPI_SUCCESS)\n    return 7;\n"
            "  int rc = MPI_Barrier(c);\n  (void)MPI_Barrier(c);\n  return rc;\n}\n")
    assert unchecked_mpi_calls(code) == [(3, "MPI_Bcast")]


def test_every_mpi_call_is_checked():
    bad = []
    for f in sorted(glob.glob(os.path.join(ROOT, "src", "**", "*.c"), recursive=True)):
        for line, name in unchecked_mpi_calls(open(f, encoding="utf-8").read()):
            bad.append("%s:%d: %s" % (os.path.relpath(f, ROOT), line, name))
    assert bad == [], "unchecked MPI calls:\n" + "\n".join(bad)


def test_no_relative_reach_into_src():
    bad = []
    for f in glob.glob(os.path.join(ROOT, "tests", "**", "*.[ch]"), recursive=True) + \
            glob.glob(os.path.join(ROOT, "src", "**", "*.[ch]"), recursive=True):
        for m in re.finditer(r'#include "(\.\./[^"]*)"', open(f, encoding="utf-8").read()):
            bad.append("%s: %s" % (os.path.relpath(f, ROOT), m.group(1)))
    assert bad == []


def format_table():
    out = run(["info", "--format"]).stdout
    rows = [l for l in out.splitlines() if l.startswith("| `")]
    return out, [re.match(r"\| `([^`]+)`", l).group(1) for l in rows]


def pattern_re(p):
    return re.compile("^" + re.escape(p).replace(r"\*", "[^/]+") + "$")


def datasets(path):
    names = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: names.append("/" + n) if isinstance(o, h5py.Dataset) else None)
    return names


def test_format_table_matches_the_files(tmp_path):
    """Every table entry is produced by the default run, an OSM import with POIs or a
    DIMACS import, and every dataset of those files is in the table."""
    fixtures = os.path.join(ROOT, "tests", "fixtures")
    files = [str(tmp_path / "osm.h5"), str(tmp_path / "dimacs.h5"), str(tmp_path / "run.h5")]
    run(["import", os.path.join(fixtures, "osm", "network.osm"),
         os.path.join(fixtures, "osm", "pois.osm"), "-o", files[0]])
    run(["import", os.path.join(fixtures, "dimacs", "tiny.gr"), "-o", files[1]])
    run(["run", "inputs/changning/xinhua.yml", "-o", files[2]], ranks=2, timeout=900)
    _, table = format_table()
    assert len(table) == len(set(table)), "duplicate table entries"
    pats = [(p, pattern_re(p)) for p in table]
    produced = set()
    for path in files:
        with h5py.File(path, "r") as f:
            assert f["Header"].attrs["format_version"].decode().count(".") == 1
        for d in datasets(path):
            hits = [p for p, r in pats if r.match(d)]
            assert hits, "%s: %s is not in the format table" % (path, d)
            produced.update(hits)
    never = sorted(set(table) - produced)
    assert never == [], "table entries no run produces: %s" % never


def test_format_document_lists_the_table():
    out, _ = format_table()
    doc = open(os.path.join(ROOT, "src", "results", "FORMAT.md"), encoding="utf-8").read()
    table = "\n".join(l for l in out.splitlines() if l.startswith("|"))
    assert table in doc, "src/results/FORMAT.md is out of date: regenerate its table with " \
                         "'lifecircle info --format'"
    version = re.search(r'FORMAT_VERSION "([0-9.]+)"',
                        open(os.path.join(ROOT, "include", "lifecircle", "format.h")).read())
    assert "Format version " + version.group(1) in doc
