/* Housing scenarios: residents added to or removed from the baseline population at a point
 * (snapped to its nearest node like a facility) or in polygons (the nodes inside them),
 * split into groups by a given mix or the area's own, with integer counts that add up
 * exactly (largest remainder). A removal never takes more residents of a group than the
 * place has. See scenario_apply_population in scenario.h. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/log.h"
#include "lifecircle/scenario.h"
#include "lifecircle/status.h"
#include "scenario_internal.h"

/* Distance used to find a point's nearest node with facility_snap without its exclusion
 * (the limit is checked here, as an error of the scenario). */
#define POPULATION_EDIT_SNAP_ANY_M 1.0e8

static int population_edit_fail(int status, const struct scenario *sc,
                                const struct scenario_edit *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int population_edit_fail(int status, const struct scenario *sc,
                                const struct scenario_edit *e, const char *fmt, ...) {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  return lc_error_set(status, __FILE__, __LINE__, "%s:%d:%d: scenario %s: %s", sc->file, e->line,
                      e->column, sc->name, text);
}

/* A deep copy of a population. */
static int population_edit_copy(const struct population *src, struct population *dst) {
  memset(dst, 0, sizeof *dst);
  size_t n = (size_t)(src->n_nodes > 0 ? src->n_nodes : 1), G = (size_t)src->n_groups;
  size_t S = (size_t)(src->n_subdistricts > 0 ? src->n_subdistricts : 1);
  dst->n_nodes = src->n_nodes;
  dst->n_groups = src->n_groups;
  dst->n_subdistricts = src->n_subdistricts;
  dst->subdistrict = malloc(n * sizeof *dst->subdistrict);
  dst->weight = malloc(n * sizeof *dst->weight);
  dst->residents = malloc(n * sizeof *dst->residents);
  dst->by_group = malloc(n * G * sizeof *dst->by_group + 1);
  dst->sub_residents = malloc(S * sizeof *dst->sub_residents);
  dst->sub_group = malloc(S * G * sizeof *dst->sub_group + 1);
  dst->sub_nodes = malloc(S * sizeof *dst->sub_nodes);
  if (!dst->subdistrict || !dst->weight || !dst->residents || !dst->by_group ||
      !dst->sub_residents || !dst->sub_group || !dst->sub_nodes) {
    population_free(dst);
    LC_FAIL(LC_ENOMEM, "out of memory copying the population (%" PRId64 " nodes)", src->n_nodes);
  }
  size_t nn = (size_t)src->n_nodes, ns = (size_t)src->n_subdistricts;
  memcpy(dst->subdistrict, src->subdistrict, nn * sizeof *dst->subdistrict);
  memcpy(dst->weight, src->weight, nn * sizeof *dst->weight);
  memcpy(dst->residents, src->residents, nn * sizeof *dst->residents);
  memcpy(dst->by_group, src->by_group, nn * G * sizeof *dst->by_group);
  memcpy(dst->sub_residents, src->sub_residents, ns * sizeof *dst->sub_residents);
  memcpy(dst->sub_group, src->sub_group, ns * G * sizeof *dst->sub_group);
  memcpy(dst->sub_nodes, src->sub_nodes, ns * sizeof *dst->sub_nodes);
  return LC_OK;
}

/* The nodes of an edit's place: the point's nearest node, or every node inside the
 * polygons, in ascending order. */
static int population_edit_nodes(const struct scenario *sc, const struct scenario_edit *e,
                                 const struct graph *g, double max_snap_m, int64_t *nodes,
                                 int64_t *n) {
  *n = 0;
  if (!e->within) {
    struct facility_set pt;
    facility_init(&pt);
    int st = facility_add(&pt, e->lon, e->lat, 0, 0, "housing", "", 0, 0, 1);
    if (st == LC_OK)
      st = facility_snap(&pt, g, POPULATION_EDIT_SNAP_ANY_M, NULL);
    if (st == LC_OK && (double)pt.snap_cm[0] / 100.0 > max_snap_m)
      st = population_edit_fail(LC_EPARAM, sc, e,
                                "the place (%.6f, %.6f) is %.1f m from the nearest "
                                "network node, beyond Facilities:max_snap_m = %.1f m",
                                e->lon, e->lat, (double)pt.snap_cm[0] / 100.0, max_snap_m);
    if (st == LC_OK)
      nodes[(*n)++] = pt.node[0];
    facility_free(&pt);
    return st;
  }
  for (int64_t i = 0; i < g->n_nodes; i++)
    for (int p = 0; p < e->within->n; p++)
      if (geom_contains(e->within, p, g->lon[i], g->lat[i])) {
        nodes[(*n)++] = i;
        break;
      }
  if (*n == 0)
    return population_edit_fail(LC_EPARAM, sc, e, "no node of the walking graph lies inside %s",
                                e->within->file ? e->within->file : "the polygon");
  return LC_OK;
}

/* The residents of each group of one edit, by largest remainder over its mix; without one,
 * an addition takes the baseline's mix of the area (the subdistrict holding most of its
 * nodes, the whole area when that is outside every subdistrict) and a removal the mix of the
 * residents at its nodes (after earlier removals). */
static int population_edit_groups(const struct scenario *sc, const struct scenario_edit *e,
                                  const struct population *base, const struct population *pop,
                                  const struct group_set *groups, const int64_t *nodes, int64_t n,
                                  int64_t *per_group) {
  int G = pop->n_groups, S = pop->n_subdistricts;
  double *w = lc_calloc_array(G, sizeof *w);
  int64_t *votes = calloc((size_t)S + 1, sizeof *votes);
  int st = w && votes ? LC_OK : LC_ENOMEM;
  if (st == LC_OK && e->n_mix > 0) {
    for (int k = 0; k < e->n_mix && st == LC_OK; k++) {
      int gi = group_find(groups, e->mix_id[k]);
      if (gi < 0)
        st = population_edit_fail(LC_EPARAM, sc, e, "groups: '%s' is not a group of %s",
                                  e->mix_id[k], groups->file ? groups->file : "the groups file");
      else
        w[gi] += e->mix_share[k];
    }
  } else if (st == LC_OK && e->kind == SCENARIO_REMOVE_RESIDENTS) {
    /* A removal takes the place's own residents in their own mix. */
    int64_t have = 0;
    for (int64_t k = 0; k < n; k++)
      for (int g = 0; g < G; g++) {
        w[g] += (double)pop->by_group[nodes[k] * G + g];
        have += pop->by_group[nodes[k] * G + g];
      }
    if (e->residents > have)
      st = population_edit_fail(LC_EPARAM, sc, e,
                                "removes %" PRId64 " residents but the place (%" PRId64
                                " node%s) has only %" PRId64 ": a node would go negative",
                                e->residents, n, n == 1 ? "" : "s", have);
  } else if (st == LC_OK) {
    /* votes[S] counts nodes outside every subdistrict. */
    for (int64_t k = 0; k < n; k++) {
      int32_t s = pop->subdistrict[nodes[k]];
      votes[s >= 0 && s < S ? s : S]++;
    }
    int best = S;
    for (int s = 0; s <= S; s++)
      if (votes[s] > votes[best] || (votes[s] == votes[best] && s < best))
        best = s;
    for (int g = 0; g < G; g++) {
      if (best < S) {
        w[g] = (double)base->sub_group[(size_t)best * G + g];
      } else {
        for (int s = 0; s < S; s++)
          w[g] += (double)base->sub_group[(size_t)s * G + g];
      }
    }
  }
  if (st == LC_OK) {
    double sum = 0;
    for (int g = 0; g < G; g++)
      sum += w[g];
    if (!(sum > 0))
      st = population_edit_fail(LC_EPARAM, sc, e,
                                "the area has no residents to take a group mix from: "
                                "give groups (group id: share)");
  }
  if (st == LC_OK)
    st = population_largest_remainder(e->residents, w, G, per_group);
  free(w);
  free(votes);
  return st;
}

/* Spreads each group's residents of one edit over its nodes: equally for an addition, in
 * proportion to the node's residents of the group for a removal. */
static int population_edit_spread(const struct scenario *sc, const struct scenario_edit *e,
                                  const struct group_set *groups, struct population *out,
                                  const int64_t *nodes, int64_t n, const int64_t *per_group,
                                  double *w, int64_t *share) {
  int G = out->n_groups, add = e->kind == SCENARIO_ADD_RESIDENTS;
  for (int gi = 0; gi < G; gi++) {
    if (per_group[gi] == 0)
      continue;
    double have = 0;
    for (int64_t k = 0; k < n; k++) {
      w[k] = add ? 1.0 : (double)out->by_group[nodes[k] * G + gi];
      have += add ? 0 : w[k];
    }
    if (!add && (double)per_group[gi] > have)
      return population_edit_fail(LC_EPARAM, sc, e,
                                  "removes %" PRId64 " residents of group '%s' but the "
                                  "place (%" PRId64
                                  " node%s) has only %.0f: a node would go negative",
                                  per_group[gi], groups->g[gi].id, n, n == 1 ? "" : "s", have);
    LC_CHECK(population_largest_remainder(per_group[gi], w, n, share));
    for (int64_t k = 0; k < n; k++) {
      int64_t i = nodes[k], d = add ? share[k] : -share[k];
      out->by_group[i * G + gi] += d;
      out->residents[i] += d;
      int32_t s = out->subdistrict[i];
      if (s >= 0 && s < out->n_subdistricts) {
        out->sub_group[(size_t)s * G + gi] += d;
        out->sub_residents[s] += d;
      }
    }
  }
  return LC_OK;
}

/* Applies one edit (an addition or a removal) to `out`. */
static int population_edit_edit(const struct scenario *sc, const struct scenario_edit *e,
                                const struct graph *g, const struct group_set *groups,
                                double max_snap_m, const struct population *base,
                                struct population *out, int64_t *nodes, double *w, int64_t *share) {
  int G = out->n_groups;
  int64_t n = 0;
  int64_t *per_group = lc_malloc_array(G, sizeof *per_group);
  if (!per_group)
    return LC_ENOMEM;
  int st = population_edit_nodes(sc, e, g, max_snap_m, nodes, &n);
  if (st == LC_OK)
    st = population_edit_groups(sc, e, base, out, groups, nodes, n, per_group);
  if (st == LC_OK)
    st = population_edit_spread(sc, e, groups, out, nodes, n, per_group, w, share);
  free(per_group);
  return st;
}

int scenario_apply_population(const struct scenario *sc, const struct graph *g,
                              const struct population *base, const struct group_set *groups,
                              double max_snap_m, struct population *out,
                              struct scenario_effect *effect) {
  memset(out, 0, sizeof *out);
  effect->population_changed = 0;
  effect->residents_added = effect->residents_removed = 0;
  int any = 0;
  for (int i = 0; i < sc->n_edits; i++)
    any |= sc->edits[i].kind == SCENARIO_ADD_RESIDENTS ||
           sc->edits[i].kind == SCENARIO_REMOVE_RESIDENTS;
  if (!any)
    return LC_OK;
  if (base->n_nodes != g->n_nodes || base->n_groups != groups->n)
    LC_FAIL(LC_EINVARIANT,
            "scenario %s: the population (%" PRId64 " nodes, %d groups) does "
            "not match the graph (%" PRId64 " nodes) and groups (%d)",
            sc->name, base->n_nodes, base->n_groups, g->n_nodes, groups->n);
  size_t n = (size_t)(g->n_nodes > 0 ? g->n_nodes : 1);
  int64_t *nodes = malloc(n * sizeof *nodes), *share = malloc(n * sizeof *share);
  double *w = malloc(n * sizeof *w);
  int st = nodes && share && w ? LC_OK : LC_ENOMEM;
  if (st == LC_OK)
    st = population_edit_copy(base, out);
  static const enum scenario_kind order[2] = {SCENARIO_REMOVE_RESIDENTS, SCENARIO_ADD_RESIDENTS};
  for (int pass = 0; pass < 2 && st == LC_OK; pass++)
    for (int i = 0; i < sc->n_edits && st == LC_OK; i++) {
      const struct scenario_edit *e = &sc->edits[i];
      if (e->kind != order[pass])
        continue;
      st = population_edit_edit(sc, e, g, groups, max_snap_m, base, out, nodes, w, share);
      if (st == LC_OK && pass == 0)
        effect->residents_removed += e->residents;
      else if (st == LC_OK)
        effect->residents_added += e->residents;
    }
  free(nodes);
  free(share);
  free(w);
  if (st != LC_OK) {
    population_free(out);
    return st;
  }
  effect->population_changed = 1;
  log_debug("scenario %s: %" PRId64 " residents added, %" PRId64 " removed", sc->name,
            effect->residents_added, effect->residents_removed);
  return LC_OK;
}
