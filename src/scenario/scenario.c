/* Scenario files: YAML (ytree) with geometry in GeoJSON files (jansson, through
 * facility_load_layer and geom_load_polygons), read and checked without the baseline; and the
 * deep copies of facility sets and graphs that scenario_apply edits. The format is described
 * in inputs/changning/scenarios/README.md. Paths inside a scenario file are relative to the
 * directory of the scenario file. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/crs.h"
#include "lifecircle/path.h"
#include "lifecircle/scenario.h"
#include "lifecircle/status.h"
#include "lifecircle/ytree.h"
#include "scenario_internal.h"

/* Refuses keys of `map` that are not in `allowed` (NULL-terminated). */
static int scenario_keys(const char *file, struct ytree_node *map, const char *what,
                         const char *const *allowed) {
  for (int k = 0; k < map->n_children; k++) {
    struct ytree_node *c = map->children[k];
    int known = 0;
    for (int j = 0; allowed[j]; j++)
      known |= strcmp(c->key, allowed[j]) == 0;
    if (!known) {
      char list[512];
      size_t at = 0;
      list[0] = '\0';
      for (int j = 0; allowed[j] && at < sizeof list; j++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", j ? ", " : "", allowed[j]);
      return ytree_fail(LC_EPARAM, file, c, "unknown key '%s' in %s (allowed: %s)", c->key, what,
                        list);
    }
    c->used = 1;
  }
  return LC_OK;
}

static int scenario_string(const char *file, const struct ytree_node *n, const char *key,
                           const char **out) {
  if (n->type != YTREE_SCALAR)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a text, not a %s", key,
                      n->type == YTREE_MAP ? "map" : "list");
  *out = n->value;
  return LC_OK;
}

static int scenario_double(const char *file, const struct ytree_node *n, const char *key,
                           double *out) {
  if (n->type != YTREE_SCALAR)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a number", key);
  char *end;
  errno = 0;
  double v = strtod(n->value, &end);
  if (end == n->value || *end != '\0' || !isfinite(v) || errno == ERANGE)
    return ytree_fail(LC_EPARAM, file, n, "%s '%s' is not a finite number", key, n->value);
  *out = v;
  return LC_OK;
}

static int scenario_int(const char *file, const struct ytree_node *n, const char *key, int64_t min,
                        int64_t max, int64_t *out) {
  if (n->type != YTREE_SCALAR)
    return ytree_fail(LC_EPARAM, file, n, "%s must be an integer", key);
  char *end;
  errno = 0;
  long long v = strtoll(n->value, &end, 10);
  if (end == n->value || *end != '\0' || errno == ERANGE)
    return ytree_fail(LC_EPARAM, file, n, "%s '%s' is not an integer", key, n->value);
  if (v < min || v > max)
    return ytree_fail(LC_EPARAM, file, n, "%s = %lld is outside %" PRId64 "..%" PRId64, key, v, min,
                      max);
  *out = (int64_t)v;
  return LC_OK;
}

static int scenario_hhmm(const char *file, const struct ytree_node *n, const char *key,
                         int32_t *out) {
  const char *s = "";
  LC_CHECK(scenario_string(file, n, key, &s));
  if (facility_parse_hhmm(s, out) != LC_OK)
    return ytree_fail(LC_EPARAM, file, n, "%s '%s' is not a time HH:MM between 00:00 and 24:00",
                      key, s);
  return LC_OK;
}

static int scenario_category(const char *file, const struct ytree_node *n,
                             const struct category_set *cats, int *out) {
  const char *id = "";
  LC_CHECK(scenario_string(file, n, "category", &id));
  int c = categories_find(cats, id);
  if (c < 0) {
    char list[256];
    size_t at = 0;
    list[0] = '\0';
    for (int i = 0; i < cats->n && i < 8 && at < sizeof list; i++)
      at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", cats->c[i].id);
    return ytree_fail(LC_EPARAM, file, n, "category '%s' does not exist in %s (categories: %s%s)",
                      id, cats->file ? cats->file : "the category set", list,
                      cats->n > 8 ? ", ..." : "");
  }
  *out = c;
  return LC_OK;
}

/* A point given as `lon` and `lat` keys of `map` (or a [lon, lat] list `pair`) in the CRS
 * named by `crs_node` (WGS84 when NULL), converted to WGS84. */
