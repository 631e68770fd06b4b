/* Zones of a new area from OSM administrative boundaries: relations at one admin level,
 * their member ways joined into closed rings (outer rings and holes), written as GeoJSON. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/init.h"
#include "lifecircle/log.h"
#include "lifecircle/osm.h"
#include "lifecircle/status.h"

/* A boundary relation at the wanted level, as read. */
struct zones_rel {
  int64_t id;
  char *name, *name_zh, *name_en;
  int n_mem;
  int64_t *way;   /* Member way ids (outer and inner only). */
  uint8_t *inner; /* 1 for role inner. */
};

struct zones_reader {
  int level;
  uint32_t levels_seen; /* Bit l: a boundary relation at admin_level l (0..31). */
  int n_rel, cap_rel;
  struct zones_rel *rel;
  int status;
};

static void zones_rel_free(struct zones_rel *r) {
  free(r->name);
  free(r->name_zh);
  free(r->name_en);
  free(r->way);
  free(r->inner);
}

static const char *zones_tag(int n, const char *const *k, const char *const *v, const char *key) {
  for (int i = 0; i < n; i++)
    if (!strcmp(k[i], key))
      return v[i];
  return NULL;
}

static int zones_way_hook(void *arg, int64_t id, int n_tags, const char *const *keys,
                          const char *const *values, int32_t *cls) {
  (void)arg;
  (void)id;
  *cls = zones_tag(n_tags, keys, values, "highway") ? 1 : -1;
  return LC_OK;
}

static int zones_relation_hook(void *arg, int64_t id, int n_tags, const char *const *keys,
                               const char *const *values, int n_members, const int *type,
                               const int64_t *member, const char *const *role) {
  struct zones_reader *rd = arg;
  const char *b = zones_tag(n_tags, keys, values, "boundary");
  const char *lv = zones_tag(n_tags, keys, values, "admin_level");
  if (!b || strcmp(b, "administrative") || !lv)
    return LC_OK;
  char *end;
  long level = strtol(lv, &end, 10);
  if (end == lv || *end || level < 0 || level > 31)
    return LC_OK;
  rd->levels_seen |= 1u << level;
  if (level != rd->level)
    return LC_OK;
  if (rd->n_rel == rd->cap_rel) {
    int cap = rd->cap_rel ? 2 * rd->cap_rel : 16;
    struct zones_rel *r = realloc(rd->rel, (size_t)cap * sizeof *r);
    if (!r)
      return LC_ENOMEM;
    rd->rel = r;
    rd->cap_rel = cap;
  }
  struct zones_rel *r = &rd->rel[rd->n_rel];
  memset(r, 0, sizeof *r);
  r->id = id;
  const char *names[3] = {zones_tag(n_tags, keys, values, "name"),
                          zones_tag(n_tags, keys, values, "name:zh"),
                          zones_tag(n_tags, keys, values, "name:en")};
  char **dst[3] = {&r->name, &r->name_zh, &r->name_en};
  r->way = lc_malloc_array(n_members, sizeof *r->way);
  r->inner = lc_malloc_array(n_members, 1);
  rd->n_rel++; /* Counted now so that a failure below frees what it holds. */
  if (!r->way || !r->inner)
    return LC_ENOMEM;
  for (int i = 0; i < 3; i++)
    if (names[i] && names[i][0] && !(*dst[i] = strdup(names[i])))
      return LC_ENOMEM;
  for (int m = 0; m < n_members; m++) {
    if (type[m] != OSM_MEMBER_WAY)
      continue;
    const char *ro = role[m] ? role[m] : "";
    int inner = !strcmp(ro, "inner");
    if (!inner && strcmp(ro, "outer") && ro[0])
      continue; /* subarea, admin_centre, label... are not part of the area. */
    r->way[r->n_mem] = member[m];
    r->inner[r->n_mem++] = (uint8_t)inner;
  }
  return LC_OK;
}

/* One ring being built: node ids. */
struct zones_ring {
  int64_t n, cap;
  int64_t *node;
  int inner;
};

static int zones_ring_push(struct zones_ring *r, int64_t id) {
  if (r->n == r->cap) {
    int64_t cap = r->cap ? 2 * r->cap : 64;
    int64_t *p = realloc(r->node, (size_t)cap * sizeof *p);
    if (!p)
      return LC_ENOMEM;
    r->node = p;
    r->cap = cap;
  }
  r->node[r->n++] = id;
  return LC_OK;
}

/* Joins the member ways of one role into closed rings. Returns LC_OK, LC_ENOMEM, or
 * LC_EEMPTY with *why set when a way is missing or the ways do not close. */
