"""Maps and charts of lifecircle results (matplotlib, Agg backend).

Every map shows street segments coloured by a value, the facilities, the
subdistrict outlines with their names, a legend and the OpenStreetMap
attribution line.  Chinese labels need a CJK font: :func:`setup_cjk_font`
configures Debian's Noto Sans CJK (package ``fonts-noto-cjk``) and raises
:class:`FontError` when none is installed.
"""

import math

import numpy as np

import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

import lcresults as lc  # noqa: E402

#: CJK font families tried in order.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC",
                "Noto Serif CJK SC", "Noto Serif CJK JP")

#: Class bounds of the walking-minutes maps, as multiples of the category's
#: threshold: green classes lie within the threshold, warm ones beyond it.
MINUTE_BOUNDS = (0, 0.5, 1.0, 1.5, 2.0, 3.0)
MINUTE_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
BEYOND_COLOUR = "#bdbdbd"

#: Classes of the scenario-gain maps: (label, colour).
GAIN_CLASSES = (
    ("no longer within radius", "#67001f"),
    ("≥ 2 min longer", "#d6604d"),
    ("0.1–2 min longer", "#f4a582"),
    ("unchanged", "#d9d9d9"),
    ("0.1–2 min shorter", "#92c5de"),
    ("≥ 2 min shorter", "#2166ac"),
    ("newly within radius", "#053061"),
)


class FontError(Exception):
    """No CJK font is available to matplotlib."""


_FONT = None


def setup_cjk_font():
    """Make matplotlib draw Chinese text with a Noto CJK font.

    Looks for the families of :data:`CJK_FAMILIES` among matplotlib's known
    fonts; when its font cache predates the font's installation, the font
    files found on the system are added.  Returns the family used.  Raises
    :class:`FontError` naming the Debian package when none is found.
    """
    global _FONT  # pylint: disable=global-statement
    if _FONT:
        return _FONT
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not any(f in known for f in CJK_FAMILIES):
        for path in font_manager.findSystemFonts():
            if "CJK" in path and "Noto" in path:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False
            _FONT = family
            return family
    raise FontError(
        "no CJK font found for matplotlib (looked for %s); install Debian's "
        "fonts-noto-cjk (apt-get install fonts-noto-cjk) so that Chinese "
        "names are drawn" % ", ".join(CJK_FAMILIES))


# --------------------------------------------------------------------------
# Map building blocks
# --------------------------------------------------------------------------

def _new_figure(res, ncols, width=5.5):
    """A figure with ``ncols`` map panels side by side.

    The height follows the area's shape so that little space is wasted.
    """
    x0, y0, x1, y1 = res.bounds()
    dx = max((x1 - x0) * math.cos(math.radians((y0 + y1) / 2)), 1e-9)
    ratio = min(max((y1 - y0) / dx, 0.4), 2.0)
    fig = Figure(figsize=(width * ncols + 1.2, width * ratio + 2.0), dpi=110,
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _frame(ax, res):
    """Set the map extent and aspect (equirectangular at the mean latitude)."""
    x0, y0, x1, y1 = res.bounds()
    for _, rx, ry in res.rings:
        if len(rx):
            x0, x1 = min(x0, float(rx.min())), max(x1, float(rx.max()))
            y0, y1 = min(y0, float(ry.min())), max(y1, float(ry.max()))
    px = (x1 - x0) * 0.03 or 0.001
    py = (y1 - y0) * 0.03 or 0.001
    ax.set_xlim(x0 - px, x1 + px)
    ax.set_ylim(y0 - py, y1 + py)
    ax.set_aspect(1.0 / max(math.cos(math.radians((y0 + y1) / 2)), 1e-6))
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude (WGS84)", fontsize=8)
    ax.set_ylabel("latitude", fontsize=8)


def _outlines(ax, res):
    """Draw subdistrict outlines and their names."""
    labelled = set()
    for s, rx, ry in res.rings:
        if len(rx) < 2:
            continue
        ax.plot(np.append(rx, rx[0]), np.append(ry, ry[0]), color="#333333",
                lw=1.2, ls="--", zorder=3)
        if s not in labelled and 0 <= s < len(res.subdistricts):
            labelled.add(s)
            ax.annotate(res.subdistricts[s], (float(np.mean(rx)), float(np.mean(ry))),
                        ha="center", va="center", fontsize=11, color="#222222",
                        alpha=0.8, zorder=6,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white",
                                  ec="none", alpha=0.6))


