/* Coordinate conversions between WGS84, GCJ-02 and BD-09.
 *
 * GCJ-02: the forward transform WGS84 -> GCJ-02 is the widely published formula on the
 * Krasovsky 1940 ellipsoid (a = 6378245 m, e^2 = 0.00669342162296594323): two trigonometric
 * polynomials in x = lon - 105 and y = lat - 35 give offsets in metres, which are turned into
 * degrees with the ellipsoid's meridional and prime-vertical radii of curvature at the point.
 * It has no closed-form inverse; we invert it by fixed-point iteration
 * w_{k+1} = w_k - (F(w_k) - g), which converges because F is the identity plus a small,
 * slowly varying offset.
 *
 * BD-09: Baidu's published transform from GCJ-02 (x_pi = pi * 3000 / 180):
 *   z = sqrt(x^2 + y^2) + 0.00002 sin(y x_pi), theta = atan2(y, x) + 0.000003 cos(x x_pi),
 *   bd = (z cos theta + 0.0065, z sin theta + 0.006),
 * and its usual approximate inverse, refined here by the same fixed-point iteration. */
#include "lifecircle/crs.h"

#include <math.h>
#include <strings.h>

#include "lifecircle/status.h"

static const double CRS_PI = 3.14159265358979323846;
static const double KRASOVSKY_A = 6378245.0;
static const double KRASOVSKY_EE = 0.00669342162296594323;

int crs_parse(const char *name, int *crs) {
  static const char *const names[] = {"wgs84", "gcj02", "bd09"};
  char canon[16];
  size_t k = 0;
  if (!name)
    LC_FAIL(LC_EPARAM, "no coordinate reference system given (allowed: wgs84, gcj02, bd09)");
  for (const char *s = name; *s && k + 1 < sizeof canon; s++) {
    if (*s == '-' || *s == '_')
      continue;
    canon[k++] = *s;
  }
  canon[k] = '\0';
  for (int i = 0; i < 3; i++) {
    if (strcasecmp(canon, names[i]) == 0) {
      *crs = i;
      return LC_OK;
    }
  }
  LC_FAIL(LC_EPARAM, "unknown coordinate reference system '%s' (allowed: wgs84, gcj02, bd09)",
          name);
}

const char *crs_name(int crs) {
  switch (crs) {
    case CRS_WGS84:
      return "wgs84";
    case CRS_GCJ02:
      return "gcj02";
    case CRS_BD09:
      return "bd09";
    default:
      return "unknown";
  }
}

int crs_valid_lonlat(double lon, double lat) {
  return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180.0 && fabs(lat) <= 90.0;
}

/* The published rough bounding box of mainland China outside which no offset applies. */
static int outside_china(double lon, double lat) {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

/* Northward offset polynomial (metres on the Krasovsky ellipsoid, before scaling). */
static double offset_lat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
  r += (20.0 * sin(6.0 * x * CRS_PI) + 20.0 * sin(2.0 * x * CRS_PI)) * 2.0 / 3.0;
  r += (20.0 * sin(y * CRS_PI) + 40.0 * sin(y / 3.0 * CRS_PI)) * 2.0 / 3.0;
  r += (160.0 * sin(y / 12.0 * CRS_PI) + 320.0 * sin(y * CRS_PI / 30.0)) * 2.0 / 3.0;
  return r;
}

/* Eastward offset polynomial. */
static double offset_lon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
  r += (20.0 * sin(6.0 * x * CRS_PI) + 20.0 * sin(2.0 * x * CRS_PI)) * 2.0 / 3.0;
  r += (20.0 * sin(x * CRS_PI) + 40.0 * sin(x / 3.0 * CRS_PI)) * 2.0 / 3.0;
  r += (150.0 * sin(x / 12.0 * CRS_PI) + 300.0 * sin(x / 30.0 * CRS_PI)) * 2.0 / 3.0;
  return r;
}

