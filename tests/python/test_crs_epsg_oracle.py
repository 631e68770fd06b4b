"""Oracle for the EPSG layer fixtures (tests/fixtures/facility/layer_epsg*.{csv,geojson}),
which tests/unit/test_crs_epsg.c reads through PROJ and checks to 0.1 m of the WGS84 truth
in expected_wgs84.csv.

  * pyproj (PROJ's Python bindings, a separate build and API from the engine's C calls)
    recomputes the fixtures' EPSG:4490 and EPSG:32651 coordinates from the truth;
  * pyproj itself is anchored to the definition of UTM zone 51N, without PROJ: on the
    central meridian (123 E) the easting is the false easting 500000 m and the northing is
    0.9996 times the WGS84 meridian arc, integrated here numerically (scipy) from the
    ellipsoid's meridional radius of curvature.
"""
import csv
import json
import math
import os
from pathlib import Path

from pyproj import Transformer
from scipy.integrate import quad

ROOT = Path(os.environ.get("LC_ROOT", Path(__file__).resolve().parents[2]))
FIX = Path(os.environ.get("LC_FIXTURES", ROOT / "tests" / "fixtures")) / "facility"

A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)


def truth():
    with open(FIX / "expected_wgs84.csv", newline="") as f:
        return {r["id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}


def test_utm_fixture_matches_pyproj():
    t = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True)
    ref = truth()
    with open(FIX / "layer_epsg32651.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6
    for r in rows:
        e, n = t.transform(*ref[r["id"][1:]])
        assert abs(float(r["x"]) - e) < 1e-3 and abs(float(r["y"]) - n) < 1e-3


def test_cgcs2000_fixture_matches_pyproj():
    t = Transformer.from_crs("EPSG:4326", "EPSG:4490", always_xy=True)
    ref = truth()
    doc = json.loads((FIX / "layer_epsg4490.geojson").read_text())
    assert doc["crs"]["properties"]["name"].endswith("EPSG::4490")
    assert len(doc["features"]) == 6
    for feat in doc["features"]:
        lon, lat = t.transform(*ref[feat["properties"]["id"][1:]])
        x, y = feat["geometry"]["coordinates"]
        # 1e-9 degrees is about 0.1 mm.
        assert abs(x - lon) < 1e-9 and abs(y - lat) < 1e-9


def meridian_arc(lat_deg):
    m = lambda phi: A * (1 - E2) / (1 - E2 * math.sin(phi) ** 2) ** 1.5
    return quad(m, 0.0, math.radians(lat_deg), epsabs=1e-9)[0]


def test_pyproj_against_utm_definition():
    t = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True)
    for lat in (0.0, 22.5, 31.2, 40.0):
        e, n = t.transform(123.0, lat)
        assert abs(e - 500000.0) < 1e-6
        assert abs(n - 0.9996 * meridian_arc(lat)) < 1e-3
