#!/usr/bin/python3
"""Writes the bad-input corpus: one folder per loader, each case a small file, and the
folder's expect.yml (see README.md here). Run it from anywhere to regenerate the corpus;
the files are committed, so tests and fuzzers do not need to run it.

Every expectation is the behaviour the loader's documentation asks for (a refusal with a
status and a position), written here by hand, not recorded from the program."""
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# Exit codes (include/lifecircle/status.h).
EIO, EFORMAT, EPARAM, EEMPTY, ETOOBIG = 3, 4, 5, 10, 12

GARBAGE = bytes([0x00, 0x13, 0xff, 0xfe, 0x7f, 0x80, 0x01]) + b"\x9c\x8d\xaa\x00\x00\xc3(" * 9
BAD_UTF8 = b"\xff\xfe\xc3\x28\xa0\xa1"

# Generated cases (too big to commit) are written by the test from these specs: the file is
# head + repeat * times + tail.
MB = 1 << 20


def write(folder, name, data):
    d = os.path.join(HERE, folder)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def expect(folder, cases, generated=None, note=""):
    d = os.path.join(HERE, folder)
    os.makedirs(d, exist_ok=True)
    doc = {"cases": cases}
    if generated:
        doc["generated"] = generated
    with open(os.path.join(d, "expect.yml"), "w", encoding="utf-8") as f:
        f.write("# Expectations of the cases in this folder (format: ../README.md).%s\n" % note)
        yaml.safe_dump(doc, f, allow_unicode=True, sort_keys=True, width=100)


def case(exit_code, where, why):
    return {"exit": exit_code, "where": where, "why": why}


YAML_POS = r":\d+:\d+"


def yaml_common(folder, valid_head):
    """Cases every YAML loader shares. valid_head: a valid start of a file of that kind."""
    write(folder, "empty.yml", "")
    write(folder, "truncated.yml", valid_head + "  - [unterminated, flow\n")
    write(folder, "garbage.yml", GARBAGE)
    write(folder, "invalid-utf8.yml", valid_head.encode() + b"    name: caf" + BAD_UTF8 + b"\n")
    write(folder, "duplicate-key.yml", valid_head + "    name: a\n    name: b\n")
    write(folder, "alias.yml", "a: &x [1, 2]\nb: *x\n")
    write(folder, "deep-nesting.yml", "[" * 5000 + "]" * 5000 + "\n")
    write(folder, "tab-indent.yml", "a:\n\t- b\n")
    write(folder, "two-documents.yml", "a: 1\n---\nb: 2\n")
    return {
        "empty.yml": case(EFORMAT, r"empty\.yml:1:1", "an empty file"),
        "truncated.yml": case(EFORMAT, YAML_POS, "an unterminated flow sequence"),
        "garbage.yml": case(EFORMAT, YAML_POS, "binary bytes"),
        "invalid-utf8.yml": case(EFORMAT, YAML_POS, "invalid UTF-8 (refused, with position)"),
        "duplicate-key.yml": case(EFORMAT, YAML_POS + r": duplicate key", "a key twice"),
        "alias.yml": case(EFORMAT, YAML_POS + r": YAML aliases", "anchors and aliases"),
        "deep-nesting.yml": case(EFORMAT, YAML_POS + r": .*nest", "5000 nested sequences"),
        "tab-indent.yml": case(EFORMAT, YAML_POS, "a tab in the indentation"),
        "two-documents.yml": case(EFORMAT, YAML_POS + r": only one YAML document", "two docs"),
    }


def yaml_generated(folder_ext="yml"):
    return {
        "deep-nesting-1mb.%s" % folder_ext: dict(
            head="", repeat="[", times=MB, tail="\n", **case(EFORMAT, YAML_POS + r": .*nest",
                                                              "a million nested sequences")),
    }


def params():
    f = "params"
    c = yaml_common(f, "Run:\n  name: x\nGraph:\n  osm:\n")
    write(f, "k-word.yml", "Accessibility:\n  k: eight\n")
    write(f, "k-huge.yml", "Accessibility:\n  k: 99999999999999999999999\n")
    write(f, "k-float.yml", "Accessibility:\n  k: 1e400\n")
    write(f, "seed-nan.yml", "Run:\n  seed: .nan\n")
    write(f, "seed-inf.yml", "Partition:\n  seed: .inf\n")
    write(f, "k-hex.yml", "Accessibility:\n  k: 0x10\n")
    write(f, "seed-negative.yml", "Run:\n  seed: -1\n")
    write(f, "weights-bool.yml", "Partition:\n  weights: maybe\n")
    write(f, "not-a-map.yml", "- just\n- a list\n")
    write(f, "scalar.yml", "hello\n")
    c.update({
        "k-word.yml": case(EPARAM, r":2:\d+: .*Accessibility:k", "a word for an integer"),
        "k-huge.yml": case(EPARAM, r":2:\d+: .*Accessibility:k", "an integer overflow"),
        "k-float.yml": case(EPARAM, r":2:\d+: .*Accessibility:k", "1e400 for an integer"),
        "seed-nan.yml": case(EPARAM, r":2:\d+: .*Run:seed", "NaN for an integer"),
        "seed-inf.yml": case(EPARAM, r":2:\d+: .*Partition:seed", "infinity for an integer"),
        "k-hex.yml": case(EPARAM, r":2:\d+: .*Accessibility:k", "hexadecimal"),
        "seed-negative.yml": case(EPARAM, r":2:\d+: .*Run:seed", "a negative seed"),
        "weights-bool.yml": case(EPARAM, r":2:\d+: .*Partition:weights", "not a boolean"),
        "not-a-map.yml": case(EFORMAT, r"(:1:1|top level)", "a list at the top"),
        "scalar.yml": case(EFORMAT, r"(:1:1|top level)", "a scalar at the top"),
    })
    g = yaml_generated()
    g["k-1mb-digits.yml"] = dict(head="Accessibility:\n  k: ", repeat="9", times=MB, tail="\n",
                                 **case(EPARAM, r":2:\d+: .*Accessibility:k",
                                        "a million digits"))
    g["many-keys.yml"] = dict(head="Run:\n", repeat="  k{i}: 1\n", times=20000, tail="",
                              numbered=True,
                              **case(EFORMAT, r":\d+:\d+: a map with more than",
                                     "a map of 20000 keys"))
    g["name-1mb-line.yml"] = dict(head="Run:\n  name: ", repeat="n", times=MB,
                                  tail="\n  bogus: [\n",
                                  **case(EFORMAT, YAML_POS, "a 1 MB line then a syntax error"))
    expect(f, c, g, " Each case is the parameter file itself.")


