/* lifecircle optimize PARAMS.yml --category C --k K (--candidates FILE | --candidates-in
 * POLYGON) [--capacity N] [--recheck-agents] [-o PREFIX]: where should the next k facilities of a category go to newly cover
 * the most residents within its walking threshold? Loads the baseline like `run`, computes
 * every node's walking distance to the category's nearest facility, the cover set of every
 * candidate site (bounded Dijkstra on the full graph; each rank owns a share of the
 * candidates), then runs the distributed lazy greedy (optimize.h). Writes the picks as a
 * scenario file (PREFIX.yml, loadable by scenario_load and by Scenarios:files) and as
 * GeoJSON (PREFIX.geojson). With --recheck-agents, simulates the day with and without the
 * picks (optimize_recheck.h) and adds each site's load against its capacity to the GeoJSON,
 * to a printed table and to PREFIX-recheck.csv. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/coverage.h"
#include "lifecircle/geom.h"
#include "lifecircle/log.h"
#include "lifecircle/optimize.h"
#include "lifecircle/optimize_recheck.h"
#include "lifecircle/scenario.h"
#include "lifecircle/status.h"
#include "run.h"

static void cmd_optimize_usage(void) {
  printf("usage: mpiexec -n N lifecircle optimize PARAMS.yml --category C --k K\n"
         "           (--candidates FILE | --candidates-in POLYGON.geojson) [--capacity N]\n"
         "           [--recheck-agents] [-o PREFIX]\n\n"
         "Chooses K candidate sites for new facilities of category C that newly cover the\n"
         "most residents within C's walking threshold (a resident of group g is covered when\n"
         "the walk is within the threshold at g's speed; only the groups C serves count;\n"
         "residents already covered by the baseline's facilities do not). Greedy maximal\n"
         "covering with lazy evaluation (CELF), gains evaluated in parallel over the N\n"
         "ranks; the picks do not depend on N. The baseline is loaded from PARAMS.yml as\n"
         "by lifecircle run.\n\n"
         "options:\n"
         "  -c, --category C         category id (inputs/categories.yml)\n"
         "  -k, --k K                number of sites to choose (1..100000)\n"
         "      --candidates FILE    candidate points: GeoJSON or CSV (as facility layers),\n"
         "                           snapped to the network like facilities\n"
         "      --crs CRS            CRS of the candidates file: wgs84 (default), gcj02, bd09\n"
         "      --candidates-in FILE every network node inside the polygons of a GeoJSON file\n"
         "      --name-property P    the polygons' name property (default: name)\n"
         "      --capacity N         seats of the chosen sites (default: the category's)\n"
         "      --recheck-agents     simulate the day (agents, inputs/activities.yml) on the\n"
         "                           baseline and with the chosen sites, same agents and\n"
         "                           plans: each site's visits, queue, waits, agents turned\n"
         "                           away and fall-backs against its capacity (sites where\n"
         "                           demand exceeds the seats are flagged), and the realised\n"
         "                           coverage gain against the static one; printed, added to\n"
         "                           the GeoJSON properties and written to PREFIX-recheck.csv\n"
         "  -o, --output PREFIX      writes PREFIX.yml (a scenario adding the picks) and\n"
         "                           PREFIX.geojson (default: optimize-C-kK)\n"
         "  -h, --help               this help\n");
}

/* Candidate sites. */
struct opt_cands {
  int64_t n;
  int64_t *node, *offset_cm;
  double *lon, *lat;
  char **sid;
};

static void opt_cands_free(struct opt_cands *c) {
  for (int64_t i = 0; c->sid && i < c->n; i++)
    free(c->sid[i]);
  free(c->sid);
  free(c->node);
  free(c->offset_cm);
  free(c->lon);
  free(c->lat);
  memset(c, 0, sizeof *c);
}

static int opt_cands_alloc(struct opt_cands *c, int64_t n) {
  size_t m = (size_t)(n > 0 ? n : 1);
  c->node = malloc(m * sizeof *c->node);
  c->offset_cm = malloc(m * sizeof *c->offset_cm);
  c->lon = malloc(m * sizeof *c->lon);
  c->lat = malloc(m * sizeof *c->lat);
  c->sid = calloc(m, sizeof *c->sid);
  if (!c->node || !c->offset_cm || !c->lon || !c->lat || !c->sid)
    LC_FAIL(LC_ENOMEM, "out of memory for %" PRId64 " candidates", n);
  return LC_OK;
}

