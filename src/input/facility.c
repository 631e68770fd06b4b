/* Facility sets: POIs from the graph file and user layers in GeoJSON (jansson) or CSV
 * (libcsv through csvtab), converted to WGS84 and checked row by row. */
#include "lifecircle/facility.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crs_epsg.h"
#include "lifecircle/alloc.h"
#include "lifecircle/crs.h"
#include "lifecircle/csvtab.h"
#include "lifecircle/status.h"

void facility_init(struct facility_set *fs) { memset(fs, 0, sizeof *fs); }

void facility_free(struct facility_set *fs) {
  if (!fs)
    return;
  for (int64_t i = 0; i < fs->n; i++) {
    free(fs->source_id[i]);
    free(fs->name[i]);
  }
  free(fs->lon);
  free(fs->lat);
  free(fs->category);
  free(fs->layer);
  free(fs->source_id);
  free(fs->name);
  free(fs->capacity);
  free(fs->open_min);
  free(fs->close_min);
  free(fs->node);
  free(fs->snap_cm);
  free(fs->excluded);
  memset(fs, 0, sizeof *fs);
}

#define GROW(field, cap)                                              \
  do {                                                                \
    void *p_ = realloc(fs->field, (size_t)(cap) * sizeof *fs->field); \
    if (!p_)                                                          \
      LC_FAIL(LC_ENOMEM, "out of memory growing the facility table"); \
    fs->field = p_;                                                   \
  } while (0)

static int facility_reserve(struct facility_set *fs, int64_t need) {
  if (need <= fs->cap)
    return LC_OK;
  int64_t cap = fs->cap ? fs->cap : 64;
  while (cap < need)
    cap *= 2;
  GROW(lon, cap);
  GROW(lat, cap);
  GROW(category, cap);
  GROW(layer, cap);
  GROW(source_id, cap);
  GROW(name, cap);
  GROW(capacity, cap);
  GROW(open_min, cap);
  GROW(close_min, cap);
  GROW(node, cap);
  GROW(snap_cm, cap);
  GROW(excluded, cap);
  fs->cap = cap;
  return LC_OK;
}

int facility_add(struct facility_set *fs, double lon, double lat, int32_t category, int32_t layer,
                 const char *source_id, const char *name, int32_t capacity, int32_t open_min,
                 int32_t close_min) {
  LC_CHECK(facility_reserve(fs, fs->n + 1));
  char *sid = strdup(source_id ? source_id : "");
  char *nm = strdup(name ? name : "");
  if (!sid || !nm) {
    free(sid);
    free(nm);
    LC_FAIL(LC_ENOMEM, "out of memory adding a facility");
  }
  int64_t i = fs->n++;
  fs->lon[i] = lon;
  fs->lat[i] = lat;
  fs->category[i] = category;
  fs->layer[i] = layer;
  fs->source_id[i] = sid;
  fs->name[i] = nm;
  fs->capacity[i] = capacity;
  fs->open_min[i] = open_min;
  fs->close_min[i] = close_min;
  fs->node[i] = -1;
  fs->snap_cm[i] = 0;
  fs->excluded[i] = 0;
  return LC_OK;
}

/* Moves every facility of src to the end of dst (src is emptied). */
static int facility_append_all(struct facility_set *dst, struct facility_set *src) {
  LC_CHECK(facility_reserve(dst, dst->n + src->n));
  for (int64_t i = 0; i < src->n; i++) {
    int64_t j = dst->n++;
    dst->lon[j] = src->lon[i];
    dst->lat[j] = src->lat[i];
    dst->category[j] = src->category[i];
    dst->layer[j] = src->layer[i];
    dst->source_id[j] = src->source_id[i];
    dst->name[j] = src->name[i];
    dst->capacity[j] = src->capacity[i];
    dst->open_min[j] = src->open_min[i];
    dst->close_min[j] = src->close_min[i];
    dst->node[j] = src->node[i];
    dst->snap_cm[j] = src->snap_cm[i];
    dst->excluded[j] = src->excluded[i];
  }
  src->n = 0; /* The strings now belong to dst. */
  facility_free(src);
  return LC_OK;
}

static int find_category(const struct category_set *cats, const char *id) {
  for (int i = 0; i < cats->n; i++)
    if (strcmp(cats->c[i].id, id) == 0)
      return i;
  return -1;
}

