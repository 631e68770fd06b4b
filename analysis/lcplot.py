"""Maps and charts of lifecircle results (matplotlib, Agg backend).

Every map shows street segments coloured by a value, the facilities, the
subdistrict outlines with their names, a legend and the OpenStreetMap
attribution line. All maps of a report are drawn on one :class:`MapCanvas`
(one figure whose frame, outlines and attribution are made once; each map adds
and removes only its own artists), which keeps a report of dozens of maps fast.
Each category has one colour (:func:`category_colour`) in every chart.  Chinese labels need a CJK font: :func:`setup_cjk_font`
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
from matplotlib.colors import to_rgba_array  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

import lcresults as lc  # noqa: E402
import lcindicators as li  # noqa: E402

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


#: Fast PNG compression: the maps are redrawn on every report.
PNG_OPTIONS = {"compress_level": 1}


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
# Category colours
# --------------------------------------------------------------------------

#: Kelly's 20 colours of maximum contrast (K. L. Kelly, "Twenty-two colors of
#: maximum contrast", Color Engineering 3(6), 1965; white and black left out), one
#: per category row: a category keeps its colour in every chart and map.
CATEGORY_COLOURS = ("#0067A5", "#F38400", "#008856", "#BE0032", "#875692",
                    "#882D17", "#E68FAC", "#848482", "#8DB600", "#F3C300",
                    "#604E97", "#F99379", "#2B3D26", "#B3446C", "#A1CAF1",
                    "#C2B280", "#E25822", "#654522", "#DCD300", "#F6A600")


def category_colour(cat):
    """The colour of category ``cat`` (a Category or a row number)."""
    row = cat if isinstance(cat, int) else cat.row
    return CATEGORY_COLOURS[row % len(CATEGORY_COLOURS)]


def cat_name(cat):
    """'菜场 Wet market'."""
    return "%s %s" % (cat.name_zh, cat.name_en)


# --------------------------------------------------------------------------
# The map canvas
# --------------------------------------------------------------------------

class MapCanvas:
    """One figure for every map of a results file.

    The frame (equirectangular at the mean latitude, no axis labels), the
    subdistrict outlines and names and the attribution are drawn once; every map
    adds its streets, points, title and legend, saves the PNG and removes them.
    """

    def __init__(self, res, segs, width_in=7.2, dpi=100):
        self.res = res
        self.segs = segs
        self.xy = np.stack([np.column_stack([segs["lon0"], segs["lat0"]]),
                            np.column_stack([segs["lon1"], segs["lat1"]])], axis=1)
        x0, y0, x1, y1 = res.bounds()
        for _, rx, ry in res.rings:
            if len(rx):
                x0, x1 = min(x0, float(rx.min())), max(x1, float(rx.max()))
                y0, y1 = min(y0, float(ry.min())), max(y1, float(ry.max()))
        px = (x1 - x0) * 0.02 or 0.001
        py = (y1 - y0) * 0.02 or 0.001
        self.extent = (x0 - px, x1 + px, y0 - py, y1 + py)
        kx = max(math.cos(math.radians((y0 + y1) / 2)), 1e-6)
        ratio = min(max((y1 - y0 + 2 * py) / max((x1 - x0 + 2 * px) * kx, 1e-9), 0.4), 1.6)
        map_w = 0.98
        map_h_in = width_in * map_w * ratio
        top_in, bottom_in = 0.55, 0.95
        height_in = map_h_in + top_in + bottom_in
        self.fig = Figure(figsize=(width_in, height_in), dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes([0.01, bottom_in / height_in, map_w, map_h_in / height_in])
        self.ax.set_xlim(self.extent[0], self.extent[1])
        self.ax.set_ylim(self.extent[2], self.extent[3])
        self.ax.set_aspect(1.0 / kx, adjustable="datalim")
        self.ax.set_axis_off()
        self.legend_y = (bottom_in - 0.1) / height_in
        self.lw = float(np.clip(3.2 - 0.6 * math.log10(max(len(self.xy), 1)), 0.5, 2.0))
        for s, rx, ry in res.rings:
            if len(rx) >= 2:
                self.ax.plot(np.append(rx, rx[0]), np.append(ry, ry[0]), color="#333333",
                             lw=1.2, ls="--", zorder=3)
        labelled = set()
        for s, rx, ry in res.rings:
            if s not in labelled and 0 <= s < len(res.subdistricts) and len(rx):
                labelled.add(s)
                self.ax.annotate(res.subdistricts[s], (float(np.mean(rx)), float(np.mean(ry))),
                                 ha="center", va="center", fontsize=10, color="#222222",
                                 alpha=0.8, zorder=6,
                                 bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                           alpha=0.6))
        self.fig.text(0.99, 0.008, lc.OSM_ATTRIBUTION, ha="right", va="bottom",
                      fontsize=7, color="#444444")
        # A 500 m scale bar in the lower left corner.
        m_per_deg = 111320.0 * kx
        sx, sy = self.extent[0] + px, self.extent[2] + py
        self.ax.plot([sx, sx + 500.0 / m_per_deg], [sy, sy], color="black", lw=2, zorder=8)
        self.ax.text(sx + 250.0 / m_per_deg, sy + py * 0.4, "500 m", ha="center",
                     va="bottom", fontsize=7, zorder=8)
        self._tmp = []
        self._streets = None

    def streets(self, colours, widths):
        """Colour every street piece (N x 4 RGBA, N widths). One collection of all
        pieces is made once and recoloured per map: building the paths is the
        costly part."""
        if self._streets is None:
            self._streets = LineCollection(self.xy, zorder=2)
            self.ax.add_collection(self._streets, autolim=False)
        self._streets.set_color(colours)
        self._streets.set_linewidths(widths)
        self._streets.set_visible(True)

    def points(self, lon, lat, **style):
        """Add a scatter of points."""
        if len(lon):
            self._tmp.append(self.ax.scatter(lon, lat, zorder=7, **style))

    def save(self, path, title, handles):
        """Title, legend below the map, write the PNG, remove this map's artists."""
        self._tmp.append(self.fig.suptitle(title, fontsize=11, y=0.995, va="top"))
        self._tmp.append(self.fig.legend(handles=handles, loc="upper center",
                                         bbox_to_anchor=(0.5, self.legend_y), ncol=3,
                                         fontsize=7.5, frameon=False, handlelength=1.6,
                                         columnspacing=1.2))
        self.fig.savefig(path, pil_kwargs=PNG_OPTIONS)
        for artist in self._tmp:
            artist.remove()
        self._tmp = []
        if self._streets is not None:
            self._streets.set_visible(False)
        self.fig._suptitle = None  # pylint: disable=protected-access
        return path