/* Candidates from a point layer, snapped like facilities; those beyond the snapping limit
 * are dropped (facility_snap lists them). */
static int opt_cands_file(const struct run_ctx *run, const char *path, const char *crs, int cat,
                          struct opt_cands *out) {
  struct facility_set fs;
  facility_init(&fs);
  int st = facility_load_layer(path, crs, run->cats.c[cat].id, NULL, &run->cats,
                               SCENARIO_LAYER_ADDED, &fs);
  if (st == LC_OK)
    st = facility_snap(&fs, &run->g, run->max_snap_m, NULL);
  int64_t n = 0;
  for (int64_t i = 0; st == LC_OK && i < fs.n; i++)
    n += !fs.excluded[i];
  if (st == LC_OK && n == 0)
    st = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                      "%s: no candidate within %.0f m of the "
                      "network",
                      path, run->max_snap_m);
  if (st == LC_OK)
    st = opt_cands_alloc(out, n);
  for (int64_t i = 0; st == LC_OK && i < fs.n; i++) {
    if (fs.excluded[i])
      continue;
    int64_t j = out->n;
    out->node[j] = fs.node[i];
    out->offset_cm[j] = fs.snap_cm[i];
    out->lon[j] = fs.lon[i];
    out->lat[j] = fs.lat[i];
    if (!(out->sid[j] = strdup(fs.source_id[i])))
      st = LC_ENOMEM;
    out->n++;
  }
  facility_free(&fs);
  return st;
}

/* Every graph node inside the polygons. */
static int opt_cands_polygon(const struct run_ctx *run, const char *path, const char *prop,
                             struct opt_cands *out) {
  struct polygon_set ps;
  LC_CHECK(geom_load_polygons(path, prop, &ps));
  const struct graph *g = &run->g;
  uint8_t *in = lc_calloc_array(g->n_nodes, 1);
  int st = in ? LC_OK : LC_ENOMEM;
  int64_t n = 0;
  for (int64_t i = 0; st == LC_OK && i < g->n_nodes; i++)
    n += in[i] = geom_locate(&ps, g->lon[i], g->lat[i]) >= 0;
  if (st == LC_OK && n == 0)
    st = lc_error_set(LC_EEMPTY, __FILE__, __LINE__, "%s: no network node inside the polygons",
                      path);
  if (st == LC_OK)
    st = opt_cands_alloc(out, n);
  for (int64_t i = 0; st == LC_OK && i < g->n_nodes; i++) {
    if (!in[i])
      continue;
    int64_t j = out->n;
    char sid[48];
    snprintf(sid, sizeof sid, "graph-node/%" PRId64, i);
    out->node[j] = i;
    out->offset_cm[j] = 0;
    out->lon[j] = g->lon[i];
    out->lat[j] = g->lat[i];
    if (!(out->sid[j] = strdup(sid)))
      st = LC_ENOMEM;
    out->n++;
  }
  free(in);
  geom_free(&ps);
  return st;
}

/* Writes a YAML double-quoted string. */
static void opt_yaml_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', f);
    if (*s == '\n')
      fputs("\\n", f);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

