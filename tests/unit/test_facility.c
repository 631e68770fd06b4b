/* Tests of facility layers (CSV and GeoJSON in WGS84, GCJ-02 and BD-09), POIs, every error
 * case, and snapping against brute force. Expected WGS84 positions of the layer fixtures are
 * in tests/fixtures/facility/expected_wgs84.csv (chosen by hand; the GCJ-02 and BD-09
 * coordinates of the fixtures were computed from them by the independent Python oracle,
 * which test_crs_oracle.py checks). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/csvtab.h"
#include "lifecircle/facility.h"
#include "lifecircle/geo.h"
#include "lifecircle/status.h"

static struct category test_cats_c[3];
static struct category_set test_cats;

static void setup_cats(void) {
  memset(test_cats_c, 0, sizeof test_cats_c);
  test_cats_c[0].id = "elderly_canteen";
  test_cats_c[0].capacity = 30;
  test_cats_c[0].open_min = 10 * 60 + 30;
  test_cats_c[0].close_min = 13 * 60 + 30;
  test_cats_c[1].id = "park";
  test_cats_c[1].capacity = 0;
  test_cats_c[1].open_min = 5 * 60;
  test_cats_c[1].close_min = 22 * 60;
  test_cats_c[2].id = "clinic";
  test_cats_c[2].capacity = 4;
  test_cats_c[2].open_min = 8 * 60;
  test_cats_c[2].close_min = 17 * 60;
  test_cats.n = 3;
  test_cats.c = test_cats_c;
  test_cats.file = "test-categories.yml";
}

/* Expected WGS84 position of a fixture id. */
static void expected(const char *id, double *lon, double *lat) {
  struct csvtab t;
  *lon = *lat = NAN;
  if (csvtab_load(lc_fixture("facility/expected_wgs84.csv"), &t) != LC_OK)
    return;
  for (int64_t r = 0; r < t.n_rows; r++)
    if (strcmp(csvtab_get(&t, r, 0), id) == 0) {
      *lon = atof(csvtab_get(&t, r, 1));
      *lat = atof(csvtab_get(&t, r, 2));
    }
  csvtab_free(&t);
}

static void check_positions(const struct facility_set *fs, int64_t from, double tol) {
  for (int64_t i = from; i < fs->n; i++) {
    double lon, lat;
    expected(fs->source_id[i], &lon, &lat);
    CU_ASSERT(isfinite(lon));
    CU_ASSERT_DOUBLE_EQUAL(fs->lon[i], lon, tol);
    CU_ASSERT_DOUBLE_EQUAL(fs->lat[i], lat, tol);
  }
}

static void test_csv_wgs84(void) {
  setup_cats();
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(lc_fixture("facility/layer_wgs84.csv"), "wgs84", NULL,
                                            NULL, &test_cats, 2, &fs),
                        LC_OK);
  CU_ASSERT_EQUAL_FATAL(fs.n, 3);
  check_positions(&fs, 0, 1e-12);
  CU_ASSERT_STRING_EQUAL(fs.source_id[0], "w1");
  CU_ASSERT_STRING_EQUAL(fs.name[0], "长者食堂 A"); /* BOM stripped, UTF-8 kept. */
  CU_ASSERT_EQUAL(fs.category[0], 0);
  CU_ASSERT_EQUAL(fs.layer[0], 2);
  CU_ASSERT_EQUAL(fs.capacity[0], 40);
  CU_ASSERT_EQUAL(fs.open_min[0], 630);
  CU_ASSERT_EQUAL(fs.close_min[0], 810);
  CU_ASSERT_EQUAL(fs.node[0], -1);
  /* Row 2: a quoted name with a comma and quotes; capacity and hours from the category. */
  CU_ASSERT_STRING_EQUAL(fs.name[1], "Pocket park, \"Fahua\"");
  CU_ASSERT_EQUAL(fs.category[1], 1);
  CU_ASSERT_EQUAL(fs.capacity[1], 0);
  CU_ASSERT_EQUAL(fs.open_min[1], 300);
  CU_ASSERT_EQUAL(fs.close_min[1], 1320);
  CU_ASSERT_EQUAL(fs.capacity[2], 0);
  CU_ASSERT_EQUAL(fs.open_min[2], 360);
  CU_ASSERT_EQUAL(fs.close_min[2], 1440);
  facility_free(&fs);
}

