/* Daily plans: the activities file (inputs/activities.yml), the plan an agent draws for the
 * day, and a parser for simple OSM opening_hours values. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/alloc.h"
#include "lifecircle/log.h"
#include "lifecircle/rng.h"
#include "lifecircle/status.h"
#include "lifecircle/ytree.h"

/* ---- The activities file. ---- */

/* Position and entry named in messages. */
struct plan_where {
  const char *file;
  const char *group;
  int index;
  const char *category;
};

#define PLAN_FAIL(st, w, node, ...)                                                      \
  do {                                                                                   \
    char plan_msg_[512];                                                                 \
    snprintf(plan_msg_, sizeof plan_msg_, __VA_ARGS__);                                  \
    return lc_error_set((st), __FILE__, __LINE__, "%s:%d:%d: activities:%s:%d (%s): %s", \
                        (w)->file, (node)->line, (node)->column, (w)->group, (w)->index, \
                        (w)->category ? (w)->category : "?", plan_msg_);                 \
  } while (0)

/* A finite number without trailing characters (no hexadecimal, nan or inf). */
static int plan_number(const struct ytree_node *n, double *out) {
  if (n->type != YTREE_SCALAR || !n->value || !*n->value)
    return -1;
  for (const char *c = n->value; *c; c++)
    if (!(isdigit((unsigned char)*c) || *c == '.' || *c == '-' || *c == '+' || *c == 'e' ||
          *c == 'E'))
      return -1;
  char *end;
  double v = strtod(n->value, &end);
  if (*end != '\0' || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

/* Seconds after midnight of an "HH:MM" scalar. */
static int plan_hhmm(const char *s, int32_t *sec) {
  int32_t m;
  if (!s || facility_parse_hhmm(s, &m) != LC_OK)
    return -1;
  *sec = m * 60;
  return 0;
}

/* A window "HH:MM-HH:MM". */
static int plan_window(const char *s, int32_t *lo, int32_t *hi) {
  const char *dash = s ? strchr(s, '-') : NULL;
  if (!dash || (size_t)(dash - s) >= 16)
    return -1;
  char a[16];
  memcpy(a, s, (size_t)(dash - s));
  a[dash - s] = '\0';
  if (plan_hhmm(a, lo) != 0 || plan_hhmm(dash + 1, hi) != 0 || *hi <= *lo)
    return -1;
  return 0;
}

static int plan_start(struct plan_where *w, const struct ytree_node *st,
                      const struct agents_config *cfg, struct agents_activity *a) {
  if (st->type != YTREE_MAP)
    PLAN_FAIL(LC_EPARAM, w, st, "start must be a map with mean and sd_min, or windows");
  const struct ytree_node *mean = ytree_child(st, "mean"), *sd = ytree_child(st, "sd_min");
  const struct ytree_node *win = ytree_child(st, "windows");
  for (int i = 0; i < st->n_children; i++) {
    const char *k = st->children[i]->key;
    if (strcmp(k, "mean") && strcmp(k, "sd_min") && strcmp(k, "windows"))
      PLAN_FAIL(LC_EPARAM, w, st->children[i],
                "unknown key start:%s (allowed: mean, sd_min, windows)", k);
  }
  if ((mean != NULL) == (win != NULL))
    PLAN_FAIL(LC_EPARAM, w, st, "start needs exactly one of mean (with sd_min) and windows");
  if (mean) {
    a->start_kind = AGENTS_START_NORMAL;
    if (mean->type != YTREE_SCALAR || plan_hhmm(mean->value, &a->mean_s) != 0)
      PLAN_FAIL(LC_EFORMAT, w, mean, "start:mean '%s' is not a time HH:MM (00:00-24:00)",
                mean->type == YTREE_SCALAR ? mean->value : "(not a scalar)");
    if (a->mean_s < cfg->day_start_s || a->mean_s >= cfg->day_end_s)
      PLAN_FAIL(LC_EPARAM, w, mean,
                "start:mean %s is outside the simulated day "
                "(Agents:day_start to day_end, %02d:%02d-%02d:%02d)",
                mean->value, cfg->day_start_s / 3600, cfg->day_start_s / 60 % 60,
                cfg->day_end_s / 3600, cfg->day_end_s / 60 % 60);
    double v = 0;
    if (sd && (plan_number(sd, &v) != 0 || v < 0 || v > 1440))
      PLAN_FAIL(LC_EPARAM, w, sd, "start:sd_min '%s' must be a number of minutes in [0, 1440]",
                sd->type == YTREE_SCALAR ? sd->value : "(not a scalar)");
    a->sd_s = (int32_t)llround(v * 60.0);
    return LC_OK;
  }
  if (sd)
    PLAN_FAIL(LC_EPARAM, w, sd, "start:sd_min goes with start:mean, not with windows");
  a->start_kind = AGENTS_START_WINDOWS;
  if (win->type != YTREE_SEQ || win->n_children < 1 || win->n_children > AGENTS_MAX_WINDOWS)
    PLAN_FAIL(LC_EPARAM, w, win, "start:windows must be a list of 1 to %d \"HH:MM-HH:MM\"",
              AGENTS_MAX_WINDOWS);
  a->n_win = win->n_children;
  for (int i = 0; i < a->n_win; i++) {
    const struct ytree_node *x = win->children[i];
    if (x->type != YTREE_SCALAR || plan_window(x->value, &a->win_lo[i], &a->win_hi[i]) != 0)
      PLAN_FAIL(LC_EFORMAT, w, x,
                "start:windows:%d '%s' is not a window HH:MM-HH:MM with its end after its start", i,
                x->type == YTREE_SCALAR ? x->value : "(not a scalar)");
    if (a->win_lo[i] < cfg->day_start_s || a->win_hi[i] > cfg->day_end_s)
      PLAN_FAIL(LC_EPARAM, w, x,
                "start:windows:%d %s is outside the simulated day "
                "(Agents:day_start to day_end)",
                i, x->value);
  }
  return LC_OK;
}

static const char *const plan_keys[] = {"category",  "per_day",      "per_week",
                                        "start",     "duration_min", "max_wait_min",
                                        "exclusive", "source",       "note"};

/* Reads one activity. */
static int plan_activity(struct plan_where *w, const struct ytree_node *n,
                         const struct agents_config *cfg, const struct category_set *cats,
                         int group, const struct group_set *groups, struct agents_activity *a) {
  memset(a, 0, sizeof *a);
  a->line = n->line;
  if (n->type != YTREE_MAP)
    PLAN_FAIL(LC_EPARAM, w, n, "an activity must be a map (category, per_day, start, ...)");
  for (int i = 0; i < n->n_children; i++) {
    const char *k = n->children[i]->key;
    int ok = 0;
    for (size_t j = 0; j < sizeof plan_keys / sizeof plan_keys[0]; j++)
      ok |= strcmp(k, plan_keys[j]) == 0;
    if (!ok)
      PLAN_FAIL(LC_EPARAM, w, n->children[i],
                "unknown key '%s' (allowed: category, per_day, per_week, start, duration_min, "
                "max_wait_min, exclusive, source, note)",
                k);
  }
  const struct ytree_node *c = ytree_child(n, "category");
  if (!c || c->type != YTREE_SCALAR)
    PLAN_FAIL(LC_EPARAM, w, n, "category is missing");
  w->category = c->value;
  a->cat = categories_find(cats, c->value);
  if (a->cat < 0)
    PLAN_FAIL(LC_EPARAM, w, c, "unknown category '%s' (not in %s)", c->value,
              cats->file ? cats->file : "the categories");
  /* The category must serve the group (its `groups` list in the categories file). */
  const char *list = cats->c[a->cat].groups ? cats->c[a->cat].groups : "";
  const char *gid = groups->g[group].id;
  size_t gl = strlen(gid);
  int serves = 0;
  for (const char *p = list; *p;) {
    while (*p == ',' || *p == ' ')
      p++;
    size_t l = strcspn(p, ", ");
    if (l == gl && strncmp(p, gid, l) == 0)
      serves = 1;
    p += l;
  }
  if (!serves)
    PLAN_FAIL(LC_EPARAM, w, c, "category '%s' does not serve group '%s' (its groups: %s)", c->value,
              gid, list);
  const struct ytree_node *pd = ytree_child(n, "per_day"), *pw = ytree_child(n, "per_week");
  if ((pd != NULL) == (pw != NULL))
    PLAN_FAIL(LC_EPARAM, w, n,
              "give exactly one of per_day (a probability) and per_week "
              "(visits per week, 0 to 7)");
  double v;
  if (pd) {
    if (plan_number(pd, &v) != 0 || v < 0 || v > 1)
      PLAN_FAIL(LC_EPARAM, w, pd, "per_day '%s' must be a probability in [0, 1]",
                pd->type == YTREE_SCALAR ? pd->value : "(not a scalar)");
    a->p_day = v;
  } else {
    if (plan_number(pw, &v) != 0 || v < 0 || v > 7)
      PLAN_FAIL(LC_EPARAM, w, pw,
                "per_week '%s' must be a number of visits in [0, 7] "
                "(a daily probability of per_week / 7 in [0, 1])",
                pw->type == YTREE_SCALAR ? pw->value : "(not a scalar)");
    a->p_day = v / 7.0;
  }
  const struct ytree_node *st = ytree_child(n, "start");
  if (!st)
    PLAN_FAIL(LC_EPARAM, w, n,
              "start is missing (start: {mean: \"HH:MM\", sd_min: M} or "
              "start: {windows: [\"HH:MM-HH:MM\", ...]})");
  LC_CHECK(plan_start(w, st, cfg, a));
  const struct ytree_node *d = ytree_child(n, "duration_min");
  if (d) {
    if (plan_number(d, &v) != 0 || v < 0 || v > 1440)
      PLAN_FAIL(LC_EPARAM, w, d, "duration_min '%s' must be a number of minutes in [0, 1440]",
                d->type == YTREE_SCALAR ? d->value : "(not a scalar)");
    a->duration_s = (int32_t)llround(v * 60.0);
  } else {
    a->duration_s = (int32_t)llround(cats->c[a->cat].service_min * 60.0);
  }
  const struct ytree_node *mw = ytree_child(n, "max_wait_min");
  if (!mw)
    PLAN_FAIL(LC_EPARAM, w, n, "max_wait_min (the waiting tolerance in minutes) is missing");
  if (plan_number(mw, &v) != 0 || v < 0 || v > 1440)
    PLAN_FAIL(LC_EPARAM, w, mw, "max_wait_min '%s' must be a number of minutes in [0, 1440]",
              mw->type == YTREE_SCALAR ? mw->value : "(not a scalar)");
  a->max_wait_s = (int32_t)llround(v * 60.0);
  return LC_OK;
}

void agents_config_free(struct agents_config *cfg) {
  struct agents_plans *pl = &cfg->plans;
  if (pl->act)
    for (int g = 0; g < pl->n_group; g++)
      free(pl->act[g]);
  free(pl->act);
  free(pl->n_act);
  free(pl->file);
  memset(pl, 0, sizeof *pl);
}

/* Reads the whole file into cfg->plans (already allocated per group). */
static int plan_read(struct agents_config *cfg, const struct ytree *t,
                     const struct category_set *cats, const struct group_set *groups) {
  const struct ytree_node *root = t->root;
  struct plan_where w0 = {t->file, "", 0, NULL};
  if (!root || root->type != YTREE_MAP)
    LC_FAIL(LC_EPARAM, "%s: the top level must be a map with the key `activities`", t->file);
  for (int i = 0; i < root->n_children; i++)
    if (strcmp(root->children[i]->key, "activities") != 0)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: unknown top-level key '%s' (allowed: activities)", t->file,
              root->children[i]->line, root->children[i]->column, root->children[i]->key);
  const struct ytree_node *acts = ytree_child(root, "activities");
  if (!acts || acts->type != YTREE_MAP)
    LC_FAIL(LC_EPARAM, "%s: `activities` must be a map from group ids to lists of activities",
            t->file);
  (void)w0;
  for (int i = 0; i < acts->n_children; i++) {
    const struct ytree_node *gn = acts->children[i];
    int g = group_find(groups, gn->key);
    if (g < 0)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: activities:%s: unknown group '%s' (not in %s)", t->file,
              gn->line, gn->column, gn->key, gn->key, groups->file ? groups->file : "the groups");
    if (gn->type != YTREE_SEQ)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: activities:%s must be a list of activities", t->file, gn->line,
              gn->column, gn->key);
    if (gn->n_children > AGENTS_MAX_ACTIVITIES)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: activities:%s has %d activities (at most %d)", t->file,
              gn->line, gn->column, gn->key, gn->n_children, AGENTS_MAX_ACTIVITIES);
    struct agents_activity *a = lc_calloc_array(gn->n_children, sizeof *a);
    if (!a)
      return LC_ENOMEM;
    cfg->plans.act[g] = a;
    /* An activity whose category is not in this run's set (an activities file shared by
     * several category sets) is skipped with a note; src[j] is the entry activity j came
     * from. */
    int src[AGENTS_MAX_ACTIVITIES];
    int n = 0;
    for (int j = 0; j < gn->n_children; j++) {
      const struct ytree_node *cn = ytree_child(gn->children[j], "category");
      if (gn->children[j]->type == YTREE_MAP && cn && cn->type == YTREE_SCALAR &&
          categories_find(cats, cn->value) < 0) {
        log_warn("%s:%d:%d: activities:%s: category '%s' is not in %s: this activity is "
                 "skipped",
                 t->file, cn->line, cn->column, gn->key, cn->value,
                 cats->file ? cats->file : "the categories");
        continue;
      }
      struct plan_where w = {t->file, gn->key, j, NULL};
      LC_CHECK(plan_activity(&w, gn->children[j], cfg, cats, g, groups, &a[n]));
      src[n++] = j;
    }
    cfg->plans.n_act[g] = n;
    /* Exclusive sets: activities with the same label share one draw. */
    for (int j = 0; j < n; j++) {
      const struct ytree_node *ex = ytree_child(gn->children[src[j]], "exclusive");
      a[j].excl_first = j;
      a[j].excl_off = 0;
      if (!ex)
        continue;
      if (ex->type != YTREE_SCALAR || !*ex->value) {
        struct plan_where w = {t->file, gn->key, src[j], cats->c[a[j].cat].id};
        PLAN_FAIL(LC_EPARAM, &w, ex, "exclusive must be a label (a string)");
      }
      double off = 0;
      for (int m = 0; m < j; m++) {
        const struct ytree_node *em = ytree_child(gn->children[src[m]], "exclusive");
        if (em && em->type == YTREE_SCALAR && strcmp(em->value, ex->value) == 0) {
          if (a[j].excl_first == j)
            a[j].excl_first = m;
          off += a[m].p_day;
        }
      }
      a[j].excl_off = off;
      if (off + a[j].p_day > 1.0 + 1e-9) {
        struct plan_where w = {t->file, gn->key, src[j], cats->c[a[j].cat].id};
        PLAN_FAIL(LC_EPARAM, &w, ex,
                  "the daily probabilities of the exclusive set '%s' sum "
                  "to %.6g, more than 1",
                  ex->value, off + a[j].p_day);
      }
    }
  }
  return LC_OK;
}

