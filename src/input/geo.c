/* Geodesic distance on the WGS84 ellipsoid by Karney's algorithm, through PROJ's geodesic
 * library (geodesic.h). */
#include "lifecircle/geo.h"

#include <geodesic.h>
#include <math.h>
#include <pthread.h>

#include "lifecircle/status.h"

/* The ellipsoid's series coefficients are computed once; geod_inverse only reads them, so
 * any number of threads may share them. */
static struct geod_geodesic geo_wgs84;
static pthread_once_t geo_once = PTHREAD_ONCE_INIT;

static void geo_init(void) { geod_init(&geo_wgs84, GEO_WGS84_A, GEO_WGS84_F); }

int geo_valid(double lon, double lat) {
  return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180.0 && fabs(lat) <= 90.0;
}

int geo_distance_m(double lon1, double lat1, double lon2, double lat2, double *metres) {
  if (!geo_valid(lon1, lat1) || !geo_valid(lon2, lat2))
    LC_FAIL(LC_EPARAM, "geodesic distance between invalid coordinates (%g, %g) and (%g, %g)", lon1,
            lat1, lon2, lat2);
  pthread_once(&geo_once, geo_init);
  double s12 = 0.0;
  geod_inverse(&geo_wgs84, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
  *metres = s12;
  return LC_OK;
}

int geo_distance_cm(double lon1, double lat1, double lon2, double lat2, int64_t *cm) {
  double m;
  LC_CHECK(geo_distance_m(lon1, lat1, lon2, lat2, &m));
  *cm = (int64_t)llround(m * 100.0);
  return LC_OK;
}
