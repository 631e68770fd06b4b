/* Tests of polygons (point in polygon with holes and MultiPolygons, errors), population
 * tables, groups, the largest-remainder method and the placement of residents on nodes,
 * against hand-worked answers and, for the real subdistrict polygons, matplotlib's
 * point-in-path test (fixture population/xinhua_pip.csv). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/csvtab.h"
#include "lifecircle/geom.h"
#include "lifecircle/groups.h"
#include "lifecircle/population.h"
#include "lifecircle/status.h"

static const char *write_tmp(const char *suffix, const char *text) {
  const char *path = lc_tmp(suffix);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return path;
}

static int msg_has(const char *a, const char *b) {
  const char *m = lc_error_message();
  int ok = strstr(m, a) && (!b || strstr(m, b));
  if (!ok)
    fprintf(stderr, "\n  message lacks '%s'/'%s': %s\n", a, b ? b : "", m);
  return ok;
}

static void test_geom_hand(void) {
  struct polygon_set ps;
  CU_ASSERT_EQUAL_FATAL(geom_load_polygons(lc_fixture("population/polygons.geojson"), "name", &ps),
                        LC_OK);
  CU_ASSERT_EQUAL_FATAL(ps.n, 3);
  CU_ASSERT_STRING_EQUAL(ps.name[0], "A");
  CU_ASSERT_STRING_EQUAL(ps.name[2], "C");
  CU_ASSERT_EQUAL(ps.ring_off[1] - ps.ring_off[0], 2); /* Outer ring and hole. */
  CU_ASSERT_EQUAL(ps.ring_off[3] - ps.ring_off[2], 2); /* C's two features merged. */
  CU_ASSERT_EQUAL(geom_find(&ps, "B"), 1);
  CU_ASSERT_EQUAL(geom_find(&ps, "D"), -1);
  /* The hole. */
  CU_ASSERT(geom_contains(&ps, 0, 2, 2));
  CU_ASSERT(!geom_contains(&ps, 0, 5, 5));
  CU_ASSERT(geom_contains(&ps, 0, 5, 3.9));
  CU_ASSERT(geom_contains(&ps, 0, 6.5, 5));
  CU_ASSERT(!geom_contains(&ps, 0, 10.5, 5));
  /* The MultiPolygon's two parts, and the gap between them. */
  CU_ASSERT(geom_contains(&ps, 1, 21, 1));
  CU_ASSERT(geom_contains(&ps, 1, 31, 1));
  CU_ASSERT(!geom_contains(&ps, 1, 25, 1));
  /* A ray through a vertex: the triangle's apex (42, 4); points level with it. */
  CU_ASSERT(!geom_contains(&ps, 2, 41, 4));
  CU_ASSERT(geom_contains(&ps, 2, 42, 3.99));
  CU_ASSERT(geom_contains(&ps, 2, 40.5, 10.5));
  CU_ASSERT(!geom_contains(&ps, 2, 40.5, 9.5));
  CU_ASSERT_EQUAL(geom_locate(&ps, 1, 1), 0);
  CU_ASSERT_EQUAL(geom_locate(&ps, 5, 5), -1);
  CU_ASSERT_EQUAL(geom_locate(&ps, 31.5, 0.5), 1);
  CU_ASSERT_EQUAL(geom_locate(&ps, 42, 1), 2);
  CU_ASSERT_EQUAL(geom_locate(&ps, 100, 1), -1);
  /* Areas against the closed form of a band between two meridians and two parallels on a
   * sphere, R^2 dlon (sin lat1 - sin lat0): A's square less its hole, B's two squares. */
  const double r = 6371.0088, d = 3.14159265358979323846 / 180.0;
  double a = r * r * 10 * d * sin(10 * d) - r * r * 2 * d * (sin(6 * d) - sin(4 * d));
  double b = 2 * r * r * 2 * d * sin(2 * d);
  CU_ASSERT_DOUBLE_EQUAL(geom_area_km2(&ps, 0), a, 1e-6 * a);
  CU_ASSERT_DOUBLE_EQUAL(geom_area_km2(&ps, 1), b, 1e-6 * b);
  geom_free(&ps);
}

