"""The planner's report and the GIS exports of the default run, checked the way a
person and a GIS would see them: rendered in headless Chromium, printed to PDF and
read back with pdftotext, opened with GDAL's ogrinfo, converted back from GCJ-02.

Expected figures are recomputed here with numpy from the results file and the
input files (served groups from inputs/categories.yml, distance limits by the
engine's rule), not read from the analysis code. The indicator reader is checked
on both of its paths: datasets present in the file, and derived from older files.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
yaml = pytest.importorskip("yaml")

import lctest  # noqa: E402
import test_analysis as ta  # noqa: E402

ROOT = lctest.ROOT
ANALYSIS = os.path.join(ROOT, "analysis")
sys.path.insert(0, ANALYSIS)
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
MARKS = r"ESTIMATE|ASSUMPTION|ILLUSTRATIVE"


def need(tool, package):
    if shutil.which(tool) is None:
        pytest.skip("%s missing (Debian package %s, in LC_PACKAGES)" % (tool, package))


def script(name, *args):
    return subprocess.run([PY, os.path.join(ANALYSIS, name)] + [str(a) for a in args],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The default run (2 ranks), its report with PDF, its exports."""
    d = tmp_path_factory.mktemp("default")
    h5 = d / "xinhua.h5"
    lctest.run(["run", "inputs/changning/xinhua.yml", "-o", str(h5)], ranks=2, timeout=900)
    rep = script("report.py", h5, "-o", d / "report", "--pdf")
    assert rep.returncode == 0, rep.stderr
    exp = script("export.py", h5, "--geojson", d / "gj", "--csv", d / "csv",
                 "--crs", "gcj02", "--crs", "bd09")
    assert exp.returncode == 0, exp.stderr
    return {"h5": str(h5), "dir": d, "report_stderr": rep.stderr}


# ---------------------------------------------------------------------------
# Independent recomputation from the results file
# ---------------------------------------------------------------------------

def _s(a):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


def facts(h5):
    """Served groups, data status, gaps, complete shares and served gains, by numpy."""
    with open(os.path.join(ROOT, "inputs", "categories.yml"), encoding="utf-8") as fh:
        catdoc = {c["id"]: c for c in yaml.safe_load(fh)["categories"]}
    with h5py.File(h5, "r") as f:
        cats = _s(f["Categories/id"][()])
        thr = f["Categories/threshold_min"][()]
        ess = f["Categories/essential"][()].astype(bool)
        gids = _s(f["Groups/id"][()])
        speed = f["Groups/speed_m_s"][()]
        resid = f["Population/residents"][()]
        sub = f["Population/subdistrict"][()]
        near = {s: f["Scenarios/%s/NodeAccess/nearest_cm" % s][()] for s in f["Scenarios"]}
        fac = f["Scenarios/baseline/Facilities"]
        on = fac["node"][()] >= 0
        fcat = fac["category"][()][on]
    serves = np.array([[g in catdoc[c].get("groups", gids) for g in gids] for c in cats])
    limit = np.floor(thr[:, None] * 60.0 * speed[None, :] * 100.0 + 1e-6)
    has_data = np.isin(np.arange(len(cats)), fcat)

    def within(nc):  # N x C x G
        return (nc[:, :, None] >= 0) & (nc[:, :, None] <= limit[None, :, :])

    w0 = within(near["baseline"])
    gaps = []
    for c in range(len(cats)):
        for g in range(len(gids)):
            if has_data[c] and serves[c, g]:
                for s in np.unique(sub[sub >= 0]):
                    m = sub == s
                    gaps.append(int(resid[m, g][~w0[m, c, g]].sum()))
    gaps.sort(reverse=True)
    # The complete life circle of group g: the essential categories with data that serve g.
    comp = np.stack([w0[:, ess & has_data & serves[:, g], g].all(axis=1)
                     for g in range(len(gids))], axis=1)  # N x G
    complete = [(int(resid[:, g][comp[:, g]].sum()), int(resid[:, g].sum()))
                for g in range(len(gids))]
    gains = {}
    for s, nc in near.items():
        if s == "baseline":
            continue
        w1 = within(nc)
        w = resid[:, None, :] * serves[None, :, :]
        gains[s] = int((w * (w1 & ~w0)).sum() - (w * (w0 & ~w1)).sum())
    return {"cats": cats, "serves": serves, "has_data": has_data, "gaps": gaps,
            "complete": complete, "gains": gains}


