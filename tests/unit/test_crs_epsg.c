/* Tests of layers in EPSG coordinate reference systems (crs_epsg.c through PROJ): a
 * CGCS2000 (EPSG:4490) GeoJSON and a UTM 51N (EPSG:32651) CSV land within 0.1 m of their
 * WGS84 truth (tests/fixtures/facility/expected_wgs84.csv; the fixtures' coordinates were
 * computed from it with pyproj, which tests/python/test_crs_epsg_oracle.py re-checks and
 * anchors to the UTM definition), and bad codes give a clear message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crs_epsg.h"
#include "lc_test.h"
#include "lifecircle/crs.h"
#include "lifecircle/csvtab.h"
#include "lifecircle/facility.h"
#include "lifecircle/geo.h"
#include "lifecircle/status.h"

static struct category cats_c[2];
static struct category_set cats;

static void setup_cats(void) {
  memset(cats_c, 0, sizeof cats_c);
  cats_c[0].id = "park";
  cats_c[0].open_min = 5 * 60;
  cats_c[0].close_min = 22 * 60;
  cats_c[1].id = "clinic";
  cats_c[1].capacity = 4;
  cats_c[1].open_min = 8 * 60;
  cats_c[1].close_min = 17 * 60;
  cats.n = 2;
  cats.c = cats_c;
  cats.file = "test-categories.yml";
}

/* Checks every facility against the truth of its id with the first letter dropped. */
static void check_truth(const struct facility_set *fs, double tol_m) {
  struct csvtab t;
  CU_ASSERT_EQUAL_FATAL(csvtab_load(lc_fixture("facility/expected_wgs84.csv"), &t), LC_OK);
  for (int64_t i = 0; i < fs->n; i++) {
    int found = 0;
    for (int64_t r = 0; r < t.n_rows; r++)
      if (strcmp(csvtab_get(&t, r, 0), fs->source_id[i] + 1) == 0) {
        double d;
        CU_ASSERT_EQUAL(geo_distance_m(fs->lon[i], fs->lat[i], atof(csvtab_get(&t, r, 1)),
                                       atof(csvtab_get(&t, r, 2)), &d),
                        LC_OK);
        CU_ASSERT(d < tol_m);
        found = 1;
      }
    CU_ASSERT(found);
  }
  csvtab_free(&t);
}

static void test_epsg_layers(void) {
  setup_cats();
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(lc_fixture("facility/layer_epsg32651.csv"),
                                            "EPSG:32651", NULL, NULL, &cats, 0, &fs),
                        LC_OK);
  CU_ASSERT_EQUAL(fs.n, 6);
  check_truth(&fs, 0.1);
  facility_free(&fs);
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(lc_fixture("facility/layer_epsg4490.geojson"),
                                            "epsg:4490", NULL, NULL, &cats, 1, &fs),
                        LC_OK);
  CU_ASSERT_EQUAL(fs.n, 6);
  check_truth(&fs, 0.1);
  CU_ASSERT_EQUAL(fs.category[0], 1);
  facility_free(&fs);
}