static int zones_assemble(const struct osm_store *st, const struct zones_rel *r, int inner,
                          struct zones_ring **rings, int *n_rings, const char **why) {
  int n = 0;
  for (int m = 0; m < r->n_mem; m++)
    n += r->inner[m] == inner;
  int64_t *w = lc_malloc_array(n, sizeof *w);
  uint8_t *used = lc_calloc_array(n, 1);
  if (!w || !used) {
    free(w);
    free(used);
    return LC_ENOMEM;
  }
  int k = 0, st_rc = LC_OK;
  for (int m = 0; m < r->n_mem && st_rc == LC_OK; m++) {
    if (r->inner[m] != inner)
      continue;
    w[k] = osm_way_find(st, r->way[m]);
    if (w[k] < 0 || st->way_len[w[k]] < 2) {
      *why = "a member way is missing from the file";
      st_rc = LC_EEMPTY;
    }
    k++;
  }
  for (int start = 0; start < n && st_rc == LC_OK; start++) {
    if (used[start])
      continue;
    used[start] = 1;
    struct zones_ring ring = {0, 0, NULL, inner};
    const int64_t *ref = st->ref + st->way_off[w[start]];
    for (int32_t j = 0; j < st->way_len[w[start]] && st_rc == LC_OK; j++)
      st_rc = zones_ring_push(&ring, ref[j]);
    while (st_rc == LC_OK && ring.node[0] != ring.node[ring.n - 1]) {
      int64_t end = ring.node[ring.n - 1];
      int found = -1, reversed = 0;
      for (int j = 0; j < n && found < 0; j++) {
        if (used[j])
          continue;
        const int64_t *rj = st->ref + st->way_off[w[j]];
        int32_t len = st->way_len[w[j]];
        if (rj[0] == end)
          found = j;
        else if (rj[len - 1] == end)
          found = j, reversed = 1;
      }
      if (found < 0) {
        *why = "its ways do not close into rings (an extract that cuts the boundary?)";
        st_rc = LC_EEMPTY;
        break;
      }
      used[found] = 1;
      const int64_t *rj = st->ref + st->way_off[w[found]];
      int32_t len = st->way_len[w[found]];
      for (int32_t j = 1; j < len && st_rc == LC_OK; j++)
        st_rc = zones_ring_push(&ring, reversed ? rj[len - 1 - j] : rj[j]);
    }
    if (st_rc == LC_OK && ring.n < 4) {
      *why = "a ring has fewer than 3 distinct nodes";
      st_rc = LC_EEMPTY;
    }
    if (st_rc == LC_OK) {
      struct zones_ring *p = realloc(*rings, (size_t)(*n_rings + 1) * sizeof *p);
      if (!p) {
        st_rc = LC_ENOMEM;
      } else {
        *rings = p;
        p[(*n_rings)++] = ring;
        ring.node = NULL;
      }
    }
    free(ring.node);
  }
  free(w);
  free(used);
  return st_rc;
}

/* Ring r's coordinates as a GeoJSON position array, in the orientation RFC 7946 asks for
 * (outer rings counter-clockwise, holes clockwise). Returns NULL with *why on a missing node. */
static json_t *zones_ring_json(const struct osm_store *st, const struct zones_ring *r,
                               int *missing) {
  double *x = malloc((size_t)r->n * sizeof *x), *y = malloc((size_t)r->n * sizeof *y);
  json_t *arr = json_array();
  if (!x || !y || !arr) {
    free(x);
    free(y);
    json_decref(arr);
    return NULL;
  }
  double area2 = 0;
  for (int64_t i = 0; i < r->n && !*missing; i++) {
    int64_t k = osm_node_find(st, r->node[i]);
    if (k < 0) {
      *missing = 1;
      break;
    }
    x[i] = osm_deg(st->node[k].lon7);
    y[i] = osm_deg(st->node[k].lat7);
    if (i)
      area2 += x[i - 1] * y[i] - x[i] * y[i - 1];
  }
  int reverse = !*missing && ((area2 > 0) == r->inner);
  for (int64_t i = 0; i < r->n && !*missing; i++) {
    int64_t j = reverse ? r->n - 1 - i : i;
    json_t *pt = json_array();
    json_array_append_new(pt, json_real(x[j]));
    json_array_append_new(pt, json_real(y[j]));
    json_array_append_new(arr, pt);
  }
  free(x);
  free(y);
  if (*missing) {
    json_decref(arr);
    return NULL;
  }
  return arr;
}

