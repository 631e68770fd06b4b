/* Raster population on network nodes (population.h, population_raster_weights): sub-pixel
 * samples go to the nearest node of their own polygon, and the rounded total is split over
 * the polygons by largest remainder so that it is preserved exactly. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/geom.h"
#include "lifecircle/population.h"
#include "lifecircle/status.h"

static const double RASTER_RAD = 3.14159265358979323846 / 180.0;

/* Nearest node among nodes[0..n) to (lon, lat), plane distance at the point's latitude. */
static int64_t nearest_of(const struct graph *g, const int64_t *nodes, int64_t n, double lon,
                          double lat) {
  double kx = cos(lat * RASTER_RAD), best = INFINITY;
  int64_t bi = -1;
  for (int64_t k = 0; k < n; k++) {
    int64_t i = nodes[k];
    double dx = (g->lon[i] - lon) * kx, dy = g->lat[i] - lat, d = dx * dx + dy * dy;
    if (d < best) { /* Nodes are listed in ascending order: ties keep the lower index. */
      best = d;
      bi = i;
    }
  }
  return bi;
}

int population_raster_weights(const struct graph *g, const struct polygon_set *ps,
                              const struct density_samples *sm, double *w_node,
                              struct population_table *t, double *outside) {
  memset(t, 0, sizeof *t);
  int64_t n = g->n_nodes, m = sm->n;
  int ns = ps->n;
  int32_t *zone = malloc((size_t)(n + 1) * sizeof *zone);
  int64_t *off = calloc((size_t)ns + 2, sizeof *off),
          *list = malloc((size_t)(n + 1) * sizeof *list);
  int64_t *target = malloc((size_t)(m + 1) * sizeof *target);
  double *zsum = calloc((size_t)ns + 1, sizeof *zsum);
  t->residents = calloc((size_t)ns + 1, sizeof *t->residents);
  t->line = calloc((size_t)ns + 1, sizeof *t->line);
  t->file = strdup(sm->file ? sm->file : "");
  t->n = ns;
  int rc = LC_OK;
  if (!zone || !off || !list || !target || !zsum || !t->residents || !t->line || !t->file) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory placing raster persons");
    goto done;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++)
    zone[i] = geom_locate(ps, g->lon[i], g->lat[i]);
  for (int64_t i = 0; i < n; i++)
    if (zone[i] >= 0)
      off[zone[i] + 1]++;
  for (int s = 0; s < ns; s++)
    off[s + 1] += off[s];
  int64_t *fill = malloc((size_t)ns * sizeof *fill + 1);
  if (!fill) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory");
    goto done;
  }
  memcpy(fill, off, (size_t)ns * sizeof *fill);
  for (int64_t i = 0; i < n; i++)
    if (zone[i] >= 0)
      list[fill[zone[i]]++] = i;
  free(fill);
  /* target[k]: the sample's node, -1 outside every polygon, -2 in a polygon without nodes. */
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t k = 0; k < m; k++) {
    int s = geom_locate(ps, sm->lon[k], sm->lat[k]);
    if (s < 0)
      target[k] = -1;
    else if (off[s + 1] == off[s])
      target[k] = -2 - s;
    else
      target[k] = nearest_of(g, list + off[s], off[s + 1] - off[s], sm->lon[k], sm->lat[k]);
  }
  for (int64_t i = 0; i < n; i++)
    w_node[i] = 0.0;
  double out_sum = 0.0, in_sum = 0.0;
  for (int64_t k = 0; k < m; k++) { /* In sample order: sums independent of threads. */
    if (target[k] == -1) {
      out_sum += sm->value[k];
    } else if (target[k] <= -2) {
      if (sm->value[k] > 0) {
        int s = (int)(-2 - target[k]);
        rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                          "%s: the raster puts persons in subdistrict '%s' (the sample at "
                          "%.6f, %.6f) but no network node lies inside its polygon",
                          sm->file ? sm->file : "", ps->name[s], sm->lon[k], sm->lat[k]);
        goto done;
      }
    } else {
      w_node[target[k]] += sm->value[k];
      zsum[zone[target[k]]] += sm->value[k];
      in_sum += sm->value[k];
    }
  }
  *outside = out_sum;
  LC_CHECK_GOTO(rc, population_largest_remainder(llround(in_sum), zsum, ns, t->residents), done);
done:
  free(zone);
  free(off);
  free(list);
  free(target);
  free(zsum);
  if (rc != LC_OK)
    population_table_free(t);
  return rc;
}