GROUP = ("groups:\n"
         "  - {id: child, share: 0.1, speed_m_s: 0.8}\n"
         "  - {id: pupil, share: 0.1, speed_m_s: 1.2}\n"
         "  - {id: adult, share: 0.5, speed_m_s: 1.3}\n")


def groups():
    f = "groups"
    c = yaml_common(f, "groups:\n  - id: child\n")
    write(f, "share-word.yml", GROUP + "  - {id: elderly, share: lots, speed_m_s: 1.0}\n")
    write(f, "speed-huge.yml", GROUP + "  - {id: elderly, share: 0.3, speed_m_s: 1e400}\n")
    write(f, "speed-nan.yml", GROUP + "  - {id: elderly, share: 0.3, speed_m_s: .nan}\n")
    write(f, "share-inf.yml", GROUP + "  - {id: elderly, share: .inf, speed_m_s: 1.0}\n")
    write(f, "duplicate-id.yml", GROUP + "  - {id: adult, share: 0.3, speed_m_s: 1.0}\n")
    write(f, "missing-elderly.yml", GROUP + "  - {id: senior, share: 0.3, speed_m_s: 1.0}\n")
    write(f, "shares-sum.yml", GROUP + "  - {id: elderly, share: 0.9, speed_m_s: 1.0}\n")
    write(f, "speed-zero.yml", GROUP + "  - {id: elderly, share: 0.3, speed_m_s: 0}\n")
    write(f, "unknown-key.yml", GROUP + "  - {id: elderly, share: 0.3, speed_m_s: 1, pace: 2}\n")
    write(f, "id-list.yml", GROUP + "  - {id: [elderly], share: 0.3, speed_m_s: 1.0}\n")
    c.update({
        "share-word.yml": case(EPARAM, r":5:\d+: .*share", "a word for a number"),
        "speed-huge.yml": case(EPARAM, r":5:\d+: .*speed", "1e400"),
        "speed-nan.yml": case(EPARAM, r":5:\d+: .*speed", "NaN"),
        "share-inf.yml": case(EPARAM, r":5:\d+: .*share", "infinity"),
        "duplicate-id.yml": case(EPARAM, r":5:\d+: duplicate group id", "an id twice"),
        "missing-elderly.yml": case(EPARAM, YAML_POS + r": .*elderly", "a required group missing"),
        "shares-sum.yml": case(EPARAM, YAML_POS + r": .*sum", "shares sum to 1.6"),
        "speed-zero.yml": case(EPARAM, r":5:\d+: .*speed", "speed 0"),
        "unknown-key.yml": case(EFORMAT, r":5:\d+: .*pace", "an unknown key"),
        "id-list.yml": case(EFORMAT, r":5:\d+", "a list for the id"),
    })
    g = yaml_generated()
    g["id-1mb.yml"] = dict(head=GROUP + "  - {id: ", repeat="e", times=MB,
                           tail=", share: 0.3, speed_m_s: 1.0}\n",
                           **case(EPARAM, YAML_POS, "a 1 MB group id (then elderly missing)"))
    expect(f, c, g)


CAT = ("categories:\n"
       "  - id: shop\n"
       "    name_zh: 商店\n"
       "    name_en: Shop\n"
       "    threshold_min: 10\n"
       "    target_share: 0.9\n"
       "    essential: true\n"
       "    radius_m: 2000\n"
       "    capacity: 5\n"
       "    service_min: 5\n"
       "    open: \"08:00\"\n"
       "    close: \"20:00\"\n"
       "    groups: [adult, elderly]\n"
       "    source: test\n")


def categories():
    f = "categories"
    c = yaml_common(f, "categories:\n  - id: shop\n")
    subs = {
        "threshold-word.yml": ("threshold_min: 10", "threshold_min: ten", 5),
        "threshold-huge.yml": ("threshold_min: 10", "threshold_min: 99999999999999999999", 5),
        "threshold-zero.yml": ("threshold_min: 10", "threshold_min: 0", 5),
        "target-nan.yml": ("target_share: 0.9", "target_share: .nan", 6),
        "target-inf.yml": ("target_share: 0.9", "target_share: -.inf", 6),
        "radius-huge.yml": ("radius_m: 2000", "radius_m: 1e400", 8),
        "open-25h.yml": ("open: \"08:00\"", "open: \"25:00\"", 11),
        "close-before-open.yml": ("close: \"20:00\"", "close: \"07:00\"", 12),
        "unknown-group.yml": ("[adult, elderly]", "[adult, martian]", 13),
        "capacity-negative.yml": ("capacity: 5", "capacity: -5", 9),
        "essential-word.yml": ("essential: true", "essential: sometimes", 7),
    }
    for name, (old, new, line) in subs.items():
        write(f, name, CAT.replace(old, new))
        c[name] = case(EPARAM, r":%d:\d+" % line, "bad value: " + new)
    write(f, "duplicate-id.yml", CAT + CAT[len("categories:\n"):])
    c["duplicate-id.yml"] = case(EPARAM, r":15:\d+: .*shop", "the id shop twice")
    write(f, "id-uppercase.yml", CAT.replace("id: shop", "id: Shop!"))
    c["id-uppercase.yml"] = case(EPARAM, r":2:\d+", "an id that is not lower-case ascii")
    write(f, "osm-rule-map.yml", CAT + "    osm: {amenity: school}\n")
    c["osm-rule-map.yml"] = case(EPARAM, r":15:\d+", "osm is not a list of rules")
    g = yaml_generated()
    g["name-1mb-then-bad.yml"] = dict(
        head=CAT.replace("name_en: Shop", "name_en: ").split("threshold_min")[0].rstrip("\n").rstrip() + " ",
        repeat="S", times=MB, tail="\n    threshold_min: -3\n" + CAT.split("threshold_min: 10\n")[1],
        **case(EPARAM, r":5:\d+", "a 1 MB English name, then a negative threshold"))
    expect(f, c, g)


