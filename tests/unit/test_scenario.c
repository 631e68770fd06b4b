/* Tests of scenario files: parsing, validation against the baseline (every error names the
 * file and the line), applying every kind of edit on a hand-made 3 x 3 grid (expected
 * results worked out by hand, see tests/fixtures/scenario/README.md), and an added link
 * checked against an independent formula on distances from access_serial. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/access.h"
#include "lifecircle/geo.h"
#include "lifecircle/scenario.h"
#include "lifecircle/status.h"

static struct category test_cats_c[2];
static struct category_set test_cats;
static struct graph grid;
static struct facility_set base;

static double node_lon(int i) { return 121.400 + 0.001 * (i % 3); }
static double node_lat(int i) { return 31.200 + 0.001 * (i / 3); }

static int build_grid(struct graph *g) {
  if (graph_alloc(g, 9, 12) != LC_OK)
    return 1;
  for (int i = 0; i < 9; i++) {
    g->lon[i] = node_lon(i);
    g->lat[i] = node_lat(i);
    g->osm_id[i] = 1000 + i;
  }
  int e = 0;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 2; c++, e++) {
      g->u[e] = r * 3 + c;
      g->v[e] = r * 3 + c + 1;
      g->way_id[e] = 100 + r;
    }
  for (int c = 0; c < 3; c++)
    for (int r = 0; r < 2; r++, e++) {
      g->u[e] = r * 3 + c;
      g->v[e] = (r + 1) * 3 + c;
      g->way_id[e] = 200 + c;
    }
  for (e = 0; e < 12; e++) {
    if (geo_distance_cm(g->lon[g->u[e]], g->lat[g->u[e]], g->lon[g->v[e]], g->lat[g->v[e]],
                        &g->length_cm[e]) != LC_OK)
      return 1;
    g->cost_cm[e] = g->length_cm[e];
  }
  return graph_build_csr(g) == LC_OK ? 0 : 1;
}

static int setup(void) {
  memset(test_cats_c, 0, sizeof test_cats_c);
  test_cats_c[0].id = "canteen";
  test_cats_c[0].capacity = 30;
  test_cats_c[0].open_min = 630;
  test_cats_c[0].close_min = 810;
  test_cats_c[1].id = "market";
  test_cats_c[1].capacity = 0;
  test_cats_c[1].open_min = 360;
  test_cats_c[1].close_min = 1080;
  test_cats.n = 2;
  test_cats.c = test_cats_c;
  test_cats.file = "test-categories.yml";
  graph_init(&grid);
  if (build_grid(&grid))
    return 1;
  facility_init(&base);
  static const struct {
    int cat;
    const char *sid;
    int node;
  } rows[] = {{0, "node/10", 0}, {1, "node/10", 0}, {0, "node/11", 4}, {1, "node/12", 8},
              {0, "lay-1", 2},   {1, "node/13", 6}, {0, "node/14", 5}};
  for (int i = 0; i < 7; i++) {
    const struct category *c = &test_cats_c[rows[i].cat];
    if (facility_add(&base, node_lon(rows[i].node) + 1e-5, node_lat(rows[i].node), rows[i].cat,
                     rows[i].sid[0] == 'l' ? 0 : -1, rows[i].sid, "", c->capacity, c->open_min,
                     c->close_min) != LC_OK)
      return 1;
  }
  return facility_snap(&base, &grid, 300, NULL) == LC_OK ? 0 : 1;
}

static int teardown(void) {
  graph_free(&grid);
  facility_free(&base);
  return 0;
}

/* Writes text to a fresh temporary .yml and returns its path (static ring). */
static const char *write_tmp(const char *text) {
  const char *path = lc_tmp(".yml");
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return path;
}