def fmt_signed(n):
    return ("+{:,}" if n > 0 else "−{:,}").format(abs(n)) if n else "0"


# ---------------------------------------------------------------------------
# Browser and PDF
# ---------------------------------------------------------------------------

CHECK_JS = """<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  document.body.setAttribute("data-check", JSON.stringify({
    scroll: document.documentElement.scrollWidth, width: window.innerWidth,
    images: imgs.length,
    loaded: imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length,
    wide: Array.prototype.slice.call(document.querySelectorAll("table, figure, pre"))
      .filter(function (e) { return e.getBoundingClientRect().right > window.innerWidth; })
      .map(function (e) { return e.tagName + ":" + (e.id || e.className); })}));
});
</script>"""


def test_report_in_chromium(default_run):
    need("chromium", "chromium")
    out = default_run["dir"] / "report"
    page = (out / "index.html").read_text(encoding="utf-8")
    probe = out / "probe.html"
    probe.write_text(page.replace("</body>", CHECK_JS + "</body>"), encoding="utf-8")
    prof = default_run["dir"] / "chromium-profile"
    p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--user-data-dir=%s" % prof, "--window-size=1280,900",
                        "--hide-scrollbars", "--virtual-time-budget=20000", "--dump-dom",
                        "file://%s" % probe], capture_output=True, text=True, timeout=300)
    m = re.search(r'data-check="([^"]+)"', p.stdout)
    assert m, p.stderr[-2000:]
    check = json.loads(m.group(1).replace("&quot;", '"'))
    assert check["width"] == 1280
    # No horizontal overflow, no table or figure beyond the viewport.
    assert check["scroll"] <= check["width"], check
    assert check["wide"] == [], check
    # Every image loaded (and there are the maps and charts of the default run).
    assert check["images"] >= 20 and check["loaded"] == check["images"], check
    # Glyphs: matplotlib warned of none while drawing, and the page's first font
    # family is installed (the browser would fall back silently otherwise).
    assert "missing from" not in default_run["report_stderr"]
    fam = subprocess.run(["fc-match", "-f", "%{family}", "Noto Sans CJK SC"],
                         capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in fam, fam
    assert 'font-family: "Noto Sans CJK SC"' in page


def test_pdf_pages_and_summary_figures(default_run):
    need("pdftotext", "poppler-utils")
    pdf = default_run["dir"] / "report" / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 12 <= pages <= 60, pages
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                           capture_output=True, text=True).stdout
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                          capture_output=True, text=True).stdout
    assert "%d / %d" % (pages, pages) in last  # page numbers
    f = facts(default_run["h5"])
    # The summary's figures, recomputed: the largest gaps, the complete life
    # circle per group, every scenario's served gain.
    for n in f["gaps"][:5]:
        assert "{:,}".format(n) in first, n
    for done, total in f["complete"]:
        assert "%.1f%% (%s / %s)" % (100.0 * done / total, "{:,}".format(done),
                                      "{:,}".format(total)) in first
    for s, gain in f["gains"].items():
        assert re.search(r"%s\s+%s" % (re.escape(s), re.escape(fmt_signed(gain))), first), \
            (s, gain)
    assert "数据与假设" in first and "Data and assumptions" in first
    # The summary is one page: the next section starts on page 2.
    assert "Coverage by category" not in first


