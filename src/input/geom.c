/* Polygons from GeoJSON (features and properties read with jansson), checked and tested
 * with GEOS (its reentrant C API): validity, prepared geometries and an STRtree. */
#include "lifecircle/geom.h"

#include <errno.h>
#include <geos_c.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crs_epsg.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* GEOS objects of one thread: a GEOS context is not to be shared between threads, nor are
 * prepared geometries (they build their indexes lazily), so every OpenMP thread that
 * locates points builds its own from the set's rings, on first use. */
struct geom_state {
  GEOSContextHandle_t ctx;
  GEOSGeometry **poly; /* One per named polygon: the union of its parts. */
  const GEOSPreparedGeometry **prep;
  GEOSSTRtree *tree; /* Items: pointers into idx. */
  int *idx;
  int n;
};

struct geom_index {
  int n_states;
  struct geom_state **state; /* By omp_get_thread_num(); built on first use. */
};

/* A GEOS context without message handlers: failures come back as return values (NULL, 2)
 * and are reported by the caller with the feature they concern. */
static GEOSContextHandle_t geom_context(void) { return GEOS_init_r(); }

/* A GEOS linear ring from points [first, last) of lon/lat. */
static GEOSGeometry *geom_ring(GEOSContextHandle_t ctx, const double *lon, const double *lat,
                               int64_t first, int64_t last) {
  GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(ctx, lon + first, lat + first, NULL, NULL,
                                                        (unsigned)(last - first));
  return cs ? GEOSGeom_createLinearRing_r(ctx, cs) : NULL;
}

/* The geometry of rings [r0, r1) (ring r has points pt_off[r] .. pt_off[r+1]); `outer`
 * marks each ring that starts a polygon (its holes follow it): a Polygon, or with several
 * their MultiPolygon as given (`merge` 0, for the validity check of one feature) or their
 * union (`merge` 1: the parts of several features of one name may touch or overlap). NULL
 * when GEOS fails. */
static GEOSGeometry *geom_build(GEOSContextHandle_t ctx, const double *lon, const double *lat,
                                const int64_t *pt_off, const unsigned char *outer, int64_t r0,
                                int64_t r1, int merge) {
  int64_t n_parts = 0;
  for (int64_t r = r0; r < r1; r++)
    n_parts += outer[r] != 0;
  GEOSGeometry **parts = calloc((size_t)n_parts + 1, sizeof *parts);
  GEOSGeometry **holes = calloc((size_t)(r1 - r0) + 1, sizeof *holes);
  GEOSGeometry *out = NULL;
  int64_t np = 0, ok = parts && holes;
  for (int64_t r = r0; ok && r < r1;) {
    GEOSGeometry *shell = geom_ring(ctx, lon, lat, pt_off[r], pt_off[r + 1]);
    unsigned nh = 0;
    for (r++; r < r1 && !outer[r]; r++) {
      holes[nh] = geom_ring(ctx, lon, lat, pt_off[r], pt_off[r + 1]);
      ok = ok && holes[nh];
      nh++;
    }
    if (!shell || !ok) {
      ok = 0;
      if (shell)
        GEOSGeom_destroy_r(ctx, shell);
      for (unsigned h = 0; h < nh; h++)
        if (holes[h])
          GEOSGeom_destroy_r(ctx, holes[h]);
      break;
    }
    parts[np] = GEOSGeom_createPolygon_r(ctx, shell, holes, nh);
    ok = parts[np++] != NULL;
  }
  if (ok && np == 1) {
    out = parts[0];
    np = 0;
  } else if (ok && np > 1) {
    GEOSGeometry *multi = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, (unsigned)np);
    if (multi) {
      np = 0; /* Owned by the collection now. */
      out = merge ? GEOSUnaryUnion_r(ctx, multi) : multi;
      if (merge)
        GEOSGeom_destroy_r(ctx, multi);
    }
  }
  for (int64_t k = 0; k < np; k++)
    if (parts[k])
      GEOSGeom_destroy_r(ctx, parts[k]);
  free(parts);
  free(holes);
  return out;
}

