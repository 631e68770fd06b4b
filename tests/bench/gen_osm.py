#!/usr/bin/python3
"""Writes a synthetic OSM XML city for the import benchmark (tests/bench/bench_import.sh).

The city is a grid of street blocks near Shanghai: junctions every ~110 m, each street
segment drawn with `--shape` intermediate shape nodes (as real OSM ways bend), each way
running over `--span` segments so that junctions also lie inside ways, as in real data
(about 13 nodes per way by default). Street classes cycle like a real district: primary and
secondary roads with sidewalks, residential streets, gated-compound service lanes
(access=private), footways, steps; every 16th row is an expressway tagged foot=no (it shares
the junction nodes, for simplicity). About 1 node in 200 is a point of interest with the
tags that inputs/categories.yml recognises (schools, shops, bus stops...), and as many carry
a crossing tag, so the reader sees tag-bearing nodes as in real extracts.

Usage: gen_osm.py --nodes N -o FILE.osm [--shape K] [--span S]
Writes at least N nodes (the grid is sized up to reach N) and prints the counts.
"""
import argparse
import math
import sys

ROAD_CYCLE = [
    ("primary", [("sidewalk", "both"), ("lanes", "6"), ("maxspeed", "60")]),
    ("residential", [("sidewalk", "both")]),
    ("service", [("access", "private"), ("service", "alley")]),
    ("footway", [("surface", "paving_stones")]),
    ("residential", []),
    ("secondary", [("sidewalk", "both"), ("lanes", "4")]),
    ("service", [("access", "private")]),
    ("tertiary", [("sidewalk", "both")]),
    ("living_street", []),
    ("steps", [("step_count", "24")]),
]
POIS = [
    [("amenity", "school"), ("name", "第{i}小学")],
    [("amenity", "kindergarten"), ("name", "第{i}幼儿园")],
    [("shop", "convenience"), ("name", "便利店{i}"), ("opening_hours", "24/7")],
    [("shop", "supermarket"), ("name", "超市{i}")],
    [("highway", "bus_stop"), ("public_transport", "platform"), ("bus", "yes"),
     ("name", "公交{i}站")],
    [("amenity", "marketplace"), ("name", "菜场{i}")],
    [("amenity", "clinic"), ("name", "社区卫生服务站{i}")],
    [("leisure", "garden"), ("name", "口袋公园{i}")],
]
STREET_NAMES = ["新华路", "番禺路", "定西路", "延安西路", "法华镇路", "淮海西路", "香花桥路", "安顺路"]


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--shape", type=int, default=3, help="shape nodes per street segment")
    ap.add_argument("--span", type=int, default=3, help="street segments per way")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    k = a.shape
    # Nodes: J*J junctions + 2*J*(J-1)*k shape nodes.
    j = 2
    while j * j + 2 * j * (j - 1) * k < a.nodes:
        j += 1
    lat0, lon0 = 31.10, 121.30
    step = 0.001  # degrees between junctions, about 110 m (lat) and 95 m (lon)
    out = open(a.output, "w", encoding="utf-8", buffering=1 << 22)
    w = out.write
    w("<?xml version='1.0' encoding='UTF-8'?>\n")
    w('<osm version="0.6" generator="lifecircle tests/bench/gen_osm.py">\n')
    w(f'  <bounds minlat="{lat0:.7f}" minlon="{lon0:.7f}" '
      f'maxlat="{lat0 + step * (j - 1):.7f}" maxlon="{lon0 + step * (j - 1):.7f}"/>\n')
    nid = 0
    n_tagged = 0

    def node(lat, lon):
        nonlocal nid, n_tagged
        nid += 1
        if nid % 200 == 0:
            tags = POIS[(nid // 200) % len(POIS)]
        elif nid % 200 == 100:
            tags = [("highway", "crossing"), ("crossing", "traffic_signals")]
        else:
            tags = None
        if tags:
            n_tagged += 1
            w(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">\n')
            for key, val in tags:
                w(f'    <tag k="{key}" v="{esc(val.format(i=nid))}"/>\n')
            w("  </node>\n")
        else:
            w(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        return nid

    # Junctions, row by row.
    junction = [[0] * j for _ in range(j)]
    for r in range(j):
        for c in range(j):
            junction[r][c] = node(lat0 + r * step, lon0 + c * step)
    # Shape nodes of every horizontal then vertical segment; a slight wiggle keeps them off
    # the straight line so that a geometry simplifier would not drop them.
    hseg = [[None] * (j - 1) for _ in range(j)]
    vseg = [[None] * j for _ in range(j - 1)]
    for r in range(j):
        for c in range(j - 1):
            hseg[r][c] = [node(lat0 + r * step + 0.00002 * ((i % 2) * 2 - 1),
                               lon0 + (c + (i + 1) / (k + 1)) * step) for i in range(k)]
    for r in range(j - 1):
        for c in range(j):
            vseg[r][c] = [node(lat0 + (r + (i + 1) / (k + 1)) * step,
                               lon0 + c * step + 0.00002 * ((i % 2) * 2 - 1)) for i in range(k)]
    n_nodes = nid

    wid = 0

    def way(refs, tags):
        nonlocal wid
        wid += 1
        w(f'  <way id="{wid}" version="1">\n')
        for ref in refs:
            w(f'    <nd ref="{ref}"/>\n')
        for key, val in tags:
            w(f'    <tag k="{key}" v="{esc(val)}"/>\n')
        w("  </way>\n")

    def street_tags(line, horizontal):
        if horizontal and line % 16 == 15:
            return [("highway", "motorway"), ("foot", "no"), ("layer", "1"), ("bridge", "yes"),
                    ("name", "延安高架路")]
        hw, extra = ROAD_CYCLE[(line * 3 + (0 if horizontal else 1)) % len(ROAD_CYCLE)]
        tags = [("highway", hw)] + extra
        if hw not in ("footway", "steps", "service"):
            tags.append(("name", STREET_NAMES[line % len(STREET_NAMES)]))
        return tags

    span = a.span
    for r in range(j):
        tags = street_tags(r, True)
        for c0 in range(0, j - 1, span):
            refs = [junction[r][c0]]
            for c in range(c0, min(c0 + span, j - 1)):
                refs += hseg[r][c] + [junction[r][c + 1]]
            way(refs, tags)
    for c in range(j):
        tags = street_tags(c, False)
        for r0 in range(0, j - 1, span):
            refs = [junction[r0][c]]
            for r in range(r0, min(r0 + span, j - 1)):
                refs += vseg[r][c] + [junction[r + 1][c]]
            way(refs, tags)
    w("</osm>\n")
    out.close()
    print(f"{a.output}: {n_nodes} nodes ({n_tagged} tagged), {wid} ways, "
          f"{j}x{j} junctions, {k} shape nodes per segment", file=sys.stderr)


if __name__ == "__main__":
    main()
