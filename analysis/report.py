#!/usr/bin/python3
"""HTML (and PDF) report of a lifecircle results file for district planners.

Usage: /usr/bin/python3 analysis/report.py RESULTS.h5 -o DIR [--pdf]

Writes DIR/index.html and the PNG maps and charts it shows; with --pdf also
DIR/report.pdf (A4, page numbers), printed by headless Chromium. The page is
rendered from the Jinja2 templates in analysis/templates/; this script only
gathers the numbers (through lcresults and lcindicators) into the template's
context. Sections: a one-page bilingual summary (complete life circle, largest
gaps, scenarios ranked, data and assumptions), coverage, static against
realised, scenarios, gap maps, walking-minute maps, scenario-gain maps, facility
load, data and assumptions in full, provenance. Parts the run did not compute
are named as such.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import lcindicators as li  # noqa: E402
import lcinputs  # noqa: E402
import lcresults as lc  # noqa: E402

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

#: Section ids and headings, in page order after the summary (tests look for them).
SECTIONS = (
    ("coverage", "覆盖 Coverage by category and subdistrict"),
    ("realised", "实际 Static against realised coverage"),
    ("scenarios", "情景 Baseline against scenarios"),
    ("gaps", "缺口 Gap maps"),
    ("maps", "步行时间 Maps of walking minutes"),
    ("gains", "情景增益 Maps of scenario gains"),
    ("load", "负荷 Facility load over the day"),
    ("data", "数据与假设 Data and assumptions"),
    ("provenance", "来源 Provenance"),
)

NOT_COMPUTED = "not computed in this run"
#: Ranked gap cells on the summary page.
N_GAPS = 10


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------

def fmt_share(x, target=None):
    """A share as a percentage with one decimal, '–' for NaN. Below its
    ``target``, as many decimals (up to 4) as it takes not to print the target."""
    if x is None or not np.isfinite(float(x)):
        return "–"
    x = float(x)
    d = 1
    if target is not None and x < target:
        while d < 4 and round(100 * x, d) >= round(100 * target, d):
            d += 1
    return "%.*f%%" % (d, 100.0 * x)


def fmt_int(n):
    """Thousands separated integer."""
    return "{:,}".format(int(n))


def fmt_signed(n):
    """+1,234 / −56 / 0."""
    n = int(n)
    if n > 0:
        return "+{:,}".format(n)
    if n < 0:
        return "−{:,}".format(-n)
    return "0"


def fmt_min(x):
    """Minutes with one decimal, 'beyond radius' for NaN."""
    return "beyond radius" if x is None or not np.isfinite(x) else "%.1f min" % x


class CatView:
    """A category as the templates show it (labels and colour)."""

    def __init__(self, cat):
        import lcplot
        self.cat = cat
        self.name_zh = cat.name_zh
        self.name_en = cat.name_en
        self.colour = lcplot.category_colour(cat)

    def __str__(self):
        return "%s %s" % (self.name_zh, self.name_en)


def facility_label(res, scen, i):
    """A facility's name, else its category and OSM or layer id."""
    f = scen.facilities
    name = f["name"][i] if "name" in f else ""
    if name:
        return name
    cat = res.categories[int(f["category"][i])]
    sid = f["source_id"][i] if "source_id" in f else ""
    src = int(f["source"][i]) if "source" in f else -1
    where = ("OSM %s" % sid) if src < 0 else ("layer %d %s" % (src, sid))
    return "%s (unnamed, %s)" % (cat.name_zh, where if sid else "row %d" % i)


# --------------------------------------------------------------------------
# Context of the template
# --------------------------------------------------------------------------

