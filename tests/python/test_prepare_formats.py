"""Planners' file formats: vector layers converted by analysis/prepare.py (GDAL/OGR) or read
directly in any EPSG CRS, and a population GeoTIFF, in real runs on the Xinhua network.

  * One facility layer, made here, written as GeoJSON (the reference, WGS84), CSV, GeoPackage
    in CGCS2000 (EPSG:4490), Shapefile in UTM 51N (EPSG:32651), KML, a GeoJSON in EPSG:32651
    read directly (crs: EPSG:32651) and a CSV of WKT points in EPSG:32651: every run gives
    the same facilities (ids, names, categories, capacities, hours) within 1 cm and the same
    count per category as the reference.
  * A GeoTIFF of persons per pixel made here with GDAL (integer counts, a nodata pixel),
    inside the Xinhua polygon: prepare.py raster + `Population: raster_samples` preserve the
    raster total exactly, and every node's residents match an independent computation
    (scipy's k-d tree for the nearest node of each sub-pixel, numpy for the largest
    remainders).
  * Bad inputs: a negative pixel, NaN without a nodata value, a polygon layer as
    facilities, a GeoPackage given to the engine: one clear message naming the file.
"""
import csv
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
import yaml
from osgeo import gdal, ogr, osr
from scipy.spatial import cKDTree

import lctest

gdal.UseExceptions()
PREPARE = os.path.join(lctest.ROOT, "analysis", "prepare.py")
BOUNDARY = lctest.shared("data", "changning", "xinhua-boundary.geojson")

POINTS = [  # id, name, category, capacity, open, close, lon, lat (WGS84, in Xinhua)
    ("a1", "Canteen one", "elderly_canteen", 30, "10:30", "13:30", 121.4201, 31.2012),
    ("a2", "Canteen two", "elderly_canteen", 20, "11:00", "13:00", 121.4255, 31.2063),
    ("a3", "Clinic", "community_health", 4, "08:00", "17:00", 121.4302, 31.1987),
    ("a4", "Clinic two", "community_health", 5, "08:00", "16:30", 121.4188, 31.2044),
    ("a5", "Locker", "parcel_locker", 40, "00:00", "24:00", 121.4271, 31.2009),
    ("a6", "Locker two", "parcel_locker", 24, "07:00", "22:00", 121.4233, 31.2075),
]
FIELDS = ["id", "name", "category", "capacity", "open", "close"]


def prepare(*args, check=True):
    p = subprocess.run([sys.executable, PREPARE] + list(args), capture_output=True, text=True)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def params(tmp, layer=None, crs="wgs84", raster=None, zones=None):
    with open(os.path.join(lctest.ROOT, "inputs", "changning", "xinhua.yml")) as f:
        p = yaml.safe_load(f)
    p["Run"]["output"] = str(tmp / "out.h5")
    p["Agents"]["enabled"] = False
    p.pop("Scenarios", None)
    p["Facilities"]["pois"] = layer is None
    p["Facilities"]["layers"] = ([{"file": str(layer), "crs": crs,
                                   "category_column": "category"}] if layer else [])
    if raster:
        p["Population"].pop("residents")
        p["Population"].pop("density")
        p["Population"].pop("density_column")
        p["Population"]["raster_samples"] = str(raster)
    if zones:
        p["Population"]["subdistricts"] = str(zones)
    path = tmp / "params.yml"
    path.write_text(yaml.safe_dump(p, allow_unicode=True))
    return path


def run(tmp, check=True, ranks=1, **kw):
    out = tmp / "out.h5"
    if out.exists():
        out.unlink()
    return lctest.run(["run", str(params(tmp, **kw)), "-o", str(out)], check=check,
                      ranks=ranks)


def population(tmp):
    with h5py.File(tmp / "out.h5", "r") as f:
        return f["/Population/residents"][...], f["/Population/subdistrict"][...]


def test_zones_in_cgcs2000_geopackage(tmp_path):
    """The Xinhua polygon as a GeoPackage in EPSG:4490 and as GeoJSON in UTM 51N: the engine
    names the conversion; converted, the population is the reference's, node by node."""
    run(tmp_path)
    ref_res, ref_sub = population(tmp_path)
    gpkg = tmp_path / "zones.gpkg"
    translate(BOUNDARY, gpkg, "GPKG", 4490)
    p = run(tmp_path, check=False, zones=gpkg)
    assert p.returncode == 4 and "analysis/prepare.py vector %s -o" % gpkg in p.stderr
    utm = tmp_path / "zones-utm.geojson"
    translate(BOUNDARY, utm, "GeoJSON", 32651)
    p = run(tmp_path, check=False, zones=utm)
    assert p.returncode == 4 and "%s: the polygons are in EPSG:32651" % utm in p.stderr
    out = tmp_path / "zones.geojson"
    prepare("vector", str(gpkg), "-o", str(out))
    run(tmp_path, zones=out)
    res, sub = population(tmp_path)
    assert (sub == ref_sub).all() and (res == ref_res).all()


