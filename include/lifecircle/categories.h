/* Facility categories from a data file (inputs/categories.yml): ids, names, walking
 * thresholds, targets, OSM tag rules and service defaults. Nothing about categories lives
 * in code. */
#ifndef LIFECIRCLE_CATEGORIES_H
#define LIFECIRCLE_CATEGORIES_H

#include <stdint.h>

/* One OSM tag rule: all `n` key=value conditions must hold. A value is "*" (the key with any
 * value), "-" (the key is absent) or alternatives separated by '|' (a YAML list is stored joined by '|'); an
 * alternative is an exact value, or "~text" for a tag value containing text. A tag value
 * that is an OSM multi-value "a;b" matches when any of its parts matches. */
struct category_rule {
  int n;
  char **keys;
  char **values;
};

struct category {
  char *id;                /* Short ascii id, e.g. "elderly_canteen". */
  char *name_zh;           /* Chinese name, "" when the file gives none. */
  char *name_en;           /* English name (required, from name_en or names: en). */
  int n_names;             /* Names in every language given (name_zh, name_en and `names`). */
  char **name_lang;        /* Language code of name i ("zh", "en", "fr", ...). */
  char **name_text;        /* Name i. */
  int threshold_min;       /* Standard walking time in minutes (5, 10 or 15). */
  double target_share;     /* Target share of residents within the threshold (0..1). */
  int essential;           /* Nonzero when part of the "complete life circle". */
  double radius_m;         /* Catchment radius R in metres for catchment lists. */
  int capacity;            /* Default concurrent seats/servers (agent simulation). */
  double service_min;      /* Default service time in minutes. */
  int open_min;            /* Default opening time, minutes after midnight. */
  int close_min;           /* Default closing time, minutes after midnight. */
  char *groups;            /* Comma-separated population groups the category serves. */
  char *source;            /* Where the defaults come from. */
  double expected_per_10k; /* Optional `expected`: facilities per 10,000 residents below which
                              the category's data count as thin; 0 when not given. */
  double expected_per_km2; /* Optional `expected`: facilities per km2 of the zones' area below
                              which the data count as thin; 0 when not given. */
  char *expected_source;   /* The source of the expected densities (NULL when not given). */
  int n_rules;
  struct category_rule *rules; /* OSM tag rules; any one matching is enough. */
};

struct category_set {
  int n;
  struct category *c;
  char *file; /* The file the set was read from. */
};

/* Reads and validates a categories file (the format is described at the top of
 * inputs/categories.yml). Messages name the file, line, column, the category and the key.
 * Returns LC_OK, LC_EIO, LC_EFORMAT (YAML syntax), LC_EPARAM (invalid field) or LC_ENOMEM;
 * on failure the set is left empty. Local. */
int categories_load(const char *path, struct category_set *set);

/* The category's name in language `lang`, or "" when it has none. */
const char *categories_name(const struct category *c, const char *lang);

/* Frees a set. */
void categories_free(struct category_set *set);

/* Index of the category with this id, or -1. */
int categories_find(const struct category_set *set, const char *id);

/* Writes into out (at most max_out) the indices, in file order, of the categories whose tag
 * rules match an element with these tags; returns how many matched (which may exceed
 * max_out; out may be NULL when max_out is 0). Local. */
int categories_match(const struct category_set *set, int n_tags, const char *const *keys,
                     const char *const *values, int32_t *out, int max_out);

#endif
