"""Independent oracle for the CRS conversions (src/input/crs.c).

The GCJ-02 and BD-09 transforms are written here again from the published formulas, in
Python, without looking at the C code's numbers. The test checks:
  * the published reference vectors of the eviltransform project (WGS84 -> GCJ-02 in
    Shanghai, Shenzhen and Beijing);
  * the fixture tests/fixtures/facility/crs_pairs.csv, which the C unit test test_crs reads
    (WGS84 points in Changning and their GCJ-02 and BD-09 coordinates), against this oracle;
  * with geographiclib (an independent geodesic library), that the GCJ-02 offset in Shanghai
    is plausible: a few hundred metres (100-700 m), as Chinese web maps show;
  * the layer fixtures in tests/fixtures/facility: every point given in GCJ-02 or BD-09
    converts back to the WGS84 position stated for it in expected_wgs84.csv.
"""
import csv
import json
import math
import os
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

ROOT = Path(os.environ.get("LC_ROOT", Path(__file__).resolve().parents[2]))
FIX = Path(os.environ.get("LC_FIXTURES", ROOT / "tests" / "fixtures")) / "facility"

A = 6378245.0                      # Krasovsky 1940 semi-major axis (m)
EE = 0.00669342162296594323        # Krasovsky 1940 first eccentricity squared
XPI = math.pi * 3000.0 / 180.0     # Baidu's constant


def _d_lat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _d_lon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs_to_gcj(lon, lat):
    if lon < 72.004 or lon > 137.8347 or lat < 0.8293 or lat > 55.8271:
        return lon, lat
    dlat = _d_lat(lon - 105.0, lat - 35.0)
    dlon = _d_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - EE * math.sin(rad) ** 2
    sm = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sm) * math.pi)
    dlon = (dlon * 180.0) / (A / sm * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def gcj_to_bd(lon, lat):
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * XPI)
    t = math.atan2(lat, lon) + 0.000003 * math.cos(lon * XPI)
    return z * math.cos(t) + 0.0065, z * math.sin(t) + 0.006


def invert(f, lon, lat):
    """Inverse of f by Newton iteration with a numerical Jacobian (a different method from
    the C code's fixed-point iteration)."""
    x, y = lon, lat
    h = 1e-7
    for _ in range(30):
        fx, fy = f(x, y)
        ex, ey = fx - lon, fy - lat
        if abs(ex) < 1e-13 and abs(ey) < 1e-13:
            break
        a11 = (f(x + h, y)[0] - f(x - h, y)[0]) / (2 * h)
        a21 = (f(x + h, y)[1] - f(x - h, y)[1]) / (2 * h)
        a12 = (f(x, y + h)[0] - f(x, y - h)[0]) / (2 * h)
        a22 = (f(x, y + h)[1] - f(x, y - h)[1]) / (2 * h)
        det = a11 * a22 - a12 * a21
        x -= (a22 * ex - a12 * ey) / det
        y -= (-a21 * ex + a11 * ey) / det
    return x, y


def wgs_to_bd(lon, lat):
    return gcj_to_bd(*wgs_to_gcj(lon, lat))


def to_wgs(crs, lon, lat):
    if crs == "wgs84":
        return lon, lat
    if crs == "gcj02":
        return invert(wgs_to_gcj, lon, lat)
    return invert(wgs_to_bd, lon, lat)


def test_published_vectors():
    # (wgs lat, wgs lon, gcj lat, gcj lon) from the eviltransform project's tests.
    for wlat, wlon, glat, glon in [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ]:
        lon, lat = wgs_to_gcj(wlon, wlat)
        assert lon == pytest.approx(glon, abs=1e-9)
        assert lat == pytest.approx(glat, abs=1e-9)


def read_pairs():
    with open(FIX / "crs_pairs.csv", newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)]


def test_fixture_pairs_match_oracle():
    rows = read_pairs()
    assert len(rows) >= 5
    for r in rows:
        wlon, wlat = float(r["wgs84_lon"]), float(r["wgs84_lat"])
        glon, glat = wgs_to_gcj(wlon, wlat)
        blon, blat = wgs_to_bd(wlon, wlat)
        assert float(r["gcj02_lon"]) == pytest.approx(glon, abs=1e-10)
        assert float(r["gcj02_lat"]) == pytest.approx(glat, abs=1e-10)
        assert float(r["bd09_lon"]) == pytest.approx(blon, abs=1e-10)
        assert float(r["bd09_lat"]) == pytest.approx(blat, abs=1e-10)


def test_offset_plausible_in_shanghai():
    geod = Geodesic.WGS84
    for r in read_pairs():
        wlon, wlat = float(r["wgs84_lon"]), float(r["wgs84_lat"])
        glon, glat = wgs_to_gcj(wlon, wlat)
        s = geod.Inverse(wlat, wlon, glat, glon)["s12"]
        assert 100.0 < s < 700.0, (r, s)
        # BD-09 lies a further few hundred metres off.
        blon, blat = wgs_to_bd(wlon, wlat)
        s_bd = geod.Inverse(wlat, wlon, blat, blon)["s12"]
        assert 300.0 < s_bd < 2000.0, (r, s_bd)


def test_layer_fixtures_convert_to_stated_wgs84():
    expected = {}
    with open(FIX / "expected_wgs84.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            expected[r["id"]] = (float(r["lon"]), float(r["lat"]))
    seen = 0
    for name, crs in [("layer_gcj02.csv", "gcj02"), ("layer_bd09.csv", "bd09"),
                      ("layer_wgs84.csv", "wgs84")]:
        with open(FIX / name, newline="", encoding="utf-8-sig") as f:
            for r in csv.DictReader(f):
                x = r.get("lon") or r.get("x")
                y = r.get("lat") or r.get("y")
                lon, lat = to_wgs(crs, float(x), float(y))
                elon, elat = expected[r["id"]]
                assert lon == pytest.approx(elon, abs=1e-8) and lat == pytest.approx(elat, abs=1e-8)
                seen += 1
    for name, crs in [("layer_gcj02.geojson", "gcj02"), ("layer_bd09.geojson", "bd09"),
                      ("layer_wgs84.geojson", "wgs84")]:
        doc = json.loads((FIX / name).read_text(encoding="utf-8"))
        for feat in doc["features"]:
            g = feat["geometry"]
            pts = [g["coordinates"]] if g["type"] == "Point" else g["coordinates"]
            for k, p in enumerate(pts):
                fid = str(feat["properties"]["id"])
                if g["type"] == "MultiPoint":
                    fid += "#%d" % (k + 1)
                lon, lat = to_wgs(crs, p[0], p[1])
                elon, elat = expected[fid]
                assert lon == pytest.approx(elon, abs=1e-8) and lat == pytest.approx(elat, abs=1e-8)
                seen += 1
    assert seen >= 12
