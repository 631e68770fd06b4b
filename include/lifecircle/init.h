/* `lifecircle init`: a new area's zones from OSM boundary relations, their areas, and the
 * illustrative residents table used when no population input is given. */
#ifndef LIFECIRCLE_INIT_H
#define LIFECIRCLE_INIT_H

#include "lifecircle/geom.h"

/* Writes the zones of an OSM file as a GeoJSON FeatureCollection at `out`: one MultiPolygon
 * feature per relation tagged boundary=administrative and admin_level = `admin_level`, its
 * rings assembled from the member ways (role outer or empty: outer rings; role inner: holes,
 * each put in the outer ring that contains it), with the properties name (the tag name, else
 * name:zh, else name:en, else "relation ID"), name_zh, name_en, osm_relation and admin_level.
 * A relation whose member ways or nodes are missing from the file, or whose ways do not close
 * into rings, is skipped with a warning naming it. When the file has no boundary relation
 * at any level and `level_given` is 0, one rectangular zone around every highway=* way
 * (padded by about 50 m) is written instead, named `fallback_name`, and *fallback is set to
 * 1. *n_zones receives the features written. Errors: LC_EIO, LC_EFORMAT (the OSM reader's),
 * LC_EEMPTY (no relation at the level: the message lists the levels the file has; or no
 * network for the fallback), LC_ENOMEM. Local. */
int init_zones_from_osm(const char *osm_path, int admin_level, int level_given,
                        const char *fallback_name, const char *out, int *n_zones, int *fallback);

#endif