static void test_geom_real(void) {
  struct polygon_set ps;
  CU_ASSERT_EQUAL_FATAL(geom_load_polygons(lc_shared("data/changning/subdistricts-partial.geojson"),
                                           "subdistrict", &ps),
                        LC_OK);
  CU_ASSERT_EQUAL_FATAL(ps.n, 6);
  struct csvtab t;
  CU_ASSERT_EQUAL_FATAL(csvtab_load(lc_fixture("population/xinhua_pip.csv"), &t), LC_OK);
  int64_t wrong = 0;
  for (int64_t r = 0; r < t.n_rows; r++) {
    int want = atoi(csvtab_get(&t, r, 2));
    int got = geom_locate(&ps, atof(csvtab_get(&t, r, 0)), atof(csvtab_get(&t, r, 1)));
    wrong += got != want;
  }
  CU_ASSERT(t.n_rows == 400);
  CU_ASSERT_EQUAL(wrong, 0);
  csvtab_free(&t);
  geom_free(&ps);
  CU_ASSERT_EQUAL_FATAL(
      geom_load_polygons(lc_shared("data/changning/xinhua-boundary.geojson"), "name", &ps), LC_OK);
  CU_ASSERT_EQUAL(ps.n, 1);
  CU_ASSERT_STRING_EQUAL(ps.name[0], "新华路街道");
  geom_free(&ps);
}

static void expect_geom_error(const char *text, const char *where, const char *what) {
  const char *path = write_tmp(".geojson", text);
  struct polygon_set ps;
  CU_ASSERT_EQUAL(geom_load_polygons(path, "name", &ps), LC_EFORMAT);
  CU_ASSERT(msg_has(path, where));
  if (what)
    CU_ASSERT(msg_has(what, NULL));
  remove(path);
}

static void test_geom_errors(void) {
  const char *ok = "{\"type\":\"Feature\",\"properties\":{\"name\":\"ok\"},\"geometry\":{\"type\":"
                   "\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}";
  char buf[2048];
#define FC(second)                                                                                 \
  (snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\",\"features\":[%s,%s]}", ok, second), \
   buf)
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}}"),
                    "feature 2", "LineString is not a Polygon");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"Point\",\"coordinates\":[0,0]}}"),
                    "feature 2 (x)", "Point");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}}"),
                    "feature 2", "3 positions");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}}"),
                    "feature 2", "not closed");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
                       "[[[5,5],[6,5],[6,6],[5,6]]]]}}"),
                    "feature 2", "not closed");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"label\":\"x\"},\"geometry\":{"
                       "\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}"),
                    "feature 2", "no string property 'name'");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":null}"),
                    "feature 2", "(none) is not a Polygon");
  /* GEOS's validity check, its reason and location in the message: a bow tie crossing
   * itself at (0.5, 0.5); a hole outside its shell; two parts of one MultiPolygon
   * overlapping. */
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}"),
                    "feature 2 (x)",
                    "invalid polygon: Self-intersection at (0.5000000, 0.5000000)");
  expect_geom_error(FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
                       "\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]],"
                       "[[3,3],[4,3],[4,4],[3,3]]]}}"),
                    "feature 2 (x)", "Hole lies outside shell");
  expect_geom_error(
      FC("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":{"
         "\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],"
         "[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}}"),
      "feature 2 (x)", "invalid polygon");
#undef FC
  struct polygon_set ps;
  CU_ASSERT_EQUAL(geom_load_polygons("/nonexistent/x.geojson", "name", &ps), LC_EIO);
}

/* Three unit squares W [0,1]x[0,1], E [1,2]x[0,1], N [0,1]x[1,2], the exterior of W
 * clockwise (accepted: containment does not depend on orientation). Oracle by hand: a point
 * on a boundary belongs to the polygon east-north-east of it, so the squares are half-open,
 * [x0, x1) x [y0, y1). Points on a 1/64 grid (exact in binary, so many lie exactly on
 * edges and corners), located serially and by 4 OpenMP threads. */
