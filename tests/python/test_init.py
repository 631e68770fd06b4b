"""`lifecircle init` on a hand-made OSM area (tests/fixtures/init/area.osm), then `lifecircle
run` on the written parameter file with no edit. Zones, areas and residents are checked
against values computed here by hand: each zone is a lon/lat rectangle, whose area on a
sphere of radius R is exactly R^2 * dlon * (sin(lat2) - sin(lat1)); Jia (甲街道) loses its
rectangular hole. Residents are round(area_km2 * 10000), the ILLUSTRATIVE default."""
import json
import math
import os

import h5py
import numpy as np
import pytest

import lctest

AREA = os.path.join(lctest.ROOT, "tests", "fixtures", "init", "area.osm")
NETWORK = os.path.join(lctest.ROOT, "tests", "fixtures", "osm", "network.osm")
R_KM = 6371.0088


def rect_km2(lon1, lat1, lon2, lat2):
    d = math.radians(lon2 - lon1)
    return R_KM ** 2 * d * (math.sin(math.radians(lat2)) - math.sin(math.radians(lat1)))


JIA_KM2 = rect_km2(121.400, 31.200, 121.410, 31.210) - rect_km2(121.403, 31.203, 121.407, 31.207)
YI_KM2 = rect_km2(121.410, 31.200, 121.420, 31.210)
JIA, YI = round(JIA_KM2 * 1e4), round(YI_KM2 * 1e4)


def init(tmp_path, name, *extra, check=True):
    out = tmp_path / name
    p = lctest.run(["init", "--osm", AREA, "-o", str(out)] + list(extra), check=check)
    return out, p


def signed_area(ring):
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:])) / 2


def test_hand_values_are_not_on_a_rounding_edge():
    # The engine's area formula agrees with the closed form to about 1e-9 km2 (1e-5
    # residents); a value within 0.01 of a half would make the rounded count ambiguous.
    for a in (JIA_KM2, YI_KM2):
        assert abs(a * 1e4 % 1 - 0.5) > 0.01


