/* Polygons from GeoJSON (jansson) and the even-odd point-in-polygon rule. */
#include "lifecircle/geom.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/crs_epsg.h"
#include "lifecircle/status.h"

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
  free(ps->bbox);
  free(ps->file);
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

static int add_ring(struct reader *rd, int poly, json_t *ring, const char *where) {
  if (!json_is_array(ring))
    LC_FAIL(LC_EFORMAT, "%s: a ring is not an array of positions", where);
  size_t n = json_array_size(ring);
  if (n < 4)
    LC_FAIL(LC_EFORMAT, "%s: a ring has %zu positions (at least 4 are needed, the last "
            "repeating the first)", where, n);
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
    LC_FAIL(LC_EFORMAT, "%s: a ring is not closed (its last position differs from its "
            "first)", where);
  if (rd->n_rings == rd->cap_rings) {
    int64_t cap = rd->cap_rings ? 2 * rd->cap_rings : 16;
    struct ring_tmp *r = realloc(rd->rings, (size_t)cap * sizeof *r);
    if (!r)
      LC_FAIL(LC_ENOMEM, "%s: out of memory", where);
    rd->rings = r;
    rd->cap_rings = cap;
  }
  rd->rings[rd->n_rings++] = (struct ring_tmp){poly, rd->n_pts, (int64_t)n};
  rd->n_pts += (int64_t)n;
  return LC_OK;
}

static int add_polygon_rings(struct reader *rd, int poly, json_t *rings, const char *where) {
  if (!json_is_array(rings) || json_array_size(rings) == 0)
    LC_FAIL(LC_EFORMAT, "%s: a polygon without rings", where);
  for (size_t k = 0; k < json_array_size(rings); k++)
    LC_CHECK(add_ring(rd, poly, json_array_get(rings, k), where));
  return LC_OK;
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
    LC_FAIL(LC_EFORMAT, "%s: the name property '%s' is longer than %zu bytes", where,
            name_property, sizeof name - 1);
  if (nr != 0)
    LC_FAIL(LC_EFORMAT, "%s: no string property '%s' to name the polygon", where,
            name_property);
  snprintf(where, sizeof where, "%s: feature %zu (%s)", rd->path, fi + 1, name);
  int cr = feature_name(props, "code", code, sizeof code);
  if (cr == -2)
    LC_FAIL(LC_EFORMAT, "%s: the property 'code' is longer than %zu bytes", where,
            sizeof code - 1);
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
    LC_FAIL(LC_EFORMAT, "%s: another feature with this name has code '%s', this one '%s'",
            where, rd->code[poly], code);
  }
  json_t *coords = json_object_get(geom, "coordinates");
  if (!multi)
    return add_polygon_rings(rd, poly, coords, where);
  if (!json_is_array(coords) || json_array_size(coords) == 0)
    LC_FAIL(LC_EFORMAT, "%s: an empty MultiPolygon", where);
  for (size_t k = 0; k < json_array_size(coords); k++)
    LC_CHECK(add_polygon_rings(rd, poly, json_array_get(coords, k), where));
  return LC_OK;
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
  ps->bbox = malloc(((size_t)rd->n + 1) * 4 * sizeof *ps->bbox);
  ps->file = strdup(rd->path);
  if (!ps->ring_off || !ps->pt_off || !ps->lon || !ps->lat || !ps->bbox || !ps->file)
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
    memcpy(ps->lon + np, rd->lon + rt->first, (size_t)rt->n * sizeof(double));
    memcpy(ps->lat + np, rd->lat + rt->first, (size_t)rt->n * sizeof(double));
    np += rt->n;
  }
  ps->pt_off[rd->n_rings] = np;
  free(fill);
  free(order);
  for (int i = 0; i < rd->n; i++) {
    double *b = ps->bbox + 4 * i;
    b[0] = b[1] = INFINITY;
    b[2] = b[3] = -INFINITY;
    for (int64_t p = ps->pt_off[ps->ring_off[i]]; p < ps->pt_off[ps->ring_off[i + 1]]; p++) {
      b[0] = fmin(b[0], ps->lon[p]);
      b[1] = fmin(b[1], ps->lat[p]);
      b[2] = fmax(b[2], ps->lon[p]);
      b[3] = fmax(b[3], ps->lat[p]);
    }
  }
  ps->name = rd->name;
  ps->code = rd->code;
  rd->name = rd->code = NULL;
  rd->n = 0;
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
                      "%s: top-level GeoJSON type '%s' is not a FeatureCollection or Feature",
                      path, ts);
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

int geom_contains(const struct polygon_set *ps, int i, double lon, double lat) {
  const double *b = ps->bbox + 4 * i;
  if (lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3])
    return 0;
  int inside = 0;
  for (int64_t r = ps->ring_off[i]; r < ps->ring_off[i + 1]; r++) {
    int64_t first = ps->pt_off[r], last = ps->pt_off[r + 1];
    /* Edges (p[k], p[k+1]) of the closed ring; a ray from the point towards +lon crosses
     * an edge when the edge straddles the point's latitude (half-open: lower end included,
     * upper excluded, so vertices are not counted twice) and the crossing is east of it. */
    for (int64_t k = first; k + 1 < last; k++) {
      double x1 = ps->lon[k], y1 = ps->lat[k], x2 = ps->lon[k + 1], y2 = ps->lat[k + 1];
      if (y1 > y2) {
        /* The same edge is computed the same way whichever ring walks it, so that two
         * polygons sharing an edge agree on which side a point on it lies. */
        double t = x1;
        x1 = x2;
        x2 = t;
        t = y1;
        y1 = y2;
        y2 = t;
      }
      if ((y1 > lat) != (y2 > lat)) {
        double xc = x1 + (lat - y1) * (x2 - x1) / (y2 - y1);
        if (lon < xc)
          inside = !inside;
      }
    }
  }
  return inside;
}

int geom_locate(const struct polygon_set *ps, double lon, double lat) {
  for (int i = 0; i < ps->n; i++)
    if (geom_contains(ps, i, lon, lat))
      return i;
  return -1;
}