static int scenario_point(const char *file, const struct ytree_node *at,
                          const struct ytree_node *lon_n, const struct ytree_node *lat_n,
                          const struct ytree_node *crs_node, double *lon, double *lat) {
  int crs = CRS_WGS84;
  if (crs_node) {
    const char *name = "";
    LC_CHECK(scenario_string(file, crs_node, "crs", &name));
    if (crs_parse(name, &crs) != LC_OK)
      return ytree_fail(LC_EPARAM, file, crs_node, "crs '%s' is not wgs84, gcj02 or bd09", name);
  }
  double x, y;
  LC_CHECK(scenario_double(file, lon_n, "lon", &x));
  LC_CHECK(scenario_double(file, lat_n, "lat", &y));
  if (!crs_valid_lonlat(x, y))
    return ytree_fail(LC_EPARAM, file, at,
                      "coordinates (%g, %g) are not a longitude in "
                      "-180..180 and a latitude in -90..90",
                      x, y);
  if (crs_to_wgs84(crs, x, y, lon, lat) != LC_OK)
    return ytree_fail(LC_EPARAM, file, at, "cannot convert (%g, %g) from %s to WGS84", x, y,
                      crs_name(crs));
  return LC_OK;
}

/* A [lon, lat] list. */
static int scenario_pair(const char *file, const struct ytree_node *n, const char *key,
                         const struct ytree_node *crs_node, double *lon, double *lat) {
  if (n->type != YTREE_SEQ || n->n_children != 2)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a list [lon, lat]", key);
  return scenario_point(file, n, n->children[0], n->children[1], crs_node, lon, lat);
}

/* The path of a file named in the scenario, relative to the scenario file's directory; also
 * listed in sc->inputs (the files a resumed run hashes). */
static char *scenario_resolve(struct scenario *sc, const char *name) {
  const char *scenario_path = sc->file;
  const char *slash = strrchr(scenario_path, '/');
  char *out = NULL;
  if (name[0] == '/' || !slash) {
    out = strdup(name);
  } else {
    size_t dir = (size_t)(slash - scenario_path) + 1, len = dir + strlen(name) + 1;
    out = malloc(len);
    if (out) {
      memcpy(out, scenario_path, dir);
      strcpy(out + dir, name);
    }
  }
  char **more = out ? realloc(sc->inputs, (size_t)(sc->n_inputs + 1) * sizeof *more) : NULL;
  char *copy = more ? strdup(out) : NULL;
  if (more)
    sc->inputs = more;
  if (!copy) {
    free(out);
    return NULL;
  }
  sc->inputs[sc->n_inputs++] = copy;
  return out;
}

static int scenario_push(struct scenario *sc, int *cap, struct scenario_edit **out,
                         enum scenario_kind kind, const struct ytree_node *at) {
  if (sc->n_edits == *cap) {
    int nc = *cap ? 2 * *cap : 8;
    struct scenario_edit *e = realloc(sc->edits, (size_t)nc * sizeof *e);
    if (!e)
      LC_FAIL(LC_ENOMEM, "out of memory reading scenario %s", sc->file);
    sc->edits = e;
    *cap = nc;
  }
  struct scenario_edit *e = &sc->edits[sc->n_edits++];
  memset(e, 0, sizeof *e);
  e->kind = kind;
  e->line = at->line;
  e->column = at->column;
  e->row = -1;
  e->category = -1;
  e->length_cm = -1;
  e->capacity = e->open_min = e->close_min = -1;
  e->way_id = -1;
  facility_init(&e->layer);
  *out = e;
  return LC_OK;
}

/* The polygons of an item's `within` (a GeoJSON file relative to the scenario file, named
 * by `name_property`, default "name") into e->within. */
static int scenario_within(struct scenario *sc, struct ytree_node *item, struct ytree_node *within,
                           struct scenario_edit *e) {
  const char *f = sc->file;
  const char *p = "", *prop = "name";
  struct ytree_node *pn = ytree_child(item, "name_property");
  LC_CHECK(scenario_string(f, within, "within", &p));
  if (pn)
    LC_CHECK(scenario_string(f, pn, "name_property", &prop));
  char *path = scenario_resolve(sc, p);
  e->within = calloc(1, sizeof *e->within);
  if (!path || !e->within) {
    free(path);
    return LC_ENOMEM;
  }
  int st = geom_load_polygons(path, prop, e->within);
  free(path);
  if (st != LC_OK) {
    free(e->within);
    e->within = NULL;
    return ytree_fail(st, f, within, "within: %s", lc_error_message());
  }
  return LC_OK;
}