static void test_csv_gcj02_bd09(void) {
  setup_cats();
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(lc_fixture("facility/layer_gcj02.csv"), "gcj02",
                                            "elderly_canteen", NULL, &test_cats, 0, &fs),
                        LC_OK);
  CU_ASSERT_EQUAL(fs.n, 3);
  CU_ASSERT_EQUAL(fs.capacity[0], 30);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(lc_fixture("facility/layer_bd09.csv"), "BD-09",
                                            "clinic", NULL, &test_cats, 1, &fs),
                        LC_OK);
  CU_ASSERT_EQUAL_FATAL(fs.n, 6);
  CU_ASSERT_EQUAL(fs.category[4], 2);
  CU_ASSERT_EQUAL(fs.layer[4], 1);
  check_positions(&fs, 0, 1e-8);
  /* The layer's crs column says GCJ-02: reading it as WGS84 is refused. */
  int64_t before = fs.n;
  CU_ASSERT_EQUAL(facility_load_layer(lc_fixture("facility/layer_gcj02.csv"), "wgs84",
                                      "elderly_canteen", NULL, &test_cats, 0, &fs),
                  LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "layer_gcj02.csv:2"));
  CU_ASSERT_EQUAL(fs.n, before);
  facility_free(&fs);
}

static void test_geojson_three_crs(void) {
  setup_cats();
  static const char *const files[3] = {"facility/layer_wgs84.geojson",
                                       "facility/layer_gcj02.geojson",
                                       "facility/layer_bd09.geojson"};
  static const char *const crs[3] = {"wgs84", "gcj02", "bd09"};
  for (int k = 0; k < 3; k++) {
    struct facility_set fs;
    facility_init(&fs);
    CU_ASSERT_EQUAL_FATAL(
        facility_load_layer(lc_fixture(files[k]), crs[k], NULL, NULL, &test_cats, k, &fs), LC_OK);
    CU_ASSERT_EQUAL_FATAL(fs.n, 3);
    check_positions(&fs, 0, k == 0 ? 1e-12 : 1e-8);
    CU_ASSERT_EQUAL(fs.capacity[0], 25);
    CU_ASSERT_EQUAL(fs.open_min[0], 660);
    CU_ASSERT_EQUAL(fs.close_min[0], 780);
    CU_ASSERT_EQUAL(fs.category[1], 1);
    CU_ASSERT_EQUAL(fs.category[2], 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fs.source_id[2], "2#2"));
    CU_ASSERT_EQUAL(fs.layer[2], k);
    facility_free(&fs);
  }
}

static void test_real_canteens(void) {
  setup_cats();
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(lc_shared("data/changning/elderly-canteens-gcj02.csv"),
                                            "gcj02", "elderly_canteen", NULL, &test_cats, 0, &fs),
                        LC_OK);
  CU_ASSERT_EQUAL_FATAL(fs.n, 19);
  CU_ASSERT_STRING_EQUAL(fs.source_id[0], "row/2");
  CU_ASSERT_STRING_EQUAL(fs.source_id[18], "row/20");
  CU_ASSERT_STRING_EQUAL(fs.name[0], "新华路街道综合为老服务中心社区长者食堂");
  for (int64_t i = 0; i < fs.n; i++) {
    /* Inside the district's margin box, and shifted from the GCJ-02 input by a few
     * hundred metres (the input of row 2 is 121.426581, 31.205863). */
    CU_ASSERT(fs.lon[i] > 121.32 && fs.lon[i] < 121.46);
    CU_ASSERT(fs.lat[i] > 31.17 && fs.lat[i] < 31.25);
  }
  double d;
  CU_ASSERT_EQUAL(geo_distance_m(121.426581, 31.205863, fs.lon[0], fs.lat[0], &d), LC_OK);
  CU_ASSERT(d > 100.0 && d < 700.0);
  facility_free(&fs);
}