def facilities(tmp):
    with h5py.File(tmp / "out.h5", "r") as f:
        g = f["/Scenarios/baseline/Facilities"]
        cats = [c.decode() for c in f["/Categories/id"][...]]
        rows = {}
        for k in range(len(g["lon"])):
            sid = g["source_id"][k].decode()
            rows[sid] = (g["name"][k].decode(), cats[g["category"][k]], int(g["capacity"][k]),
                         int(g["open_min"][k]), int(g["close_min"][k]),
                         float(g["lon"][k]), float(g["lat"][k]))
        per_cat = f["/Categories/n_facilities"][...].tolist()
    return rows, per_cat


def write_reference(path):
    feats = [{"type": "Feature", "properties": dict(zip(FIELDS, p[:6])),
              "geometry": {"type": "Point", "coordinates": [p[6], p[7]]}} for p in POINTS]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))


def translate(src, dst, fmt, epsg=None):
    opts = gdal.VectorTranslateOptions(format=fmt, dstSRS="EPSG:%d" % epsg if epsg else None,
                                       reproject=bool(epsg))
    # Hours stay text (GDAL's GeoJSON reader would otherwise guess a time type).
    ds = gdal.OpenEx(str(src), gdal.OF_VECTOR, open_options=["DATE_AS_STRING=YES"])
    gdal.VectorTranslate(str(dst), ds, options=opts)
    ds = None


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formats")
    ref = tmp / "ref.geojson"
    write_reference(ref)
    run(tmp, layer=ref)
    return tmp, ref, facilities(tmp)


def same(a, b):
    (ra, ca), (rb, cb) = a, b
    assert ca == cb
    assert sorted(ra) == sorted(rb)
    for sid in ra:
        assert ra[sid][:5] == rb[sid][:5], sid
        # 1e-7 degrees is about 1 cm.
        assert abs(ra[sid][5] - rb[sid][5]) < 1e-7 and abs(ra[sid][6] - rb[sid][6]) < 1e-7


def test_reference_has_the_points(reference):
    _, _, (rows, per_cat) = reference
    assert sorted(rows) == [p[0] for p in POINTS]
    assert sum(per_cat) == 6


@pytest.mark.parametrize("fmt,suffix,epsg", [("GPKG", "gpkg", 4490),
                                             ("ESRI Shapefile", "shp", 32651),
                                             ("LIBKML", "kml", None)])
def test_gdal_formats_via_prepare(reference, tmp_path, fmt, suffix, epsg):
    _, ref, expect = reference
    src = tmp_path / ("layer." + suffix)
    translate(ref, src, fmt, epsg)
    # The engine refuses the file itself and names the command...
    p = run(tmp_path, check=False, layer=src)
    assert p.returncode == 4
    assert "analysis/prepare.py vector %s -o" % src in p.stdout + p.stderr
    # ...which converts it to what the engine reads.
    out = tmp_path / "layer.geojson"
    prepare("vector", str(src), "-o", str(out))
    run(tmp_path, layer=out)
    same(facilities(tmp_path), expect)


def test_csv_equivalent(reference, tmp_path):
    _, _, expect = reference
    layer = tmp_path / "layer.csv"
    with open(layer, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIELDS + ["lon", "lat"])
        for p in POINTS:
            w.writerow(list(p))
    run(tmp_path, layer=layer)
    same(facilities(tmp_path), expect)


def test_epsg_layers_read_directly(reference, tmp_path):
    """GeoJSON in UTM 51N (with ogr2ogr's crs member) and CSV of WKT points in UTM 51N,
    read by the engine through PROJ with crs: EPSG:32651."""
    _, ref, expect = reference
    gj = tmp_path / "utm.geojson"
    translate(ref, gj, "GeoJSON", 32651)
    assert "32651" in json.loads(gj.read_text())["crs"]["properties"]["name"]
    run(tmp_path, layer=gj, crs="EPSG:32651")
    same(facilities(tmp_path), expect)
    # The same file declared wgs84 is refused, naming the CRS to set.
    p = run(tmp_path, check=False, layer=gj, crs="wgs84")
    assert p.returncode == 5 and "crs: EPSG:32651" in p.stderr + p.stdout
    wkt = tmp_path / "utm-wkt.csv"
    doc = json.loads(gj.read_text())
    with open(wkt, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIELDS + ["wkt"])
        for feat in doc["features"]:
            x, y = feat["geometry"]["coordinates"][:2]
            w.writerow([feat["properties"][k] for k in FIELDS] + ["POINT (%.6f %.6f)" % (x, y)])
    run(tmp_path, layer=wkt, crs="EPSG:32651")
    same(facilities(tmp_path), expect)


def test_polygon_layer_refused(tmp_path):
    src = tmp_path / "zones.gpkg"
    translate(BOUNDARY, src, "GPKG")
    out = tmp_path / "zones.geojson"
    prepare("vector", str(src), "-o", str(out))
    p = run(tmp_path, check=False, layer=out)
    assert p.returncode == 4
    assert "%s: feature 1: geometry type Polygon is not a Point or MultiPoint" % out in p.stderr


