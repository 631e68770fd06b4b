/* The main job, phase three: the results file (layout in src/results/FORMAT.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/graph_io.h"
#include "lifecircle/log.h"
#include "lifecircle/results.h"
#include "lifecircle/status.h"
#include "run.h"

#define RUN_OSM_ATTRIBUTION \
  "Map data (c) OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"

static int run_write_header(struct run_ctx *run, struct results *res) {
  char when[64];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  LC_CHECK(results_attr_str(res, "/Header", "kind", "results"));
  LC_CHECK(results_attr_str(res, "/Header", "run_name", run->name));
  LC_CHECK(results_attr_str(res, "/Header", "created", when));
  LC_CHECK(results_attr_str(res, "/Header", "graph", run->graph_source));
  LC_CHECK(results_attr_str(res, "/Header", "attribution", RUN_OSM_ATTRIBUTION));
  LC_CHECK(results_attr_i64(res, "/Header", "ranks", run->size));
  LC_CHECK(results_attr_i64(res, "/Header", "threads", run->threads));
  LC_CHECK(results_attr_i64(res, "/Header", "seed", run->seed));
  LC_CHECK(results_attr_i64(res, "/Header", "partition_seed", run->part_seed));
  LC_CHECK(results_attr_str(res, "/Header", "report_title", run->report_title));
  LC_CHECK(results_attr_str(res, "/Header", "life_circle", run->life_circle));
  LC_CHECK(results_attr_str(res, "/Header", "zone_label", run->zone_label));
  LC_CHECK(results_attr_str(res, "/Header", "languages", run->languages));
  LC_CHECK(results_attr_str(res, "/Header", "population_status",
                            run->pop_illustrative ? "ILLUSTRATIVE" : "as given"));
  LC_CHECK(graph_io_write_code(res->file));
  char *used = NULL;
  LC_CHECK(params_used_yaml(&run->params, &used));
  int st =
      results_write_text(res, "/Parameters/given", run->params.text, "the parameter file as given");
  if (st == LC_OK)
    st = results_write_text(res, "/Parameters/used", used,
                            "every parameter read, with the value used (defaults included)");
  free(used);
  return st;
}

static int run_write_graph(struct run_ctx *run, struct results *res) {
  const struct graph *g = &run->g;
  int64_t n = g->n_nodes, m = g->n_edges;
  LC_CHECK(results_write_replicated(res, "/Graph/nodes/lon", H5IO_F64, g->lon, n, 0, "degree",
                                    "node longitude, WGS84"));
  LC_CHECK(results_write_replicated(res, "/Graph/nodes/lat", H5IO_F64, g->lat, n, 0, "degree",
                                    "node latitude, WGS84"));
  LC_CHECK(results_write_replicated(res, "/Graph/nodes/osm_id", H5IO_I64, g->osm_id, n, 0, "1",
                                    "OpenStreetMap node id (DIMACS: node number)"));
  int64_t *owner = lc_malloc_array(n, sizeof *owner);
  if (!owner)
    return LC_ENOMEM;
  for (int64_t i = 0; i < n; i++)
    owner[i] = run->part[i];
  int st = results_write_replicated(res, "/Graph/nodes/owner_rank", H5IO_I64, owner, n, 0, "1",
                                    "MPI rank that owned the node in this run");
  free(owner);
  LC_CHECK(st);
  LC_CHECK(results_write_replicated(res, "/Graph/edges/u", H5IO_I64, g->u, m, 0, "1",
                                    "first end node (0-based row of /Graph/nodes)"));
  LC_CHECK(results_write_replicated(res, "/Graph/edges/v", H5IO_I64, g->v, m, 0, "1",
                                    "second end node (0-based row of /Graph/nodes)"));
  LC_CHECK(results_write_replicated(res, "/Graph/edges/length_cm", H5IO_I64, g->length_cm, m, 0,
                                    "cm", "geodesic length along the edge's geometry"));
  LC_CHECK(results_write_replicated(res, "/Graph/edges/cost_cm", H5IO_I64, g->cost_cm, m, 0, "cm",
                                    "walking cost: length times the class factor"));
  LC_CHECK(results_write_replicated(res, "/Graph/edges/osm_way_id", H5IO_I64, g->way_id, m, 0, "1",
                                    "OpenStreetMap way id, -1 when none"));
  if (g->geom_off) {
    int64_t np = g->geom_off[m];
    LC_CHECK(results_write_replicated(res, "/Graph/edges/geom_offset", H5IO_I64, g->geom_off, m + 1,
                                      0, "1",
                                      "edge e's polyline: rows geom_offset[e]..geom_offset[e+1]-1 "
                                      "of geom_lon/geom_lat, end nodes included"));
    LC_CHECK(results_write_replicated(res, "/Graph/edges/geom_lon", H5IO_F64, g->geom_lon, np, 0,
                                      "degree", "polyline point longitude, WGS84"));
    LC_CHECK(results_write_replicated(res, "/Graph/edges/geom_lat", H5IO_F64, g->geom_lat, np, 0,
                                      "degree", "polyline point latitude, WGS84"));
  }
  return LC_OK;
}

/* /Categories/name_languages (the report's language order) and /Categories/names: the name
 * of category c in language l at row c * L + l, "" when the categories file gives none. */
