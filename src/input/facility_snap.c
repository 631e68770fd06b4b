/* Snapping facilities to their nearest network node.
 *
 * The nodes are bucketed in a uniform grid laid over a local equirectangular projection
 * (x = lon * cos(lat0), y = lat, in metres on a sphere). A query visits square rings of
 * cells around the facility's cell; every candidate's exact geodesic distance comes from
 * geo_distance_m. The search stops once the projected distance to any cell not yet visited,
 * divided by a bound on how much the projection can overstate a distance inside the grid,
 * exceeds the best distance found, so the answer is the exact nearest node (ties to the
 * lower index). Facilities far outside the grid are answered by brute force. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/facility.h"
#include "lifecircle/geo.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

static const double SNAP_PI = 3.14159265358979323846;
static const double SNAP_R = 6371008.8; /* Mean Earth radius (IUGG), metres. */

struct snap_grid {
  double lat0, kx, ky; /* Projection: x = (lon - lon0) * kx, y = (lat - lat0) * ky. */
  double lon0;
  double xmin, ymin, cell; /* Grid origin and cell size in projected metres. */
  int64_t nx, ny;
  int64_t *off; /* Cell c holds nodes idx[off[c] .. off[c+1]), ascending. */
  int64_t *idx;
  double margin; /* Projected distance <= margin * geodesic distance inside. */
  double lonmin, lonmax, latmin, latmax; /* Node bounding box, degrees. */
};

static void project(const struct snap_grid *sg, double lon, double lat, double *x, double *y) {
  *x = (lon - sg->lon0) * sg->kx;
  *y = (lat - sg->lat0) * sg->ky;
}

static int grid_build(struct snap_grid *sg, const struct graph *g) {
  memset(sg, 0, sizeof *sg);
  int64_t n = g->n_nodes;
  sg->lonmin = sg->lonmax = g->lon[0];
  sg->latmin = sg->latmax = g->lat[0];
  for (int64_t i = 1; i < n; i++) {
    sg->lonmin = fmin(sg->lonmin, g->lon[i]);
    sg->lonmax = fmax(sg->lonmax, g->lon[i]);
    sg->latmin = fmin(sg->latmin, g->lat[i]);
    sg->latmax = fmax(sg->latmax, g->lat[i]);
  }
  sg->lat0 = 0.5 * (sg->latmin + sg->latmax);
  sg->lon0 = 0.5 * (sg->lonmin + sg->lonmax);
  double rad = SNAP_PI / 180.0;
  sg->ky = SNAP_R * rad;
  sg->kx = SNAP_R * rad * cos(sg->lat0 * rad);
  /* How far the projection can be off: the east-west scale varies as cos(lat) over the
   * box, and the sphere's radius differs from the ellipsoid's radii of curvature by under
   * 0.6 %; 2 % more covers the curvature of long chords inside a city-sized box. */
  double c0 = cos(sg->lat0 * rad), f = 1.0;
  double lats[3] = {sg->latmin, sg->latmax, 0.0};
  int nl = (sg->latmin < 0 && sg->latmax > 0) ? 3 : 2;
  for (int k = 0; k < nl; k++) {
    double c = cos(lats[k] * rad);
    if (c > 1e-9)
      f = fmax(f, fmax(c0 / c, c / c0));
    else
      f = 1e9;
  }
  sg->margin = f * 1.006 * 1.02;
  double xmax, ymax;
  project(sg, sg->lonmin, sg->latmin, &sg->xmin, &sg->ymin);
  project(sg, sg->lonmax, sg->latmax, &xmax, &ymax);
  double w = xmax - sg->xmin, h = ymax - sg->ymin;
  double area = fmax(w, 1.0) * fmax(h, 1.0);
  sg->cell = fmax(sqrt(area / (double)n) * 1.5, 1.0);
  sg->nx = (int64_t)(w / sg->cell) + 1;
  sg->ny = (int64_t)(h / sg->cell) + 1;
  int64_t nc = sg->nx * sg->ny;
  sg->off = calloc((size_t)nc + 1, sizeof *sg->off);
  sg->idx = malloc((size_t)n * sizeof *sg->idx);
  int64_t *cellof = malloc((size_t)n * sizeof *cellof);
  if (!sg->off || !sg->idx || !cellof) {
    free(sg->off);
    free(sg->idx);
    free(cellof);
    LC_FAIL(LC_ENOMEM, "out of memory building the snapping grid (%" PRId64 " cells)", nc);
  }
  for (int64_t i = 0; i < n; i++) {
    double x, y;
    project(sg, g->lon[i], g->lat[i], &x, &y);
    int64_t ix = (int64_t)((x - sg->xmin) / sg->cell), iy = (int64_t)((y - sg->ymin) / sg->cell);
    ix = ix < 0 ? 0 : (ix >= sg->nx ? sg->nx - 1 : ix);
    iy = iy < 0 ? 0 : (iy >= sg->ny ? sg->ny - 1 : iy);
    cellof[i] = iy * sg->nx + ix;
    sg->off[cellof[i] + 1]++;
  }
  for (int64_t c = 0; c < nc; c++)
    sg->off[c + 1] += sg->off[c];
  int64_t *fill = malloc((size_t)nc * sizeof *fill);
  if (!fill) {
    free(sg->off);
    free(sg->idx);
    free(cellof);
    LC_FAIL(LC_ENOMEM, "out of memory building the snapping grid");
  }
  memcpy(fill, sg->off, (size_t)nc * sizeof *fill);
  for (int64_t i = 0; i < n; i++)
    sg->idx[fill[cellof[i]]++] = i;
  free(fill);
  free(cellof);
  return LC_OK;
}