/* The scenario name from the prefix: its file name, other characters replaced by '_'. */
static void opt_name(const char *prefix, char *name, size_t size) {
  const char *base = strrchr(prefix, '/');
  base = base ? base + 1 : prefix;
  snprintf(name, size, "%.200s", *base ? base : "optimize");
  for (char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_'))
      *p = '_';
}

/* Writes PREFIX.yml: a scenario adding the picks (with `capacity` seats when >= 0). */
static int opt_write_yaml(const char *prefix, const struct run_ctx *run, int cat,
                          const struct opt_cands *cd, const char *source, const int64_t *pick,
                          const int64_t *gain, int n_picked, int k, int64_t uncovered,
                          long capacity) {
  char path[4096], name[256];
  const char *cid = run->cats.c[cat].id;
  opt_name(prefix, name, sizeof name);
  int64_t total = 0;
  for (int i = 0; i < n_picked; i++)
    total += gain[i];
  snprintf(path, sizeof path, "%s.yml", prefix);
  FILE *f = fopen(path, "w");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot create: %s", path, strerror(errno));
  fprintf(f, "# Written by lifecircle optimize (greedy maximal covering, lazy evaluation).\n"
             "# Load it with Scenarios: files: [...] in the parameter file; coordinates are\n"
             "# those of the candidate sites (WGS84).\n");
  fprintf(f, "name: %s\ndescription: ", name);
  char desc[1024];
  snprintf(desc, sizeof desc,
           "%d site(s) for %s chosen among the candidates of %s to newly cover the most "
           "residents within its %d-minute threshold (k = %d asked; %" PRId64
           " residents newly covered of %" PRId64 " not covered at baseline)",
           n_picked, cid, source, run->cats.c[cat].threshold_min, k, total, uncovered);
  opt_yaml_str(f, desc);
  fputs("\nfacilities:\n  add:\n", f);
  for (int i = 0; i < n_picked; i++) {
    int64_t c = pick[i];
    char nm[128], id[64];
    snprintf(nm, sizeof nm, "optimize pick %d (gain %" PRId64 ")", i + 1, gain[i]);
    snprintf(id, sizeof id, "optimize/%d", i + 1);
    fprintf(f,
            "    - category: %s\n      lon: %.9f\n      lat: %.9f\n      crs: wgs84\n"
            "      id: ",
            cid, cd->lon[c], cd->lat[c]);
    opt_yaml_str(f, id);
    fputs("\n      name: ", f);
    opt_yaml_str(f, nm);
    fputc('\n', f);
    if (capacity >= 0)
      fprintf(f, "      capacity: %ld\n", capacity);
  }
  if (n_picked == 0)
    fputs("    []\n", f);
  if (fclose(f) != 0)
    LC_FAIL(LC_EIO, "%s: write failed: %s", path, strerror(errno));
  return LC_OK;
}

/* Adds the re-check of site i to a feature's properties. */
static int opt_json_recheck(json_t *props, const struct optimize_site_load *x) {
  json_t *o = json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:f, s:b}", "capacity",
      (json_int_t)x->capacity, "visits", (json_int_t)x->arrivals, "served", (json_int_t)x->served,
      "turned_away", (json_int_t)x->refused, "peak_queue", (json_int_t)x->peak_queue,
      "peak_present", (json_int_t)x->peak_present, "waited", (json_int_t)x->waited, "mean_wait_min",
      x->served > 0 ? (double)x->wait_sum_s / (double)x->served / 60.0 : 0.0, "max_wait_min",
      (double)x->wait_max_s / 60.0, "fallback_in", (json_int_t)x->fallback_in, "gave_up",
      (json_int_t)x->gave_up, "facility_row", (json_int_t)x->row, "seat_use",
      x->capacity > 0 && x->open_s > 0
          ? (double)x->busy_s / ((double)x->capacity * (double)x->open_s)
          : 0.0,
      "over_capacity", x->over_capacity);
  if (!o)
    return LC_ENOMEM;
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    if (json_object_set(props, key, v) != 0) {
      json_decref(o);
      return LC_ENOMEM;
    }
  }
  json_decref(o);
  return LC_OK;
}

