"""The planner-facing indicators of one results file: served groups, data status,
served shares and gains, the complete life circle over the categories with data,
and the agents' bands.

:func:`indicators` is the one place that gives them meaning. It reads the datasets
that carry them directly (``/Categories/serves``, ``Coverage/data_status``,
``Coverage/complete_categories``, ``/Comparisons/<s>/served_*``,
``RealisedCoverage/share_low|high``, ...) when the file has them, and otherwise
derives the same quantities from what older files hold:

- served groups: the ``groups:`` of each category in the categories file named by
  ``/Parameters/used``; failing that, the subset of groups whose summed
  ``covered / residents`` reproduces ``Coverage/served_share`` in every row;
- no data: no facility of the category in the scenario (``data_status`` 2); the
  share, served share and quantiles become NaN and ``pass`` -1;
- served sums: sums of the per-group tables over the served groups;
- the complete life circle: recomputed from ``NodeAccess/nearest_cm`` over the
  essential categories with data, with the engine's distance limit.
"""

import itertools
import math
import os

import numpy as np

import lcresults as lc

#: Data status codes of ``Coverage/data_status``.
DATA_OK, DATA_THIN, DATA_NONE = 0, 1, 2
DATA_WORDS = {DATA_OK: "ok", DATA_THIN: "thin data 数据不足", DATA_NONE: "no data 无数据"}


def limit_cm(threshold_min, speed_m_s):
    """The engine's distance limit in cm (coverage_limit_cm in src/access/coverage.c)."""
    return math.floor(threshold_min * 60.0 * speed_m_s * 100.0 + 1e-6)


