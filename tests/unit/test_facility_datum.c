/* Tests of the datum check (facility_datum.c) on a hand-made network: a square grid of
 * nodes every 150 m in Changning, and layers of points placed within 3 m of nodes, written
 * in WGS84, GCJ-02 or BD-09 and declared rightly or wrongly. The medians are checked against
 * a brute-force computation (every node, geo_distance_m); whether the rule fires follows
 * from the construction: read rightly, every point is within 3 m of a node; read in another
 * datum it moves by hundreds of metres onto an arbitrary spot of the grid, a median of tens
 * of metres away. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/crs.h"
#include "lifecircle/facility.h"
#include "lifecircle/facility_datum.h"
#include "lifecircle/geo.h"
#include "lifecircle/status.h"

enum { NG = 30, NPTS = 25 };
static const double LON0 = 121.40, LAT0 = 31.18;
static const double DLON = 150.0 / 95260.0, DLAT = 150.0 / 110900.0; /* About 150 m. */

static void grid_graph(struct graph *g) {
  graph_init(g);
  CU_ASSERT_EQUAL_FATAL(graph_alloc(g, NG * NG, 0), LC_OK);
  for (int i = 0; i < NG; i++)
    for (int j = 0; j < NG; j++) {
      g->lon[i * NG + j] = LON0 + j * DLON;
      g->lat[i * NG + j] = LAT0 + i * DLAT;
    }
}

/* Layer 0: NPTS points within 3 m of interior nodes (WGS84 truth), written in `written`;
 * stored as the engine stores them when the layer is declared `declared`. */