def _segments_xy(segs):
    """Segment coordinates in LineCollection form (K x 2 x 2)."""
    return np.stack([np.column_stack([segs["lon0"], segs["lat0"]]),
                     np.column_stack([segs["lon1"], segs["lat1"]])], axis=1)


def _attribution(fig):
    """Put the OpenStreetMap attribution line at the bottom of a figure.

    It is the figure's x super-label, so the constrained layout keeps room
    for it below the legends.
    """
    fig.supxlabel(lc.OSM_ATTRIBUTION, x=0.99, ha="right", fontsize=7,
                  color="#444444")


def _facilities(ax, scen, cat_row, rows=None, **style):
    """Mark the facilities of one category (optionally only ``rows``)."""
    fac = scen.facilities
    sel = np.asarray(fac["category"]) == cat_row
    if rows is not None:
        mask = np.zeros(len(sel), dtype=bool)
        mask[list(rows)] = True
        sel &= mask
    if sel.any():
        ax.scatter(np.asarray(fac["lon"])[sel], np.asarray(fac["lat"])[sel],
                   zorder=7, **style)
    return int(sel.sum())


def _line_width(n_pieces):
    """Street line width: thinner as the network grows denser."""
    return float(np.clip(3.2 - 0.6 * math.log10(max(n_pieces, 1)), 0.5, 2.0))


def _legend_below(ax, handles):
    """Put a legend under the map panel so that it hides no street."""
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=2, fontsize=7, frameon=False)


def pick_groups(res, wanted=("adult", "elderly")):
    """Groups to map: those of ``wanted`` present, else the first group."""
    groups = [g for g in res.groups if g.id in wanted]
    return groups or res.groups[:1]


# --------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------

def minutes_map(res, scen, cat, groups, segs, path):
    """Map of walking minutes to category ``cat`` for each of ``groups``.

    Street pieces are coloured by the walking time to the nearest facility at
    the group's speed (classes of :data:`MINUTE_BOUNDS`; grey beyond the
    catchment radius), facilities are marked, subdistricts outlined.  Writes
    a PNG to ``path``.
    """
    fig, axes = _new_figure(res, len(groups))
    cmap = ListedColormap(MINUTE_COLOURS)
    cmap.set_over("#7f0000")
    bounds = [b * cat.threshold_min for b in MINUTE_BOUNDS]
    norm = BoundaryNorm(bounds, cmap.N)
    dist = lc.segment_distance_cm(res, segs, scen.nearest_cm[:, cat.row],
                                  cat.radius_m * 100.0)
    xy = _segments_xy(segs)
    mappable = None
    for ax, grp in zip(axes, groups):
        minutes = dist / 100.0 / grp.speed_m_s / 60.0
        reach = np.isfinite(minutes)
        if (~reach).any():
            ax.add_collection(LineCollection(xy[~reach], colors=BEYOND_COLOUR,
                                             linewidths=0.8, zorder=1))
        lcol = LineCollection(xy[reach], cmap=cmap, norm=norm,
                              linewidths=_line_width(len(xy)), zorder=2)
        lcol.set_array(minutes[reach])
        ax.add_collection(lcol)
        mappable = lcol
        _outlines(ax, res)
        n = _facilities(ax, scen, cat.row, marker="o", s=36, c="#000000",
                        edgecolors="white", linewidths=0.8)
        _frame(ax, res)
        thr_m = lc.threshold_cm(cat, grp) / 100.0
        ax.set_title("%s %s\n%s: %d min ≈ %.0f m at %.2f m/s"
                     % (cat.name_zh, cat.name_en, lc.group_label(grp.id),
                        cat.threshold_min, thr_m, grp.speed_m_s), fontsize=10)
        handles = [Line2D([], [], marker="o", ls="", color="#000000",
                          markeredgecolor="white", label="facility 设施 (%d)" % n),
                   Line2D([], [], color=BEYOND_COLOUR, lw=1.5,
                          label="beyond %.0f m radius 超出服务半径" % cat.radius_m
                          if not math.isnan(cat.radius_m) else "none reachable"),
                   Line2D([], [], color="#333333", ls="--", lw=1.2,
                          label="subdistrict 街道")]
        _legend_below(ax, handles)
    cb = fig.colorbar(mappable, ax=axes, shrink=0.8, extend="max",
                      ticks=bounds)
    cb.ax.axhline(cat.threshold_min, color="black", lw=2)
    cb.set_label("walking minutes 步行分钟 (%s; bar at the %d-min threshold)"
                 % (scen.name, cat.threshold_min), fontsize=9)
    fig.suptitle("步行时间 Walking minutes to %s %s" % (cat.name_zh, cat.name_en),
                 fontsize=12)
    _attribution(fig)
    fig.savefig(path, bbox_inches="tight", pad_inches=0.15)
    return path


