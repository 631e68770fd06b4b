"""Reading lifecircle results files (HDF5) and deriving the tables that the
report and the exports share.

This module is the single place that knows the results layout (see the
"Results file layout" notes of the project): both ``report.py`` and
``export.py`` read through it, so a change of layout is made here once.

Only Debian's python3-h5py and numpy are used.  Run the scripts with
``/usr/bin/python3``.
"""

import collections
import collections.abc
import math
import re

import numpy as np

try:
    import h5py
except ImportError as exc:  # pragma: no cover - environment problem
    raise SystemExit(
        "analysis: h5py is missing; install Debian's python3-h5py and run "
        "the scripts with /usr/bin/python3 (%s)" % exc)

#: The attribution line required by the OpenStreetMap licence.
OSM_ATTRIBUTION = "Map data © OpenStreetMap contributors, ODbL 1.0"

#: Trip outcomes of /Scenarios/<name>/Trips/outcome.
TRIP_OUTCOMES = ("served", "served after waiting", "redirected then served",
                 "failed")

#: Display names of the population groups (the file stores ids only).
GROUP_LABELS = {
    "child": ("儿童", "child (with carer)"),
    "pupil": ("学生", "pupil"),
    "adult": ("成人", "adult"),
    "elderly": ("老年人", "elderly"),
}

Category = collections.namedtuple(
    "Category", "row id name_zh name_en threshold_min target_share essential "
    "radius_m n_facilities")
Group = collections.namedtuple("Group", "row id speed_m_s share")


class ResultsError(Exception):
    """The file is not a readable lifecircle results file."""


# --------------------------------------------------------------------------
# Low-level helpers
# --------------------------------------------------------------------------

def text(value):
    """Return an HDF5 string value (bytes, numpy bytes or str) as str.

    Fixed-length UTF-8 strings come back from h5py as ``bytes`` padded with
    NUL bytes; the padding is removed.
    """
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).split(b"\0", 1)[0].decode("utf-8")
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


def strings(dataset):
    """Read a 1-D string dataset as a list of str."""
    return [text(v) for v in dataset[()]]


def attrs_dict(obj):
    """Return the attributes of an HDF5 object as a dict of plain values."""
    out = {}
    for key, value in obj.attrs.items():
        if isinstance(value, (bytes, np.bytes_, str)):
            out[key] = text(value)
        elif isinstance(value, np.ndarray):
            if value.shape == ():
                out[key] = text(value) if value.dtype.kind in "SUO" else value.item()
            elif value.dtype.kind in "SUO":
                out[key] = ", ".join(text(v) for v in value.ravel())
            else:
                out[key] = value.tolist()
        elif isinstance(value, np.generic):
            out[key] = value.item()
        else:
            out[key] = value
    return out


def col(c, g, n_groups):
    """Column of category row ``c`` and group row ``g`` in a C*G table."""
    return c * n_groups + g


def cm_to_minutes(dist_cm, speed_m_s):
    """Convert walking distances in cm to minutes at ``speed_m_s``.

    Negative distances (the layout's -1 for "none within the radius") become
    NaN.  Works on scalars and arrays.
    """
    d = np.asarray(dist_cm, dtype=float)
    minutes = d / 100.0 / speed_m_s / 60.0
    return np.where(d < 0, np.nan, minutes)


