/* Residents on home nodes: subdistrict totals from a table, spread over the network nodes
 * inside each subdistrict polygon in proportion to a residential weight, then split into
 * population groups; all counts are integers that add up exactly. */
#ifndef LIFECIRCLE_POPULATION_H
#define LIFECIRCLE_POPULATION_H

#include <stdint.h>

#include "lifecircle/geom.h"
#include "lifecircle/graph.h"
#include "lifecircle/groups.h"

/* Residents per polygon of a polygon set. */
struct population_table {
  int n;              /* Polygons (== the polygon set's n). */
  int64_t *residents; /* Residents of polygon i. */
  int64_t *line;      /* Line of the table that gave polygon i's residents. */
  char *file;
};

/* Density samples (e.g. WorldPop persons per km2): relative residential weights. */
struct density_samples {
  int64_t n;
  double *lon, *lat, *value;
  char *file;
};

struct population {
  int64_t n_nodes;
  int n_groups;
  int n_subdistricts;
  int32_t *subdistrict;   /* Per node: polygon index, -1 outside every polygon. */
  double *weight;         /* Per node: residential weight used (0 outside). */
  int64_t *residents;     /* Per node: residents of all groups. */
  int64_t *by_group;      /* n_nodes x n_groups, row-major: residents of group g at node i. */
  int64_t *sub_residents; /* Per subdistrict: residents placed (equals the table). */
  int64_t *sub_group;     /* n_subdistricts x n_groups. */
  int64_t *sub_nodes;     /* Per subdistrict: nodes inside it. */
};

/* Reads residents per subdistrict from CSV (libcsv; header row; UTF-8 with or without BOM).
 * Columns: the subdistrict's name in `subdistrict` or `name`, or its code in `code`
 * (used when every polygon has a code), and the count in `residents` (or `population`);
 * other columns (notes, sources) are ignored. Every row must name a polygon of `ps`, every
 * polygon must have exactly one row, and counts must be non-negative integers. Errors name
 * the file and line (or the polygon without a row): LC_EFORMAT, LC_EIO, LC_ENOMEM.
 * Local. */
int population_load_table(const char *path, const struct polygon_set *ps,
                          struct population_table *t);

/* Frees a table. */
void population_table_free(struct population_table *t);

/* Reads density samples from CSV: longitude and latitude (WGS84) by the names
 * csvtab_find_coord accepts (lon, lng, longitude, x, wgs84_lon, 经度; lat, latitude, y,
 * wgs84_lat, 纬度), and the value in column `value_column` (or
 * `density` when NULL). Values must be finite and >= 0. Errors name the file and line:
 * LC_EFORMAT, LC_EIO, LC_ENOMEM. Local. */
int population_load_density(const char *path, const char *value_column, struct density_samples *d);

/* Frees density samples. */
void population_density_free(struct density_samples *d);

/* Places residents on nodes. Each node inside a polygon (geom_locate; nodes outside all
 * polygons get none) has weight = half the sum of the lengths of its incident edges, in
 * metres (the network length around it), times the value of the nearest density sample
 * (plane distance in a local equirectangular projection, ties to the lower sample index)
 * when `d` is not NULL. Each subdistrict's residents are spread over its nodes in
 * proportion to weight by the largest-remainder method (ties to the lower node index), so
 * the integer counts sum exactly to the table; each node's residents are then split into
 * groups by the groups' shares, again by largest remainder (ties to the lower group index).
 * A subdistrict with residents but no node, or whose nodes all have zero weight, is
 * LC_EEMPTY naming it. Deterministic and independent of threads. Returns LC_OK, LC_EEMPTY
 * or LC_ENOMEM; on failure `pop` needs no population_free. Local. */
int population_assign(const struct graph *g, const struct polygon_set *ps,
                      const struct population_table *t, const struct density_samples *d,
                      const struct group_set *groups, struct population *pop);

/* As population_assign, but each node inside a polygon has the weight w_node[i] (e.g. the
 * persons of a raster in its catchment, population_raster_weights) instead of the network
 * length and density. */
int population_assign_weighted(const struct graph *g, const struct polygon_set *ps,
                               const struct population_table *t, const double *w_node,
                               const struct group_set *groups, struct population *pop);

/* Population from a raster of persons per pixel, as the sub-pixel samples (lon, lat,
 * persons; WGS84) that analysis/prepare.py raster writes, read with population_load_density
 * (value column "persons"). Each node's catchment is its Voronoi (Thiessen) cell among the
 * nodes of its own polygon, clipped to that polygon: every sample inside polygon s goes to
 * the nearest node inside s (plane distance in a local equirectangular projection at the
 * sample's latitude; ties to the lower node index), so a node receives each pixel's persons
 * in proportion to the share of the pixel's area (sub-pixels) its catchment covers (areal
 * weighting, Goodchild & Lam 1980). Samples outside every polygon are outside the study
 * area: their persons are returned in *outside. The persons inside are rounded once, T =
 * llround(sum), and T is split over the polygons by largest remainder of their raster sums,
 * so the table `t` (allocated here; file = the samples' file, line 0) adds up exactly to T;
 * w_node[i] (n_nodes, allocated by the caller) receives node i's raster persons, which
 * population_assign_weighted then turns into integer residents, again by largest remainder.
 * A polygon that receives persons but holds no node is LC_EEMPTY naming it. Returns LC_OK,
 * LC_EEMPTY or LC_ENOMEM. Local; OpenMP threads, result independent of them. */
int population_raster_weights(const struct graph *g, const struct polygon_set *ps,
                              const struct density_samples *samples, double *w_node,
                              struct population_table *t, double *outside);

/* Frees a population. */
void population_free(struct population *pop);

/* Distributes `total` integer units over n items in proportion to the non-negative
 * weights w by the largest-remainder (Hamilton) method: each gets floor(total * w / W), and
 * the units left go one each to the largest remainders, ties to the lower index. out sums
 * exactly to total. Returns LC_OK, LC_EINVARIANT (total > 0 but W is not > 0) or LC_ENOMEM.
 * Local. */
int population_largest_remainder(int64_t total, const double *w, int64_t n, int64_t *out);

#endif
