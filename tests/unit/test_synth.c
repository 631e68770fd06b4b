/* Tests of the synthetic city generator: determinism, exact node count, connectivity, degree
 * shares against the Xinhua calibration, lengths against an independent (haversine) distance,
 * and the facility and population files. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lc_test.h"
#include "lifecircle/graph.h"
#include "lifecircle/status.h"
#include "lifecircle/synth.h"

/* Great-circle distance on a sphere of the mean Earth radius (IUGG R1 = 6371008.8 m): within
 * 0.5% of the ellipsoidal geodesic, an independent check of the lengths. */
static double test_haversine(double lon1, double lat1, double lon2, double lat2) {
  const double d = 3.14159265358979323846 / 180.0;
  double sa = sin((lat2 - lat1) * d / 2.0), so = sin((lon2 - lon1) * d / 2.0);
  double h = sa * sa + cos(lat1 * d) * cos(lat2 * d) * so * so;
  return 2.0 * 6371008.8 * asin(sqrt(h));
}

static int test_generate(int64_t n, uint64_t seed, struct graph *g) {
  struct synth_params p;
  synth_params_default(&p);
  p.n_nodes = n;
  p.seed = seed;
  graph_init(g);
  return synth_generate(&p, g);
}

static void test_synth_deterministic(void) {
  struct graph a, b, c;
  CU_ASSERT_EQUAL_FATAL(test_generate(3000, 42, &a), LC_OK);
  CU_ASSERT_EQUAL_FATAL(test_generate(3000, 42, &b), LC_OK);
  CU_ASSERT_EQUAL_FATAL(test_generate(3000, 43, &c), LC_OK);
  CU_ASSERT_EQUAL_FATAL(a.n_edges, b.n_edges);
  size_t n = (size_t)a.n_nodes, m = (size_t)a.n_edges;
  CU_ASSERT(memcmp(a.lon, b.lon, n * sizeof(double)) == 0);
  CU_ASSERT(memcmp(a.lat, b.lat, n * sizeof(double)) == 0);
  CU_ASSERT(memcmp(a.u, b.u, m * sizeof(int64_t)) == 0);
  CU_ASSERT(memcmp(a.v, b.v, m * sizeof(int64_t)) == 0);
  CU_ASSERT(memcmp(a.length_cm, b.length_cm, m * sizeof(int64_t)) == 0);
  /* Another seed: same plan (counts), different city. */
  CU_ASSERT_EQUAL(c.n_nodes, a.n_nodes);
  CU_ASSERT(memcmp(a.lon, c.lon, n * sizeof(double)) != 0);
  int64_t mm = a.n_edges < c.n_edges ? a.n_edges : c.n_edges, diff = 0;
  for (int64_t e = 0; e < mm; e++)
    diff += a.u[e] != c.u[e] || a.v[e] != c.v[e];
  CU_ASSERT(diff > 0);
  graph_free(&a);
  graph_free(&b);
  graph_free(&c);
}