def _used_yaml(res):
    """/Parameters/used parsed as YAML (None when absent or unreadable)."""
    if not res.params_used:
        return None
    try:
        import yaml
        doc = yaml.load(res.params_used, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # pylint: disable=broad-except
        return None
    return doc if isinstance(doc, dict) else None


def input_path(res, path):
    """Resolve a path of the run's parameters: relative to the current folder
    (the engine's rule), else to the results file's folder and its parent."""
    if not path:
        return None
    if os.path.isabs(path) and os.path.isfile(path):
        return path
    base = os.path.dirname(os.path.abspath(res.path))
    for root in (os.getcwd(), base, os.path.dirname(base)):
        cand = os.path.join(root, path)
        if os.path.isfile(cand):
            return cand
    return None


def _serves_from_categories_file(res):
    """C x G bool from the categories file's ``groups:`` lists, or None."""
    used = _used_yaml(res)
    cfile = None
    if used and isinstance(used.get("Categories"), dict):
        cfile = input_path(res, used["Categories"].get("file"))
    if not cfile:
        return None
    try:
        import yaml
        with open(cfile, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        by_id = {c["id"]: c for c in doc["categories"]}
    except Exception:  # pylint: disable=broad-except
        return None
    gids = [g.id for g in res.groups]
    out = np.zeros((len(res.categories), len(gids)), dtype=bool)
    for cat in res.categories:
        entry = by_id.get(cat.id)
        if entry is None:
            return None
        groups = entry.get("groups")
        if groups is None:
            out[cat.row] = True
        else:
            for g in groups:
                if g in gids:
                    out[cat.row, gids.index(g)] = True
    return out


def _serves_from_served_share(res, cov):
    """C x G bool: per category the smallest group subset whose summed shares
    reproduce ``served_share`` in every row (all groups when none does)."""
    n_g = len(res.groups)
    out = np.ones((len(res.categories), n_g), dtype=bool)
    if "served_share" not in cov:
        return out
    resid = cov["residents"].astype(float)
    subsets = [s for k in range(1, n_g + 1)
               for s in itertools.combinations(range(n_g), k)]
    for cat in res.categories:
        target = cov["served_share"][:, cat.row]
        covd = cov["covered"][:, cat.row * n_g:(cat.row + 1) * n_g].astype(float)
        for s in subsets:
            den = resid[:, s].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                got = np.where(den > 0, covd[:, s].sum(axis=1) / np.maximum(den, 1), np.nan)
            if np.allclose(got, target, rtol=0, atol=1e-12, equal_nan=True):
                out[cat.row] = False
                out[cat.row, list(s)] = True
                break
    return out


def serves(res):
    """C x G bool: category serves group. Cached on ``res``; also sets
    ``res.serves_source`` ("file", "categories file" or "served_share")."""
    if getattr(res, "_serves", None) is not None:
        return res._serves
    f = res._f
    if "Categories/serves" in f:
        out, src = f["Categories/serves"][()].astype(bool), "file"
    else:
        out, src = _serves_from_categories_file(res), "categories file"
        if out is None:
            out = _serves_from_served_share(res, res.scenario("baseline").coverage)
            src = "served_share"
    res._serves, res.serves_source = out, src
    return out


def served_groups(res, cat):
    """The groups category ``cat`` serves (list of Group)."""
    s = serves(res)
    return [g for g in res.groups if s[cat.row, g.row]]


def slowest_served(res, cat):
    """The served group with the lowest walking speed (the strictest limit)."""
    groups = served_groups(res, cat) or list(res.groups)
    return min(groups, key=lambda g: (g.speed_m_s, g.row))


def _served_sum(res, table):
    """Sum an R x (C*G) table over each category's served groups: R x C."""
    s = serves(res)
    n_c, n_g = s.shape
    t = np.asarray(table).reshape(table.shape[0], n_c, n_g)
    return (t * s[None, :, :]).sum(axis=2)


class ScenarioIndicators:
    """Indicators of one scenario. Arrays, rows = subdistricts then "all":

    ``data_status`` (C), ``data_reason`` (C str); ``served_residents``,
    ``served_covered``, ``served_share``, ``pass_`` (R x C); ``share``,
    ``median_min``, ``p90_min`` (R x C*G, NaN for no data); ``complete``,
    ``complete_share`` (R x G), ``complete_categories`` (C bool),
    ``complete_all_essential`` (R x G or NaN); ``realised_served_share``,
    ``realised_low``, ``realised_high`` (R x C or None); ``source`` ("file" or
    "derived").
    """


def scenario_indicators(res, scen):
    """The :class:`ScenarioIndicators` of ``scen`` (cached on the scenario)."""
    if getattr(scen, "_ind", None) is not None:
        return scen._ind
    cov = scen.coverage
    n_c, n_g = len(res.categories), len(res.groups)
    ind = ScenarioIndicators()
    grp = res._f["Scenarios"][scen.name]["Coverage"]
    # Data status.
    if "data_status" in cov:
        ind.data_status = np.asarray(cov["data_status"], dtype=np.int64)
        reason = lc.text(grp["data_status"].attrs.get("reason", ""))
        ind.data_reason = [reason if ind.data_status[c] else "" for c in range(n_c)]
        ind.source = "file"
    else:
        fcat = np.asarray(scen.facilities["category"], dtype=np.int64)
        if "node" in scen.facilities:  # excluded facilities (node -1) give no data
            fcat = fcat[np.asarray(scen.facilities["node"]) >= 0]
        counts = np.bincount(fcat, minlength=n_c)[:n_c]
        ind.data_status = np.where(counts == 0, DATA_NONE, DATA_OK).astype(np.int64)
        ind.data_reason = ["no facility of the category on the network"
                           if counts[c] == 0 else "" for c in range(n_c)]
        ind.source = "derived"
    nodata = ind.data_status == DATA_NONE
    nodata_cg = np.repeat(nodata, n_g)
    # Served sums.
    ind.served_residents = _served_sum(res, np.tile(cov["residents"], (1, n_c)))
    ind.served_covered = _served_sum(res, cov["covered"])
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = np.where(ind.served_residents > 0,
                           ind.served_covered / np.maximum(ind.served_residents, 1), np.nan)
    ss = np.array(cov["served_share"], dtype=float) if "served_share" in cov else derived
    ss[:, nodata] = np.nan
    ind.served_share = ss
    tgt = np.array([c.target_share for c in res.categories])
    if "pass" in cov:
        p = np.array(cov["pass"], dtype=np.int64)
    else:
        p = np.where(np.isnan(ss), -1, (ss >= tgt[None, :]).astype(np.int64))
    p[:, nodata] = -1
    ind.pass_ = p
    for key in ("share", "median_min", "p90_min"):
        a = np.array(cov[key], dtype=float) if key in cov else \
            np.full((len(res.row_names), n_c * n_g), np.nan)
        a[:, nodata_cg] = np.nan
        setattr(ind, key, a)
    # Complete life circle over the essential categories with data.
    ess = np.array([c.essential for c in res.categories])
    if "complete_categories" in cov:
        ind.complete_categories = np.asarray(cov["complete_categories"]).astype(bool)
        ind.complete = np.asarray(cov["complete"], dtype=np.int64)
        ind.complete_share = np.asarray(cov["complete_share"], dtype=float)
        cae = cov.get("complete_all_essential")
        ind.complete_all_essential = (np.asarray(cae, dtype=float)
                                      if cae is not None else None)
    else:
        ind.complete_categories = ess & ~nodata
        ind.complete, ind.complete_share = _complete(res, scen, ind.complete_categories)
        if nodata[ess].any():
            ind.complete_all_essential = None
        else:
            ind.complete_all_essential = ind.complete_share
    # Agents: realised served share and its band.
    ind.realised_served_share = ind.realised_low = ind.realised_high = None
    rc = scen.realised
    if rc is not None and "covered" in rc and "needed" in rc:
        # Realised share as RealisedCoverage/share defines it: of the served groups'
        # residents who needed the category that day, those served within the threshold.
        rcov = _served_sum(res, rc["covered"])
        rneed = _served_sum(res, rc["needed"])
        with np.errstate(invalid="ignore", divide="ignore"):
            rs = np.where(rneed > 0, rcov / np.maximum(rneed, 1), np.nan)
        rs[:, nodata] = np.nan
        ind.realised_served_share = rs
        if "share_low" in rc and "share_high" in rc:
            ind.realised_low = _served_weighted(res, rc["share_low"], rc["needed"], nodata)
            ind.realised_high = _served_weighted(res, rc["share_high"], rc["needed"], nodata)
    scen._ind = ind
    return ind


def _served_weighted(res, share_cg, needed_cg, nodata):
    """A per-group share table (R x C*G) as the served groups' share (R x C), each group
    weighted by its residents who needed the category (the bands are per group in the
    file; weighted by the same counts, they bracket the central served share)."""
    w = np.asarray(needed_cg, dtype=float)
    num = _served_sum(res, np.nan_to_num(np.asarray(share_cg, dtype=float)) * w)
    den = _served_sum(res, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.maximum(den, 1), np.nan)
    out[:, nodata] = np.nan
    return out


def _complete(res, scen, cats):
    """Residents (R x G) with every category of ``cats`` within its limit, and the
    share; the engine's rule (src/access/coverage.c) over a chosen category set."""
    n_g = len(res.groups)
    near = scen.nearest_cm
    ok = np.ones((res.n_nodes, n_g), dtype=bool)
    for cat in res.categories:
        if not cats[cat.row]:
            continue
        d = near[:, cat.row]
        for g in res.groups:
            ok[:, g.row] &= (d >= 0) & (d <= limit_cm(cat.threshold_min, g.speed_m_s))
    resid = res.residents
    comp = lc.sum_by_row(res, np.where(ok, resid, 0))
    tot = lc.sum_by_row(res, resid)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(tot > 0, comp / np.maximum(tot, 1), np.nan)
    return comp.astype(np.int64), share


def comparison_served(res, name):
    """Served gains of scenario ``name``: dict of R x C arrays ``newly``,
    ``lost`` and, when the agents ran, ``realised_newly``, ``realised_lost``,
    ``realised_low``, ``realised_high`` (net realised gain band); ``source``."""
    cache = res.__dict__.setdefault("_cmp_served", {})
    if name in cache:
        return cache[name]
    f = res._f
    grp = f["Comparisons"][name] if res.has_comparison(name) else None
    out = {}
    if grp is not None and "served_newly_covered" in grp:
        out["newly"] = grp["served_newly_covered"][()]
        out["lost"] = grp["served_no_longer_covered"][()]
        out["source"] = "file"
    else:
        cmp_ = res.comparison(name)
        out["newly"] = _served_sum(res, cmp_["newly_covered"])
        out["lost"] = _served_sum(res, cmp_["no_longer_covered"])
        out["source"] = "derived"
    for key, fallback in (("realised_newly", "realised_newly_covered"),
                          ("realised_lost", "realised_no_longer_covered")):
        served_key = "realised_served_" + fallback.split("realised_")[1]
        if grp is not None and served_key in grp:
            out[key] = grp[served_key][()]
        elif grp is not None and fallback in grp:
            out[key] = _served_sum(res, grp[fallback][()])
        else:
            out[key] = None
    for key in ("low", "high"):
        ds = "realised_served_gain_" + key
        out["realised_" + key] = grp[ds][()] if grp is not None and ds in grp else None
    cache[name] = out
    return out