def test_zones_from_boundary_relations(tmp_path):
    out, p = init(tmp_path, "intl")
    zones = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))
    feats = {f["properties"]["name"]: f for f in zones["features"]}
    # 乙 has no `name` tag: its name comes from name:zh. The admin_level 6 district is not a zone.
    assert sorted(feats) == sorted(["甲街道", "乙街道"])
    jia, yi = feats["甲街道"], feats["乙街道"]
    assert jia["properties"]["name_en"] == "Jia Subdistrict"
    assert jia["properties"]["osm_relation"] == 801
    assert yi["properties"]["name_en"] == "Yi Subdistrict"
    polys = jia["geometry"]["coordinates"]
    assert len(polys) == 1 and len(polys[0]) == 2  # One outer ring with its hole.
    outer, hole = polys[0]
    assert signed_area(outer) > 0 > signed_area(hole)  # RFC 7946 orientation.
    assert sorted({tuple(c) for c in hole}) == [(121.403, 31.203), (121.403, 31.207),
                                                (121.407, 31.203), (121.407, 31.207)]
    assert sorted({tuple(c) for c in yi["geometry"]["coordinates"][0][0]}) == [
        (121.41, 31.2), (121.41, 31.21), (121.42, 31.2), (121.42, 31.21)]
    rows = (out / "residents-ILLUSTRATIVE.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "subdistrict,residents,area_km2,status,method"
    got = {r.split(",")[0].strip('"'): r.split(",") for r in rows[1:]}
    assert int(got["甲街道"][1]) == JIA and int(got["乙街道"][1]) == YI
    assert abs(float(got["甲街道"][2]) - JIA_KM2) < 1e-5
    assert all(r[3] == "ILLUSTRATIVE" for r in got.values())
    params = (out / "params.yml").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE population" in params
    assert "from OSM boundary relations" in params


def node_index(f, lon, lat):
    x, y = f["/Graph/nodes/lon"][:], f["/Graph/nodes/lat"][:]
    i = np.flatnonzero((np.abs(x - lon) < 1e-9) & (np.abs(y - lat) < 1e-9))
    assert len(i) == 1
    return int(i[0])


def header(f, key):
    v = f["/Header"].attrs[key]
    return v.decode() if isinstance(v, bytes) else str(v)


def test_init_then_run_international(tmp_path):
    out, _ = init(tmp_path, "intl")
    p = lctest.run(["run", str(out / "params.yml")], ranks=2)
    assert "ILLUSTRATIVE" in p.stderr + p.stdout
    with h5py.File(out / "results.h5", "r") as f:
        assert header(f, "population_status") == "ILLUSTRATIVE"
        assert header(f, "zone_label") == "zone"
        assert header(f, "life_circle") == "15-minute neighbourhood"
        assert header(f, "report_title") == "15-minute neighbourhood: area"
        assert header(f, "languages") == "en"
        names = [s.decode() for s in f["/Subdistricts/name"][:]]
        res = f["/Population/residents"][:].sum(axis=1)
        sub = f["/Population/subdistrict"][:]
        assert res[sub == names.index("甲街道")].sum() == JIA
        assert res[sub == names.index("乙街道")].sum() == YI
        hole = node_index(f, 121.405, 31.205)
        assert sub[hole] == -1 and res[hole] == 0
        assert sub[node_index(f, 121.409, 31.205)] == names.index("甲街道")
        assert sub[node_index(f, 121.411, 31.205)] == names.index("乙街道")
        cats = [s.decode() for s in f["/Categories/id"][:]]
        n = dict(zip(cats, f["/Categories/n_facilities"][:]))
        # Supermarket and marketplace; the bus platform and the subway stop position.
        assert (n["grocery"], n["pharmacy"], n["primary_care"]) == (2, 1, 1)
        assert (n["transit_stop"], n["rail_station"]) == (2, 1)
        assert (n["primary_school"], n["secondary_school"], n["kindergarten"]) == (1, 1, 1)
        langs = [s.decode() for s in f["/Categories/name_languages"][:]]
        assert langs == ["en"]
        by_rank = f["/Population/residents"][:]
    # The same residents on one rank.
    lctest.run(["run", str(out / "params.yml"), "-o", str(tmp_path / "one.h5")], ranks=1)
    with h5py.File(tmp_path / "one.h5", "r") as f:
        assert np.array_equal(f["/Population/residents"][:], by_rank)


def test_init_then_run_shanghai(tmp_path):
    out, _ = init(tmp_path, "sh", "--categories", "shanghai")
    p = lctest.run(["run", str(out / "params.yml")], ranks=2)
    assert "skipped" not in p.stderr
    with h5py.File(out / "results.h5", "r") as f:
        assert header(f, "zone_label") == "subdistrict 街道"
        assert header(f, "languages") == "zh,en"
        cats = [s.decode() for s in f["/Categories/id"][:]]
        n = dict(zip(cats, f["/Categories/n_facilities"][:]))
        # The metro stop mapped only as a stop position counts; the beauty clinic does not.
        assert n["metro_station"] == 1 and n["community_health"] == 1
        assert n["wet_market"] == 1 and n["daily_shop"] == 1
        langs = [s.decode() for s in f["/Categories/name_languages"][:]]
        names = [s.decode() for s in f["/Categories/names"][:]]
        c = cats.index("community_health")
        assert langs == ["zh", "en"]
        assert names[c * 2] == "社区卫生服务中心/站"
        assert names[c * 2 + 1] == "Community health service centre or station"


def test_activities_of_missing_categories_are_skipped_with_a_note(tmp_path):
    out, _ = init(tmp_path, "mix")
    params = out / "params.yml"
    text = params.read_text(encoding="utf-8")
    shanghai_acts = os.path.join(lctest.ROOT, "inputs", "activities.yml")
    params.write_text(text.replace(str(out / "activities.yml"), shanghai_acts), encoding="utf-8")
    p = lctest.run(["run", str(params)], ranks=1)
    assert "category 'wet_market' is not in" in p.stderr
    assert "this activity is skipped" in p.stderr


def test_chinese_coordinate_headers(tmp_path):
    out, _ = init(tmp_path, "zh")
    layer = tmp_path / "pharmacies.csv"
    layer.write_text("名称,经度,纬度\n乙药房,121.4152,31.2048\n", encoding="utf-8")
    params = out / "params.yml"
    text = params.read_text(encoding="utf-8").replace(
        "  layers: []", "  layers:\n    - file: %s\n      crs: wgs84\n      category: pharmacy"
        % layer)
    params.write_text(text, encoding="utf-8")
    lctest.run(["run", str(params)], ranks=1)
    with h5py.File(out / "results.h5", "r") as f:
        cats = [s.decode() for s in f["/Categories/id"][:]]
        assert f["/Categories/n_facilities"][cats.index("pharmacy")] == 2


def test_no_boundary_gives_one_zone_around_the_network(tmp_path):
    out = tmp_path / "net"
    lctest.run(["init", "--osm", NETWORK, "-o", str(out)])
    zones = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["name"] for f in zones["features"]] == ["network"]
    ring = zones["features"][0]["geometry"]["coordinates"][0][0]
    lons, lats = [c[0] for c in ring], [c[1] for c in ring]
    want = round(rect_km2(min(lons), min(lats), max(lons), max(lats)) * 1e4)
    lctest.run(["run", str(out / "params.yml")], ranks=2)
    with h5py.File(out / "results.h5", "r") as f:
        sub = f["/Population/subdistrict"][:]
        assert (sub == 0).all()  # Every node of the network lies in the zone.
        assert f["/Population/residents"][:].sum() == want


