/* POI extraction during an OSM import: node, way and multipolygon POIs matched to
 * categories, placed at their points or centroids. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/import.h"
#include "lifecircle/status.h"

int import_poi_init(struct import_poi *ip, const struct category_set *cats) {
  memset(ip, 0, sizeof *ip);
  ip->cats = cats;
  poi_init(&ip->pois);
  int total = 0;
  for (int c = 0; c < cats->n; c++)
    for (int r = 0; r < cats->c[c].n_rules; r++)
      total += cats->c[c].rules[r].n;
  ip->keys = lc_calloc_array(total, sizeof *ip->keys);
  ip->cap_match = cats->n > 0 ? cats->n : 1;
  ip->match = malloc((size_t)ip->cap_match * sizeof *ip->match);
  if (!ip->keys || !ip->match) {
    import_poi_free(ip);
    LC_FAIL(LC_ENOMEM, "cannot allocate the POI matcher");
  }
  /* The distinct tag keys the rules mention (pointers into the category set). */
  for (int c = 0; c < cats->n; c++)
    for (int r = 0; r < cats->c[c].n_rules; r++)
      for (int k = 0; k < cats->c[c].rules[r].n; k++) {
        char *key = cats->c[c].rules[r].keys[k];
        int seen = 0;
        for (int i = 0; i < ip->n_keys && !seen; i++)
          seen = !strcmp(ip->keys[i], key);
        if (!seen)
          ip->keys[ip->n_keys++] = key;
      }
  return LC_OK;
}

void import_poi_free(struct import_poi *ip) {
  for (int64_t i = 0; i < ip->n_pending; i++)
    free(ip->pending[i].name);
  free(ip->pending);
  free(ip->keys);
  free(ip->match);
  free(ip->cat);
  free(ip->mem);
  poi_free(&ip->pois);
  memset(ip, 0, sizeof *ip);
}

/* Matches tags against the categories; *n receives the count (in ip->match). Only the tags
 * whose key some rule mentions are passed on (in their order): the others cannot take part
 * in a match, and most elements (ways with highway, name, surface, lanes, ...) carry several
 * of them, so this keeps the rule matching short. An element with none is skipped. */
static int import_poi_match(struct import_poi *ip, int n_tags, const char *const *keys,
                            const char *const *values, int *n) {
  enum { IMPORT_POI_FILTER = 64 };
  const char *fk[IMPORT_POI_FILTER], *fv[IMPORT_POI_FILTER];
  int nf = 0;
  *n = 0;
  if (ip->cats->n == 0)
    return LC_OK;
  for (int t = 0; t < n_tags; t++)
    for (int k = 0; k < ip->n_keys; k++)
      if (!strcmp(keys[t], ip->keys[k])) {
        if (nf < IMPORT_POI_FILTER) {
          fk[nf] = keys[t];
          fv[nf] = values[t];
        }
        nf++;
        break;
      }
  if (nf == 0)
    return LC_OK;
  int m = nf <= IMPORT_POI_FILTER
              ? categories_match(ip->cats, nf, fk, fv, ip->match, ip->cap_match)
              : categories_match(ip->cats, n_tags, keys, values, ip->match, ip->cap_match);
  if (m > ip->cap_match)
    LC_FAIL(LC_EINVARIANT, "categories_match returned %d matches for %d categories", m,
            ip->cap_match);
  *n = m;
  return LC_OK;
}

static const char *import_poi_name(int n_tags, const char *const *keys, const char *const *values) {
  static const char *const order[] = {"name", "name:zh", "name:en"};
  for (int o = 0; o < 3; o++)
    for (int t = 0; t < n_tags; t++)
      if (!strcmp(keys[t], order[o]) && values[t][0])
        return values[t];
  return "";
}

int import_poi_node(struct import_poi *ip, int64_t id, double lon, double lat, int n_tags,
                    const char *const *keys, const char *const *values) {
  int m;
  LC_CHECK(import_poi_match(ip, n_tags, keys, values, &m));
  const char *name = import_poi_name(n_tags, keys, values);
  for (int i = 0; i < m; i++)
    LC_CHECK(poi_add(&ip->pois, lon, lat, POI_NODE, id, ip->match[i], name));
  return LC_OK;
}

static int import_poi_grow(void **arr, int64_t *cap, int64_t need, size_t size) {
  if (need <= *cap)
    return LC_OK;
  int64_t c = *cap ? *cap : 64;
  while (c < need)
    c *= 2;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p)
    LC_FAIL(LC_ENOMEM, "cannot grow the pending POI table to %lld entries", (long long)c);
  *arr = p;
  *cap = c;
  return LC_OK;
}

