/* Facility categories: loading and validating the categories file, finding a category by id
 * and matching OSM tags against the categories' tag rules. */
#include "lifecircle/categories.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/status.h"
#include "lifecircle/ytree.h"

/* The population groups a category may name. */
static const char *const categories_groups[] = {"child", "pupil", "adult", "elderly"};
#define CATEGORIES_N_GROUPS 4

/* The keys a category entry may have. */
static const char *const categories_keys[] = {
    "id",       "name_zh",  "name_en",     "threshold_min", "target_share", "essential",
    "radius_m", "capacity", "service_min", "open",          "close",        "groups",
    "source",   "osm",      "expected",    "names"};
#define CATEGORIES_N_KEYS (sizeof categories_keys / sizeof categories_keys[0])

/* Records a message "file:line:column: context: text" for a node and returns status. */
static int categories_fail(int status, const char *file, const struct ytree_node *n,
                           const char *context, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int categories_fail(int status, const char *file, const struct ytree_node *n,
                           const char *context, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ytree_vfail(status, file, n, context, fmt, ap);
  va_end(ap);
  return rc;
}

/* Returns the scalar child `key` of map `m` (marked used), or fails naming the key. */
static int categories_scalar(const char *file, struct ytree_node *m, const char *key,
                             const char *ctx, struct ytree_node **out) {
  struct ytree_node *n = ytree_child(m, key);
  *out = NULL;
  if (!n)
    return categories_fail(LC_EPARAM, file, m, ctx, "the key '%s' is required", key);
  n->used = 1;
  if (n->type != YTREE_SCALAR)
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' must be a single value", key);
  *out = n;
  return LC_OK;
}

static int categories_string(const char *file, struct ytree_node *m, const char *key,
                             const char *ctx, char **out) {
  struct ytree_node *n;
  LC_CHECK(categories_scalar(file, m, key, ctx, &n));
  if (!n->value[0])
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' must not be empty", key);
  *out = strdup(n->value);
  return *out ? LC_OK : LC_ENOMEM;
}

static int categories_int(const char *file, struct ytree_node *m, const char *key, const char *ctx,
                          long lo, long hi, const char *unit, int *out) {
  struct ytree_node *n;
  LC_CHECK(categories_scalar(file, m, key, ctx, &n));
  char *end;
  errno = 0;
  long v = strtol(n->value, &end, 10);
  if (end == n->value || *end || errno)
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' = '%s' is not an integer", key, n->value);
  if (v < lo || v > hi)
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' = %ld %s is outside %ld..%ld %s", key, v,
                           unit, lo, hi, unit);
  *out = (int)v;
  return LC_OK;
}

static int categories_double(const char *file, struct ytree_node *m, const char *key,
                             const char *ctx, double lo, double hi, int lo_open, const char *unit,
                             double *out) {
  struct ytree_node *n;
  LC_CHECK(categories_scalar(file, m, key, ctx, &n));
  char *end;
  errno = 0;
  double v = strtod(n->value, &end);
  if (end == n->value || *end || errno || !isfinite(v))
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' = '%s' is not a number", key, n->value);
  if ((lo_open ? v <= lo : v < lo) || v > hi)
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' = %g %s is outside %s%g, %g] %s", key, v,
                           unit, lo_open ? "(" : "[", lo, hi, unit);
  *out = v;
  return LC_OK;
}

static int categories_bool(const char *file, struct ytree_node *m, const char *key, const char *ctx,
                           int *out) {
  struct ytree_node *n;
  LC_CHECK(categories_scalar(file, m, key, ctx, &n));
  const char *v = n->value;
  if (!strcmp(v, "true") || !strcmp(v, "yes"))
    *out = 1;
  else if (!strcmp(v, "false") || !strcmp(v, "no"))
    *out = 0;
  else
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' = '%s' must be true or false", key, v);
  return LC_OK;
}

/* Parses "HH:MM" (00:00..23:59, or 24:00 when allow_24) into minutes after midnight. */
static int categories_time(const char *file, struct ytree_node *m, const char *key, const char *ctx,
                           int allow_24, int *out) {
  struct ytree_node *n;
  LC_CHECK(categories_scalar(file, m, key, ctx, &n));
  const char *s = n->value;
  if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
      s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
    return categories_fail(LC_EPARAM, file, n, ctx,
                           "'%s' = '%s' is not a time \"HH:MM\" (write it in quotes)", key, s);
  int h = (s[0] - '0') * 10 + (s[1] - '0'), mi = (s[3] - '0') * 10 + (s[4] - '0');
  int ok = (h < 24 && mi < 60) || (allow_24 && h == 24 && mi == 0);
  if (!ok)
    return categories_fail(LC_EPARAM, file, n, ctx, "'%s' = '%s' is outside 00:00..%s", key, s,
                           allow_24 ? "24:00" : "23:59");
  *out = h * 60 + mi;
  return LC_OK;
}

