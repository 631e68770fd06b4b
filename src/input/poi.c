/* Points of interest: a growable table. */
#include "lifecircle/poi.h"

#include <stdlib.h>
#include <string.h>

#include "lifecircle/status.h"

void poi_init(struct poi_set *p) { memset(p, 0, sizeof *p); }

void poi_free(struct poi_set *p) {
  for (int64_t i = 0; i < p->n; i++)
    free(p->name[i]);
  free(p->lon);
  free(p->lat);
  free(p->osm_type);
  free(p->osm_id);
  free(p->category);
  free(p->name);
  poi_init(p);
}

#define POI_GROW(field)                                          \
  do {                                                           \
    void *q = realloc(p->field, (size_t)cap * sizeof *p->field); \
    if (!q)                                                      \
      goto nomem;                                                \
    p->field = q;                                                \
  } while (0)

int poi_add(struct poi_set *p, double lon, double lat, int osm_type, int64_t osm_id,
            int32_t category, const char *name) {
  if (p->n == p->cap) {
    int64_t cap = p->cap ? 2 * p->cap : 64;
    POI_GROW(lon);
    POI_GROW(lat);
    POI_GROW(osm_type);
    POI_GROW(osm_id);
    POI_GROW(category);
    POI_GROW(name);
    p->cap = cap;
  }
  char *copy = strdup(name ? name : "");
  if (!copy)
    goto nomem;
  p->lon[p->n] = lon;
  p->lat[p->n] = lat;
  p->osm_type[p->n] = (int8_t)osm_type;
  p->osm_id[p->n] = osm_id;
  p->category[p->n] = category;
  p->name[p->n] = copy;
  p->n++;
  return LC_OK;
nomem:
  LC_FAIL(LC_ENOMEM, "cannot grow the POI table beyond %lld entries", (long long)p->n);
}