static void make_layer(struct facility_set *fs, int written, int declared, double lon_shift) {
  facility_init(fs);
  for (int k = 0; k < NPTS; k++) {
    int i = 8 + (k * 7) % 14, j = 8 + (k * 11) % 14;
    double lon = LON0 + j * DLON + lon_shift + 2e-5 * ((k % 3) - 1); /* <= 2 m off. */
    double lat = LAT0 + i * DLAT + 1.5e-5 * ((k % 5) - 2) / 2.0;
    double ox, oy, slon, slat;
    CU_ASSERT_EQUAL(crs_from_wgs84(written, lon, lat, &ox, &oy), LC_OK);
    CU_ASSERT_EQUAL(crs_to_wgs84(declared, ox, oy, &slon, &slat), LC_OK);
    char id[16];
    snprintf(id, sizeof id, "p%d", k);
    CU_ASSERT_EQUAL(facility_add(fs, slon, slat, 0, 0, id, id, 1, 0, 60), LC_OK);
  }
  /* A point of another layer, which must not count. */
  CU_ASSERT_EQUAL(facility_add(fs, LON0, LAT0, 0, 1, "other", "other", 1, 0, 60), LC_OK);
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Brute-force median distance of layer 0's points read in `reading`. */
static double brute_median(const struct graph *g, const struct facility_set *fs, int declared,
                           int reading) {
  double d[NPTS];
  int n = 0;
  for (int64_t f = 0; f < fs->n; f++) {
    if (fs->layer[f] != 0)
      continue;
    double ox, oy, lon, lat, best = INFINITY;
    crs_from_wgs84(declared, fs->lon[f], fs->lat[f], &ox, &oy);
    crs_to_wgs84(reading, ox, oy, &lon, &lat);
    for (int64_t i = 0; i < g->n_nodes; i++) {
      double x;
      geo_distance_m(lon, lat, g->lon[i], g->lat[i], &x);
      best = fmin(best, x);
    }
    d[n++] = best;
  }
  qsort(d, (size_t)n, sizeof *d, cmp_d);
  return n % 2 ? d[n / 2] : 0.5 * (d[n / 2 - 1] + d[n / 2]);
}

static void check(int written, int declared, const char *declared_name, int fires, int best) {
  struct graph g;
  grid_graph(&g);
  struct facility_set fs;
  make_layer(&fs, written, declared, 0.0);
  struct datum_finding df;
  CU_ASSERT_EQUAL_FATAL(facility_datum_check(&fs, &g, 0, declared_name, 300.0, &df), LC_OK);
  CU_ASSERT_EQUAL(df.checked, 1);
  CU_ASSERT_EQUAL(df.n_points, NPTS);
  CU_ASSERT_EQUAL(df.declared, declared);
  CU_ASSERT_EQUAL(df.fires, fires);
  if (fires)
    CU_ASSERT_EQUAL(df.best, best);
  CU_ASSERT_DOUBLE_EQUAL(df.median_declared_m, brute_median(&g, &fs, declared, declared), 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(df.median_best_m, brute_median(&g, &fs, declared, df.best), 1e-9);
  if (fires) {
    CU_ASSERT(df.median_best_m < 3.0);
    CU_ASSERT(df.median_declared_m > 20.0);
  } else {
    CU_ASSERT(df.median_declared_m < 3.0);
  }
  facility_free(&fs);
  graph_free(&g);
}

static void test_datum_rule(void) {
  check(CRS_WGS84, CRS_WGS84, "wgs84", 0, -1); /* Correct layers stay silent... */
  check(CRS_GCJ02, CRS_GCJ02, "gcj02", 0, -1);
  check(CRS_BD09, CRS_BD09, "BD-09", 0, -1);
  check(CRS_WGS84, CRS_WGS84, "EPSG:4490", 0, -1);
  check(CRS_GCJ02, CRS_WGS84, "wgs84", 1, CRS_GCJ02); /* ...mislabelled ones fire. */
  check(CRS_GCJ02, CRS_WGS84, "EPSG:4326", 1, CRS_GCJ02);
  check(CRS_BD09, CRS_WGS84, "wgs84", 1, CRS_BD09);
  check(CRS_WGS84, CRS_GCJ02, "gcj02", 1, CRS_WGS84);
}

static void test_datum_not_applicable(void) {
  struct graph g;
  grid_graph(&g);
  struct facility_set fs;
  make_layer(&fs, CRS_GCJ02, CRS_WGS84, 0.0);
  struct datum_finding df;
  /* Projected layers and unknown names: the rule does not apply. */
  CU_ASSERT_EQUAL(facility_datum_check(&fs, &g, 0, "EPSG:32651", 300.0, &df), LC_OK);
  CU_ASSERT_EQUAL(df.checked, 0);
  /* A layer with fewer than 3 points. */
  CU_ASSERT_EQUAL(facility_datum_check(&fs, &g, 1, "wgs84", 300.0, &df), LC_OK);
  CU_ASSERT_EQUAL(df.checked, 0);
  facility_free(&fs);
  /* Points outside China: every reading is the same point, nothing to compare. */
  facility_init(&fs);
  for (int k = 0; k < 5; k++)
    CU_ASSERT_EQUAL(facility_add(&fs, 2.35 + k * 1e-3, 48.85, 0, 0, "x", "x", 1, 0, 60), LC_OK);
  CU_ASSERT_EQUAL(facility_datum_check(&fs, &g, 0, "wgs84", 300.0, &df), LC_OK);
  CU_ASSERT_EQUAL(df.checked, 0);
  facility_free(&fs);
  /* Points beyond 300 m of the network in every reading say nothing. */
  make_layer(&fs, CRS_GCJ02, CRS_WGS84, 0.5);
  CU_ASSERT_EQUAL(facility_datum_check(&fs, &g, 0, "wgs84", 300.0, &df), LC_OK);
  CU_ASSERT_EQUAL(df.checked, 0);
  facility_free(&fs);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("facility_datum", NULL, NULL);
  if (!s || !CU_add_test(s, "rule on a hand-made grid", test_datum_rule) ||
      !CU_add_test(s, "where the rule does not apply", test_datum_not_applicable))
    return 1;
  return 0;
}
