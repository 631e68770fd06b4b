/* Points of interest: facilities found in OSM data (or other layers), each with a category. */
#ifndef LIFECIRCLE_POI_H
#define LIFECIRCLE_POI_H

#include <stdint.h>

enum poi_osm_type { POI_NODE = 0, POI_WAY = 1, POI_RELATION = 2, POI_OTHER = 3 };

struct poi_set {
  int64_t n, cap;
  double *lon, *lat;
  int8_t *osm_type; /* enum poi_osm_type. */
  int64_t *osm_id;
  int32_t *category; /* Index into the category set. */
  char **name;       /* UTF-8 name, "" when none (never NULL). */
};

/* Zeroes a set. */
void poi_init(struct poi_set *p);

/* Frees a set. */
void poi_free(struct poi_set *p);

/* Appends one POI (the name is copied; NULL is stored as ""). Returns LC_OK or LC_ENOMEM. */
int poi_add(struct poi_set *p, double lon, double lat, int osm_type, int64_t osm_id,
            int32_t category, const char *name);

#endif