static int test_cmp_pair(const void *x, const void *y) {
  const int64_t *a = x, *b = y;
  if (a[0] != b[0])
    return (a[0] > b[0]) - (a[0] < b[0]);
  return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Checks one generated graph: exact node count, connected, simple, degree shares, lengths. */
static void test_synth_check(int64_t n, uint64_t seed) {
  struct graph g;
  CU_ASSERT_EQUAL_FATAL(test_generate(n, seed, &g), LC_OK);
  /* The node count is exact. */
  CU_ASSERT_EQUAL(g.n_nodes, n);
  /* Connected: one component. */
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(&g), LC_OK);
  int64_t *comp = malloc((size_t)n * sizeof *comp), ncomp = 0;
  CU_ASSERT_FATAL(comp != NULL);
  CU_ASSERT_EQUAL(graph_components(&g, comp, &ncomp), LC_OK);
  CU_ASSERT_EQUAL(ncomp, 1);
  free(comp);
  /* Simple: no self-loop, no parallel edge. */
  int64_t *pairs = malloc((size_t)g.n_edges * 2 * sizeof *pairs);
  CU_ASSERT_FATAL(pairs != NULL);
  for (int64_t e = 0; e < g.n_edges; e++) {
    CU_ASSERT(g.u[e] != g.v[e]);
    CU_ASSERT(g.u[e] >= 0 && g.u[e] < n && g.v[e] >= 0 && g.v[e] < n);
    pairs[2 * e] = g.u[e] < g.v[e] ? g.u[e] : g.v[e];
    pairs[2 * e + 1] = g.u[e] < g.v[e] ? g.v[e] : g.u[e];
  }
  qsort(pairs, (size_t)g.n_edges, 2 * sizeof *pairs, test_cmp_pair);
  int64_t dup = 0;
  for (int64_t e = 1; e < g.n_edges; e++)
    dup += pairs[2 * e] == pairs[2 * e - 2] && pairs[2 * e + 1] == pairs[2 * e - 1];
  CU_ASSERT_EQUAL(dup, 0);
  free(pairs);
  /* Degree shares: the generator places round(share x n) nodes of degree 1, 4 and 5+ (degree
   * 4 may be one off for parity), the rest of degree 3, none of degree 0 or 2. */
  int64_t hist[6] = {0, 0, 0, 0, 0, 0};
  for (int64_t i = 0; i < n; i++) {
    int64_t d = g.adj_off[i + 1] - g.adj_off[i];
    hist[d < 5 ? d : 5]++;
  }
  CU_ASSERT_EQUAL(hist[0], 0);
  CU_ASSERT_EQUAL(hist[2], 0);
  double tol = 2.0 / (double)n + 1e-12;
  CU_ASSERT(fabs((double)hist[1] / (double)n - SYNTH_XINHUA_SHARE_DEG1) <= tol);
  CU_ASSERT(fabs((double)hist[3] / (double)n - SYNTH_XINHUA_SHARE_DEG3) <= tol);
  CU_ASSERT(fabs((double)hist[4] / (double)n - SYNTH_XINHUA_SHARE_DEG4) <= tol);
  CU_ASSERT(fabs((double)hist[5] / (double)n - SYNTH_XINHUA_SHARE_DEG5) <= tol);
  /* Lengths: within 1% (or 1 cm) of the haversine distance between the end nodes; cost
   * equals length; positions around Shanghai. */
  int64_t bad = 0;
  for (int64_t e = 0; e < g.n_edges; e++) {
    double d = 100.0 * test_haversine(g.lon[g.u[e]], g.lat[g.u[e]], g.lon[g.v[e]], g.lat[g.v[e]]);
    double l = (double)g.length_cm[e];
    if (g.length_cm[e] < 1 || fabs(l - d) > fmax(1.0, 0.01 * d) || g.cost_cm[e] != g.length_cm[e])
      bad++;
  }
  CU_ASSERT_EQUAL(bad, 0);
  double lon_sum = 0, lat_sum = 0;
  for (int64_t i = 0; i < n; i++) {
    lon_sum += g.lon[i];
    lat_sum += g.lat[i];
  }
  CU_ASSERT(fabs(lon_sum / (double)n - 121.43) < 0.05);
  CU_ASSERT(fabs(lat_sum / (double)n - 31.20) < 0.05);
  graph_free(&g);
}

static void test_synth_shape(void) {
  test_synth_check(1000, 1);
  test_synth_check(1001, 2);
  test_synth_check(4321, 3);
  test_synth_check(20000, 4);
}

static int test_cmp_i64(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return (a > b) - (a < b);
}

/* The length distribution follows the Xinhua figures (measured here directly from the edge
 * list, not with synth_stats, which is compared with it). */
