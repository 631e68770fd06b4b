/* The datum check of point layers: a layer declared in one of WGS84, GCJ-02 or BD-09 whose
 * points lie clearly closer to the network when read in another is most likely mislabelled
 * (a Chinese web map's GCJ-02 export declared as WGS84 moves every point by a few hundred
 * metres and runs silently otherwise). */
#ifndef LIFECIRCLE_FACILITY_DATUM_H
#define LIFECIRCLE_FACILITY_DATUM_H

#include <stdint.h>

#include "lifecircle/facility.h"
#include "lifecircle/graph.h"

/* The finding for one layer. */
struct datum_finding {
  int checked;        /* 0 when the rule does not apply (see facility_datum_check). */
  int declared, best; /* CRS kinds (crs.h): the declared one and the best-fitting one. */
  double median_declared_m, median_best_m; /* Median distance to the nearest node. */
  int64_t n_points;                        /* Points the medians are taken over. */
  int fires; /* 1 when best != declared fits clearly better (the rule below). */
};

/* Checks the points of layer `layer` of fs (their stored WGS84 positions, converted from
 * `crs_name`). The rule applies to layers declared "wgs84", "gcj02", "bd09" or a geographic
 * EPSG:4326/EPSG:4490 (read as WGS84) with at least 3 points inside the GCJ-02 area
 * (mainland China's box). The layer's original coordinates are read in each of WGS84, GCJ-02
 * and BD-09; for every reading the geodesic distance from each point to its nearest network
 * node is measured; points farther than max_snap_m from every node in every reading say
 * nothing and are left out (at least 3 must remain). It fires when the best other reading's
 * median distance is at most half the declared one's AND at least 20 m smaller.
 * Returns LC_OK (with *out filled), LC_EEMPTY or LC_ENOMEM. Local. */
int facility_datum_check(const struct facility_set *fs, const struct graph *g, int layer,
                         const char *crs_name, double max_snap_m, struct datum_finding *out);

#endif