/* Reads `groups`: a non-empty list of known, distinct groups, stored comma-separated. */
static int categories_groups_read(const char *file, struct ytree_node *m, const char *ctx,
                                  char **out) {
  struct ytree_node *n = ytree_child(m, "groups");
  *out = NULL;
  if (!n)
    return categories_fail(LC_EPARAM, file, m, ctx, "the key 'groups' is required");
  n->used = 1;
  if (n->type != YTREE_SEQ)
    return categories_fail(LC_EPARAM, file, n, ctx,
                           "'groups' must be a list among child, pupil, adult, elderly");
  if (n->n_children == 0)
    return categories_fail(LC_EPARAM, file, n, ctx, "'groups' is an empty list");
  int seen[CATEGORIES_N_GROUPS] = {0};
  size_t len = 0;
  for (int i = 0; i < n->n_children; i++) {
    struct ytree_node *g = n->children[i];
    g->used = 1;
    int k = -1;
    if (g->type == YTREE_SCALAR)
      for (int j = 0; j < CATEGORIES_N_GROUPS; j++)
        if (!strcmp(g->value, categories_groups[j]))
          k = j;
    if (k < 0)
      return categories_fail(LC_EPARAM, file, g, ctx,
                             "unknown group '%s' in 'groups' (allowed: child, pupil, adult, "
                             "elderly)",
                             g->type == YTREE_SCALAR ? g->value : "(not a value)");
    if (seen[k])
      return categories_fail(LC_EPARAM, file, g, ctx, "group '%s' is listed twice", g->value);
    seen[k] = 1;
    len += strlen(g->value) + 1;
  }
  char *s = malloc(len + 1);
  if (!s)
    return LC_ENOMEM;
  s[0] = '\0';
  for (int i = 0; i < n->n_children; i++) {
    if (i)
      strcat(s, ",");
    strcat(s, n->children[i]->value);
  }
  *out = s;
  return LC_OK;
}

static void categories_rule_free(struct category_rule *r) {
  for (int i = 0; i < r->n; i++) {
    free(r->keys[i]);
    free(r->values[i]);
  }
  free(r->keys);
  free(r->values);
  memset(r, 0, sizeof *r);
}

/* Checks one alternative of a rule value: non-empty, "~" followed by text. */
static int categories_alt_ok(const char *a, size_t len) {
  if (len == 0)
    return 0;
  if (a[0] == '~' && len == 1)
    return 0;
  return 1;
}

/* Reads one condition value: a scalar "a|b" or a list of scalars, stored as "a|b". */
static int categories_rule_value(const char *file, struct ytree_node *v, const char *ctx,
                                 const char *key, char **out) {
  *out = NULL;
  if (v->type == YTREE_MAP)
    return categories_fail(LC_EPARAM, file, v, ctx,
                           "the value of tag '%s' must be a value or a list of values", key);
  size_t len = 0;
  if (v->type == YTREE_SCALAR) {
    len = strlen(v->value);
  } else {
    if (v->n_children == 0)
      return categories_fail(LC_EPARAM, file, v, ctx, "tag '%s' has an empty list of values", key);
    for (int i = 0; i < v->n_children; i++) {
      struct ytree_node *c = v->children[i];
      if (c->type != YTREE_SCALAR)
        return categories_fail(LC_EPARAM, file, c, ctx,
                               "the values of tag '%s' must be plain values", key);
      len += strlen(c->value) + 1;
    }
  }
  char *s = malloc(len + 1);
  if (!s)
    return LC_ENOMEM;
  s[0] = '\0';
  if (v->type == YTREE_SCALAR) {
    strcpy(s, v->value);
  } else {
    for (int i = 0; i < v->n_children; i++) {
      if (i)
        strcat(s, "|");
      strcat(s, v->children[i]->value);
    }
  }
  /* Every alternative must be non-empty ("a||b", "" and a lone "~" are refused). */
  const char *p = s;
  for (;;) {
    const char *e = strchr(p, '|');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (!categories_alt_ok(p, l)) {
      free(s);
      return categories_fail(LC_EPARAM, file, v, ctx, "tag '%s' has an empty value or alternative",
                             key);
    }
    if (!e)
      break;
    p = e + 1;
  }
  *out = s;
  return LC_OK;
}