/* Loads (and when load succeeds, applies) a scenario text; returns the first failure. */
static int load_apply(const char *path, struct scenario *sc) {
  int st = scenario_load(path, &test_cats, sc);
  if (st != LC_OK)
    return st;
  struct graph g;
  struct facility_set fs;
  struct scenario_effect eff;
  st = scenario_apply(sc, &test_cats, &grid, &base, 300, &g, &fs, &eff);
  if (st == LC_OK) {
    graph_free(&g);
    facility_free(&fs);
    scenario_effect_free(&eff);
  }
  scenario_free(sc);
  return st;
}

/* Expects a failure with `status` whose message names the file and line `line`. */
static void expect_error(const char *text, int status, int line, const char *needle) {
  const char *path = write_tmp(text);
  char where[4200];
  struct scenario sc;
  int st = load_apply(path, &sc);
  CU_ASSERT_EQUAL(st, status);
  snprintf(where, sizeof where, "%s:%d:", path, line);
  const char *msg = lc_error_message();
  if (!strstr(msg, where) || (needle && !strstr(msg, needle)))
    fprintf(stderr, "\nunexpected message (want '%s' and '%s'): %s\n", where, needle ? needle : "",
            msg);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, where));
  if (needle)
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, needle));
  remove(path);
}

static void test_load_all(void) {
  struct scenario sc;
  CU_ASSERT_FATAL(scenario_load(lc_fixture("scenario/all.yml"), &test_cats, &sc) == LC_OK);
  CU_ASSERT_STRING_EQUAL(sc.name, "all-edits");
  CU_ASSERT_STRING_EQUAL(sc.description, "every edit type");
  /* 2 adds, 3 removes, 1 relocation, 1 change, 1 link, 1 closed way. */
  CU_ASSERT_EQUAL(sc.n_edits, 9);
  scenario_free(&sc);
}