static void test_epsg_errors(void) {
  setup_cats();
  struct crs_ref c;
  CU_ASSERT_EQUAL(crs_ref_open("EPSG:999999", &c), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "EPSG:999999"));
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "no such EPSG code"));
  CU_ASSERT_EQUAL(crs_ref_open("EPSG:4x", &c), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "malformed EPSG code"));
  /* EGM96 height: a vertical CRS, not a layer's. */
  CU_ASSERT_EQUAL(crs_ref_open("EPSG:5773", &c), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "not a 2D geographic or projected"));
  CU_ASSERT_EQUAL(crs_ref_open("mercator", &c), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "EPSG:NNNN"));
  /* EPSG:4326 is WGS84 itself, with no PROJ object. */
  CU_ASSERT_EQUAL_FATAL(crs_ref_open("EPSG:4326", &c), LC_OK);
  CU_ASSERT_EQUAL(c.kind, CRS_WGS84);
  CU_ASSERT_PTR_NULL(c.pj);
  crs_ref_close(&c);
  /* A UTM coordinate far outside the zone's valid range still converts or is refused, but
   * a non-finite one is always refused. */
  CU_ASSERT_EQUAL_FATAL(crs_ref_open("EPSG:32651", &c), LC_OK);
  CU_ASSERT_EQUAL(c.projected, 1);
  double lon, lat;
  CU_ASSERT_EQUAL(crs_ref_to_wgs84(&c, NAN, 3452975.0, &lon, &lat), LC_EFORMAT);
  /* The zone's central meridian (123 E) at the false easting, on the equator. */
  CU_ASSERT_EQUAL(crs_ref_to_wgs84(&c, 500000.0, 0.0, &lon, &lat), LC_OK);
  CU_ASSERT_DOUBLE_EQUAL(lon, 123.0, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(lat, 0.0, 1e-9);
  crs_ref_close(&c);
  crs_ref_close(&c); /* Twice is harmless. */

  /* A layer names its file in every message. */
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL(facility_load_layer(lc_fixture("facility/layer_epsg32651.csv"), "EPSG:1", NULL,
                                      NULL, &cats, 0, &fs),
                  LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "layer_epsg32651.csv"));
  /* UTM metres read as degrees are out of range: the message names the row. */
  CU_ASSERT_EQUAL(facility_load_layer(lc_fixture("facility/layer_epsg32651.csv"), "wgs84", NULL,
                                      NULL, &cats, 0, &fs),
                  LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "layer_epsg32651.csv:2"));
  /* The GeoJSON says EPSG:4490; read as UTM it is refused with the right key to set. */
  CU_ASSERT_EQUAL(facility_load_layer(lc_fixture("facility/layer_epsg4490.geojson"), "EPSG:32651",
                                      NULL, NULL, &cats, 0, &fs),
                  LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "crs: EPSG:4490"));
  CU_ASSERT_EQUAL(fs.n, 0);
  /* Formats that need GDAL are refused with the conversion command. */
  CU_ASSERT_EQUAL(
      facility_load_layer("zones/canteens.gpkg", "EPSG:4490", NULL, NULL, &cats, 0, &fs),
      LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "zones/canteens.gpkg"));
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(),
                                "analysis/prepare.py vector zones/canteens.gpkg -o "
                                "zones/canteens.geojson"));
  CU_ASSERT_EQUAL(facility_load_layer("pop.tif", "wgs84", NULL, NULL, &cats, 0, &fs), LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "raster"));
  facility_free(&fs);
}

/* A CSV with a WKT point column, and a WKT line refused with the row. */
static void test_wkt_csv(void) {
  setup_cats();
  const char *path = lc_tmp("wkt.csv");
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fprintf(f, "id,category,wkt\nxw1,park,POINT (121.4201 31.2012)\n"
             "xw2,clinic,\"POINT Z(121.4255 31.2063 4.5)\"\n");
  fclose(f);
  struct facility_set fs;
  facility_init(&fs);
  CU_ASSERT_EQUAL_FATAL(facility_load_layer(path, "wgs84", NULL, NULL, &cats, 0, &fs), LC_OK);
  CU_ASSERT_EQUAL(fs.n, 2);
  check_truth(&fs, 1e-6);
  facility_free(&fs);
  f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fprintf(f, "id,category,wkt\nxw1,park,POINT (121.4201 31.2012)\n"
             "xw2,park,\"LINESTRING (121.4 31.2, 121.5 31.3)\"\n");
  fclose(f);
  CU_ASSERT_EQUAL(facility_load_layer(path, "wgs84", NULL, NULL, &cats, 0, &fs), LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "wkt.csv:3"));
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "LINESTRING is not a POINT"));
  CU_ASSERT_EQUAL(fs.n, 0);
  facility_free(&fs);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("crs_epsg", NULL, NULL);
  if (!s || !CU_add_test(s, "EPSG:4490 and EPSG:32651 layers", test_epsg_layers) ||
      !CU_add_test(s, "bad codes and formats", test_epsg_errors) ||
      !CU_add_test(s, "WKT point column", test_wkt_csv))
    return 1;
  return 0;
}
