/* A small world for the agent simulation's tests: a graph built in memory, the test
 * categories and groups (tests/fixtures/agents), hand-placed facilities and residents, a
 * partition, the distributed catchment lists (access_run) and the agents' input. Shared by
 * test_agents.c and test_mpi_agents.c (static functions, included once per test). */
#ifndef AGENTS_WORLD_H
#define AGENTS_WORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/access.h"
#include "lifecircle/agents.h"
#include "lifecircle/status.h"

#define WORLD_MAX_CAT 8

struct world {
  struct graph g;
  struct category_set cats;
  struct group_set groups;
  struct facility_set fac;
  struct population pop;
  int32_t *part;
  struct dgraph dg;
  int have_dg;
  struct access_result acc;
  int64_t radius[WORLD_MAX_CAT];
  int thr[WORLD_MAX_CAT];
  double target[WORLD_MAX_CAT];
  int ess[WORLD_MAX_CAT];
  uint8_t serves[WORLD_MAX_CAT * 4];
  double speed[4];
  struct coverage_spec cov;
  struct params params;
  struct agents_config cfg;
  struct agents_input in;
  struct agents_output out;
};

/* Loads the test categories and groups and configures the agents from a parameter text
 * (the Agents section; `activities` names a fixture). */
static inline void world_init(struct world *w, const char *activities, const char *extra_params) {
  memset(w, 0, sizeof *w);
  graph_init(&w->g);
  facility_init(&w->fac);
  CU_ASSERT_EQUAL_FATAL(categories_load(lc_fixture("agents/categories.yml"), &w->cats), LC_OK);
  CU_ASSERT_EQUAL_FATAL(group_load(lc_fixture("agents/groups.yml"), &w->groups), LC_OK);
  char text[2048];
  snprintf(text, sizeof text, "Agents:\n  activities: %s\n%s", lc_fixture(activities),
           extra_params ? extra_params : "");
  CU_ASSERT_EQUAL_FATAL(params_from_string(text, "test.yml", &w->params), LC_OK);
  CU_ASSERT_EQUAL_FATAL(agents_configure(&w->params, &w->cfg), LC_OK);
  int st = agents_prepare(&w->cfg, &w->cats, &w->groups);
  if (st != LC_OK)
    fprintf(stderr, "agents_prepare: %s\n", lc_error_message());
  CU_ASSERT_EQUAL_FATAL(st, LC_OK);
}

/* A path 0 - 1 - ... - n-1 with every edge len_cm long. */
static inline void world_path(struct world *w, int64_t n, int64_t len_cm) {
  CU_ASSERT_EQUAL_FATAL(graph_alloc(&w->g, n, n - 1), LC_OK);
  for (int64_t i = 0; i < n; i++) {
    w->g.lon[i] = 121.4 + 0.001 * (double)i;
    w->g.lat[i] = 31.2;
    w->g.osm_id[i] = i;
  }
  for (int64_t i = 0; i + 1 < n; i++) {
    w->g.u[i] = i;
    w->g.v[i] = i + 1;
    w->g.length_cm[i] = w->g.cost_cm[i] = len_cm;
    w->g.way_id[i] = -1;
  }
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(&w->g), LC_OK);
}

/* Empty population over the graph's nodes, one subdistrict holding every node (or two: the
 * nodes below n/2 and the rest, when two_subs). */
static inline void world_population(struct world *w, int two_subs) {
  int64_t n = w->g.n_nodes;
  int G = w->groups.n;
  w->pop.n_nodes = n;
  w->pop.n_groups = G;
  w->pop.n_subdistricts = two_subs ? 2 : 1;
  w->pop.subdistrict = calloc((size_t)n, sizeof *w->pop.subdistrict);
  w->pop.weight = calloc((size_t)n, sizeof *w->pop.weight);
  w->pop.residents = calloc((size_t)n, sizeof *w->pop.residents);
  w->pop.by_group = calloc((size_t)n * (size_t)G, sizeof *w->pop.by_group);
  w->pop.sub_residents = calloc(2, sizeof(int64_t));
  w->pop.sub_group = calloc(2 * (size_t)G, sizeof(int64_t));
  w->pop.sub_nodes = calloc(2, sizeof(int64_t));
  CU_ASSERT_FATAL(w->pop.subdistrict && w->pop.by_group && w->pop.residents);
  for (int64_t i = 0; i < n; i++)
    w->pop.subdistrict[i] = two_subs && i >= n / 2 ? 1 : 0;
}

static inline void world_residents(struct world *w, int64_t node, const char *group, int64_t r) {
  int g = group_find(&w->groups, group);
  CU_ASSERT_FATAL(g >= 0);
  w->pop.by_group[node * w->groups.n + g] = r;
  w->pop.residents[node] += r;
}