int agents_prepare(struct agents_config *cfg, const struct category_set *cats,
                   const struct group_set *groups) {
  agents_config_free(cfg);
  if (cats->n > AGENTS_MAX_CATEGORIES)
    LC_FAIL(LC_EPARAM, "the agent simulation handles at most %d categories (%s has %d)",
            AGENTS_MAX_CATEGORIES, cats->file ? cats->file : "the category set", cats->n);
  struct ytree t;
  LC_CHECK(ytree_load(cfg->activities, &t));
  struct agents_plans *pl = &cfg->plans;
  pl->n_group = groups->n;
  pl->n_act = lc_calloc_array(groups->n, sizeof *pl->n_act);
  pl->act = lc_calloc_array(groups->n, sizeof *pl->act);
  pl->file = strdup(cfg->activities);
  int st = pl->n_act && pl->act && pl->file ? LC_OK : LC_ENOMEM;
  if (st == LC_OK)
    st = plan_read(cfg, &t, cats, groups);
  ytree_free(&t);
  if (st != LC_OK)
    agents_config_free(cfg);
  return st;
}

/* ---- Daily plans. ---- */

/* The preferred start of activity a: a normal draw redrawn (up to 64 times) until it falls in
 * the simulated day, else the mean; or uniform over the union of the windows. */
