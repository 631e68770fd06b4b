/* Facilities: the destinations of walking trips, from the graph file's POIs and from user
 * layers (GeoJSON or CSV points in WGS84, GCJ-02 or BD-09), each snapped to its nearest
 * network node. Coordinates are always stored in WGS84. */
#ifndef LIFECIRCLE_FACILITY_H
#define LIFECIRCLE_FACILITY_H

#include <stdint.h>

#include "lifecircle/categories.h"
#include "lifecircle/graph.h"
#include "lifecircle/poi.h"

/* Layer index given to facilities that come from the graph file's POIs. */
#define FACILITY_LAYER_POIS (-1)

struct facility_set {
  int64_t n, cap;
  double *lon, *lat;  /* Degrees WGS84 (converted from the layer's CRS). */
  int32_t *category;  /* Index into the category set. */
  int32_t *layer;     /* Source layer index, FACILITY_LAYER_POIS for graph POIs. */
  char **source_id;   /* "node/123", "way/45", the layer's id, or "row/7" / "feature/3". */
  char **name;        /* UTF-8, "" when none (never NULL). */
  int32_t *capacity;  /* Concurrent seats/servers (category default when not given). */
  int32_t *open_min;  /* Opening time, minutes after midnight. */
  int32_t *close_min; /* Closing time, minutes after midnight (> open_min). */
  int64_t *node;      /* Nearest network node (global index), -1 before facility_snap. */
  int64_t *snap_cm;   /* Geodesic distance to that node in cm, added to walking distance. */
  uint8_t *excluded;  /* Nonzero when farther than the snapping limit from every node. */
};

/* Zeroes a set. */
void facility_init(struct facility_set *fs);

/* Frees a set and zeroes it. */
void facility_free(struct facility_set *fs);

/* Appends one facility (strings copied; NULL name stored as ""), not yet snapped.
 * Returns LC_OK or LC_ENOMEM. Local. */
int facility_add(struct facility_set *fs, double lon, double lat, int32_t category, int32_t layer,
                 const char *source_id, const char *name, int32_t capacity, int32_t open_min,
                 int32_t close_min);

/* Appends the graph file's POIs. `poi_category_ids` are the ids the POIs' category indices
 * refer to (the graph file's /Categories/id); they are mapped by id onto `cats`, and a POI
 * category missing from `cats` is LC_EPARAM naming it. Capacity and hours are the
 * category's defaults; layer is FACILITY_LAYER_POIS; source_id is "node/ID", "way/ID" or
 * "relation/ID". Returns LC_OK, LC_EPARAM, LC_EFORMAT (a POI category index out of range) or
 * LC_ENOMEM. Local. */
int facility_from_pois(const struct poi_set *pois, char *const *poi_category_ids,
                       int n_poi_categories, const struct category_set *cats,
                       struct facility_set *fs);

/* Appends the points of a layer file: GeoJSON (a FeatureCollection of Point or MultiPoint
 * features, or a single Feature; chosen by the suffix .geojson/.json) or CSV (anything else).
 *
 * GeoJSON properties read: `category` (or the property named by `category_column`), `name`,
 * `id` (else the feature's "id" member, else "feature/N"), `capacity` (integer >= 0),
 * `open`, `close` ("HH:MM"); other properties are ignored. The N-th point of a MultiPoint
 * gets the source id suffixed "#N".
 * CSV columns (header row, names case-insensitive): longitude and latitude by the names
 * csvtab_find_coord accepts (lon/lng/longitude/x/wgs84_lon/经度, lat/latitude/y/wgs84_lat/
 * 纬度), `name`, `category`, `id` (else "row/LINE"), `capacity`,
 * `open`, `close`, and `crs` (when present, each row's value must name the same CRS as
 * `crs_name`); other columns are ignored. UTF-8 with or without byte-order mark.
 *
 * CSV may give a WKT point column `wkt`/`geometry` ("POINT (x y)") instead of lon/lat.
 *
 * `crs_name`: "wgs84", "gcj02", "bd09" or "EPSG:NNNN" (through PROJ, x = longitude or
 * easting first; see crs_epsg.h); coordinates are converted to WGS84. A GeoJSON "crs" member
 * naming another EPSG code is refused, and so are files that need GDAL (see
 * facility_check_format).
 * `category`: when not NULL, every point gets this category id; else each point's category
 * comes from the property/column `category_column` (or "category" when NULL).
 * Missing capacity/open/close take the category's defaults.
 * Errors (the message names the file and the 1-based feature index or CSV line): unknown
 * CRS (LC_EPARAM), unknown category (LC_EPARAM, with a few valid ids), missing, NaN or
 * out-of-range coordinates, a geometry that is not a point, a negative or non-integer
 * capacity, malformed open/close or close not after open (LC_EFORMAT), an unreadable file
 * (LC_EIO). On failure nothing is appended. Local. */
int facility_load_layer(const char *path, const char *crs_name, const char *category,
                        const char *category_column, const struct category_set *cats,
                        int layer_index, struct facility_set *fs);

/* Refuses, with the exact conversion command, a layer file in a format the engine reads only
 * through GDAL (GeoPackage, Shapefile, KML...; GDAL is kept out of the MPI binary, see
 * analysis/prepare.py), and a raster given as a point layer. Returns LC_OK or LC_EFORMAT. */
int facility_check_format(const char *path);

/* Geodesic distance in metres from each of n points (WGS84) to its nearest node of g, by the
 * same exact search as facility_snap. Returns LC_OK, LC_EEMPTY (graph without nodes) or
 * LC_ENOMEM. Local; OpenMP threads, result independent of them. */
int facility_nearest_m(const struct graph *g, int64_t n, const double *lon, const double *lat,
                       double *dist);

/* Parses "HH:MM" (00:00 to 24:00) into minutes after midnight. Returns LC_OK or
 * LC_EFORMAT (no message is recorded: the caller names the position). */
int facility_parse_hhmm(const char *s, int32_t *minutes);

/* Snaps every facility to its nearest graph node by geodesic distance (a uniform grid over
 * the nodes in a local equirectangular projection, then exact geodesic distances; ties go to
 * the lower node index). Sets node and snap_cm of every facility; those farther than
 * `max_snap_m` from every node are marked excluded and each is reported with log_warn
 * (name, source, distance). *n_excluded (may be NULL) receives how many were excluded.
 * Returns LC_OK, LC_EEMPTY (graph without nodes), LC_EPARAM (max_snap_m not positive) or
 * LC_ENOMEM. Local; uses OpenMP threads over facilities, result independent of them. */
int facility_snap(struct facility_set *fs, const struct graph *g, double max_snap_m,
                  int64_t *n_excluded);

#endif