PROF = ("name: walk\n"
        "highway:\n"
        "  footway: 1.0\n"
        "  residential: 1.0\n")


def profile():
    f = "profile"
    c = yaml_common(f, "highway:\n  footway:\n")
    cases = {
        "factor-word.yml": (PROF + "  service: slow\n", 5, EPARAM),
        "factor-nan.yml": (PROF + "  service: .nan\n", 5, EPARAM),
        "factor-inf.yml": (PROF + "  service: .inf\n", 5, EPARAM),
        "factor-huge.yml": (PROF + "  service: 1e400\n", 5, EPARAM),
        "factor-negative.yml": (PROF + "  service: -1\n", 5, EPARAM),
        "highway-list.yml": ("highway: [footway, path]\n", 1, EPARAM),
        "unknown-key.yml": (PROF + "speed: 3\n", 5, EPARAM),
        "foot-both.yml": (PROF + "foot:\n  allow: [yes]\n  forbid: [yes]\n", 6, EPARAM),
        "too-many-rules.yml": (PROF + "factors:\n" + "".join(
            "  - {tags: {k%d: v}, factor: 1.5, source: s}\n" % i for i in range(9)), 6, EPARAM),
    }
    for name, (text, line, st) in cases.items():
        write(f, name, text)
        c[name] = case(st, r":%d:\d+" % line, name[:-4])
    g = yaml_generated()
    expect(f, c, g, " Driven as Graph:profile of an OSM run.")


SCEN = "name: s1\ndescription: test\nfacilities:\n  add:\n"
ADD = ('    - {category: kindergarten, lon: 121.43, lat: 31.20, crs: wgs84, id: "n/1", '
       'name: "A", capacity: 10, open: "08:00", close: "18:00"}\n')


def scenario():
    f = "scenario"
    c = yaml_common(f, SCEN)
    cases = {
        "lon-word.yml": (SCEN + ADD.replace("lon: 121.43", "lon: east"), 5, EPARAM),
        "lon-nan.yml": (SCEN + ADD.replace("lon: 121.43", "lon: .nan"), 5, EPARAM),
        "lat-inf.yml": (SCEN + ADD.replace("lat: 31.20", "lat: .inf"), 5, EPARAM),
        "lat-huge.yml": (SCEN + ADD.replace("lat: 31.20", "lat: 1e400"), 5, EPARAM),
        "lat-range.yml": (SCEN + ADD.replace("lat: 31.20", "lat: 95"), 5, EPARAM),
        "capacity-huge.yml": (SCEN + ADD.replace("capacity: 10", "capacity: 99999999999999999999"),
                              5, EPARAM),
        "unknown-category.yml": (SCEN + ADD.replace("kindergarten", "casino"), 5, EPARAM),
        "duplicate-id.yml": (SCEN + ADD + ADD, 6, EPARAM),
        "unknown-key.yml": (SCEN + ADD + "  demolish: [1]\n", 6, EPARAM),
        "bad-name.yml": ("name: \"a/b c\"\n", 1, EPARAM),
        "missing-file.yml": (SCEN + "    - {file: no-such-layer.csv, crs: wgs84, category: green_space}\n",
                             5, EIO),
        "close-ways-word.yml": ("name: s2\nnetwork:\n  close_ways: [main-street]\n", 3, EPARAM),
    }
    # Housing (population:add / population:remove); the item is on line 5.
    house = "name: h1\ndescription: test\npopulation:\n  %s:\n"
    item = "    - {lon: 121.4262, lat: 31.2052, residents: 100}\n"
    cases.update({
        "housing-negative.yml": (house % "add" + item.replace("100", "-5"), 5, EPARAM),
        "housing-no-residents.yml": (house % "add" + item.replace(", residents: 100", ""), 5,
                                     EPARAM),
        "housing-no-place.yml": (house % "add" + "    - {residents: 100}\n", 5, EPARAM),
        "housing-no-source.yml": (house % "add" + item.replace(
            "residents: 100", "dwellings: 100, household_size: 2.5"), 5, EPARAM),
        "housing-mix-sum.yml": (house % "add" + item.replace(
            "}", ", groups: {adult: 0.5, elderly: 0.4}}"), 5, EPARAM),
        "housing-polygon-no-node.yml": (house % "add" + item.replace(
            "lon: 121.4262, lat: 31.2052",
            "within: ../../fixtures/scenario/housing-far.geojson"), 5, EPARAM),
        "housing-remove-too-many.yml": (house % "remove" + item.replace("100", "1000000"), 5,
                                        EPARAM),
    })
    for name, (text, line, st) in cases.items():
        write(f, name, text)
        c[name] = case(st, r":%d:\d+" % line if st != EIO else r"no-such-layer\.csv", name[:-4])
    c["missing-file.yml"]["where"] = r"no-such-layer\.csv"
    c["housing-negative.yml"]["where"] = r":5:\d+: .*residents = -5 is outside"
    c["housing-polygon-no-node.yml"]["where"] = r":5:\d+: .*no node of the walking graph"
    c["housing-remove-too-many.yml"]["where"] = r":5:\d+: .*a node would go negative"
    c["duplicate-id.yml"]["where"] = r":6:\d+: id 'n/1' is already used"
    g = yaml_generated()
    expect(f, c, g, " Driven as Scenarios:files of a run.")


def activities():
    f = "activities"
    head = "activities:\n  adult:\n"
    c = yaml_common(f, head)
    good = "    - {category: daily_shop, per_day: 1, start: {mean: \"08:00\", sd_min: 0}, max_wait_min: 30}\n"
    cases = {
        "per-day-nan.yml": (head + good.replace("per_day: 1", "per_day: .nan"), 3),
        "per-day-huge.yml": (head + good.replace("per_day: 1", "per_day: 1e400"), 3),
        "start-25h.yml": (head + good.replace("08:00", "25:00"), 3),
        "unknown-group.yml": ("activities:\n  martian:\n" + good, "[23]"),
        "unknown-category.yml": (head + good.replace("daily_shop", "casino"), 3),
        "wait-negative.yml": (head + good.replace("max_wait_min: 30", "max_wait_min: -1"), 3),
    }
    for name, (text, line) in cases.items():
        write(f, name, text)
        c[name] = case(EPARAM, r":%s:\d+" % line, name[:-4])
    c["start-25h.yml"]["exit"] = [EPARAM, EFORMAT]
    expect(f, c, yaml_generated(), " Driven as Agents:activities of a run (when run reads it).")