static int run_write_names(struct run_ctx *run, struct results *res) {
  int C = run->cats.n, L = 0;
  char *list = strdup(run->languages), *save = NULL;
  if (!list)
    return LC_ENOMEM;
  for (const char *p = list; *p; p++)
    L += *p == ',';
  L += list[0] != '\0';
  char **lang = calloc((size_t)L + 1, sizeof *lang);
  char **names = calloc((size_t)C * L + 1, sizeof *names);
  int st = lang && names ? LC_OK : LC_ENOMEM;
  int l = 0;
  for (char *t = strtok_r(list, ",", &save); t && st == LC_OK; t = strtok_r(NULL, ",", &save))
    lang[l++] = t;
  for (int c = 0; c < C && st == LC_OK; c++)
    for (int k = 0; k < L; k++)
      names[(int64_t)c * L + k] = (char *)categories_name(&run->cats.c[c], lang[k]);
  if (st == LC_OK)
    st = results_write_strings(res, "/Categories/name_languages", lang, L,
                               "language codes of /Categories/names, in the report's order "
                               "(Report:languages)");
  if (st == LC_OK)
    st = results_write_strings(res, "/Categories/names", names, (int64_t)C * L,
                               "name of category c in language l at row c * L + l (L rows of "
                               "name_languages); empty when none is given");
  free(names);
  free(lang);
  free(list);
  return st;
}