/* Writes PREFIX.geojson: the picks, with their re-check when rk is not NULL. */
static int opt_write_geojson(const char *prefix, const struct run_ctx *run, int cat,
                             const struct opt_cands *cd, const int64_t *pick, const int64_t *gain,
                             int n_picked, const struct optimize_recheck *rk) {
  char path[4096];
  const char *cid = run->cats.c[cat].id;
  json_t *fc = json_object(), *feats = json_array();
  int st = fc && feats ? LC_OK : LC_ENOMEM;
  int64_t cum = 0;
  for (int i = 0; st == LC_OK && i < n_picked; i++) {
    int64_t c = pick[i];
    cum += gain[i];
    json_t *ft = json_pack("{s:s, s:{s:s, s:[f, f]}, s:{s:i, s:s, s:I, s:I, s:I, s:I, s:s, s:f}}",
                           "type", "Feature", "geometry", "type", "Point", "coordinates",
                           cd->lon[c], cd->lat[c], "properties", "pick", i + 1, "category", cid,
                           "gain", (json_int_t)gain[i], "cumulative", (json_int_t)cum, "candidate",
                           (json_int_t)c, "node", (json_int_t)cd->node[c], "source_id", cd->sid[c],
                           "snap_m", (double)cd->offset_cm[c] / 100.0);
    if (ft && rk && i < rk->n_sites)
      st = opt_json_recheck(json_object_get(ft, "properties"), &rk->site[i]);
    if (!ft || json_array_append_new(feats, ft) != 0)
      st = LC_ENOMEM;
  }
  if (st == LC_OK && (json_object_set_new(fc, "type", json_string("FeatureCollection")) != 0 ||
                      json_object_set(fc, "features", feats) != 0))
    st = LC_ENOMEM;
  if (st == LC_OK && rk) {
    /* A foreign member (RFC 7946, section 6.1) with the gains of all the sites together. */
    json_t *g =
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "category", cid, "agents",
                  (json_int_t)rk->agents, "static_newly_covered", (json_int_t)rk->static_newly,
                  "static_no_longer_covered", (json_int_t)rk->static_lost, "realised_newly_covered",
                  (json_int_t)rk->realised_newly, "realised_no_longer_covered",
                  (json_int_t)rk->realised_lost, "realised_needed", (json_int_t)rk->realised_needed,
                  "realised_covered_before", (json_int_t)rk->realised_covered_before,
                  "realised_covered_after", (json_int_t)rk->realised_covered_after);
    if (!g || json_object_set_new(fc, "recheck_agents", g) != 0)
      st = LC_ENOMEM;
  }
  snprintf(path, sizeof path, "%s.geojson", prefix);
  if (st == LC_OK && json_dump_file(fc, path, JSON_INDENT(1) | JSON_REAL_PRECISION(12)) != 0)
    st = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: cannot write", path);
  json_decref(feats);
  json_decref(fc);
  if (st == LC_ENOMEM)
    LC_FAIL(LC_ENOMEM, "out of memory writing %s", path);
  return st;
}

/* Prints the re-check table (rank 0). */
static void opt_print_recheck(const struct run_ctx *run, int cat, const int64_t *gain, int n_picked,
                              const struct optimize_recheck *rk) {
  int64_t stat = 0;
  for (int i = 0; i < n_picked; i++)
    stat += gain[i];
  printf("\nre-check with the agent simulation (%" PRId64 " agents, the same plans with and "
         "without the sites): load of each site against its seats\n",
         rk->agents);
  printf("  %4s %8s %8s %8s %8s %8s %8s %10s %10s %8s %8s %8s  %s\n", "pick", "seats", "visits",
         "served", "away", "peak_q", "at_once", "mean_wait", "max_wait", "fallback", "gave_up",
         "seat_use", "capacity");
  for (int i = 0; i < rk->n_sites; i++) {
    const struct optimize_site_load *x = &rk->site[i];
    double use = x->capacity > 0 && x->open_s > 0
                     ? (double)x->busy_s / ((double)x->capacity * (double)x->open_s)
                     : 0.0;
    char seats[32];
    if (x->capacity > 0)
      snprintf(seats, sizeof seats, "%" PRId64, x->capacity);
    else
      snprintf(seats, sizeof seats, "unlim.");
    printf("  %4d %8s %8" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64
           " %8.1f m %8.1f m %8" PRId64 " %8" PRId64 " %7.1f%%  %s\n",
           i + 1, seats, x->arrivals, x->served, x->refused, x->peak_queue, x->peak_present,
           x->served > 0 ? (double)x->wait_sum_s / (double)x->served / 60.0 : 0.0,
           (double)x->wait_max_s / 60.0, x->fallback_in, x->gave_up, 100.0 * use,
           x->over_capacity ? "OVER CAPACITY" : "ok");
  }
  printf("  %s, groups it serves, whole area: static gain %" PRId64 " (greedy %" PRId64
         "; within the threshold's walk), realised gain %+" PRId64 " (+%" PRId64 " -%" PRId64
         " residents served within %d minutes; %" PRId64 " -> %" PRId64 " of %" PRId64
         " with a trip)\n",
         run->cats.c[cat].id, rk->static_newly - rk->static_lost, stat,
         rk->realised_newly - rk->realised_lost, rk->realised_newly, rk->realised_lost,
         run->cats.c[cat].threshold_min, rk->realised_covered_before, rk->realised_covered_after,
         rk->realised_needed);
}