static void geom_state_free(struct geom_state *st) {
  if (!st)
    return;
  if (st->ctx) {
    if (st->tree)
      GEOSSTRtree_destroy_r(st->ctx, st->tree);
    for (int i = 0; i < st->n; i++) {
      if (st->prep && st->prep[i])
        GEOSPreparedGeom_destroy_r(st->ctx, st->prep[i]);
      if (st->poly && st->poly[i])
        GEOSGeom_destroy_r(st->ctx, st->poly[i]);
    }
    GEOS_finish_r(st->ctx);
  }
  free(st->poly);
  free(st->prep);
  free(st->idx);
  free(st);
}

/* A thread's GEOS objects for the whole set, or NULL when out of memory. */
static struct geom_state *geom_state_build(const struct polygon_set *ps) {
  struct geom_state *st = calloc(1, sizeof *st);
  if (!st)
    return NULL;
  st->ctx = geom_context();
  st->poly = calloc((size_t)ps->n + 1, sizeof *st->poly);
  st->prep = calloc((size_t)ps->n + 1, sizeof *st->prep);
  st->idx = calloc((size_t)ps->n + 1, sizeof *st->idx);
  if (!st->ctx || !st->poly || !st->prep || !st->idx) {
    geom_state_free(st);
    return NULL;
  }
  st->n = ps->n;
  st->tree = GEOSSTRtree_create_r(st->ctx, 10);
  if (!st->tree) {
    geom_state_free(st);
    return NULL;
  }
  for (int i = 0; i < ps->n; i++) {
    st->idx[i] = i;
    st->poly[i] = geom_build(st->ctx, ps->lon, ps->lat, ps->pt_off, ps->ring_outer, ps->ring_off[i],
                             ps->ring_off[i + 1], 1);
    st->prep[i] = st->poly[i] ? GEOSPrepare_r(st->ctx, st->poly[i]) : NULL;
    if (!st->prep[i]) {
      geom_state_free(st);
      return NULL;
    }
    GEOSSTRtree_insert_r(st->ctx, st->tree, st->poly[i], &st->idx[i]);
  }
  return st;
}

/* The calling thread's GEOS objects, built on its first call. A thread number beyond the
 * slots counted at loading (a later, larger team) gets objects of its own for this call
 * only (*temp set: the caller frees them). */
static struct geom_state *geom_state_get(const struct polygon_set *ps, int *temp) {
  int t = omp_get_thread_num();
  *temp = 0;
  if (t < ps->index->n_states) {
    if (!ps->index->state[t])
      ps->index->state[t] = geom_state_build(ps);
    return ps->index->state[t];
  }
  *temp = 1;
  return geom_state_build(ps);
}

void geom_init(struct polygon_set *ps) { memset(ps, 0, sizeof *ps); }

void geom_free(struct polygon_set *ps) {
  if (!ps)
    return;
  for (int i = 0; i < ps->n; i++) {
    free(ps->name ? ps->name[i] : NULL);
    free(ps->code ? ps->code[i] : NULL);
  }
  free(ps->name);
  free(ps->code);
  free(ps->ring_off);
  free(ps->pt_off);
  free(ps->lon);
  free(ps->lat);
  free(ps->ring_outer);
  free(ps->file);
  if (ps->index) {
    for (int t = 0; t < ps->index->n_states; t++)
      geom_state_free(ps->index->state[t]);
    free(ps->index->state);
    free(ps->index);
  }
  memset(ps, 0, sizeof *ps);
}

int geom_find(const struct polygon_set *ps, const char *name) {
  for (int i = 0; i < ps->n; i++)
    if (strcmp(ps->name[i], name) == 0)
      return i;
  return -1;
}

/* Rings collected while reading, tagged with the polygon they belong to; sorted into the
 * set's layout at the end. */
struct ring_tmp {
  int poly;
  int64_t first; /* Offset in the point arrays. */
  int64_t n;
  int outer; /* The first ring of a GeoJSON polygon (its holes follow it). */
};

struct reader {
  const char *path;
  struct ring_tmp *rings;
  int64_t n_rings, cap_rings;
  double *lon, *lat;
  int64_t n_pts, cap_pts;
  char **name, **code;
  int n, cap;
};