/* The selection keys shared by remove, relocate and change. */
static int scenario_select(struct scenario *sc, struct ytree_node *item,
                           const struct category_set *cats, int allow_within,
                           struct scenario_edit *e) {
  const char *f = sc->file;
  struct ytree_node *row = ytree_child(item, "row"), *sid = ytree_child(item, "source_id");
  struct ytree_node *within = ytree_child(item, "within"), *cat = ytree_child(item, "category");
  int given = (row != NULL) + (sid != NULL) + (within != NULL);
  if (given != 1)
    return ytree_fail(LC_EPARAM, f, item,
                      "give exactly one of row, source_id%s to name the "
                      "baseline facilities",
                      allow_within ? " and within" : "");
  if (within && !allow_within)
    return ytree_fail(LC_EPARAM, f, within, "within is allowed in remove and change only");
  if (cat)
    LC_CHECK(scenario_category(f, cat, cats, &e->category));
  if (row)
    LC_CHECK(scenario_int(f, row, "row", 0, INT64_MAX, &e->row));
  if (sid) {
    const char *s = "";
    LC_CHECK(scenario_string(f, sid, "source_id", &s));
    if (!(e->source_id = strdup(s)))
      return LC_ENOMEM;
  }
  if (within) {
    LC_CHECK(scenario_within(sc, item, within, e));
  } else if (ytree_child(item, "name_property")) {
    return ytree_fail(LC_EPARAM, f, ytree_child(item, "name_property"),
                      "name_property goes with within");
  }
  return LC_OK;
}

static int scenario_hours(const struct scenario *sc, struct ytree_node *item,
                          struct scenario_edit *e) {
  struct ytree_node *cap = ytree_child(item, "capacity"), *op = ytree_child(item, "open"),
                    *cl = ytree_child(item, "close");
  if (cap) {
    int64_t v;
    LC_CHECK(scenario_int(sc->file, cap, "capacity", 0, INT32_MAX, &v));
    e->capacity = (int32_t)v;
  }
  if (op)
    LC_CHECK(scenario_hhmm(sc->file, op, "open", &e->open_min));
  if (cl)
    LC_CHECK(scenario_hhmm(sc->file, cl, "close", &e->close_min));
  if (e->open_min >= 0 && e->close_min >= 0 && e->close_min <= e->open_min)
    return ytree_fail(LC_EPARAM, sc->file, cl, "close %02d:%02d is not after open %02d:%02d",
                      e->close_min / 60, e->close_min % 60, e->open_min / 60, e->open_min % 60);
  return LC_OK;
}

static int scenario_seq(const char *file, struct ytree_node *n, const char *key) {
  if (n->type != YTREE_SEQ)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a list", key);
  n->used = 1;
  return LC_OK;
}

static int scenario_map(const char *file, struct ytree_node *n, const char *what) {
  if (n->type != YTREE_MAP)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a map", what);
  return LC_OK;
}

