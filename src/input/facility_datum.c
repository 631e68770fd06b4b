/* The datum check of facility layers (facility_datum.h): medians of the snapping distance
 * under the three readings of a layer's coordinates. The thresholds (a factor 2 and 20 m)
 * keep correct layers silent: in a dense urban network a random point lies within a few
 * tens of metres of a node, so only a clear and large gain is taken as evidence. */
#include "lifecircle/facility_datum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecircle/crs.h"
#include "lifecircle/status.h"

static const double DATUM_FACTOR = 2.0;  /* The best reading's median at most half... */
static const double DATUM_GAIN_M = 20.0; /* ...and at least this much smaller. */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of v[0..n) (sorted in place): the mean of the two middle values when n is even. */
static double median(double *v, int64_t n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The declared kind, or -1 when the rule does not apply to this CRS. */
static int declared_kind(const char *name) {
  int kind;
  if (!name)
    return -1;
  if (strcasecmp(name, "EPSG:4326") == 0 || strcasecmp(name, "EPSG:4490") == 0)
    return CRS_WGS84;
  if (crs_parse(name, &kind) != LC_OK) {
    lc_error_clear();
    return -1;
  }
  return kind;
}

int facility_datum_check(const struct facility_set *fs, const struct graph *g, int layer,
                         const char *crs_name, double max_snap_m, struct datum_finding *out) {
  memset(out, 0, sizeof *out);
  int decl = declared_kind(crs_name);
  out->declared = out->best = decl;
  if (decl < 0 || g->n_nodes <= 0)
    return LC_OK;
  int64_t n = 0, in_china = 0;
  for (int64_t i = 0; i < fs->n; i++)
    n += fs->layer[i] == layer;
  if (n < 3)
    return LC_OK;
  double *lon = malloc((size_t)n * 3 * sizeof *lon), *lat = malloc((size_t)n * 3 * sizeof *lat);
  double *dist = malloc((size_t)n * 3 * sizeof *dist), *keep = malloc((size_t)n * sizeof *keep);
  int rc = LC_OK;
  if (!lon || !lat || !dist || !keep) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory in the datum check");
    goto done;
  }
  int64_t k = 0;
  for (int64_t i = 0; i < fs->n; i++) {
    if (fs->layer[i] != layer)
      continue;
    double ox, oy; /* The layer's own coordinates. */
    if (crs_from_wgs84(decl, fs->lon[i], fs->lat[i], &ox, &oy) != LC_OK) {
      lc_error_clear();
      ox = fs->lon[i];
      oy = fs->lat[i];
    }
    double gx, gy;
    crs_wgs84_to_gcj02(ox, oy, &gx, &gy);
    in_china += gx != ox || gy != oy;
    for (int r = 0; r < 3; r++)
      if (crs_to_wgs84(r, ox, oy, &lon[r * n + k], &lat[r * n + k]) != LC_OK) {
        lc_error_clear();
        lon[r * n + k] = ox;
        lat[r * n + k] = oy;
      }
    k++;
  }
  if (in_china < 3)
    goto done;
  LC_CHECK_GOTO(rc, facility_nearest_m(g, 3 * n, lon, lat, dist), done);
  double med[3];
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++)
    if (fmin(dist[i], fmin(dist[n + i], dist[2 * n + i])) <= max_snap_m)
      m++;
  if (m < 3)
    goto done;
  for (int r = 0; r < 3; r++) {
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++)
      if (fmin(dist[i], fmin(dist[n + i], dist[2 * n + i])) <= max_snap_m)
        keep[j++] = dist[r * n + i];
    med[r] = median(keep, m);
  }
  int best = decl;
  for (int r = 0; r < 3; r++)
    if (r != decl && (best == decl || med[r] < med[best]))
      best = r;
  out->checked = 1;
  out->n_points = m;
  out->best = best;
  out->median_declared_m = med[decl];
  out->median_best_m = med[best];
  out->fires = med[best] * DATUM_FACTOR <= med[decl] && med[decl] - med[best] >= DATUM_GAIN_M;
done:
  free(lon);
  free(lat);
  free(dist);
  free(keep);
  return rc;
}