static void test_geom_boundary_threads(void) {
  const char *text =
      "{\"type\":\"FeatureCollection\",\"features\":["
      "{\"type\":\"Feature\",\"properties\":{\"name\":\"W\"},\"geometry\":{\"type\":\"Polygon\","
      "\"coordinates\":[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}},"
      "{\"type\":\"Feature\",\"properties\":{\"name\":\"E\"},\"geometry\":{\"type\":\"Polygon\","
      "\"coordinates\":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}},"
      "{\"type\":\"Feature\",\"properties\":{\"name\":\"N\"},\"geometry\":{\"type\":\"Polygon\","
      "\"coordinates\":[[[0,1],[1,1],[1,2],[0,2],[0,1]]]}}]}";
  const char *path = write_tmp(".geojson", text);
  struct polygon_set ps;
  CU_ASSERT_EQUAL_FATAL(geom_load_polygons(path, "name", &ps), LC_OK);
  remove(path);
  CU_ASSERT_EQUAL(geom_locate(&ps, 1, 0.5), 1);  /* W|E edge: E. */
  CU_ASSERT_EQUAL(geom_locate(&ps, 0.5, 1), 2);  /* W|N edge: N. */
  CU_ASSERT_EQUAL(geom_locate(&ps, 1, 1), -1);   /* Corner; nothing to its north-east. */
  CU_ASSERT_EQUAL(geom_locate(&ps, 0, 0), 0);    /* W's south-west corner. */
  CU_ASSERT_EQUAL(geom_locate(&ps, 2, 0.5), -1); /* E's east edge. */
  CU_ASSERT(geom_contains(&ps, 0, 0.5, 0.5));
  CU_ASSERT(!geom_contains(&ps, 0, 1, 0.5));
  CU_ASSERT(geom_contains(&ps, 1, 1, 0.5));
  enum { K = 193 }; /* -0.5 .. 2.5 in steps of 1/64. */
  static int serial[K * K], parallel[K * K];
  int64_t wrong = 0;
  for (int k = 0; k < K * K; k++) {
    double x = -0.5 + (k % K) / 64.0, y = -0.5 + (k / K) / 64.0;
    int want = y >= 0 && y < 1                      ? (x >= 0 && x < 1   ? 0
                                                       : x >= 1 && x < 2 ? 1
                                                                         : -1)
               : y >= 1 && y < 2 && x >= 0 && x < 1 ? 2
                                                    : -1;
    serial[k] = geom_locate(&ps, x, y);
    wrong += serial[k] != want;
  }
  CU_ASSERT_EQUAL(wrong, 0);
#pragma omp parallel for num_threads(4) schedule(dynamic, 64)
  for (int k = 0; k < K * K; k++)
    parallel[k] = geom_locate(&ps, -0.5 + (k % K) / 64.0, -0.5 + (k / K) / 64.0);
  CU_ASSERT_EQUAL(memcmp(serial, parallel, sizeof serial), 0);
  geom_free(&ps);
}

static void test_largest_remainder(void) {
  int64_t out[4];
  const double w1[3] = {1, 2, 3};
  CU_ASSERT_EQUAL(population_largest_remainder(10, w1, 3, out), LC_OK);
  /* Quotas 1.667, 3.333, 5: floors 1, 3, 5 and the unit left to the largest remainder. */
  CU_ASSERT(out[0] == 2 && out[1] == 3 && out[2] == 5);
  const double w2[3] = {1, 1, 1};
  CU_ASSERT_EQUAL(population_largest_remainder(8, w2, 3, out), LC_OK);
  /* Quotas 2.667 each: the two units left go to the lowest indices. */
  CU_ASSERT(out[0] == 3 && out[1] == 3 && out[2] == 2);
  const double w3[4] = {0, 5, 0, 5};
  CU_ASSERT_EQUAL(population_largest_remainder(3, w3, 4, out), LC_OK);
  CU_ASSERT(out[0] == 0 && out[1] == 2 && out[2] == 0 && out[3] == 1);
  CU_ASSERT_EQUAL(population_largest_remainder(0, w1, 3, out), LC_OK);
  CU_ASSERT(out[0] == 0 && out[1] == 0 && out[2] == 0);
  /* Exact sums on awkward weights. */
  double w[1000];
  int64_t o[1000];
  for (int i = 0; i < 1000; i++)
    w[i] = 1.0 / (1.0 + i * 0.37) + 1e-3 * (i % 7);
  for (int64_t total = 0; total < 100000; total += 9973) {
    CU_ASSERT_EQUAL(population_largest_remainder(total, w, 1000, o), LC_OK);
    int64_t s = 0;
    for (int i = 0; i < 1000; i++)
      s += o[i];
    CU_ASSERT_EQUAL(s, total);
  }
}