static int scenario_read_add(struct scenario *sc, int *cap, struct ytree_node *item,
                             const struct category_set *cats) {
  static const char *const point_keys[] = {"category", "lon",      "lat",  "crs",   "name",
                                           "id",       "capacity", "open", "close", NULL};
  static const char *const layer_keys[] = {"file", "crs", "category", "category_column", NULL};
  const char *f = sc->file;
  LC_CHECK(scenario_map(f, item, "an item of facilities:add"));
  struct scenario_edit *e;
  if (ytree_child(item, "file")) {
    LC_CHECK(scenario_keys(f, item, "a layer of facilities:add", layer_keys));
    LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_ADD_LAYER, item));
    const char *file = "", *crs = "", *category = NULL, *column = NULL;
    struct ytree_node *crs_n = ytree_child(item, "crs");
    if (!crs_n)
      return ytree_fail(LC_EPARAM, f, item, "a layer needs crs (wgs84, gcj02 or bd09)");
    LC_CHECK(scenario_string(f, ytree_child(item, "file"), "file", &file));
    LC_CHECK(scenario_string(f, crs_n, "crs", &crs));
    if (ytree_child(item, "category")) {
      int c;
      LC_CHECK(scenario_category(f, ytree_child(item, "category"), cats, &c));
      category = cats->c[c].id;
    }
    if (ytree_child(item, "category_column"))
      LC_CHECK(
          scenario_string(f, ytree_child(item, "category_column"), "category_column", &column));
    if (!(e->path = scenario_resolve(sc, file)))
      return LC_ENOMEM;
    int st =
        facility_load_layer(e->path, crs, category, column, cats, SCENARIO_LAYER_ADDED, &e->layer);
    if (st != LC_OK)
      return ytree_fail(st, f, item, "facilities:add: %s", lc_error_message());
    return LC_OK;
  }
  LC_CHECK(scenario_keys(f, item, "a point of facilities:add", point_keys));
  LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_ADD_POINT, item));
  struct ytree_node *cat = ytree_child(item, "category"), *lon = ytree_child(item, "lon"),
                    *lat = ytree_child(item, "lat");
  if (!cat || !lon || !lat)
    return ytree_fail(LC_EPARAM, f, item,
                      "an added facility needs category, lon and lat (or "
                      "file: a GeoJSON/CSV layer)");
  LC_CHECK(scenario_category(f, cat, cats, &e->category));
  LC_CHECK(scenario_point(f, item, lon, lat, ytree_child(item, "crs"), &e->lon, &e->lat));
  const char *s = "";
  if (ytree_child(item, "name")) {
    LC_CHECK(scenario_string(f, ytree_child(item, "name"), "name", &s));
    if (!(e->name = strdup(s)))
      return LC_ENOMEM;
  }
  if (ytree_child(item, "id")) {
    LC_CHECK(scenario_string(f, ytree_child(item, "id"), "id", &s));
    /* Two added facilities with one id could not be told apart in the results. */
    for (int k = 0; k < sc->n_edits - 1; k++)
      if (sc->edits[k].kind == SCENARIO_ADD_POINT && sc->edits[k].id && !strcmp(sc->edits[k].id, s))
        return ytree_fail(LC_EPARAM, f, ytree_child(item, "id"),
                          "id '%s' is already used by the facility added at line %d", s,
                          sc->edits[k].line);
    if (!(e->id = strdup(s)))
      return LC_ENOMEM;
  }
  LC_CHECK(scenario_hours(sc, item, e));
  /* Defaults from the category, checked together. */
  const struct category *c = &cats->c[e->category];
  int32_t op = e->open_min >= 0 ? e->open_min : c->open_min;
  int32_t cl = e->close_min >= 0 ? e->close_min : c->close_min;
  if (cl <= op)
    return ytree_fail(LC_EPARAM, f, item,
                      "opening hours %02d:%02d-%02d:%02d (with the category's "
                      "defaults) are empty",
                      op / 60, op % 60, cl / 60, cl % 60);
  return LC_OK;
}

static int scenario_read_facilities(struct scenario *sc, int *cap, struct ytree_node *fac,
                                    const struct category_set *cats) {
  static const char *const keys[] = {"add", "remove", "relocate", "change", NULL};
  static const char *const remove_keys[] = {"row",           "source_id", "within",
                                            "name_property", "category",  NULL};
  static const char *const relocate_keys[] = {"row", "source_id", "category", "lon",
                                              "lat", "crs",       NULL};
  static const char *const change_keys[] = {
      "row", "source_id", "within", "name_property", "category", "capacity", "open", "close", NULL};
  const char *f = sc->file;
  LC_CHECK(scenario_map(f, fac, "facilities"));
  LC_CHECK(scenario_keys(f, fac, "facilities", keys));
  struct ytree_node *n;
  if ((n = ytree_child(fac, "add"))) {
    LC_CHECK(scenario_seq(f, n, "facilities:add"));
    for (int i = 0; i < n->n_children; i++)
      LC_CHECK(scenario_read_add(sc, cap, n->children[i], cats));
  }
  if ((n = ytree_child(fac, "remove"))) {
    LC_CHECK(scenario_seq(f, n, "facilities:remove"));
    for (int i = 0; i < n->n_children; i++) {
      struct ytree_node *item = n->children[i];
      struct scenario_edit *e;
      LC_CHECK(scenario_map(f, item, "an item of facilities:remove"));
      LC_CHECK(scenario_keys(f, item, "facilities:remove", remove_keys));
      LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_REMOVE, item));
      LC_CHECK(scenario_select(sc, item, cats, 1, e));
    }
  }
  if ((n = ytree_child(fac, "relocate"))) {
    LC_CHECK(scenario_seq(f, n, "facilities:relocate"));
    for (int i = 0; i < n->n_children; i++) {
      struct ytree_node *item = n->children[i];
      struct scenario_edit *e;
      LC_CHECK(scenario_map(f, item, "an item of facilities:relocate"));
      LC_CHECK(scenario_keys(f, item, "facilities:relocate", relocate_keys));
      LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_RELOCATE, item));
      LC_CHECK(scenario_select(sc, item, cats, 0, e));
      struct ytree_node *lon = ytree_child(item, "lon"), *lat = ytree_child(item, "lat");
      if (!lon || !lat)
        return ytree_fail(LC_EPARAM, f, item, "a relocation needs the new lon and lat");
      LC_CHECK(scenario_point(f, item, lon, lat, ytree_child(item, "crs"), &e->lon, &e->lat));
    }
  }
  if ((n = ytree_child(fac, "change"))) {
    LC_CHECK(scenario_seq(f, n, "facilities:change"));
    for (int i = 0; i < n->n_children; i++) {
      struct ytree_node *item = n->children[i];
      struct scenario_edit *e;
      LC_CHECK(scenario_map(f, item, "an item of facilities:change"));
      LC_CHECK(scenario_keys(f, item, "facilities:change", change_keys));
      LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_CHANGE, item));
      LC_CHECK(scenario_select(sc, item, cats, 1, e));
      LC_CHECK(scenario_hours(sc, item, e));
      if (e->capacity < 0 && e->open_min < 0 && e->close_min < 0)
        return ytree_fail(LC_EPARAM, f, item, "a change needs capacity, open or close");
    }
  }
  return LC_OK;
}