/* A few valid ids for messages, in a static buffer. */
static const char *some_categories(const struct category_set *cats) {
  static char buf[256];
  size_t k = 0;
  buf[0] = '\0';
  for (int i = 0; i < cats->n && i < 6; i++)
    k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", cats->c[i].id);
  if (cats->n > 6 && k < sizeof buf)
    snprintf(buf + k, sizeof buf - k, ", ... (%d in all)", cats->n);
  if (cats->n == 0)
    snprintf(buf, sizeof buf, "(the category set is empty)");
  return buf;
}

static const char *cats_file(const struct category_set *cats) {
  return cats->file ? cats->file : "the categories file";
}

int facility_from_pois(const struct poi_set *pois, char *const *poi_category_ids,
                       int n_poi_categories, const struct category_set *cats,
                       struct facility_set *fs) {
  static const char *const kind[] = {"node", "way", "relation", "other"};
  int *map = lc_calloc_array(n_poi_categories, sizeof *map);
  if (!map)
    LC_FAIL(LC_ENOMEM, "out of memory mapping POI categories");
  for (int k = 0; k < n_poi_categories; k++) {
    map[k] = find_category(cats, poi_category_ids[k]);
    if (map[k] < 0) {
      int rc = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                            "the graph file's POI category '%s' is not in %s (it has: %s); "
                            "use the categories file the graph was imported with",
                            poi_category_ids[k], cats_file(cats), some_categories(cats));
      free(map);
      return rc;
    }
  }
  struct facility_set tmp;
  facility_init(&tmp);
  int rc = LC_OK;
  for (int64_t i = 0; i < pois->n; i++) {
    int32_t pc = pois->category[i];
    if (pc < 0 || pc >= n_poi_categories) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "POI %" PRId64 " has category index %d outside [0, %d)", i, (int)pc,
                        n_poi_categories);
      goto fail;
    }
    const struct category *c = &cats->c[map[pc]];
    int t = pois->osm_type[i] >= 0 && pois->osm_type[i] <= 3 ? pois->osm_type[i] : 3;
    char sid[64];
    snprintf(sid, sizeof sid, "%s/%" PRId64, kind[t], pois->osm_id[i]);
    LC_CHECK_GOTO(rc,
                  facility_add(&tmp, pois->lon[i], pois->lat[i], map[pc], FACILITY_LAYER_POIS, sid,
                               pois->name[i], c->capacity, c->open_min, c->close_min),
                  fail);
  }
  LC_CHECK_GOTO(rc, facility_append_all(fs, &tmp), fail);
  free(map);
  return LC_OK;
fail:
  facility_free(&tmp);
  free(map);
  return rc;
}

int facility_parse_hhmm(const char *s, int32_t *minutes) {
  /* Exactly H:MM or HH:MM, hours 0-24, minutes 0-59, 24:00 at most. */
  const char *p = s;
  int h = 0, nd = 0;
  while (isdigit((unsigned char)*p) && nd < 2) {
    h = h * 10 + (*p - '0');
    p++;
    nd++;
  }
  if (nd == 0 || *p != ':')
    return LC_EFORMAT;
  p++;
  if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != '\0')
    return LC_EFORMAT;
  int m = (p[0] - '0') * 10 + (p[1] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0))
    return LC_EFORMAT;
  *minutes = h * 60 + m;
  return LC_OK;
}

/* Parses a non-negative integer capacity written as text. Returns 0 on success, -1 when
 * negative, -2 when not an integer. */
static int parse_capacity(const char *s, int32_t *out) {
  const char *p = s;
  if (*p == '-' && isdigit((unsigned char)p[1]))
    return -1;
  if (*p == '+')
    p++;
  if (!isdigit((unsigned char)*p))
    return -2;
  long long v = 0;
  for (; isdigit((unsigned char)*p); p++) {
    v = v * 10 + (*p - '0');
    if (v > INT32_MAX)
      return -2;
  }
  if (*p != '\0')
    return -2;
  *out = (int32_t)v;
  return 0;
}

/* Parses a coordinate: a whole decimal number (nan and inf parse and are rejected later by
 * the range check). Returns 0 on success. */