def fmt_hhmm(minutes):
    """Format minutes after midnight as HH:MM."""
    minutes = int(minutes)
    return "%02d:%02d" % (minutes // 60, minutes % 60)


def safe_name(name):
    """A file-name-safe version of a scenario or category id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "x"


def group_label(group_id):
    """Chinese and English label of a group id, e.g. '老年人 elderly'."""
    zh, en = GROUP_LABELS.get(group_id, ("", group_id))
    return (zh + " " + en).strip()


# --------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------

class Scenario:
    """One complete scenario (``/Scenarios/<name>``) read into memory.

    Attributes: ``name``; ``facilities`` (dict of arrays and string lists);
    ``nearest_cm`` and ``nearest_facility`` (N x C); ``count_within``;
    ``coverage`` (dict of the Coverage datasets); ``trips``, ``load`` and
    ``realised`` (dicts, or None when the run did not compute them);
    ``load_bin_s`` (seconds per FacilityLoad bin, or None).
    """

    def __init__(self, grp, name, path):
        self.name = name
        where = "%s:/Scenarios/%s" % (path, name)
        try:
            fac = grp["Facilities"]
            self.facilities = {}
            for key in fac:
                ds = fac[key]
                if ds.dtype.kind in "SUO":
                    self.facilities[key] = strings(ds)
                else:
                    self.facilities[key] = ds[()]
            acc = grp["NodeAccess"]
            self.nearest_cm = acc["nearest_cm"][()]
            self.nearest_facility = acc["nearest_facility"][()]
            self.count_within = acc["count_within"][()] if "count_within" in acc else None
            cov = grp["Coverage"]
            self.coverage = {}
            for key in cov:
                if key == "row_name":
                    self.coverage[key] = strings(cov[key])
                else:
                    self.coverage[key] = cov[key][()]
        except KeyError as exc:
            raise ResultsError("%s: missing dataset (%s)" % (where, exc))
        self._grp = grp
        self._trips = None
        self.load = _read_table(grp, "FacilityLoad")
        self.load_bin_s = None
        if self.load is not None:
            self.load_bin_s = float(grp["FacilityLoad"].attrs.get("bin_s", 3600))
        self.realised = _read_table(grp, "RealisedCoverage")
        if self.realised is not None and "share" not in self.realised \
                and "covered" in self.realised:
            # Share = covered / residents of the group, NaN where none.
            res_g = np.tile(self.coverage["residents"],
                            (1, self.realised["covered"].shape[1] //
                             max(self.coverage["residents"].shape[1], 1)))
            with np.errstate(invalid="ignore", divide="ignore"):
                self.realised["share"] = np.where(
                    res_g > 0, self.realised["covered"] / np.maximum(res_g, 1), np.nan)

    @property
    def trips(self):
        """The Trips table (dict of arrays; None when absent), read on first use."""
        if self._trips is None and "Trips" in self._grp:
            self._trips = _read_table(self._grp, "Trips")
        return self._trips

    @property
    def n_facilities(self):
        """Number of facility rows."""
        return len(self.facilities.get("category", []))


class _Table(collections.abc.Mapping):
    """The datasets of one subgroup as a read-only mapping, each read on first use (a
    report needs a few of a scenario's many tables)."""

    def __init__(self, group):
        self._group = group
        self._keys = [k for k in group if isinstance(group[k], h5py.Dataset)]
        self._data = {}

    def __getitem__(self, key):
        if key not in self._data:
            if key not in self._keys:
                raise KeyError(key)
            self._data[key] = self._group[key][()]
        return self._data[key]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)


def _read_table(grp, name):
    """The datasets of the optional subgroup ``name`` (None if absent), read on use."""
    if name not in grp:
        return None
    return _Table(grp[name])


class Results:
    """A lifecircle results file, read eagerly except for the scenarios.

    Raises :class:`ResultsError` with a message naming the file when the file
    is not an HDF5 results file or lacks a required part.  Use as a context
    manager or call :meth:`close`.
    """

    def __init__(self, path):
        self.path = str(path)
        try:
            self._f = h5py.File(self.path, "r")
        except (OSError, ValueError) as exc:
            raise ResultsError("%s: not an HDF5 file (%s)" % (self.path, exc))
        try:
            self._read_common()
        except ResultsError:
            self._f.close()
            raise
        except KeyError as exc:
            self._f.close()
            raise ResultsError("%s: not a lifecircle results file: missing %s"
                               % (self.path, exc))
        self._scenarios = {}

    # -- context manager ---------------------------------------------------
    def close(self):
        """Close the HDF5 file."""
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading -----------------------------------------------------------
    def _read_common(self):
        """Read the header, graph, categories, groups and population."""
        f = self._f
        if "Header" not in f:
            raise ResultsError("%s: not a lifecircle results file (no /Header)"
                               % self.path)
        self.header = attrs_dict(f["Header"])
        if self.header.get("kind") != "results":
            raise ResultsError(
                "%s: not a lifecircle results file (/Header kind is %r, "
                "expected 'results')" % (self.path, self.header.get("kind")))
        self.code = attrs_dict(f["Code"]) if "Code" in f else {}
        self.params_given = self._scalar_text("Parameters/given")
        self.params_used = self._scalar_text("Parameters/used")

        nodes = f["Graph/nodes"]
        self.lon = nodes["lon"][()]
        self.lat = nodes["lat"][()]
        self.osm_id = nodes["osm_id"][()]
        n = len(self.lon)
        e = f["Graph/edges"]
        self.edges = {k: e[k][()] for k in e if isinstance(e[k], h5py.Dataset)}
        for key in ("u", "v", "length_cm"):
            if key not in self.edges:
                raise ResultsError("%s: missing /Graph/edges/%s" % (self.path, key))
        if len(self.edges["u"]) and (self.edges["u"].max() >= n or
                                     self.edges["v"].max() >= n):
            raise ResultsError("%s: /Graph/edges refer to node rows beyond %d"
                               % (self.path, n))

        c = f["Categories"]
        ids = strings(c["id"])
        zh = strings(c["name_zh"])
        en = strings(c["name_en"])
        thr = c["threshold_min"][()]
        tgt = c["target_share"][()]
        ess = c["essential"][()] if "essential" in c else np.zeros(len(ids), int)
        rad = c["radius_m"][()] if "radius_m" in c else np.full(len(ids), np.nan)
        nfac = c["n_facilities"][()] if "n_facilities" in c else np.full(len(ids), -1)
        self.categories = [
            Category(i, ids[i], zh[i], en[i], int(thr[i]), float(tgt[i]),
                     bool(ess[i]), float(rad[i]), int(nfac[i]))
            for i in range(len(ids))]

        g = f["Groups"]
        gids = strings(g["id"])
        speed = g["speed_m_s"][()]
        share = g["share"][()] if "share" in g else np.full(len(gids), np.nan)
        self.groups = [Group(i, gids[i], float(speed[i]), float(share[i]))
                       for i in range(len(gids))]

        s = f["Subdistricts"]
        self.subdistricts = strings(s["name"])
        self.rings = []
        if "ring_offset" in s:
            off = s["ring_offset"][()]
            owner = s["ring_subdistrict"][()]
            rlon = s["ring_lon"][()]
            rlat = s["ring_lat"][()]
            for r in range(len(off) - 1):
                self.rings.append((int(owner[r]), rlon[off[r]:off[r + 1]],
                                   rlat[off[r]:off[r + 1]]))

        p = f["Population"]
        self.residents = p["residents"][()]
        self.node_subdistrict = p["subdistrict"][()]
        if self.residents.shape != (n, len(self.groups)):
            raise ResultsError("%s: /Population/residents is %s, expected (%d, %d)"
                               % (self.path, self.residents.shape, n,
                                  len(self.groups)))

        self.scenario_names, self.incomplete_scenarios = self._list_scenarios()
        if "baseline" not in self.scenario_names:
            raise ResultsError("%s: no complete /Scenarios/baseline"
                               % self.path)
        self.row_names = list(self.subdistricts) + ["all"]

    def _scalar_text(self, name):
        """A scalar string dataset as str, or None when absent."""
        if name not in self._f:
            return None
        return text(self._f[name][()])

    def _list_scenarios(self):
        """Names of complete scenarios (baseline first) and incomplete ones."""
        if "Scenarios" not in self._f:
            return [], []
        grp = self._f["Scenarios"]
        # Creation order when the file tracks it, else h5py's name order.
        names = [text(nm) for nm in _creation_order(grp)] or list(grp.keys())
        complete, incomplete = [], []
        for nm in names:
            if int(np.asarray(grp[nm].attrs.get("complete", 0)).ravel()[0]) == 1:
                complete.append(nm)
            else:
                incomplete.append(nm)
        if "baseline" in complete:
            complete.remove("baseline")
            complete.insert(0, "baseline")
        return complete, incomplete

    # -- public accessors --------------------------------------------------
    @property
    def n_nodes(self):
        """Number of graph nodes."""
        return len(self.lon)

    @property
    def other_scenarios(self):
        """Names of the complete scenarios other than the baseline."""
        return [s for s in self.scenario_names if s != "baseline"]

    def scenario(self, name):
        """Return the :class:`Scenario` ``name`` (read on first use)."""
        if name not in self._scenarios:
            if name not in self.scenario_names:
                raise ResultsError("%s: no complete scenario %r" % (self.path, name))
            self._scenarios[name] = Scenario(self._f["Scenarios"][name], name,
                                             self.path)
        return self._scenarios[name]

    def has_comparison(self, name):
        """True when /Comparisons/<name> exists in the file."""
        return "Comparisons" in self._f and name in self._f["Comparisons"]

    def comparison(self, name):
        """Scenario ``name`` against the baseline.

        Returns a dict with ``newly_covered``, ``no_longer_covered``
        (R x C*G), ``pass_before``, ``pass_after`` (R x C), and ``source``:
        "file" when read from /Comparisons/<name>, "computed" when derived
        here from the two scenarios' NodeAccess and Coverage.
        """
        if self.has_comparison(name):
            grp = self._f["Comparisons"][name]
            out = {k: grp[k][()] for k in grp if isinstance(grp[k], h5py.Dataset)}
            missing = {"newly_covered", "no_longer_covered"} - set(out)
            if not missing:
                if "pass_before" not in out:
                    out["pass_before"] = self.scenario("baseline").coverage["pass"]
                if "pass_after" not in out:
                    out["pass_after"] = self.scenario(name).coverage["pass"]
                out["source"] = "file"
                return out
        return compute_comparison(self, self.scenario("baseline"),
                                  self.scenario(name))

    def ring_subdistrict_names(self):
        """Name of the subdistrict of every ring (list, ring order)."""
        return [self.subdistricts[s] if 0 <= s < len(self.subdistricts) else ""
                for s, _, _ in self.rings]

    def bounds(self):
        """(lon_min, lat_min, lon_max, lat_max) of the graph nodes."""
        return (float(self.lon.min()), float(self.lat.min()),
                float(self.lon.max()), float(self.lat.max()))


def _creation_order(grp):
    """Member names of ``grp`` in creation order (empty when not tracked)."""
    names = []
    try:
        grp.id.links.iterate(lambda name: names.append(name),
                             idx_type=h5py.h5.INDEX_CRT_ORDER)
    except Exception:  # pylint: disable=broad-except
        return []
    return names


def open_results(path):
    """Open ``path`` as a :class:`Results` (raises ResultsError)."""
    return Results(path)


# --------------------------------------------------------------------------
# Derived quantities
# --------------------------------------------------------------------------

def threshold_cm(cat, group):
    """Walking distance in cm of the category's threshold at the group's speed."""
    return cat.threshold_min * 60.0 * group.speed_m_s * 100.0


def covered_nodes(res, nearest_cm):
    """Boolean N x (C*G): node within each category's threshold per group."""
    n_c, n_g = len(res.categories), len(res.groups)
    out = np.zeros((res.n_nodes, n_c * n_g), dtype=bool)
    for cat in res.categories:
        d = nearest_cm[:, cat.row]
        for grp in res.groups:
            out[:, col(cat.row, grp.row, n_g)] = (d >= 0) & (d <= threshold_cm(cat, grp))
    return out


def sum_by_row(res, per_node):
    """Sum an N x K array per subdistrict row and over all: (S+1) x K."""
    s = len(res.subdistricts)
    out = np.zeros((s + 1, per_node.shape[1]), dtype=per_node.dtype)
    sub = np.asarray(res.node_subdistrict)
    inside = (sub >= 0) & (sub < s)
    np.add.at(out, sub[inside], per_node[inside])
    out[s] = per_node.sum(axis=0)
    return out


def compute_comparison(res, base, scen):
    """Newly covered and no longer covered residents of ``scen`` vs ``base``.

    A resident of group g at node i counts as covered for category c when the
    node's nearest facility lies within the category threshold at g's walking
    speed.  Returns the same dict as :meth:`Results.comparison` with
    ``source`` = "computed".
    """
    n_g = len(res.groups)
    before = covered_nodes(res, base.nearest_cm)
    after = covered_nodes(res, scen.nearest_cm)
    # Residents per node repeated for every category: N x (C*G).
    weights = np.tile(res.residents, (1, len(res.categories)))
    assert weights.shape[1] == len(res.categories) * n_g
    newly = sum_by_row(res, np.where(after & ~before, weights, 0))
    lost = sum_by_row(res, np.where(before & ~after, weights, 0))
    return {"newly_covered": newly, "no_longer_covered": lost,
            "pass_before": base.coverage["pass"],
            "pass_after": scen.coverage["pass"], "source": "computed"}


def facility_changes(base, scen):
    """Facilities added and removed by ``scen`` relative to ``base``.

    Facilities are matched by (category, source, source_id, node).  Returns
    two lists of facility rows: rows of ``scen`` that are new, rows of
    ``base`` that are gone (kept on ``scen`` for the next call).
    """
    memo = scen.__dict__.setdefault("_changes", {})
    if base.name not in memo:
        memo[base.name] = _facility_changes(base, scen)
    return memo[base.name]


def _facility_changes(base, scen):
    """The matching of :func:`facility_changes`."""
    def keys(s):
        f = s.facilities
        return [(int(f["category"][i]), int(f["source"][i]) if "source" in f else 0,
                 f["source_id"][i] if "source_id" in f else "", int(f["node"][i]))
                for i in range(s.n_facilities)]
    kb, ks = keys(base), keys(scen)
    sb, ss = collections.Counter(kb), collections.Counter(ks)
    added, removed = [], []
    seen = collections.Counter()
    for i, k in enumerate(ks):
        seen[k] += 1
        if seen[k] > sb.get(k, 0):
            added.append(i)
    seen = collections.Counter()
    for i, k in enumerate(kb):
        seen[k] += 1
        if seen[k] > ss.get(k, 0):
            removed.append(i)
    return added, removed


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------

def edge_polylines(res):
    """Yield (lon array, lat array) of every edge in row order.

    Uses /Graph/edges/geom_* when present and consistent, else the straight
    segment between the end nodes.
    """
    e = res.edges
    u, v = e["u"], e["v"]
    off = e.get("geom_offset")
    glon, glat = e.get("geom_lon"), e.get("geom_lat")
    ok = (off is not None and glon is not None and glat is not None and
          len(off) == len(u) + 1 and off[-1] == len(glon) == len(glat))
    for i in range(len(u)):
        if ok and off[i + 1] - off[i] >= 2:
            yield glon[off[i]:off[i + 1]], glat[off[i]:off[i + 1]]
        else:
            yield (np.array([res.lon[u[i]], res.lon[v[i]]]),
                   np.array([res.lat[u[i]], res.lat[v[i]]]))


def edge_segments(res):
    """Flatten every edge polyline into straight pieces for drawing.

    Returns a dict of arrays, one entry per piece: ``lon0, lat0, lon1, lat1``,
    ``edge`` (edge row) and ``frac`` (position of the piece's midpoint along
    its edge, 0 at node u and 1 at node v, by planar length).
    """
    lat0 = math.radians(float(np.mean(res.lat))) if res.n_nodes else 0.0
    kx = math.cos(lat0)
    parts = collections.defaultdict(list)
    for i, (x, y) in enumerate(edge_polylines(res)):
        dx = np.diff(x) * kx
        dy = np.diff(y)
        seg = np.hypot(dx, dy)
        cum = np.concatenate(([0.0], np.cumsum(seg)))
        total = cum[-1]
        mid = (cum[:-1] + cum[1:]) / 2.0
        frac = mid / total if total > 0 else np.full(len(seg), 0.5)
        parts["lon0"].append(x[:-1])
        parts["lat0"].append(y[:-1])
        parts["lon1"].append(x[1:])
        parts["lat1"].append(y[1:])
        parts["edge"].append(np.full(len(seg), i, dtype=np.int64))
        parts["frac"].append(frac)
    if not parts:
        return {k: np.zeros(0) for k in ("lon0", "lat0", "lon1", "lat1", "edge", "frac")}
    return {k: np.concatenate(v) for k, v in parts.items()}


def segment_distance_cm(res, segs, nearest_col, radius_cm=None):
    """Walking distance (cm) to the nearest facility at each piece's midpoint.

    ``nearest_col`` is the N-vector of nearest_cm for one category.  Along an
    edge of cost L the distance at position x is min(d_u + x, d_v + L - x),
    the usual network-distance interpolation.  Pieces that no facility
    reaches, or reaches only beyond ``radius_cm`` (the category's catchment
    radius, when given and finite), get +inf.
    """
    e = res.edges
    cost = e.get("cost_cm", e["length_cm"]).astype(float)
    du = nearest_col[e["u"]].astype(float)
    dv = nearest_col[e["v"]].astype(float)
    du[du < 0] = np.inf
    dv[dv < 0] = np.inf
    idx = segs["edge"].astype(np.int64)
    x = segs["frac"] * cost[idx]
    dist = np.minimum(du[idx] + x, dv[idx] + cost[idx] - x)
    if radius_cm is not None and np.isfinite(radius_cm):
        dist[dist > radius_cm] = np.inf
    return dist


def _point_in_ring(px, py, rx, ry):
    """Even-odd test of point (px, py) against the ring (rx, ry)."""
    inside = False
    n = len(rx)
    j = n - 1
    for i in range(n):
        if ((ry[i] > py) != (ry[j] > py)) and \
                px < (rx[j] - rx[i]) * (py - ry[i]) / (ry[j] - ry[i]) + rx[i]:
            inside = not inside
        j = i
    return inside


def _closed(x, y):
    """Ring as a closed list of [lon, lat] positions."""
    pts = [[float(a), float(b)] for a, b in zip(x, y)]
    if pts and pts[0] != pts[-1]:
        pts.append(list(pts[0]))
    return pts


def subdistrict_polygons(res):
    """Polygons of each subdistrict from /Subdistricts rings.

    Returns a dict subdistrict row -> list of polygons, each a list of closed
    rings ([lon, lat] lists): the outer ring then its holes.  A ring whose
    first point lies inside another ring of the same subdistrict is taken as
    a hole of that ring (the layout does not mark holes).
    """
    by_sub = collections.defaultdict(list)
    for s, x, y in res.rings:
        if len(x) >= 3:
            by_sub[s].append((x, y))
    out = {}
    for s, rings in by_sub.items():
        parent = [-1] * len(rings)
        for i, (x, y) in enumerate(rings):
            for j, (x2, y2) in enumerate(rings):
                if i != j and _point_in_ring(x[0], y[0], x2, y2):
                    parent[i] = j
                    break
        polys = []
        index = {}
        for i, (x, y) in enumerate(rings):
            if parent[i] < 0 or parent[parent[i]] >= 0:
                index[i] = len(polys)
                polys.append([_closed(x, y)])
        for i, (x, y) in enumerate(rings):
            if i not in index and parent[i] in index:
                polys[index[parent[i]]].append(_closed(x, y))
        out[s] = polys
    return out


# --------------------------------------------------------------------------
# Tables shared by the report (HTML) and the export (CSV)
# --------------------------------------------------------------------------

class Table:
    """A named table: ``columns`` (list of str) and ``rows`` (lists)."""

    def __init__(self, name, columns, rows):
        self.name = name
        self.columns = list(columns)
        self.rows = rows


def _num(x, digits=4):
    """Round a float for tables; NaN becomes None (empty cell)."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return None
    return round(x, digits)


def coverage_table(res, scen):
    """Coverage per subdistrict x category x group of one scenario.

    One row per (row, category, group) with residents, covered, share,
    median and 90th-percentile minutes, the category's served share, target
    and pass (1 pass, 0 fail, -1 no residents of the served groups).
    """
    cov = scen.coverage
    n_g = len(res.groups)
    names = cov.get("row_name", res.row_names)
    rows = []
    for r, rname in enumerate(names):
        for cat in res.categories:
            for grp in res.groups:
                k = col(cat.row, grp.row, n_g)
                rows.append([
                    scen.name, rname, cat.id, cat.name_zh, cat.name_en, grp.id,
                    cat.threshold_min, cat.target_share,
                    int(cov["residents"][r, grp.row]), int(cov["covered"][r, k]),
                    _num(cov["share"][r, k]),
                    _num(cov["median_min"][r, k], 2) if "median_min" in cov else None,
                    _num(cov["p90_min"][r, k], 2) if "p90_min" in cov else None,
                    _num(cov["served_share"][r, cat.row]) if "served_share" in cov else None,
                    int(cov["pass"][r, cat.row]) if "pass" in cov else None,
                ])
    return Table("coverage", [
        "scenario", "row", "category", "name_zh", "name_en", "group",
        "threshold_min", "target_share", "residents", "covered", "share",
        "median_min", "p90_min", "served_share", "pass"], rows)


def complete_table(res, scen):
    """Residents with every essential category within its threshold."""
    cov = scen.coverage
    names = cov.get("row_name", res.row_names)
    rows = []
    if "complete" not in cov:
        return Table("complete", [], [])
    for r, rname in enumerate(names):
        for grp in res.groups:
            rows.append([scen.name, rname, grp.id, int(cov["residents"][r, grp.row]),
                         int(cov["complete"][r, grp.row]),
                         _num(cov["complete_share"][r, grp.row])
                         if "complete_share" in cov else None])
    return Table("complete", ["scenario", "row", "group", "residents",
                              "complete", "complete_share"], rows)


def comparison_table(res, name):
    """Gains and losses of scenario ``name`` against the baseline.

    One row per (row, category, group): residents newly covered, no longer
    covered, the net change, and the category's pass before and after.
    """
    cmp_ = res.comparison(name)
    n_g = len(res.groups)
    rows = []
    for r, rname in enumerate(res.row_names):
        for cat in res.categories:
            for grp in res.groups:
                k = col(cat.row, grp.row, n_g)
                new = int(cmp_["newly_covered"][r, k])
                lost = int(cmp_["no_longer_covered"][r, k])
                rows.append([name, rname, cat.id, cat.name_zh, cat.name_en, grp.id,
                             new, lost, new - lost,
                             int(cmp_["pass_before"][r, cat.row]),
                             int(cmp_["pass_after"][r, cat.row]), cmp_["source"]])
    return Table("comparison", [
        "scenario", "row", "category", "name_zh", "name_en", "group",
        "newly_covered", "no_longer_covered", "net", "pass_before",
        "pass_after", "source"], rows)


def realised_table(res, scen):
    """Static against realised coverage of one scenario (None if absent)."""
    if scen.realised is None:
        return None
    cov, rc = scen.coverage, scen.realised
    n_g = len(res.groups)
    rows = []
    for r, rname in enumerate(res.row_names):
        for cat in res.categories:
            for grp in res.groups:
                k = col(cat.row, grp.row, n_g)
                rs = rc["share"][r, k] if "share" in rc else np.nan
                rows.append([scen.name, rname, cat.id, cat.name_zh, cat.name_en,
                             grp.id, int(cov["residents"][r, grp.row]),
                             int(cov["covered"][r, k]), _num(cov["share"][r, k]),
                             int(rc["covered"][r, k]) if "covered" in rc else None,
                             _num(rs),
                             _num(rs - cov["share"][r, k])])
    return Table("realised", [
        "scenario", "row", "category", "name_zh", "name_en", "group",
        "residents", "static_covered", "static_share", "realised_covered",
        "realised_share", "difference"], rows)


def facility_load_table(res, scen):
    """Per-facility load over the day of one scenario (None if absent).

    One row per facility: totals of arrivals, served and refused, the
    largest queue and the time (HH:MM, start of the bin) when it occurred.
    """
    if scen.load is None:
        return None
    ld, fac = scen.load, scen.facilities
    bin_min = (scen.load_bin_s or 3600) / 60.0
    rows = []
    for i in range(scen.n_facilities):
        cat = res.categories[int(fac["category"][i])]
        pq = ld["peak_queue"][i] if "peak_queue" in ld else np.zeros(1, int)
        t = int(np.argmax(pq)) if len(pq) else 0
        rows.append([scen.name, i, cat.id, cat.name_zh,
                     fac["name"][i] if "name" in fac else "",
                     int(fac["capacity"][i]) if "capacity" in fac else None,
                     int(ld["arrivals"][i].sum()) if "arrivals" in ld else None,
                     int(ld["served"][i].sum()) if "served" in ld else None,
                     int(ld["refused"][i].sum()) if "refused" in ld else None,
                     int(pq.max()) if len(pq) else 0,
                     fmt_hhmm(t * bin_min)])
    return Table("facility_load", [
        "scenario", "facility", "category", "name_zh", "name", "capacity",
        "arrivals", "served", "refused", "peak_queue", "peak_time"], rows)


def trips_table(res, scen):
    """Trip outcomes per group and category of one scenario (None if absent)."""
    tr = scen.trips
    if tr is None or "outcome" not in tr:
        return None
    n_c, n_g = len(res.categories), len(res.groups)
    cell = np.asarray(tr["group"], dtype=np.int64) * n_c + np.asarray(tr["category"],
                                                                       dtype=np.int64)
    size = n_g * n_c
    n = np.bincount(cell, minlength=size)
    outcome = np.asarray(tr["outcome"], dtype=np.int64)
    counts = [np.bincount(cell[outcome == k], minlength=size) for k in range(4)]
    wait = tr["wait_s"] / 60.0 if "wait_s" in tr else np.zeros(len(cell))
    walk = tr["walk_cm"] / 100.0 if "walk_cm" in tr else np.zeros(len(cell))
    wait_sum = np.bincount(cell, weights=wait, minlength=size)
    walk_sum = np.bincount(cell, weights=walk, minlength=size)
    wait_max = np.full(size, -np.inf)
    np.maximum.at(wait_max, cell, wait)
    rows = []
    for grp in res.groups:
        for cat in res.categories:
            k = grp.row * n_c + cat.row
            if n[k] == 0:
                continue
            rows.append([scen.name, grp.id, cat.id, cat.name_zh, int(n[k])] +
                        [int(c[k]) for c in counts] +
                        [_num(wait_sum[k] / n[k], 2), _num(wait_max[k], 2),
                         _num(walk_sum[k] / n[k], 1)])
    return Table("trips", [
        "scenario", "group", "category", "name_zh", "trips", "served",
        "served_after_waiting", "redirected_then_served", "failed",
        "mean_wait_min", "max_wait_min", "mean_walk_m"], rows)


def code_labels(description, n):
    """Labels of integer codes from a description such as "0 served, 1 failed"
    ("code k" where the description does not name k)."""
    found = dict((int(k), v.strip()) for k, v in re.findall(r"(\d+)[:=]?\s+([^,;]+)",
                                                             description or ""))
    return [found.get(k, "code %d" % k) for k in range(n)]


def trips_reason_table(res, scen):
    """Trips per group, category and ``reason`` (None when the file has no reason).

    Columns: scenario, group, category, name_zh, then one count per reason code,
    "reason: <label>" with the label from the dataset's description."""
    tr = scen.trips
    if tr is None or "reason" not in tr:
        return None
    reason = np.asarray(tr["reason"], dtype=np.int64)
    n_r = int(reason.max()) + 1 if len(reason) else 0
    desc = ""
    grp = scen._grp["Trips"]  # pylint: disable=protected-access
    for key in ("mapping", "description"):
        if key in grp["reason"].attrs:
            desc = text(grp["reason"].attrs[key])
            break
    labels = code_labels(desc, n_r)
    n_c = len(res.categories)
    cell = np.asarray(tr["group"], dtype=np.int64) * n_c + np.asarray(tr["category"],
                                                                       dtype=np.int64)
    size = len(res.groups) * n_c
    counts = [np.bincount(cell[reason == k], minlength=size) for k in range(n_r)]
    rows = []
    for g in res.groups:
        for c in res.categories:
            k = g.row * n_c + c.row
            if sum(int(x[k]) for x in counts):
                rows.append([scen.name, g.id, c.id, c.name_zh] + [int(x[k]) for x in counts])
    return Table("trip_reasons", ["scenario", "group", "category", "name_zh"] +
                 ["reason: " + x for x in labels], rows)