static int32_t plan_draw_start(const struct agents_config *cfg, const struct agents_activity *a,
                               int ai, uint64_t seed, int64_t agent) {
  if (a->start_kind == AGENTS_START_WINDOWS) {
    uint64_t len = 0;
    for (int i = 0; i < a->n_win; i++)
      len += (uint64_t)(a->win_hi[i] - a->win_lo[i]);
    uint64_t x = rng_below(seed, (uint64_t)agent, AGENTS_RNG_START, (uint32_t)ai * 64u, len);
    for (int i = 0; i < a->n_win; i++) {
      uint64_t l = (uint64_t)(a->win_hi[i] - a->win_lo[i]);
      if (x < l)
        return a->win_lo[i] + (int32_t)x;
      x -= l;
    }
    return a->win_lo[0];
  }
  if (a->sd_s == 0)
    return a->mean_s;
  for (uint32_t k = 0; k < 64; k++) {
    double z = rng_normal(seed, (uint64_t)agent, AGENTS_RNG_START, (uint32_t)ai * 64u + k);
    double s = (double)a->mean_s + (double)a->sd_s * z;
    int64_t r = llround(s);
    if (r >= cfg->day_start_s && r < cfg->day_end_s)
      return (int32_t)r;
  }
  return a->mean_s;
}