static void grid_free(struct snap_grid *sg) {
  free(sg->off);
  free(sg->idx);
  memset(sg, 0, sizeof *sg);
}

/* Considers node i as a candidate for the facility at (lon, lat). */
static int consider(const struct graph *g, int64_t i, double lon, double lat, double *best,
                    int64_t *best_i) {
  double d;
  LC_CHECK(geo_distance_m(lon, lat, g->lon[i], g->lat[i], &d));
  if (d < *best || (d == *best && i < *best_i)) {
    *best = d;
    *best_i = i;
  }
  return LC_OK;
}

/* Great-circle distance on a sphere of the WGS84 mean radius (haversine formula); within
 * 0.6% of the geodesic distance, so it can rule out nodes cheaply. */
static double snap_sphere_m(double lon1, double lat1, double lon2, double lat2) {
  const double r = 6371008.8, rad = 3.14159265358979323846 / 180.0;
  double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  double a = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
  return 2.0 * r * asin(fmin(1.0, sqrt(a)));
}

static int nearest_brute(const struct graph *g, double lon, double lat, int64_t *node,
                         double *dist) {
  /* First the spherical minimum, then exact distances only for nodes that could beat it. */
  double hmin = INFINITY;
  for (int64_t i = 0; i < g->n_nodes; i++)
    hmin = fmin(hmin, snap_sphere_m(lon, lat, g->lon[i], g->lat[i]));
  double bound = hmin * 1.02 + 1.0;
  double best = INFINITY;
  int64_t best_i = -1;
  for (int64_t i = 0; i < g->n_nodes; i++)
    if (snap_sphere_m(lon, lat, g->lon[i], g->lat[i]) <= bound)
      LC_CHECK(consider(g, i, lon, lat, &best, &best_i));
  *node = best_i;
  *dist = best;
  return LC_OK;
}

static int nearest_grid(const struct snap_grid *sg, const struct graph *g, double lon, double lat,
                        int64_t *node, double *dist) {
  /* Far outside the nodes' box the projection bound does not hold: brute force. */
  double pad = 0.01; /* Degrees, about 1 km. */
  if (lon < sg->lonmin - pad || lon > sg->lonmax + pad || lat < sg->latmin - pad ||
      lat > sg->latmax + pad)
    return nearest_brute(g, lon, lat, node, dist);
  double px, py;
  project(sg, lon, lat, &px, &py);
  double fx = (px - sg->xmin) / sg->cell, fy = (py - sg->ymin) / sg->cell;
  int64_t ix = (int64_t)floor(fx), iy = (int64_t)floor(fy);
  double best = INFINITY;
  int64_t best_i = -1;
  /* The farthest ring that still touches the grid. */
  int64_t rmax = 0;
  int64_t cand[4] = {ix, sg->nx - 1 - ix, iy, sg->ny - 1 - iy};
  for (int k = 0; k < 4; k++)
    rmax = cand[k] > rmax ? cand[k] : rmax;
  rmax += 1;
  for (int64_t r = 0; r <= rmax; r++) {
    for (int64_t cy = iy - r; cy <= iy + r; cy++) {
      if (cy < 0 || cy >= sg->ny)
        continue;
      int edge_row = (cy == iy - r || cy == iy + r);
      for (int64_t cx = ix - r; cx <= ix + r; cx += (edge_row || r == 0) ? 1 : 2 * r) {
        if (cx < 0 || cx >= sg->nx)
          continue;
        int64_t c = cy * sg->nx + cx;
        for (int64_t k = sg->off[c]; k < sg->off[c + 1]; k++) {
          int64_t i = sg->idx[k];
          double x, y;
          project(sg, g->lon[i], g->lat[i], &x, &y);
          double pd = hypot(x - px, y - py);
          if (pd / sg->margin > best)
            continue;
          LC_CHECK(consider(g, i, lon, lat, &best, &best_i));
        }
      }
    }
    /* Every node not yet visited lies outside the square of rings 0..r, at a projected
     * distance of at least lb from the facility. */
    double lb = fmin(fmin(fx - (double)(ix - r), (double)(ix + r + 1) - fx),
                     fmin(fy - (double)(iy - r), (double)(iy + r + 1) - fy)) *
                sg->cell;
    if (best_i >= 0 && lb / sg->margin > best)
      break;
  }
  *node = best_i;
  *dist = best;
  return LC_OK;
}

