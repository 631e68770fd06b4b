/* Geodesic distance on the WGS84 ellipsoid by Vincenty's inverse formula (Vincenty 1975,
 * Survey Review 23(176), equations (3)-(6) and the iteration on lambda), written from the
 * published formulas. */
#include "lifecircle/geo.h"

#include <math.h>

#include "lifecircle/status.h"

#define GEO_DEG (3.14159265358979323846 / 180.0)
#define GEO_MAX_ITER 200

int geo_valid(double lon, double lat) {
  return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180.0 && fabs(lat) <= 90.0;
}

int geo_distance_m(double lon1, double lat1, double lon2, double lat2, double *metres) {
  if (!geo_valid(lon1, lat1) || !geo_valid(lon2, lat2))
    LC_FAIL(LC_EPARAM, "geodesic distance between invalid coordinates (%g, %g) and (%g, %g)",
            lon1, lat1, lon2, lat2);
  const double a = GEO_WGS84_A, f = GEO_WGS84_F, b = a * (1.0 - f);
  if (lon1 == lon2 && lat1 == lat2) {
    *metres = 0.0;
    return LC_OK;
  }
  double L = (lon2 - lon1) * GEO_DEG;
  /* Reduced latitudes U (tan U = (1 - f) tan phi), through sin and cos to stay exact at the
   * poles. */
  double t1 = (1.0 - f) * tan(lat1 * GEO_DEG), t2 = (1.0 - f) * tan(lat2 * GEO_DEG);
  double cu1 = 1.0 / sqrt(1.0 + t1 * t1), su1 = t1 * cu1;
  double cu2 = 1.0 / sqrt(1.0 + t2 * t2), su2 = t2 * cu2;
  if (fabs(lat1) == 90.0) {
    cu1 = 0.0;
    su1 = lat1 > 0 ? 1.0 : -1.0;
  }
  if (fabs(lat2) == 90.0) {
    cu2 = 0.0;
    su2 = lat2 > 0 ? 1.0 : -1.0;
  }
  double lambda = L, prev;
  double sin_sigma = 0, cos_sigma = 0, sigma = 0, cos2_alpha = 0, cos_2sm = 0;
  int iter = 0;
  do {
    double sl = sin(lambda), cl = cos(lambda);
    double x = cu2 * sl, y = cu1 * su2 - su1 * cu2 * cl;
    sin_sigma = sqrt(x * x + y * y);
    if (sin_sigma == 0.0) {
      *metres = 0.0; /* Coincident points. */
      return LC_OK;
    }
    cos_sigma = su1 * su2 + cu1 * cu2 * cl;
    sigma = atan2(sin_sigma, cos_sigma);
    double sin_alpha = cu1 * cu2 * sl / sin_sigma;
    cos2_alpha = 1.0 - sin_alpha * sin_alpha;
    /* On the equator cos^2(alpha) = 0 and the term vanishes (Vincenty's remark). */
    cos_2sm = cos2_alpha != 0.0 ? cos_sigma - 2.0 * su1 * su2 / cos2_alpha : 0.0;
    double C = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha));
    prev = lambda;
    lambda = L + (1.0 - C) * f * sin_alpha *
                     (sigma + C * sin_sigma *
                                  (cos_2sm + C * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
  } while (fabs(lambda - prev) > 1e-12 && ++iter < GEO_MAX_ITER);
  if (iter >= GEO_MAX_ITER)
    LC_FAIL(LC_EINVARIANT,
            "Vincenty's formula did not converge between (%.7f, %.7f) and (%.7f, %.7f) "
            "(nearly antipodal points)",
            lon1, lat1, lon2, lat2);
  double u2 = cos2_alpha * (a * a - b * b) / (b * b);
  double A = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)));
  double B = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)));
  double d_sigma =
      B * sin_sigma *
      (cos_2sm + B / 4.0 *
                     (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm) -
                      B / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma * sin_sigma) *
                          (-3.0 + 4.0 * cos_2sm * cos_2sm)));
  *metres = b * A * (sigma - d_sigma);
  return LC_OK;
}

int geo_distance_cm(double lon1, double lat1, double lon2, double lat2, int64_t *cm) {
  double m;
  LC_CHECK(geo_distance_m(lon1, lat1, lon2, lat2, &m));
  *cm = (int64_t)llround(m * 100.0);
  return LC_OK;
}