# ---- CSV loaders. ----

def csv_common(folder, header, row, num_col):
    """Shared CSV cases. header/row: a valid header and data row; num_col: index of a
    numeric column to spoil."""
    cols = row.split(",")

    def spoiled(v):
        r = list(cols)
        r[num_col] = v
        return header + "\n" + ",".join(r) + "\n"
    write(folder, "empty.csv", "")
    write(folder, "blank-lines.csv", "\n\n\n")
    write(folder, "truncated.csv", header + "\n" + row.rsplit(",", 1)[0] + ',"unterminated\n')
    write(folder, "garbage.csv", GARBAGE)
    write(folder, "invalid-utf8.csv", (header + "\n").encode() +
          row.replace(cols[num_col], cols[num_col]).encode() + b"\n" +
          ",".join(cols[:-1]).encode() + b"," + BAD_UTF8 + b"\n")
    write(folder, "wrong-type.csv", spoiled("twelve"))
    write(folder, "huge.csv", spoiled("1e400"))
    write(folder, "nan.csv", spoiled("nan"))
    write(folder, "inf.csv", spoiled("-inf"))
    write(folder, "ragged.csv", header + "\n" + row + "\n" + row + ",extra\n")
    write(folder, "duplicate-column.csv", header + "," + header.split(",")[num_col] + "\n" +
          row + "," + cols[num_col] + "\n")
    write(folder, "nul-byte.csv", (header + "\n").encode() + row.encode().replace(b",", b"\x00,", 1) + b"\n")
    return {
        "empty.csv": case(EFORMAT, r"empty\.csv:.*(empty|header)", "an empty file"),
        "blank-lines.csv": case(EFORMAT, r"blank-lines\.csv:.*(empty|header)", "blank lines only"),
        "truncated.csv": case(EFORMAT, r":2(:\d+)?:", "an unterminated quote"),
        "garbage.csv": case(EFORMAT, r":1(:\d+)?:", "binary bytes"),
        "invalid-utf8.csv": case(EFORMAT, r":3:\d+: .*UTF-8", "invalid UTF-8 (refused, with position)"),
        "wrong-type.csv": case(EFORMAT, r":2(:\d+)?:", "a word for a number"),
        "huge.csv": case(EFORMAT, r":2(:\d+)?:", "1e400"),
        "nan.csv": case(EFORMAT, r":2(:\d+)?:", "nan"),
        "inf.csv": case(EFORMAT, r":2(:\d+)?:", "-inf"),
        "ragged.csv": case(EFORMAT, r":3(:\d+)?:", "a row with an extra field"),
        "duplicate-column.csv": case(EFORMAT, r":1(:\d+)?: .*duplicate column",
                                     "a column named twice in the header"),
        "nul-byte.csv": case(EFORMAT, r":2:\d+: .*NUL", "a NUL byte inside a field"),
    }


def csv_generated(header, num_prefix):
    return {
        "long-line-1mb.csv": dict(head=header + "\n" + num_prefix, repeat="1", times=MB,
                                  tail="\n", **case(EFORMAT, r":2(:\d+)?:",
                                                    "a 1 MB number")),
    }


def layer_csv():
    f = "layer_csv"
    h, r = "id,name,category,lon,lat", "k1,Kinder,kindergarten,121.43,31.20"
    c = csv_common(f, h, r, 3)
    write(f, "duplicate-id.csv", h + "\n" + r + "\n" + r.replace("121.43", "121.44") + "\n")
    write(f, "unknown-category.csv", h + "\n" + r.replace("kindergarten", "casino") + "\n")
    write(f, "lat-range.csv", h + "\n" + r.replace("31.20", "91") + "\n")
    write(f, "no-coordinates.csv", "id,name,category\nk1,A,kindergarten\n")
    write(f, "capacity-huge.csv", h + ",capacity\n" + r + ",99999999999999999999\n")
    write(f, "open-bad.csv", h + ",open,close\n" + r + ",8am,18:00\n")
    c.update({
        "duplicate-id.csv": case(EFORMAT, r":3(:\d+)?: .*duplicate id", "an id twice"),
        "unknown-category.csv": case(EPARAM, r":2(:\d+)?: .*casino", "unknown category"),
        "lat-range.csv": case(EFORMAT, r":2(:\d+)?:", "latitude 91"),
        "no-coordinates.csv": case(EFORMAT, r":1(:\d+)?:", "no lon/lat columns"),
        "capacity-huge.csv": case(EFORMAT, r":2(:\d+)?: .*capacity", "capacity overflow"),
        "open-bad.csv": case(EFORMAT, r":2(:\d+)?: .*opening", "8am"),
    })
    expect(f, c, csv_generated(h, "k1,K,kindergarten,"), " Driven as a Facilities:layers file (crs wgs84).")


def residents():
    f = "residents"
    h, r = "subdistrict,residents", "新华路街道,72000"
    c = csv_common(f, h, r, 1)
    write(f, "duplicate-id.csv", h + "\n" + r + "\n" + r + "\n")
    write(f, "negative.csv", h + "\n新华路街道,-5\n")
    write(f, "fraction.csv", h + "\n新华路街道,72000.5\n")
    write(f, "overflow.csv", h + "\n新华路街道,99999999999999999999\n")
    write(f, "absurd.csv", h + "\n新华路街道,9000000000000000000\n")
    write(f, "unknown-subdistrict.csv", h + "\n新华路街道,72000\nAtlantis,5\n")
    write(f, "missing-row.csv", h + "\n")
    c.update({
        "duplicate-id.csv": case(EFORMAT, r":3(:\d+)?: duplicate row", "a subdistrict twice"),
        "negative.csv": case(EFORMAT, r":2(:\d+)?: negative", "-5 residents"),
        "fraction.csv": case(EFORMAT, r":2(:\d+)?:", "72000.5 residents"),
        "overflow.csv": case(EFORMAT, r":2(:\d+)?:", "more than int64"),
        "absurd.csv": case(EFORMAT, r":2(:\d+)?: .*residents", "9e18 residents"),
        "unknown-subdistrict.csv": case(EFORMAT, r":3(:\d+)?: .*Atlantis", "unknown name"),
        "missing-row.csv": case(EFORMAT, r"no row for subdistrict", "no row for the polygon"),
    })
    expect(f, c, csv_generated(h, "新华路街道,"), " Driven as Population:residents.")