/* Writes PREFIX-recheck.csv: one row per site (rank 0). */
static int opt_write_csv(const char *prefix, const struct run_ctx *run, int cat,
                         const struct opt_cands *cd, const int64_t *pick, const int64_t *gain,
                         const struct optimize_recheck *rk) {
  char path[4096];
  snprintf(path, sizeof path, "%s-recheck.csv", prefix);
  FILE *f = fopen(path, "w");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot create: %s", path, strerror(errno));
  fprintf(f, "pick,category,lon,lat,node,facility_row,static_gain,capacity,visits,served,"
             "turned_away,peak_queue,peak_present,waited,mean_wait_s,max_wait_s,fallback_in,"
             "gave_up,busy_s,open_s,over_capacity\n");
  for (int i = 0; i < rk->n_sites; i++) {
    const struct optimize_site_load *x = &rk->site[i];
    int64_t c = pick[i];
    fprintf(f,
            "%d,%s,%.9f,%.9f,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
            ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%.3f,%" PRId64 ",%" PRId64 ",%" PRId64
            ",%" PRId64 ",%" PRId64 ",%d\n",
            i + 1, run->cats.c[cat].id, cd->lon[c], cd->lat[c], x->node, x->row, gain[i],
            x->capacity, x->arrivals, x->served, x->refused, x->peak_queue, x->peak_present,
            x->waited, x->served > 0 ? (double)x->wait_sum_s / (double)x->served : 0.0,
            x->wait_max_s, x->fallback_in, x->gave_up, x->busy_s, x->open_s, x->over_capacity);
  }
  if (fclose(f) != 0)
    LC_FAIL(LC_EIO, "%s: write failed: %s", path, strerror(errno));
  return LC_OK;
}

struct opt_args {
  const char *params, *category, *cand_file, *cand_poly, *crs, *prop, *prefix;
  long k;
  int recheck;
  long capacity; /* -1: the category's. */
};