/* Writes text to a fresh temporary file with the given suffix and returns its path. */
static const char *write_tmp(const char *suffix, const char *text) {
  const char *path = lc_tmp(suffix);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return path;
}

/* Loads text as a layer and checks the status and that the message names the file and
 * contains `where` and `what`. */
static void expect_error(const char *suffix, const char *text, const char *crs,
                         const char *category, int status, const char *where, const char *what) {
  const char *path = write_tmp(suffix, text);
  struct facility_set fs;
  facility_init(&fs);
  int rc = facility_load_layer(path, crs, category, NULL, &test_cats, 0, &fs);
  CU_ASSERT_EQUAL(rc, status);
  CU_ASSERT_EQUAL(fs.n, 0);
  const char *msg = lc_error_message();
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, path));
  if (where)
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, where));
  if (what)
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, what));
  if (rc != status || !strstr(msg, path) || (where && !strstr(msg, where)) ||
      (what && !strstr(msg, what)))
    fprintf(stderr, "\n  unexpected: %d '%s'\n", rc, msg);
  facility_free(&fs);
  remove(path);
}

static void test_layer_errors(void) {
  setup_cats();
  const char *hdr = "id,lon,lat,category,capacity,open,close\n";
  char buf[1024];
#define CSV(rows) (snprintf(buf, sizeof buf, "%s%s", hdr, rows), buf)
  expect_error(".csv", CSV("a,121.42,31.20,park,,,\nb,121.42,31.20,bogus,,,\n"), "wgs84", NULL,
               LC_EPARAM, ":3", "unknown category 'bogus'");
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "elderly_canteen, park, clinic"));
  expect_error(".csv", CSV("a,121.42,,park,,,\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "missing coordinates");
  expect_error(".csv", CSV("a,121.42,31.2,park,,,\nb,121.42,95,park,,,\n"), "wgs84", NULL,
               LC_EFORMAT, ":3", "out of range");
  expect_error(".csv", CSV("a,nan,31.2,park,,,\n"), "gcj02", NULL, LC_EFORMAT, ":2", "not finite");
  expect_error(".csv", CSV("a,east,31.2,park,,,\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "not numbers");
  expect_error(".csv", CSV("a,121.42,31.2,park,,,\n"), "utm51n", NULL, LC_EPARAM, NULL,
               "wgs84, gcj02, bd09");
  expect_error(".csv", CSV("a,121.42,31.2,park,-3,,\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "negative capacity");
  expect_error(".csv", CSV("a,121.42,31.2,park,2.5,,\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "not a non-negative integer");
  expect_error(".csv", CSV("a,121.42,31.2,park,,25:00,\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "malformed opening time '25:00'");
  expect_error(".csv", CSV("a,121.42,31.2,park,,8:00,10h30\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "malformed closing time '10h30'");
  expect_error(".csv", CSV("a,121.42,31.2,park,,12:00,09:00\n"), "wgs84", NULL, LC_EFORMAT, ":2",
               "not after opening");
  expect_error(".csv", CSV("a,121.42,31.2,park,,,\nb,121.42,31.2\n"), "wgs84", NULL, LC_EFORMAT,
               ":3", "fields where the header has 7");
  expect_error(".csv", "id,x_coord,lat,category\na,121.4,31.2,park\n", "wgs84", NULL, LC_EFORMAT,
               ":1", "missing coordinate columns");
  expect_error(".csv", "id,lon,lat\na,121.4,31.2\n", "wgs84", NULL, LC_EFORMAT, ":1",
               "no column 'category'");
  expect_error(".csv", "id,lon,lat\na,121.4,31.2\n", "wgs84", "wet_market", LC_EPARAM, NULL,
               "unknown category 'wet_market'");
  expect_error(".csv", "id,lon,lat,crs\na,121.4,31.2,mercator\n", "wgs84", "park", LC_EFORMAT, ":2",
               "mercator");
#undef CSV
  const char *pt = "{\"type\":\"Feature\",\"properties\":{\"category\":\"park\"},"
                   "\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.42,31.2]}}";
  char gj[2048];
#define GJ(second) \
  (snprintf(gj, sizeof gj, "{\"type\":\"FeatureCollection\",\"features\":[%s,%s]}", pt, second), gj)
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\"},\"geometry\":"
                  "{\"type\":\"LineString\",\"coordinates\":[[121.42,31.2],[121.43,31.2]]}}"),
               "wgs84", NULL, LC_EFORMAT, "feature 2", "LineString is not a Point");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\"},\"geometry\":"
                  "null}"),
               "wgs84", NULL, LC_EFORMAT, "feature 2", "missing coordinates");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\"},\"geometry\":"
                  "{\"type\":\"Point\",\"coordinates\":[121.42]}}"),
               "wgs84", NULL, LC_EFORMAT, "feature 2", "missing coordinates");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"parc\"},\"geometry\":"
                  "{\"type\":\"Point\",\"coordinates\":[121.42,31.2]}}"),
               "wgs84", NULL, LC_EPARAM, "feature 2", "unknown category 'parc'");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\"},\"geometry\":"
                  "{\"type\":\"Point\",\"coordinates\":[-200.0,31.2]}}"),
               "bd09", NULL, LC_EFORMAT, "feature 2", "out of range");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\",\"capacity\":-3},"
                  "\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.42,31.2]}}"),
               "wgs84", NULL, LC_EFORMAT, "feature 2", "negative capacity");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\",\"open\":\"9\"},"
                  "\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.42,31.2]}}"),
               "wgs84", NULL, LC_EFORMAT, "feature 2", "malformed opening time");
  expect_error(".geojson",
               GJ("{\"type\":\"Feature\",\"properties\":{\"category\":\"park\"},\"geometry\":"
                  "{\"type\":\"MultiPoint\",\"coordinates\":[[121.42,31.2],[121.4,95.0]]}}"),
               "wgs84", NULL, LC_EFORMAT, "feature 2 point 2", "out of range");
  expect_error(".geojson", "{\"type\":\"FeatureCollection\",\"features\":[", "wgs84", NULL,
               LC_EFORMAT, NULL, "invalid JSON");