static int run_write_tables(struct run_ctx *run, struct results *res) {
  int C = run->cats.n, G = run->groups.n, S = run->subs.n;
  int st = LC_OK;
  char **s1 = calloc((size_t)(C + G + S + 2), sizeof *s1);
  int64_t *i64 = calloc((size_t)(C + G + 2) * 4, sizeof *i64);
  double *f64 = calloc((size_t)(C + G + 2) * 2, sizeof *f64);
  if (!s1 || !i64 || !f64) {
    st = LC_ENOMEM;
    goto done;
  }
  for (int c = 0; c < C; c++)
    s1[c] = run->cats.c[c].id;
  st = results_write_strings(res, "/Categories/id", s1, C,
                             "category ids; this order is the column order of every "
                             "per-category table");
  for (int c = 0; c < C && st == LC_OK; c++)
    s1[c] = run->cats.c[c].name_zh;
  if (st == LC_OK)
    st = results_write_strings(res, "/Categories/name_zh", s1, C, "Chinese name");
  for (int c = 0; c < C && st == LC_OK; c++)
    s1[c] = run->cats.c[c].name_en;
  if (st == LC_OK)
    st = results_write_strings(res, "/Categories/name_en", s1, C, "English name");
  if (st == LC_OK)
    st = run_write_names(run, res);
  for (int c = 0; c < C; c++) {
    i64[c] = run->cats.c[c].threshold_min;
    i64[C + c] = run->cats.c[c].essential;
    f64[c] = run->cats.c[c].target_share;
    f64[C + c] = run->cats.c[c].radius_m;
    i64[2 * C + c] = 0;
  }
  for (int64_t f = 0; f < run->fac.n; f++)
    if (!run->fac.excluded[f])
      i64[2 * C + run->fac.category[f]]++;
  if (st == LC_OK)
    st = results_write_global(res, "/Categories/threshold_min", H5IO_I64, i64, C, 0, "min",
                              "standard walking time of the category");
  if (st == LC_OK)
    st = results_write_global(res, "/Categories/essential", H5IO_I64, i64 + C, C, 0, "1",
                              "1 when part of the complete life circle");
  if (st == LC_OK)
    st = results_write_global(res, "/Categories/n_facilities", H5IO_I64, i64 + 2 * C, C, 0, "1",
                              "facilities of the category in the baseline (not excluded)");
  if (st == LC_OK)
    st = results_write_global(res, "/Categories/target_share", H5IO_F64, f64, C, 0, "1",
                              "target share of residents within the threshold");
  if (st == LC_OK)
    st = results_write_global(res, "/Categories/radius_m", H5IO_F64, f64 + C, C, 0, "m",
                              "catchment radius: facilities farther away are not reached");
  if (st == LC_OK) {
    int64_t *serves = lc_malloc_array(C * G, sizeof *serves);
    if (!serves) {
      st = LC_ENOMEM;
      goto done;
    }
    for (int k = 0; k < C * G; k++)
      serves[k] = run->serves[k];
    st = results_write_global(res, "/Categories/serves", H5IO_I64, serves, C, G, "1",
                              "1 where category c (row) serves group g (column, /Groups/id): "
                              "the groups its headline counts and shares are over (the "
                              "categories file's `groups`)");
    free(serves);
  }
  for (int g = 0; g < G; g++) {
    s1[g] = run->groups.g[g].id;
    f64[g] = run->groups.g[g].speed_m_s;
    f64[G + g] = run->groups.g[g].share;
  }
  if (st == LC_OK)
    st = results_write_strings(res, "/Groups/id", s1, G,
                               "population group ids; the column order of per-group tables");
  if (st == LC_OK)
    st = results_write_global(res, "/Groups/speed_m_s", H5IO_F64, f64, G, 0, "m/s",
                              "walking speed of the group");
  if (st == LC_OK)
    st = results_write_global(res, "/Groups/share", H5IO_F64, f64 + G, G, 0, "1",
                              "share of residents in the group");
  for (int s = 0; s < S; s++)
    s1[s] = run->subs.name[s];
  if (st == LC_OK)
    st = results_write_strings(res, "/Subdistricts/name", s1, S, "subdistrict names");
  if (st == LC_OK) {
    /* Outlines: rings with the subdistrict each belongs to. */
    int64_t nr = run->subs.n_rings;
    int64_t *ring_sub = lc_malloc_array(nr, sizeof *ring_sub);
    if (!ring_sub) {
      st = LC_ENOMEM;
      goto done;
    }
    for (int s = 0; s < S; s++)
      for (int64_t r = run->subs.ring_off[s]; r < run->subs.ring_off[s + 1]; r++)
        ring_sub[r] = s;
    st = results_write_global(res, "/Subdistricts/ring_subdistrict", H5IO_I64, ring_sub, nr, 0, "1",
                              "subdistrict (row of /Subdistricts/name) of every ring");
    free(ring_sub);
    if (st == LC_OK)
      st =
          results_write_global(res, "/Subdistricts/ring_offset", H5IO_I64, run->subs.pt_off, nr + 1,
                               0, "1", "ring r: points ring_offset[r]..ring_offset[r+1]-1");
    if (st == LC_OK)
      st = results_write_global(res, "/Subdistricts/ring_lon", H5IO_F64, run->subs.lon,
                                run->subs.n_points, 0, "degree", "ring point longitude, WGS84");
    if (st == LC_OK)
      st = results_write_global(res, "/Subdistricts/ring_lat", H5IO_F64, run->subs.lat,
                                run->subs.n_points, 0, "degree", "ring point latitude, WGS84");
  }
  if (st == LC_OK)
    st = results_write_replicated(res, "/Population/residents", H5IO_I64, run->pop.by_group,
                                  run->g.n_nodes, G, "persons",
                                  "residents at the node per group (columns: /Groups/id)");
  if (st == LC_OK) {
    int64_t *sub = lc_malloc_array(run->g.n_nodes, sizeof *sub);
    if (!sub) {
      st = LC_ENOMEM;
      goto done;
    }
    for (int64_t i = 0; i < run->g.n_nodes; i++)
      sub[i] = run->pop.subdistrict[i];
    st = results_write_replicated(res, "/Population/subdistrict", H5IO_I64, sub, run->g.n_nodes, 0,
                                  "1", "row of /Subdistricts/name containing the node, -1 outside");
    free(sub);
  }
done:
  free(s1);
  free(i64);
  free(f64);
  return st;
}

