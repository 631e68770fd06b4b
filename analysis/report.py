#!/usr/bin/python3
"""HTML report of a lifecircle results file: tables, maps and provenance.

Usage: /usr/bin/python3 analysis/report.py RESULTS.h5 -o DIR

Writes DIR/index.html and the PNG maps and charts it shows.  Sections:
coverage per subdistrict x category x group with pass/fail against the
targets; static against realised coverage; baseline against each scenario;
facility load over the day; maps of walking minutes; maps of scenario gains;
provenance.  Parts that the run did not compute are named as such.
"""

import argparse
import datetime
import html
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import lcresults as lc  # noqa: E402

#: Section headings, in page order (tests look for them).
SECTIONS = (
    ("coverage", "Coverage by subdistrict, category and group"),
    ("realised", "Static against realised coverage"),
    ("scenarios", "Baseline against scenarios"),
    ("load", "Facility load over the day"),
    ("maps", "Maps of walking minutes"),
    ("gains", "Maps of scenario gains"),
    ("provenance", "Provenance"),
)

NOT_COMPUTED = "not computed in this run"

CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC",
       "Microsoft YaHei", sans-serif; margin: 1.5em auto; max-width: 1300px;
       color: #222; line-height: 1.4; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #f0f0f0; }
td.l, th.l { text-align: left; }
td.pass { background: #d9f0d3; } td.fail { background: #f8d0d0; }
td.na { background: #eeeeee; color: #777; } td.gain { color: #1b5e20; }
td.loss { color: #b71c1c; }
p.missing { background: #fff5d6; border-left: 4px solid #e0a800; padding: 4px 8px; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.8em; color: #555; }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; font-size: 0.8em; }
footer { margin-top: 2em; font-size: 0.85em; color: #555; }
"""


# --------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------

def esc(value):
    """HTML-escape any value (None becomes an empty string)."""
    return "" if value is None else html.escape(str(value))


def fmt_share(x, decimals=1):
    """Share as a percentage, '–' for None/NaN."""
    if x is None or np.isnan(float(x)):
        return "–"
    return "%.*f%%" % (decimals, 100.0 * float(x))


def pass_cell(p, text=None):
    """A table cell coloured by a pass value (1 pass, 0 fail, -1 n/a)."""
    if p == 1:
        return '<td class="pass">%s</td>' % esc(text or "✓ pass")
    if p == 0:
        return '<td class="fail">%s</td>' % esc(text or "✗ fail")
    return '<td class="na">%s</td>' % esc(text or "n/a")


def table(header, rows, left=1):
    """An HTML table; ``rows`` are lists of ready-made cell HTML or values.

    A cell that already starts with ``<td`` is used as is; other values are
    escaped.  The first ``left`` columns are left-aligned.
    """
    out = ["<table><tr>"]
    out += ['<th class="l">%s</th>' % esc(h) if i < left else "<th>%s</th>" % esc(h)
            for i, h in enumerate(header)]
    out.append("</tr>")
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            if isinstance(cell, str) and cell.startswith("<td"):
                out.append(cell)
            else:
                out.append('<td class="l">%s</td>' % esc(cell) if i < left
                           else "<td>%s</td>" % esc(cell))
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def missing(text):
    """A highlighted paragraph saying what the file does not hold."""
    return '<p class="missing">%s</p>' % esc(text)


def figure(png, caption):
    """An <figure> with the image and a caption that ends with the attribution."""
    return ('<figure><img src="%s" alt="%s"><figcaption>%s<br>%s</figcaption></figure>'
            % (esc(png), esc(caption), esc(caption), esc(lc.OSM_ATTRIBUTION)))


def cat_label(cat):
    """Category label in Chinese and English."""
    return '<span lang="zh-Hans">%s</span> %s' % (esc(cat.name_zh), esc(cat.name_en))


def cat_cell(cat):
    """A left-aligned table cell with the category's labels."""
    return '<td class="l">%s</td>' % cat_label(cat)


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------

def section_coverage(res):
    """Coverage tables of the baseline (and pass matrices of every scenario)."""
    out = []
    n_g = len(res.groups)
    for name in res.scenario_names:
        scen = res.scenario(name)
        cov = scen.coverage
        out.append("<h3>Pass/fail against targets — %s</h3>" % esc(name))
        out.append("<p>Each cell: share of residents of the groups the category "
                   "serves within its threshold (served share), against the "
                   "category's target share.</p>")
        header = ["subdistrict 街道"] + ["%s %s (%d min, target %s)"
                                          % (c.name_zh, c.name_en, c.threshold_min,
                                             fmt_share(c.target_share))
                                          for c in res.categories]
        rows = []
        for r, rname in enumerate(res.row_names):
            row = [rname]
            for c in res.categories:
                p = int(cov["pass"][r, c.row]) if "pass" in cov else -1
                ss = cov["served_share"][r, c.row] if "served_share" in cov else None
                mark = {1: "✓", 0: "✗"}.get(p, "")
                # Two decimals so that a share just below its target does not
                # print as the target itself.
                row.append(pass_cell(p, "%s %s" % (mark, fmt_share(ss, 2))))
            rows.append(row)
        out.append(table(header, rows))
        if name != "baseline":
            continue
        comp = lc.complete_table(res, scen)
        if comp.rows:
            out.append("<h3>Complete life circle (every essential category) — %s</h3>"
                       % esc(name))
            ess = [c for c in res.categories if c.essential]
            out.append("<p>Essential categories: %s.</p>"
                       % ", ".join(cat_label(c) for c in ess))
            rows = []
            for r, rname in enumerate(res.row_names):
                row = [rname]
                for g in res.groups:
                    row.append("%s (%d / %d)" % (
                        fmt_share(cov["complete_share"][r, g.row]),
                        cov["complete"][r, g.row], cov["residents"][r, g.row]))
                rows.append(row)
            out.append(table(["subdistrict 街道"] + [lc.group_label(g.id)
                                                      for g in res.groups], rows))
        out.append("<h3>Coverage per subdistrict, category and group — %s</h3>"
                   % esc(name))
        for r, rname in enumerate(res.row_names):
            out.append("<details%s><summary>%s</summary>"
                       % (" open" if rname == "all" else "", esc(rname)))
            header = (["category 类别", "threshold", "target"] +
                      ["%s: share (covered / residents), median, p90 min"
                       % lc.group_label(g.id) for g in res.groups] +
                      ["served share", "pass"])
            rows = []
            for c in res.categories:
                row = [cat_cell(c), "%d min" % c.threshold_min, fmt_share(c.target_share)]
                for g in res.groups:
                    k = lc.col(c.row, g.row, n_g)
                    med = cov["median_min"][r, k] if "median_min" in cov else np.nan
                    p90 = cov["p90_min"][r, k] if "p90_min" in cov else np.nan
                    row.append("%s (%d / %d), %s, %s" % (
                        fmt_share(cov["share"][r, k]), cov["covered"][r, k],
                        cov["residents"][r, g.row],
                        "–" if np.isnan(med) else "%.1f" % med,
                        "–" if np.isnan(p90) else "%.1f" % p90))
                row.append(fmt_share(cov["served_share"][r, c.row])
                           if "served_share" in cov else "–")
                row.append(pass_cell(int(cov["pass"][r, c.row]) if "pass" in cov else -1))
                rows.append(row)
            out.append(table(header, rows))
            out.append("</details>")
    return "\n".join(out)


def section_realised(res, outdir):
    """Static against realised coverage for every scenario that has it."""
    from lcplot import realised_chart
    out = []
    for name in res.scenario_names:
        scen = res.scenario(name)
        if scen.realised is None:
            out.append(missing("%s: realised coverage (RealisedCoverage, agent "
                               "simulation) was %s." % (name, NOT_COMPUTED)))
            continue
        png = "realised_%s.png" % lc.safe_name(name)
        realised_chart(res, scen, os.path.join(outdir, png))
        out.append("<h3>%s</h3>" % esc(name))
        out.append(figure(png, "Static against realised coverage share, %s" % name))
        t = lc.realised_table(res, scen)
        rows = []
        for row in t.rows:
            if row[1] != "all":
                continue
            cat = res.categories[[c.id for c in res.categories].index(row[2])]
            diff = row[11]
            cls = "loss" if diff is not None and diff < -0.005 else ""
            rows.append([cat_cell(cat), row[5], row[6], fmt_share(row[8]),
                         fmt_share(row[10]),
                         '<td class="%s">%s</td>' % (cls, "–" if diff is None
                                                     else "%+.1f pp" % (100 * diff))])
        out.append("<p>Whole area (all subdistricts); the CSV export has every row.</p>")
        out.append(table(["category 类别", "group", "residents", "static share",
                          "realised share", "difference"], rows, left=2))
    return "\n".join(out)


def section_scenarios(res):
    """Gains and losses of each scenario against the baseline."""
    others = res.other_scenarios
    if not others:
        return missing("This file holds only the baseline: scenarios were %s, so "
                       "there is no comparison." % NOT_COMPUTED)
    out = []
    n_g = len(res.groups)
    base = res.scenario("baseline")
    for name in others:
        scen = res.scenario(name)
        cmp_ = res.comparison(name)
        out.append("<h3>%s</h3>" % esc(name))
        src = ("read from /Comparisons/%s" % name if cmp_["source"] == "file" else
               "computed here from the scenario datasets (/Comparisons/%s is "
               "absent)" % name)
        out.append("<p>Gains and losses %s. Residents are counted as covered when "
                   "their node's nearest facility is within the category threshold "
                   "at their group's speed.</p>" % esc(src))
        added, removed = lc.facility_changes(base, scen)
        rows = []
        for c in res.categories:
            a = sum(1 for i in added if scen.facilities["category"][i] == c.row)
            d = sum(1 for i in removed if base.facilities["category"][i] == c.row)
            if a or d:
                rows.append([cat_cell(c), a, d])
        if rows:
            out.append(table(["category 类别", "facilities added", "removed"], rows))
        else:
            out.append("<p>No facility added or removed.</p>")
        r_all = len(res.row_names) - 1
        rows = []
        for c in res.categories:
            row = [cat_cell(c)]
            for g in res.groups:
                k = lc.col(c.row, g.row, n_g)
                new = int(cmp_["newly_covered"][r_all, k])
                lost = int(cmp_["no_longer_covered"][r_all, k])
                cls = "gain" if new - lost > 0 else ("loss" if new - lost < 0 else "")
                row.append('<td class="%s">+%d / −%d</td>' % (cls, new, lost))
            row.append(pass_cell(int(cmp_["pass_before"][r_all, c.row])))
            row.append(pass_cell(int(cmp_["pass_after"][r_all, c.row])))
            rows.append(row)
        out.append("<p>Whole area: residents newly covered / no longer covered.</p>")
        out.append(table(["category 类别"] + [lc.group_label(g.id) for g in res.groups]
                         + ["pass before", "pass after"], rows))
        changes = []
        for r, rname in enumerate(res.row_names):
            for c in res.categories:
                pb = int(cmp_["pass_before"][r, c.row])
                pa = int(cmp_["pass_after"][r, c.row])
                if pb != pa:
                    changes.append([rname, cat_cell(c), pass_cell(pb), pass_cell(pa)])
        if changes:
            out.append("<p>Pass/fail changes per subdistrict:</p>")
            out.append(table(["subdistrict 街道", "category 类别", "before", "after"],
                             changes, left=2))
        else:
            out.append("<p>No subdistrict changes pass/fail for any category.</p>")
        rows = []
        for r, rname in enumerate(res.row_names[:-1]):
            for c in res.categories:
                cells = []
                nz = False
                for g in res.groups:
                    k = lc.col(c.row, g.row, n_g)
                    new = int(cmp_["newly_covered"][r, k])
                    lost = int(cmp_["no_longer_covered"][r, k])
                    nz |= bool(new or lost)
                    cells.append("+%d / −%d" % (new, lost))
                if nz:
                    rows.append([rname, cat_cell(c)] + cells)
        out.append("<details><summary>Per subdistrict (rows with a change)</summary>")
        out.append(table(["subdistrict 街道", "category 类别"] +
                         [lc.group_label(g.id) for g in res.groups], rows, left=2)
                   if rows else "<p>No change in any subdistrict.</p>")
        out.append("</details>")
    return "\n".join(out)


def section_load(res, outdir):
    """Facility load over the day and trip outcomes, per scenario."""
    from lcplot import load_chart
    out = []
    for name in res.scenario_names:
        scen = res.scenario(name)
        out.append("<h3>%s</h3>" % esc(name))
        if scen.load is None:
            out.append(missing("%s: facility load (FacilityLoad) was %s."
                               % (name, NOT_COMPUTED)))
        else:
            png = "load_%s.png" % lc.safe_name(name)
            load_chart(res, scen, os.path.join(outdir, png))
            out.append(figure(png, "Arrivals and largest queue per time bin, %s" % name))
            t = lc.facility_load_table(res, scen)
            idx = {c: i for i, c in enumerate(t.columns)}
            per_cat = {}
            for row in t.rows:
                agg = per_cat.setdefault(row[idx["category"]], [0, 0, 0, 0, 0])
                agg[0] += 1
                agg[1] += row[idx["arrivals"]] or 0
                agg[2] += row[idx["served"]] or 0
                agg[3] += row[idx["refused"]] or 0
                agg[4] = max(agg[4], row[idx["peak_queue"]] or 0)
            rows = [[cat_cell(c)] + per_cat[c.id] for c in res.categories
                    if c.id in per_cat]
            out.append(table(["category 类别", "facilities", "arrivals", "served",
                              "refused", "largest queue"], rows))
            top = sorted(t.rows, key=lambda r: (-(r[idx["peak_queue"]] or 0),
                                                -(r[idx["refused"]] or 0)))[:15]
            out.append("<p>Facilities with the longest queues:</p>")
            out.append(table(["facility", "category", "name", "capacity", "arrivals",
                              "refused", "peak queue", "at"],
                             [[r[1], "%s" % r[3], r[4], r[5], r[6], r[8], r[9], r[10]]
                              for r in top], left=3))
        tt = lc.trips_table(res, scen)
        if tt is None:
            out.append(missing("%s: trips of the agent simulation (Trips) were %s."
                               % (name, NOT_COMPUTED)))
        else:
            out.append("<p>Trip outcomes of the simulated day:</p>")
            header = [c.replace("_", " ").replace("name zh", "名称")
                      for c in tt.columns[1:]]
            out.append(table(header, [r[1:] for r in tt.rows], left=3))
    return "\n".join(out)


def section_maps(res, outdir, groups, segs):
    """One walking-minutes map per category (baseline, each group panel)."""
    from lcplot import minutes_map
    base = res.scenario("baseline")
    out = ["<p>Street segments are coloured by the walking time to the nearest "
           "facility at the speed of %s (baseline); grey segments have no "
           "facility within the category's catchment radius. Dashed lines are "
           "the subdistrict outlines.</p>"
           % esc(", ".join("%s %.2f m/s" % (lc.group_label(g.id), g.speed_m_s)
                           for g in groups))]
    for cat in res.categories:
        png = "minutes_%s.png" % lc.safe_name(cat.id)
        minutes_map(res, base, cat, groups, segs, os.path.join(outdir, png))
        out.append("<h3>%s</h3>" % cat_label(cat))
        out.append(figure(png, "Walking minutes to %s %s (baseline)"
                          % (cat.name_zh, cat.name_en)))
    return "\n".join(out)


def section_gains(res, outdir, groups, segs):
    """Gain maps of every scenario for the categories it changes."""
    from lcplot import gains_map
    others = res.other_scenarios
    if not others:
        return missing("No scenario besides the baseline: scenario gains were %s."
                       % NOT_COMPUTED)
    base = res.scenario("baseline")
    out = []
    for name in others:
        scen = res.scenario(name)
        out.append("<h3>%s</h3>" % esc(name))
        changed = [c for c in res.categories
                   if not np.array_equal(base.nearest_cm[:, c.row],
                                         scen.nearest_cm[:, c.row])]
        if not changed:
            out.append("<p>The scenario changes no walking distance.</p>")
        for cat in changed:
            png = "gains_%s_%s.png" % (lc.safe_name(name), lc.safe_name(cat.id))
            gains_map(res, base, scen, cat, groups, segs, os.path.join(outdir, png))
            out.append(figure(png, "Change in walking minutes to %s %s, %s vs baseline"
                              % (cat.name_zh, cat.name_en, name)))
    return "\n".join(out)


def section_provenance(res):
    """Header, code, parameters and the list of scenarios."""
    out = ["<p>Results file: <code>%s</code>. Report made %s by analysis/report.py.</p>"
           % (esc(os.path.abspath(res.path)),
              esc(datetime.datetime.now(datetime.timezone.utc)
                  .strftime("%Y-%m-%dT%H:%M:%SZ")))]
    out.append("<h3>/Header</h3>")
    out.append(table(["attribute", "value"], [[k, v] for k, v in res.header.items()]))
    out.append("<h3>/Code</h3>")
    out.append(table(["attribute", "value"], [[k, v] for k, v in res.code.items()])
               if res.code else missing("/Code is absent."))
    out.append("<h3>Run</h3>")
    rows = [["nodes", res.n_nodes], ["edges", len(res.edges["u"])],
            ["subdistricts", ", ".join(res.subdistricts)],
            ["groups", ", ".join("%s (%.2f m/s)" % (g.id, g.speed_m_s)
                                 for g in res.groups)],
            ["categories", len(res.categories)],
            ["complete scenarios", ", ".join(res.scenario_names)]]
    if res.incomplete_scenarios:
        rows.append(["incomplete scenarios (skipped)",
                     ", ".join(res.incomplete_scenarios)])
    out.append(table(["item", "value"], rows))
    for title, txt in (("Parameters used (/Parameters/used)", res.params_used),
                       ("Parameters as given (/Parameters/given)", res.params_given)):
        if txt is None:
            out.append(missing("%s: absent from the file." % title))
        else:
            out.append("<details><summary>%s</summary><pre>%s</pre></details>"
                       % (esc(title), esc(txt)))
    return "\n".join(out)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def build_report(res, outdir, group_ids=("adult", "elderly")):
    """Write DIR/index.html and its PNGs for the open results ``res``.

    Returns the path of index.html.  Raises lcplot.FontError when no CJK font
    is installed.
    """
    import lcplot
    lcplot.setup_cjk_font()
    os.makedirs(outdir, exist_ok=True)
    groups = lcplot.pick_groups(res, group_ids)
    segs = lc.edge_segments(res)
    bodies = {
        "coverage": section_coverage(res),
        "realised": section_realised(res, outdir),
        "scenarios": section_scenarios(res),
        "load": section_load(res, outdir),
        "maps": section_maps(res, outdir, groups, segs),
        "gains": section_gains(res, outdir, groups, segs),
        "provenance": section_provenance(res),
    }
    title = "lifecircle report — %s" % res.header.get("run_name", os.path.basename(res.path))
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             "<title>%s</title><style>%s</style></head><body>" % (esc(title), CSS),
             "<h1>%s</h1>" % esc(title),
             "<p>15-minute community life circle (15分钟社区生活圈) walking "
             "accessibility. Subdistricts: %s. %s</p>"
             % (esc("、".join(res.subdistricts)), esc(lc.OSM_ATTRIBUTION)),
             "<nav><ul>"]
    parts += ['<li><a href="#%s">%s</a></li>' % (k, esc(h)) for k, h in SECTIONS]
    parts.append("</ul></nav>")
    for key, heading in SECTIONS:
        parts.append('<section id="%s"><h2>%s</h2>\n%s</section>'
                     % (key, esc(heading), bodies[key]))
    parts.append("<footer>%s. Attribution: %s</footer></body></html>"
                 % (esc(res.header.get("attribution", lc.OSM_ATTRIBUTION)),
                    esc(lc.OSM_ATTRIBUTION)))
    path = os.path.join(outdir, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
    return path


def parse_args(argv):
    """Command-line arguments."""
    p = argparse.ArgumentParser(
        prog="report.py",
        description="HTML report (index.html + PNG maps and charts) of a "
                    "lifecircle results file.",
        epilog="Exit status: 0 done; 1 cannot write DIR; 2 usage error or not a "
               "results file; 3 no CJK font (install fonts-noto-cjk). Run with /usr/bin/python3.")
    p.add_argument("results", help="results file (HDF5) written by 'lifecircle run'")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="output folder (created if needed)")
    p.add_argument("--groups", default="adult,elderly",
                   help="comma-separated group ids shown on the maps "
                        "(default: adult,elderly)")
    return p.parse_args(argv)


def main(argv=None):
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    import lcplot
    try:
        with lc.Results(args.results) as res:
            path = build_report(res, args.output, tuple(args.groups.split(",")))
    except lc.ResultsError as exc:
        print("report: %s" % exc, file=sys.stderr)
        return 2
    except lcplot.FontError as exc:
        print("report: %s" % exc, file=sys.stderr)
        return 3
    except OSError as exc:
        print("report: cannot write the report: %s" % exc, file=sys.stderr)
        return 1
    print("report: wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