static int add_ring(struct reader *rd, int poly, json_t *ring, int outer, const char *where) {
  if (!json_is_array(ring))
    LC_FAIL(LC_EFORMAT, "%s: a ring is not an array of positions", where);
  size_t n = json_array_size(ring);
  if (n < 4)
    LC_FAIL(LC_EFORMAT,
            "%s: a ring has %zu positions (at least 4 are needed, the last "
            "repeating the first)",
            where, n);
  if (rd->n_pts + (int64_t)n > rd->cap_pts) {
    int64_t cap = rd->cap_pts ? rd->cap_pts : 1024;
    while (cap < rd->n_pts + (int64_t)n)
      cap *= 2;
    double *a = realloc(rd->lon, (size_t)cap * sizeof *a);
    if (a)
      rd->lon = a;
    double *b = a ? realloc(rd->lat, (size_t)cap * sizeof *b) : NULL;
    if (!a || !b)
      LC_FAIL(LC_ENOMEM, "%s: out of memory", where);
    rd->lat = b;
    rd->cap_pts = cap;
  }
  for (size_t k = 0; k < n; k++) {
    json_t *p = json_array_get(ring, k);
    if (!json_is_array(p) || json_array_size(p) < 2 || !json_is_number(json_array_get(p, 0)) ||
        !json_is_number(json_array_get(p, 1)))
      LC_FAIL(LC_EFORMAT, "%s: position %zu of a ring is not [lon, lat]", where, k + 1);
    double x = json_number_value(json_array_get(p, 0));
    double y = json_number_value(json_array_get(p, 1));
    if (!isfinite(x) || !isfinite(y) || fabs(x) > 180 || fabs(y) > 90)
      LC_FAIL(LC_EFORMAT, "%s: position %zu (%g, %g) is out of range", where, k + 1, x, y);
    rd->lon[rd->n_pts + (int64_t)k] = x;
    rd->lat[rd->n_pts + (int64_t)k] = y;
  }
  if (rd->lon[rd->n_pts] != rd->lon[rd->n_pts + (int64_t)n - 1] ||
      rd->lat[rd->n_pts] != rd->lat[rd->n_pts + (int64_t)n - 1])
    LC_FAIL(LC_EFORMAT,
            "%s: a ring is not closed (its last position differs from its "
            "first)",
            where);
  if (rd->n_rings == rd->cap_rings) {
    int64_t cap = rd->cap_rings ? 2 * rd->cap_rings : 16;
    struct ring_tmp *r = realloc(rd->rings, (size_t)cap * sizeof *r);
    if (!r)
      LC_FAIL(LC_ENOMEM, "%s: out of memory", where);
    rd->rings = r;
    rd->cap_rings = cap;
  }
  rd->rings[rd->n_rings++] = (struct ring_tmp){poly, rd->n_pts, (int64_t)n, outer};
  rd->n_pts += (int64_t)n;
  return LC_OK;
}

static int add_polygon_rings(struct reader *rd, int poly, json_t *rings, const char *where) {
  if (!json_is_array(rings) || json_array_size(rings) == 0)
    LC_FAIL(LC_EFORMAT, "%s: a polygon without rings", where);
  for (size_t k = 0; k < json_array_size(rings); k++)
    LC_CHECK(add_ring(rd, poly, json_array_get(rings, k), k == 0, where));
  return LC_OK;
}

/* GEOS's validity check of one feature's rings [r0, r1) of the reader: a self-intersecting
 * ring, a hole outside its shell, overlapping parts... are refused with GEOS's reason and
 * location. A ring orientation other than RFC 7946's (exterior counterclockwise, holes
 * clockwise) is accepted with a warning: containment does not depend on it. */