#undef GJ
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL(
      facility_load_layer("/nonexistent/layer.csv", "wgs84", "park", NULL, &test_cats, 0, &fs),
      LC_EIO);
  CU_ASSERT_EQUAL(
      facility_load_layer("/nonexistent/layer.geojson", "wgs84", "park", NULL, &test_cats, 0, &fs),
      LC_EIO);
}

static void test_hhmm(void) {
  int32_t m = -1;
  CU_ASSERT_EQUAL(facility_parse_hhmm("00:00", &m), LC_OK);
  CU_ASSERT_EQUAL(m, 0);
  CU_ASSERT_EQUAL(facility_parse_hhmm("7:05", &m), LC_OK);
  CU_ASSERT_EQUAL(m, 425);
  CU_ASSERT_EQUAL(facility_parse_hhmm("24:00", &m), LC_OK);
  CU_ASSERT_EQUAL(m, 1440);
  CU_ASSERT_EQUAL(facility_parse_hhmm("24:01", &m), LC_EFORMAT);
  CU_ASSERT_EQUAL(facility_parse_hhmm("12:60", &m), LC_EFORMAT);
  CU_ASSERT_EQUAL(facility_parse_hhmm("12:5", &m), LC_EFORMAT);
  CU_ASSERT_EQUAL(facility_parse_hhmm("123:00", &m), LC_EFORMAT);
  CU_ASSERT_EQUAL(facility_parse_hhmm("12:00 ", &m), LC_EFORMAT);
  CU_ASSERT_EQUAL(facility_parse_hhmm("", &m), LC_EFORMAT);
}

