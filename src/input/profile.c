/* The walking profile: loading and validating the YAML file, and classifying ways. */
#include "lifecircle/profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/status.h"
#include "lifecircle/ytree.h"

/* Largest factor accepted: a way costing more than 100 times its length is a closure. */
#define PROFILE_FACTOR_MAX 100.0

/* Parses a factor in (0, PROFILE_FACTOR_MAX]. */
static int profile_number(const char *file, const struct ytree_node *n, const char *what,
                          double *out) {
  if (n->type != YTREE_SCALAR)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a number", what);
  char *end;
  errno = 0;
  double v = strtod(n->value, &end);
  if (end == n->value || *end || errno || !isfinite(v))
    return ytree_fail(LC_EPARAM, file, n, "%s = '%s' is not a number", what, n->value);
  if (v <= 0.0 || v > PROFILE_FACTOR_MAX)
    return ytree_fail(LC_EPARAM, file, n, "%s = %g is outside (0, %g] (a cost factor)", what, v,
                      PROFILE_FACTOR_MAX);
  *out = v;
  return LC_OK;
}

/* Reads a list of strings (a YAML sequence of scalars; a single scalar is one item). */
static int profile_strings(const char *file, struct ytree_node *n, const char *what, char ***out,
                           int *count) {
  *out = NULL;
  *count = 0;
  if (!n)
    return LC_OK;
  n->used = 1;
  if (n->type == YTREE_MAP)
    return ytree_fail(LC_EPARAM, file, n, "%s must be a list of values", what);
  int m = n->type == YTREE_SCALAR ? 1 : n->n_children;
  char **v = lc_calloc_array(m, sizeof *v);
  if (!v)
    return LC_ENOMEM;
  *out = v;
  for (int i = 0; i < m; i++) {
    const struct ytree_node *c = n->type == YTREE_SCALAR ? n : n->children[i];
    if (c->type != YTREE_SCALAR || !c->value[0])
      return ytree_fail(LC_EPARAM, file, c, "%s: item %d must be a non-empty value", what, i + 1);
    if (!(v[i] = strdup(c->value)))
      return LC_ENOMEM;
    *count = i + 1;
  }
  return LC_OK;
}

/* Reads foot: or access: {allow: [...], forbid: [...]}. */
static int profile_access(const char *file, struct ytree_node *root, const char *key, char ***allow,
                          int *n_allow, char ***forbid, int *n_forbid) {
  struct ytree_node *m = ytree_child(root, key);
  if (!m)
    return LC_OK;
  m->used = 1;
  if (m->type != YTREE_MAP)
    return ytree_fail(LC_EPARAM, file, m, "'%s' must be a map with 'allow' and 'forbid'", key);
  char what[64];
  snprintf(what, sizeof what, "%s:allow", key);
  LC_CHECK(profile_strings(file, ytree_child(m, "allow"), what, allow, n_allow));
  snprintf(what, sizeof what, "%s:forbid", key);
  LC_CHECK(profile_strings(file, ytree_child(m, "forbid"), what, forbid, n_forbid));
  for (int i = 0; i < *n_allow; i++)
    for (int j = 0; j < *n_forbid; j++)
      if (!strcmp((*allow)[i], (*forbid)[j]))
        return ytree_fail(LC_EPARAM, file, m,
                          "'%s': the value '%s' is both allowed and "
                          "forbidden",
                          key, (*allow)[i]);
  return LC_OK;
}