/* Reads `osm`: a list of maps of tag conditions. Absent or [] means no rules. */
static int categories_rules_read(const char *file, struct ytree_node *m, const char *ctx,
                                 struct category *c) {
  struct ytree_node *n = ytree_child(m, "osm");
  if (!n)
    return LC_OK;
  ytree_mark_used(n);
  if (n->type != YTREE_SEQ)
    return categories_fail(LC_EPARAM, file, n, ctx,
                           "'osm' must be a list of tag rules (maps key: value)");
  if (n->n_children == 0)
    return LC_OK;
  c->rules = calloc((size_t)n->n_children, sizeof *c->rules);
  if (!c->rules)
    return LC_ENOMEM;
  for (int i = 0; i < n->n_children; i++) {
    struct ytree_node *r = n->children[i];
    if (r->type != YTREE_MAP)
      return categories_fail(LC_EPARAM, file, r, ctx,
                             "osm rule %d must be a map of tag conditions (key: value)", i);
    if (r->n_children == 0)
      return categories_fail(LC_EPARAM, file, r, ctx, "osm rule %d is empty", i);
    struct category_rule *rule = &c->rules[c->n_rules++];
    rule->keys = calloc((size_t)r->n_children, sizeof *rule->keys);
    rule->values = calloc((size_t)r->n_children, sizeof *rule->values);
    if (!rule->keys || !rule->values)
      return LC_ENOMEM;
    for (int j = 0; j < r->n_children; j++) {
      struct ytree_node *kv = r->children[j];
      if (!kv->key[0])
        return categories_fail(LC_EPARAM, file, kv, ctx, "osm rule %d has an empty key", i);
      rule->keys[j] = strdup(kv->key);
      if (!rule->keys[j])
        return LC_ENOMEM;
      /* Count the key before the value so that a failure frees it. */
      rule->n = j + 1;
      LC_CHECK(categories_rule_value(file, kv, ctx, kv->key, &rule->values[j]));
    }
  }
  return LC_OK;
}

/* Reads the names: optional `name_zh`, `name_en` (required unless `names` has `en`) and the
 * optional map `names` (language code: name, any languages). c->names lists every name once,
 * zh and en first when given, then the map's other languages in file order. */