static int parse_coord(const char *s, double *out) {
  if (!*s)
    return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

/* What one point of a layer says before it is checked; `where` names it in messages
 * ("file.csv:7" or "file.geojson: feature 3"). */
struct layer_point {
  double x, y;
  const char *category; /* NULL when not given. */
  const char *name, *id;
  const char *capacity; /* Text, or NULL when not given. */
  int64_t capacity_num;
  int has_capacity_num;
  const char *open, *close;
};

/* Checks and converts one point, appending it to tmp. */
static int add_point(struct facility_set *tmp, const char *where, const struct crs_ref *crs,
                     const struct layer_point *pt, const char *fixed_category,
                     const struct category_set *cats, int layer_index) {
  const char *cid = fixed_category ? fixed_category : pt->category;
  if (!cid || !*cid)
    LC_FAIL(LC_EFORMAT, "%s: no category (give the layer a category or a category column)", where);
  int ci = find_category(cats, cid);
  if (ci < 0)
    LC_FAIL(LC_EPARAM, "%s: unknown category '%s' (valid ids in %s include: %s)", where, cid,
            cats_file(cats), some_categories(cats));
  double lon, lat;
  if (crs_ref_to_wgs84(crs, pt->x, pt->y, &lon, &lat) != LC_OK) {
    if (crs->projected)
      LC_FAIL(LC_EFORMAT,
              "%s: coordinates (%g, %g) are not finite or outside the area of %s (easting "
              "first, metres)",
              where, pt->x, pt->y, crs->name);
    LC_FAIL(LC_EFORMAT,
            "%s: coordinates (%g, %g) are not finite or out of range (|lon| <= 180, "
            "|lat| <= 90; lon first)",
            where, pt->x, pt->y);
  }
  const struct category *c = &cats->c[ci];
  int32_t capacity = c->capacity, open = c->open_min, close = c->close_min;
  if (pt->has_capacity_num) {
    if (pt->capacity_num < 0)
      LC_FAIL(LC_EFORMAT, "%s: negative capacity %" PRId64, where, pt->capacity_num);
    if (pt->capacity_num > INT32_MAX)
      LC_FAIL(LC_EFORMAT, "%s: capacity %" PRId64 " is too large", where, pt->capacity_num);
    capacity = (int32_t)pt->capacity_num;
  } else if (pt->capacity && *pt->capacity) {
    int r = parse_capacity(pt->capacity, &capacity);
    if (r == -1)
      LC_FAIL(LC_EFORMAT, "%s: negative capacity '%s'", where, pt->capacity);
    if (r != 0)
      LC_FAIL(LC_EFORMAT, "%s: capacity '%s' is not a non-negative integer", where, pt->capacity);
  }
  if (pt->open && *pt->open && facility_parse_hhmm(pt->open, &open) != LC_OK)
    LC_FAIL(LC_EFORMAT, "%s: malformed opening time '%s' (expected HH:MM, 00:00-24:00)", where,
            pt->open);
  if (pt->close && *pt->close && facility_parse_hhmm(pt->close, &close) != LC_OK)
    LC_FAIL(LC_EFORMAT, "%s: malformed closing time '%s' (expected HH:MM, 00:00-24:00)", where,
            pt->close);
  if (close <= open)
    LC_FAIL(LC_EFORMAT,
            "%s: closing time %02d:%02d is not after opening time %02d:%02d (hours past "
            "midnight are not supported)",
            where, close / 60, close % 60, open / 60, open % 60);
  return facility_add(tmp, lon, lat, ci, layer_index, pt->id, pt->name, capacity, open, close);
}

struct id_pos {
  const char *id;
  int64_t row; /* Row of the facility in the layer's table. */
};

static int id_pos_cmp(const void *a, const void *b) {
  const struct id_pos *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  if (c)
    return c;
  return (x->row > y->row) - (x->row < y->row);
}

/* Refuses a layer in which two facilities share an id (scenarios name facilities by id, so
 * a repeated id would be ambiguous). pos[i] is the CSV line or GeoJSON feature number of
 * facility i of tmp; the message names the later one and the first. */
static int check_unique_ids(const struct facility_set *tmp, const int64_t *pos, const char *path,
                            int csv) {
  if (tmp->n < 2)
    return LC_OK;
  struct id_pos *k = malloc((size_t)tmp->n * sizeof *k);
  if (!k)
    LC_FAIL(LC_ENOMEM, "%s: out of memory checking ids", path);
  for (int64_t i = 0; i < tmp->n; i++)
    k[i] = (struct id_pos){tmp->source_id[i], i};
  qsort(k, (size_t)tmp->n, sizeof *k, id_pos_cmp);
  int64_t first = -1, second = -1;
  for (int64_t i = 1; i < tmp->n; i++)
    if (strcmp(k[i].id, k[i - 1].id) == 0 && (second < 0 || k[i].row < second)) {
      first = k[i - 1].row;
      second = k[i].row;
    }
  int rc = LC_OK;
  if (second >= 0)
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      csv ? "%s:%" PRId64 ": duplicate id '%s' (first at line %" PRId64 ")"
                          : "%s: feature %" PRId64 ": duplicate id '%s' (first in feature %" PRId64
                            ")",
                      path, pos[second], tmp->source_id[second], pos[first]);
  free(k);
  return rc;
}

