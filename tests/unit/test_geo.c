/* Tests of the geodesic distance (PROJ's geod_inverse) against Karney's published GeodTest
 * values and GeographicLib. The Shanghai-scale cases were computed once with Debian's
 * python3-geographiclib (Karney's Python implementation, separate from PROJ's C code):
 *   /usr/bin/python3 -c 'from geographiclib.geodesic import Geodesic;
 *     print(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"])'
 * and are required to agree within 1 mm. */
#include <math.h>

#include "lc_test.h"
#include "lifecircle/geo.h"
#include "lifecircle/status.h"

struct geo_case {
  double lon1, lat1, lon2, lat2, metres;
};

static const struct geo_case geo_cases[] = {
    /* Shanghai scale: 0.001 deg along a meridian and along a parallel. */
    {121.4, 31.2, 121.4, 31.201, 110.872917},
    {121.4, 31.202, 121.401, 31.202, 95.302352},
    /* The diagonal of the Xinhua Road data's bounding box. */
    {121.4081630, 31.1925396, 121.4464124, 31.2243016, 5068.276073},
    /* 1e-7 degree of longitude (OSM's resolution): about 1 cm. */
    {121.4000001, 31.2, 121.4, 31.2, 0.009530},
    /* Long lines: Shanghai to Beijing and to London. */
    {121.47, 31.23, 116.40, 39.90, 1065615.456587},
    {121.47, 31.23, -0.1276, 51.5072, 9217315.634894},
    /* Along the equator (cos^2 alpha = 0) and across the north pole. */
    {0, 0, 1, 0, 111319.490793},
    {10, 89.9, -170, 89.9, 22338.795683},
};

/* Lines of Karney's GeodTest.dat (https://sourceforge.net/projects/geographiclib/files/testdata/
 * GeodTest.dat.gz) as quoted in GeographicLib's own C test suite (geodtest.c, testcases[]):
 * lat1 lon1 azi1 lat2 lon2 azi2 s12 ...; kept here as (lon1, lat1, lon2, lat2, s12), the
 * ones with both longitudes in [-180, 180]. GeographicLib checks s12 to 1e-8 m. */
static const struct geo_case geodtest[] = {
    /* 35.60777 -139.44815 111.098748429560326 -11.17491 -69.95921 ... 8935244.5604818305 */
    {-139.44815, 35.60777, -69.95921, -11.17491, 8935244.5604818305},
    /* -21.97856 142.59065 -32.44456876433189 41.84138 98.56635 ... 8394328.894657671 */
    {142.59065, -21.97856, 98.56635, 41.84138, 8394328.894657671},
    /* -17.42761 173.34268 -159.033557661192928 -15.84784 5.93557 ... 16076603.1631180673 */
    {173.34268, -17.42761, 5.93557, -15.84784, 16076603.1631180673},
};

static void test_geo_geodtest(void) {
  for (size_t i = 0; i < sizeof geodtest / sizeof geodtest[0]; i++) {
    const struct geo_case *c = &geodtest[i];
    double m = -1;
    CU_ASSERT_EQUAL_FATAL(geo_distance_m(c->lon1, c->lat1, c->lon2, c->lat2, &m), LC_OK);
    CU_ASSERT_DOUBLE_EQUAL(m, c->metres, 1e-8);
  }
  /* GeographicLib's regression cases (geodtest.c, GeodSolve4, GeodSolve9, GeodSolve33) with
   * their tolerances: a 7 cm line, and nearly antipodal points where Vincenty's iteration
   * does not converge. */
  const struct {
    double lon1, lat1, lon2, lat2, metres, tol;
  } solve[] = {
      {0, 36.493349428792, .0000008, 36.49334942879201, 0.072, 0.5e-3},
      {0, 56.320923501171, 179.664747671772880215, -56.320923501171, 19993558.287, 0.5e-3},
      {0, 0, 179.5, 0, 19980862, 0.5},
  };
  for (size_t i = 0; i < sizeof solve / sizeof solve[0]; i++) {
    double m = -1;
    CU_ASSERT_EQUAL(geo_distance_m(solve[i].lon1, solve[i].lat1, solve[i].lon2, solve[i].lat2, &m),
                    LC_OK);
    CU_ASSERT_DOUBLE_EQUAL(m, solve[i].metres, solve[i].tol);
  }
}

static void test_geo_geographiclib(void) {
  for (size_t i = 0; i < sizeof geo_cases / sizeof geo_cases[0]; i++) {
    const struct geo_case *c = &geo_cases[i];
    double m = -1;
    CU_ASSERT_EQUAL_FATAL(geo_distance_m(c->lon1, c->lat1, c->lon2, c->lat2, &m), LC_OK);
    CU_ASSERT_DOUBLE_EQUAL(m, c->metres, 1e-3);
    /* Symmetric. */
    double back = -1;
    CU_ASSERT_EQUAL(geo_distance_m(c->lon2, c->lat2, c->lon1, c->lat1, &back), LC_OK);
    CU_ASSERT_DOUBLE_EQUAL(back, c->metres, 1e-3);
  }
}

static void test_geo_cm(void) {
  int64_t cm = 0;
  /* 110.872917 m rounds to 11087 cm; 95.302352 m to 9530 cm; 0.00953 m to 1 cm. */
  CU_ASSERT_EQUAL(geo_distance_cm(121.4, 31.2, 121.4, 31.201, &cm), LC_OK);
  CU_ASSERT_EQUAL(cm, 11087);
  CU_ASSERT_EQUAL(geo_distance_cm(121.4, 31.202, 121.401, 31.202, &cm), LC_OK);
  CU_ASSERT_EQUAL(cm, 9530);
  CU_ASSERT_EQUAL(geo_distance_cm(121.4000001, 31.2, 121.4, 31.2, &cm), LC_OK);
  CU_ASSERT_EQUAL(cm, 1);
  CU_ASSERT_EQUAL(geo_distance_cm(121.4, 31.2, 121.4, 31.2, &cm), LC_OK);
  CU_ASSERT_EQUAL(cm, 0);
}

static void test_geo_invalid(void) {
  double m;
  CU_ASSERT_EQUAL(geo_distance_m(121.4, 95.0, 121.4, 31.2, &m), LC_EPARAM);
  CU_ASSERT_EQUAL(geo_distance_m(NAN, 31.2, 121.4, 31.2, &m), LC_EPARAM);
  CU_ASSERT_EQUAL(geo_distance_m(121.4, 31.2, 181.0, 31.2, &m), LC_EPARAM);
  CU_ASSERT_FALSE(geo_valid(INFINITY, 0));
  CU_ASSERT_TRUE(geo_valid(-180, -90));
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("geo", NULL, NULL);
  if (!s || !CU_add_test(s, "Karney's GeodTest lines", test_geo_geodtest) ||
      !CU_add_test(s, "against GeographicLib", test_geo_geographiclib) ||
      !CU_add_test(s, "rounding to centimetres", test_geo_cm) ||
      !CU_add_test(s, "invalid coordinates", test_geo_invalid))
    return 1;
  return 0;
}