static int run_write_facilities(const struct facility_set *fs, struct results *res,
                                const char *base) {
  int64_t n = fs->n;
  int64_t *cols = lc_malloc_array(n, 6 * sizeof *cols);
  if (!cols)
    return LC_ENOMEM;
  int64_t *node = cols, *cat = cols + n, *src = cols + 2 * n, *cap = cols + 3 * n;
  int64_t *open = cols + 4 * n, *close = cols + 5 * n;
  for (int64_t f = 0; f < n; f++) {
    node[f] = fs->excluded[f] ? -1 : fs->node[f];
    cat[f] = fs->category[f];
    src[f] = fs->layer[f];
    cap[f] = fs->capacity[f];
    open[f] = fs->open_min[f];
    close[f] = fs->close_min[f];
  }
  char name[512];
  int st = LC_OK;
#define RUN_FAC(field, type, data, units, desc)                          \
  if (st == LC_OK) {                                                     \
    snprintf(name, sizeof name, "%s/Facilities/" field, base);           \
    st = results_write_global(res, name, type, data, n, 0, units, desc); \
  }
  RUN_FAC("node", H5IO_I64, node, "1",
          "graph node the facility snapped to (row of /Graph/nodes), -1 when excluded")
  RUN_FAC("category", H5IO_I64, cat, "1", "row of /Categories/id")
  RUN_FAC("lon", H5IO_F64, fs->lon, "degree", "facility longitude, WGS84 (converted)")
  RUN_FAC("lat", H5IO_F64, fs->lat, "degree", "facility latitude, WGS84 (converted)")
  RUN_FAC("source", H5IO_I64, src, "1",
          "-1: the graph file's OSM POIs; k >= 0: Facilities:layers:k of the parameters")
  RUN_FAC("snap_cm", H5IO_I64, fs->snap_cm, "cm",
          "geodesic distance to the snapped node, added to every walk")
  RUN_FAC("capacity", H5IO_I64, cap, "1", "concurrent seats or servers")
  RUN_FAC("open_min", H5IO_I64, open, "min", "opening time, minutes after midnight")
  RUN_FAC("close_min", H5IO_I64, close, "min", "closing time, minutes after midnight")
#undef RUN_FAC
  free(cols);
  if (st == LC_OK) {
    snprintf(name, sizeof name, "%s/Facilities/source_id", base);
    st = results_write_strings(res, name, fs->source_id, n,
                               "OSM element (node/ID, way/ID, relation/ID), layer id or row/N");
  }
  if (st == LC_OK) {
    snprintf(name, sizeof name, "%s/Facilities/name", base);
    st = results_write_strings(res, name, fs->name, n, "facility name, UTF-8");
  }
  return st;
}

