/* Polygons (subdistricts) from GeoJSON and point-in-polygon tests. */
#ifndef LIFECIRCLE_GEOM_H
#define LIFECIRCLE_GEOM_H

#include <stdint.h>

/* GEOS objects of a set (geom.c), per thread. */
struct geom_index;

/* A set of named polygons. Polygon i is made of rings ring_off[i] .. ring_off[i+1]) (each
 * part's exterior ring, ring_outer[r] = 1, followed by its holes, of every feature of that
 * name, in file order); ring r has the points pt_off[r] .. pt_off[r+1]), closed (the last
 * point repeats the first). Containment is GEOS's, on the union of the parts. */
struct polygon_set {
  int n;
  char **name;               /* Value of the name property. */
  char **code;               /* Value of the "code" property, "" when absent. */
  int64_t *ring_off;         /* n + 1. */
  int64_t *pt_off;           /* rings + 1. */
  double *lon, *lat;         /* Points, degrees WGS84. */
  unsigned char *ring_outer; /* rings: 1 for an exterior ring, 0 for a hole. */
  struct geom_index *index;  /* GEOS geometries, prepared, and an STRtree. */
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
 * a missing name, a polygon GEOS finds invalid (self-intersecting ring, hole outside its
 * shell, overlapping parts of one feature...: GEOS's reason and location are in the message)
 * (LC_EFORMAT); an unreadable file (LC_EIO). Rings not in RFC 7946 orientation are accepted
 * with a warning naming the feature. Local. */
int geom_load_polygons(const char *path, const char *name_property, struct polygon_set *ps);

/* Returns 1 when (lon, lat) lies inside polygon i (GEOS prepared geometry; holes and
 * separate parts handled), else 0. A point exactly on the boundary belongs to the polygon
 * that holds the point moved 1e-9 degree east and 1e-12 degree north (the half-open rule of
 * a ray cast), so neighbours sharing an edge never both claim a point on it. Thread-safe:
 * each OpenMP thread uses GEOS objects of its own. Local. */
int geom_contains(const struct polygon_set *ps, int i, double lon, double lat);

/* Index of the first polygon (lowest index) containing the point as geom_contains, or -1;
 * candidates come from an STRtree of the polygons' envelopes. Thread-safe. Local. */
int geom_locate(const struct polygon_set *ps, double lon, double lat);

/* Index of the polygon with this name, or -1. */
int geom_find(const struct polygon_set *ps, const char *name);

/* Area of polygon i in km2 on a sphere of the mean Earth radius, holes subtracted
 * (Chamberlain & Duquette 2007; within 0.5 % of the ellipsoidal area). Local, pure. */
double geom_area_km2(const struct polygon_set *ps, int i);

#endif