int agents_plan_day(const struct agents_config *cfg, uint64_t seed, int64_t agent, int group,
                    struct agents_slot *slots) {
  const struct agents_plans *pl = &cfg->plans;
  if (group < 0 || group >= pl->n_group)
    return 0;
  int n = 0;
  for (int ai = 0; ai < pl->n_act[group]; ai++) {
    const struct agents_activity *a = &pl->act[group][ai];
    double u = rng_uniform(seed, (uint64_t)agent, AGENTS_RNG_DO, (uint32_t)a->excl_first);
    if (!(u >= a->excl_off && u < a->excl_off + a->p_day))
      continue;
    int32_t s = plan_draw_start(cfg, a, ai, seed, agent);
    /* Insertion by (start, activity). */
    int j = n++;
    while (j > 0 &&
           (slots[j - 1].start > s || (slots[j - 1].start == s && slots[j - 1].act > ai))) {
      slots[j] = slots[j - 1];
      j--;
    }
    slots[j].start = s;
    slots[j].act = ai;
  }
  return n;
}

/* ---- OSM opening_hours (a restricted syntax). ---- */

static int plan_hours_day(const char *p) {
  static const char *const names[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
  for (int d = 0; d < 7; d++)
    if (p[0] == names[d][0] && p[1] == names[d][1])
      return d;
  return -1;
}

static int plan_hours_time(const char *p, int32_t *min) {
  char b[6];
  if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != ':' ||
      !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]))
    return -1;
  memcpy(b, p, 5);
  b[5] = '\0';
  return facility_parse_hhmm(b, min) == LC_OK ? 0 : -1;
}