/* Rows of the NodeAccess tables, produced on demand from the catchment lists: the columns
 * of the categories cols[0 .. n_cols-1] (those a scenario stores; every one otherwise). */
struct run_access_rows {
  const struct access_result *acc;
  int G, n_cols;
  const int *cols;
  int64_t k;
  const int64_t *lim; /* [C x G] coverage limits in cm. */
};

static void run_row_nearest(void *ctx, int64_t i, void *out) {
  const struct run_access_rows *x = ctx;
  int64_t *row = out;
  for (int j = 0; j < x->n_cols; j++)
    row[j] = access_get(&x->acc->t[x->cols[j]], i * x->k).dist_cm;
}

static void run_row_facility(void *ctx, int64_t i, void *out) {
  const struct run_access_rows *x = ctx;
  int64_t *row = out;
  for (int j = 0; j < x->n_cols; j++)
    row[j] = access_get(&x->acc->t[x->cols[j]], i * x->k).fac;
}

static void run_row_count(void *ctx, int64_t i, void *out) {
  const struct run_access_rows *x = ctx;
  int64_t *row = out;
  for (int j = 0; j < x->n_cols; j++) {
    int c = x->cols[j];
    struct access_entry d[64];
    access_row(&x->acc->t[c], (int)x->k, i, d);
    for (int g = 0; g < x->G; g++) {
      int64_t lim = x->lim[c * x->G + g], cnt = 0;
      for (int64_t e = 0; e < x->k; e++)
        if (d[e].dist_cm >= 0 && d[e].dist_cm <= lim)
          cnt++;
      row[j * x->G + g] = cnt;
    }
  }
}

/* The categories whose catchment lists differ from the baseline's on any rank (all of them
 * for the baseline itself): only those columns are stored for a scenario, the others map to
 * the baseline's tables. Collective. */