def _snapped(scen, cat_row, rows=None):
    """Facility rows of a category that are on the network (node >= 0)."""
    fac = scen.facilities
    sel = np.asarray(fac["category"]) == cat_row
    if "node" in fac:
        sel &= np.asarray(fac["node"]) >= 0
    if rows is not None:
        mask = np.zeros(len(sel), dtype=bool)
        mask[list(rows)] = True
        sel &= mask
    return np.nonzero(sel)[0]


def _facility_points(canvas, scen, cat_row, rows=None, **style):
    """Mark a category's snapped facilities; return how many."""
    idx = _snapped(scen, cat_row, rows)
    fac = scen.facilities
    canvas.points(np.asarray(fac["lon"])[idx], np.asarray(fac["lat"])[idx], **style)
    return len(idx)


def _outline_handle():
    return Line2D([], [], color="#333333", ls="--", lw=1.2, label="subdistrict 街道")


# --------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------

def minutes_map(canvas, scen, cat, grp, path):
    """Walking minutes to ``cat`` at the speed of ``grp`` (the slowest served group).

    Street pieces are classed by multiples of the threshold (green within it,
    warm beyond, grey beyond the catchment radius); snapped facilities are
    marked. Writes a PNG to ``path``.
    """
    res = canvas.res
    dist = lc.segment_distance_cm(res, canvas.segs, scen.nearest_cm[:, cat.row],
                                  cat.radius_m * 100.0)
    minutes = dist / 100.0 / grp.speed_m_s / 60.0
    bounds = [b * cat.threshold_min for b in MINUTE_BOUNDS]
    cls = np.digitize(minutes, bounds[1:-1])
    colours = to_rgba_array(MINUTE_COLOURS + ("#7f0000",))  # RGBA once, not per piece
    cls = np.where(minutes > bounds[-1], len(MINUTE_COLOURS), cls)
    reach = np.isfinite(minutes)
    rgba = colours[cls]
    rgba[~reach] = to_rgba_array(BEYOND_COLOUR)[0]
    canvas.streets(rgba, np.where(reach, canvas.lw, 0.6))
    n = _facility_points(canvas, scen, cat.row, marker="o", s=30, c="#000000",
                         edgecolors="white", linewidths=0.8)
    labels = ["%g–%g min" % (bounds[i], bounds[i + 1]) for i in range(len(MINUTE_COLOURS))]
    labels.append("> %g min" % bounds[-1])
    handles = [Patch(color=colours[i], label=lab) for i, lab in enumerate(labels)]
    handles += [Line2D([], [], marker="o", ls="", color="#000000", markeredgecolor="white",
                       label="facility 设施 (%d on the network)" % n),
                Line2D([], [], color=BEYOND_COLOUR, lw=1.5,
                       label="beyond %.0f m radius 超出服务半径" % cat.radius_m),
                _outline_handle()]
    title = ("步行时间 Walking minutes to %s\n%s (%s), %.2f m/s; threshold %d min"
             % (cat_name(cat), lc.group_label(grp.id), scen.name, grp.speed_m_s,
                cat.threshold_min))
    return canvas.save(path, title, handles)