static void test_synth_lengths(void) {
  struct graph g;
  CU_ASSERT_EQUAL_FATAL(test_generate(50000, 9, &g), LC_OK);
  int64_t m = g.n_edges;
  int64_t *len = malloc((size_t)m * sizeof *len);
  CU_ASSERT_FATAL(len != NULL);
  memcpy(len, g.length_cm, (size_t)m * sizeof *len);
  qsort(len, (size_t)m, sizeof *len, test_cmp_i64);
  double q1 = (double)len[m / 4] / 100.0, med = (double)len[m / 2] / 100.0;
  double q3 = (double)len[3 * m / 4] / 100.0;
  CU_ASSERT(fabs(q1 / SYNTH_XINHUA_LEN_Q1_M - 1.0) < 0.08);
  CU_ASSERT(fabs(med / SYNTH_XINHUA_LEN_MEDIAN_M - 1.0) < 0.08);
  CU_ASSERT(fabs(q3 / SYNTH_XINHUA_LEN_Q3_M - 1.0) < 0.08);
  struct synth_stats st;
  CU_ASSERT_EQUAL_FATAL(synth_stats(&g, &st), LC_OK);
  CU_ASSERT(fabs(st.len_median_m - med) <= 0.01);
  CU_ASSERT(fabs(st.log_mu - SYNTH_XINHUA_LOG_MU) < 0.1);
  CU_ASSERT(fabs(st.log_sigma - SYNTH_XINHUA_LOG_SIGMA) < 0.1);
  CU_ASSERT_EQUAL(st.n_nodes, 50000);
  free(len);
  graph_free(&g);
}

static void test_synth_errors(void) {
  struct graph g;
  CU_ASSERT_EQUAL(test_generate(999, 1, &g), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "999"));
  CU_ASSERT_EQUAL(test_generate(SYNTH_MAX_NODES + 1, 1, &g), LC_EPARAM);
  struct synth_params p;
  synth_params_default(&p);
  p.n_nodes = 2000;
  p.lat0 = 95.0;
  graph_init(&g);
  CU_ASSERT_EQUAL(synth_generate(&p, &g), LC_EPARAM);
}

/* Facilities: per-category counts, ids, and every point within 20 m of some node. */
static void test_synth_facilities(void) {
  struct graph g;
  CU_ASSERT_EQUAL_FATAL(test_generate(2000, 5, &g), LC_OK);
  char *ids[2] = {"market", "clinic"};
  struct category c[2];
  memset(c, 0, sizeof c);
  c[0].id = ids[0];
  c[1].id = ids[1];
  struct category_set cats = {2, c, NULL};
  char path[4096];
  snprintf(path, sizeof path, "%s", lc_tmp(".csv"));
  CU_ASSERT_EQUAL(synth_write_facilities(path, &g, &cats, 0, 1), LC_EPARAM);
  CU_ASSERT_EQUAL_FATAL(synth_write_facilities(path, &g, &cats, 3, 1), LC_OK);
  FILE *f = fopen(path, "r");
  CU_ASSERT_FATAL(f != NULL);
  char line[512];
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
  CU_ASSERT_STRING_EQUAL(line, "id,category,lon,lat,name\n");
  int rows = 0, per[2] = {0, 0};
  while (fgets(line, sizeof line, f)) {
    long long id;
    char cat[64];
    double lon, lat;
    CU_ASSERT_EQUAL_FATAL(sscanf(line, "%lld,%63[^,],%lf,%lf,", &id, cat, &lon, &lat), 4);
    CU_ASSERT_EQUAL(id, rows + 1);
    per[0] += !strcmp(cat, "market");
    per[1] += !strcmp(cat, "clinic");
    double best = INFINITY;
    for (int64_t i = 0; i < g.n_nodes; i++)
      best = fmin(best, test_haversine(lon, lat, g.lon[i], g.lat[i]));
    CU_ASSERT(best <= 20.1);
    rows++;
  }
  fclose(f);
  remove(path);
  CU_ASSERT_EQUAL(rows, 6);
  CU_ASSERT_EQUAL(per[0], 3);
  CU_ASSERT_EQUAL(per[1], 3);
  graph_free(&g);
}

/* Population: a grid of rectangles covering every node, residents per cell = nodes in the
 * cell (counted here from the GeoJSON polygons) times the density. */