static int categories_names_read(const char *file, struct ytree_node *m, const char *ctx,
                                 struct category *c) {
  struct ytree_node *map = ytree_child(m, "names");
  int n_map = 0;
  if (map) {
    ytree_mark_used(map);
    if (map->type != YTREE_MAP)
      return categories_fail(LC_EPARAM, file, map, ctx,
                             "'names' must be a map of language codes to names (en: ..., "
                             "fr: ...)");
    n_map = map->n_children;
    for (int i = 0; i < n_map; i++) {
      struct ytree_node *v = map->children[i];
      const char *k = v->key;
      int ok = k[0] != '\0' && strlen(k) <= 15;
      for (const char *q = k; *q && ok; q++)
        ok = isalpha((unsigned char)*q) || *q == '-' || *q == '_';
      if (!ok)
        return categories_fail(LC_EPARAM, file, v, ctx,
                               "'names: %s' is not a language code (letters, '-' or '_')", k);
      if (v->type != YTREE_SCALAR || !v->value[0])
        return categories_fail(LC_EPARAM, file, v, ctx, "'names: %s' must be a non-empty text", k);
      for (int j = 0; j < i; j++)
        if (!strcmp(map->children[j]->key, k))
          return categories_fail(LC_EPARAM, file, v, ctx, "language '%s' is named twice", k);
    }
  }
  const char *from_map[2] = {NULL, NULL};
  static const char *const fixed[2] = {"zh", "en"};
  for (int f = 0; f < 2; f++) {
    char key[16];
    snprintf(key, sizeof key, "name_%s", fixed[f]);
    struct ytree_node *v = map ? ytree_child(map, fixed[f]) : NULL;
    if (v)
      from_map[f] = v->value;
    if (ytree_child(m, key)) {
      LC_CHECK(categories_string(file, m, key, ctx, f ? &c->name_en : &c->name_zh));
    } else if (from_map[f] || f == 0) {
      if (!(*(f ? &c->name_en : &c->name_zh) = strdup(from_map[f] ? from_map[f] : "")))
        return LC_ENOMEM;
    } else {
      return categories_fail(LC_EPARAM, file, m, ctx,
                             "the key 'name_en' is required (or give 'names' with 'en')");
    }
    if (v && strcmp(v->value, f ? c->name_en : c->name_zh))
      return categories_fail(LC_EPARAM, file, v, ctx, "'names: %s' differs from 'name_%s'",
                             fixed[f], fixed[f]);
  }
  c->name_lang = calloc((size_t)n_map + 2, sizeof *c->name_lang);
  c->name_text = calloc((size_t)n_map + 2, sizeof *c->name_text);
  if (!c->name_lang || !c->name_text)
    return LC_ENOMEM;
  for (int f = 0; f < 2; f++) {
    const char *t = f ? c->name_en : c->name_zh;
    if (!t[0])
      continue;
    c->name_lang[c->n_names] = strdup(fixed[f]);
    c->name_text[c->n_names] = strdup(t);
    if (!c->name_lang[c->n_names] || !c->name_text[c->n_names])
      return LC_ENOMEM;
    c->n_names++;
  }
  for (int i = 0; i < n_map; i++) {
    struct ytree_node *v = map->children[i];
    if (!strcmp(v->key, "zh") || !strcmp(v->key, "en"))
      continue;
    c->name_lang[c->n_names] = strdup(v->key);
    c->name_text[c->n_names] = strdup(v->value);
    if (!c->name_lang[c->n_names] || !c->name_text[c->n_names])
      return LC_ENOMEM;
    c->n_names++;
  }
  return LC_OK;
}

const char *categories_name(const struct category *c, const char *lang) {
  for (int i = 0; i < c->n_names; i++)
    if (!strcmp(c->name_lang[i], lang))
      return c->name_text[i];
  return "";
}

static void categories_entry_free(struct category *c) {
  for (int i = 0; i < c->n_names; i++) {
    free(c->name_lang[i]);
    free(c->name_text[i]);
  }
  free(c->name_lang);
  free(c->name_text);
  free(c->id);
  free(c->name_zh);
  free(c->name_en);
  free(c->groups);
  free(c->source);
  free(c->expected_source);
  for (int i = 0; i < c->n_rules; i++)
    categories_rule_free(&c->rules[i]);
  free(c->rules);
  memset(c, 0, sizeof *c);
}

/* Reads the optional `expected` map: {per_10k_residents: X > 0 and/or per_km2: Y > 0,
 * source: text}, the density of facilities below which the category's data count as thin. */
static int categories_expected_read(const char *file, struct ytree_node *m, const char *ctx,
                                    struct category *c) {
  struct ytree_node *e = ytree_child(m, "expected");
  if (!e)
    return LC_OK;
  e->used = 1;
  if (e->type != YTREE_MAP)
    return categories_fail(LC_EPARAM, file, e, ctx,
                           "'expected' must be a map {per_10k_residents: X, per_km2: Y, "
                           "source: TEXT}");
  for (int i = 0; i < e->n_children; i++)
    if (strcmp(e->children[i]->key, "per_10k_residents") &&
        strcmp(e->children[i]->key, "per_km2") && strcmp(e->children[i]->key, "source"))
      return categories_fail(LC_EPARAM, file, e->children[i], ctx,
                             "unknown key '%s' in 'expected' (allowed: per_10k_residents, "
                             "per_km2, source)",
                             e->children[i]->key);
  if (!ytree_child(e, "per_10k_residents") && !ytree_child(e, "per_km2"))
    return categories_fail(LC_EPARAM, file, e, ctx,
                           "'expected' needs per_10k_residents or per_km2 (or both)");
  if (ytree_child(e, "per_10k_residents"))
    LC_CHECK(categories_double(file, e, "per_10k_residents", ctx, 0.0, 1e4, 1,
                               "facilities per 10,000 residents", &c->expected_per_10k));
  if (ytree_child(e, "per_km2"))
    LC_CHECK(categories_double(file, e, "per_km2", ctx, 0.0, 1e4, 1, "facilities per km2",
                               &c->expected_per_km2));
  return categories_string(file, e, "source", ctx, &c->expected_source);
}