static int check_feature(struct reader *rd, int64_t r0, int64_t r1, const char *where) {
  GEOSContextHandle_t ctx = geom_context();
  int64_t *pt_off = malloc(((size_t)(r1 - r0) + 1) * sizeof *pt_off);
  unsigned char *outer = malloc((size_t)(r1 - r0) + 1);
  int rc = LC_OK, wrong = 0;
  if (!ctx || !pt_off || !outer) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: out of memory", where);
    goto done;
  }
  for (int64_t r = r0; r < r1; r++) {
    pt_off[r - r0] = rd->rings[r].first;
    outer[r - r0] = (unsigned char)rd->rings[r].outer;
    /* Rings are contiguous in the reader's point arrays. */
    pt_off[r - r0 + 1] = rd->rings[r].first + rd->rings[r].n;
  }
  GEOSGeometry *g = geom_build(ctx, rd->lon, rd->lat, pt_off, outer, 0, r1 - r0, 0);
  if (!g) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s: GEOS cannot build the polygon "
                      "from its rings",
                      where);
    goto done;
  }
  char *reason = NULL;
  GEOSGeometry *loc = NULL;
  char valid = GEOSisValidDetail_r(ctx, g, 0, &reason, &loc);
  if (valid != 1) {
    double x = NAN, y = NAN;
    if (loc) {
      GEOSGeomGetX_r(ctx, loc, &x);
      GEOSGeomGetY_r(ctx, loc, &y);
    }
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s: invalid polygon: %s at (%.7f, "
                      "%.7f) (GEOS validity check); correct the geometry (e.g. QGIS's Fix "
                      "geometries)",
                      where, reason ? reason : "GEOS could not check it", x, y);
  }
  if (reason)
    GEOSFree_r(ctx, reason);
  if (loc)
    GEOSGeom_destroy_r(ctx, loc);
  GEOSGeom_destroy_r(ctx, g);
  for (int64_t r = r0; rc == LC_OK && r < r1; r++) {
    const struct ring_tmp *rt = &rd->rings[r];
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(
        ctx, rd->lon + rt->first, rd->lat + rt->first, NULL, NULL, (unsigned)rt->n);
    char ccw = 0;
    if (cs && GEOSCoordSeq_isCCW_r(ctx, cs, &ccw) && (ccw != 0) != (rt->outer != 0))
      wrong++;
    if (cs)
      GEOSCoordSeq_destroy_r(ctx, cs);
  }
  if (rc == LC_OK && wrong)
    log_warn("%s: %d ring(s) not in RFC 7946 orientation (exterior counterclockwise, holes "
             "clockwise); accepted, containment does not depend on it",
             where, wrong);
done:
  free(pt_off);
  free(outer);
  if (ctx)
    GEOS_finish_r(ctx);
  return rc;
}

static int feature_name(json_t *props, const char *key, char *buf, size_t size) {
  json_t *v = props ? json_object_get(props, key) : NULL;
  if (json_is_string(v) && strlen(json_string_value(v)) >= size)
    return -2; /* Too long: truncating could merge two different names. */
  if (json_is_string(v))
    snprintf(buf, size, "%s", json_string_value(v));
  else if (json_is_integer(v))
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else
    return -1;
  return 0;
}