int facility_nearest_m(const struct graph *g, int64_t n, const double *lon, const double *lat,
                       double *dist) {
  if (g->n_nodes <= 0)
    LC_FAIL(LC_EEMPTY, "cannot measure distances to the network: the graph has no nodes");
  struct snap_grid sg;
  LC_CHECK(grid_build(&sg, g));
  int failed = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(max : failed)
  for (int64_t i = 0; i < n; i++) {
    int64_t node;
    if (nearest_grid(&sg, g, lon[i], lat[i], &node, &dist[i]) != LC_OK)
      failed = 1;
  }
  grid_free(&sg);
  if (failed)
    LC_FAIL(LC_EINVARIANT, "cannot compute a geodesic distance to the network");
  return LC_OK;
}

int facility_snap(struct facility_set *fs, const struct graph *g, double max_snap_m,
                  int64_t *n_excluded) {
  if (!(max_snap_m > 0))
    LC_FAIL(LC_EPARAM, "the snapping distance must be positive (got %g m)", max_snap_m);
  if (g->n_nodes <= 0)
    LC_FAIL(LC_EEMPTY, "cannot snap facilities: the graph has no nodes");
  struct snap_grid sg;
  LC_CHECK(grid_build(&sg, g));
  double *dist = lc_malloc_array(fs->n, sizeof *dist);
  if (!dist) {
    grid_free(&sg);
    LC_FAIL(LC_ENOMEM, "out of memory snapping facilities");
  }
  int failed = 0;
  int64_t first_bad = -1;
#pragma omp parallel for schedule(dynamic, 16) reduction(max : failed)
  for (int64_t i = 0; i < fs->n; i++) {
    if (nearest_grid(&sg, g, fs->lon[i], fs->lat[i], &fs->node[i], &dist[i]) != LC_OK) {
      failed = 1;
      fs->node[i] = -1;
    }
  }
  grid_free(&sg);
  if (failed) {
    for (int64_t i = 0; i < fs->n && first_bad < 0; i++)
      if (fs->node[i] < 0)
        first_bad = i;
    free(dist);
    LC_FAIL(LC_EINVARIANT,
            "cannot compute the geodesic distance from facility '%s' (%s) "
            "to the network",
            fs->name[first_bad], fs->source_id[first_bad]);
  }
  int64_t excluded = 0, excluded_pois = 0;
  for (int64_t i = 0; i < fs->n; i++) {
    fs->snap_cm[i] = llround(dist[i] * 100.0);
    fs->excluded[i] = dist[i] > max_snap_m;
    if (fs->excluded[i]) {
      excluded++;
      /* A user's layer point is named every time; OSM POIs beyond the network (an extract
       * larger than the network is normal) are counted, and named at verbosity 2. */
      if (fs->layer[i] >= 0 || log_verbosity() >= LOG_ALL)
        log_warn("facility '%s' (%s, layer %d) is %.1f m from the nearest network node, "
                 "beyond the snapping limit of %.1f m: excluded",
                 fs->name[i], fs->source_id[i], (int)fs->layer[i], dist[i], max_snap_m);
      else
        excluded_pois++;
    }
  }
  if (excluded_pois > 0)
    log_info("%lld OSM POIs lie beyond %.1f m of the network and are excluded (named at "
             "--verbose 2; kept in the results' Facilities with node -1)",
             (long long)excluded_pois, max_snap_m);
  free(dist);
  if (n_excluded)
    *n_excluded = excluded;
  return LC_OK;
}