class Report:
    """Gathers the context of the report template from an open results file."""

    def __init__(self, res, outdir, open_all=False):
        self.res = res
        self.outdir = outdir
        self.open_all = open_all
        self.cats = [CatView(c) for c in res.categories]
        self.base = res.scenario("baseline")
        self.ind = li.scenario_indicators(res, self.base)
        self.serves = li.serves(res)
        self.nodata = [c for c in res.categories if self.ind.data_status[c.row] == li.DATA_NONE]
        self.thin = [c for c in res.categories if self.ind.data_status[c.row] == li.DATA_THIN]
        n_s = len(res.subdistricts)
        # Subdistrict rows shown; the "all" row only when there are several.
        self.rows = list(range(n_s)) + ([n_s] if n_s > 1 else [])
        self.row_names = [res.row_names[r] if r < n_s else "all 全部" for r in self.rows]
        self.canvas = None
        self.figsize = {}

    # -- helpers ------------------------------------------------------------
    def groups_of(self, cat):
        return ", ".join(g.id for g in li.served_groups(self.res, cat))

    def figure(self, png, caption):
        """A figure entry (image size read once from the PNG header)."""
        path = os.path.join(self.outdir, png)
        with open(path, "rb") as fh:
            head = fh.read(24)
        w = int.from_bytes(head[16:20], "big")
        h = int.from_bytes(head[20:24], "big")
        return {"png": png, "caption": caption, "width": w, "height": h}

    def map_canvas(self):
        if self.canvas is None:
            import lcplot
            self.canvas = lcplot.MapCanvas(self.res, lc.edge_segments(self.res))
        return self.canvas

    # -- summary ------------------------------------------------------------
    def complete_rows(self):
        ind = self.ind
        out = []
        for r, name in zip(self.rows, self.row_names):
            cells = []
            for g in self.res.groups:
                cells.append("%s (%s / %s)" % (fmt_share(ind.complete_share[r, g.row]),
                                               fmt_int(ind.complete[r, g.row]),
                                               fmt_int(self.base.coverage["residents"][r, g.row])))
            out.append({"name": name, "cells": cells})
        return out

    def gaps(self):
        """The category x subdistrict x group cells with most served residents
        beyond the threshold (baseline; categories with data)."""
        res, ind, cov = self.res, self.ind, self.base.coverage
        n_g = len(res.groups)
        cells = []
        rows = range(len(res.subdistricts)) if res.subdistricts else [len(res.row_names) - 1]
        for c in res.categories:
            if ind.data_status[c.row] == li.DATA_NONE:
                continue
            for g in res.groups:
                if not self.serves[c.row, g.row]:
                    continue
                k = lc.col(c.row, g.row, n_g)
                for r in rows:
                    beyond = int(cov["residents"][r, g.row]) - int(cov["covered"][r, k])
                    if beyond > 0:
                        cells.append((beyond, c, r, g, ind.median_min[r, k]))
        cells.sort(key=lambda t: (-t[0], t[1].row, t[2], t[3].row))
        return [{"cat": self.cats[c.row], "row": res.row_names[r],
                 "group": lc.group_label(g.id), "beyond": fmt_int(b), "beyond_n": b,
                 "median": fmt_min(med)}
                for b, c, r, g, med in cells[:N_GAPS]]

    def scenario_rank(self):
        res = self.res
        out = []
        r_all = len(res.row_names) - 1
        for name in res.other_scenarios:
            cs = li.comparison_served(res, name)
            net = cs["newly"][r_all] - cs["lost"][r_all]
            rnet = None
            if cs["realised_newly"] is not None:
                rnet = cs["realised_newly"][r_all] - cs["realised_lost"][r_all]
            order = np.argsort(-np.abs(net), kind="stable")
            detail = ["%s %s" % (res.categories[c].name_zh, fmt_signed(net[c]))
                      for c in order if net[c] != 0][:4]
            realised = "–" if rnet is None else fmt_signed(rnet.sum())
            if cs["realised_low"] is not None and cs["realised_high"] is not None:
                realised += " [%s, %s]" % (fmt_signed(cs["realised_low"][r_all].sum()),
                                           fmt_signed(cs["realised_high"][r_all].sum()))
            total = int(net.sum())
            out.append({"name": name, "static": fmt_signed(total), "total": total,
                        "cls": "gain" if total > 0 else ("loss" if total < 0 else ""),
                        "realised": realised, "detail": ", ".join(detail) or "no change"})
        out.sort(key=lambda s: -s["total"])
        return out

    def data_box(self):
        marks = lcinputs.marks(self.res)
        by_file = {}
        for k in marks:
            by_file.setdefault(k.file, []).append(k)
        files = []
        for f, ks in by_file.items():
            keys = []
            for k in ks:
                short = k.key.split(".")[-1] if k.key.count(".") > 1 else k.key
                short = k.key if short in ("source", "share_source", "speed_source") \
                    else short
                short = short.replace("categories[", "").replace("activities.", "") \
                    .replace("].source", "]").replace("]", "").replace("[", ":")
                if short not in keys:
                    keys.append(short)
            files.append({"file": os.path.basename(f) if not f.startswith("parameters")
                          else f, "n": len(ks),
                          "marks": "/".join(sorted({x for k in ks for x in k.mark.split("/")})),
                          "keylist": ", ".join("%s (l.%d)" % (k.key, k.line) for k in ks)
                          if len(ks) <= 3 else "; ".join(keys)})
        max_snap, excl = lcinputs.excluded_facilities(self.res)
        return marks, files, max_snap, excl

    # -- the whole context --------------------------------------------------
    def context(self):
        res, ind = self.res, self.ind
        import lcplot
        marks, mark_files, max_snap, excl = self.data_box()
        ess_data = [c for c in res.categories if ind.complete_categories[c.row]]
        ess_none = [c for c in res.categories if c.essential and not ind.complete_categories[c.row]]
        rank = self.scenario_rank()
        has_gain_band = any("[" in s["realised"] for s in rank)
        osm = lcinputs.osm_sources(res)
        osm_summary = "; ".join("%s: %s" % (os.path.basename(p), d or "date not recorded in "
                                            "the file (%s)" % how) for p, d, how in osm) \
            or "no OSM file named by /Parameters/used."
        layer_ex = [e for e in excl if e["source"] >= 0]
        osm_ex = [e for e in excl if e["source"] < 0]
        excluded_summary = "%s facilities beyond %s from the network were excluded" % (
            fmt_int(len(excl)), "%s m" % max_snap if max_snap is not None else
            "the snapping distance")
        if excl:
            excluded_summary += ": %d of the layers (%s) and %s OSM POIs outside the " \
                "network's area." % (len(layer_ex), ", ".join(
                    "%s %.0f m" % (e["name"], e["dist_m"]) for e in layer_ex[:4]) +
                    (", …" if len(layer_ex) > 4 else ""), fmt_int(len(osm_ex)))
        else:
            excluded_summary += "."
        band_note = ("Agents' band: not computed in this run (no sensitivity design); the "
                     "complete life circle is a static measure."
                     if self.base.realised is None or
                     "share_low" not in self.base.realised else
                     "Agents' band of the realised served shares: see “Static against "
                     "realised”.")
        ctx = {
            "title": "lifecircle report — %s" % res.header.get("run_name", ""),
            "css": open(os.path.join(TEMPLATES, "report.css"), encoding="utf-8").read(),
            "run_name": res.header.get("run_name", os.path.basename(res.path)),
            "subdistricts_zh": "、".join(res.subdistricts),
            "results_name": os.path.basename(res.path),
            "results_path": os.path.abspath(res.path),
            "created": res.header.get("created", ""),
            "scenario_list": ", ".join(res.scenario_names),
            "attribution": lc.OSM_ATTRIBUTION,
            "header_attribution": res.header.get("attribution", lc.OSM_ATTRIBUTION),
            "groups": [{"label": lc.group_label(g.id)} for g in res.groups],
            "complete_rows": self.complete_rows(),
            "complete_over": [str(self.cats[c.row]) for c in ess_data],
            "complete_missing": [str(self.cats[c.row]) for c in ess_none],
            "band_note": band_note,
            "gaps": self.gaps(),
            "scenario_rank": rank, "has_gain_band": has_gain_band,
            "marks_by_file": mark_files, "marks": marks,
            "unreadable": ", ".join(lcinputs.unreadable(res)),
            "nodata_list": ", ".join(str(self.cats[c.row]) for c in self.nodata),
            "thin_list": ", ".join(str(self.cats[c.row]) for c in self.thin),
            "excluded_summary": excluded_summary,
            "osm_summary": osm_summary,
            "sections": SECTIONS, "headings": dict(SECTIONS),
            "open_all": self.open_all,
            "all_row": res.row_names[-1],
            "now": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        ctx["coverage_tables"] = self.coverage_tables()
        ctx["group_rows"] = self.group_rows()
        ctx["realised"] = self.realised()
        ctx["scenario_sections"] = self.scenario_sections()
        lcplot.setup_cjk_font()
        ctx["gap_maps"], ctx["gap_nodata"] = self.gap_maps()
        ctx["minute_maps"] = self.minute_maps()
        ctx["gain_groups"] = self.gain_maps()
        ctx["load"], ctx["trip_columns"] = self.load()
        ctx["status_rows"] = [
            {"cat": self.cats[c.row], "status": li.DATA_WORDS[int(ind.data_status[c.row])],
             "reason": ind.data_reason[c.row]}
            for c in res.categories if ind.data_status[c.row] != li.DATA_OK] or []
        ctx["max_snap"] = "%s m" % max_snap if max_snap is not None else "Facilities:max_snap_m"
        ctx["excluded_rows"] = self.excluded_rows(excl)
        ctx["osm"] = ["%s — %s" % (p, d or "date not recorded in the file (%s)" % how)
                      for p, d, how in osm] + [
            res.header.get("attribution", lc.OSM_ATTRIBUTION)]
        ctx["provenance"] = self.provenance()
        ctx["params"] = [("Parameters used (/Parameters/used)", res.params_used),
                         ("Parameters as given (/Parameters/given)", res.params_given)]
        return ctx

    def _share_cell(self, ind, r, c):
        """A pass/fail cell of one served share."""
        if ind.data_status[c.row] == li.DATA_NONE:
            return {"p": -1, "text": "no data 无数据"}
        p = int(ind.pass_[r, c.row])
        if p < 0:
            return {"p": -1, "text": "no residents served"}
        text = fmt_share(ind.served_share[r, c.row], c.target_share)
        if ind.data_status[c.row] == li.DATA_THIN:
            text += " (thin data)"
        return {"p": p, "text": text}

    def coverage_tables(self):
        """Baseline by subdistrict (with the realised share), then every scenario
        for the whole area: categories as rows, a few columns."""
        res = self.res
        ind = self.ind
        r_all = len(res.row_names) - 1
        columns = list(self.row_names)
        real = ind.realised_served_share is not None
        if real:
            columns.append("realised 实际")
        rows = []
        for c in res.categories:
            cells = [self._share_cell(ind, r, c) for r in self.rows]
            if real:
                text = fmt_share(ind.realised_served_share[r_all, c.row])
                if ind.realised_low is not None:
                    text += " [%s–%s]" % (fmt_share(ind.realised_low[r_all, c.row]),
                                          fmt_share(ind.realised_high[r_all, c.row]))
                cells.append({"p": -2, "text": text})
            rows.append({"cat": self.cats[c.row], "serves": self.groups_of(c),
                         "threshold": "%d min" % c.threshold_min,
                         "target": fmt_share(c.target_share), "cells": cells})
        tables = [{"title": "baseline — served share by subdistrict 服务人群覆盖率", "columns":
                   columns, "rows": rows}]
        if res.other_scenarios:
            inds = [li.scenario_indicators(res, res.scenario(n)) for n in res.scenario_names]
            rows = []
            for c in res.categories:
                rows.append({"cat": self.cats[c.row], "serves": self.groups_of(c),
                             "threshold": "%d min" % c.threshold_min,
                             "target": fmt_share(c.target_share),
                             "cells": [self._share_cell(x, r_all, c) for x in inds]})
            tables.append({"title": "every scenario — served share, %s" % res.row_names[r_all],
                           "columns": list(res.scenario_names), "rows": rows})
        return tables

    def group_rows(self):
        res, ind = self.res, self.ind
        n_g = len(res.groups)
        r = len(res.row_names) - 1
        out = []
        for c in res.categories:
            cells = []
            for g in res.groups:
                k = lc.col(c.row, g.row, n_g)
                if not self.serves[c.row, g.row]:
                    cells.append({"cls": "muted", "text": "—"})
                elif ind.data_status[c.row] == li.DATA_NONE:
                    cells.append({"cls": "na", "text": "no data"})
                else:
                    cells.append({"cls": "", "text": "%s, %s" % (
                        fmt_share(ind.share[r, k]), fmt_min(ind.median_min[r, k])
                        .replace(" min", ""))})
            out.append({"cat": self.cats[c.row], "cells": cells})
        return out

    def realised(self):
        import lcplot
        res = self.res
        out = []
        for name in res.scenario_names:
            scen = res.scenario(name)
            ind = li.scenario_indicators(res, scen)
            if ind.realised_served_share is None:
                out.append({"name": name, "missing": "%s: realised coverage "
                            "(RealisedCoverage, agent simulation) was %s." % (name, NOT_COMPUTED)})
                continue
            if name != "baseline":
                continue  # the scenarios' realised gains are in their own section
            png = "realised_%s.png" % lc.safe_name(name)
            lcplot.realised_chart(res, scen, os.path.join(self.outdir, png),
                                  (ind.served_share, ind.realised_served_share))
            rows = []
            r = len(res.row_names) - 1
            for c in res.categories:
                s, x = ind.served_share[r, c.row], ind.realised_served_share[r, c.row]
                if not np.isfinite(s):
                    continue
                diff = x - s
                band = ""
                if ind.realised_low is not None:
                    band = " [%s–%s]" % (fmt_share(ind.realised_low[r, c.row]),
                                         fmt_share(ind.realised_high[r, c.row]))
                rows.append({"cat": self.cats[c.row], "static": fmt_share(s),
                             "realised": fmt_share(x) + band,
                             "diff": "–" if not np.isfinite(diff) else "%+.1f pp" % (100 * diff),
                             "cls": "loss" if np.isfinite(diff) and diff < -0.005 else ""})
            out.append({"name": name, "missing": None, "figure": self.figure(
                png, "Static against realised served share per category, %s" % name),
                "rows": rows})
        return out

    def scenario_sections(self):
        res = self.res
        out = []
        r_all = len(res.row_names) - 1
        n_g = len(res.groups)
        base = self.base
        for name in res.other_scenarios:
            scen = res.scenario(name)
            cs = li.comparison_served(res, name)
            cmp_ = res.comparison(name)
            added, removed = lc.facility_changes(base, scen)
            ch = []
            for c in res.categories:
                a = sum(1 for i in added if scen.facilities["category"][i] == c.row)
                d = sum(1 for i in removed if base.facilities["category"][i] == c.row)
                if a or d:
                    ch.append("%s +%d/−%d" % (c.name_zh, a, d))
            changes = ("Facilities added/removed: %s." % ", ".join(ch)) if ch else \
                "No facility added or removed (network or population edits only)."
            ind_b = self.ind
            ind_s = li.scenario_indicators(res, scen)
            rows, group_rows = [], []
            for c in res.categories:
                new, lost = int(cs["newly"][r_all, c.row]), int(cs["lost"][r_all, c.row])
                if not new and not lost:
                    continue
                real = "–"
                if cs["realised_newly"] is not None:
                    real = fmt_signed(cs["realised_newly"][r_all, c.row] -
                                      cs["realised_lost"][r_all, c.row])
                    if cs["realised_low"] is not None:
                        real += " [%s, %s]" % (fmt_signed(cs["realised_low"][r_all, c.row]),
                                               fmt_signed(cs["realised_high"][r_all, c.row]))
                pb, pa = int(ind_b.pass_[r_all, c.row]), int(ind_s.pass_[r_all, c.row])
                rows.append({"cat": self.cats[c.row], "newly": fmt_int(new),
                             "lost": fmt_int(lost), "net": fmt_signed(new - lost),
                             "cls": "gain" if new > lost else ("loss" if new < lost else ""),
                             "realised": real, "pb": pb, "pa": pa,
                             "pbt": fmt_share(ind_b.served_share[r_all, c.row], c.target_share),
                             "pat": fmt_share(ind_s.served_share[r_all, c.row], c.target_share)})
                cells = []
                for g in res.groups:
                    k = lc.col(c.row, g.row, n_g)
                    if not self.serves[c.row, g.row]:
                        cells.append("—")
                    else:
                        cells.append("+%s / −%s" % (fmt_int(cmp_["newly_covered"][r_all, k]),
                                                   fmt_int(cmp_["no_longer_covered"][r_all, k])))
                group_rows.append({"cat": self.cats[c.row], "cells": cells})
            src = ("read from /Comparisons/%s" % name if cs["source"] == "file" else
                   "summed here over each category's served groups")
            out.append({"name": name, "changes": changes, "source": src, "rows": rows,
                        "group_rows": group_rows})
        return out

    def gap_maps(self):
        import lcplot
        res = self.res
        canvas = self.map_canvas()
        figs = []
        for c in res.categories:
            if not c.essential or self.ind.data_status[c.row] == li.DATA_NONE:
                continue
            png = "gap_%s.png" % lc.safe_name(c.id)
            lcplot.gap_map(canvas, self.base, c, os.path.join(self.outdir, png))
            figs.append(self.figure(png, "Residents beyond the threshold: %s %s (baseline)"
                                    % (c.name_zh, c.name_en)))
        none = ", ".join(str(self.cats[c.row]) for c in res.categories
                         if c.essential and self.ind.data_status[c.row] == li.DATA_NONE)
        return figs, none

    def minute_maps(self):
        import lcplot
        res = self.res
        canvas = self.map_canvas()
        figs = []
        for c in res.categories:
            if self.ind.data_status[c.row] == li.DATA_NONE:
                continue
            g = li.slowest_served(res, c)
            png = "minutes_%s.png" % lc.safe_name(c.id)
            lcplot.minutes_map(canvas, self.base, c, g, os.path.join(self.outdir, png))
            figs.append(self.figure(png, "Walking minutes to %s %s at %s's speed (baseline)"
                                    % (c.name_zh, c.name_en, lc.group_label(g.id))))
        return figs

    def gain_maps(self):
        import lcplot
        res = self.res
        out = []
        for name in res.other_scenarios:
            scen = res.scenario(name)
            figs = []
            for c in res.categories:
                if np.array_equal(self.base.nearest_cm[:, c.row], scen.nearest_cm[:, c.row]):
                    continue
                g = li.slowest_served(res, c)
                png = "gains_%s_%s.png" % (lc.safe_name(name), lc.safe_name(c.id))
                lcplot.gains_map(self.map_canvas(), self.base, scen, c, g,
                                 os.path.join(self.outdir, png))
                figs.append(self.figure(png, "Change in walking minutes to %s %s, %s vs "
                                        "baseline" % (c.name_zh, c.name_en, name)))
            out.append({"name": name, "figures": figs})
        return out

    def load(self):
        import lcplot
        res = self.res
        out = []
        trip_columns = ["trips", "served", "after waiting", "redirected", "failed",
                        "mean wait min", "max wait min", "mean walk m"]
        for name in res.scenario_names:
            scen = res.scenario(name)
            s = {"name": name, "missing": None, "trips_missing": None, "trips": None,
                 "reasons": None}
            s["figure"] = None
            if scen.load is None:
                s["missing"] = "%s: facility load (FacilityLoad) was %s." % (name, NOT_COMPUTED)
            else:
                if name == "baseline":  # the scenarios' tables show what changes
                    png = "load_%s.png" % lc.safe_name(name)
                    lcplot.load_chart(res, scen, os.path.join(self.outdir, png))
                    s["figure"] = self.figure(
                        png, "Arrivals and largest queue per time bin, %s" % name)
                ld, fac = scen.load, scen.facilities
                cats = np.asarray(fac["category"])
                on = np.asarray(fac["node"]) >= 0 if "node" in fac else np.ones(len(cats), bool)
                tot = {k: ld[k].sum(axis=1) for k in ("arrivals", "served", "refused")
                       if k in ld}
                pq = ld["peak_queue"] if "peak_queue" in ld else np.zeros((len(cats), 1), int)
                per_cat = []
                for c in res.categories:
                    sel = (cats == c.row) & on
                    if not sel.any():
                        continue
                    per_cat.append({"cat": self.cats[c.row], "cells": [
                        int(sel.sum())] + [fmt_int(tot[k][sel].sum()) if k in tot else "–"
                                           for k in ("arrivals", "served", "refused")] +
                        [int(pq[sel].max())]})
                s["per_cat"] = per_cat
                peak = pq.max(axis=1)
                refused = tot.get("refused", np.zeros(len(cats)))
                order = np.lexsort((-refused, -peak))
                top = [i for i in order if on[i] and peak[i] > 0][:15]
                bin_min = (scen.load_bin_s or 3600) / 60.0
                s["top"] = [{"name": facility_label(res, scen, i),
                             "cat": self.cats[int(cats[i])],
                             "cells": [int(fac["capacity"][i]) if "capacity" in fac else "–",
                                       fmt_int(tot["arrivals"][i]) if "arrivals" in tot else "–",
                                       fmt_int(refused[i]), int(peak[i]),
                                       lc.fmt_hhmm(int(np.argmax(pq[i])) * bin_min)]}
                            for i in top]
            tt = lc.trips_table(res, scen)
            if tt is None:
                s["trips_missing"] = "%s: trips of the agent simulation (Trips) were %s." % (
                    name, NOT_COMPUTED)
            else:
                ids = [c.id for c in res.categories]
                s["trips"] = [{"group": lc.group_label(r[1]), "cat": self.cats[ids.index(r[2])],
                               "cells": [fmt_int(v) if isinstance(v, int) else
                                         ("–" if v is None else v) for v in r[4:]]}
                              for r in tt.rows]
            rt = lc.trips_reason_table(res, scen)
            if rt is not None:
                ids = [c.id for c in res.categories]
                s["reasons"] = {"columns": [c.split(": ", 1)[1] for c in rt.columns[4:]], "rows": [
                    {"group": lc.group_label(r[1]), "cat": self.cats[ids.index(r[2])],
                     "cells": [fmt_int(v) for v in r[4:]]} for r in rt.rows]}
            out.append(s)
        return out, trip_columns

    def excluded_rows(self, excl):
        groups = {}
        for e in excl:
            groups.setdefault((e["category"], e["source"]), []).append(e)
        rows = []
        for (c, src), es in sorted(groups.items()):
            if src >= 0:
                names = ", ".join("%s (%.0f m)" % (e["name"] or e["source_id"], e["dist_m"])
                                  for e in es)
            else:
                names = "nearest %.0f m" % min(e["dist_m"] for e in es)
            rows.append({"cat": self.cats[c], "n": len(es), "names": names,
                         "source": "OSM POIs" if src < 0 else "layer %d" % src})
        return rows

    def provenance(self):
        res = self.res
        rows = [(k, v) for k, v in res.header.items()]
        rows += [("code " + k, v) for k, v in res.code.items()]
        rows += [("nodes", res.n_nodes), ("edges", len(res.edges["u"])),
                 ("subdistricts", ", ".join(res.subdistricts)),
                 ("groups", ", ".join("%s (%.2f m/s)" % (g.id, g.speed_m_s)
                                      for g in res.groups)),
                 ("categories", len(res.categories)),
                 ("served groups from", getattr(res, "serves_source", "")),
                 ("complete scenarios", ", ".join(res.scenario_names))]
        if res.incomplete_scenarios:
            rows.append(("incomplete scenarios (skipped)", ", ".join(res.incomplete_scenarios)))
        return rows


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def render(ctx):
    """The page from the Jinja2 templates."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**ctx)


def build_report(res, outdir, pdf=False):
    """Write DIR/index.html, its PNGs and (``pdf``) DIR/report.pdf for the open
    results ``res``. Returns the list of written paths. Raises lcplot.FontError
    when no CJK font is installed, PdfError when Chromium cannot print."""
    import lcplot
    lcplot.setup_cjk_font()
    os.makedirs(outdir, exist_ok=True)
    rep = Report(res, outdir)
    ctx = rep.context()
    path = os.path.join(outdir, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render(ctx))
    written = [path]
    if pdf:
        ctx["open_all"] = True
        printable = os.path.join(outdir, "print.html")
        with open(printable, "w", encoding="utf-8") as fh:
            fh.write(render(ctx))
        try:
            written.append(print_pdf(printable, os.path.join(outdir, "report.pdf")))
        finally:
            os.remove(printable)
    return written


class PdfError(Exception):
    """Headless Chromium is missing or failed to print."""


def chromium():
    """The Chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path, pdf_path):
    """Print ``html_path`` to ``pdf_path`` (A4; page numbers from the page's
    @page rules) with headless Chromium."""
    exe = chromium()
    if exe is None:
        raise PdfError("no Chromium found for --pdf; install Debian's chromium "
                       "(apt-get install chromium)")
    with tempfile.TemporaryDirectory() as prof:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--user-data-dir=" + prof, "--no-pdf-header-footer",
               "--print-to-pdf=" + os.path.abspath(pdf_path),
               "file://" + os.path.abspath(html_path)]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PdfError("chromium failed: %s" % exc)
    if p.returncode != 0 or not os.path.isfile(pdf_path):
        raise PdfError("chromium could not print %s (exit %d): %s"
                       % (html_path, p.returncode, p.stderr[-500:]))
    return pdf_path