/* Checks an id: lower-case ASCII letters, digits and '_', starting with a letter. */
static int categories_id_ok(const char *id) {
  if (!islower((unsigned char)id[0]))
    return 0;
  for (const char *p = id; *p; p++)
    if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
      return 0;
  return 1;
}

/* Reads and validates one category entry. */
static int categories_entry_read(const char *file, struct ytree_node *m, int index,
                                 struct category *c) {
  char ctx[160];
  snprintf(ctx, sizeof ctx, "categories[%d]", index);
  if (m->type != YTREE_MAP)
    return categories_fail(LC_EPARAM, file, m, ctx, "a category must be a map of fields");
  for (int i = 0; i < m->n_children; i++) {
    int known = 0;
    for (size_t k = 0; k < CATEGORIES_N_KEYS; k++)
      if (!strcmp(m->children[i]->key, categories_keys[k]))
        known = 1;
    if (!known)
      return categories_fail(LC_EPARAM, file, m->children[i], ctx,
                             "unknown key '%s' (allowed: id, name_zh, name_en, threshold_min, "
                             "target_share, essential, radius_m, capacity, service_min, open, "
                             "close, groups, source, osm, expected, names)",
                             m->children[i]->key);
  }
  LC_CHECK(categories_string(file, m, "id", ctx, &c->id));
  if (!categories_id_ok(c->id))
    return categories_fail(LC_EPARAM, file, ytree_child(m, "id"), ctx,
                           "id '%s' must be lower-case ASCII letters, digits and '_', "
                           "starting with a letter",
                           c->id);
  snprintf(ctx, sizeof ctx, "categories[%d] (%s)", index, c->id);
  LC_CHECK(categories_names_read(file, m, ctx, c));
  LC_CHECK(categories_int(file, m, "threshold_min", ctx, 1, 60, "min", &c->threshold_min));
  LC_CHECK(categories_double(file, m, "target_share", ctx, 0.0, 1.0, 0, "", &c->target_share));
  LC_CHECK(categories_bool(file, m, "essential", ctx, &c->essential));
  LC_CHECK(categories_double(file, m, "radius_m", ctx, 0.0, 1e5, 1, "m", &c->radius_m));
  LC_CHECK(categories_int(file, m, "capacity", ctx, 0, 1000000000, "seats", &c->capacity));
  LC_CHECK(categories_double(file, m, "service_min", ctx, 0.0, 1440.0, 0, "min", &c->service_min));
  LC_CHECK(categories_time(file, m, "open", ctx, 0, &c->open_min));
  LC_CHECK(categories_time(file, m, "close", ctx, 1, &c->close_min));
  if (c->close_min <= c->open_min)
    return categories_fail(LC_EPARAM, file, ytree_child(m, "close"), ctx,
                           "'close' = '%s' must be after 'open' = '%s' (use \"24:00\" for "
                           "midnight)",
                           ytree_child(m, "close")->value, ytree_child(m, "open")->value);
  LC_CHECK(categories_groups_read(file, m, ctx, &c->groups));
  LC_CHECK(categories_string(file, m, "source", ctx, &c->source));
  LC_CHECK(categories_rules_read(file, m, ctx, c));
  return categories_expected_read(file, m, ctx, c);
}