static int scenario_read_network(struct scenario *sc, int *cap, struct ytree_node *net) {
  static const char *const keys[] = {"add_links", "close_ways", NULL};
  static const char *const link_keys[] = {"from", "to", "crs", "length_m", "name", NULL};
  const char *f = sc->file;
  LC_CHECK(scenario_map(f, net, "network"));
  LC_CHECK(scenario_keys(f, net, "network", keys));
  struct ytree_node *n;
  if ((n = ytree_child(net, "add_links"))) {
    LC_CHECK(scenario_seq(f, n, "network:add_links"));
    for (int i = 0; i < n->n_children; i++) {
      struct ytree_node *item = n->children[i];
      struct scenario_edit *e;
      LC_CHECK(scenario_map(f, item, "an item of network:add_links"));
      LC_CHECK(scenario_keys(f, item, "network:add_links", link_keys));
      LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_ADD_LINK, item));
      struct ytree_node *from = ytree_child(item, "from"), *to = ytree_child(item, "to");
      struct ytree_node *crs = ytree_child(item, "crs"), *len = ytree_child(item, "length_m");
      if (!from || !to)
        return ytree_fail(LC_EPARAM, f, item, "a link needs from: [lon, lat] and to: [lon, lat]");
      LC_CHECK(scenario_pair(f, from, "from", crs, &e->lon, &e->lat));
      LC_CHECK(scenario_pair(f, to, "to", crs, &e->lon2, &e->lat2));
      if (len) {
        double m;
        LC_CHECK(scenario_double(f, len, "length_m", &m));
        if (!(m >= 0.01 && m <= 100000))
          return ytree_fail(LC_EPARAM, f, len, "length_m = %g m is outside 0.01..100000 m", m);
        e->length_cm = llround(m * 100.0);
      }
      if (ytree_child(item, "name")) {
        const char *s = "";
        LC_CHECK(scenario_string(f, ytree_child(item, "name"), "name", &s));
        if (!(e->name = strdup(s)))
          return LC_ENOMEM;
      }
    }
  }
  if ((n = ytree_child(net, "close_ways"))) {
    LC_CHECK(scenario_seq(f, n, "network:close_ways"));
    for (int i = 0; i < n->n_children; i++) {
      struct scenario_edit *e;
      LC_CHECK(scenario_push(sc, cap, &e, SCENARIO_CLOSE_WAY, n->children[i]));
      LC_CHECK(scenario_int(f, n->children[i], "an OSM way id", 1, INT64_MAX, &e->way_id));
    }
  }
  return LC_OK;
}

/* One item of population:add or population:remove: a housing project (or a place losing
 * residents) at a point or in polygons, its residents and, optionally, its group mix. */