static int opt_run(struct run_ctx *run, const struct opt_args *a) {
  int C = run->cats.n, G = run->groups.n;
  int cat = categories_find(&run->cats, a->category);
  if (cat < 0)
    LC_FAIL(LC_EUSAGE, "optimize: --category %s is not a category of %s", a->category,
            run->cats.file);
  (void)C;
  const struct graph *g = &run->g;
  int64_t N = g->n_nodes, radius = 0;
  int64_t *limit = malloc((size_t)G * sizeof *limit);
  int64_t *base = lc_malloc_array(N, sizeof *base);
  int64_t *weight = lc_calloc_array(N * G, sizeof *weight);
  uint8_t *relevant = lc_calloc_array(N, 1);
  int64_t *src = malloc((size_t)(2 * run->fac.n + 1) * sizeof *src);
  int64_t *pick = malloc((size_t)a->k * sizeof *pick), *gain = malloc((size_t)a->k * sizeof *gain);
  struct opt_cands cd;
  memset(&cd, 0, sizeof cd);
  struct optimize_cover cov;
  memset(&cov, 0, sizeof cov);
  int st = limit && base && weight && relevant && src && pick && gain ? LC_OK : LC_ENOMEM;
  int served = 0;
  for (int gi = 0; st == LC_OK && gi < G; gi++) {
    /* A group the category does not serve never gains: its limit is -1. */
    int sv = run->serves[cat * G + gi];
    limit[gi] =
        sv ? coverage_limit_cm(run->cats.c[cat].threshold_min, run->groups.g[gi].speed_m_s) : -1;
    served += sv;
    if (limit[gi] > radius)
      radius = limit[gi];
  }
  if (st == LC_OK && served == 0)
    st = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                      "optimize: category %s serves no group "
                      "of %s",
                      run->cats.c[cat].id, run->groups.file);
  /* Baseline: walking distance to the nearest facility of the category. */
  int64_t n_src = 0;
  for (int64_t f = 0; st == LC_OK && f < run->fac.n; f++)
    if (run->fac.category[f] == cat && !run->fac.excluded[f]) {
      src[n_src] = run->fac.node[f];
      src[run->fac.n + n_src] = run->fac.snap_cm[f];
      n_src++;
    }
  if (st == LC_OK) {
    memmove(src + n_src, src + run->fac.n, (size_t)n_src * sizeof *src);
    st = optimize_nearest(g, n_src, src, src + n_src, radius, base);
  }
  int64_t uncovered = 0, all = 0;
  for (int64_t x = 0; st == LC_OK && x < N; x++)
    for (int gi = 0; gi < G; gi++) {
      if (limit[gi] < 0)
        continue;
      int64_t r = run->pop.by_group[x * G + gi];
      all += r;
      if (base[x] >= 0 && base[x] <= limit[gi])
        continue;
      weight[x * G + gi] = r;
      uncovered += r;
      if (r > 0)
        relevant[x] = 1;
    }
  st = lc_agree(MPI_COMM_WORLD, st);
  if (st == LC_OK)
    log_info("optimize %s: %" PRId64 " facilities in the baseline; %" PRId64 " of %" PRId64
             " residents of the served groups are not within %d minutes",
             run->cats.c[cat].id, n_src, uncovered, all, run->cats.c[cat].threshold_min);
  if (st == LC_OK)
    st =
        lc_agree(MPI_COMM_WORLD, a->cand_file ? opt_cands_file(run, a->cand_file, a->crs, cat, &cd)
                                              : opt_cands_polygon(run, a->cand_poly, a->prop, &cd));
  double t0 = MPI_Wtime();
  if (st == LC_OK)
    st = lc_agree(MPI_COMM_WORLD, optimize_covers(g, cd.n, cd.node, cd.offset_cm, radius, relevant,
                                                  run->rank, run->size, &cov));
  double t_cover = MPI_Wtime() - t0;
  int n_picked = 0;
  if (st == LC_OK)
    st = optimize_greedy(N, G, weight, limit, &cov, (int)a->k, run->comm, pick, gain, &n_picked);
  if (st == LC_OK) {
    log_info("optimize: %" PRId64 " candidates, cover sets %.2f s, greedy %.2f s", cd.n, t_cover,
             MPI_Wtime() - t0 - t_cover);
    if (run->rank == 0) {
      int64_t cum = 0;
      printf("optimize %s: %" PRId64 " candidates from %s; %" PRId64
             " residents of the served groups not covered at baseline\n",
             run->cats.c[cat].id, cd.n, a->cand_file ? a->cand_file : a->cand_poly, uncovered);
      printf("  %4s %10s %14s %12s %12s  %s\n", "pick", "candidate", "node (OSM id)", "gain",
             "cumulative", "lon, lat (WGS84)");
      for (int i = 0; i < n_picked; i++) {
        int64_t c = pick[i];
        cum += gain[i];
        printf("  %4d %10" PRId64 " %14" PRId64 " %12" PRId64 " %12" PRId64 "  %.6f, %.6f  %s\n",
               i + 1, c, g->osm_id[cd.node[c]], gain[i], cum, cd.lon[c], cd.lat[c], cd.sid[c]);
      }
      if (n_picked < a->k)
        printf("  only %d of %ld sites chosen: no other candidate covers anyone new\n", n_picked,
               a->k);
    }
  }
  if (st == LC_OK)
    st = lc_agree(MPI_COMM_WORLD,
                  run->rank == 0 ? opt_write_yaml(a->prefix, run, cat, &cd,
                                                  a->cand_file ? a->cand_file : a->cand_poly, pick,
                                                  gain, n_picked, (int)a->k, uncovered, a->capacity)
                                 : LC_OK);
  struct optimize_recheck rk;
  memset(&rk, 0, sizeof rk);
  int rechecked = 0;
  if (st == LC_OK && a->recheck && n_picked == 0)
    log_warn("optimize --recheck-agents: no site chosen, nothing to re-check");
  if (st == LC_OK && a->recheck && n_picked > 0) {
    char path[4096];
    int64_t *nodes = malloc((size_t)n_picked * sizeof *nodes);
    st = lc_agree(MPI_COMM_WORLD, nodes ? LC_OK : LC_ENOMEM);
    for (int i = 0; st == LC_OK && i < n_picked; i++)
      nodes[i] = cd.node[pick[i]];
    snprintf(path, sizeof path, "%s.yml", a->prefix);
    if (st == LC_OK)
      st = optimize_recheck_run(run, path, cat, n_picked, nodes, &rk);
    free(nodes);
    rechecked = st == LC_OK;
    if (st == LC_OK && run->rank == 0)
      opt_print_recheck(run, cat, gain, n_picked, &rk);
  }
  if (st == LC_OK)
    st = lc_agree(MPI_COMM_WORLD, run->rank == 0
                                      ? opt_write_geojson(a->prefix, run, cat, &cd, pick, gain,
                                                          n_picked, rechecked ? &rk : NULL)
                                      : LC_OK);
  if (st == LC_OK && rechecked)
    st =
        lc_agree(MPI_COMM_WORLD,
                 run->rank == 0 ? opt_write_csv(a->prefix, run, cat, &cd, pick, gain, &rk) : LC_OK);
  if (st == LC_OK)
    log_info("optimize: wrote %s.yml and %s.geojson%s%s%s", a->prefix, a->prefix,
             rechecked ? " and " : "", rechecked ? a->prefix : "", rechecked ? "-recheck.csv" : "");
  optimize_recheck_free(&rk);
  optimize_cover_free(&cov);
  opt_cands_free(&cd);
  free(limit);
  free(base);
  free(weight);
  free(relevant);
  free(src);
  free(pick);
  free(gain);
  return st;
}