/* Whether a row's `crs` value names the layer's CRS (engine names or EPSG:NNNN). Returns 1
 * when it does, 0 when it names another, -1 when it names none. */
static int row_crs_matches(const char *s, const struct crs_ref *crs) {
  int kind;
  if (strncasecmp(s, "EPSG:", 5) == 0) {
    char *end;
    long code = strtol(s + 5, &end, 10);
    if (end == s + 5 || *end != '\0' || code <= 0)
      return -1;
    return code == crs->epsg;
  }
  if (crs_parse(s, &kind) != LC_OK) {
    lc_error_clear();
    return -1;
  }
  return kind == crs->kind;
}

/* Reads a WKT point ("POINT (x y)", also with Z or M) of a CSV geometry column. Returns 0,
 * -1 when the text is not WKT, or -2 when it is WKT of another geometry type (its type,
 * upper-cased, in type[32]). */
static int parse_wkt_point(const char *s, double *x, double *y, char type[32]) {
  size_t k = 0;
  while (*s == ' ')
    s++;
  while (isalpha((unsigned char)*s) && k + 1 < 32)
    type[k++] = (char)toupper((unsigned char)*s++);
  type[k] = '\0';
  if (k == 0)
    return -1;
  if (strcmp(type, "POINT") != 0)
    return -2;
  while (*s == ' ')
    s++;
  if (strncasecmp(s, "ZM", 2) == 0)
    s += 2;
  else if (*s == 'Z' || *s == 'z' || *s == 'M' || *s == 'm')
    s++;
  while (*s == ' ')
    s++;
  if (*s != '(')
    return -1;
  char *end;
  errno = 0;
  *x = strtod(s + 1, &end);
  if (end == s + 1)
    return -1;
  const char *q = end;
  *y = strtod(q, &end);
  if (end == q)
    return -1;
  while (*end == ' ' || *end == '.' || *end == '-' || *end == '+' || *end == 'e' || *end == 'E' ||
         isdigit((unsigned char)*end))
    end++; /* An optional Z or M value. */
  return *end == ')' ? 0 : -1;
}