static int scenario_read_residents(struct scenario *sc, int *cap, struct ytree_node *item,
                                   enum scenario_kind kind, const char *what) {
  static const char *const keys[] = {"name",
                                     "lon",
                                     "lat",
                                     "crs",
                                     "within",
                                     "name_property",
                                     "residents",
                                     "dwellings",
                                     "household_size",
                                     "household_size_source",
                                     "groups",
                                     NULL};
  const char *f = sc->file;
  struct scenario_edit *e;
  LC_CHECK(scenario_map(f, item, what));
  LC_CHECK(scenario_keys(f, item, what, keys));
  LC_CHECK(scenario_push(sc, cap, &e, kind, item));
  struct ytree_node *lon = ytree_child(item, "lon"), *lat = ytree_child(item, "lat");
  struct ytree_node *within = ytree_child(item, "within");
  if ((lon || lat) && within)
    return ytree_fail(LC_EPARAM, f, item,
                      "give the place as lon and lat or as within (a "
                      "GeoJSON polygon file), not both");
  if (within) {
    LC_CHECK(scenario_within(sc, item, within, e));
  } else if (lon && lat) {
    LC_CHECK(scenario_point(f, item, lon, lat, ytree_child(item, "crs"), &e->lon, &e->lat));
    if (ytree_child(item, "name_property"))
      return ytree_fail(LC_EPARAM, f, ytree_child(item, "name_property"),
                        "name_property goes with within");
  } else {
    return ytree_fail(LC_EPARAM, f, item,
                      "the place is missing: give lon and lat (a point, "
                      "snapped to the nearest node) or within (a GeoJSON polygon file)");
  }
  if (ytree_child(item, "name")) {
    const char *s = "";
    LC_CHECK(scenario_string(f, ytree_child(item, "name"), "name", &s));
    if (!(e->name = strdup(s)))
      return LC_ENOMEM;
  }
  struct ytree_node *res = ytree_child(item, "residents"), *dw = ytree_child(item, "dwellings");
  struct ytree_node *hs = ytree_child(item, "household_size"),
                    *src = ytree_child(item, "household_size_source");
  if ((res != NULL) == (dw != NULL))
    return ytree_fail(LC_EPARAM, f, item,
                      "give exactly one of residents (persons) and "
                      "dwellings (with household_size and household_size_source)");
  if (res) {
    if (hs || src)
      return ytree_fail(LC_EPARAM, f, hs ? hs : src,
                        "household_size and "
                        "household_size_source go with dwellings, not with residents");
    LC_CHECK(scenario_int(f, res, "residents", 1, 10000000, &e->residents));
  } else {
    if (!hs || !src)
      return ytree_fail(LC_EPARAM, f, item,
                        "dwellings need household_size (persons per "
                        "dwelling) and household_size_source (where that figure comes from)");
    LC_CHECK(scenario_int(f, dw, "dwellings", 1, 10000000, &e->dwellings));
    LC_CHECK(scenario_double(f, hs, "household_size", &e->household_size));
    if (!(e->household_size >= 0.5 && e->household_size <= 20))
      return ytree_fail(LC_EPARAM, f, hs,
                        "household_size = %g persons per dwelling is outside "
                        "0.5..20",
                        e->household_size);
    const char *s = "";
    LC_CHECK(scenario_string(f, src, "household_size_source", &s));
    if (!s[0])
      return ytree_fail(LC_EPARAM, f, src,
                        "household_size_source is empty: say where the "
                        "household size comes from (or mark it [ASSUMPTION])");
    if (!(e->household_source = strdup(s)))
      return LC_ENOMEM;
    /* Persons = dwellings x household size, rounded to the nearest integer. */
    e->residents = llround((double)e->dwellings * e->household_size);
    if (e->residents < 1)
      return ytree_fail(LC_EPARAM, f, item, "dwellings x household_size is below 1 resident");
  }
  struct ytree_node *mix = ytree_child(item, "groups");
  if (mix) {
    LC_CHECK(scenario_map(f, mix, "groups (group id: share)"));
    mix->used = 1;
    e->n_mix = mix->n_children;
    e->mix_id = lc_calloc_array(e->n_mix, sizeof *e->mix_id);
    e->mix_share = lc_calloc_array(e->n_mix, sizeof *e->mix_share);
    if (!e->mix_id || !e->mix_share)
      return LC_ENOMEM;
    double sum = 0;
    for (int k = 0; k < e->n_mix; k++) {
      struct ytree_node *c = mix->children[k];
      c->used = 1;
      LC_CHECK(scenario_double(f, c, "a group share", &e->mix_share[k]));
      if (!(e->mix_share[k] >= 0 && e->mix_share[k] <= 1))
        return ytree_fail(LC_EPARAM, f, c, "share of group '%s' = %g is outside 0..1", c->key,
                          e->mix_share[k]);
      if (!(e->mix_id[k] = strdup(c->key)))
        return LC_ENOMEM;
      sum += e->mix_share[k];
    }
    if (fabs(sum - 1.0) > 1e-6)
      return ytree_fail(LC_EPARAM, f, mix, "the group shares sum to %.6g, not 1", sum);
  }
  return LC_OK;
}

