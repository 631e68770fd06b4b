"""What the run rests on, read from its input files: the inputs marked ESTIMATE,
ASSUMPTION or ILLUSTRATIVE (file, line and key), the layer facilities that the
engine excluded beyond the snapping distance, and the OSM files' dates.

The run's files are the ones named by ``/Parameters/used``; the parameter file
itself is ``/Parameters/given`` (its text is stored in the results file).
"""

import collections
import csv
import json
import re
import subprocess

import numpy as np

import lcindicators as li

#: The marks, as written in the project's parameter and data files.
MARK_RE = re.compile(r"ESTIMATE|ASSUMPTION|ILLUSTRATIVE")

Mark = collections.namedtuple("Mark", "file line key mark text")


def run_files(res):
    """The text input files of the run: list of (label, path or None, text or None).

    The label is the path as the parameters give it; the parameter file is
    labelled "parameters (/Parameters/given)" and read from the results file.
    """
    out = []
    if res.params_given:
        out.append(("parameters (/Parameters/given)", None, res.params_given))
    used = li._used_yaml(res) or {}  # pylint: disable=protected-access

    def add(p):
        if isinstance(p, str) and p and not p.endswith((".pbf", ".osm", ".lcg", ".h5")):
            if all(p != q for q, _, _ in out):
                out.append((p, li.input_path(res, p), None))

    for sect, keys in (("Categories", ("file",)), ("Groups", ("file",)),
                       ("Graph", ("profile",)),
                       ("Population", ("subdistricts", "residents", "density")),
                       ("Agents", ("activities",))):
        d = used.get(sect)
        if isinstance(d, dict):
            for k in keys:
                add(d.get(k))
    fac = used.get("Facilities")
    if isinstance(fac, dict):
        for layer in fac.get("layers") or []:
            if isinstance(layer, dict):
                add(layer.get("file"))
    scen = used.get("Scenarios")
    if isinstance(scen, dict):
        for p in scen.get("files") or []:
            add(p)
    return out


def _yaml_entries(text):
    """(first line, last line, key path) of every mapping entry of a YAML text
    (0-based lines); list items are named by their ``id`` or ``name``."""
    import yaml
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    entries = []

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                p = path + [str(k.value)]
                last = v.end_mark.line - (1 if v.end_mark.column == 0 else 0)
                entries.append((k.start_mark.line, max(last, k.start_mark.line),
                                ".".join(p)))
                walk(v, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                name = str(i)
                if isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        if k.value in ("id", "name", "category") and isinstance(v, yaml.ScalarNode):
                            name = v.value
                            break
                walk(item, path[:-1] + ["%s[%s]" % (path[-1] if path else "", name)])

    if root is not None:
        walk(root, [])
    return entries


def _yaml_key(entries, line):
    """The innermost entry around 0-based ``line``, or "(file comment)"."""
    best = None
    for first, last, key in entries:
        if first <= line <= last and (best is None or first >= best[0]):
            best = (first, key)
    return best[1] if best else "(file comment)"


def _csv_keys(text):
    """Key of each 0-based line of a CSV text: "row <first cell>: column(s)"."""
    rows = list(csv.reader(text.splitlines()))
    header = rows[0] if rows else []
    keys = {0: "(header)"}
    for i, row in enumerate(rows[1:], start=1):
        cols = [header[j] if j < len(header) else str(j)
                for j, cell in enumerate(row) if MARK_RE.search(cell)]
        keys[i] = "%s: %s" % (row[0] if row else "", ", ".join(cols))
    return keys


def marks(res):
    """Every marked line of the run's text input files (list of :class:`Mark`).

    Files that cannot be read are skipped (listed by :func:`unreadable`)."""
    out = []
    for label, path, text in run_files(res):
        if text is None:
            if path is None:
                continue
            try:
                with open(path, encoding="utf-8-sig") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                continue
        lines = text.splitlines()
        hits = [(i, MARK_RE.findall(ln)) for i, ln in enumerate(lines)]
        hits = [(i, m) for i, m in hits if m]
        if not hits:
            continue
        if label.endswith(".csv"):
            keys = _csv_keys(text)
            keyof = lambda i, k=keys: k.get(i, "")  # noqa: E731
        elif label.endswith((".geojson", ".json")):
            keyof = lambda i: "(JSON text)"  # noqa: E731
        else:
            ent = _yaml_entries(text)
            keyof = lambda i, e=ent: _yaml_key(e, i)  # noqa: E731
        for i, found in hits:
            snippet = lines[i].strip()
            if len(snippet) > 160:
                snippet = snippet[:157] + "..."
            out.append(Mark(label, i + 1, keyof(i), "/".join(sorted(set(found))), snippet))
    return out


def unreadable(res):
    """Labels of the run's text inputs that cannot be found from here."""
    return [label for label, path, text in run_files(res) if path is None and text is None]


def excluded_facilities(res):
    """Facilities of the baseline that the engine excluded (``node`` -1: beyond
    ``Facilities:max_snap_m`` from the network). Returns (max_snap_m, list of
    dicts: row, category row, name, source (-1 OSM, k layer k), source_id,
    dist_m)."""
    used = li._used_yaml(res) or {}  # pylint: disable=protected-access
    fac = used.get("Facilities") if isinstance(used.get("Facilities"), dict) else {}
    f = res.scenario("baseline").facilities
    node = np.asarray(f.get("node", []))
    out = []
    for i in np.nonzero(node < 0)[0]:
        out.append({"row": int(i), "category": int(f["category"][i]),
                    "name": f["name"][i] if "name" in f else "",
                    "source": int(f["source"][i]) if "source" in f else -1,
                    "source_id": f["source_id"][i] if "source_id" in f else "",
                    "dist_m": float(f["snap_cm"][i]) / 100.0 if "snap_cm" in f
                    else float("nan")})
    return fac.get("max_snap_m"), out


def osm_sources(res):
    """OSM input files with their date: list of (path, date or None, how).

    The date is the file's replication timestamp, else the latest object
    timestamp (``osmium fileinfo``); None when the file records neither."""
    used = li._used_yaml(res) or {}  # pylint: disable=protected-access
    graph = used.get("Graph") if isinstance(used.get("Graph"), dict) else {}
    paths = graph.get("osm") or []
    if isinstance(paths, str):
        paths = [paths]
    out = []
    for p in paths:
        path = li.input_path(res, p)
        date, how = None, "file not found here"
        if path:
            how = "no timestamp in the file"
            try:
                info = json.loads(subprocess.run(
                    ["osmium", "fileinfo", "-e", "-j", path], capture_output=True,
                    text=True, timeout=30, check=True).stdout)
                opts = info.get("header", {}).get("option", {})
                ts = opts.get("osmosis_replication_timestamp") or \
                    info.get("data", {}).get("timestamp", {}).get("last")
                if ts and not ts.startswith("1970"):
                    date, how = ts[:10], "osmium fileinfo"
            except (OSError, ValueError, subprocess.SubprocessError):
                how = "osmium fileinfo unavailable"
        out.append((p, date, how))
    return out