/* Adds a facility of category `cat` on `node` with snap distance snap_cm. Returns its row. */
static inline int64_t world_facility(struct world *w, const char *cat, int64_t node,
                                     int64_t snap_cm, int cap, const char *open,
                                     const char *close) {
  int c = categories_find(&w->cats, cat);
  CU_ASSERT_FATAL(c >= 0);
  int32_t o = w->cats.c[c].open_min, cl = w->cats.c[c].close_min;
  if (open)
    CU_ASSERT_EQUAL_FATAL(facility_parse_hhmm(open, &o), LC_OK);
  if (close)
    CU_ASSERT_EQUAL_FATAL(facility_parse_hhmm(close, &cl), LC_OK);
  char id[32];
  snprintf(id, sizeof id, "row/%lld", (long long)w->fac.n);
  CU_ASSERT_EQUAL_FATAL(facility_add(&w->fac, w->g.lon[node], w->g.lat[node], c, 0, id, NULL,
                                     cap < 0 ? w->cats.c[c].capacity : cap, o, cl),
                        LC_OK);
  int64_t f = w->fac.n - 1;
  w->fac.node[f] = node;
  w->fac.snap_cm[f] = snap_cm;
  return f;
}

/* Partitions (part: owner of every node, NULL: all on rank 0), computes the catchment lists
 * with k entries and runs the agents on comm. Returns agents_run's status. */
static inline int world_run(struct world *w, MPI_Comm comm, const int32_t *part, int k) {
  int64_t n = w->g.n_nodes;
  int C = w->cats.n, G = w->groups.n;
  w->part = calloc((size_t)n, sizeof *w->part);
  CU_ASSERT_FATAL(w->part != NULL);
  if (part)
    memcpy(w->part, part, (size_t)n * sizeof *part);
  CU_ASSERT_EQUAL_FATAL(dgraph_build(&w->g, w->part, comm, &w->dg), LC_OK);
  w->have_dg = 1;
  struct access_sources src[WORLD_MAX_CAT];
  int64_t *buf = malloc((size_t)(3 * (w->fac.n + 1)) * sizeof *buf);
  CU_ASSERT_FATAL(buf != NULL);
  int64_t at = 0;
  for (int c = 0; c < C; c++) {
    int64_t start = at;
    for (int64_t f = 0; f < w->fac.n; f++)
      if (w->fac.category[f] == c) {
        buf[at] = w->fac.node[f];
        buf[w->fac.n + 1 + at] = f;
        buf[2 * (w->fac.n + 1) + at] = w->fac.snap_cm[f];
        at++;
      }
    src[c] = (struct access_sources){at - start, buf + start, buf + w->fac.n + 1 + start,
                                     buf + 2 * (w->fac.n + 1) + start};
    w->radius[c] = (int64_t)(w->cats.c[c].radius_m * 100.0);
    w->thr[c] = w->cats.c[c].threshold_min;
    w->target[c] = w->cats.c[c].target_share;
    w->ess[c] = w->cats.c[c].essential;
    for (int g = 0; g < G; g++)
      w->serves[c * G + g] = strstr(w->cats.c[c].groups, w->groups.g[g].id) != NULL;
  }
  CU_ASSERT_EQUAL_FATAL(access_run(&w->dg, C, src, w->radius, k, &w->acc, comm), LC_OK);
  free(buf);
  for (int g = 0; g < G; g++)
    w->speed[g] = w->groups.g[g].speed_m_s;
  w->cov = (struct coverage_spec){
      w->pop.n_subdistricts, C, G, w->thr, w->target, w->ess, w->serves, w->speed, 5000, NULL};
  w->in = (struct agents_input){&w->cfg,  &w->dg,  w->part, &w->acc, &w->fac, &w->pop, &w->groups,
                                &w->cats, &w->cov, 12345,   NULL,    0,       1.0};
  return agents_run(&w->in, comm, &w->out);
}

static inline void world_free(struct world *w) {
  agents_output_free(&w->out);
  agents_config_free(&w->cfg);
  params_free(&w->params);
  access_result_free(&w->acc);
  if (w->have_dg)
    dgraph_free(&w->dg);
  free(w->part);
  population_free(&w->pop);
  facility_free(&w->fac);
  group_free(&w->groups);
  categories_free(&w->cats);
  graph_free(&w->g);
}

/* All trips of the run, sorted by (agent, index), on every rank. */
static struct agents_trip *world_trips(struct world *w, MPI_Comm comm, int64_t *n) {
  struct agents_trip *t = NULL;
  CU_ASSERT_EQUAL_FATAL(agents_trips_gather(&w->out, comm, &t, n), LC_OK);
  return t;
}

/* FacilityLoad cell (q: 0 arrivals, 1 served, 2 peak queue, 3 refused persons, 4 attempts)
 * on rank 0. */
static inline int64_t world_load(const struct world *w, int q, int64_t f, int64_t bin) {
  return w->out.load[((int64_t)q * w->out.n_fac + f) * w->out.n_bins + bin];
}

#endif