static int scenario_read_population(struct scenario *sc, int *cap, struct ytree_node *pop) {
  static const char *const keys[] = {"add", "remove", NULL};
  const char *f = sc->file;
  LC_CHECK(scenario_map(f, pop, "population"));
  LC_CHECK(scenario_keys(f, pop, "population", keys));
  struct ytree_node *n;
  if ((n = ytree_child(pop, "add"))) {
    LC_CHECK(scenario_seq(f, n, "population:add"));
    for (int i = 0; i < n->n_children; i++)
      LC_CHECK(scenario_read_residents(sc, cap, n->children[i], SCENARIO_ADD_RESIDENTS,
                                       "an item of population:add"));
  }
  if ((n = ytree_child(pop, "remove"))) {
    LC_CHECK(scenario_seq(f, n, "population:remove"));
    for (int i = 0; i < n->n_children; i++)
      LC_CHECK(scenario_read_residents(sc, cap, n->children[i], SCENARIO_REMOVE_RESIDENTS,
                                       "an item of population:remove"));
  }
  return LC_OK;
}

int scenario_load(const char *path, const struct category_set *cats, struct scenario *sc) {
  static const char *const keys[] = {
      "name", "description", "illustrative", "facilities", "network", "population", NULL};
  memset(sc, 0, sizeof *sc);
  struct ytree t;
  LC_CHECK(ytree_load(path, &t));
  int st = LC_OK, cap = 0;
  sc->file = strdup(path);
  if (!sc->file) {
    st = LC_ENOMEM;
    goto done;
  }
  if (!t.root || t.root->type != YTREE_MAP) {
    st = ytree_fail(LC_EPARAM, path, t.root,
                    "a scenario file must be a map with name, "
                    "description, facilities and network");
    goto done;
  }
  LC_CHECK_GOTO(st, scenario_keys(path, t.root, "a scenario file", keys), done);
  struct ytree_node *n = ytree_child(t.root, "name");
  if (n) {
    const char *s = "";
    LC_CHECK_GOTO(st, scenario_string(path, n, "name", &s), done);
    sc->name = strdup(s);
  } else {
    sc->name = path_stem(path);
  }
  if (!sc->name) {
    st = LC_ENOMEM;
    goto done;
  }
  if (!sc->name[0]) {
    st = ytree_fail(LC_EPARAM, path, n, "the scenario name is empty");
    goto done;
  }
  for (const char *p = sc->name; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
      st = ytree_fail(LC_EPARAM, path, n ? n : t.root,
                      "scenario name '%s' may hold only letters, digits, '-' and '_'", sc->name);
      goto done;
    }
  n = ytree_child(t.root, "description");
  if (n) {
    const char *s = "";
    LC_CHECK_GOTO(st, scenario_string(path, n, "description", &s), done);
    sc->description = strdup(s);
  } else {
    sc->description = strdup("");
  }
  if (!sc->description) {
    st = LC_ENOMEM;
    goto done;
  }
  if ((n = ytree_child(t.root, "illustrative"))) {
    const char *s = "";
    LC_CHECK_GOTO(st, scenario_string(path, n, "illustrative", &s), done);
    if (strcmp(s, "true") && strcmp(s, "false")) {
      st = ytree_fail(LC_EPARAM, path, n, "illustrative must be true or false, not '%s'", s);
      goto done;
    }
    sc->illustrative = !strcmp(s, "true");
  }
  if ((n = ytree_child(t.root, "facilities")))
    LC_CHECK_GOTO(st, scenario_read_facilities(sc, &cap, n, cats), done);
  if ((n = ytree_child(t.root, "network")))
    LC_CHECK_GOTO(st, scenario_read_network(sc, &cap, n), done);
  if ((n = ytree_child(t.root, "population")))
    LC_CHECK_GOTO(st, scenario_read_population(sc, &cap, n), done);
done:
  ytree_free(&t);
  if (st != LC_OK)
    scenario_free(sc);
  return st;
}

