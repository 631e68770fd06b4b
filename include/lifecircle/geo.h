/* Geodesic distance on the WGS84 ellipsoid (Karney's algorithm, PROJ's geod_inverse), for edge
 * lengths. */
#ifndef LIFECIRCLE_GEO_H
#define LIFECIRCLE_GEO_H

#include <stdint.h>

/* WGS84 semi-major axis in metres and flattening (NIMA TR8350.2, 2000). */
#define GEO_WGS84_A 6378137.0
#define GEO_WGS84_F (1.0 / 298.257223563)

/* Geodesic (shortest path on the WGS84 ellipsoid) distance in metres between two points
 * given in degrees, by PROJ's geod_inverse (C. F. F. Karney, "Algorithms for geodesics",
 * J. Geodesy 87, 2013), which converges everywhere, antipodal points included, and is exact
 * to about 15 nanometres. Points must be finite with |lat| <= 90 and |lon| <= 180. Returns
 * LC_OK or LC_EPARAM for invalid coordinates. Local, thread-safe. */
int geo_distance_m(double lon1, double lat1, double lon2, double lat2, double *metres);

/* The same distance rounded to the nearest whole centimetre (ties away from zero).
 * Returns as geo_distance_m. Local. */
int geo_distance_cm(double lon1, double lat1, double lon2, double lat2, int64_t *cm);

/* Returns 1 when (lon, lat) are finite degrees with |lon| <= 180 and |lat| <= 90, else 0. */
int geo_valid(double lon, double lat);

#endif