def test_bad_inputs(tmp_path):
    missing = tmp_path / "missing.osm.pbf"
    p = lctest.run(["init", "--osm", str(missing), "-o", str(tmp_path / "a")], check=False)
    assert p.returncode == 3 and "missing.osm.pbf" in p.stderr
    assert not (tmp_path / "a").exists()
    out, p = init(tmp_path, "b", "--admin-level", "7", check=False)
    assert p.returncode == 10
    assert "admin_level 7" in p.stderr and "(6, 8)" in p.stderr and "area.osm" in p.stderr
    assert not out.exists()
    out, _ = init(tmp_path, "c")
    before = (out / "params.yml").read_text(encoding="utf-8")
    _, p = init(tmp_path, "c", check=False)
    assert p.returncode == 3 and "exists" in p.stderr
    assert (out / "params.yml").read_text(encoding="utf-8") == before
    p = lctest.run(["init", "--osm", AREA, "-o", str(tmp_path / "d"), "--categories", "paris"],
                   check=False)
    assert p.returncode == 2 and "paris" in p.stderr


def test_incomplete_relation_is_skipped_with_a_warning(tmp_path):
    text = open(AREA, encoding="utf-8").read().replace("</osm>", (
        '  <relation id="803">\n    <member type="way" ref="999" role="outer"/>\n'
        '    <tag k="boundary" v="administrative"/><tag k="admin_level" v="8"/>\n'
        '    <tag k="name" v="丁街道"/>\n  </relation>\n</osm>'))
    osm = tmp_path / "cut.osm"
    osm.write_text(text, encoding="utf-8")
    out = tmp_path / "cut"
    p = lctest.run(["init", "--osm", str(osm), "-o", str(out)])
    assert "relation 803" in p.stderr and "skipped" in p.stderr
    zones = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))
    assert sorted(f["properties"]["name"] for f in zones["features"]) == ["乙街道", "甲街道"]


def test_user_zones(tmp_path):
    # The user's own polygons (here the OSM zones named in English) replace the relations.
    first, _ = init(tmp_path, "first")
    out = tmp_path / "own"
    lctest.run(["init", "--osm", AREA, "-o", str(out), "--zones",
                str(first / "zones.geojson"), "--zone-name-property", "name_en"])
    rows = (out / "residents-ILLUSTRATIVE.csv").read_text(encoding="utf-8").splitlines()[1:]
    got = {r.split(",")[0].strip('"'): int(r.split(",")[1]) for r in rows}
    assert got == {"Jia Subdistrict": JIA, "Yi Subdistrict": YI}
    assert not (out / "zones.geojson").exists()
    assert "name_property: name_en" in (out / "params.yml").read_text(encoding="utf-8")
    lctest.run(["run", str(out / "params.yml")], ranks=1)