def parse_args(argv):
    """Command-line arguments."""
    p = argparse.ArgumentParser(
        prog="report.py",
        description="HTML report (index.html + PNG maps and charts) of a lifecircle "
                    "results file, and with --pdf an A4 report.pdf.",
        epilog="Exit status: 0 done; 1 cannot write DIR or print the PDF; 2 usage error "
               "or not a results file; 3 no CJK font (install fonts-noto-cjk). Run with "
               "/usr/bin/python3 from the project root (input files named in the results "
               "are read relative to it).")
    p.add_argument("results", help="results file (HDF5) written by 'lifecircle run'")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="output folder (created if needed)")
    p.add_argument("--pdf", action="store_true",
                   help="also write DIR/report.pdf (headless Chromium)")
    return p.parse_args(argv)


def main(argv=None):
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    import lcplot
    try:
        with lc.Results(args.results) as res:
            paths = build_report(res, args.output, pdf=args.pdf)
    except lc.ResultsError as exc:
        print("report: %s" % exc, file=sys.stderr)
        return 2
    except lcplot.FontError as exc:
        print("report: %s" % exc, file=sys.stderr)
        return 3
    except PdfError as exc:
        print("report: %s" % exc, file=sys.stderr)
        return 1
    except OSError as exc:
        print("report: cannot write the report: %s" % exc, file=sys.stderr)
        return 1
    for path in paths:
        print("report: wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