# ---------------------------------------------------------------- population raster

NODATA = -9999.0


def make_raster(path, values, lon0=121.416, lat0=31.2085, step=0.001, nodata=NODATA):
    a = np.array(values, dtype="float32")
    ds = gdal.GetDriverByName("GTiff").Create(str(path), a.shape[1], a.shape[0], 1,
                                              gdal.GDT_Float32)
    ds.SetGeoTransform((lon0, step, 0.0, lat0, 0.0, -step))
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    ds.SetProjection(s.ExportToWkt())
    b = ds.GetRasterBand(1)
    if nodata is not None:
        b.SetNoDataValue(nodata)
    b.WriteArray(a)
    ds = None


def raster_values():
    rng = np.random.default_rng(7)
    v = rng.integers(0, 400, size=(4, 5)).astype(float)
    v[1, 2] = NODATA
    v[0, 0] = 0.0
    return v


def largest_remainder(total, w):
    w = np.asarray(w, dtype=float)
    q = total * w / w.sum()
    out = np.floor(q).astype(np.int64)
    rem = q - out
    order = sorted(range(len(w)), key=lambda i: (-rem[i], i))
    for i in order[: total - out.sum()]:
        out[i] += 1
    return out


def test_raster_total_preserved_and_nodes_match_oracle(tmp_path):
    v = raster_values()
    tif = tmp_path / "pop.tif"
    make_raster(tif, v)
    # The raster lies inside the Xinhua polygon (so every person is in the study area).
    bds = ogr.Open(BOUNDARY)  # Kept: OGR's objects die with their data source.
    feat = bds.GetLayer(0).GetNextFeature()
    poly = feat.GetGeometryRef()
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in [(121.416, 31.2085), (121.421, 31.2085), (121.421, 31.2045),
                 (121.416, 31.2045), (121.416, 31.2085)]:
        ring.AddPoint_2D(x, y)
    box = ogr.Geometry(ogr.wkbPolygon)
    box.AddGeometry(ring)
    assert box.Within(poly)
    samples = tmp_path / "pop.csv"
    p = prepare("raster", str(tif), "-o", str(samples), "--subsamples", "4")
    assert "1 nodata pixels skipped" in p.stdout
    total = int(v[v != NODATA].sum())
    run(tmp_path, raster=samples)
    with h5py.File(tmp_path / "out.h5", "r") as f:
        res = f["/Population/residents"][...]
        nlon, nlat = f["/Graph/nodes/lon"][...], f["/Graph/nodes/lat"][...]
        sub = f["/Population/subdistrict"][...]
    assert int(res.sum()) == total
    # Oracle: every sub-pixel centre to the nearest node inside the polygon.
    inside = np.nonzero(sub >= 0)[0]
    with open(samples, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 16 * int(((v != NODATA) & (v > 0)).sum())
    pts = np.array([(float(r["lon"]), float(r["lat"])) for r in rows])
    pers = np.array([float(r["persons"]) for r in rows])
    w = np.zeros(len(nlon))
    for (x, y), q in zip(pts, pers):
        kx = math.cos(math.radians(y))
        d = ((nlon[inside] - x) * kx) ** 2 + (nlat[inside] - y) ** 2
        w[inside[int(np.argmin(d))]] += q
    expect = np.zeros(len(nlon), dtype=np.int64)
    expect[inside] = largest_remainder(total, w[inside])
    assert (res.sum(axis=1) == expect).all()
    # The same at 2 ranks (every rank places the same residents).
    run(tmp_path, raster=samples, ranks=2)
    with h5py.File(tmp_path / "out.h5", "r") as f:
        assert (f["/Population/residents"][...] == res).all()
    # A check of the oracle's nearest search itself.
    tree = cKDTree(np.c_[nlon[inside] * math.cos(math.radians(31.2)), nlat[inside]])
    _, k = tree.query(np.c_[pts[:, 0] * math.cos(math.radians(31.2)), pts[:, 1]])
    assert (np.bincount(k, minlength=len(inside)) > 0).sum() == (w[inside] > 0).sum()


def test_raster_bad_values(tmp_path):
    v = raster_values()
    v[2, 3] = -5.0
    tif = tmp_path / "neg.tif"
    make_raster(tif, v)
    p = prepare("raster", str(tif), "-o", str(tmp_path / "x.csv"), check=False)
    assert p.returncode == 1
    assert "%s: pixel (row 3, column 4) holds -5.0" % tif in p.stderr
    v = raster_values()
    v[1, 2] = float("nan")
    tif = tmp_path / "nan.tif"
    make_raster(tif, v, nodata=None)
    p = prepare("raster", str(tif), "-o", str(tmp_path / "x.csv"), check=False)
    assert p.returncode == 1 and "(row 2, column 3) holds nan" in p.stderr
    p = run(tmp_path, check=False, layer=tif)
    assert p.returncode == 4 and "a raster is not a point layer" in p.stderr