static int profile_rules(const char *file, struct profile *p, struct ytree_node *root) {
  struct ytree_node *s = ytree_child(root, "factors");
  if (!s)
    return LC_OK;
  s->used = 1;
  if (s->type != YTREE_SEQ)
    return ytree_fail(LC_EPARAM, file, s,
                      "'factors' must be a list of {tags, factor, "
                      "source}");
  if (s->n_children > PROFILE_MAX_RULES)
    return ytree_fail(LC_EPARAM, file, s, "'factors' has %d rules; at most %d are allowed",
                      s->n_children, PROFILE_MAX_RULES);
  p->rules = lc_calloc_array(s->n_children, sizeof *p->rules);
  if (!p->rules)
    return LC_ENOMEM;
  for (int i = 0; i < s->n_children; i++) {
    struct ytree_node *r = s->children[i];
    struct profile_rule *pr = &p->rules[i];
    p->n_rules = i + 1;
    r->used = 1;
    if (r->type != YTREE_MAP)
      return ytree_fail(LC_EPARAM, file, r, "factors: item %d must be a map", i + 1);
    struct ytree_node *t = ytree_child(r, "tags"), *f = ytree_child(r, "factor"),
                      *src = ytree_child(r, "source");
    if (!t || t->type != YTREE_MAP || t->n_children == 0)
      return ytree_fail(LC_EPARAM, file, t ? t : r,
                        "factors: item %d needs 'tags', a non-empty map key: value", i + 1);
    if (!f)
      return ytree_fail(LC_EPARAM, file, r, "factors: item %d needs 'factor'", i + 1);
    if (!src || src->type != YTREE_SCALAR || !src->value[0])
      return ytree_fail(LC_EPARAM, file, src ? src : r,
                        "factors: item %d needs 'source' (where the factor comes from)", i + 1);
    t->used = f->used = src->used = 1;
    LC_CHECK(profile_number(file, f, "factors: factor", &pr->factor));
    if (!(pr->source = strdup(src->value)))
      return LC_ENOMEM;
    pr->keys = calloc((size_t)t->n_children, sizeof *pr->keys);
    pr->values = calloc((size_t)t->n_children, sizeof *pr->values);
    if (!pr->keys || !pr->values)
      return LC_ENOMEM;
    for (int k = 0; k < t->n_children; k++) {
      struct ytree_node *kv = t->children[k];
      kv->used = 1;
      if (kv->type != YTREE_SCALAR || !kv->value[0])
        return ytree_fail(LC_EPARAM, file, kv,
                          "factors: tag '%s' needs a value (\"*\" for "
                          "any)",
                          kv->key);
      if (!(pr->keys[k] = strdup(kv->key)) || !(pr->values[k] = strdup(kv->value)))
        return LC_ENOMEM;
      pr->n = k + 1;
    }
  }
  return LC_OK;
}

struct profile_unknown_arg {
  const char *file;
  int count;
};

/* Records the first unknown key with its position. */
static void profile_unknown(const char *path, const struct ytree_node *n, void *arg) {
  struct profile_unknown_arg *u = arg;
  if (u->count++ == 0)
    lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                 "%s:%d:%d: unknown key '%s' (allowed: name, description, source, highway, "
                 "foot:allow, foot:forbid, access:allow, access:forbid, factors with tags, "
                 "factor, source)",
                 u->file, n->line, n->column, path);
}

static int profile_read(const char *path, struct profile *p, struct ytree *t) {
  struct ytree_node *root = t->root;
  if (!root || root->type != YTREE_MAP)
    return ytree_fail(LC_EPARAM, path, root, "the profile must be a map");
  if (!(p->file = strdup(path)))
    return LC_ENOMEM;
  struct ytree_node *n = ytree_child(root, "name");
  if (n) {
    n->used = 1;
    if (n->type != YTREE_SCALAR || !n->value[0])
      return ytree_fail(LC_EPARAM, path, n, "'name' must be a non-empty value");
  }
  if (!(p->name = strdup(n ? n->value : "walk")))
    return LC_ENOMEM;
  ytree_mark_used(ytree_child(root, "description"));
  ytree_mark_used(ytree_child(root, "source"));

  struct ytree_node *h = ytree_child(root, "highway");
  if (!h || h->type != YTREE_MAP || h->n_children == 0)
    return ytree_fail(LC_EPARAM, path, h ? h : root,
                      "'highway' is required: a map of walkable highway values to their "
                      "cost factors");
  h->used = 1;
  p->highway = calloc((size_t)h->n_children, sizeof *p->highway);
  p->highway_factor = calloc((size_t)h->n_children, sizeof *p->highway_factor);
  if (!p->highway || !p->highway_factor)
    return LC_ENOMEM;
  for (int i = 0; i < h->n_children; i++) {
    struct ytree_node *c = h->children[i];
    c->used = 1;
    char what[160];
    snprintf(what, sizeof what, "highway:%s", c->key);
    LC_CHECK(profile_number(path, c, what, &p->highway_factor[i]));
    if (!(p->highway[i] = strdup(c->key)))
      return LC_ENOMEM;
    p->n_highway = i + 1;
  }
  LC_CHECK(profile_access(path, root, "foot", &p->foot_allow, &p->n_foot_allow, &p->foot_forbid,
                          &p->n_foot_forbid));
  LC_CHECK(profile_access(path, root, "access", &p->access_allow, &p->n_access_allow,
                          &p->access_forbid, &p->n_access_forbid));
  LC_CHECK(profile_rules(path, p, root));
  struct profile_unknown_arg u = {path, 0};
  if (ytree_unused(root, "", profile_unknown, &u) > 0)
    return LC_EPARAM;
  return LC_OK;
}