/* Remembers a way or relation with its matched categories and outer members. */
static int import_poi_pend(struct import_poi *ip, int osm_type, int64_t id, int m, const char *name,
                           int n_mem, const int64_t *mem) {
  LC_CHECK(import_poi_grow((void **)&ip->pending, &ip->cap_pending, ip->n_pending + 1,
                           sizeof *ip->pending));
  LC_CHECK(import_poi_grow((void **)&ip->cat, &ip->cap_cat, ip->n_cat + m, sizeof *ip->cat));
  LC_CHECK(import_poi_grow((void **)&ip->mem, &ip->cap_mem, ip->n_mem + n_mem, sizeof *ip->mem));
  struct import_poi_pending *p = &ip->pending[ip->n_pending];
  p->name = strdup(name);
  if (!p->name)
    LC_FAIL(LC_ENOMEM, "cannot copy a POI name");
  p->osm_type = (int8_t)osm_type;
  p->id = id;
  p->cat_off = ip->n_cat;
  p->n_cat = m;
  memcpy(ip->cat + ip->n_cat, ip->match, (size_t)m * sizeof *ip->cat);
  ip->n_cat += m;
  p->mem_off = ip->n_mem;
  p->n_mem = n_mem;
  for (int i = 0; i < n_mem; i++)
    ip->mem[ip->n_mem + i] = mem[i];
  ip->n_mem += n_mem;
  ip->n_pending++;
  return LC_OK;
}

int import_poi_way(struct import_poi *ip, int64_t id, int n_tags, const char *const *keys,
                   const char *const *values) {
  int m;
  LC_CHECK(import_poi_match(ip, n_tags, keys, values, &m));
  if (m == 0)
    return LC_OK;
  return import_poi_pend(ip, POI_WAY, id, m, import_poi_name(n_tags, keys, values), 0, NULL);
}

int import_poi_relation(struct import_poi *ip, int64_t id, int n_tags, const char *const *keys,
                        const char *const *values, int n_members, const int *member_type,
                        const int64_t *member_id, const char *const *member_role) {
  int is_mp = 0;
  for (int t = 0; t < n_tags; t++)
    if (!strcmp(keys[t], "type") && !strcmp(values[t], "multipolygon"))
      is_mp = 1;
  if (!is_mp)
    return LC_OK;
  int m;
  LC_CHECK(import_poi_match(ip, n_tags, keys, values, &m));
  if (m == 0)
    return LC_OK;
  /* Keep the outer (or role-less) way members, compacted in place of a scratch copy. */
  int64_t *outer = lc_malloc_array(n_members, sizeof *outer);
  if (!outer)
    LC_FAIL(LC_ENOMEM, "cannot allocate the members of relation %lld", (long long)id);
  int n_outer = 0;
  for (int i = 0; i < n_members; i++)
    if (member_type[i] == OSM_MEMBER_WAY &&
        (!strcmp(member_role[i], "outer") || !member_role[i][0]))
      outer[n_outer++] = member_id[i];
  int rc = import_poi_pend(ip, POI_RELATION, id, m, import_poi_name(n_tags, keys, values), n_outer,
                           outer);
  free(outer);
  return rc;
}

/* Position of a way: the area centroid of a closed ring (shoelace formula in a local
 * equirectangular frame centred on the first vertex, x scaled by cos(latitude)), or the mean
 * of the vertices of an open way (or of a ring of zero area). Returns 0 when a node is
 * missing. */
static int import_poi_way_centroid(const struct osm_store *st, int64_t w, double *lon,
                                   double *lat) {
  int32_t n = st->way_len[w];
  /* A way without nodes may be the only way read: the node reference array is then NULL. */
  if (n == 0)
    return 0;
  const int64_t *ref = st->ref + st->way_off[w];
  int closed = n >= 4 && ref[0] == ref[n - 1];
  int count = closed ? n - 1 : n;
  int64_t k0 = osm_node_find(st, ref[0]);
  if (k0 < 0)
    return 0;
  double lon0 = osm_deg(st->node[k0].lon7), lat0 = osm_deg(st->node[k0].lat7);
  double cx = cos(lat0 * 3.14159265358979323846 / 180.0);
  double sx = 0, sy = 0, a2 = 0, ax = 0, ay = 0, px = 0, py = 0;
  for (int i = 0; i < n; i++) {
    int64_t k = osm_node_find(st, ref[i]);
    if (k < 0)
      return 0;
    double x = (osm_deg(st->node[k].lon7) - lon0) * cx, y = osm_deg(st->node[k].lat7) - lat0;
    if (i < count) {
      sx += x;
      sy += y;
    }
    if (closed && i > 0) {
      double cr = px * y - x * py;
      a2 += cr;
      ax += (px + x) * cr;
      ay += (py + y) * cr;
    }
    px = x;
    py = y;
  }
  double mx = sx / count, my = sy / count;
  if (closed && fabs(a2) > 1e-18) {
    mx = ax / (3.0 * a2);
    my = ay / (3.0 * a2);
  }
  *lon = lon0 + mx / cx;
  *lat = lat0 + my;
  return 1;
}

static int import_poi_id_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Position of a multipolygon: the mean of the distinct nodes of its outer member ways.
 * Returns 0 when a member way or node is missing, 1 when placed, -1 on allocation failure. */