static int load_csv(const char *path, const struct crs_ref *crs, const char *category,
                    const char *category_column, const struct category_set *cats, int layer_index,
                    struct facility_set *tmp) {
  struct csvtab t;
  LC_CHECK(csvtab_load(path, &t));
  int rc = LC_OK;
  int c_lon = csvtab_find_coord(&t, 0), c_lat = csvtab_find_coord(&t, 1);
  const char *catcol = category_column ? category_column : "category";
  int c_cat = csvtab_find(&t, &catcol, 1);
  const char *one[1];
  one[0] = "name";
  int c_name = csvtab_find(&t, one, 1);
  one[0] = "id";
  int c_id = csvtab_find(&t, one, 1);
  one[0] = "capacity";
  int c_cap = csvtab_find(&t, one, 1);
  one[0] = "open";
  int c_open = csvtab_find(&t, one, 1);
  one[0] = "close";
  int c_close = csvtab_find(&t, one, 1);
  one[0] = "crs";
  int c_crs = csvtab_find(&t, one, 1);
  static const char *const wkt_names[] = {"wkt", "geometry", "geom", "the_geom"};
  int c_wkt = (c_lon < 0 || c_lat < 0) ? csvtab_find(&t, wkt_names, 4) : -1;
  if ((c_lon < 0 || c_lat < 0) && c_wkt < 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:1: missing coordinate columns: need longitude (" CSVTAB_LON_NAMES
                      ") and latitude (" CSVTAB_LAT_NAMES "), or a WKT point column "
                      "wkt/geometry",
                      path);
    goto done;
  }
  if (!category && c_cat < 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:1: no column '%s' and no category given for the layer", path, catcol);
    goto done;
  }
  for (int64_t r = 0; r < t.n_rows; r++) {
    char where[600], idbuf[32];
    snprintf(where, sizeof where, "%s:%" PRId64, path, t.line[r]);
    struct layer_point pt = {0};
    if (c_wkt >= 0) {
      char type[32];
      const char *w = csvtab_get(&t, r, c_wkt);
      int wr = parse_wkt_point(w, &pt.x, &pt.y, type);
      if (wr == -2) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s: geometry type %s is not a POINT (facility layers hold points)",
                          where, type);
        goto done;
      }
      if (wr != 0) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s: '%.60s' is not a WKT point such as POINT (121.43 31.20)", where, w);
        goto done;
      }
    }
    const char *sx = c_wkt >= 0 ? "0" : csvtab_get(&t, r, c_lon);
    const char *sy = c_wkt >= 0 ? "0" : csvtab_get(&t, r, c_lat);
    if (!*sx || !*sy) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s: missing coordinates", where);
      goto done;
    }
    if (c_wkt < 0 && (parse_coord(sx, &pt.x) || parse_coord(sy, &pt.y))) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: coordinates '%s', '%s' are not numbers", where, sx, sy);
      goto done;
    }
    if (c_crs >= 0) {
      const char *s = csvtab_get(&t, r, c_crs);
      if (*s) {
        int m = row_crs_matches(s, crs);
        if (m < 0) {
          rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                            "%s: unknown coordinate reference system '%s' in column crs "
                            "(allowed: wgs84, gcj02, bd09, EPSG:NNNN)",
                            where, s);
          goto done;
        }
        if (!m) {
          rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                            "%s: the row says crs '%s' but the layer is read as %s", where, s,
                            crs->name);
          goto done;
        }
      }
    }
    pt.category = c_cat >= 0 ? csvtab_get(&t, r, c_cat) : NULL;
    pt.name = c_name >= 0 ? csvtab_get(&t, r, c_name) : "";
    pt.id = c_id >= 0 ? csvtab_get(&t, r, c_id) : "";
    if (!*pt.id) {
      snprintf(idbuf, sizeof idbuf, "row/%" PRId64, t.line[r]);
      pt.id = idbuf;
    }
    pt.capacity = c_cap >= 0 ? csvtab_get(&t, r, c_cap) : NULL;
    pt.open = c_open >= 0 ? csvtab_get(&t, r, c_open) : NULL;
    pt.close = c_close >= 0 ? csvtab_get(&t, r, c_close) : NULL;
    LC_CHECK_GOTO(rc, add_point(tmp, where, crs, &pt, category, cats, layer_index), done);
  }
  rc = check_unique_ids(tmp, t.line, path, 1);
done:
  csvtab_free(&t);
  return rc;
}

/* Reads an optional string-or-number property into buf; returns NULL when absent/null. */
static const char *json_text(json_t *v, char *buf, size_t size, int *bad) {
  *bad = 0;
  if (!v || json_is_null(v))
    return NULL;
  if (json_is_string(v))
    return json_string_value(v);
  if (json_is_integer(v)) {
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return buf;
  }
  if (json_is_real(v)) {
    snprintf(buf, size, "%.17g", json_real_value(v));
    return buf;
  }
  *bad = 1;
  return NULL;
}

static int json_position(json_t *pos, double *x, double *y) {
  if (!json_is_array(pos) || json_array_size(pos) < 2 || !json_is_number(json_array_get(pos, 0)) ||
      !json_is_number(json_array_get(pos, 1)))
    return -1;
  *x = json_number_value(json_array_get(pos, 0));
  *y = json_number_value(json_array_get(pos, 1));
  return 0;
}

