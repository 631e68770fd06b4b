/* Polygons (subdistricts) from GeoJSON and point-in-polygon tests. */
#ifndef LIFECIRCLE_GEOM_H
#define LIFECIRCLE_GEOM_H

#include <stdint.h>

/* A set of named polygons. Polygon i is made of rings ring_off[i] .. ring_off[i+1]) (outer
 * rings and holes of every part of a Polygon or MultiPolygon, all alike: containment is the
 * even-odd rule over all rings); ring r has the points pt_off[r] .. pt_off[r+1]), closed
 * (the last point repeats the first). */
struct polygon_set {
  int n;
  char **name;        /* Value of the name property. */
  char **code;        /* Value of the "code" property, "" when absent. */
  int64_t *ring_off;  /* n + 1. */
  int64_t *pt_off;    /* rings + 1. */
  double *lon, *lat;  /* Points, degrees WGS84. */
  double *bbox;       /* 4 per polygon: lon min, lat min, lon max, lat max. */
  int64_t n_rings, n_points;
  char *file;
};

/* Zeroes a set. */
void geom_init(struct polygon_set *ps);

/* Frees a set and zeroes it. */
void geom_free(struct polygon_set *ps);

/* Reads polygons from a GeoJSON FeatureCollection (or single Feature) of Polygon and
 * MultiPolygon features (holes allowed), in WGS84. Each feature's name is its property
 * `name_property` (a string or number, required); features sharing a name are merged into
 * one polygon (a subdistrict in two pieces). The optional property "code" is kept.
 * Errors name the file and the 1-based feature index: a geometry that is not a polygon, a
 * ring with fewer than 4 positions or not closed, a non-numeric or out-of-range coordinate,
 * a missing name (LC_EFORMAT); an unreadable file (LC_EIO). Local. */
int geom_load_polygons(const char *path, const char *name_property, struct polygon_set *ps);

/* Returns 1 when (lon, lat) lies inside polygon i by the even-odd rule (a crossing-number
 * ray cast towards +lon over all its rings, so holes and separate parts are handled), else 0.
 * A point exactly on an edge may fall on either side; each edge is evaluated the same way
 * whichever polygon it belongs to, so neighbours sharing an edge do not both claim a point
 * on it. Local. */
int geom_contains(const struct polygon_set *ps, int i, double lon, double lat);

/* Index of the first polygon (lowest index) containing the point, or -1. Local. */
int geom_locate(const struct polygon_set *ps, double lon, double lat);

/* Index of the polygon with this name, or -1. */
int geom_find(const struct polygon_set *ps, const char *name);

#endif