def beyond_residents(res, scen, cat):
    """Residents per node of the groups ``cat`` serves whose nearest facility
    lies beyond the threshold at their group's speed (N vector)."""
    d = scen.nearest_cm[:, cat.row]
    out = np.zeros(res.n_nodes, dtype=np.int64)
    for g in li.served_groups(res, cat):
        lim = li.limit_cm(cat.threshold_min, g.speed_m_s)
        out += np.where((d < 0) | (d > lim), res.residents[:, g.row], 0)
    return out


def gap_map(canvas, scen, cat, path):
    """Where the residents of the served groups beyond the threshold live.

    Circles at the nodes, area proportional to those residents, over grey
    streets, with the snapped facilities. Writes a PNG to ``path``.
    """
    res = canvas.res
    beyond = beyond_residents(res, scen, cat)
    n_pieces = len(canvas.xy)
    canvas.streets(np.tile(to_rgba_array("#cfcfcf"), (n_pieces, 1)), np.full(n_pieces, 0.6))
    sel = beyond > 0
    vmax = max(int(beyond.max()), 1)
    size = 4 + 220.0 * beyond[sel] / vmax
    canvas.points(res.lon[sel], res.lat[sel], s=size, c=category_colour(cat), alpha=0.7,
                  edgecolors="#222222", linewidths=0.4)
    n = _facility_points(canvas, scen, cat.row, marker="s", s=26, c="#000000",
                         edgecolors="white", linewidths=0.8)
    groups = ", ".join(lc.group_label(g.id) for g in li.served_groups(res, cat))
    handles = [Line2D([], [], marker="o", ls="", color=category_colour(cat), alpha=0.6,
                      markersize=ms, label="%s residents 居民" % lab)
               for ms, lab in ((4, "%d" % max(1, vmax // 10)), (11, "%d" % vmax))]
    handles += [Line2D([], [], marker="s", ls="", color="#000000", markeredgecolor="white",
                       label="facility 设施 (%d)" % n), _outline_handle()]
    title = ("缺口 Residents beyond %d min of %s\n%s; %s: %s residents"
             % (cat.threshold_min, cat_name(cat), groups, scen.name,
                "{:,}".format(int(beyond.sum()))))
    return canvas.save(path, title, handles)


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


def gains_map(canvas, base, scen, cat, grp, path):
    """Change in walking minutes to ``cat`` from ``base`` to ``scen`` at the
    speed of ``grp``; added facilities as triangles, removed ones as crosses."""
    res = canvas.res
    d0 = lc.segment_distance_cm(res, canvas.segs, base.nearest_cm[:, cat.row],
                                cat.radius_m * 100.0)
    d1 = lc.segment_distance_cm(res, canvas.segs, scen.nearest_cm[:, cat.row],
                                cat.radius_m * 100.0)
    k = 100.0 * grp.speed_m_s * 60.0
    cls = gain_classes(d0 / k, d1 / k)
    colours = to_rgba_array([c for _, c in GAIN_CLASSES])
    widths = np.where(cls == 3, 0.5 * canvas.lw, canvas.lw)
    canvas.streets(colours[cls], widths)
    added, removed = lc.facility_changes(base, scen)
    _facility_points(canvas, scen, cat.row, marker="o", s=16, c="#000000")
    n_add = _facility_points(canvas, scen, cat.row, rows=added, marker="^", s=90,
                             c="#00a651", edgecolors="black", linewidths=0.8)
    n_rem = _facility_points(canvas, base, cat.row, rows=removed, marker="X", s=90,
                             c="#e31a1c", edgecolors="black", linewidths=0.8)
    handles = [Line2D([], [], color=GAIN_CLASSES[i][1], lw=2.5, label=GAIN_CLASSES[i][0])
               for i in sorted(set(cls.tolist()))]
    handles.append(Line2D([], [], marker="o", ls="", color="#000000", label="facility 设施"))
    if n_add:
        handles.append(Line2D([], [], marker="^", ls="", color="#00a651",
                              markeredgecolor="black", label="added 新增 (%d)" % n_add))
    if n_rem:
        handles.append(Line2D([], [], marker="X", ls="", color="#e31a1c",
                              markeredgecolor="black", label="removed 撤除 (%d)" % n_rem))
    title = ("情景增益 %s vs baseline — %s\n%s (%.2f m/s)"
             % (scen.name, cat_name(cat), lc.group_label(grp.id), grp.speed_m_s))
    return canvas.save(path, title, handles)


# --------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------

def load_chart(res, scen, path):
    """Facility load over the day per category: arrivals and largest queue.

    Two panels sharing the time axis: arrivals summed over the category's
    facilities per bin, and the largest queue at any of them; each category in
    its own colour. Writes a PNG.
    """
    ld, fac = scen.load, scen.facilities
    bin_h = (scen.load_bin_s or 3600) / 3600.0
    arrivals = ld.get("arrivals")
    queue = ld.get("peak_queue")
    n_bins = (arrivals if arrivals is not None else queue).shape[1]
    hours = np.arange(n_bins) * bin_h
    fig = Figure(figsize=(9.5, 5.6), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.08, right=0.66, top=0.92, bottom=0.1, hspace=0.12)
    ax1 = fig.add_subplot(2, 1, 1)
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
    cats = np.asarray(fac["category"])
    for cat in res.categories:
        sel = cats == cat.row
        if not sel.any():
            continue
        if arrivals is not None and arrivals[sel].sum() == 0 and \
                (queue is None or queue[sel].max() == 0):
            continue
        kw = dict(where="post", label=cat_name(cat), color=category_colour(cat), lw=1.3)
        if arrivals is not None:
            ax1.step(hours, arrivals[sel].sum(axis=0), **kw)
        if queue is not None:
            ax2.step(hours, queue[sel].max(axis=0), **kw)
    ax1.set_ylabel("arrivals per bin 到达")
    ax2.set_ylabel("largest queue 最长排队")
    ax2.set_xlabel("hour of day 时刻 (bin %.2f h)" % bin_h)
    ax2.set_xticks(range(0, 25, 3))
    ax1.legend(fontsize=7, ncol=1, loc="upper left", bbox_to_anchor=(1.01, 1.0),
               frameon=False)
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    fig.suptitle("设施负荷 Facility load over the day — %s" % scen.name, fontsize=11)
    fig.savefig(path, pil_kwargs=PNG_OPTIONS)
    return path


def realised_chart(res, scen, path, shares=None):
    """Static against realised served share per category (whole area).

    ``shares`` is (static R x C, realised R x C); points below the diagonal are
    reachable on the map but not served in the simulated day. Each category in
    its own colour.
    """
    static, realised = shares
    fig = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.09, right=0.55, top=0.92, bottom=0.11)
    ax = fig.add_subplot(1, 1, 1)
    for cat in res.categories:
        x, y = static[-1, cat.row], realised[-1, cat.row]
        if np.isfinite(x) and np.isfinite(y):
            ax.scatter([x], [y], s=40, color=category_colour(cat), label=cat_name(cat),
                       edgecolors="#333333", linewidths=0.4)
    ax.plot([0, 1], [0, 1], color="#888888", lw=1, ls="--")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect(1)
    ax.set_xlabel("static served share 静态覆盖率")
    ax.set_ylabel("realised served share 实际覆盖率")
    ax.set_title("静态与实际 Static vs realised — %s" % scen.name, fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.savefig(path, pil_kwargs=PNG_OPTIONS)
    return path