static int load_feature(const char *path, json_t *f, size_t fi, const struct crs_ref *crs,
                        const char *category, const char *category_column,
                        const struct category_set *cats, int layer_index,
                        struct facility_set *tmp) {
  char where[600];
  snprintf(where, sizeof where, "%s: feature %zu", path, fi + 1);
  if (!json_is_object(f) || !json_is_string(json_object_get(f, "type")) ||
      strcmp(json_string_value(json_object_get(f, "type")), "Feature") != 0)
    LC_FAIL(LC_EFORMAT, "%s: not a GeoJSON Feature object", where);
  json_t *props = json_object_get(f, "properties");
  if (props && !json_is_null(props) && !json_is_object(props))
    LC_FAIL(LC_EFORMAT, "%s: 'properties' is not an object", where);
  if (props && json_is_null(props))
    props = NULL;
  json_t *geom = json_object_get(f, "geometry");
  if (!geom || json_is_null(geom))
    LC_FAIL(LC_EFORMAT, "%s: missing coordinates (the geometry is null)", where);
  json_t *gtype = json_object_get(geom, "type");
  const char *gt = json_is_string(gtype) ? json_string_value(gtype) : "(none)";
  int multi;
  if (strcmp(gt, "Point") == 0)
    multi = 0;
  else if (strcmp(gt, "MultiPoint") == 0)
    multi = 1;
  else
    LC_FAIL(LC_EFORMAT, "%s: geometry type %s is not a Point or MultiPoint", where, gt);
  json_t *coords = json_object_get(geom, "coordinates");

  struct layer_point pt = {0};
  char b_cat[64], b_name[64], b_id[64], b_cap[64], b_open[64], b_close[64];
  int bad;
  const char *catcol = category_column ? category_column : "category";
  pt.category = json_text(props ? json_object_get(props, catcol) : NULL, b_cat, sizeof b_cat, &bad);
  if (bad)
    LC_FAIL(LC_EFORMAT, "%s: property '%s' is not a string", where, catcol);
  pt.name = json_text(props ? json_object_get(props, "name") : NULL, b_name, sizeof b_name, &bad);
  if (!pt.name)
    pt.name = "";
  pt.id = json_text(props ? json_object_get(props, "id") : NULL, b_id, sizeof b_id, &bad);
  if (!pt.id)
    pt.id = json_text(json_object_get(f, "id"), b_id, sizeof b_id, &bad);
  char idbuf[64];
  if (!pt.id || !*pt.id) {
    snprintf(idbuf, sizeof idbuf, "feature/%zu", fi + 1);
    pt.id = idbuf;
  }
  json_t *cap = props ? json_object_get(props, "capacity") : NULL;
  if (cap && json_is_integer(cap)) {
    pt.has_capacity_num = 1;
    pt.capacity_num = json_integer_value(cap);
  } else if (cap && json_is_real(cap)) {
    double v = json_real_value(cap);
    if (v < 0)
      LC_FAIL(LC_EFORMAT, "%s: negative capacity %g", where, v);
    LC_FAIL(LC_EFORMAT, "%s: capacity %g is not a non-negative integer", where, v);
  } else {
    pt.capacity = json_text(cap, b_cap, sizeof b_cap, &bad);
    if (bad)
      LC_FAIL(LC_EFORMAT, "%s: capacity is not a non-negative integer", where);
  }
  pt.open = json_text(props ? json_object_get(props, "open") : NULL, b_open, sizeof b_open, &bad);
  if (bad)
    LC_FAIL(LC_EFORMAT, "%s: malformed opening time (expected a string HH:MM)", where);
  pt.close =
      json_text(props ? json_object_get(props, "close") : NULL, b_close, sizeof b_close, &bad);
  if (bad)
    LC_FAIL(LC_EFORMAT, "%s: malformed closing time (expected a string HH:MM)", where);

  if (!multi) {
    if (json_position(coords, &pt.x, &pt.y))
      LC_FAIL(LC_EFORMAT, "%s: missing coordinates (need [lon, lat] numbers)", where);
    return add_point(tmp, where, crs, &pt, category, cats, layer_index);
  }
  if (!json_is_array(coords) || json_array_size(coords) == 0)
    LC_FAIL(LC_EFORMAT, "%s: missing coordinates (an empty MultiPoint)", where);
  const char *base_id = pt.id;
  char mid[160];
  for (size_t k = 0; k < json_array_size(coords); k++) {
    char w2[700];
    snprintf(w2, sizeof w2, "%s point %zu", where, k + 1);
    if (json_position(json_array_get(coords, k), &pt.x, &pt.y))
      LC_FAIL(LC_EFORMAT, "%s: missing coordinates (need [lon, lat] numbers)", w2);
    snprintf(mid, sizeof mid, "%s#%zu", base_id, k + 1);
    pt.id = mid;
    LC_CHECK(add_point(tmp, w2, crs, &pt, category, cats, layer_index));
  }
  return LC_OK;
}