static void test_apply_all(void) {
  struct scenario sc;
  CU_ASSERT_FATAL(scenario_load(lc_fixture("scenario/all.yml"), &test_cats, &sc) == LC_OK);
  struct graph g;
  struct facility_set fs;
  struct scenario_effect eff;
  int st = scenario_apply(&sc, &test_cats, &grid, &base, 300, &g, &fs, &eff);
  CU_ASSERT_FATAL(st == LC_OK);
  CU_ASSERT_EQUAL(fs.n, 10);
  static const int excluded[10] = {0, 1, 1, 0, 1, 0, 0, 0, 0, 0};
  static const int64_t node[10] = {0, 0, 4, 7, 2, 6, 5, 7, 1, 3};
  for (int i = 0; i < 10; i++) {
    CU_ASSERT_EQUAL(fs.excluded[i], excluded[i]);
    CU_ASSERT_EQUAL(fs.node[i], node[i]);
  }
  /* Baseline rows keep their order, ids and categories. */
  for (int i = 0; i < 7; i++) {
    CU_ASSERT_STRING_EQUAL(fs.source_id[i], base.source_id[i]);
    CU_ASSERT_EQUAL(fs.category[i], base.category[i]);
  }
  CU_ASSERT_DOUBLE_EQUAL(fs.lon[3], 121.40101, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(fs.lat[3], 31.20199, 1e-12);
  CU_ASSERT(fs.snap_cm[3] > 0 && fs.snap_cm[3] < 200);
  CU_ASSERT_EQUAL(fs.capacity[6], 99);
  CU_ASSERT_EQUAL(fs.open_min[6], 7 * 60);
  CU_ASSERT_EQUAL(fs.close_min[6], 20 * 60);
  CU_ASSERT_EQUAL(fs.category[7], 0);
  CU_ASSERT_EQUAL(fs.layer[7], SCENARIO_LAYER_ADDED);
  CU_ASSERT_STRING_EQUAL(fs.source_id[7], "new-1");
  CU_ASSERT_STRING_EQUAL(fs.name[7], "New canteen");
  CU_ASSERT_EQUAL(fs.capacity[7], 12);
  CU_ASSERT_EQUAL(fs.open_min[7], 660);
  CU_ASSERT_EQUAL(fs.close_min[7], 780);
  CU_ASSERT_EQUAL(fs.snap_cm[7], 0);
  CU_ASSERT_STRING_EQUAL(fs.source_id[8], "m-a");
  CU_ASSERT_STRING_EQUAL(fs.source_id[9], "m-b");
  CU_ASSERT_EQUAL(fs.category[8], 1);
  CU_ASSERT_EQUAL(fs.capacity[8], 0); /* The category's default. */
  CU_ASSERT_EQUAL(fs.capacity[9], 5);
  CU_ASSERT_EQUAL(eff.facilities_added, 3);
  CU_ASSERT_EQUAL(eff.facilities_removed, 3);
  CU_ASSERT_EQUAL(eff.facilities_moved, 1);
  CU_ASSERT_EQUAL(eff.facilities_changed, 1);
  CU_ASSERT_EQUAL(eff.links_added, 1);
  CU_ASSERT_EQUAL(eff.edges_closed, 2);
  CU_ASSERT_EQUAL(eff.network_changed, 1);
  CU_ASSERT_EQUAL(eff.category_changed[0], 1);
  CU_ASSERT_EQUAL(eff.category_changed[1], 1);
  /* The graph: same nodes, the 2 edges of way 101 gone, the link 0-8 of 50 m last. */
  CU_ASSERT_EQUAL(g.n_nodes, 9);
  CU_ASSERT_EQUAL(g.n_edges, 11);
  for (int64_t e = 0; e < g.n_edges; e++)
    CU_ASSERT_NOT_EQUAL(g.way_id[e], 101);
  CU_ASSERT_EQUAL(g.u[10], 0);
  CU_ASSERT_EQUAL(g.v[10], 8);
  CU_ASSERT_EQUAL(g.length_cm[10], 5000);
  CU_ASSERT_EQUAL(g.cost_cm[10], 5000);
  CU_ASSERT_EQUAL(g.way_id[10], -1);
  CU_ASSERT_PTR_NOT_NULL(g.adj_off);
  CU_ASSERT_EQUAL(g.adj_off[9], 22);
  /* The baseline is untouched. */
  CU_ASSERT_EQUAL(base.n, 7);
  CU_ASSERT_EQUAL(base.node[3], 8);
  CU_ASSERT_EQUAL(grid.n_edges, 12);
  graph_free(&g);
  facility_free(&fs);
  scenario_effect_free(&eff);
  scenario_free(&sc);
}

static void test_apply_empty(void) {
  struct scenario sc;
  CU_ASSERT_FATAL(scenario_load(lc_fixture("scenario/empty.yml"), &test_cats, &sc) == LC_OK);
  CU_ASSERT_EQUAL(sc.n_edits, 0);
  struct graph g;
  struct facility_set fs;
  struct scenario_effect eff;
  CU_ASSERT_FATAL(scenario_apply(&sc, &test_cats, &grid, &base, 300, &g, &fs, &eff) == LC_OK);
  CU_ASSERT_EQUAL(fs.n, base.n);
  for (int64_t i = 0; i < fs.n; i++) {
    CU_ASSERT_EQUAL(fs.node[i], base.node[i]);
    CU_ASSERT_EQUAL(fs.snap_cm[i], base.snap_cm[i]);
    CU_ASSERT_EQUAL(fs.excluded[i], base.excluded[i]);
    CU_ASSERT_EQUAL(fs.capacity[i], base.capacity[i]);
  }
  CU_ASSERT_EQUAL(g.n_nodes, 0); /* No network edit: g_out left zeroed. */
  CU_ASSERT_EQUAL(eff.network_changed, 0);
  CU_ASSERT_EQUAL(eff.category_changed[0] + eff.category_changed[1], 0);
  graph_free(&g);
  facility_free(&fs);
  scenario_effect_free(&eff);
  scenario_free(&sc);
}

/* Hours and capacity changes leave the static kernel's view unchanged. */
static void test_change_only(void) {
  char text[8192];
  snprintf(text, sizeof text,
           "name: hours\nfacilities:\n  change:\n    - {source_id: node/10, capacity: 3}\n"
           "    - {within: %s, close: \"23:00\"}\n",
           lc_fixture("scenario/poly.geojson"));
  const char *path = write_tmp(text);
  struct scenario sc;
  CU_ASSERT_FATAL(scenario_load(path, &test_cats, &sc) == LC_OK);
  struct graph g;
  struct facility_set fs;
  struct scenario_effect eff;
  CU_ASSERT_FATAL(scenario_apply(&sc, &test_cats, &grid, &base, 300, &g, &fs, &eff) == LC_OK);
  CU_ASSERT_EQUAL(fs.capacity[0], 3);
  CU_ASSERT_EQUAL(fs.capacity[1], 3); /* node/10 names two facilities. */
  CU_ASSERT_EQUAL(fs.close_min[4], 23 * 60);
  CU_ASSERT_EQUAL(fs.close_min[2], base.close_min[2]);
  CU_ASSERT_EQUAL(eff.facilities_changed, 3);
  CU_ASSERT_EQUAL(eff.category_changed[0] + eff.category_changed[1], 0);
  CU_ASSERT_EQUAL(eff.network_changed, 0);
  graph_free(&g);
  facility_free(&fs);
  scenario_effect_free(&eff);
  scenario_free(&sc);
  remove(path);
}

static void test_errors(void) {
  /* Syntax (scenario_load). */
  expect_error("name: x\nfacilities:\n  add:\n    - {category: canteen, lon: 121.4}\n", LC_EPARAM,
               4, "needs category, lon and lat");
  expect_error("name: x\nfacilities:\n  add:\n    - {category: bakery, lon: 121.4, lat: 31.2}\n",
               LC_EPARAM, 4, "category 'bakery' does not exist");
  expect_error("name: x\nfacilities:\n  remove:\n    - row: 1\n      colour: red\n", LC_EPARAM, 5,
               "unknown key 'colour'");
  expect_error("name: x\nnetwork:\n  close_ways: [12, abc]\n", LC_EPARAM, 3,
               "'abc' is not an integer");
  expect_error("name: bad name\n", LC_EPARAM, 1, "may hold only letters");
  expect_error("name: x\nfacilities:\n  change:\n    - row: 1\n      open: \"25:00\"\n", LC_EPARAM,
               5, "not a time HH:MM");
  expect_error("name: x\nfacilities:\n  change:\n    - row: 1\n      open: \"14:00\"\n"
               "      close: \"09:00\"\n",
               LC_EPARAM, 6, "is not after open");
  expect_error("name: x\nfacilities:\n  remove:\n    - {row: 1, source_id: node/10}\n", LC_EPARAM,
               4, "exactly one of row, source_id");
  expect_error("name: x\nnetwork:\n  add_links:\n    - {from: [121.4, 31.2], to: [1, 2, 3]}\n",
               LC_EPARAM, 4, "must be a list [lon, lat]");
  expect_error("name: x\nnetwork:\n  add_links:\n    - {from: [121.4, 31.2], to: [121.401, 31.2],"
               " length_m: 0}\n",
               LC_EPARAM, 4, "length_m");
  expect_error("name: x\nfacilities:\n  add:\n    - {file: nowhere.geojson, crs: wgs84}\n", LC_EIO,
               4, "nowhere.geojson");
  /* Against the baseline (scenario_apply). */
  expect_error("name: x\nfacilities:\n  remove:\n    - row: 7\n", LC_EPARAM, 4,
               "facility row 7 does not exist");
  expect_error("name: x\nfacilities:\n  remove:\n    - source_id: node/99\n", LC_EPARAM, 4,
               "source id 'node/99' names no baseline facility");
  expect_error("name: x\nfacilities:\n  remove:\n    - source_id: node/11\n"
               "      category: market\n",
               LC_EPARAM, 4, "of category market");
  expect_error("name: x\nfacilities:\n  remove:\n    - row: 2\n  relocate:\n"
               "    - {row: 2, lon: 121.4, lat: 31.2}\n",
               LC_EPARAM, 6, "already removed by the edit at line 4");
  expect_error("name: x\nfacilities:\n  relocate:\n    - {row: 0, lon: 121.5, lat: 31.2}\n",
               LC_EPARAM, 4, "beyond Facilities:max_snap_m");
  expect_error("name: x\nfacilities:\n  add:\n    - {category: market, lon: 121.3, lat: 31.2}\n",
               LC_EPARAM, 4, "beyond Facilities:max_snap_m");
  expect_error("name: x\nfacilities:\n  change:\n    - row: 0\n      open: \"14:00\"\n", LC_EPARAM,
               4, "would close at 13:30");
  expect_error("name: x\nnetwork:\n  close_ways:\n    - 100\n    - 555\n", LC_EPARAM, 5,
               "way 555 does not exist");
  expect_error("name: x\nnetwork:\n  add_links:\n    - {from: [121.40001, 31.2], "
               "to: [121.40002, 31.20001]}\n",
               LC_EPARAM, 4, "snap to the same node");
  expect_error("name: x\nnetwork:\n  add_links:\n    - {from: [121.4, 31.2], "
               "to: [121.45, 31.2]}\n",
               LC_EPARAM, 4, "to end is");
}

/* An added link shortens exactly the distances it should: for sources on node 0 and a new
 * edge 0-8 of length L, the edited distance to x is min(d(0, x), L + d(8, x)) with d on the
 * baseline graph (a shortest path uses the new edge at most once, from node 0). */
static void test_link_distances(void) {
  const char *path = write_tmp("name: link\nnetwork:\n  add_links:\n"
                               "    - {from: [121.40001, 31.20001], to: [121.402, 31.202], "
                               "length_m: 40}\n");
  struct scenario sc;
  CU_ASSERT_FATAL(scenario_load(path, &test_cats, &sc) == LC_OK);
  struct graph g;
  struct facility_set fs;
  struct scenario_effect eff;
  CU_ASSERT_FATAL(scenario_apply(&sc, &test_cats, &grid, &base, 300, &g, &fs, &eff) == LC_OK);
  CU_ASSERT_EQUAL(eff.network_changed, 1);
  CU_ASSERT_EQUAL(eff.category_changed[0] + eff.category_changed[1], 0);
  int64_t n0 = 0, n8 = 8, z = 0, off = 0, r = 1000000;
  struct access_sources s0 = {1, &n0, &z, &off}, s8 = {1, &n8, &z, &off};
  struct access_result a0, a8, e0;
  CU_ASSERT_FATAL(access_serial(&grid, 1, &s0, &r, 1, &a0) == LC_OK);
  CU_ASSERT_FATAL(access_serial(&grid, 1, &s8, &r, 1, &a8) == LC_OK);
  CU_ASSERT_FATAL(access_serial(&g, 1, &s0, &r, 1, &e0) == LC_OK);
  int shorter = 0;
  for (int x = 0; x < 9; x++) {
    int64_t d0 = access_get(&a0.t[0], x).dist_cm, d8 = access_get(&a8.t[0], x).dist_cm;
    int64_t want = d0 < 4000 + d8 ? d0 : 4000 + d8;
    CU_ASSERT_EQUAL(access_get(&e0.t[0], x).dist_cm, want);
    shorter += want < d0;
  }
  CU_ASSERT(shorter >= 3); /* Nodes 8, 5 and 7 at least. */
  access_result_free(&a0);
  access_result_free(&a8);
  access_result_free(&e0);
  graph_free(&g);
  facility_free(&fs);
  scenario_effect_free(&eff);
  scenario_free(&sc);
  remove(path);
}

static void test_copies(void) {
  struct graph g;
  CU_ASSERT_FATAL(graph_copy(&grid, &g) == LC_OK);
  CU_ASSERT_EQUAL(g.n_edges, grid.n_edges);
  CU_ASSERT_PTR_NOT_EQUAL(g.u, grid.u);
  CU_ASSERT(memcmp(g.length_cm, grid.length_cm, 12 * sizeof *g.length_cm) == 0);
  CU_ASSERT(memcmp(g.adj_node, grid.adj_node, 24 * sizeof *g.adj_node) == 0);
  graph_free(&g);
  struct facility_set fs;
  CU_ASSERT_FATAL(facility_copy(&base, &fs) == LC_OK);
  CU_ASSERT_EQUAL(fs.n, base.n);
  CU_ASSERT_PTR_NOT_EQUAL(fs.source_id[0], base.source_id[0]);
  CU_ASSERT_STRING_EQUAL(fs.source_id[6], "node/14");
  CU_ASSERT_EQUAL(fs.node[6], 5);
  facility_free(&fs);
}

/* ---- Housing: residents added and removed (population:add and population:remove). ---- */

/* A hand-made population on the grid: groups a, b, c; subdistrict 0 holds nodes 0-4,
 * subdistrict 1 nodes 5-7, node 8 lies outside both. */
static struct group test_groups_g[3] = {
    {"a", "", 0.4, 1.0}, {"b", "", 0.3, 1.0}, {"c", "", 0.3, 1.0}};
static const struct group_set test_groups = {3, test_groups_g, "test-groups.yml"};
static const int64_t test_by_group[9][3] = {{10, 0, 10}, {10, 10, 0}, {4, 4, 2},
                                            {0, 0, 0},   {0, 0, 0},   {6, 3, 1},
                                            {2, 2, 2},   {3, 0, 7},   {1, 1, 1}};
static const int32_t test_sub[9] = {0, 0, 0, 0, 0, 1, 1, 1, -1};

static void make_population(struct population *p) {
  memset(p, 0, sizeof *p);
  p->n_nodes = 9;
  p->n_groups = 3;
  p->n_subdistricts = 2;
  p->subdistrict = calloc(9, sizeof *p->subdistrict);
  p->weight = calloc(9, sizeof *p->weight);
  p->residents = calloc(9, sizeof *p->residents);
  p->by_group = calloc(27, sizeof *p->by_group);
  p->sub_residents = calloc(2, sizeof *p->sub_residents);
  p->sub_group = calloc(6, sizeof *p->sub_group);
  p->sub_nodes = calloc(2, sizeof *p->sub_nodes);
  for (int i = 0; i < 9; i++) {
    p->subdistrict[i] = test_sub[i];
    for (int g = 0; g < 3; g++) {
      p->by_group[i * 3 + g] = test_by_group[i][g];
      p->residents[i] += test_by_group[i][g];
      if (test_sub[i] >= 0) {
        p->sub_group[test_sub[i] * 3 + g] += test_by_group[i][g];
        p->sub_residents[test_sub[i]] += test_by_group[i][g];
      }
    }
    if (test_sub[i] >= 0)
      p->sub_nodes[test_sub[i]]++;
  }
}

/* Writes a GeoJSON box (lon0, lat0)-(lon1, lat1) named "project" to a temporary file. */
static const char *write_box(double lon0, double lat0, double lon1, double lat1) {
  const char *path = lc_tmp(".geojson");
  FILE *f = fopen(path, "w");
  if (f) {
    fprintf(f,
            "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
            "\"properties\": {\"name\": \"project\"}, \"geometry\": {\"type\": \"Polygon\", "
            "\"coordinates\": [[[%.6f, %.6f], [%.6f, %.6f], [%.6f, %.6f], [%.6f, %.6f], "
            "[%.6f, %.6f]]]}}]}\n",
            lon0, lat0, lon1, lat0, lon1, lat1, lon0, lat1, lon0, lat0);
    fclose(f);
  }
  return path;
}

/* Loads a scenario text and applies its population edits to the hand-made population. */
static int load_apply_population(const char *text, struct population *out,
                                 struct scenario_effect *eff) {
  struct scenario sc;
  struct population base;
  make_population(&base);
  memset(eff, 0, sizeof *eff);
  int st = scenario_load(write_tmp(text), &test_cats, &sc);
  if (st == LC_OK) {
    st = scenario_apply_population(&sc, &grid, &base, &test_groups, 300, out, eff);
    scenario_free(&sc);
  }
  population_free(&base);
  return st;
}

static void test_housing_by_hand(void) {
  /* The expected counts are worked out by hand in tests/fixtures/scenario/README.md
   * ("Housing"): largest remainder over the groups, then over the nodes. */
  char text[2048];
  snprintf(text, sizeof text,
           "name: housing\nillustrative: true\npopulation:\n"
           "  add:\n"
           "    - {lon: 121.40101, lat: 31.2, residents: 7}\n"
           "    - {within: %s, dwellings: 10, household_size: 2.35,\n"
           "       household_size_source: test}\n"
           "  remove:\n"
           "    - {lon: 121.4, lat: 31.2, residents: 6, groups: {a: 0.5, c: 0.5}}\n"
           "    - {lon: 121.401, lat: 31.202, residents: 5}\n",
           write_box(121.3995, 31.2015, 121.4025, 31.2025));
  struct population p;
  struct scenario_effect eff;
  int st = load_apply_population(text, &p, &eff);
  if (st != LC_OK)
    fprintf(stderr, "\n%s\n", lc_error_message());
  CU_ASSERT_FATAL(st == LC_OK);
  static const int64_t want[9][3] = {{7, 0, 7}, {13, 12, 2}, {4, 4, 2}, {0, 0, 0}, {0, 0, 0},
                                     {6, 3, 1}, {6, 4, 5},   {4, 2, 7}, {4, 2, 4}};
  for (int i = 0; i < 9; i++) {
    int64_t sum = 0;
    for (int g = 0; g < 3; g++) {
      CU_ASSERT_EQUAL(p.by_group[i * 3 + g], want[i][g]);
      sum += want[i][g];
    }
    CU_ASSERT_EQUAL(p.residents[i], sum);
  }
  static const int64_t want_sub[2][3] = {{24, 16, 11}, {16, 9, 13}};
  for (int s = 0; s < 2; s++)
    for (int g = 0; g < 3; g++)
      CU_ASSERT_EQUAL(p.sub_group[s * 3 + g], want_sub[s][g]);
  CU_ASSERT_EQUAL(p.sub_residents[0], 51);
  CU_ASSERT_EQUAL(p.sub_residents[1], 38);
  CU_ASSERT_EQUAL(eff.population_changed, 1);
  CU_ASSERT_EQUAL(eff.residents_added, 31); /* 7 + round(10 x 2.35). */
  CU_ASSERT_EQUAL(eff.residents_removed, 11);
  population_free(&p);
}

static void test_housing_none(void) {
  struct population p;
  struct scenario_effect eff;
  CU_ASSERT_FATAL(load_apply_population("name: plain\n", &p, &eff) == LC_OK);
  CU_ASSERT_EQUAL(eff.population_changed, 0);
  CU_ASSERT_EQUAL(p.n_nodes, 0);
  CU_ASSERT_PTR_NULL(p.by_group);
}

/* A housing error: status, the scenario file and line in the message, and a phrase. */
static void expect_housing_error(const char *text, int status, int line, const char *needle) {
  struct population p;
  struct scenario_effect eff;
  int st = load_apply_population(text, &p, &eff);
  CU_ASSERT_EQUAL(st, status);
  if (st == LC_OK) {
    population_free(&p);
    return;
  }
  char where[64];
  snprintf(where, sizeof where, ".yml:%d:", line);
  const char *msg = lc_error_message();
  if (!strstr(msg, where) || !strstr(msg, needle))
    fprintf(stderr, "\nunexpected message (want '%s' and '%s'): %s\n", where, needle, msg);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, where));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, needle));
}