def density():
    f = "density"
    h, r = "lon,lat,density", "121.43,31.20,25000"
    c = csv_common(f, h, r, 2)
    write(f, "negative.csv", h + "\n121.43,31.20,-1\n")
    write(f, "lat-range.csv", h + "\n121.43,-91,1\n")
    write(f, "absurd.csv", h + "\n121.43,31.20,1e300\n121.44,31.21,1e300\n")
    write(f, "header-only.csv", h + "\n")
    write(f, "duplicate-id.csv", h + "\n" + r + "\n121.43,31.20,5\n")
    c.update({
        "negative.csv": case(EFORMAT, r":2(:\d+)?: negative", "negative density"),
        "lat-range.csv": case(EFORMAT, r":2(:\d+)?:", "latitude -91"),
        "absurd.csv": case(EFORMAT, r":2(:\d+)?: .*density", "1e300 persons per km2"),
        "header-only.csv": case(EFORMAT, r"no density samples", "no rows"),
        "duplicate-id.csv": case(EFORMAT, r":3(:\d+)?: .*same position",
                                 "two samples at one position with different values"),
    })
    expect(f, c, csv_generated(h, "121.43,31.20,"), " Driven as Population:density (column density).")


# ---- GeoJSON loaders. ----

def point(lon, lat, **props):
    import json
    return json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                       "properties": props}, ensure_ascii=False)


def fc(*features):
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"