static void test_from_pois(void) {
  setup_cats();
  struct poi_set p;
  poi_init(&p);
  CU_ASSERT_EQUAL(poi_add(&p, 121.42, 31.20, POI_NODE, 123, 1, "Clinic one"), LC_OK);
  CU_ASSERT_EQUAL(poi_add(&p, 121.43, 31.21, POI_WAY, 45, 0, NULL), LC_OK);
  char *ids[2] = {"park", "clinic"};
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_from_pois(&p, ids, 2, &test_cats, &fs), LC_OK);
  CU_ASSERT_EQUAL_FATAL(fs.n, 2);
  CU_ASSERT_EQUAL(fs.category[0], 2); /* "clinic" is index 2 of the categories. */
  CU_ASSERT_EQUAL(fs.category[1], 1);
  CU_ASSERT_STRING_EQUAL(fs.source_id[0], "node/123");
  CU_ASSERT_STRING_EQUAL(fs.source_id[1], "way/45");
  CU_ASSERT_STRING_EQUAL(fs.name[1], "");
  CU_ASSERT_EQUAL(fs.layer[0], FACILITY_LAYER_POIS);
  CU_ASSERT_EQUAL(fs.capacity[0], 4);
  CU_ASSERT_EQUAL(fs.open_min[0], 480);
  char *bad[2] = {"park", "wet_market"};
  CU_ASSERT_EQUAL(facility_from_pois(&p, bad, 2, &test_cats, &fs), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "wet_market"));
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "test-categories.yml"));
  CU_ASSERT_EQUAL(fs.n, 2);
  facility_free(&fs);
  poi_free(&p);
}

/* A graph with nodes only. */
static void nodes_graph(struct graph *g, int64_t n) {
  graph_init(g);
  CU_ASSERT_EQUAL_FATAL(graph_alloc(g, n, 0), LC_OK);
}

static void test_snap_hand(void) {
  struct graph g;
  nodes_graph(&g, 4);
  /* Nodes 1 and 3 lie at the same latitude, 2^-7 degrees east and west of the facility
   * (exact binary offsets, so both distances are computed from identical numbers): a tie,
   * which goes to the lower index, 1. Node 0 is farther north, node 2 is far away. */
  const double c = 121.5, dl = 0.0078125;
  g.lon[0] = c;
  g.lat[0] = 31.25;
  g.lon[1] = c + dl;
  g.lat[1] = 31.2;
  g.lon[2] = 121.3;
  g.lat[2] = 31.0;
  g.lon[3] = c - dl;
  g.lat[3] = 31.2;
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL(facility_add(&fs, c, 31.2, 0, 0, "tie", "Tie", 1, 0, 60), LC_OK);
  CU_ASSERT_EQUAL(facility_add(&fs, 121.3, 31.0, 0, 0, "on", "On node 2", 1, 0, 60), LC_OK);
  CU_ASSERT_EQUAL(facility_add(&fs, c, 31.23, 0, 0, "far", "Far one", 1, 0, 60), LC_OK);
  int64_t nex = -1;
  CU_ASSERT_EQUAL_FATAL(facility_snap(&fs, &g, 1000.0, &nex), LC_OK);
  double d1, d3;
  CU_ASSERT_EQUAL(geo_distance_m(c, 31.2, c + dl, 31.2, &d1), LC_OK);
  CU_ASSERT_EQUAL(geo_distance_m(c, 31.2, c - dl, 31.2, &d3), LC_OK);
  CU_ASSERT_EQUAL(d1, d3);
  CU_ASSERT_EQUAL(fs.node[0], 1);
  CU_ASSERT_EQUAL(fs.snap_cm[0], llround(d1 * 100.0));
  /* 2^-7 degrees of longitude at 31.2 N is about 745 m. */
  CU_ASSERT(d1 > 740.0 && d1 < 750.0);
  CU_ASSERT_EQUAL(fs.excluded[0], 0);
  CU_ASSERT_EQUAL(fs.node[1], 2);
  CU_ASSERT_EQUAL(fs.snap_cm[1], 0);
  /* 0.02 degrees of latitude (about 2.2 km) north of the first: nearest is node 0 at
   * 0.02 degrees, beyond the 1000 m limit, so excluded. */
  CU_ASSERT_EQUAL(fs.node[2], 0);
  CU_ASSERT_EQUAL(fs.excluded[2], 1);
  CU_ASSERT(fs.snap_cm[2] > 220000 && fs.snap_cm[2] < 223000);
  CU_ASSERT_EQUAL(nex, 1);
  CU_ASSERT_EQUAL(facility_snap(&fs, &g, 0.0, &nex), LC_EPARAM);
  facility_free(&fs);
  graph_free(&g);
}