int profile_load(const char *path, struct profile *p) {
  memset(p, 0, sizeof *p);
  struct ytree t;
  LC_CHECK(ytree_load(path, &t));
  int rc = profile_read(path, p, &t);
  ytree_free(&t);
  if (rc == LC_ENOMEM && !lc_error_message()[0])
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: out of memory", path);
  if (rc != LC_OK)
    profile_free(p);
  return rc;
}

static void profile_free_list(char **v, int n) {
  if (!v)
    return;
  for (int i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void profile_free(struct profile *p) {
  free(p->file);
  free(p->name);
  profile_free_list(p->highway, p->n_highway);
  free(p->highway_factor);
  profile_free_list(p->foot_allow, p->n_foot_allow);
  profile_free_list(p->foot_forbid, p->n_foot_forbid);
  profile_free_list(p->access_allow, p->n_access_allow);
  profile_free_list(p->access_forbid, p->n_access_forbid);
  for (int i = 0; i < p->n_rules; i++) {
    profile_free_list(p->rules[i].keys, p->rules[i].n);
    profile_free_list(p->rules[i].values, p->rules[i].n);
    free(p->rules[i].source);
  }
  free(p->rules);
  memset(p, 0, sizeof *p);
}

static int profile_in(char *const *list, int n, const char *v) {
  for (int i = 0; i < n; i++)
    if (!strcmp(list[i], v))
      return 1;
  return 0;
}

static const char *profile_tag(int n_tags, const char *const *keys, const char *const *values,
                               const char *key) {
  for (int i = 0; i < n_tags; i++)
    if (!strcmp(keys[i], key))
      return values[i];
  return NULL;
}

int profile_classify(const struct profile *p, int n_tags, const char *const *keys,
                     const char *const *values, int32_t *cls) {
  *cls = -1;
  const char *hw = profile_tag(n_tags, keys, values, "highway");
  if (!hw)
    return PROFILE_NO_HIGHWAY;
  int h = -1;
  for (int i = 0; i < p->n_highway && h < 0; i++)
    if (!strcmp(p->highway[i], hw))
      h = i;
  if (h < 0)
    return PROFILE_NOT_LISTED;
  /* The foot tag decides when its value is listed; else access may forbid. */
  const char *foot = profile_tag(n_tags, keys, values, "foot");
  int foot_says = 0;
  if (foot && profile_in(p->foot_forbid, p->n_foot_forbid, foot))
    return PROFILE_FOOT_FORBIDS;
  if (foot && profile_in(p->foot_allow, p->n_foot_allow, foot))
    foot_says = 1;
  if (!foot_says) {
    const char *access = profile_tag(n_tags, keys, values, "access");
    if (access && profile_in(p->access_forbid, p->n_access_forbid, access))
      return PROFILE_ACCESS_FORBIDS;
  }
  int32_t mask = 0;
  for (int r = 0; r < p->n_rules; r++) {
    const struct profile_rule *pr = &p->rules[r];
    int all = 1;
    for (int k = 0; k < pr->n && all; k++) {
      const char *v = profile_tag(n_tags, keys, values, pr->keys[k]);
      all = v && (!strcmp(pr->values[k], "*") || !strcmp(pr->values[k], v));
    }
    if (all)
      mask |= (int32_t)1 << r;
  }
  *cls = (int32_t)h * (1 << PROFILE_MAX_RULES) + mask;
  return PROFILE_WALK;
}

double profile_factor(const struct profile *p, int32_t cls) {
  if (cls < 0)
    return 1.0;
  int h = (int)(cls >> PROFILE_MAX_RULES);
  double f = h < p->n_highway ? p->highway_factor[h] : 1.0;
  for (int r = 0; r < p->n_rules; r++)
    if (cls & ((int32_t)1 << r))
      f *= p->rules[r].factor;
  return f;
}

const char *profile_verdict_name(int verdict) {
  switch (verdict) {
    case PROFILE_WALK:
      return "walkable";
    case PROFILE_NO_HIGHWAY:
      return "no highway tag";
    case PROFILE_NOT_LISTED:
      return "highway value not walkable";
    case PROFILE_FOOT_FORBIDS:
      return "forbidden by foot";
    case PROFILE_ACCESS_FORBIDS:
      return "forbidden by access";
    default:
      return "unknown";
  }
}