static int read_feature(struct reader *rd, json_t *f, size_t fi, const char *name_property) {
  char where[700];
  snprintf(where, sizeof where, "%s: feature %zu", rd->path, fi + 1);
  if (!json_is_object(f) || !json_is_string(json_object_get(f, "type")) ||
      strcmp(json_string_value(json_object_get(f, "type")), "Feature") != 0)
    LC_FAIL(LC_EFORMAT, "%s: not a GeoJSON Feature object", where);
  json_t *props = json_object_get(f, "properties");
  char name[512], code[128];
  int nr = feature_name(props, name_property, name, sizeof name);
  if (nr == -2)
    LC_FAIL(LC_EFORMAT, "%s: the name property '%s' is longer than %zu bytes", where, name_property,
            sizeof name - 1);
  if (nr != 0)
    LC_FAIL(LC_EFORMAT, "%s: no string property '%s' to name the polygon", where, name_property);
  snprintf(where, sizeof where, "%s: feature %zu (%s)", rd->path, fi + 1, name);
  int cr = feature_name(props, "code", code, sizeof code);
  if (cr == -2)
    LC_FAIL(LC_EFORMAT, "%s: the property 'code' is longer than %zu bytes", where, sizeof code - 1);
  if (cr != 0)
    code[0] = '\0';
  json_t *geom = json_object_get(f, "geometry");
  json_t *gtype = geom ? json_object_get(geom, "type") : NULL;
  const char *gt = json_is_string(gtype) ? json_string_value(gtype) : "(none)";
  int multi;
  if (strcmp(gt, "Polygon") == 0)
    multi = 0;
  else if (strcmp(gt, "MultiPolygon") == 0)
    multi = 1;
  else
    LC_FAIL(LC_EFORMAT, "%s: geometry type %s is not a Polygon or MultiPolygon", where, gt);
  int poly = -1;
  for (int i = 0; i < rd->n; i++)
    if (strcmp(rd->name[i], name) == 0)
      poly = i;
  if (poly < 0) {
    if (rd->n == rd->cap) {
      int cap = rd->cap ? 2 * rd->cap : 16;
      char **a = realloc(rd->name, (size_t)cap * sizeof *a);
      if (a)
        rd->name = a;
      char **b = a ? realloc(rd->code, (size_t)cap * sizeof *b) : NULL;
      if (!a || !b)
        LC_FAIL(LC_ENOMEM, "%s: out of memory", where);
      rd->code = b;
      rd->cap = cap;
    }
    rd->name[rd->n] = strdup(name);
    rd->code[rd->n] = strdup(code);
    if (!rd->name[rd->n] || !rd->code[rd->n]) {
      free(rd->name[rd->n]);
      free(rd->code[rd->n]);
      LC_FAIL(LC_ENOMEM, "%s: out of memory", where);
    }
    poly = rd->n++;
  } else if (code[0] && rd->code[poly][0] && strcmp(code, rd->code[poly]) != 0) {
    LC_FAIL(LC_EFORMAT, "%s: another feature with this name has code '%s', this one '%s'", where,
            rd->code[poly], code);
  }
  json_t *coords = json_object_get(geom, "coordinates");
  int64_t r0 = rd->n_rings;
  if (!multi) {
    LC_CHECK(add_polygon_rings(rd, poly, coords, where));
  } else {
    if (!json_is_array(coords) || json_array_size(coords) == 0)
      LC_FAIL(LC_EFORMAT, "%s: an empty MultiPolygon", where);
    for (size_t k = 0; k < json_array_size(coords); k++)
      LC_CHECK(add_polygon_rings(rd, poly, json_array_get(coords, k), where));
  }
  return check_feature(rd, r0, rd->n_rings, where);
}

static void reader_free(struct reader *rd) {
  for (int i = 0; i < rd->n; i++) {
    free(rd->name[i]);
    free(rd->code[i]);
  }
  free(rd->name);
  free(rd->code);
  free(rd->rings);
  free(rd->lon);
  free(rd->lat);
}