static uint64_t lcg_state = 12345;
static double urand(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(lcg_state >> 11) / 9007199254740992.0;
}

static void test_snap_brute(void) {
  struct graph g;
  const int64_t n = 3000, m = 600;
  nodes_graph(&g, n);
  /* Nodes clustered unevenly in a 3 x 3 km box (some cells empty, some dense). */
  for (int64_t i = 0; i < n; i++) {
    double u = urand(), v = urand();
    if (i % 3 == 0) {
      u *= 0.2;
      v *= 0.2;
    }
    g.lon[i] = 121.41 + 0.032 * u;
    g.lat[i] = 31.19 + 0.027 * v;
  }
  /* Some nodes repeated exactly (ties at distance zero go to the lower index). */
  g.lon[n - 1] = g.lon[17];
  g.lat[n - 1] = g.lat[17];
  struct facility_set fs;
  facility_init(&fs);
  for (int64_t k = 0; k < m; k++) {
    /* Facilities in and around the box (most within 500 m of it, where the grid answers),
     * some up to 5 km outside it (answered by brute force). */
    double lon = 121.36 + 0.13 * urand(), lat = 31.15 + 0.11 * urand();
    if (k % 4 != 0) {
      lon = 121.405 + 0.042 * urand();
      lat = 31.185 + 0.037 * urand();
    }
    if (k == 0) {
      lon = g.lon[17];
      lat = g.lat[17];
    }
    CU_ASSERT_EQUAL(facility_add(&fs, lon, lat, 0, 0, "r", "random", 1, 0, 60), LC_OK);
  }
  int64_t nex = 0;
  CU_ASSERT_EQUAL_FATAL(facility_snap(&fs, &g, 300.0, &nex), LC_OK);
  int64_t mismatches = 0, excluded = 0;
  for (int64_t k = 0; k < m; k++) {
    double best = INFINITY;
    int64_t bi = -1;
    for (int64_t i = 0; i < n; i++) {
      double d;
      CU_ASSERT_EQUAL(geo_distance_m(fs.lon[k], fs.lat[k], g.lon[i], g.lat[i], &d), LC_OK);
      if (d < best) {
        best = d;
        bi = i;
      }
    }
    if (fs.node[k] != bi || fs.snap_cm[k] != llround(best * 100.0))
      mismatches++;
    excluded += best > 300.0;
    CU_ASSERT_EQUAL(fs.excluded[k], best > 300.0);
  }
  CU_ASSERT_EQUAL(fs.node[0], 17);
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT_EQUAL(nex, excluded);
  CU_ASSERT(excluded > 0 && excluded < m);
  facility_free(&fs);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("facility", NULL, NULL);
  if (!s || !CU_add_test(s, "CSV in WGS84", test_csv_wgs84) ||
      !CU_add_test(s, "CSV in GCJ-02 and BD-09", test_csv_gcj02_bd09) ||
      !CU_add_test(s, "GeoJSON in three CRSs", test_geojson_three_crs) ||
      !CU_add_test(s, "real elderly canteens", test_real_canteens) ||
      !CU_add_test(s, "layer errors", test_layer_errors) || !CU_add_test(s, "HH:MM", test_hhmm) ||
      !CU_add_test(s, "POIs", test_from_pois) ||
      !CU_add_test(s, "snapping by hand", test_snap_hand) ||
      !CU_add_test(s, "snapping against brute force", test_snap_brute))
    return 1;
  return 0;
}