/* Crossing-number test of a point against a GeoJSON ring. */
static int zones_in_ring(json_t *ring, double px, double py) {
  int in = 0;
  size_t n = json_array_size(ring);
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    double xi = json_real_value(json_array_get(json_array_get(ring, i), 0));
    double yi = json_real_value(json_array_get(json_array_get(ring, i), 1));
    double xj = json_real_value(json_array_get(json_array_get(ring, j), 0));
    double yj = json_real_value(json_array_get(json_array_get(ring, j), 1));
    if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi)
      in = !in;
  }
  return in;
}

/* The feature of one relation, or NULL with *why (skipped) or *nomem. */
static json_t *zones_feature(const struct osm_store *st, const struct zones_rel *r, int level,
                             const char **why, int *nomem) {
  struct zones_ring *rings = NULL;
  int n_rings = 0, n_outer = 0;
  json_t *feature = NULL;
  int rc = zones_assemble(st, r, 0, &rings, &n_rings, why);
  n_outer = n_rings;
  if (rc == LC_OK)
    rc = zones_assemble(st, r, 1, &rings, &n_rings, why);
  if (rc == LC_OK && n_outer == 0) {
    *why = "it has no outer ring";
    rc = LC_EEMPTY;
  }
  json_t *polys = rc == LC_OK ? json_array() : NULL;
  for (int i = 0; i < n_rings && rc == LC_OK; i++) {
    int missing = 0;
    json_t *ring = zones_ring_json(st, &rings[i], &missing);
    if (!ring) {
      if (missing)
        *why = "a node of its ways is missing from the file";
      rc = missing ? LC_EEMPTY : LC_ENOMEM;
      break;
    }
    if (i < n_outer) {
      json_t *poly = json_array();
      json_array_append_new(poly, ring);
      json_array_append_new(polys, poly);
      continue;
    }
    /* A hole goes into the first outer ring that contains its first vertex. */
    double px = json_real_value(json_array_get(json_array_get(ring, 0), 0));
    double py = json_real_value(json_array_get(json_array_get(ring, 0), 1));
    size_t host = SIZE_MAX;
    for (size_t p = 0; p < json_array_size(polys) && host == SIZE_MAX; p++)
      if (zones_in_ring(json_array_get(json_array_get(polys, p), 0), px, py))
        host = p;
    if (host == SIZE_MAX) {
      json_decref(ring);
      *why = "an inner ring lies outside every outer ring";
      rc = LC_EEMPTY;
      break;
    }
    json_array_append_new(json_array_get(polys, host), ring);
  }
  if (rc == LC_OK) {
    char fallback[48];
    snprintf(fallback, sizeof fallback, "relation %lld", (long long)r->id);
    const char *name = r->name      ? r->name
                       : r->name_zh ? r->name_zh
                       : r->name_en ? r->name_en
                                    : fallback;
    json_t *props = json_object();
    json_object_set_new(props, "name", json_string(name));
    if (r->name_zh)
      json_object_set_new(props, "name_zh", json_string(r->name_zh));
    if (r->name_en)
      json_object_set_new(props, "name_en", json_string(r->name_en));
    json_object_set_new(props, "osm_relation", json_integer(r->id));
    json_object_set_new(props, "admin_level", json_integer(level));
    json_t *geom = json_object();
    json_object_set_new(geom, "type", json_string("MultiPolygon"));
    json_object_set_new(geom, "coordinates", polys);
    polys = NULL;
    feature = json_object();
    json_object_set_new(feature, "type", json_string("Feature"));
    json_object_set_new(feature, "properties", props);
    json_object_set_new(feature, "geometry", geom);
  }
  json_decref(polys);
  for (int i = 0; i < n_rings; i++)
    free(rings[i].node);
  free(rings);
  *nomem = rc == LC_ENOMEM;
  return feature;
}