int agents_opening_hours(const char *value, int weekday, int32_t *open_min, int32_t *close_min,
                         int *closed) {
  if (!value || weekday < 0 || weekday > 6)
    LC_FAIL(LC_EFORMAT, "opening_hours: no value or weekday %d out of 0..6", weekday);
  const char *p = value;
  while (*p == ' ')
    p++;
  if (strcmp(p, "24/7") == 0) {
    *open_min = 0;
    *close_min = 1440;
    *closed = 0;
    return LC_OK;
  }
  int have = 0, is_closed = 1;
  int32_t o = 0, c = 0;
  while (*p) {
    /* One rule up to ';'. */
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char rule[128];
    if (len >= sizeof rule)
      LC_FAIL(LC_EFORMAT, "opening_hours '%s': a rule is too long", value);
    memcpy(rule, p, len);
    rule[len] = '\0';
    p = end ? end + 1 : p + len;
    while (*p == ' ')
      p++;
    char *r = rule;
    while (*r == ' ')
      r++;
    size_t rl = strlen(r);
    while (rl > 0 && r[rl - 1] == ' ')
      r[--rl] = '\0';
    if (!*r)
      continue;
    int days[7] = {1, 1, 1, 1, 1, 1, 1};
    if (isalpha((unsigned char)*r) && strncmp(r, "off", 3) != 0 && strncmp(r, "closed", 6) != 0) {
      memset(days, 0, sizeof days);
      for (;;) {
        int d0 = plan_hours_day(r);
        if (d0 < 0)
          LC_FAIL(LC_EFORMAT,
                  "opening_hours '%s': unsupported day '%.2s' (Mo, Tu, We, Th, Fr, "
                  "Sa, Su, ranges like Mo-Fr and lists like Mo,We; public holidays and months "
                  "are not supported)",
                  value, r);
        r += 2;
        int d1 = d0;
        if (*r == '-') {
          d1 = plan_hours_day(r + 1);
          if (d1 < 0)
            LC_FAIL(LC_EFORMAT, "opening_hours '%s': malformed day range", value);
          r += 3;
        }
        for (int d = d0;; d = (d + 1) % 7) {
          days[d] = 1;
          if (d == d1)
            break;
        }
        if (*r == ',') {
          r++;
          continue;
        }
        break;
      }
      if (*r != ' ')
        LC_FAIL(LC_EFORMAT, "opening_hours '%s': expected a space after the days", value);
      while (*r == ' ')
        r++;
    }
    int rule_closed = 0;
    int32_t ro = 0, rc = 0;
    if (strcmp(r, "off") == 0 || strcmp(r, "closed") == 0) {
      rule_closed = 1;
    } else {
      if (plan_hours_time(r, &ro) != 0 || r[5] != '-' || plan_hours_time(r + 6, &rc) != 0)
        LC_FAIL(LC_EFORMAT, "opening_hours '%s': expected HH:MM-HH:MM in rule '%s'", value, r);
      if (r[11] != '\0')
        LC_FAIL(LC_EFORMAT,
                "opening_hours '%s': only one time range per rule is supported "
                "(rule '%s')",
                value, r);
      if (rc <= ro)
        LC_FAIL(LC_EFORMAT,
                "opening_hours '%s': closing time is not after opening time "
                "(hours past midnight are not supported)",
                value);
    }
    if (days[weekday]) {
      have = 1;
      is_closed = rule_closed;
      o = ro;
      c = rc;
    }
  }
  (void)have;
  *closed = is_closed;
  *open_min = is_closed ? 0 : o;
  *close_min = is_closed ? 0 : c;
  return LC_OK;
}