static void test_housing_errors(void) {
  expect_housing_error("population:\n  add:\n    - {lon: 121.4, lat: 31.2, residents: -5}\n",
                       LC_EPARAM, 3, "residents = -5 is outside 1..");
  expect_housing_error("population:\n  add:\n    - {lon: 121.4, lat: 31.2}\n", LC_EPARAM, 3,
                       "give exactly one of residents");
  expect_housing_error("population:\n  add:\n    - {residents: 5}\n", LC_EPARAM, 3,
                       "the place is missing");
  expect_housing_error("population:\n  add:\n    - {lon: 121.4, lat: 31.2, dwellings: 5,\n"
                       "       household_size: 2.5}\n",
                       LC_EPARAM, 3, "household_size_source");
  expect_housing_error("population:\n  add:\n    - {lon: 121.4, lat: 31.2, residents: 5,\n"
                       "       groups: {a: 0.5, b: 0.4}}\n",
                       LC_EPARAM, 4, "sum to 0.9");
  expect_housing_error("population:\n  add:\n    - {lon: 121.4, lat: 31.2, residents: 5,\n"
                       "       groups: {a: 0.5, z: 0.5}}\n",
                       LC_EPARAM, 3, "'z' is not a group");
  expect_housing_error("population:\n  add:\n    - {lon: 121.4, lat: 31.2, residents: 5, "
                       "size: 3}\n",
                       LC_EPARAM, 3, "unknown key 'size'");
  expect_housing_error("population:\n  add:\n    - {lon: 121.6, lat: 31.2, residents: 5}\n",
                       LC_EPARAM, 3, "beyond Facilities:max_snap_m");
  char text[1024];
  snprintf(text, sizeof text, "population:\n  add:\n    - {within: %s, residents: 5}\n",
           write_box(121.5, 31.5, 121.501, 31.501));
  expect_housing_error(text, LC_EPARAM, 3, "no node of the walking graph lies inside");
  /* Node 0 has 20 residents (10 a, 0 b, 10 c): no removal may take it below zero. */
  expect_housing_error("population:\n  remove:\n    - {lon: 121.4, lat: 31.2, residents: 21}\n",
                       LC_EPARAM, 3, "has only 20: a node would go negative");
  expect_housing_error("population:\n  remove:\n    - {lon: 121.4, lat: 31.2, residents: 2,\n"
                       "       groups: {b: 1}}\n",
                       LC_EPARAM, 3,
                       "removes 2 residents of group 'b' but the place (1 node) has only 0");
  /* Two removals together exceed node 0's residents of group a. */
  expect_housing_error("population:\n  remove:\n    - {lon: 121.4, lat: 31.2, residents: 8,\n"
                       "       groups: {a: 1}}\n    - {lon: 121.4, lat: 31.2, residents: 4,\n"
                       "       groups: {a: 1}}\n",
                       LC_EPARAM, 5, "has only 2");
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("scenario", setup, teardown);
  if (!s)
    return 1;
  if (!CU_add_test(s, "load every edit type", test_load_all) ||
      !CU_add_test(s, "apply every edit type", test_apply_all) ||
      !CU_add_test(s, "no edits equal the baseline", test_apply_empty) ||
      !CU_add_test(s, "capacity and hours only", test_change_only) ||
      !CU_add_test(s, "errors name file and line", test_errors) ||
      !CU_add_test(s, "added link against Dijkstra", test_link_distances) ||
      !CU_add_test(s, "deep copies", test_copies) ||
      !CU_add_test(s, "housing: residents by hand", test_housing_by_hand) ||
      !CU_add_test(s, "housing: none without edits", test_housing_none) ||
      !CU_add_test(s, "housing: errors name file and line", test_housing_errors))
    return 1;
  return 0;
}