void scenario_free(struct scenario *sc) {
  if (!sc)
    return;
  for (int i = 0; i < sc->n_edits; i++) {
    struct scenario_edit *e = &sc->edits[i];
    free(e->source_id);
    if (e->within) {
      geom_free(e->within);
      free(e->within);
    }
    free(e->name);
    free(e->id);
    free(e->path);
    free(e->household_source);
    for (int k = 0; k < e->n_mix; k++)
      free(e->mix_id[k]);
    free(e->mix_id);
    free(e->mix_share);
    facility_free(&e->layer);
  }
  free(sc->edits);
  for (int i = 0; i < sc->n_inputs; i++)
    free(sc->inputs[i]);
  free(sc->inputs);
  free(sc->name);
  free(sc->description);
  free(sc->file);
  memset(sc, 0, sizeof *sc);
}

void scenario_effect_free(struct scenario_effect *e) {
  if (!e)
    return;
  free(e->category_changed);
  memset(e, 0, sizeof *e);
}

int facility_copy(const struct facility_set *src, struct facility_set *dst) {
  facility_init(dst);
  for (int64_t i = 0; i < src->n; i++) {
    int st = facility_add(dst, src->lon[i], src->lat[i], src->category[i], src->layer[i],
                          src->source_id[i], src->name[i], src->capacity[i], src->open_min[i],
                          src->close_min[i]);
    if (st != LC_OK) {
      facility_free(dst);
      return st;
    }
    dst->node[i] = src->node[i];
    dst->snap_cm[i] = src->snap_cm[i];
    dst->excluded[i] = src->excluded[i];
  }
  return LC_OK;
}

/* Duplicates n elements of an array (NULL stays NULL). */
static int scenario_dup(const void *src, size_t n, size_t elem, void **dst) {
  *dst = NULL;
  if (!src)
    return LC_OK;
  *dst = malloc(n > 0 ? n * elem : 1);
  if (!*dst)
    return LC_ENOMEM;
  memcpy(*dst, src, n * elem);
  return LC_OK;
}

int graph_copy(const struct graph *src, struct graph *dst) {
  graph_init(dst);
  size_t n = (size_t)src->n_nodes, m = (size_t)src->n_edges;
  dst->n_nodes = src->n_nodes;
  dst->n_edges = src->n_edges;
  int st = LC_OK;
  LC_CHECK_GOTO(st, scenario_dup(src->lon, n, sizeof(double), (void **)&dst->lon), fail);
  LC_CHECK_GOTO(st, scenario_dup(src->lat, n, sizeof(double), (void **)&dst->lat), fail);
  LC_CHECK_GOTO(st, scenario_dup(src->osm_id, n, sizeof(int64_t), (void **)&dst->osm_id), fail);
  LC_CHECK_GOTO(st, scenario_dup(src->u, m, sizeof(int64_t), (void **)&dst->u), fail);
  LC_CHECK_GOTO(st, scenario_dup(src->v, m, sizeof(int64_t), (void **)&dst->v), fail);
  LC_CHECK_GOTO(st, scenario_dup(src->length_cm, m, sizeof(int64_t), (void **)&dst->length_cm),
                fail);
  LC_CHECK_GOTO(st, scenario_dup(src->cost_cm, m, sizeof(int64_t), (void **)&dst->cost_cm), fail);
  LC_CHECK_GOTO(st, scenario_dup(src->way_id, m, sizeof(int64_t), (void **)&dst->way_id), fail);
  if (src->geom_off) {
    size_t np = (size_t)src->geom_off[m];
    LC_CHECK_GOTO(st, scenario_dup(src->geom_off, m + 1, sizeof(int64_t), (void **)&dst->geom_off),
                  fail);
    LC_CHECK_GOTO(st, scenario_dup(src->geom_lon, np, sizeof(double), (void **)&dst->geom_lon),
                  fail);
    LC_CHECK_GOTO(st, scenario_dup(src->geom_lat, np, sizeof(double), (void **)&dst->geom_lat),
                  fail);
  }
  if (src->adj_off)
    LC_CHECK_GOTO(st, graph_build_csr(dst), fail);
  return LC_OK;
fail:
  graph_free(dst);
  if (st == LC_ENOMEM)
    LC_FAIL(LC_ENOMEM, "out of memory copying a graph of %" PRId64 " nodes", src->n_nodes);
  return st;
}