/* A GeoJSON "crs" member naming an EPSG code other than the layer's is refused. */
static int check_geojson_crs(const char *path, json_t *root, const struct crs_ref *crs) {
  json_t *m = json_object_get(root, "crs");
  json_t *props = m ? json_object_get(m, "properties") : NULL;
  json_t *nm = props ? json_object_get(props, "name") : NULL;
  long code = json_is_string(nm) ? crs_geojson_epsg(json_string_value(nm)) : 0;
  int same = code == crs->epsg || (code == 4326 && crs->kind != CRS_EPSG);
  if (code > 0 && !same)
    LC_FAIL(LC_EPARAM,
            "%s: the file declares its CRS as EPSG:%ld but the layer is read as "
            "%s; give the layer crs: EPSG:%ld",
            path, code, crs->name, code);
  return LC_OK;
}

static int load_geojson(const char *path, const struct crs_ref *crs, const char *category,
                        const char *category_column, const struct category_set *cats,
                        int layer_index, struct facility_set *tmp) {
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
  int rc = LC_OK;
  int64_t *pos = NULL;
  LC_CHECK_GOTO(rc, check_geojson_crs(path, root, crs), done);
  json_t *type = json_object_get(root, "type");
  const char *ts = json_is_string(type) ? json_string_value(type) : "";
  if (strcmp(ts, "FeatureCollection") == 0) {
    json_t *features = json_object_get(root, "features");
    if (!json_is_array(features)) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: a FeatureCollection without a 'features' array", path);
      goto done;
    }
    for (size_t i = 0; i < json_array_size(features); i++) {
      int64_t before = tmp->n;
      LC_CHECK_GOTO(rc,
                    load_feature(path, json_array_get(features, i), i, crs, category,
                                 category_column, cats, layer_index, tmp),
                    done);
      if (tmp->n > 0) {
        int64_t *p = realloc(pos, (size_t)tmp->n * sizeof *pos);
        if (!p) {
          rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: out of memory", path);
          goto done;
        }
        pos = p;
        for (int64_t r = before; r < tmp->n; r++)
          pos[r] = (int64_t)i + 1;
      }
    }
    rc = check_unique_ids(tmp, pos, path, 0);
  } else if (strcmp(ts, "Feature") == 0) {
    rc = load_feature(path, root, 0, crs, category, category_column, cats, layer_index, tmp);
  } else {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s: top-level GeoJSON type '%s' is not a FeatureCollection or Feature", path,
                      ts);
  }
done:
  free(pos);
  json_decref(root);
  return rc;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int facility_check_format(const char *path) {
  LC_CHECK(crs_need_gdal(path));
  if (has_suffix(path, ".tif") || has_suffix(path, ".tiff"))
    LC_FAIL(LC_EFORMAT,
            "%s: a raster is not a point layer (population rasters: see "
            "inputs/README.md, \"Planners' file formats\")",
            path);
  return LC_OK;
}

int facility_load_layer(const char *path, const char *crs_name_in, const char *category,
                        const char *category_column, const struct category_set *cats,
                        int layer_index, struct facility_set *fs) {
  LC_CHECK(facility_check_format(path));
  struct crs_ref crs;
  if (crs_ref_open(crs_name_in, &crs) != LC_OK) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", lc_error_message());
    LC_FAIL(LC_EPARAM, "%s: %s", path, msg);
  }
  if (category && find_category(cats, category) < 0) {
    crs_ref_close(&crs);
    LC_FAIL(LC_EPARAM,
            "%s: unknown category '%s' given for the layer (valid ids in %s "
            "include: %s)",
            path, category, cats_file(cats), some_categories(cats));
  }
  struct facility_set tmp;
  facility_init(&tmp);
  int rc;
  if (has_suffix(path, ".geojson") || has_suffix(path, ".json"))
    rc = load_geojson(path, &crs, category, category_column, cats, layer_index, &tmp);
  else
    rc = load_csv(path, &crs, category, category_column, cats, layer_index, &tmp);
  crs_ref_close(&crs);
  if (rc == LC_OK)
    rc = facility_append_all(fs, &tmp);
  facility_free(&tmp);
  return rc;
}
