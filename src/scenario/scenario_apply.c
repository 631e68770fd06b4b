/* Applying a scenario to the baseline: facility edits on a copy of the baseline's facility
 * set (rows kept comparable: removed rows stay, excluded), then network edits on a copy of
 * the graph (same nodes; closed ways lose their edges; links join the nodes nearest to
 * their ends). Every reference to the baseline is checked and a failure names the scenario
 * file and the line of the edit. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/geo.h"
#include "lifecircle/log.h"
#include "lifecircle/scenario.h"
#include "lifecircle/status.h"
#include "scenario_internal.h"

/* Snapping distance used to find link ends and candidates with facility_snap without its
 * exclusion (the caller checks the distance against the real limit). */
#define SCENARIO_SNAP_ANY_M 1.0e8

/* Records "file:line: message" for an edit and returns status. */
static int apply_fail(int status, const struct scenario *sc, const struct scenario_edit *e,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int apply_fail(int status, const struct scenario *sc, const struct scenario_edit *e,
                      const char *fmt, ...) {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  return lc_error_set(status, __FILE__, __LINE__, "%s:%d:%d: scenario %s: %s", sc->file, e->line,
                      e->column, sc->name, text);
}

/* What happened to each baseline row: the line of the edit that removed or relocated it. */
struct apply_state {
  int *removed_by;
  int *moved_by;
};

/* Calls fn for every baseline row the edit selects; fails naming the edit when none is. */
static int apply_select(const struct scenario *sc, const struct scenario_edit *e,
                        const struct category_set *cats, const struct facility_set *base,
                        struct apply_state *stt, int64_t *rows, int64_t *n_rows) {
  *n_rows = 0;
  const char *catname = e->category >= 0 ? cats->c[e->category].id : NULL;
  if (e->row >= 0) {
    if (e->row >= base->n)
      return apply_fail(LC_EPARAM, sc, e,
                        "facility row %" PRId64 " does not exist (the baseline "
                        "has %" PRId64 " facilities, rows 0..%" PRId64 ")",
                        e->row, base->n, base->n - 1);
    if (catname && base->category[e->row] != e->category)
      return apply_fail(LC_EPARAM, sc, e,
                        "facility row %" PRId64 " (%s) is of category %s, not "
                        "%s",
                        e->row, base->source_id[e->row], cats->c[base->category[e->row]].id,
                        catname);
    rows[(*n_rows)++] = e->row;
  } else if (e->source_id) {
    for (int64_t f = 0; f < base->n; f++)
      if (!strcmp(base->source_id[f], e->source_id) &&
          (e->category < 0 || base->category[f] == e->category))
        rows[(*n_rows)++] = f;
    if (*n_rows == 0)
      return apply_fail(LC_EPARAM, sc, e, "source id '%s' names no baseline facility%s%s",
                        e->source_id, catname ? " of category " : "", catname ? catname : "");
  } else {
    for (int64_t f = 0; f < base->n; f++) {
      if (e->category >= 0 && base->category[f] != e->category)
        continue;
      if (stt->removed_by[f])
        continue; /* Removed by an earlier edit (or overlapping polygons): skipped. */
      for (int p = 0; p < e->within->n; p++)
        if (geom_contains(e->within, p, base->lon[f], base->lat[f])) {
          rows[(*n_rows)++] = f;
          break;
        }
    }
    if (*n_rows == 0)
      return apply_fail(LC_EPARAM, sc, e, "no baseline facility%s%s lies within %s",
                        catname ? " of category " : "", catname ? catname : "",
                        e->within->file ? e->within->file : "the polygon");
  }
  return LC_OK;
}

/* Snaps a temporary set of facilities at the scenario's limit; sets their node, snap_cm and
 * excluded. */
static int apply_snap(struct facility_set *fs, const struct graph *g, double max_snap_m) {
  if (fs->n == 0)
    return LC_OK;
  return facility_snap(fs, g, max_snap_m, NULL);
}

/* Removals, relocations and changes of baseline rows, in that order. */
static int apply_rows(const struct scenario *sc, const struct category_set *cats,
                      const struct graph *g, const struct facility_set *base,
                      struct facility_set *out, struct apply_state *stt,
                      struct scenario_effect *eff, double max_snap_m) {
  size_t nb = (size_t)(base->n > 0 ? base->n : 1);
  int64_t *rows = malloc(nb * sizeof *rows);
  int64_t *moved_row = malloc(nb * sizeof *moved_row);
  const struct scenario_edit **moved_edit = malloc(nb * sizeof *moved_edit);
  struct facility_set moved;
  facility_init(&moved);
  int st = LC_OK;
  if (!rows || !moved_row || !moved_edit) {
    st =
        lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory applying scenario %s", sc->name);
    goto done;
  }
  for (int pass = SCENARIO_REMOVE; pass <= SCENARIO_CHANGE; pass++) {
    for (int i = 0; i < sc->n_edits; i++) {
      const struct scenario_edit *e = &sc->edits[i];
      if ((int)e->kind != pass)
        continue;
      int64_t n;
      LC_CHECK_GOTO(st, apply_select(sc, e, cats, base, stt, rows, &n), done);
      for (int64_t r = 0; r < n; r++) {
        int64_t f = rows[r];
        if (stt->removed_by[f]) {
          st = apply_fail(LC_EPARAM, sc, e,
                          "facility row %" PRId64 " (%s) is already removed by "
                          "the edit at line %d",
                          f, base->source_id[f], stt->removed_by[f]);
          goto done;
        }
        if (e->kind == SCENARIO_REMOVE) {
          stt->removed_by[f] = e->line;
          if (!base->excluded[f])
            eff->category_changed[base->category[f]] = 1;
          out->excluded[f] = 1;
          eff->facilities_removed++;
        } else if (e->kind == SCENARIO_RELOCATE) {
          if (stt->moved_by[f]) {
            st = apply_fail(LC_EPARAM, sc, e,
                            "facility row %" PRId64 " (%s) is already relocated "
                            "by the edit at line %d",
                            f, base->source_id[f], stt->moved_by[f]);
            goto done;
          }
          stt->moved_by[f] = e->line;
          out->lon[f] = e->lon;
          out->lat[f] = e->lat;
          LC_CHECK_GOTO(st,
                        facility_add(&moved, e->lon, e->lat, base->category[f], base->layer[f],
                                     base->source_id[f], base->name[f], base->capacity[f],
                                     base->open_min[f], base->close_min[f]),
                        done);
          moved_row[moved.n - 1] = f;
          moved_edit[moved.n - 1] = e;
          eff->facilities_moved++;
        } else {
          int32_t op = e->open_min >= 0 ? e->open_min : out->open_min[f];
          int32_t cl = e->close_min >= 0 ? e->close_min : out->close_min[f];
          if (cl <= op) {
            st = apply_fail(LC_EPARAM, sc, e,
                            "facility row %" PRId64 " (%s) would close at "
                            "%02d:%02d, not after it opens at %02d:%02d",
                            f, base->source_id[f], cl / 60, cl % 60, op / 60, op % 60);
            goto done;
          }
          out->open_min[f] = op;
          out->close_min[f] = cl;
          if (e->capacity >= 0)
            out->capacity[f] = e->capacity;
          eff->facilities_changed++;
        }
      }
    }
  }
  /* New positions snap like the baseline's facilities; one beyond the limit is an error of
   * the scenario, not a silent exclusion. */
  LC_CHECK_GOTO(st, apply_snap(&moved, g, max_snap_m), done);
  for (int64_t k = 0; k < moved.n; k++) {
    int64_t f = moved_row[k];
    if (moved.excluded[k]) {
      st = apply_fail(LC_EPARAM, sc, moved_edit[k],
                      "the new position of facility row %" PRId64
                      " (%s) is %.1f m from the nearest network node, beyond Facilities:"
                      "max_snap_m = %.1f m",
                      f, base->source_id[f], (double)moved.snap_cm[k] / 100.0, max_snap_m);
      goto done;
    }
    out->node[f] = moved.node[k];
    out->snap_cm[f] = moved.snap_cm[k];
    out->excluded[f] = 0;
    eff->category_changed[base->category[f]] = 1;
  }
done:
  free(rows);
  free(moved_row);
  free(moved_edit);
  facility_free(&moved);
  return st;
}

/* Added facilities, appended after the baseline's rows in the order of the file. */
static int apply_add(const struct scenario *sc, const struct category_set *cats,
                     const struct graph *g, struct facility_set *out, struct scenario_effect *eff,
                     double max_snap_m) {
  struct facility_set add;
  facility_init(&add);
  int st = LC_OK;
  int64_t n_edit_rows = 0;
  const struct scenario_edit **edit_of = NULL;
  for (int i = 0; i < sc->n_edits; i++)
    if (sc->edits[i].kind == SCENARIO_ADD_POINT)
      n_edit_rows++;
    else if (sc->edits[i].kind == SCENARIO_ADD_LAYER)
      n_edit_rows += sc->edits[i].layer.n;
  if (n_edit_rows == 0)
    return LC_OK;
  edit_of = malloc((size_t)n_edit_rows * sizeof *edit_of);
  if (!edit_of)
    LC_FAIL(LC_ENOMEM, "out of memory applying scenario %s", sc->name);
  int64_t n_points = 0;
  for (int i = 0; i < sc->n_edits; i++) {
    const struct scenario_edit *e = &sc->edits[i];
    if (e->kind == SCENARIO_ADD_POINT) {
      const struct category *c = &cats->c[e->category];
      char id[64];
      n_points++;
      if (!e->id)
        snprintf(id, sizeof id, "add/%" PRId64, n_points);
      LC_CHECK_GOTO(st,
                    facility_add(&add, e->lon, e->lat, e->category, SCENARIO_LAYER_ADDED,
                                 e->id ? e->id : id, e->name ? e->name : "",
                                 e->capacity >= 0 ? e->capacity : c->capacity,
                                 e->open_min >= 0 ? e->open_min : c->open_min,
                                 e->close_min >= 0 ? e->close_min : c->close_min),
                    done);
      edit_of[add.n - 1] = e;
    } else if (e->kind == SCENARIO_ADD_LAYER) {
      const struct facility_set *l = &e->layer;
      for (int64_t k = 0; k < l->n; k++) {
        LC_CHECK_GOTO(st,
                      facility_add(&add, l->lon[k], l->lat[k], l->category[k], SCENARIO_LAYER_ADDED,
                                   l->source_id[k], l->name[k], l->capacity[k], l->open_min[k],
                                   l->close_min[k]),
                      done);
        edit_of[add.n - 1] = e;
      }
    }
  }
  LC_CHECK_GOTO(st, apply_snap(&add, g, max_snap_m), done);
  for (int64_t k = 0; k < add.n; k++) {
    const struct scenario_edit *e = edit_of[k];
    if (add.excluded[k] && e->kind == SCENARIO_ADD_POINT) {
      st = apply_fail(LC_EPARAM, sc, e,
                      "the added facility at (%.6f, %.6f) is %.1f m from the "
                      "nearest network node, beyond Facilities:max_snap_m = %.1f m",
                      add.lon[k], add.lat[k], (double)add.snap_cm[k] / 100.0, max_snap_m);
      goto done;
    }
    /* Points of a layer file beyond the limit are excluded and listed, as in the baseline. */
    LC_CHECK_GOTO(st,
                  facility_add(out, add.lon[k], add.lat[k], add.category[k], add.layer[k],
                               add.source_id[k], add.name[k], add.capacity[k], add.open_min[k],
                               add.close_min[k]),
                  done);
    out->node[out->n - 1] = add.node[k];
    out->snap_cm[out->n - 1] = add.snap_cm[k];
    out->excluded[out->n - 1] = add.excluded[k];
    if (!add.excluded[k])
      eff->category_changed[add.category[k]] = 1;
    eff->facilities_added++;
  }
done:
  free(edit_of);
  facility_free(&add);
  return st;
}

/* Network edits: closed ways lose their edges, then links are appended. */
static int apply_network(const struct scenario *sc, const struct graph *gb, double max_snap_m,
                         struct graph *gout, struct scenario_effect *eff) {
  int n_close = 0, n_link = 0;
  for (int i = 0; i < sc->n_edits; i++) {
    n_close += sc->edits[i].kind == SCENARIO_CLOSE_WAY;
    n_link += sc->edits[i].kind == SCENARIO_ADD_LINK;
  }
  if (n_close + n_link == 0)
    return LC_OK;
  int64_t m = gb->n_edges;
  uint8_t *drop = lc_calloc_array(m, 1);
  int64_t *lu = lc_malloc_array(n_link, 3 * sizeof *lu);
  struct facility_set ends;
  facility_init(&ends);
  int st = LC_OK;
  if (!drop || !lu) {
    st =
        lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory applying scenario %s", sc->name);
    goto done;
  }
  for (int i = 0; i < sc->n_edits; i++) {
    const struct scenario_edit *e = &sc->edits[i];
    if (e->kind != SCENARIO_CLOSE_WAY)
      continue;
    int64_t hit = 0;
    for (int64_t k = 0; k < m; k++)
      if (gb->way_id[k] == e->way_id) {
        if (!drop[k])
          eff->edges_closed++;
        drop[k] = 1;
        hit++;
      }
    if (hit == 0) {
      st = apply_fail(LC_EPARAM, sc, e, "way %" PRId64 " does not exist in the walking graph",
                      e->way_id);
      goto done;
    }
  }
  /* Link ends snap to their nearest nodes, found by facility_snap's exact search. */
  for (int i = 0; i < sc->n_edits; i++) {
    const struct scenario_edit *e = &sc->edits[i];
    if (e->kind != SCENARIO_ADD_LINK)
      continue;
    LC_CHECK_GOTO(st, facility_add(&ends, e->lon, e->lat, 0, 0, "from", "", 0, 0, 1), done);
    LC_CHECK_GOTO(st, facility_add(&ends, e->lon2, e->lat2, 0, 0, "to", "", 0, 0, 1), done);
  }
  if (n_link > 0)
    LC_CHECK_GOTO(st, facility_snap(&ends, gb, SCENARIO_SNAP_ANY_M, NULL), done);
  int l = 0;
  for (int i = 0; i < sc->n_edits; i++) {
    const struct scenario_edit *e = &sc->edits[i];
    if (e->kind != SCENARIO_ADD_LINK)
      continue;
    for (int end = 0; end < 2; end++) {
      double d = (double)ends.snap_cm[2 * l + end] / 100.0;
      if (d > max_snap_m) {
        st = apply_fail(LC_EPARAM, sc, e,
                        "the link's %s end is %.1f m from the nearest network "
                        "node, beyond Facilities:max_snap_m = %.1f m",
                        end ? "to" : "from", d, max_snap_m);
        goto done;
      }
    }
    int64_t a = ends.node[2 * l], b = ends.node[2 * l + 1];
    if (a == b) {
      st = apply_fail(LC_EPARAM, sc, e,
                      "both ends of the link snap to the same node %" PRId64 " (OSM %" PRId64
                      "): a link must join two different nodes",
                      a, gb->osm_id[a]);
      goto done;
    }
    int64_t len = e->length_cm;
    if (len < 0) {
      LC_CHECK_GOTO(st, geo_distance_cm(gb->lon[a], gb->lat[a], gb->lon[b], gb->lat[b], &len),
                    done);
      if (len < 1)
        len = 1; /* Two distinct nodes at the same position: the shortest edge allowed. */
    }
    lu[3 * l] = a;
    lu[3 * l + 1] = b;
    lu[3 * l + 2] = len;
    l++;
  }
  /* The edited graph: same nodes, kept edges in order, then the links. */
  int64_t kept = 0;
  for (int64_t k = 0; k < m; k++)
    kept += !drop[k];
  int64_t m2 = kept + n_link;
  LC_CHECK_GOTO(st, graph_alloc(gout, gb->n_nodes, m2), done);
  memcpy(gout->lon, gb->lon, (size_t)gb->n_nodes * sizeof *gout->lon);
  memcpy(gout->lat, gb->lat, (size_t)gb->n_nodes * sizeof *gout->lat);
  memcpy(gout->osm_id, gb->osm_id, (size_t)gb->n_nodes * sizeof *gout->osm_id);
  int64_t np = 0;
  if (gb->geom_off) {
    for (int64_t k = 0; k < m; k++)
      if (!drop[k])
        np += gb->geom_off[k + 1] - gb->geom_off[k];
    np += 2 * (int64_t)n_link;
    gout->geom_off = malloc((size_t)(m2 + 1) * sizeof *gout->geom_off);
    gout->geom_lon = lc_malloc_array(np, sizeof *gout->geom_lon);
    gout->geom_lat = lc_malloc_array(np, sizeof *gout->geom_lat);
    if (!gout->geom_off || !gout->geom_lon || !gout->geom_lat) {
      st = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory applying scenario %s",
                        sc->name);
      goto done;
    }
    gout->geom_off[0] = 0;
  }
  int64_t j = 0, p = 0;
  for (int64_t k = 0; k < m; k++) {
    if (drop[k])
      continue;
    gout->u[j] = gb->u[k];
    gout->v[j] = gb->v[k];
    gout->length_cm[j] = gb->length_cm[k];
    gout->cost_cm[j] = gb->cost_cm ? gb->cost_cm[k] : gb->length_cm[k];
    gout->way_id[j] = gb->way_id[k];
    if (gb->geom_off) {
      for (int64_t q = gb->geom_off[k]; q < gb->geom_off[k + 1]; q++) {
        gout->geom_lon[p] = gb->geom_lon[q];
        gout->geom_lat[p] = gb->geom_lat[q];
        p++;
      }
      gout->geom_off[j + 1] = p;
    }
    j++;
  }
  for (int k = 0; k < n_link; k++) {
    int64_t a = lu[3 * k], b = lu[3 * k + 1];
    gout->u[j] = a;
    gout->v[j] = b;
    gout->length_cm[j] = gout->cost_cm[j] = lu[3 * k + 2];
    gout->way_id[j] = -1;
    if (gb->geom_off) {
      gout->geom_lon[p] = gb->lon[a];
      gout->geom_lat[p] = gb->lat[a];
      gout->geom_lon[p + 1] = gb->lon[b];
      gout->geom_lat[p + 1] = gb->lat[b];
      p += 2;
      gout->geom_off[j + 1] = p;
    }
    j++;
  }
  eff->links_added = n_link;
  eff->network_changed = 1;
  LC_CHECK_GOTO(st, graph_build_csr(gout), done);
done:
  if (st != LC_OK)
    graph_free(gout);
  free(drop);
  free(lu);
  facility_free(&ends);
  return st;
}