def gain_classes(before_min, after_min):
    """Class index (into :data:`GAIN_CLASSES`) of each piece's change."""
    b_ok, a_ok = np.isfinite(before_min), np.isfinite(after_min)
    with np.errstate(invalid="ignore"):
        delta = np.where(b_ok & a_ok, before_min - after_min, 0.0)
    cls = np.full(len(before_min), 3, dtype=int)
    cls[b_ok & a_ok & (delta <= -2)] = 1
    cls[b_ok & a_ok & (delta < -0.1) & (delta > -2)] = 2
    cls[b_ok & a_ok & (delta > 0.1) & (delta < 2)] = 4
    cls[b_ok & a_ok & (delta >= 2)] = 5
    cls[b_ok & ~a_ok] = 0
    cls[~b_ok & a_ok] = 6
    return cls


def gains_map(res, base, scen, cat, groups, segs, path):
    """Map of the change in walking minutes to ``cat`` from base to scen.

    Street pieces are classed by minutes saved (blue) or lost (red), added
    facilities are marked with triangles and removed ones with crosses.
    Writes a PNG to ``path``.
    """
    fig, axes = _new_figure(res, len(groups))
    d0 = lc.segment_distance_cm(res, segs, base.nearest_cm[:, cat.row],
                                cat.radius_m * 100.0)
    d1 = lc.segment_distance_cm(res, segs, scen.nearest_cm[:, cat.row],
                                cat.radius_m * 100.0)
    xy = _segments_xy(segs)
    added, removed = lc.facility_changes(base, scen)
    for ax, grp in zip(axes, groups):
        k = 100.0 * grp.speed_m_s * 60.0
        cls = gain_classes(d0 / k, d1 / k)
        colours = np.array([c for _, c in GAIN_CLASSES])
        lw = _line_width(len(xy))
        widths = np.where(cls == 3, 0.5 * lw, lw)
        ax.add_collection(LineCollection(xy, colors=colours[cls],
                                         linewidths=widths, zorder=2))
        _outlines(ax, res)
        _facilities(ax, scen, cat.row, marker="o", s=18, c="#000000")
        n_add = _facilities(ax, scen, cat.row, rows=added, marker="^", s=90,
                            c="#00a651", edgecolors="black", linewidths=0.8)
        n_rem = _facilities(ax, base, cat.row, rows=removed, marker="X", s=90,
                            c="#e31a1c", edgecolors="black", linewidths=0.8)
        _frame(ax, res)
        ax.set_title("%s %s — %s\n%s vs baseline"
                     % (cat.name_zh, cat.name_en, lc.group_label(grp.id), scen.name),
                     fontsize=10)
        present = sorted(set(cls.tolist()))
        handles = [Line2D([], [], color=GAIN_CLASSES[i][1], lw=2.5,
                          label=GAIN_CLASSES[i][0]) for i in present]
        handles.append(Line2D([], [], marker="o", ls="", color="#000000",
                              label="facility 设施"))
        if n_add:
            handles.append(Line2D([], [], marker="^", ls="", color="#00a651",
                                  markeredgecolor="black", label="added 新增 (%d)" % n_add))
        if n_rem:
            handles.append(Line2D([], [], marker="X", ls="", color="#e31a1c",
                                  markeredgecolor="black",
                                  label="removed 撤除 (%d)" % n_rem))
        _legend_below(ax, handles)
    fig.suptitle("情景增益 Scenario gains: %s — %s %s"
                 % (scen.name, cat.name_zh, cat.name_en), fontsize=12)
    _attribution(fig)
    fig.savefig(path, bbox_inches="tight", pad_inches=0.15)
    return path