static void test_groups(void) {
  struct group_set gs;
  char path[4096];
  snprintf(path, sizeof path, "%s/../../inputs/groups.yml", lc_fixture(""));
  CU_ASSERT_EQUAL_FATAL(group_load(path, &gs), LC_OK);
  CU_ASSERT_EQUAL(gs.n, 4);
  int e = group_find(&gs, "elderly"), a = group_find(&gs, "adult");
  CU_ASSERT_FATAL(e >= 0 && a >= 0);
  CU_ASSERT_DOUBLE_EQUAL(gs.g[e].share, 0.234, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(gs.g[a].share, 0.668, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(gs.g[e].speed_m_s, 1.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(gs.g[a].speed_m_s, 1.3, 1e-12);
  double sum = 0;
  for (int i = 0; i < gs.n; i++)
    sum += gs.g[i].share;
  CU_ASSERT_DOUBLE_EQUAL(sum, 1.0, 1e-9);
  group_free(&gs);

  const char *head = "groups:\n"
                     "  - {id: child, share: 0.1, speed_m_s: 0.8}\n"
                     "  - {id: pupil, share: 0.1, speed_m_s: 1.2}\n"
                     "  - {id: adult, share: 0.5, speed_m_s: 1.3}\n";
  char buf[1024];
  struct {
    const char *last;
    int status;
    const char *what;
  } cases[] = {
      {"  - {id: elderly, share: 0.2, speed_m_s: 1.0}\n", LC_EPARAM, ":2:3: the group shares sum"},
      {"  - {id: elderly, share: 0.3, speed_m_s: 0}\n", LC_EPARAM, ":5:"},
      {"  - {id: elderly, share: 0.3, speed_m_s: 3.5}\n", LC_EPARAM, "outside (0, 3] m/s"},
      {"  - {id: elderly, share: -0.3, speed_m_s: 1.0}\n", LC_EPARAM, "outside [0, 1]"},
      {"  - {id: elderly, share: x, speed_m_s: 1.0}\n", LC_EPARAM, "not a number"},
      {"  - {id: elderly, share: 0.3}\n", LC_EFORMAT, "no 'speed_m_s'"},
      {"  - {id: elderly, share: 0.3, speed_m_s: 1.0, pace: 2}\n", LC_EFORMAT,
       "unknown key 'pace'"},
      {"  - {id: adult, share: 0.3, speed_m_s: 1.0}\n", LC_EPARAM, "duplicate group id 'adult'"},
      {"  - {id: senior, share: 0.3, speed_m_s: 1.0}\n", LC_EPARAM, "group 'elderly' is missing"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    snprintf(buf, sizeof buf, "%s%s", head, cases[k].last);
    const char *p = write_tmp(".yml", buf);
    CU_ASSERT_EQUAL(group_load(p, &gs), cases[k].status);
    CU_ASSERT(msg_has(p, cases[k].what));
    remove(p);
  }
}

static void load_hand(struct polygon_set *ps, struct population_table *t) {
  CU_ASSERT_EQUAL_FATAL(geom_load_polygons(lc_fixture("population/polygons.geojson"), "name", ps),
                        LC_OK);
  CU_ASSERT_EQUAL_FATAL(population_load_table(lc_fixture("population/residents.csv"), ps, t),
                        LC_OK);
}

static void test_table(void) {
  struct polygon_set ps;
  struct population_table t;
  load_hand(&ps, &t);
  CU_ASSERT_EQUAL(t.n, 3);
  CU_ASSERT(t.residents[0] == 1001 && t.residents[1] == 7 && t.residents[2] == 0);
  CU_ASSERT_EQUAL(t.line[1], 3);
  population_table_free(&t);
  struct {
    const char *text;
    const char *where, *what;
  } cases[] = {
      {"subdistrict,residents\nA,1\nB,2\nC,3\nD,4\n", ":5", "subdistrict 'D' is not among"},
      {"subdistrict,residents\nA,1\nC,3\n", "no row for subdistrict 'B'", NULL},
      {"subdistrict,residents\nA,1\nB,-2\nC,3\n", ":3", "negative resident count '-2'"},
      {"subdistrict,residents\nA,1\nB,2.5\nC,3\n", ":3", "not a non-negative integer"},
      {"subdistrict,residents\nA,1\nB,1e3\nC,3\n", ":3", "'1e3'"},
      {"subdistrict,residents\nA,1\nB,\nC,3\n", ":3", "not a non-negative integer"},
      {"subdistrict,residents\nA,1\nB,2\nA,5\nC,3\n", ":4",
       "duplicate row for subdistrict 'A' "
       "(first at line 2)"},
      {"name,people\nA,1\n", ":1", "no column 'residents'"},
      {"place,residents\nA,1\n", ":1", "no column 'subdistrict'"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const char *p = write_tmp(".csv", cases[k].text);
    CU_ASSERT_EQUAL(population_load_table(p, &ps, &t), LC_EFORMAT);
    CU_ASSERT(msg_has(p, cases[k].where));
    if (cases[k].what)
      CU_ASSERT(msg_has(cases[k].what, NULL));
    remove(p);
  }
  geom_free(&ps);
  /* The default: Xinhua's estimate against its boundary. */
  CU_ASSERT_EQUAL_FATAL(
      geom_load_polygons(lc_shared("data/changning/xinhua-boundary.geojson"), "name", &ps), LC_OK);
  char path[4096];
  snprintf(path, sizeof path, "%s/../../inputs/changning/xinhua-population.csv", lc_fixture(""));
  CU_ASSERT_EQUAL_FATAL(population_load_table(path, &ps, &t), LC_OK);
  CU_ASSERT_EQUAL(t.residents[0], 72000);
  population_table_free(&t);
  geom_free(&ps);
}

/* The hand-worked graph: nodes 0..2 in A, node 3 in A's hole, 4 and 5 in B's two pieces,
 * 6 outside; edges 0-1 100 m, 1-2 300 m, 2-3 200 m, 4-5 50 m, 5-6 150 m. */
static void hand_graph(struct graph *g) {
  static const double lon[7] = {1, 3, 3, 5, 21, 31, 50}, lat[7] = {1, 1, 3, 5, 1, 1, 50};
  static const int64_t u[5] = {0, 1, 2, 4, 5}, v[5] = {1, 2, 3, 5, 6};
  static const int64_t len[5] = {10000, 30000, 20000, 5000, 15000};
  graph_init(g);
  CU_ASSERT_EQUAL_FATAL(graph_alloc(g, 7, 5), LC_OK);
  for (int i = 0; i < 7; i++) {
    g->lon[i] = lon[i];
    g->lat[i] = lat[i];
    g->osm_id[i] = i;
  }
  for (int e = 0; e < 5; e++) {
    g->u[e] = u[e];
    g->v[e] = v[e];
    g->length_cm[e] = g->cost_cm[e] = len[e];
    g->way_id[e] = -1;
  }
}

static void hand_groups(struct group_set *gs) {
  static struct group gg[4] = {{"child", "", 0.1, 0.8},
                               {"pupil", "", 0.2, 1.2},
                               {"adult", "", 0.3, 1.3},
                               {"elderly", "", 0.4, 1.0}};
  gs->n = 4;
  gs->g = gg;
  gs->file = NULL;
}

static void test_assign_network(void) {
  struct polygon_set ps;
  struct population_table t;
  struct graph g;
  struct group_set gs;
  struct population pop;
  load_hand(&ps, &t);
  hand_graph(&g);
  hand_groups(&gs);
  CU_ASSERT_EQUAL_FATAL(population_assign(&g, &ps, &t, NULL, &gs, &pop), LC_OK);
  static const int32_t sub[7] = {0, 0, 0, -1, 1, 1, -1};
  /* Weights (half the incident length, m): 50, 200, 250 | 25, 100. A's 1001 residents:
   * quotas 100.1, 400.4, 500.5 -> 100, 400, 501. B's 7: quotas 1.4, 5.6 -> 1, 6. */
  static const int64_t res[7] = {100, 400, 501, 0, 1, 6, 0};
  /* Groups 0.1/0.2/0.3/0.4: 100 -> 10,20,30,40; 400 -> 40,80,120,160; 501 -> quotas
   * 50.1,100.2,150.3,200.4 -> 50,100,150,201; 1 -> 0,0,0,1; 6 -> quotas 0.6,1.2,1.8,2.4 ->
   * floors 0,1,1,2 and the two units left to adult (0.8) and child (0.6): 1,1,2,2. */
  static const int64_t grp[7][4] = {{10, 20, 30, 40}, {40, 80, 120, 160}, {50, 100, 150, 201},
                                    {0, 0, 0, 0},     {0, 0, 0, 1},       {1, 1, 2, 2},
                                    {0, 0, 0, 0}};
  static const double wt[7] = {50, 200, 250, 0, 25, 100, 0};
  for (int i = 0; i < 7; i++) {
    CU_ASSERT_EQUAL(pop.subdistrict[i], sub[i]);
    CU_ASSERT_EQUAL(pop.residents[i], res[i]);
    CU_ASSERT_DOUBLE_EQUAL(pop.weight[i], wt[i], 1e-12);
    for (int k = 0; k < 4; k++)
      CU_ASSERT_EQUAL(pop.by_group[i * 4 + k], grp[i][k]);
  }
  CU_ASSERT(pop.sub_residents[0] == 1001 && pop.sub_residents[1] == 7 && pop.sub_residents[2] == 0);
  static const int64_t sg[2][4] = {{100, 200, 300, 401}, {1, 1, 2, 3}};
  for (int s = 0; s < 2; s++)
    for (int k = 0; k < 4; k++)
      CU_ASSERT_EQUAL(pop.sub_group[s * 4 + k], sg[s][k]);
  CU_ASSERT(pop.sub_nodes[0] == 3 && pop.sub_nodes[1] == 2 && pop.sub_nodes[2] == 0);
  population_free(&pop);

  /* C with residents but no node inside: an error naming it. */
  t.residents[2] = 5;
  CU_ASSERT_EQUAL(population_assign(&g, &ps, &t, NULL, &gs, &pop), LC_EEMPTY);
  CU_ASSERT(msg_has("subdistrict 'C'", "no network node"));
  population_table_free(&t);
  geom_free(&ps);
  graph_free(&g);
}

static void test_assign_density(void) {
  struct polygon_set ps;
  struct population_table t;
  struct graph g;
  struct group_set gs;
  struct population pop;
  struct density_samples d;
  load_hand(&ps, &t);
  hand_graph(&g);
  hand_groups(&gs);
  CU_ASSERT_EQUAL_FATAL(population_load_density(lc_fixture("population/density.csv"), NULL, &d),
                        LC_OK);
  CU_ASSERT_EQUAL(d.n, 4);
  CU_ASSERT_EQUAL_FATAL(population_assign(&g, &ps, &t, &d, &gs, &pop), LC_OK);
  /* Nearest samples: node 0 (1,1) and node 1 (3,1) -> (2,2) value 2; node 2 (3,3) ->
   * (3,3.2) value 1; node 4 -> (21,1) value 4; node 5 -> (31,1) value 1. Weights 100, 400,
   * 250 | 100, 100. A: quotas 1001 * (100, 400, 250) / 750 = 133.47, 533.87, 333.67 ->
   * floors 133, 533, 333 and two units to nodes 1 and 2: 133, 534, 334. B: quotas 3.5, 3.5
   * -> the tie goes to the lower node: 4, 3. */
  static const int64_t res[7] = {133, 534, 334, 0, 4, 3, 0};
  static const double wt[7] = {100, 400, 250, 0, 100, 100, 0};
  for (int i = 0; i < 7; i++) {
    CU_ASSERT_EQUAL(pop.residents[i], res[i]);
    CU_ASSERT_DOUBLE_EQUAL(pop.weight[i], wt[i], 1e-12);
    int64_t s = 0;
    for (int k = 0; k < 4; k++)
      s += pop.by_group[i * 4 + k];
    CU_ASSERT_EQUAL(s, res[i]);
  }
  population_free(&pop);
  population_density_free(&d);
  CU_ASSERT_EQUAL(population_load_density(write_tmp(".csv", "lon,lat,density\n1,2,-3\n"), NULL, &d),
                  LC_EFORMAT);
  CU_ASSERT(msg_has(":2", "negative density"));
  CU_ASSERT_EQUAL(
      population_load_density(write_tmp(".csv", "lon,lat,density\n1,2,abc\n"), NULL, &d),
      LC_EFORMAT);
  CU_ASSERT(msg_has(":2", "'abc' in column density"));
  population_table_free(&t);
  geom_free(&ps);
  graph_free(&g);
}

/* The default inputs: Xinhua's boundary, its resident estimate, the real WorldPop samples
 * and the groups file, on a grid graph over the boundary's bounding box. */
static void test_assign_default(void) {
  struct polygon_set ps;
  struct population_table t;
  struct group_set gs;
  struct density_samples d;
  struct population pop;
  char path[4096];
  CU_ASSERT_EQUAL_FATAL(
      geom_load_polygons(lc_shared("data/changning/xinhua-boundary.geojson"), "name", &ps), LC_OK);
  snprintf(path, sizeof path, "%s/../../inputs/changning/xinhua-population.csv", lc_fixture(""));
  CU_ASSERT_EQUAL_FATAL(population_load_table(path, &ps, &t), LC_OK);
  snprintf(path, sizeof path, "%s/../../inputs/groups.yml", lc_fixture(""));
  CU_ASSERT_EQUAL_FATAL(group_load(path, &gs), LC_OK);
  const char *wp = lc_shared("data/changning/worldpop-2020-samples.csv");
  CU_ASSERT_EQUAL_FATAL(population_load_density(wp, "worldpop2020_1km_persons", &d), LC_OK);
  CU_ASSERT_EQUAL(d.n, 160);
  /* A 30 x 30 grid graph with 100 m-ish edges over the polygon's box. */
  double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
  for (int64_t p = 0; p < ps.n_points; p++) {
    b[0] = fmin(b[0], ps.lon[p]);
    b[1] = fmin(b[1], ps.lat[p]);
    b[2] = fmax(b[2], ps.lon[p]);
    b[3] = fmax(b[3], ps.lat[p]);
  }
  const int k = 30;
  struct graph g;
  graph_init(&g);
  CU_ASSERT_EQUAL_FATAL(graph_alloc(&g, k * k, 2 * k * (k - 1)), LC_OK);
  int64_t e = 0;
  for (int y = 0; y < k; y++)
    for (int x = 0; x < k; x++) {
      int i = y * k + x;
      g.lon[i] = b[0] + (b[2] - b[0]) * x / (k - 1);
      g.lat[i] = b[1] + (b[3] - b[1]) * y / (k - 1);
      if (x + 1 < k) {
        g.u[e] = i;
        g.v[e] = i + 1;
        g.length_cm[e++] = 10000;
      }
      if (y + 1 < k) {
        g.u[e] = i;
        g.v[e] = i + k;
        g.length_cm[e++] = 10000;
      }
    }
  CU_ASSERT_EQUAL_FATAL(population_assign(&g, &ps, &t, &d, &gs, &pop), LC_OK);
  int64_t sum = 0, inside = 0, sum_groups = 0;
  for (int64_t i = 0; i < g.n_nodes; i++) {
    sum += pop.residents[i];
    inside += pop.subdistrict[i] == 0;
    if (pop.subdistrict[i] < 0)
      CU_ASSERT_EQUAL(pop.residents[i], 0);
    for (int q = 0; q < gs.n; q++)
      sum_groups += pop.by_group[i * gs.n + q];
  }
  CU_ASSERT_EQUAL(sum, 72000);
  CU_ASSERT_EQUAL(sum_groups, 72000);
  CU_ASSERT(inside > 100 && inside < k * k);
  /* Each group's total is within one resident per node of its share. */
  int el = group_find(&gs, "elderly");
  CU_ASSERT(fabs((double)pop.sub_group[el] - 0.234 * 72000) <= (double)inside);
  population_free(&pop);
  population_density_free(&d);
  group_free(&gs);
  population_table_free(&t);
  geom_free(&ps);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("population", NULL, NULL);
  if (!s || !CU_add_test(s, "polygons by hand", test_geom_hand) ||
      !CU_add_test(s, "real polygons vs matplotlib", test_geom_real) ||
      !CU_add_test(s, "polygon errors", test_geom_errors) ||
      !CU_add_test(s, "boundary rule and threads", test_geom_boundary_threads) ||
      !CU_add_test(s, "largest remainder", test_largest_remainder) ||
      !CU_add_test(s, "groups", test_groups) || !CU_add_test(s, "resident tables", test_table) ||
      !CU_add_test(s, "network weights", test_assign_network) ||
      !CU_add_test(s, "density weights", test_assign_density) ||
      !CU_add_test(s, "default inputs", test_assign_default))
    return 1;
  return 0;
}