int scenario_apply(const struct scenario *sc, const struct category_set *cats,
                   const struct graph *g_base, const struct facility_set *fac_base,
                   double max_snap_m, struct graph *g_out, struct facility_set *fac_out,
                   struct scenario_effect *effect) {
  memset(effect, 0, sizeof *effect);
  graph_init(g_out);
  facility_init(fac_out);
  struct apply_state stt = {NULL, NULL};
  size_t nb = (size_t)(fac_base->n > 0 ? fac_base->n : 1);
  effect->category_changed = lc_calloc_array(cats->n, 1);
  stt.removed_by = calloc(nb, sizeof *stt.removed_by);
  stt.moved_by = calloc(nb, sizeof *stt.moved_by);
  int st = LC_OK;
  if (!effect->category_changed || !stt.removed_by || !stt.moved_by) {
    st =
        lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory applying scenario %s", sc->name);
    goto done;
  }
  LC_CHECK_GOTO(st, facility_copy(fac_base, fac_out), done);
  LC_CHECK_GOTO(st, apply_rows(sc, cats, g_base, fac_base, fac_out, &stt, effect, max_snap_m),
                done);
  LC_CHECK_GOTO(st, apply_add(sc, cats, g_base, fac_out, effect, max_snap_m), done);
  LC_CHECK_GOTO(st, apply_network(sc, g_base, max_snap_m, g_out, effect), done);
  log_debug("scenario %s: %" PRId64 " facilities added, %" PRId64 " removed, %" PRId64
            " moved, %" PRId64 " changed; %" PRId64 " links added, %" PRId64 " edges closed",
            sc->name, effect->facilities_added, effect->facilities_removed,
            effect->facilities_moved, effect->facilities_changed, effect->links_added,
            effect->edges_closed);
done:
  free(stt.removed_by);
  free(stt.moved_by);
  if (st != LC_OK) {
    facility_free(fac_out);
    graph_free(g_out);
    scenario_effect_free(effect);
  }
  return st;
}