static int reader_finish(struct reader *rd, struct polygon_set *ps) {
  ps->n = rd->n;
  ps->n_rings = rd->n_rings;
  ps->n_points = rd->n_pts;
  ps->ring_off = calloc((size_t)rd->n + 1, sizeof *ps->ring_off);
  ps->pt_off = malloc(((size_t)rd->n_rings + 1) * sizeof *ps->pt_off);
  ps->lon = malloc(((size_t)rd->n_pts + 1) * sizeof *ps->lon);
  ps->lat = malloc(((size_t)rd->n_pts + 1) * sizeof *ps->lat);
  ps->ring_outer = malloc((size_t)rd->n_rings + 1);
  ps->file = strdup(rd->path);
  ps->index = calloc(1, sizeof *ps->index);
  if (ps->index) {
    int nt = omp_get_max_threads(), np = omp_get_num_procs();
    ps->index->n_states = nt > np ? nt : np;
    ps->index->state = calloc((size_t)ps->index->n_states, sizeof *ps->index->state);
  }
  if (!ps->ring_off || !ps->pt_off || !ps->lon || !ps->lat || !ps->ring_outer || !ps->file ||
      !ps->index || !ps->index->state)
    LC_FAIL(LC_ENOMEM, "%s: out of memory", rd->path);
  /* Order rings by polygon, keeping file order within a polygon (a counting sort). */
  for (int64_t r = 0; r < rd->n_rings; r++)
    ps->ring_off[rd->rings[r].poly + 1]++;
  for (int i = 0; i < rd->n; i++)
    ps->ring_off[i + 1] += ps->ring_off[i];
  int64_t *fill = malloc(((size_t)rd->n + 1) * sizeof *fill);
  int64_t *order = malloc(((size_t)rd->n_rings + 1) * sizeof *order);
  if (!fill || !order) {
    free(fill);
    free(order);
    LC_FAIL(LC_ENOMEM, "%s: out of memory", rd->path);
  }
  memcpy(fill, ps->ring_off, (size_t)rd->n * sizeof *fill);
  for (int64_t r = 0; r < rd->n_rings; r++)
    order[fill[rd->rings[r].poly]++] = r;
  int64_t np = 0;
  for (int64_t k = 0; k < rd->n_rings; k++) {
    const struct ring_tmp *rt = &rd->rings[order[k]];
    ps->pt_off[k] = np;
    ps->ring_outer[k] = (unsigned char)rt->outer;
    memcpy(ps->lon + np, rd->lon + rt->first, (size_t)rt->n * sizeof(double));
    memcpy(ps->lat + np, rd->lat + rt->first, (size_t)rt->n * sizeof(double));
    np += rt->n;
  }
  ps->pt_off[rd->n_rings] = np;
  free(fill);
  free(order);
  ps->name = rd->name;
  ps->code = rd->code;
  rd->name = rd->code = NULL;
  rd->n = 0;
  /* The calling thread's GEOS objects now, so that a failure is reported here. */
  ps->index->state[0] = geom_state_build(ps);
  if (!ps->index->state[0])
    LC_FAIL(LC_ENOMEM, "%s: GEOS could not build the polygons (out of memory)", rd->path);
  return LC_OK;
}

int geom_load_polygons(const char *path, const char *name_property, struct polygon_set *ps) {
  geom_init(ps);
  LC_CHECK(crs_need_gdal(path));
  json_error_t err;
  /* A key twice in one object (two "coordinates") is ambiguous: refused. */
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  if (!root) {
    FILE *f = fopen(path, "rb");
    if (!f)
      LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
    fclose(f);
    LC_FAIL(LC_EFORMAT, "%s:%d:%d: invalid JSON: %s", path, err.line, err.column, err.text);
  }
  struct reader rd = {.path = path};
  int rc = LC_OK;
  /* Polygons are read in WGS84 only: a file that names another CRS is converted first. */
  json_t *cm = json_object_get(json_object_get(root, "crs"), "properties");
  json_t *cn = cm ? json_object_get(cm, "name") : NULL;
  long code = json_is_string(cn) ? crs_geojson_epsg(json_string_value(cn)) : 0;
  if (code > 0 && code != 4326) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s: the polygons are in EPSG:%ld; convert them to WGS84 once with:\n"
                      "  python3 analysis/prepare.py vector %s -o WGS84.geojson",
                      path, code, path);
    goto done;
  }
  json_t *type = json_object_get(root, "type");
  const char *ts = json_is_string(type) ? json_string_value(type) : "";
  if (strcmp(ts, "FeatureCollection") == 0) {
    json_t *features = json_object_get(root, "features");
    if (!json_is_array(features)) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: a FeatureCollection without a 'features' array", path);
      goto done;
    }
    for (size_t i = 0; i < json_array_size(features); i++)
      LC_CHECK_GOTO(rc, read_feature(&rd, json_array_get(features, i), i, name_property), done);
  } else if (strcmp(ts, "Feature") == 0) {
    LC_CHECK_GOTO(rc, read_feature(&rd, root, 0, name_property), done);
  } else {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s: top-level GeoJSON type '%s' is not a FeatureCollection or Feature", path,
                      ts);
    goto done;
  }
  if (rd.n == 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s: no polygon features", path);
    goto done;
  }
  rc = reader_finish(&rd, ps);
done:
  json_decref(root);
  reader_free(&rd);
  if (rc != LC_OK)
    geom_free(ps);
  return rc;
}