static void test_synth_population(void) {
  struct graph g;
  CU_ASSERT_EQUAL_FATAL(test_generate(4000, 6, &g), LC_OK);
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s", lc_tmp(".pop"));
  CU_ASSERT_EQUAL(synth_write_population(dir, &g, -1.0, 1000), LC_EPARAM);
  CU_ASSERT_EQUAL_FATAL(synth_write_population(dir, &g, 2.5, 1000), LC_OK);
  snprintf(path, sizeof path, "%s/subdistricts.geojson", dir);
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_t *feats = json_object_get(root, "features");
  /* round(sqrt(4000 / 1000)) = 2: a 2 x 2 grid. */
  CU_ASSERT_EQUAL_FATAL(json_array_size(feats), 4);
  int64_t inside[4] = {0, 0, 0, 0};
  char names[4][16];
  for (size_t k = 0; k < 4; k++) {
    json_t *ft = json_array_get(feats, k);
    snprintf(names[k], sizeof names[k], "%s",
             json_string_value(json_object_get(json_object_get(ft, "properties"), "name")));
    json_t *ring =
        json_array_get(json_object_get(json_object_get(ft, "geometry"), "coordinates"), 0);
    CU_ASSERT_EQUAL_FATAL(json_array_size(ring), 5);
    double w = INFINITY, e = -INFINITY, s = INFINITY, n = -INFINITY;
    for (size_t q = 0; q < 5; q++) {
      double x = json_real_value(json_array_get(json_array_get(ring, q), 0));
      double y = json_real_value(json_array_get(json_array_get(ring, q), 1));
      w = fmin(w, x);
      e = fmax(e, x);
      s = fmin(s, y);
      n = fmax(n, y);
    }
    for (int64_t i = 0; i < g.n_nodes; i++)
      inside[k] += g.lon[i] >= w && g.lon[i] < e && g.lat[i] >= s && g.lat[i] < n;
  }
  json_decref(root);
  CU_ASSERT_STRING_EQUAL(names[0], "S00");
  CU_ASSERT_STRING_EQUAL(names[3], "S03");
  CU_ASSERT_EQUAL(inside[0] + inside[1] + inside[2] + inside[3], g.n_nodes);
  snprintf(path, sizeof path, "%s/residents.csv", dir);
  FILE *f = fopen(path, "r");
  CU_ASSERT_FATAL(f != NULL);
  char line[256];
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
  CU_ASSERT_STRING_EQUAL(line, "subdistrict,residents\n");
  for (int k = 0; k < 4; k++) {
    char name[16];
    long long r;
    CU_ASSERT_FATAL(fgets(line, sizeof line, f) != NULL);
    CU_ASSERT_EQUAL(sscanf(line, "%15[^,],%lld", name, &r), 2);
    CU_ASSERT_STRING_EQUAL(name, names[k]);
    CU_ASSERT_EQUAL(r, llround(2.5 * (double)inside[k]));
  }
  fclose(f);
  snprintf(path, sizeof path, "%s/density.csv", dir);
  f = fopen(path, "r");
  CU_ASSERT_FATAL(f != NULL);
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
  CU_ASSERT_STRING_EQUAL(line, "lon,lat,density\n");
  int rows = 0;
  double lon, lat, dens;
  while (fgets(line, sizeof line, f)) {
    CU_ASSERT_EQUAL(sscanf(line, "%lf,%lf,%lf", &lon, &lat, &dens), 3);
    CU_ASSERT(dens >= 0.0);
    rows++;
  }
  fclose(f);
  CU_ASSERT(rows >= 1);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("synth", NULL, NULL);
  if (!s)
    return 1;
  if (!CU_add_test(s, "deterministic per seed, different across seeds", test_synth_deterministic) ||
      !CU_add_test(s, "exact count, connected, simple, degree shares, lengths", test_synth_shape) ||
      !CU_add_test(s, "length distribution near Xinhua", test_synth_lengths) ||
      !CU_add_test(s, "parameter errors", test_synth_errors) ||
      !CU_add_test(s, "facility CSV", test_synth_facilities) ||
      !CU_add_test(s, "population files", test_synth_population))
    return 1;
  return 0;
}