/* A rectangle around every node of the highway ways, padded by 0.0005 degree. */
static json_t *zones_fallback(const struct osm_store *st, const char *name) {
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (int64_t w = 0; w < st->n_way; w++) {
    if (st->way_cls[w] < 0)
      continue;
    for (int32_t j = 0; j < st->way_len[w]; j++) {
      int64_t k = osm_node_find(st, st->ref[st->way_off[w] + j]);
      if (k < 0)
        continue;
      double x = osm_deg(st->node[k].lon7), y = osm_deg(st->node[k].lat7);
      x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
    }
  }
  if (!(x0 <= x1))
    return NULL;
  const double pad = 0.0005;
  double xs[5] = {x0 - pad, x1 + pad, x1 + pad, x0 - pad, x0 - pad};
  double ys[5] = {y0 - pad, y0 - pad, y1 + pad, y1 + pad, y0 - pad};
  json_t *ring = json_array();
  for (int i = 0; i < 5; i++) {
    json_t *pt = json_array();
    json_array_append_new(pt, json_real(round(xs[i] * 1e7) / 1e7));
    json_array_append_new(pt, json_real(round(ys[i] * 1e7) / 1e7));
    json_array_append_new(ring, pt);
  }
  json_t *poly = json_array(), *polys = json_array();
  json_array_append_new(poly, ring);
  json_array_append_new(polys, poly);
  json_t *props = json_object();
  json_object_set_new(props, "name", json_string(name));
  json_object_set_new(props, "note",
                      json_string("no boundary relation in the OSM input: one "
                                  "zone around the whole walking network"));
  json_t *geom = json_object();
  json_object_set_new(geom, "type", json_string("MultiPolygon"));
  json_object_set_new(geom, "coordinates", polys);
  json_t *f = json_object();
  json_object_set_new(f, "type", json_string("Feature"));
  json_object_set_new(f, "properties", props);
  json_object_set_new(f, "geometry", geom);
  return f;
}

int init_zones_from_osm(const char *osm_path, int admin_level, int level_given,
                        const char *fallback_name, const char *out, int *n_zones, int *fallback) {
  struct osm_store st;
  struct zones_reader rd;
  memset(&rd, 0, sizeof rd);
  rd.level = admin_level;
  *n_zones = 0;
  *fallback = 0;
  osm_store_init(&st);
  struct osm_hooks hooks = {&rd, NULL, zones_way_hook, zones_relation_hook};
  struct osm_counts counts;
  json_t *root = NULL, *features = NULL;
  int rc = osm_read(osm_path, &st, &hooks, &counts);
  if (rc == LC_OK)
    rc = osm_store_finish(&st);
  if (rc != LC_OK)
    goto done;
  root = json_object();
  features = json_array();
  if (!root || !features) {
    rc = LC_ENOMEM;
    goto done;
  }
  json_object_set_new(root, "type", json_string("FeatureCollection"));
  json_object_set_new(root, "features", features);
  if (rd.n_rel == 0 && (level_given || rd.levels_seen)) {
    char levels[160] = "";
    for (int l = 0; l < 32; l++)
      if (rd.levels_seen & (1u << l))
        snprintf(levels + strlen(levels), sizeof levels - strlen(levels), "%s%d",
                 levels[0] ? ", " : "", l);
    rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                      "%s: no boundary=administrative relation at admin_level %d (%s); give "
                      "--admin-level with one of those levels, or --zones with your own "
                      "polygons",
                      osm_path, admin_level,
                      levels[0] ? levels : "the file has no administrative boundary at all");
    goto done;
  }
  if (rd.n_rel == 0) {
    json_t *f = zones_fallback(&st, fallback_name);
    if (!f) {
      rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                        "%s: no boundary relation and no highway=* way: nothing to make a zone "
                        "around",
                        osm_path);
      goto done;
    }
    json_array_append_new(features, f);
    *fallback = 1;
    log_warn("%s: no boundary=administrative relation: one zone '%s' around the whole walking "
             "network",
             osm_path, fallback_name);
  }
  for (int i = 0; i < rd.n_rel; i++) {
    const char *why = "";
    int nomem = 0;
    json_t *f = zones_feature(&st, &rd.rel[i], admin_level, &why, &nomem);
    if (nomem) {
      rc = LC_ENOMEM;
      goto done;
    }
    if (!f) {
      log_warn("%s: boundary relation %lld (%s) skipped: %s", osm_path, (long long)rd.rel[i].id,
               rd.rel[i].name ? rd.rel[i].name : "no name", why);
      continue;
    }
    json_array_append_new(features, f);
  }
  if (json_array_size(features) == 0) {
    rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                      "%s: none of the %d boundary relations at admin_level %d is complete in "
                      "the file (see the warnings); use an extract that contains the whole "
                      "boundaries, or --zones",
                      osm_path, rd.n_rel, admin_level);
    goto done;
  }
  if (json_dump_file(root, out, JSON_INDENT(1) | JSON_REAL_PRECISION(12)) != 0) {
    rc = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: cannot write the zones", out);
    goto done;
  }
  *n_zones = (int)json_array_size(features);
done:
  json_decref(root);
  for (int i = 0; i < rd.n_rel; i++)
    zones_rel_free(&rd.rel[i]);
  free(rd.rel);
  osm_store_free(&st);
  return rc;
}
