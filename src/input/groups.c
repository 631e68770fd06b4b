/* Population groups from a YAML data file, validated with positions in every message. */
#include "lifecircle/groups.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/status.h"
#include "lifecircle/ytree.h"

/* The groups categories may refer to: they must exist in every groups file. */
static const char *const groups_required[] = {"child", "pupil", "adult", "elderly"};

static const char *const groups_keys[] = {"id",           "name",      "ages",         "share",
                                          "share_source", "speed_m_s", "speed_source", "note"};
#define GROUPS_N_KEYS (int)(sizeof groups_keys / sizeof groups_keys[0])

void group_free(struct group_set *gs) {
  if (!gs)
    return;
  for (int i = 0; i < gs->n; i++) {
    free(gs->g[i].id);
    free(gs->g[i].name);
  }
  free(gs->g);
  free(gs->file);
  memset(gs, 0, sizeof *gs);
}

int group_find(const struct group_set *gs, const char *id) {
  for (int i = 0; i < gs->n; i++)
    if (strcmp(gs->g[i].id, id) == 0)
      return i;
  return -1;
}

static int scalar_double(const char *file, const struct ytree_node *n, const char *key,
                         double *out) {
  if (n->type != YTREE_SCALAR)
    return ytree_fail(LC_EFORMAT, file, n, "%s must be a number", key);
  char *end;
  double v = strtod(n->value, &end);
  if (end == n->value || *end != '\0' || !isfinite(v))
    return ytree_fail(LC_EPARAM, file, n, "%s '%s' is not a number", key, n->value);
  *out = v;
  return LC_OK;
}

static int read_group(const char *file, struct ytree_node *item, struct group *g) {
  if (item->type != YTREE_MAP)
    return ytree_fail(LC_EFORMAT, file, item,
                      "a group must be a map with id, share, "
                      "speed_m_s");
  for (int k = 0; k < item->n_children; k++) {
    struct ytree_node *c = item->children[k];
    int known = 0;
    for (int j = 0; j < GROUPS_N_KEYS; j++)
      known |= strcmp(c->key, groups_keys[j]) == 0;
    if (!known)
      return ytree_fail(LC_EFORMAT, file, c,
                        "unknown key '%s' (allowed: id, name, ages, share, share_source, "
                        "speed_m_s, speed_source, note)",
                        c->key);
    c->used = 1;
  }
  struct ytree_node *id = ytree_child(item, "id");
  struct ytree_node *share = ytree_child(item, "share");
  struct ytree_node *speed = ytree_child(item, "speed_m_s");
  struct ytree_node *name = ytree_child(item, "name");
  if (!id || id->type != YTREE_SCALAR || !id->value[0])
    return ytree_fail(LC_EFORMAT, file, id ? id : item, "a group needs a scalar 'id'");
  for (const char *p = id->value; *p; p++)
    if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
      return ytree_fail(LC_EPARAM, file, id,
                        "group id '%s' must use lower-case letters, digits and '_'", id->value);
  if (!share)
    return ytree_fail(LC_EFORMAT, file, item, "group '%s' has no 'share'", id->value);
  if (!speed)
    return ytree_fail(LC_EFORMAT, file, item, "group '%s' has no 'speed_m_s'", id->value);
  LC_CHECK(scalar_double(file, share, "share", &g->share));
  if (g->share < 0.0 || g->share > 1.0)
    return ytree_fail(LC_EPARAM, file, share, "share %s of group '%s' is outside [0, 1]",
                      share->value, id->value);
  LC_CHECK(scalar_double(file, speed, "speed_m_s", &g->speed_m_s));
  if (!(g->speed_m_s > 0.0) || g->speed_m_s > 3.0)
    return ytree_fail(LC_EPARAM, file, speed, "speed_m_s %s of group '%s' is outside (0, 3] m/s",
                      speed->value, id->value);
  g->id = strdup(id->value);
  g->name = strdup(name && name->type == YTREE_SCALAR ? name->value : "");
  if (!g->id || !g->name)
    return ytree_fail(LC_ENOMEM, file, item, "out of memory");
  return LC_OK;
}

int group_load(const char *path, struct group_set *gs) {
  memset(gs, 0, sizeof *gs);
  struct ytree t;
  LC_CHECK(ytree_load(path, &t));
  int rc = LC_OK;
  struct ytree_node *root = t.root;
  if (!root || root->type != YTREE_MAP) {
    rc = ytree_fail(LC_EFORMAT, path, root, "the top level must be a map with 'groups'");
    goto done;
  }
  for (int k = 0; k < root->n_children; k++)
    if (strcmp(root->children[k]->key, "groups") != 0) {
      rc = ytree_fail(LC_EFORMAT, path, root->children[k], "unknown key '%s' (allowed: groups)",
                      root->children[k]->key);
      goto done;
    }
  struct ytree_node *list = ytree_child(root, "groups");
  if (!list || list->type != YTREE_SEQ || list->n_children == 0) {
    rc = ytree_fail(LC_EFORMAT, path, list ? list : root,
                    "'groups' must be a non-empty list of groups");
    goto done;
  }
  list->used = 1;
  gs->g = calloc((size_t)list->n_children, sizeof *gs->g);
  gs->file = strdup(path);
  if (!gs->g || !gs->file) {
    rc = ytree_fail(LC_ENOMEM, path, list, "out of memory");
    goto done;
  }
  double sum = 0.0;
  for (int i = 0; i < list->n_children; i++) {
    struct ytree_node *item = list->children[i];
    LC_CHECK_GOTO(rc, read_group(path, item, &gs->g[gs->n]), done);
    gs->n++;
    if (group_find(gs, gs->g[gs->n - 1].id) != gs->n - 1) {
      rc = ytree_fail(LC_EPARAM, path, ytree_child(item, "id"), "duplicate group id '%s'",
                      gs->g[gs->n - 1].id);
      goto done;
    }
    sum += gs->g[gs->n - 1].share;
  }
  if (fabs(sum - 1.0) > 1e-6) {
    rc =
        ytree_fail(LC_EPARAM, path, list, "the group shares sum to %.9g, not 1 (within 1e-6)", sum);
    goto done;
  }
  for (int k = 0; k < 4; k++)
    if (group_find(gs, groups_required[k]) < 0) {
      rc = ytree_fail(LC_EPARAM, path, list,
                      "group '%s' is missing (child, pupil, adult and elderly are required: "
                      "categories refer to them)",
                      groups_required[k]);
      goto done;
    }
done:
  ytree_free(&t);
  if (rc != LC_OK)
    group_free(gs);
  return rc;
}