/* ---- The plans of a sensitivity design point. ---- */

int agents_plans_scaled(const struct agents_config *cfg, double rate, double service,
                        struct agents_config *out) {
  const struct agents_plans *pl = &cfg->plans;
  *out = *cfg;
  memset(&out->plans, 0, sizeof out->plans);
  struct agents_plans *np = &out->plans;
  np->n_group = pl->n_group;
  np->n_act = lc_calloc_array(pl->n_group, sizeof *np->n_act);
  np->act = lc_calloc_array(pl->n_group, sizeof *np->act);
  np->file = pl->file ? strdup(pl->file) : NULL;
  if (!np->n_act || !np->act || (pl->file && !np->file)) {
    agents_config_free(out);
    return LC_ENOMEM;
  }
  for (int g = 0; g < pl->n_group; g++) {
    int n = pl->n_act[g];
    struct agents_activity *a = lc_malloc_array(n, sizeof *a);
    if (!a) {
      agents_config_free(out);
      return LC_ENOMEM;
    }
    np->act[g] = a;
    np->n_act[g] = n;
    memcpy(a, pl->act[g], (size_t)n * sizeof *a);
    /* Visit rates times `rate`; a set (an exclusive set, or one activity alone) whose scaled
     * rates sum beyond 1 is scaled back to sum 1, its members keeping their proportions. */
    for (int j = 0; j < n; j++) {
      a[j].p_day *= rate;
      double d = nearbyint((double)a[j].duration_s * service);
      a[j].duration_s = d > INT32_MAX ? INT32_MAX : (int32_t)d;
    }
    for (int j = 0; j < n; j++) {
      if (a[j].excl_first != j)
        continue;
      double sum = 0;
      for (int m = j; m < n; m++)
        if (a[m].excl_first == j)
          sum += a[m].p_day;
      double off = 0;
      for (int m = j; m < n; m++) {
        if (a[m].excl_first != j)
          continue;
        if (sum > 1.0)
          a[m].p_day /= sum;
        a[m].excl_off = off;
        off += a[m].p_day;
      }
    }
  }
  return LC_OK;
}