static int import_poi_rel_centroid(const struct osm_store *st, const int64_t *mem, int n_mem,
                                   double *lon, double *lat) {
  if (n_mem == 0)
    return 0;
  int64_t total = 0;
  for (int i = 0; i < n_mem; i++) {
    int64_t w = osm_way_find(st, mem[i]);
    if (w < 0)
      return 0;
    total += st->way_len[w];
  }
  if (total == 0)
    return 0;
  int64_t *ids = malloc((size_t)total * sizeof *ids);
  if (!ids)
    return -1;
  int64_t n = 0;
  for (int i = 0; i < n_mem; i++) {
    int64_t w = osm_way_find(st, mem[i]);
    for (int32_t j = 0; j < st->way_len[w]; j++)
      ids[n++] = st->ref[st->way_off[w] + j];
  }
  qsort(ids, (size_t)n, sizeof *ids, import_poi_id_cmp);
  double sx = 0, sy = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) {
    if (i > 0 && ids[i] == ids[i - 1])
      continue;
    int64_t k = osm_node_find(st, ids[i]);
    if (k < 0) {
      free(ids);
      return 0;
    }
    sx += osm_deg(st->node[k].lon7);
    sy += osm_deg(st->node[k].lat7);
    count++;
  }
  free(ids);
  *lon = sx / (double)count;
  *lat = sy / (double)count;
  return 1;
}

/* Sort order of the final table: (type, id, category, then insertion). */
struct import_poi_key {
  int8_t type;
  int64_t id;
  int32_t cat;
  int64_t row;
};

static int import_poi_key_cmp(const void *a, const void *b) {
  const struct import_poi_key *x = a, *y = b;
  if (x->type != y->type)
    return x->type < y->type ? -1 : 1;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  if (x->cat != y->cat)
    return x->cat < y->cat ? -1 : 1;
  return (x->row > y->row) - (x->row < y->row);
}

/* Pending elements by (type, id, order of arrival). */
static int import_poi_pending_cmp(const void *a, const void *b) {
  const struct import_poi_pending *x = a, *y = b;
  if (x->osm_type != y->osm_type)
    return x->osm_type < y->osm_type ? -1 : 1;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return (x->cat_off > y->cat_off) - (x->cat_off < y->cat_off);
}

int import_poi_place(struct import_poi *ip, const struct osm_store *st, struct poi_set *out,
                     int64_t *unplaced) {
  *unplaced = 0;
  struct poi_set *p = &ip->pois;
  if (ip->n_pending > 1) /* qsort's array may not be NULL, even when empty. */
    qsort(ip->pending, (size_t)ip->n_pending, sizeof *ip->pending, import_poi_pending_cmp);
  for (int64_t i = 0; i < ip->n_pending; i++) {
    const struct import_poi_pending *q = &ip->pending[i];
    if (i > 0 && q->osm_type == q[-1].osm_type && q->id == q[-1].id)
      continue; /* The same element from another input: the first copy stays. */
    double lon = 0, lat = 0;
    int ok;
    if (q->osm_type == POI_WAY) {
      int64_t w = osm_way_find(st, q->id);
      ok = w >= 0 && import_poi_way_centroid(st, w, &lon, &lat);
    } else {
      /* A relation without members has no member array at all (mem may be NULL). */
      const int64_t *mem = q->n_mem > 0 ? ip->mem + q->mem_off : NULL;
      ok = import_poi_rel_centroid(st, mem, q->n_mem, &lon, &lat);
      if (ok < 0)
        LC_FAIL(LC_ENOMEM, "cannot place relation %lld", (long long)q->id);
    }
    if (!ok) {
      (*unplaced)++;
      continue;
    }
    for (int32_t c = 0; c < q->n_cat; c++)
      LC_CHECK(poi_add(p, lon, lat, q->osm_type, q->id, ip->cat[q->cat_off + c], q->name));
  }
  /* Sort, drop duplicates (an element read from two inputs; the first copy stays), and move
   * the rows into `out`. */
  struct import_poi_key *k = lc_malloc_array(p->n, sizeof *k);
  if (!k)
    LC_FAIL(LC_ENOMEM, "cannot sort %lld POIs", (long long)p->n);
  for (int64_t i = 0; i < p->n; i++)
    k[i] = (struct import_poi_key){p->osm_type[i], p->osm_id[i], p->category[i], i};
  qsort(k, (size_t)p->n, sizeof *k, import_poi_key_cmp);
  for (int64_t i = 0; i < p->n; i++) {
    if (i > 0 && k[i].type == k[i - 1].type && k[i].id == k[i - 1].id && k[i].cat == k[i - 1].cat)
      continue;
    int64_t r = k[i].row;
    int rc = poi_add(out, p->lon[r], p->lat[r], p->osm_type[r], p->osm_id[r], p->category[r],
                     p->name[r]);
    if (rc != LC_OK) {
      free(k);
      return rc;
    }
  }
  free(k);
  return LC_OK;
}