def json_common(folder, good):
    write(folder, "empty.geojson", "")
    write(folder, "truncated.geojson", good[: len(good) // 2])
    write(folder, "garbage.geojson", GARBAGE)
    write(folder, "invalid-utf8.geojson", good.replace('"name"', '"na\x00me"', 1).encode()
          .replace(b"\x00", BAD_UTF8))
    write(folder, "nan.geojson", good.replace("121.43", "NaN", 1))
    write(folder, "inf.geojson", good.replace("121.43", "Infinity", 1))
    write(folder, "huge.geojson", good.replace("121.43", "1e400", 1))
    write(folder, "deep-nesting.geojson", "[" * 5000 + "]" * 5000)
    write(folder, "duplicate-key.geojson", good.replace('"type": "Feature",',
                                                        '"type": "Feature", "type": "Point",', 1))
    write(folder, "not-geojson.geojson", '{"hello": "world"}\n')
    write(folder, "wrong-type.geojson", good.replace("121.43", '"121.43"', 1))
    pos = r":\d+:\d+: invalid JSON"
    return {
        "empty.geojson": case(EFORMAT, pos, "an empty file"),
        "truncated.geojson": case(EFORMAT, pos, "half a file"),
        "garbage.geojson": case(EFORMAT, pos, "binary bytes"),
        "invalid-utf8.geojson": case(EFORMAT, pos, "invalid UTF-8 (refused, with position)"),
        "nan.geojson": case(EFORMAT, pos, "NaN is not JSON"),
        "inf.geojson": case(EFORMAT, pos, "Infinity is not JSON"),
        "huge.geojson": case(EFORMAT, pos, "1e400 overflows"),
        "deep-nesting.geojson": case(EFORMAT, pos, "5000 nested arrays"),
        "duplicate-key.geojson": case(EFORMAT, pos + r".*duplicate", "a key twice in an object"),
        "not-geojson.geojson": case(EFORMAT, r"not a FeatureCollection", "no GeoJSON type"),
        "wrong-type.geojson": case(EFORMAT, r"feature 1", "a string coordinate"),
    }


def json_generated():
    pos = r":\d+:\d+: invalid JSON"
    return {
        "deep-nesting-1mb.geojson": dict(head="", repeat="[", times=MB, tail="",
                                         **case(EFORMAT, pos, "a million nested arrays")),
        "number-1mb.geojson": dict(head='{"type": "Feature", "geometry": {"type": "Point", '
                                   '"coordinates": [', repeat="7", times=MB, tail=", 31.2]}}",
                                   **case(EFORMAT, pos, "a 1 MB integer")),
    }


def layer_geojson():
    f = "layer_geojson"
    good = fc(point(121.43, 31.20, category="kindergarten", id="k1", name="A"),
              point(121.44, 31.21, category="clinic", id="c1", name="B"))
    c = json_common(f, good)
    write(f, "duplicate-id.geojson", fc(point(121.43, 31.20, category="kindergarten", id="k1"),
                                        point(121.44, 31.21, category="kindergarten", id="k1")))
    write(f, "unknown-category.geojson", fc(point(121.43, 31.20, category="casino")))
    write(f, "polygon.geojson", '{"type": "Feature", "properties": {"category": "green_space"}, '
          '"geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}')
    write(f, "one-coordinate.geojson", '{"type": "Feature", "properties": {"category": "green_space"}, '
          '"geometry": {"type": "Point", "coordinates": [121.4]}}')
    write(f, "lat-range.geojson", fc(point(121.43, 95, category="green_space")))
    write(f, "capacity-fraction.geojson", fc(point(121.43, 31.2, category="green_space", capacity=2.5)))
    write(f, "capacity-huge.geojson", fc(point(121.43, 31.2, category="green_space",
                                               capacity=99999999999)))
    c.update({
        "duplicate-id.geojson": case(EFORMAT, r"feature 2: .*duplicate id", "an id twice"),
        "unknown-category.geojson": case(EPARAM, r"feature 1: .*casino", "unknown category"),
        "polygon.geojson": case(EFORMAT, r"feature 1: .*Polygon", "not a point"),
        "one-coordinate.geojson": case(EFORMAT, r"feature 1", "one coordinate"),
        "lat-range.geojson": case(EFORMAT, r"feature 1", "latitude 95"),
        "capacity-fraction.geojson": case(EFORMAT, r"feature 1: .*capacity", "2.5 seats"),
        "capacity-huge.geojson": case(EFORMAT, r"feature 1: .*capacity", "capacity overflow"),
    })
    expect(f, c, json_generated(), " Driven as a Facilities:layers file (crs wgs84).")


def polygons():
    import json
    f = "polygons"
    ring = [[121.40, 31.19], [121.45, 31.19], [121.45, 31.22], [121.40, 31.22], [121.40, 31.19]]

    def poly(name, coords, gtype="Polygon", **extra):
        props = {"name": name}
        props.update(extra)
        return json.dumps({"type": "Feature", "properties": props,
                           "geometry": {"type": gtype, "coordinates": coords}},
                          ensure_ascii=False)
    good = fc(poly("新华路街道", [[[121.43, 31.19], [121.45, 31.19], [121.45, 31.22],
                                 [121.43, 31.22], [121.43, 31.19]]]))
    c = json_common(f, good)
    write(f, "open-ring.geojson", fc(poly("新华路街道", [ring[:-1] + [[121.41, 31.19]]])))
    write(f, "short-ring.geojson", fc(poly("新华路街道", [[ring[0], ring[1], ring[0]]])))
    write(f, "lat-range.geojson", fc(poly("新华路街道", [[[0, 0], [0, 95], [1, 1], [0, 0]]])))
    write(f, "no-name.geojson", fc(poly(None, [ring])))
    write(f, "point.geojson", fc(point(121.43, 31.20, name="新华路街道")))
    write(f, "duplicate-id.geojson", fc(poly("新华路街道", [ring], code="1"),
                                        poly("新华路街道", [ring], code="2")))
    write(f, "name-long.geojson", fc(poly("新华路街道" + "x" * 600, [ring])))
    # GEOS's validity check: a bow-tie ring crosses itself; a hole outside its shell.
    write(f, "self-intersection.geojson", fc(poly("新华路街道", [[
        [121.40, 31.19], [121.45, 31.22], [121.45, 31.19], [121.40, 31.22], [121.40, 31.19]]])))
    write(f, "hole-outside.geojson", fc(poly("新华路街道", [ring, [
        [121.46, 31.19], [121.47, 31.19], [121.47, 31.20], [121.46, 31.19]]])))
    c.update({
        "open-ring.geojson": case(EFORMAT, r"feature 1 .*not closed", "a ring not closed"),
        "short-ring.geojson": case(EFORMAT, r"feature 1 .*3 positions", "3 positions"),
        "lat-range.geojson": case(EFORMAT, r"feature 1 .*out of range", "latitude 95"),
        "no-name.geojson": case(EFORMAT, r"feature 1: .*name", "a null name"),
        "point.geojson": case(EFORMAT, r"feature 1 .*Point", "a point"),
        "duplicate-id.geojson": case(EFORMAT, r"feature 2 .*code", "one name, two codes"),
        "name-long.geojson": case(EFORMAT, r"feature 1: .*name", "a 615-byte name"),
        "self-intersection.geojson": case(EFORMAT, r"feature 1 .*invalid polygon: "
                                          r"Self-intersection at \(121\.425", "a bow-tie ring"),
        "hole-outside.geojson": case(EFORMAT, r"feature 1 .*invalid polygon: Hole lies "
                                     r"outside shell", "a hole outside its shell"),
    })
    expect(f, c, json_generated(), " Driven as Population:subdistricts.")


# ---- OSM and DIMACS (through lifecircle import). ----

OSM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
OSM_NODES = ('  <node id="1" lat="31.2000" lon="121.4000"/>\n'
             '  <node id="2" lat="31.2010" lon="121.4000"/>\n'
             '  <node id="3" lat="31.2010" lon="121.4010"/>\n')
OSM_WAY = ('  <way id="10">\n    <nd ref="1"/>\n    <nd ref="2"/>\n    <nd ref="3"/>\n'
           '    <tag k="highway" v="footway"/>\n    <tag k="name" v="Lane"/>\n  </way>\n')
OSM_TAIL = "</osm>\n"


def osm_xml():
    f = "osm_xml"
    good = OSM_HEAD + OSM_NODES + OSM_WAY + OSM_TAIL
    cases = {
        "empty.osm": ("", EFORMAT, r"empty\.osm"),
        "truncated.osm": (good[: len(good) * 2 // 3], EFORMAT, r"\.osm:7:\d+: not well-formed"),
        "garbage.osm": (GARBAGE, EFORMAT, r"\.osm:1:1: not well-formed"),
        "invalid-utf8.osm": (OSM_HEAD.encode() + OSM_NODES.encode() +
                             OSM_WAY.replace('v="Lane"', 'v="LANE"').encode().replace(b"LANE", BAD_UTF8)
                             + OSM_TAIL.encode(), EFORMAT, r"\.osm:\d+:\d+: not well-formed"),
        "lat-word.osm": (good.replace('lat="31.2000"', 'lat="north"'), EFORMAT,
                         r"\.osm:3:\d+: node 1: lat=\"north\" is not a number"),
        "lat-huge.osm": (good.replace('lat="31.2000"', 'lat="1e400"'), EFORMAT, r"node 1"),
        "lat-nan.osm": (good.replace('lat="31.2000"', 'lat="nan"'), EFORMAT, r"node 1"),
        "lon-inf.osm": (good.replace('lon="121.4000"', 'lon="inf"', 1), EFORMAT, r"node 1"),
        "id-huge.osm": (good.replace('node id="3"', 'node id="99999999999999999999999"'),
                        EFORMAT, r"\.osm:5:\d+: a node without a valid 64-bit integer id"),
        "duplicate-id.osm": (OSM_HEAD + OSM_NODES + '  <node id="2" lat="31.3" lon="121.5"/>\n' +
                             OSM_WAY + OSM_TAIL, EFORMAT, r"node 2"),
        "missing-node.osm": (OSM_HEAD + OSM_NODES.replace('  <node id="3" lat="31.2010" lon="121.4010"/>\n', "")
                             + OSM_WAY + OSM_TAIL, EFORMAT, r"way 10.*node 3|node 3.*way 10"),
        "no-walkable-way.osm": (OSM_HEAD + OSM_NODES + OSM_WAY.replace("footway", "motorway")
                                + OSM_TAIL, EEMPTY, r"walkable"),
        "deep-nesting.osm": (OSM_HEAD + "<a>" * 5000 + "</a>" * 5000 + OSM_TAIL, EEMPTY,
                             r"no walkable"),
        "regress-garbage-after-nodes.osm": (
            OSM_HEAD + '  <node id="1" lat="31.2000" lon="121.4000"/>\n  <node id="2" '
            'lat="31.2010" lon="121.4000"\n  this is not XML <<< &&&\n', EFORMAT,
            r"\.osm:5:\d+: not well-formed"),
        # Found by fuzz_osm_xml: readosm dereferences a missing v= (or k=) of a <tag>
        # (a NULL strlen inside readosm); osm_check_xml refuses it first.
        "regress-tag-without-v.osm": (
            OSM_HEAD + OSM_NODES.replace('<node id="2" lat="31.2010" lon="121.4000"/>',
                                         '<node id="2" lat="31.2010" lon="121.4000">'
                                         '<tag k="amenity"/></node>') + OSM_WAY + OSM_TAIL,
            EFORMAT, r"\.osm:4:\d+: node 2: a <tag> without v="),
        "regress-way-tag-without-v.osm": (
            OSM_HEAD + OSM_NODES + OSM_WAY.replace('<tag k="name" v="Lane"/>',
                                                   '<tag k="name" lon="121.4"/>') + OSM_TAIL,
            EFORMAT, r"\.osm:11:\d+: way 10: a <tag> without v="),
        "tag-without-k.osm": (
            OSM_HEAD + OSM_NODES + OSM_WAY.replace('<tag k="name" v="Lane"/>',
                                                   '<tag v="Lane"/>') + OSM_TAIL,
            EFORMAT, r"\.osm:11:\d+: way 10: a <tag> without k="),
        "member-without-role.osm": (
            OSM_HEAD + OSM_NODES + OSM_WAY + '  <relation id="20">\n    <member type="way" '
            'ref="10"/>\n    <tag k="type" v="route"/>\n  </relation>\n' + OSM_TAIL,
            EFORMAT, r"\.osm:14:\d+: relation 20: a <member> without role="),
        "member-type-word.osm": (
            OSM_HEAD + OSM_NODES + OSM_WAY + '  <relation id="20">\n    <member type="street" '
            'ref="10" role=""/>\n  </relation>\n' + OSM_TAIL,
            EFORMAT, r"\.osm:14:\d+: relation 20: a <member> whose type"),
        "nd-without-ref.osm": (
            OSM_HEAD + OSM_NODES + OSM_WAY.replace('<nd ref="2"/>', '<nd rf="2"/>') + OSM_TAIL,
            EFORMAT, r"\.osm:8:\d+: way 10: an <nd> without a valid node ref"),
        "root-not-osm.osm": ('<?xml version="1.0"?>\n<html><body>not OSM</body></html>\n',
                             EFORMAT, r"\.osm:2:\d+: the root element is <html>"),
        "entity-bomb.osm": ('<?xml version="1.0"?>\n<!DOCTYPE osm [<!ENTITY a "aaaaaaaaaa">'
                            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
                            '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
                            '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
                            '<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
                            '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">'
                            '<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>\n'
                            '<osm version="0.6"><node id="1" lat="31.2" lon="121.4">'
                            '<tag k="name" v="&h;"/></node></osm>\n', EFORMAT,
                            r"entity-bomb\.osm:\d+:\d+: not well-formed XML: limit on input "
                            r"amplification"),
    }
    c = {}
    for name, (data, st, where) in cases.items():
        write(f, name, data)
        c[name] = case(st, where, name[:-4])
    c["duplicate-id.osm"]["where"] = r"node 2 appears twice with different coordinates"
    # Found by fuzz_osm_xml: a tagged relation without members made the importer offset a
    # NULL member array; it is valid and simply not placed.
    write(f, "regress-relation-without-members.osm",
          OSM_HEAD + OSM_NODES + OSM_WAY + '  <relation id="20">\n    <tag k="amenity" '
          'v="marketplace"/>\n    <tag k="type" v="multipolygon"/>\n  </relation>\n' + OSM_TAIL)
    c["regress-relation-without-members.osm"] = case(
        0, "", "valid; a POI relation without members is not placed (fuzzer finding)")
    # Found by inspection during the fuzz campaign (the pattern of the case above): a tagged
    # POI way without <nd> in a file where no way has nodes made the importer offset the
    # NULL node reference array. The way is not placed; the file has no walkable edge.
    write(f, "regress-poi-way-without-nodes.osm",
          OSM_HEAD + '  <node id="1" lat="31.2000" lon="121.4000"/>\n  <way id="10">\n'
          '    <tag k="amenity" v="marketplace"/>\n  </way>\n' + OSM_TAIL)
    c["regress-poi-way-without-nodes.osm"] = case(
        EEMPTY, r"regress-poi-way-without-nodes\.osm: no walkable edge",
        "a POI way without nodes, no walkable way (fuzz campaign finding)")
    g = {"lat-1mb.osm": dict(head=OSM_HEAD + '  <node id="1" lat="', repeat="3", times=MB,
                             tail='" lon="121.4"/>\n' + OSM_TAIL,
                             **case(EFORMAT, r"node 1", "a 1 MB latitude"))}
    expect(f, c, g, " Driven as `lifecircle import CASE -o OUT.h5`.")


def osm_pbf():
    f = "osm_pbf"
    good_osm = OSM_HEAD + OSM_NODES + OSM_WAY + OSM_TAIL
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "good.osm")
        dst = os.path.join(tmp, "good.pbf")
        with open(src, "w") as fh:
            fh.write(good_osm)
        subprocess.run(["osmium", "cat", "-o", dst, "-f", "pbf", src, "--overwrite"], check=True)
        with open(dst, "rb") as fh:
            pbf = fh.read()
    c = {}
    write(f, "empty.pbf", b"")
    write(f, "garbage.pbf", GARBAGE)
    write(f, "truncated.pbf", pbf[: len(pbf) // 2])
    write(f, "truncated-header.pbf", pbf[:10])
    flipped = bytearray(pbf)
    for k in range(len(flipped) // 3, len(flipped) // 3 + 16):
        flipped[k] ^= 0x5a
    write(f, "corrupted.pbf", bytes(flipped))
    huge = bytearray(pbf)
    huge[0:4] = b"\x7f\xff\xff\xff"  # BlobHeader length of 2 GiB.
    write(f, "huge-header.pbf", bytes(huge))
    write(f, "xml-as-pbf.pbf", good_osm)
    # Found by fuzz_osm_pbf: a valid file without any POI made qsort run on a NULL array
    # (undefined behaviour; fixed in import_poi.c). It must import.
    write(f, "regress-no-pois.pbf", pbf)
    c["regress-no-pois.pbf"] = case(0, "", "valid, no POI (fuzzer finding: qsort(NULL))")
    where = r"(blob \d+ at byte \d+|empty file)"
    for name, why in [("empty.pbf", "an empty file"), ("garbage.pbf", "binary bytes"),
                      ("truncated.pbf", "half a file"), ("truncated-header.pbf", "10 bytes"),
                      ("corrupted.pbf", "16 bytes flipped in a blob"),
                      ("huge-header.pbf", "a 2 GiB header length"),
                      ("xml-as-pbf.pbf", "XML named .pbf")]:
        c[name] = case(EFORMAT, where, why)
    expect(f, c, None, " Driven as `lifecircle import CASE -o OUT.h5`.")


def dimacs():
    f = "dimacs"
    good = "c tiny\np sp 3 2\na 1 2 7\na 2 3 5\n"
    cases = {
        "empty.gr": ("", r":\d+: no problem line"),
        "truncated.gr": ("c tiny\np sp 3 4\na 1 2 7\na 2 3", r":4: (malformed|.*arcs)"),
        "garbage.gr": (GARBAGE, r":1:"),
        "invalid-utf8.gr": (good.encode() + b"a 1 " + BAD_UTF8 + b" 3\n", r":5:"),
        "wrong-type.gr": (good.replace("a 2 3 5", "a 2 3 five"), r":4: malformed arc"),
        "weight-huge.gr": (good.replace("a 2 3 5", "a 2 3 99999999999999999999"), r":4:"),
        "weight-nan.gr": (good.replace("a 2 3 5", "a 2 3 nan"), r":4:"),
        "weight-inf.gr": (good.replace("a 2 3 5", "a 2 3 inf"), r":4:"),
        "weight-zero.gr": (good.replace("a 2 3 5", "a 2 3 0"), r":4: arc weight"),
        "node-range.gr": (good.replace("a 2 3 5", "a 2 4 5"), r":4: node id 4"),
        "duplicate-id.gr": (good.replace("p sp 3 2", "p sp 3 2\np sp 3 2"), r":3: a second problem"),
        "arcs-announced-huge.gr": ("p sp 3 9000000000000000000\na 1 2 7\n", r":\d+:"),
        "nodes-announced-huge.gr": ("p sp 900000000000000 1\na 1 2 7\n", r":1:"),
        "nodes-int32.gr": ("p sp 3000000000 1\na 1 2 7\n", r":1:"),
        "arc-before-p.gr": ("a 1 2 7\np sp 3 1\n", r":1: arc before"),
    }
    c = {}
    for name, (data, where) in cases.items():
        write(f, name, data)
        c[name] = case(EFORMAT, where, name[:-3])
    c["nodes-announced-huge.gr"]["exit"] = [EFORMAT, ETOOBIG]
    c["nodes-int32.gr"]["exit"] = [EFORMAT, ETOOBIG]
    # Found by fuzz_dimacs (out of memory under its 2 GiB limit): a 25-byte file announcing
    # 3 x 10^8 nodes made the reader allocate them before reading one arc. The reader's
    # estimate (64 bytes a node) is checked against the memory available, which the test
    # pins at 4 GiB (LIFECIRCLE_MEM_AVAILABLE), as the fuzz run pins it below its limit.
    write(f, "regress-nodes-3e8.gr", "p sp 300000000 1\na 1 2 7\n")
    c["regress-nodes-3e8.gr"] = case(
        ETOOBIG, r"regress-nodes-3e8\.gr needs about [\d.]+ GiB \(300000000 nodes announced "
        r"at line 1\), more than the 4\.0 GiB available", "3e8 nodes announced (fuzzer finding)")
    co_good = "p aux sp co 3\nv 1 121400000 31200000\nv 2 121401000 31200000\nv 3 121402000 31200000\n"
    co_cases = {
        "co-count.co": (co_good.replace("co 3", "co 4"), r":1:"),
        "co-missing.co": (co_good.replace("v 3 121402000 31200000\n", ""), r"node 3|:\d+:"),
        "co-duplicate.co": (co_good + "v 3 121402000 31200000\n", r":5:"),
        "co-range.co": (co_good.replace("v 2 121401000 31200000", "v 2 121401000 95000000"), r":3:"),
        "co-word.co": (co_good.replace("v 2 121401000", "v 2 east"), r":3:"),
    }
    for name, (data, where) in co_cases.items():
        write(f, name, data)
        c[name] = dict(case(EFORMAT, where, name[:-3]), gr="good.gr")
    write(f, "good.gr", good)
    g = {"weight-1mb.gr": dict(head="p sp 3 1\na 1 2 ", repeat="9", times=MB, tail="\n",
                               **case(EFORMAT, r":2:", "a 1 MB weight"))}
    expect(f, c, g, " Driven as `lifecircle import CASE -o OUT.h5` (.co cases with the .gr named).")


def main():
    params()
    groups()
    categories()
    profile()
    scenario()
    activities()
    layer_csv()
    residents()
    density()
    layer_geojson()
    polygons()
    osm_xml()
    osm_pbf()
    dimacs()


if __name__ == "__main__":
    sys.exit(main())