int categories_load(const char *path, struct category_set *set) {
  int rc = LC_OK;
  struct ytree t;
  memset(set, 0, sizeof *set);
  LC_CHECK(ytree_load(path, &t));
  struct ytree_node *root = t.root;
  if (root->type != YTREE_MAP) {
    rc = categories_fail(LC_EPARAM, path, root, "categories file",
                         "the document must be a map with the key 'categories'");
    goto done;
  }
  for (int i = 0; i < root->n_children; i++) {
    if (strcmp(root->children[i]->key, "categories") != 0) {
      rc = categories_fail(LC_EPARAM, path, root->children[i], "categories file",
                           "unknown key '%s' (allowed: categories)", root->children[i]->key);
      goto done;
    }
  }
  struct ytree_node *list = ytree_child(root, "categories");
  if (!list) {
    rc = categories_fail(LC_EPARAM, path, root, "categories file",
                         "the key 'categories' is required");
    goto done;
  }
  list->used = 1;
  if (list->type != YTREE_SEQ) {
    rc = categories_fail(LC_EPARAM, path, list, "categories",
                         "'categories' must be a list of categories");
    goto done;
  }
  if (list->n_children == 0) {
    rc = categories_fail(LC_EPARAM, path, list, "categories", "'categories' is an empty list");
    goto done;
  }
  set->file = strdup(path);
  set->c = calloc((size_t)list->n_children, sizeof *set->c);
  if (!set->file || !set->c) {
    rc = LC_ENOMEM;
    goto done;
  }
  for (int i = 0; i < list->n_children; i++) {
    list->children[i]->used = 1;
    set->n = i + 1;
    LC_CHECK_GOTO(rc, categories_entry_read(path, list->children[i], i, &set->c[i]), done);
    for (int j = 0; j < i; j++) {
      if (!strcmp(set->c[j].id, set->c[i].id)) {
        rc = categories_fail(LC_EPARAM, path, ytree_child(list->children[i], "id"), "categories",
                             "duplicate id '%s' (first at line %d)", set->c[i].id,
                             ytree_child(list->children[j], "id")->line);
        goto done;
      }
    }
  }
done:
  ytree_free(&t);
  if (rc != LC_OK)
    categories_free(set);
  return rc;
}

void categories_free(struct category_set *set) {
  if (!set)
    return;
  for (int i = 0; i < set->n; i++)
    categories_entry_free(&set->c[i]);
  free(set->c);
  free(set->file);
  memset(set, 0, sizeof *set);
}

int categories_find(const struct category_set *set, const char *id) {
  for (int i = 0; i < set->n; i++)
    if (!strcmp(set->c[i].id, id))
      return i;
  return -1;
}

/* Does one alternative (exact text, or "~text" for a substring) match one tag value part of
 * length len? */
static int categories_alt_match(const char *alt, size_t alt_len, const char *val, size_t val_len) {
  if (alt[0] == '~') {
    alt++;
    alt_len--;
    if (alt_len > val_len)
      return 0;
    for (size_t i = 0; i + alt_len <= val_len; i++)
      if (!memcmp(val + i, alt, alt_len))
        return 1;
    return 0;
  }
  return alt_len == val_len && !memcmp(alt, val, alt_len);
}

/* Does a rule value ("*", or alternatives "a|b|~c") match a tag value? The tag value is also
 * tried part by part when it is an OSM multi-value "x;y". */
static int categories_value_match(const char *rule, const char *value) {
  if (!strcmp(rule, "*"))
    return 1;
  size_t vlen = strlen(value);
  for (const char *a = rule;;) {
    const char *ae = strchr(a, '|');
    size_t alen = ae ? (size_t)(ae - a) : strlen(a);
    if (categories_alt_match(a, alen, value, vlen))
      return 1;
    if (strchr(value, ';')) {
      for (const char *p = value;;) {
        const char *pe = strchr(p, ';');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        /* OSM writes "a; b" as well as "a;b": skip the blank after a semicolon. */
        while (plen > 0 && *p == ' ') {
          p++;
          plen--;
        }
        if (categories_alt_match(a, alen, p, plen))
          return 1;
        if (!pe)
          break;
        p = pe + 1;
      }
    }
    if (!ae)
      break;
    a = ae + 1;
  }
  return 0;
}

static int categories_rule_match(const struct category_rule *r, int n_tags, const char *const *keys,
                                 const char *const *values) {
  for (int i = 0; i < r->n; i++) {
    if (!strcmp(r->values[i], "-")) { /* The key must be absent. */
      for (int t = 0; t < n_tags; t++)
        if (keys[t] && !strcmp(keys[t], r->keys[i]))
          return 0;
      continue;
    }
    int ok = 0;
    for (int t = 0; t < n_tags && !ok; t++)
      if (keys[t] && values[t] && !strcmp(keys[t], r->keys[i]) &&
          categories_value_match(r->values[i], values[t]))
        ok = 1;
    if (!ok)
      return 0;
  }
  return 1;
}

int categories_match(const struct category_set *set, int n_tags, const char *const *keys,
                     const char *const *values, int32_t *out, int max_out) {
  int found = 0;
  for (int i = 0; i < set->n; i++) {
    const struct category *c = &set->c[i];
    for (int r = 0; r < c->n_rules; r++) {
      if (categories_rule_match(&c->rules[r], n_tags, keys, values)) {
        if (found < max_out && out)
          out[found] = i;
        found++;
        break;
      }
    }
  }
  return found;
}