/* Containment in polygon i by GEOS: 1 inside, 0 outside, 2 on its boundary. */
static int geom_where(struct geom_state *st, int i, const GEOSGeometry *pt) {
  if (!GEOSPreparedIntersects_r(st->ctx, st->prep[i], pt))
    return 0;
  return GEOSPreparedContains_r(st->ctx, st->prep[i], pt) ? 1 : 2;
}

/* A point on a boundary belongs to the polygon its east-north-east lies in: the point moved
 * by GEOM_NUDGE_LON (1e-9 degree, about 0.1 mm) east and a thousandth of that north, the
 * half-open rule of a ray cast (a point on an edge shared by two neighbours is claimed by
 * exactly one of them). */
#define GEOM_NUDGE_LON 1e-9
#define GEOM_NUDGE_LAT 1e-12

struct geom_hits {
  int *idx;
  int n;
};

static void geom_collect(void *item, void *userdata) {
  struct geom_hits *h = userdata;
  h->idx[h->n++] = *(const int *)item;
}

static int geom_cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Polygon index of (lon, lat) when `only` < 0 (the lowest containing one, or -1), else 1 or 0
 * for containment in polygon `only`. */
static int geom_query(const struct polygon_set *ps, int only, double lon, double lat) {
  int temp, found = -1;
  struct geom_state *st = geom_state_get(ps, &temp);
  if (!st)
    return -1; /* Out of memory building a thread's GEOS objects. */
  GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(st->ctx, lon, lat);
  GEOSGeometry *nudged = NULL;
  int small[64], n = 0;
  int *cand = only >= 0 || ps->n <= 64 ? small : malloc((size_t)ps->n * sizeof *cand);
  if (pt && cand && only < 0) {
    struct geom_hits h = {cand, 0};
    GEOSSTRtree_query_r(st->ctx, st->tree, pt, geom_collect, &h);
    n = h.n;
    qsort(cand, (size_t)n, sizeof *cand, geom_cmp_int);
  }
  for (int k = 0; pt && k < (only >= 0 ? 1 : n); k++) {
    int i = only >= 0 ? only : cand[k];
    int w = geom_where(st, i, pt);
    if (w == 2) {
      if (!nudged)
        nudged = GEOSGeom_createPointFromXY_r(st->ctx, lon + GEOM_NUDGE_LON, lat + GEOM_NUDGE_LAT);
      w = nudged && geom_where(st, i, nudged) == 1;
    }
    if (w == 1) {
      found = i;
      break;
    }
  }
  if (nudged)
    GEOSGeom_destroy_r(st->ctx, nudged);
  if (pt)
    GEOSGeom_destroy_r(st->ctx, pt);
  if (cand != small)
    free(cand);
  if (temp)
    geom_state_free(st);
  return only >= 0 ? found == only : found;
}

int geom_contains(const struct polygon_set *ps, int i, double lon, double lat) {
  return geom_query(ps, i, lon, lat);
}

int geom_locate(const struct polygon_set *ps, double lon, double lat) {
  return geom_query(ps, -1, lon, lat);
}

/* Twice the signed spherical area of ring r over R^2 (Chamberlain & Duquette 2007). */
static double geom_ring_area(const struct polygon_set *ps, int64_t r) {
  const double d2r = 3.14159265358979323846 / 180.0;
  int64_t a = ps->pt_off[r], n = ps->pt_off[r + 1] - a - 1; /* The closing point repeats. */
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t prev = a + (i + n - 1) % n, next = a + (i + 1) % n;
    s += (ps->lon[next] - ps->lon[prev]) * d2r * sin(ps->lat[a + i] * d2r);
  }
  return s;
}

double geom_area_km2(const struct polygon_set *ps, int i) {
  const double r_km = 6371.0088; /* The mean Earth radius (IUGG). */
  double total = 0;
  for (int64_t r = ps->ring_off[i]; r < ps->ring_off[i + 1]; r++) {
    double a = fabs(geom_ring_area(ps, r)) / 2.0 * r_km * r_km;
    total += ps->ring_outer[r] ? a : -a;
  }
  return total;
}