int cmd_optimize(int argc, char **argv) {
  enum { OPT_CANDS = 256, OPT_IN, OPT_CRS, OPT_PROP, OPT_RECHECK, OPT_CAPACITY };
  static const struct option opts[] = {{"category", required_argument, NULL, 'c'},
                                       {"k", required_argument, NULL, 'k'},
                                       {"candidates", required_argument, NULL, OPT_CANDS},
                                       {"candidates-in", required_argument, NULL, OPT_IN},
                                       {"crs", required_argument, NULL, OPT_CRS},
                                       {"name-property", required_argument, NULL, OPT_PROP},
                                       {"recheck-agents", no_argument, NULL, OPT_RECHECK},
                                       {"capacity", required_argument, NULL, OPT_CAPACITY},
                                       {"output", required_argument, NULL, 'o'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  struct opt_args a = {NULL, NULL, NULL, NULL, "wgs84", "name", NULL, 0, 0, -1};
  int c, rank;
  char *end;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  while ((c = getopt_long(argc, argv, "c:k:o:h", opts, NULL)) != -1) {
    switch (c) {
      case 'c':
        a.category = optarg;
        break;
      case 'k':
        a.k = strtol(optarg, &end, 10);
        if (*end || end == optarg || a.k < 1 || a.k > 100000)
          LC_FAIL(LC_EUSAGE, "optimize: --k '%s' is not an integer in 1..100000", optarg);
        break;
      case OPT_CANDS:
        a.cand_file = optarg;
        break;
      case OPT_IN:
        a.cand_poly = optarg;
        break;
      case OPT_CRS:
        a.crs = optarg;
        break;
      case OPT_PROP:
        a.prop = optarg;
        break;
      case OPT_RECHECK:
        a.recheck = 1;
        break;
      case OPT_CAPACITY:
        a.capacity = strtol(optarg, &end, 10);
        if (*end || end == optarg || a.capacity < 0 || a.capacity > 2147483647L)
          LC_FAIL(LC_EUSAGE,
                  "optimize: --capacity '%s' is not an integer in 0..2147483647 "
                  "(0: unlimited)",
                  optarg);
        break;
      case 'o':
        a.prefix = optarg;
        break;
      case 'h':
        if (rank == 0)
          cmd_optimize_usage();
        return LC_OK;
      default:
        LC_FAIL(LC_EUSAGE, "optimize: unknown option (see lifecircle optimize --help)");
    }
  }
  if (optind + 1 != argc)
    LC_FAIL(LC_EUSAGE, "optimize: expected exactly one PARAMS.yml (see lifecircle optimize "
                       "--help)");
  if (!a.category || a.k < 1)
    LC_FAIL(LC_EUSAGE, "optimize: --category and --k are required");
  if ((a.cand_file != NULL) == (a.cand_poly != NULL))
    LC_FAIL(LC_EUSAGE, "optimize: give exactly one of --candidates FILE and --candidates-in "
                       "POLYGON");
  a.params = argv[optind];
  char prefix[512];
  if (!a.prefix) {
    snprintf(prefix, sizeof prefix, "optimize-%s-k%ld", a.category, a.k);
    a.prefix = prefix;
  }
  struct run_ctx run;
  int st = run_setup(&run, a.params, NULL, NULL, MPI_COMM_WORLD);
  if (st == LC_OK)
    st = opt_run(&run, &a);
  run_free(&run);
  return st;
}