static int run_access_own(struct run_ctx *run, const struct run_scen *s, uint8_t *own) {
  int C = run->cats.n;
  const struct run_scen *b = &run->base;
  int64_t n = s->dgp->n_owned;
  int same_nodes = s->index > 0 && b->dgp->n_owned == n &&
                   (n == 0 || !memcmp(s->dgp->global, b->dgp->global, (size_t)n * sizeof(int64_t)));
  for (int c = 0; c < C; c++)
    own[c] = !same_nodes || !access_table_equal(&s->acc.t[c], &b->acc.t[c], n * run->k);
  if (MPI_Allreduce(MPI_IN_PLACE, own, C, MPI_UINT8_T, MPI_MAX, run->comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "%s: cannot agree on the categories to store", s->name);
  return LC_OK;
}

static int run_write_access(struct run_ctx *run, const struct run_scen *sc, struct results *res,
                            const char *base) {
  int C = run->cats.n, G = run->groups.n;
  const int64_t *gid = sc->dgp->global;
  int64_t n = sc->dgp->n_owned;
  int64_t *lim = lc_malloc_array(C * G, sizeof *lim);
  uint8_t *own = lc_malloc_array(C, 1);
  int *cols = lc_malloc_array(C, sizeof *cols);
  int st = lc_agree(run->comm, lim && own && cols ? LC_OK : LC_ENOMEM);
  if (st == LC_OK)
    st = run_access_own(run, sc, own);
  if (st != LC_OK) {
    free(lim);
    free(own);
    free(cols);
    return st;
  }
  int n_cols = 0;
  for (int c = 0; c < C; c++) {
    if (own[c])
      cols[n_cols++] = c;
    for (int g = 0; g < G; g++)
      lim[c * G + g] = coverage_limit_cm(run->cats.c[c].threshold_min, run->groups.g[g].speed_m_s);
  }
  struct run_access_rows x = {&sc->acc, G, n_cols, cols, run->k, lim};
  /* A scenario's unchanged categories read the baseline's columns. */
  const char *bname = sc->index > 0 ? run->base.name : NULL;
  char name[512], from[512];
  snprintf(name, sizeof name, "%s/NodeAccess/nearest_cm", base);
  snprintf(from, sizeof from, "/Scenarios/%s/NodeAccess/nearest_cm", bname ? bname : "");
  st = results_write_nodes_mapped(res, name, H5IO_I64, n, gid, C, 1, own, bname ? from : NULL,
                                  run_row_nearest, &x, "cm",
                                  "walking distance to the nearest facility of each category "
                                  "(columns: /Categories/id), snap distance included; -1 when "
                                  "none within the category's radius");
  snprintf(name, sizeof name, "%s/NodeAccess/nearest_facility", base);
  snprintf(from, sizeof from, "/Scenarios/%s/NodeAccess/nearest_facility", bname ? bname : "");
  if (st == LC_OK)
    st = results_write_nodes_mapped(res, name, H5IO_I64, n, gid, C, 1, own, bname ? from : NULL,
                                    run_row_facility, &x, "1",
                                    "row of Facilities of the nearest facility (ties: lower "
                                    "row); -1 when none within the radius");
  snprintf(name, sizeof name, "%s/NodeAccess/count_within", base);
  snprintf(from, sizeof from, "/Scenarios/%s/NodeAccess/count_within", bname ? bname : "");
  if (st == LC_OK)
    st = results_write_nodes_mapped(res, name, H5IO_I64, n, gid, C, G, own, bname ? from : NULL,
                                    run_row_count, &x, "1",
                                    "facilities of category c within its threshold at group "
                                    "g's speed (column c*G+g), counted among the k-entry "
                                    "catchment list (so at most Accessibility:k)");
  free(lim);
  free(own);
  free(cols);
  return st;
}

#define RUN_E2SFCA_DESC                                                                     \
  "E2SFCA (Luo & Qi 2009, enhanced two-step floating catchment area; Gaussian decay of "    \
  "Dai 2010 with the category's radius as catchment): capacity (1 per facility where it "   \
  "is 0, no limit) per 1000 residents of the groups the category serves, from the k-entry " \
  "catchment lists (a full list may leave farther facilities within the radius out: see "   \
  "the log);"

static int run_write_coverage(struct run_ctx *run, const struct run_scen *sc, struct results *res,
                              const char *base) {
  const struct coverage *cv = &sc->cov;
  int R = cv->n_rows, C = cv->n_cat, G = cv->n_group;
  char name[512];
  int st = LC_OK;
  int64_t *pass = lc_malloc_array(R * C + 2 * C, sizeof *pass);
  char **rows = calloc((size_t)R + 1, sizeof *rows);
  if (!pass || !rows) {
    free(pass);
    free(rows);
    return LC_ENOMEM;
  }
  for (int i = 0; i < R * C; i++)
    pass[i] = cv->pass[i];
  int64_t *status = pass + R * C, *complete_cats = status + C;
  for (int c = 0; c < C; c++) {
    status[c] = cv->data_status[c];
    complete_cats[c] = run->cats.c[c].essential && cv->data_status[c] != COVERAGE_DATA_NONE;
  }
  for (int s = 0; s < run->subs.n; s++)
    rows[s] = run->subs.name[s];
  rows[R - 1] = "all";
#define RUN_COV(field, type, data, cols, units, desc)                       \
  if (st == LC_OK) {                                                        \
    snprintf(name, sizeof name, "%s/Coverage/" field, base);                \
    st = results_write_global(res, name, type, data, R, cols, units, desc); \
  }
  RUN_COV("residents", H5IO_I64, cv->residents, G, "persons",
          "residents per row (subdistricts, then all) and group")
  RUN_COV("covered", H5IO_I64, cv->covered, (int64_t)C * G, "persons",
          "residents within category c's threshold at their group's speed (column c*G+g)")
  RUN_COV("share", H5IO_F64, cv->share, (int64_t)C * G, "1",
          "covered / residents (column c*G+g); NaN where the row has no residents or the "
          "category has no data (data_status 2)")
  RUN_COV("complete", H5IO_I64, cv->complete, G, "persons",
          "residents with every essential category that serves their group (/Categories/serves) "
          "and has data (complete_categories) within its threshold")
  RUN_COV("complete_share", H5IO_F64, cv->complete_share, G, "1",
          "share of residents with a complete life circle over the essential categories "
          "with data (complete_categories)")
  RUN_COV("complete_all_essential", H5IO_F64, cv->complete_all_essential, G, "1",
          "complete_share when every essential category serving the group has data; NaN (no "
          "data) when any of them has none")
  RUN_COV("median_min", H5IO_F64, cv->median_min, (int64_t)C * G, "min",
          "median walking minutes to the nearest facility (column c*G+g), 1 m resolution; "
          "NaN when beyond the radius")
  RUN_COV("p90_min", H5IO_F64, cv->p90_min, (int64_t)C * G, "min",
          "90th percentile walking minutes (column c*G+g); NaN when beyond the radius")
  RUN_COV("served_share", H5IO_F64, cv->served_share, C, "1",
          "share over the groups the category serves (/Categories/serves); NaN when the "
          "category has no data")
  RUN_COV("pass", H5IO_I64, pass, C, "1",
          "1 when served_share reaches the category's target, 0 when not, -1 no residents "
          "of the served groups or no data (data_status 2): never a measured failure")
#undef RUN_COV
#define RUN_COV1(field, type, data, units, desc)                         \
  if (st == LC_OK) {                                                     \
    snprintf(name, sizeof name, "%s/Coverage/" field, base);             \
    st = results_write_global(res, name, type, data, C, 0, units, desc); \
  }
  RUN_COV1("data_status", H5IO_I64, status, "1",
           "per category (/Categories/id): 0 ok, 1 thin (fewer facilities than the "
           "categories file's expected density or the official count), 2 no data (no "
           "facility on the network); data_status_reason says why, in words")
  if (st == LC_OK) {
    snprintf(name, sizeof name, "%s/Coverage/data_status_reason", base);
    st = results_write_strings(res, name, sc->data_reason, C,
                               "per category: why its data are thin or missing, in words "
                               "(empty when ok)");
  }
  if (st == LC_OK) {
    snprintf(name, sizeof name, "%s/Coverage/e2sfca", base);
    st = results_write_global(res, name, H5IO_F64, sc->e2sfca_rows, R, C, "per 1000 residents",
                              RUN_E2SFCA_DESC
                              " mean over the row's nodes weighted by the "
                              "residents of the served groups (rows: subdistricts, then all); "
                              "NaN when the category has no data or the row no such residents");
  }
  RUN_COV1("complete_categories", H5IO_I64, complete_cats, "1",
           "1 for the essential categories the complete life circle is computed over "
           "(those with data), 0 for the others")
#undef RUN_COV1
  if (st == LC_OK) {
    snprintf(name, sizeof name, "%s/Coverage/row_name", base);
    st = results_write_strings(res, name, rows, R, "row names: subdistricts, then all");
  }
  free(pass);
  free(rows);
  return st;
}

int run_write_common(struct run_ctx *run, struct results *res) {
  LC_CHECK(run_write_header(run, res));
  LC_CHECK(run_write_graph(run, res));
  return run_write_tables(run, res);
}

/* A housing scenario's residents (base/Population/residents) and what it changed. */
static int run_write_population(struct run_ctx *run, const struct run_scen *s, struct results *res,
                                const char *base) {
  if (!s->popp || s->popp == &run->pop)
    return LC_OK;
  char name[512];
  snprintf(name, sizeof name, "%s/Population/residents", base);
  LC_CHECK(results_write_replicated(res, name, H5IO_I64, s->popp->by_group, run->g.n_nodes,
                                    run->groups.n, "persons",
                                    "residents at the node per group in this scenario: the "
                                    "baseline's /Population/residents with the residents its "
                                    "housing edits add and remove (columns: /Groups/id)"));
  snprintf(name, sizeof name, "%s/Population", base);
  LC_CHECK(results_attr_i64(res, name, "residents_added", s->eff.residents_added));
  LC_CHECK(results_attr_i64(res, name, "residents_removed", s->eff.residents_removed));
  return results_attr_i64(res, name, "illustrative", s->sc && s->sc->illustrative);
}

int run_write_scenario(struct run_ctx *run, struct results *res, const struct run_scen *s,
                       const char *base) {
  LC_CHECK(run_write_facilities(s->facp, res, base));
  LC_CHECK(run_write_access(run, s, res, base));
  char name[512];
  snprintf(name, sizeof name, "%s/NodeAccess/e2sfca", base);
  LC_CHECK(results_write_nodes(res, name, H5IO_F64, s->dgp->n_owned, s->dgp->global, s->e2sfca,
                               run->cats.n, "per 1000 residents",
                               RUN_E2SFCA_DESC " per node (columns: /Categories/id); NaN when "
                                               "the category has no data"));
  LC_CHECK(run_write_coverage(run, s, res, base));
  return run_write_population(run, s, res, base);
}

int run_write_comparison(struct run_ctx *run, struct results *res, const struct run_scen *s) {
  const struct run_scen *b = &run->base;
  int C = run->cats.n, G = run->groups.n, R = s->cov.n_rows;
  int64_t n = s->dgp->n_owned;
  int64_t *res_g = lc_malloc_array(n * G, sizeof *res_g);
  int32_t *sub = lc_malloc_array(n, sizeof *sub);
  int *thr = lc_malloc_array(C, sizeof *thr);
  double *speed = lc_malloc_array(G, sizeof *speed);
  char **rows = calloc((size_t)R + 1, sizeof *rows);
  int st = res_g && sub && thr && speed && rows ? LC_OK : LC_ENOMEM;
  st = lc_agree(run->comm, st);
  struct comparison cmp;
  memset(&cmp, 0, sizeof cmp);
  if (st == LC_OK) {
    for (int64_t i = 0; i < n; i++) {
      int64_t gid = s->dgp->global[i];
      sub[i] = run->pop.subdistrict[gid];
      for (int g = 0; g < G; g++)
        res_g[i * G + g] = run->pop.by_group[gid * G + g];
    }
    for (int c = 0; c < C; c++)
      thr[c] = run->cats.c[c].threshold_min;
    for (int g = 0; g < G; g++)
      speed[g] = run->groups.g[g].speed_m_s;
    for (int r = 0; r < run->subs.n; r++)
      rows[r] = run->subs.name[r];
    rows[R - 1] = "all";
    struct coverage_spec spec = {run->subs.n, C, G, thr, NULL, NULL, run->serves, speed, 0, NULL};
    st = compare_compute(&spec, n, (const int64_t *const *)b->nearest,
                         (const int64_t *const *)s->nearest, res_g, sub, run->comm, &cmp);
  }
  if (st == LC_OK)
    st = compare_write(res, s->name, b->name, &cmp, rows, n, s->dgp->global,
                       (const int64_t *const *)b->nearest, (const int64_t *const *)s->nearest,
                       b->cov.pass, s->cov.pass);
  compare_free(&cmp);
  free(res_g);
  free(sub);
  free(thr);
  free(speed);
  free(rows);
  return st;
}