# --------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------

def load_chart(res, scen, path):
    """Facility load over the day per category: arrivals and largest queue.

    Two panels sharing the time axis: arrivals summed over the category's
    facilities per bin, and the largest queue at any of them.  Writes a PNG.
    """
    ld, fac = scen.load, scen.facilities
    bin_h = (scen.load_bin_s or 3600) / 3600.0
    arrivals = ld.get("arrivals")
    queue = ld.get("peak_queue")
    n_bins = (arrivals if arrivals is not None else queue).shape[1]
    hours = np.arange(n_bins) * bin_h
    fig = Figure(figsize=(10, 6.5), dpi=110)
    FigureCanvasAgg(fig)
    ax1 = fig.add_subplot(2, 1, 1)
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
    cats = np.asarray(fac["category"])
    for cat in res.categories:
        sel = cats == cat.row
        if not sel.any():
            continue
        label = "%s %s" % (cat.name_zh, cat.name_en)
        if arrivals is not None:
            ax1.step(hours, arrivals[sel].sum(axis=0), where="post", label=label)
        if queue is not None:
            ax2.step(hours, queue[sel].max(axis=0), where="post", label=label)
    ax1.set_ylabel("arrivals per bin 到达")
    ax2.set_ylabel("largest queue 最长排队")
    ax2.set_xlabel("hour of day 时刻 (bin %.2f h)" % bin_h)
    ax1.legend(fontsize=7, ncol=2)
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    fig.suptitle("设施负荷 Facility load over the day — %s" % scen.name)
    fig.savefig(path)
    return path


def realised_chart(res, scen, path):
    """Scatter of static against realised coverage share (all rows).

    Each point is one (row, category, group) cell; points below the diagonal
    are reachable on the map but not served in the simulated day.
    """
    fig = Figure(figsize=(6, 6), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    n_g = len(res.groups)
    for grp in res.groups:
        cols = [lc.col(c.row, grp.row, n_g) for c in res.categories]
        ax.scatter(scen.coverage["share"][:, cols].ravel(),
                   scen.realised["share"][:, cols].ravel(), s=18,
                   label=lc.group_label(grp.id), alpha=0.8)
    ax.plot([0, 1], [0, 1], color="#888888", lw=1, ls="--")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect(1)
    ax.set_xlabel("static coverage share 静态覆盖率")
    ax.set_ylabel("realised coverage share 实际覆盖率")
    ax.set_title("静态与实际覆盖 Static vs realised — %s" % scen.name, fontsize=10)
    ax.legend(fontsize=8)
    fig.savefig(path)
    return path
