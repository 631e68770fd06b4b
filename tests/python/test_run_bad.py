"""Bad input to `lifecircle run`: a clear message naming the file and the row or feature, a
non-zero exit, all ranks ending together within seconds, and no results file left."""
import json
import os
import time

import pytest
import yaml

from lctest import ROOT, run, shared

BASE = os.path.join(ROOT, "inputs", "changning", "xinhua.yml")


def params_with(tmp_path, edit):
    """Writes a copy of the default parameters, changed by edit(dict), with absolute paths."""
    with open(BASE, encoding="utf-8") as f:
        p = yaml.safe_load(f)
    edit(p, tmp_path)
    path = tmp_path / "params.yml"
    path.write_text(yaml.safe_dump(p, allow_unicode=True), encoding="utf-8")
    return str(path)


def layer(p, path, **extra):
    entry = {"file": str(path), "crs": "wgs84"}
    entry.update(extra)
    p["Facilities"]["layers"] = [entry]


def csv_layer(text, **extra):
    def edit(p, tmp):
        f = tmp / "layer.csv"
        f.write_text(text, encoding="utf-8")
        layer(p, f, **extra)
    return edit


def geojson_layer(obj, **extra):
    def edit(p, tmp):
        f = tmp / "layer.geojson"
        f.write_text(json.dumps(obj), encoding="utf-8")
        layer(p, f, **extra)
    return edit


def population(polys=None, table=None):
    def edit(p, tmp):
        if polys is not None:
            f = tmp / "polys.geojson"
            f.write_text(json.dumps(polys), encoding="utf-8")
            p["Population"]["subdistricts"] = str(f)
        if table is not None:
            f = tmp / "residents.csv"
            f.write_text(table, encoding="utf-8")
            p["Population"]["residents"] = str(f)
    return edit


def point(lon, lat, **props):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props}


SQUARE = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"name": "新华路街道"},
    "geometry": {"type": "Polygon", "coordinates": [[[121.40, 31.19], [121.45, 31.19],
                                                     [121.45, 31.22], [121.40, 31.22],
                                                     [121.40, 31.19]]]}}]}

CASES = {
    "unknown category in a CSV layer": (
        csv_layer("lon,lat,category\n121.43,31.20,bakery\n"), ["layer.csv", "bakery"]),
    "unknown category in a GeoJSON layer": (
        geojson_layer({"type": "FeatureCollection",
                       "features": [point(121.43, 31.20, category="kindergarten"),
                                    point(121.43, 31.20, category="casino")]}),
        ["layer.geojson", "casino"]),
    "CSV without coordinates": (
        csv_layer("name,category\nA,kindergarten\n"), ["layer.csv"]),
    "CSV coordinate out of range": (
        csv_layer("lon,lat,category\n121.43,31.20,kindergarten\n221.43,31.20,kindergarten\n"),
        ["layer.csv", "3"]),
    "CSV coordinate NaN": (
        csv_layer("lon,lat,category\nnan,31.20,kindergarten\n"), ["layer.csv", "2"]),
    "unknown coordinate system": (
        csv_layer("lon,lat,category\n121.43,31.20,kindergarten\n", crs="utm51"),
        ["utm51", "wgs84"]),
    "layer geometry not a point": (
        geojson_layer({"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"category": "kindergarten"},
            "geometry": {"type": "LineString", "coordinates": [[121.4, 31.2], [121.5, 31.2]]}}]}),
        ["layer.geojson", "1"]),
    "polygons that are not polygons": (
        population(polys={"type": "FeatureCollection", "features": [
            point(121.43, 31.20, name="新华路街道")]}), ["polys.geojson", "1"]),
    "table names a subdistrict absent from the polygons": (
        population(polys=SQUARE, table="subdistrict,residents\n新华路街道,1000\n天山路街道,5\n"),
        ["residents.csv", "天山路街道"]),
    "polygon without a table row": (
        population(polys={"type": "FeatureCollection", "features": SQUARE["features"] + [{
            "type": "Feature", "properties": {"name": "天山路街道"},
            "geometry": {"type": "Polygon", "coordinates": [[[121.30, 31.10], [121.31, 31.10],
                                                             [121.31, 31.11], [121.30, 31.10]]]}}]},
                   table="subdistrict,residents\n新华路街道,1000\n"), ["天山路街道"]),
    "negative residents": (
        population(polys=SQUARE, table="subdistrict,residents\n新华路街道,-5\n"),
        ["residents.csv", "2"]),
    "unknown parameter key": (
        lambda p, tmp: p["Accessibility"].__setitem__("kk", 3), ["Accessibility:kk"]),
    "walking profile with a graph file": (
        lambda p, tmp: p.__setitem__("Graph", {"file": str(tmp / "graph.h5"),
                                               "profile": "inputs/profiles/walk.yml"}),
        ["Graph:profile applies only with Graph:osm", "lifecircle import --profile"]),
    "report language no category is named in": (
        lambda p, tmp: p["Report"].__setitem__("languages", ["zh", "eng"]),
        ["Report:languages:1", "eng"]),
    "parameter out of range": (
        lambda p, tmp: p["Accessibility"].__setitem__("k", 1000), ["Accessibility:k", "1000"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(tmp_path, name):
    edit, needles = CASES[name]
    params = params_with(tmp_path, edit)
    out = tmp_path / "out.h5"
    t0 = time.time()
    p = run(["run", params, "-o", str(out)], ranks=2, check=False, timeout=120)
    elapsed = time.time() - t0
    assert p.returncode != 0, p.stderr
    assert elapsed < 30, elapsed
    errors = [l for l in p.stderr.splitlines() if "error:" in l]
    assert len(errors) == 1, p.stderr  # One message, from rank 0.
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    assert not out.exists()
    assert not any(x.name.startswith("out.h5") for x in tmp_path.iterdir())


def test_missing_parameter_file(tmp_path):
    p = run(["run", str(tmp_path / "nope.yml")], ranks=2, check=False)
    assert p.returncode == 3 and "nope.yml" in p.stderr