void crs_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat) {
  if (outside_china(lon, lat)) {
    *glon = lon;
    *glat = lat;
    return;
  }
  double x = lon - 105.0, y = lat - 35.0;
  double dlat = offset_lat(x, y), dlon = offset_lon(x, y);
  double phi = lat / 180.0 * CRS_PI;
  double s = sin(phi);
  double w2 = 1.0 - KRASOVSKY_EE * s * s;
  double w = sqrt(w2);
  /* Meridional radius M = a (1 - e^2) / W^3 and prime-vertical radius N = a / W. */
  double m = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (w2 * w);
  double n = KRASOVSKY_A / w;
  *glat = lat + dlat * 180.0 / (m * CRS_PI);
  *glon = lon + dlon * 180.0 / (n * cos(phi) * CRS_PI);
}

void crs_gcj02_to_wgs84(double lon, double lat, double *wlon, double *wlat) {
  double x = lon, y = lat;
  for (int it = 0; it < 50; it++) {
    double fx, fy;
    crs_wgs84_to_gcj02(x, y, &fx, &fy);
    double ex = fx - lon, ey = fy - lat;
    x -= ex;
    y -= ey;
    if (fabs(ex) < 1e-11 && fabs(ey) < 1e-11)
      break;
  }
  *wlon = x;
  *wlat = y;
}

static const double BD_X_PI = 3.14159265358979323846 * 3000.0 / 180.0;

void crs_gcj02_to_bd09(double lon, double lat, double *blon, double *blat) {
  double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
  double theta = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);
  *blon = z * cos(theta) + 0.0065;
  *blat = z * sin(theta) + 0.006;
}

void crs_bd09_to_gcj02(double lon, double lat, double *glon, double *glat) {
  /* The published approximate inverse as the starting point. */
  double x = lon - 0.0065, y = lat - 0.006;
  double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
  double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);
  double gx = z * cos(theta), gy = z * sin(theta);
  for (int it = 0; it < 50; it++) {
    double fx, fy;
    crs_gcj02_to_bd09(gx, gy, &fx, &fy);
    double ex = fx - lon, ey = fy - lat;
    gx -= ex;
    gy -= ey;
    if (fabs(ex) < 1e-11 && fabs(ey) < 1e-11)
      break;
  }
  *glon = gx;
  *glat = gy;
}

int crs_to_wgs84(int crs, double lon, double lat, double *wlon, double *wlat) {
  if (!crs_valid_lonlat(lon, lat))
    LC_FAIL(LC_EFORMAT, "coordinates (%g, %g) are not finite or out of range", lon, lat);
  double glon, glat;
  switch (crs) {
    case CRS_WGS84:
      *wlon = lon;
      *wlat = lat;
      return LC_OK;
    case CRS_GCJ02:
      crs_gcj02_to_wgs84(lon, lat, wlon, wlat);
      return LC_OK;
    case CRS_BD09:
      crs_bd09_to_gcj02(lon, lat, &glon, &glat);
      crs_gcj02_to_wgs84(glon, glat, wlon, wlat);
      return LC_OK;
    default:
      LC_FAIL(LC_EPARAM, "unknown coordinate reference system %d", crs);
  }
}

int crs_from_wgs84(int crs, double lon, double lat, double *olon, double *olat) {
  if (!crs_valid_lonlat(lon, lat))
    LC_FAIL(LC_EFORMAT, "coordinates (%g, %g) are not finite or out of range", lon, lat);
  double glon, glat;
  switch (crs) {
    case CRS_WGS84:
      *olon = lon;
      *olat = lat;
      return LC_OK;
    case CRS_GCJ02:
      crs_wgs84_to_gcj02(lon, lat, olon, olat);
      return LC_OK;
    case CRS_BD09:
      crs_wgs84_to_gcj02(lon, lat, &glon, &glat);
      crs_gcj02_to_bd09(glon, glat, olon, olat);
      return LC_OK;
    default:
      LC_FAIL(LC_EPARAM, "unknown coordinate reference system %d", crs);
  }
}