def test_data_box_lists_exactly_the_marked_inputs(default_run):
    """grep the default parameter file and every text file it names for the marks;
    the report's table lists exactly those (file, line) pairs, and the summary's
    box counts them per file."""
    params = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")
    with open(params, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    files = [doc["Categories"]["file"], doc["Groups"]["file"], doc["Graph"]["profile"],
             doc["Population"]["subdistricts"], doc["Population"]["residents"],
             doc["Population"]["density"], doc["Agents"]["activities"]]
    files += [layer["file"] for layer in doc["Facilities"]["layers"]]
    files += doc["Scenarios"]["files"]
    expected = set()
    counts = {}
    for label, path in [("parameters (/Parameters/given)", params)] + \
            [(p, os.path.join(ROOT, p)) for p in files]:
        out = subprocess.run(["grep", "-n", "-E", MARKS, path], capture_output=True,
                             text=True).stdout
        lines = [int(x.split(":", 1)[0]) for x in out.splitlines()]
        expected |= {(label, n) for n in lines}
        if lines:
            counts[label] = len(lines)
    assert len(expected) > 30  # the default has many marked assumptions
    page = (default_run["dir"] / "report" / "index.html").read_text(encoding="utf-8")
    table = page.split('<table id="marks">', 1)[1].split("</table>", 1)[0]
    got = set((a, int(b)) for a, b in re.findall(
        r'<tr><td class="l">([^<]+)</td><td>(\d+)</td>', table))
    assert got == expected
    box = page.split('id="data-box"', 1)[1].split("</div>", 1)[0]
    for label, n in counts.items():
        shown = label if label.startswith("parameters") else os.path.basename(label)
        assert re.search(r"<b>%s</b> — [A-Z/]+ \(%d\)" % (re.escape(shown), n), box), label
    # No data and excluded facilities are named in the box, with the attribution.
    f = facts(default_run["h5"])
    with h5py.File(default_run["h5"], "r") as h:
        zh = _s(h["Categories/name_zh"][()])
        n_excl = int((h["Scenarios/baseline/Facilities/node"][()] < 0).sum())
    for c, ok in enumerate(f["has_data"]):
        no_data = box.split("No data", 1)[1].split("</li>", 1)[0].split("Thin data", 1)[0]
        assert (zh[c] in no_data) == (not ok), zh[c]
    assert "{:,} facilities beyond 300 m".format(n_excl) in box
    assert "OpenStreetMap contributors" in box


# ---------------------------------------------------------------------------
# GeoJSON in GDAL, GCJ-02 / BD-09 copies
# ---------------------------------------------------------------------------

def ogr_fields(path):
    """(field types, SRS text) of a GeoJSON layer from ogrinfo."""
    p = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    fields = dict(re.findall(r"^(\w+): (\w+) \(", p.stdout, re.M))
    return fields, p.stdout


def test_geojson_in_ogrinfo(default_run):
    need("ogrinfo", "gdal-bin")
    gj = default_run["dir"] / "gj"
    f = facts(default_run["h5"])
    edges, srs = ogr_fields(gj / "edges-baseline.geojson")
    assert 'ID["EPSG",4326]' in srs
    assert "Feature Count: " in srs
    for k, t in edges.items():
        assert t != "String", (k, t)  # numbers typed as numbers, nothing else
    for c, cat in enumerate(f["cats"]):
        assert edges["status_%s" % cat] == "Integer"
        # Minutes only where the category has data (all-null fields are left out).
        assert (("min_%s" % cat) in edges) == bool(f["has_data"][c]), cat
        if f["has_data"][c]:
            assert edges["min_%s" % cat] == "Real"
    assert edges["length_m"] == "Real" and edges["row"] == "Integer"
    assert len(edges) == 5 + len(f["cats"]) + int(f["has_data"].sum())
    assert os.path.getsize(gj / "edges-baseline.geojson") < 3e6
    nodes, srs = ogr_fields(gj / "nodes-baseline.geojson")
    assert 'ID["EPSG",4326]' in srs
    assert nodes["subdistrict"] == "String" and nodes["residents_elderly"] == "Integer"
    assert nodes["osm_id"] in ("Integer64", "Integer")
    fac, _ = ogr_fields(gj / "facilities-baseline.geojson")
    assert fac["capacity"] == "Integer" and fac["snap_m"] == "Real"
    assert fac["excluded"] == "Integer" and fac["name"] == "String"


def _haversine_m(lon1, lat1, lon2, lat2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (np.sin((p2 - p1) / 2) ** 2 +
         np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


def _coords(path):
    with open(path, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    xy = np.array([ft["geometry"]["coordinates"] for ft in feats], dtype=float)
    return xy[:, 0], xy[:, 1], feats


def test_gcj02_copy_matches_the_gcj02_input(default_run):
    """The elderly canteens are given in GCJ-02; the engine converted them to
    WGS84 on load. The export's GCJ-02 copy must give back the input positions."""
    import csv
    gj = default_run["dir"] / "gj"
    lon, lat, feats = _coords(gj / "facilities-baseline-gcj02.geojson")
    with open(os.path.join(lctest.SHARED, "data", "changning",
                           "elderly-canteens-gcj02.csv"), encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for i, ft in enumerate(feats):
        p = ft["properties"]
        if p["source"] == 0:
            line = int(p["source_id"].split("/")[1])  # row/N: line N of the file
            r = rows[line - 2]
            d = _haversine_m(lon[i], lat[i], float(r["lon"]), float(r["lat"]))
            assert d < 0.5, (p["name"], d)
            checked += 1
    assert checked == len(rows)


def test_gcj02_and_bd09_round_trip(default_run):
    """Converting the GCJ-02 and BD-09 copies back (fixed-point inversion of the
    published forward formulas, written here) gives the WGS84 layer within 0.5 m."""
    gj = default_run["dir"] / "gj"
    x0, y0, _ = _coords(gj / "nodes-baseline.geojson")
    xg, yg, _ = _coords(gj / "nodes-baseline-gcj02.geojson")
    xb, yb, _ = _coords(gj / "nodes-baseline-bd09.geojson")
    # Shanghai's GCJ-02 offset is a few hundred metres.
    assert 300 < np.median(_haversine_m(x0, y0, xg, yg)) < 800

    def gcj(lon, lat):
        x, y = lon - 105.0, lat - 35.0
        pi = math.pi
        dlat = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(abs(x))
                + (20 * np.sin(6 * x * pi) + 20 * np.sin(2 * x * pi)) * 2 / 3
                + (20 * np.sin(y * pi) + 40 * np.sin(y / 3 * pi)) * 2 / 3
                + (160 * np.sin(y / 12 * pi) + 320 * np.sin(y * pi / 30)) * 2 / 3)
        dlon = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(abs(x))
                + (20 * np.sin(6 * x * pi) + 20 * np.sin(2 * x * pi)) * 2 / 3
                + (20 * np.sin(x * pi) + 40 * np.sin(x / 3 * pi)) * 2 / 3
                + (150 * np.sin(x / 12 * pi) + 300 * np.sin(x / 30 * pi)) * 2 / 3)
        a, ee = 6378245.0, 0.00669342162296594323
        phi = np.radians(lat)
        w = np.sqrt(1 - ee * np.sin(phi) ** 2)
        return (lon + dlon * 180 / (a / w * np.cos(phi) * pi),
                lat + dlat * 180 / (a * (1 - ee) / w ** 3 * pi))

    def bd(lon, lat):
        xp = math.pi * 3000 / 180
        z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * xp)
        t = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * xp)
        return z * np.cos(t) + 0.0065, z * np.sin(t) + 0.006

    def invert(fwd, tx, ty):
        x, y = tx.copy(), ty.copy()
        for _ in range(60):
            fx, fy = fwd(x, y)
            x, y = x - (fx - tx), y - (fy - ty)
        return x, y

    wx, wy = invert(gcj, xg, yg)
    assert _haversine_m(wx, wy, x0, y0).max() < 0.5
    gx, gy = invert(bd, xb, yb)
    wx, wy = invert(gcj, gx, gy)
    assert _haversine_m(wx, wy, x0, y0).max() < 0.5


# ---------------------------------------------------------------------------
# The indicator reader: both paths
# ---------------------------------------------------------------------------

def _no_canteen(path):
    """Make the fixture's elderly canteens excluded in the baseline (no data)."""
    with h5py.File(path, "a") as f:
        base = f["Scenarios/baseline"]
        cat = base["Facilities/category"][()]
        node = base["Facilities/node"][()]
        node[cat == 1] = -1
        base["Facilities/node"][...] = node
        near = base["NodeAccess/nearest_cm"][()]
        near[:, 1] = -1
        base["NodeAccess/nearest_cm"][...] = near


def test_indicators_from_file_and_derived_agree(tmp_path):
    import lcindicators as li
    import lcresults as lc
    old = str(tmp_path / "old.h5")
    fx = ta.build_results(old, optional=True)
    _no_canteen(old)
    n_g, groups = len(ta.GROUPS), [g[0] for g in ta.GROUPS]
    serves = np.array([[g in c[7] for g in groups] for c in ta.CATS])
    # The oracle: complete life circle over the essential categories with data
    # (the wet market only), by loops over nodes.
    sub = fx["sub"]
    resid = fx["residents"]
    complete = np.zeros((len(ta.SUBS) + 1, n_g), dtype=np.int64)
    for i in range(len(sub)):
        d = fx["base_nearest"][i, 0]
        for g, (_, speed, _) in enumerate(ta.GROUPS):
            lim = math.floor(ta.CATS[0][3] * 60 * speed * 100 + 1e-6)
            if 0 <= d <= lim:
                for r in ([sub[i]] if sub[i] >= 0 else []) + [len(ta.SUBS)]:
                    complete[r, g] += resid[i, g]
    served_new = np.stack([fx["newly"][:, c * n_g:(c + 1) * n_g][:, serves[c]].sum(axis=1)
                           for c in range(len(ta.CATS))], axis=1)
    served_lost = np.stack([fx["lost"][:, c * n_g:(c + 1) * n_g][:, serves[c]].sum(axis=1)
                            for c in range(len(ta.CATS))], axis=1)
    # The same file with the datasets of the indicators written by this test.
    new = str(tmp_path / "new.h5")
    shutil.copy(old, new)
    with h5py.File(new, "a") as f:
        f["Categories"].create_dataset("serves", data=serves.astype(np.int64))
        cov = f["Scenarios/baseline/Coverage"]
        ds = cov.create_dataset("data_status", data=np.array([0, 2, 0], dtype=np.int64))
        ds.attrs["reason"] = np.bytes_(b"no facility of the category on the network")
        ss = cov["served_share"][()]
        ss[:, 1] = np.nan
        cov["served_share"][...] = ss
        p = cov["pass"][()]
        p[:, 1] = -1
        cov["pass"][...] = p
        cov.create_dataset("complete_categories", data=np.array([1, 0, 0], dtype=np.int64))
        cov["complete"][...] = complete
        cov["complete_share"][...] = complete / np.maximum(cov["residents"][()], 1)
        cmp_ = f["Comparisons/add_canteen"]
        cmp_.create_dataset("served_newly_covered", data=served_new)
        cmp_.create_dataset("served_no_longer_covered", data=served_lost)
    got = {}
    for name, path in (("derived", old), ("file", new)):
        with lc.Results(path) as res:
            ind = li.scenario_indicators(res, res.scenario("baseline"))
            cs = li.comparison_served(res, "add_canteen")
            got[name] = (li.serves(res).copy(), res.serves_source, ind, cs)
    d, fl = got["derived"], got["file"]
    assert d[1] == "served_share" and fl[1] == "file"
    np.testing.assert_array_equal(d[0], serves)
    np.testing.assert_array_equal(fl[0], serves)
    assert d[2].source == "derived" and fl[2].source == "file"
    for ind in (d[2], fl[2]):
        np.testing.assert_array_equal(ind.data_status, [0, 2, 0])
        assert np.isnan(ind.served_share[:, 1]).all() and (ind.pass_[:, 1] == -1).all()
        assert np.isnan(ind.share[:, n_g:2 * n_g]).all()
        np.testing.assert_array_equal(ind.complete_categories, [True, False, False])
        np.testing.assert_array_equal(ind.complete, complete)
    np.testing.assert_array_equal(d[2].served_share, fl[2].served_share)
    np.testing.assert_array_equal(d[2].pass_, fl[2].pass_)
    np.testing.assert_array_equal(d[2].served_residents, fl[2].served_residents)
    for cs in (d[3], fl[3]):
        np.testing.assert_array_equal(cs["newly"], served_new)
        np.testing.assert_array_equal(cs["lost"], served_lost)
    assert d[3]["source"] == "derived" and fl[3]["source"] == "file"


def test_served_groups_from_the_categories_file(default_run):
    import lcindicators as li
    import lcresults as lc
    f = facts(default_run["h5"])
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with lc.Results(default_run["h5"]) as res:
            np.testing.assert_array_equal(li.serves(res), f["serves"])
            assert res.serves_source in ("categories file", "file")
            ind = li.scenario_indicators(res, res.scenario("baseline"))
            np.testing.assert_array_equal(ind.data_status == 2, ~f["has_data"])
    finally:
        os.chdir(cwd)


def test_share_below_target_shows_its_digits():
    import report
    assert report.fmt_share(0.98996718, 0.99) == "98.997%"
    assert report.fmt_share(0.9899, 0.99) == "98.99%"
    assert report.fmt_share(0.5, 0.99) == "50.0%"
    assert report.fmt_share(0.995, 0.99) == "99.5%"
    assert report.fmt_share(float("nan"), 0.99) == "–"


def test_trip_reasons_when_the_file_has_them(tmp_path):
    """A Trips/reason column (indicators issue) is counted per group, category and
    reason in the report and trip_reasons.csv, labelled from its description."""
    path = str(tmp_path / "r.h5")
    ta.build_results(path, optional=True)
    rng = np.random.default_rng(3)
    with h5py.File(path, "a") as f:
        t = f["Scenarios/baseline/Trips"]
        reason = rng.integers(0, 5, len(t["agent"])).astype(np.int64)
        ds = t.create_dataset("reason", data=reason)
        ds.attrs["description"] = np.bytes_(
            b"0 served, 1 served after waiting, 2 redirected then served, "
            b"3 none within radius, 4 closed on arrival")
        group, cat = t["group"][()], t["category"][()]
    p = script("export.py", path, "--csv", tmp_path / "csv")
    assert p.returncode == 0, p.stderr
    header, rows = ta.read_csv(tmp_path / "csv" / "trip_reasons.csv")
    assert header[4:] == ["reason: " + x for x in (
        "served", "served after waiting", "redirected then served", "none within radius",
        "closed on arrival")]
    assert {r[0] for r in rows} == {"baseline"}  # the scenario has no reason column
    for r in rows:
        g = [x[0] for x in ta.GROUPS].index(r[1])
        c = [x[0] for x in ta.CATS].index(r[2])
        m = (group == g) & (cat == c)
        assert [int(x) for x in r[4:]] == [int((reason[m] == k).sum()) for k in range(5)]
    assert sum(int(x) for r in rows for x in r[4:]) == len(reason)
    p = script("report.py", path, "-o", tmp_path / "rep")
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "<th>none within radius</th>" in page


def test_agent_bands_when_the_sensitivity_design_ran(tmp_path):
    """RealisedCoverage/share_low|high and /Comparisons/<s>/realised_served_gain_low|high
    are shown as bands: the served groups' share weighted by the residents who needed the
    category, and the gain."""
    import lcindicators as li
    import lcresults as lc
    path = str(tmp_path / "r.h5")
    ta.build_results(path, optional=True)
    n_g = len(ta.GROUPS)
    serves = np.array([[g[0] in c[7] for g in ta.GROUPS] for c in ta.CATS])
    with h5py.File(path, "a") as f:
        rc = f["Scenarios/baseline/RealisedCoverage"]
        share = rc["share"][()]
        rc.create_dataset("share_low", data=share * 0.5)
        rc.create_dataset("share_high", data=np.minimum(share * 1.2, 1.0))
        resid = f["Scenarios/baseline/Coverage/residents"][()]
        needed = rc["needed"][()]
        cmp_ = f["Comparisons/add_canteen"]
        r_n = resid.shape[0]
        cmp_.create_dataset("realised_served_newly_covered",
                            data=np.full((r_n, len(ta.CATS)), 7, dtype=np.int64))
        cmp_.create_dataset("realised_served_no_longer_covered",
                            data=np.full((r_n, len(ta.CATS)), 2, dtype=np.int64))
        cmp_.create_dataset("realised_served_gain_low",
                            data=np.full((r_n, len(ta.CATS)), -1, dtype=np.int64))
        cmp_.create_dataset("realised_served_gain_high",
                            data=np.full((r_n, len(ta.CATS)), 9, dtype=np.int64))
    # The expected band: per category, sum over served groups of share x residents who
    # needed it, over those residents.
    low = np.zeros((r_n, len(ta.CATS)))
    for c in range(len(ta.CATS)):
        gs = np.nonzero(serves[c])[0]
        w = needed[:, c * n_g + gs].astype(float)
        low[:, c] = (share[:, c * n_g + gs] * 0.5 * w).sum(axis=1) / w.sum(axis=1)
    with lc.Results(path) as res:
        ind = li.scenario_indicators(res, res.scenario("baseline"))
        np.testing.assert_allclose(ind.realised_low, low, rtol=1e-12)
        assert (ind.realised_low <= ind.realised_served_share + 1e-12).all()
        assert (ind.realised_served_share <= ind.realised_high + 1e-12).all()
        cs = li.comparison_served(res, "add_canteen")
        assert (cs["realised_newly"] == 7).all() and (cs["realised_high"] == 9).all()
    p = script("report.py", path, "-o", tmp_path / "rep")
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    # Three categories, summed: realised net 3 x (7 - 2), band [3 x -1, 3 x 9].
    assert "+15 [−3, +27]" in page
    assert "realised net 实际 [band]" in page
    assert "band: not computed" not in page
