/* Tests of the categories file: loading a hand-written fixture, every validation error with
 * its position, tag-rule matching, and loading the project's own inputs/categories.yml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/categories.h"
#include "lifecircle/status.h"

static void test_categories_small(void) {
  struct category_set s;
  CU_ASSERT_EQUAL_FATAL(categories_load(lc_fixture("categories/small.yml"), &s), LC_OK);
  CU_ASSERT_EQUAL_FATAL(s.n, 4);
  const struct category *m = &s.c[0];
  CU_ASSERT_STRING_EQUAL(m->id, "wet_market");
  CU_ASSERT_STRING_EQUAL(m->name_zh, "菜场");
  CU_ASSERT_STRING_EQUAL(m->name_en, "Wet market");
  CU_ASSERT_EQUAL(m->threshold_min, 10);
  CU_ASSERT_DOUBLE_EQUAL(m->target_share, 0.95, 1e-12);
  CU_ASSERT_EQUAL(m->essential, 1);
  CU_ASSERT_DOUBLE_EQUAL(m->radius_m, 1500.0, 1e-12);
  CU_ASSERT_EQUAL(m->capacity, 40);
  CU_ASSERT_DOUBLE_EQUAL(m->service_min, 20.5, 1e-12);
  CU_ASSERT_EQUAL(m->open_min, 6 * 60);
  CU_ASSERT_EQUAL(m->close_min, 19 * 60 + 30);
  CU_ASSERT_STRING_EQUAL(m->groups, "adult,elderly");
  CU_ASSERT_STRING_EQUAL(m->source, "test fixture");
  CU_ASSERT_DOUBLE_EQUAL(m->expected_per_10k, 0.4, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(m->expected_per_km2, 2.5, 1e-12);
  CU_ASSERT_STRING_EQUAL(m->expected_source, "fixture density");
  CU_ASSERT_DOUBLE_EQUAL(s.c[1].expected_per_10k, 0.0, 0); /* Not given: never thin. */
  CU_ASSERT_PTR_NULL(s.c[1].expected_source);
  CU_ASSERT_EQUAL_FATAL(m->n_rules, 2);
  CU_ASSERT_EQUAL(m->rules[0].n, 1);
  CU_ASSERT_STRING_EQUAL(m->rules[0].keys[0], "amenity");
  CU_ASSERT_STRING_EQUAL(m->rules[0].values[0], "marketplace");
  CU_ASSERT_EQUAL_FATAL(m->rules[1].n, 2);
  CU_ASSERT_STRING_EQUAL(m->rules[1].keys[0], "shop");
  CU_ASSERT_STRING_EQUAL(m->rules[1].values[0], "greengrocer|butcher");
  CU_ASSERT_STRING_EQUAL(m->rules[1].keys[1], "name");
  CU_ASSERT_STRING_EQUAL(m->rules[1].values[1], "~菜场|~菜市场");

  const struct category *b = &s.c[1];
  CU_ASSERT_EQUAL(b->essential, 0);
  CU_ASSERT_DOUBLE_EQUAL(b->target_share, 1.0, 1e-12);
  CU_ASSERT_EQUAL(b->capacity, 0);
  CU_ASSERT_EQUAL(b->open_min, 0);
  CU_ASSERT_EQUAL(b->close_min, 24 * 60);
  CU_ASSERT_STRING_EQUAL(b->groups, "pupil,adult");
  CU_ASSERT_EQUAL(b->n_rules, 2);

  const struct category *p = &s.c[2];
  CU_ASSERT_EQUAL(p->n_rules, 0);
  CU_ASSERT_EQUAL(p->essential, 0);
  CU_ASSERT_EQUAL(p->threshold_min, 15);
  CU_ASSERT_STRING_EQUAL(p->groups, "child,pupil,adult,elderly");
  CU_ASSERT_EQUAL(s.c[3].essential, 1);
  CU_ASSERT_EQUAL(s.c[3].threshold_min, 60);
  CU_ASSERT_EQUAL(s.c[3].close_min - s.c[3].open_min, 1);

  CU_ASSERT_EQUAL(categories_find(&s, "wet_market"), 0);
  CU_ASSERT_EQUAL(categories_find(&s, "parcel_locker"), 2);
  CU_ASSERT_EQUAL(categories_find(&s, "any_shop"), 3);
  CU_ASSERT_EQUAL(categories_find(&s, "nothing"), -1);
  CU_ASSERT_STRING_EQUAL(s.file, lc_fixture("categories/small.yml"));
  categories_free(&s);
  CU_ASSERT_EQUAL(s.n, 0);
  CU_ASSERT_PTR_NULL(s.c);
}

/* Matches a NULL-terminated list of "key", "value" pairs; returns the count and fills out. */
static int match(const struct category_set *s, const char *const *kv, int32_t *out, int max) {
  const char *keys[16], *values[16];
  int n = 0;
  while (kv[2 * n]) {
    keys[n] = kv[2 * n];
    values[n] = kv[2 * n + 1];
    n++;
  }
  return categories_match(s, n, keys, values, out, max);
}

static void test_categories_match(void) {
  struct category_set s;
  CU_ASSERT_EQUAL_FATAL(categories_load(lc_fixture("categories/small.yml"), &s), LC_OK);
  int32_t out[8];

  /* One condition, exact value. */
  const char *market[] = {"name", "x", "amenity", "marketplace", NULL};
  CU_ASSERT_EQUAL(match(&s, market, out, 8), 1);
  CU_ASSERT_EQUAL(out[0], 0);
  /* Exact means exact: a prefix or a different case does not match. */
  const char *market2[] = {"amenity", "marketplaces", NULL};
  CU_ASSERT_EQUAL(match(&s, market2, out, 8), 0);
  const char *market3[] = {"amenity", "Marketplace", NULL};
  CU_ASSERT_EQUAL(match(&s, market3, out, 8), 0);
  /* Two conditions from a YAML list and a "~" substring: both must hold. */
  const char *green[] = {"shop", "butcher", "name", "长宁路菜市场", NULL};
  CU_ASSERT_EQUAL(match(&s, green, out, 8), 2); /* wet_market and any_shop */
  CU_ASSERT_EQUAL(out[0], 0);
  CU_ASSERT_EQUAL(out[1], 3);
  const char *green2[] = {"shop", "butcher", "name", "肉店", NULL};
  CU_ASSERT_EQUAL(match(&s, green2, out, 8), 1); /* any_shop only */
  CU_ASSERT_EQUAL(out[0], 3);
  const char *green3[] = {"shop", "greengrocer", NULL};
  CU_ASSERT_EQUAL(match(&s, green3, out, 8), 0); /* no name: neither rule holds */
  /* "*" requires the key with any value. */
  const char *anyshop[] = {"shop", "tea", "name", "", NULL};
  CU_ASSERT_EQUAL(match(&s, anyshop, out, 8), 1);
  CU_ASSERT_EQUAL(out[0], 3);
  /* The second rule of bus_stop needs both tags. */
  const char *plat[] = {"public_transport", "platform", "bus", "no", NULL};
  CU_ASSERT_EQUAL(match(&s, plat, out, 8), 0);
  const char *plat2[] = {"bus", "yes", "public_transport", "platform", NULL};
  CU_ASSERT_EQUAL(match(&s, plat2, out, 8), 1);
  CU_ASSERT_EQUAL(out[0], 1);
  /* A category with two matching rules is listed once. */
  const char *both[] = {"highway", "bus_stop", "public_transport", "platform", "bus", "yes", NULL};
  CU_ASSERT_EQUAL(match(&s, both, out, 8), 1);
  /* OSM multi-values: any part may match. */
  const char *multi[] = {"shop", "florist;butcher", "name", "菜场", NULL};
  CU_ASSERT_EQUAL(match(&s, multi, out, 8), 2);
  const char *multi2[] = {"amenity", "cafe; marketplace", NULL};
  CU_ASSERT_EQUAL(match(&s, multi2, out, 8), 1);
  /* No tags, and max_out smaller than the number of matches. */
  CU_ASSERT_EQUAL(categories_match(&s, 0, NULL, NULL, out, 8), 0);
  out[0] = out[1] = -7;
  CU_ASSERT_EQUAL(match(&s, green, out, 1), 2);
  CU_ASSERT_EQUAL(out[0], 0);
  CU_ASSERT_EQUAL(out[1], -7);
  CU_ASSERT_EQUAL(match(&s, green, NULL, 0), 2);
  categories_free(&s);
}

/* The base document of the error cases; line numbers are fixed (see each case). */
static const char *const base_lines[] = {"categories:",           /* 1 */
                                         "  - id: a",             /* 2 */
                                         "    name_zh: 甲",       /* 3 */
                                         "    name_en: A",        /* 4 */
                                         "    threshold_min: 10", /* 5 */
                                         "    target_share: 0.5", /* 6 */
                                         "    essential: true",   /* 7 */
                                         "    radius_m: 1000",    /* 8 */
                                         "    capacity: 5",       /* 9 */
                                         "    service_min: 10",   /* 10 */
                                         "    open: \"08:00\"",   /* 11 */
                                         "    close: \"17:00\"",  /* 12 */
                                         "    groups: [adult]",   /* 13 */
                                         "    source: test",      /* 14 */
                                         "    osm:",              /* 15 */
                                         "      - amenity: x",    /* 16 */
                                         NULL};

/* Writes the base document with the line starting with `prefix` replaced by `repl` (dropped
 * when repl is NULL) and `extra` appended; loads it; checks the status and that the message
 * holds "file:where" and `what`. */
static void expect_error(const char *prefix, const char *repl, const char *extra, int status,
                         const char *where, const char *what) {
  const char *path = lc_tmp(".yml");
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (int i = 0; base_lines[i]; i++) {
    if (prefix && strncmp(base_lines[i], prefix, strlen(prefix)) == 0) {
      if (repl)
        fprintf(f, "%s\n", repl);
    } else {
      fprintf(f, "%s\n", base_lines[i]);
    }
  }
  if (extra)
    fputs(extra, f);
  fclose(f);
  struct category_set s;
  int rc = categories_load(path, &s);
  CU_ASSERT_EQUAL(rc, status);
  char pos[600];
  snprintf(pos, sizeof pos, "%s:%s", path, where);
  const char *msg = lc_error_message();
  if (!strstr(msg, pos) || !strstr(msg, what)) {
    printf("\nexpected '%s' and '%s' in: %s\n", pos, what, msg);
    CU_FAIL("message does not name the position and the problem");
  }
  CU_ASSERT_EQUAL(s.n, 0);
  CU_ASSERT_PTR_NULL(s.c);
}

static void test_categories_errors(void) {
  /* The base document itself is valid. */
  {
    const char *path = lc_tmp(".yml");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; base_lines[i]; i++)
      fprintf(f, "%s\n", base_lines[i]);
    fclose(f);
    struct category_set s;
    CU_ASSERT_EQUAL_FATAL(categories_load(path, &s), LC_OK);
    CU_ASSERT_EQUAL(s.n, 1);
    categories_free(&s);
  }
  /* Unknown key, positioned at its value. */
  expect_error("    source:", "    source: test\n    colour: red", NULL, LC_EPARAM, "15:13",
               "unknown key 'colour'");
  /* Missing key: the position is the category map. */
  expect_error("    name_en:", NULL, NULL, LC_EPARAM, "2:5", "'name_en' is required");
  /* Thresholds must be integers in 1..60. */
  expect_error("    threshold_min:", "    threshold_min: 0", NULL, LC_EPARAM, "5:20",
               "threshold_min");
  expect_error("    threshold_min:", "    threshold_min: 61", NULL, LC_EPARAM, "5:20",
               "outside 1..60");
  expect_error("    threshold_min:", "    threshold_min: ten", NULL, LC_EPARAM, "5:20",
               "not an integer");
  expect_error("    threshold_min:", "    threshold_min: 7.5", NULL, LC_EPARAM, "5:20",
               "not an integer");
  /* Target outside [0, 1]. */
  expect_error("    target_share:", "    target_share: 1.5", NULL, LC_EPARAM, "6:19",
               "target_share");
  expect_error("    target_share:", "    target_share: -0.1", NULL, LC_EPARAM, "6:19",
               "target_share");
  expect_error("    target_share:", "    target_share: nan", NULL, LC_EPARAM, "6:19",
               "not a number");
  /* Essential must be a boolean. */
  expect_error("    essential:", "    essential: maybe", NULL, LC_EPARAM, "7:16", "essential");
  /* Radius must be positive. */
  expect_error("    radius_m:", "    radius_m: 0", NULL, LC_EPARAM, "8:15", "radius_m");
  /* Negative capacity. */
  expect_error("    capacity:", "    capacity: -1", NULL, LC_EPARAM, "9:15", "capacity");
  expect_error("    service_min:", "    service_min: -2", NULL, LC_EPARAM, "10:18", "service_min");
  /* Times. */
  expect_error("    open:", "    open: \"8:00\"", NULL, LC_EPARAM, "11:11", "'open'");
  expect_error("    open:", "    open: \"08:60\"", NULL, LC_EPARAM, "11:11", "'open'");
  expect_error("    open:", "    open: \"24:00\"", NULL, LC_EPARAM, "11:11", "'open'");
  expect_error("    open:", "    open: 08:00x", NULL, LC_EPARAM, "11:11", "'open'");
  expect_error("    close:", "    close: \"24:01\"", NULL, LC_EPARAM, "12:12", "'close'");
  expect_error("    close:", "    close: \"08:00\"", NULL, LC_EPARAM, "12:12",
               "must be after 'open'");
  expect_error("    close:", "    close: \"07:59\"", NULL, LC_EPARAM, "12:12",
               "must be after 'open'");
  /* Groups. */
  expect_error("    groups:", "    groups: [adult, teen]", NULL, LC_EPARAM, "13:21",
               "unknown group 'teen'");
  expect_error("    groups:", "    groups: []", NULL, LC_EPARAM, "13:13", "empty list");
  expect_error("    groups:", "    groups: [adult, adult]", NULL, LC_EPARAM, "13:21",
               "listed twice");
  expect_error("    groups:", "    groups: adult", NULL, LC_EPARAM, "13:13", "'groups'");
  /* Empty strings and bad ids. */
  expect_error("    name_zh:", "    name_zh: \"\"", NULL, LC_EPARAM, "3:14", "name_zh");
  expect_error("  - id:", "  - id: Bad-Id", NULL, LC_EPARAM, "2:9", "id 'Bad-Id'");
  /* Tag rules. */
  expect_error("      - amenity:", "      - amenity: a||b", NULL, LC_EPARAM, "16:18",
               "empty value");
  expect_error("      - amenity:", "      - amenity: []", NULL, LC_EPARAM, "16:18", "empty list");
  expect_error("      - amenity:", "      - {}", NULL, LC_EPARAM, "16:9", "rule 0 is empty");
  expect_error("      - amenity:", "      - amenity: \"~\"", NULL, LC_EPARAM, "16:18",
               "empty value");
  expect_error("      - amenity:", "        amenity: x", NULL, LC_EPARAM, "16:9",
               "'osm' must be a list");
  /* The optional `expected` density: a map of a positive number and its source. */
  expect_error("    source:",
               "    source: test\n    expected:\n      per_10k_residents: 0\n"
               "      source: x",
               NULL, LC_EPARAM, "16:", "per_10k_residents");
  expect_error("    source:",
               "    source: test\n    expected:\n      per_10k_residents: a\n"
               "      source: x",
               NULL, LC_EPARAM, "16:", "not a number");
  expect_error("    source:",
               "    source: test\n    expected:\n      per_km3: 3\n"
               "      source: x",
               NULL, LC_EPARAM, "16:", "unknown key 'per_km3' in 'expected'");
  expect_error("    source:",
               "    source: test\n    expected:\n      per_km2: -1\n"
               "      source: x",
               NULL, LC_EPARAM, "16:", "per_km2");
  expect_error("    source:", "    source: test\n    expected:\n      source: x", NULL, LC_EPARAM,
               "16:", "needs per_10k_residents or per_km2");
  expect_error("    source:", "    source: test\n    expected:\n      per_10k_residents: 1", NULL,
               LC_EPARAM, "16:", "'source' is required");
  expect_error("    source:", "    source: test\n    expected: 3", NULL, LC_EPARAM,
               "15:", "'expected' must be a map");
  /* Duplicate ids: the second entry (line 17) is a copy of the first. */
  char dup[1024] = "";
  for (int i = 1; base_lines[i]; i++) {
    strcat(dup, base_lines[i]);
    strcat(dup, "\n");
  }
  expect_error(NULL, NULL, dup, LC_EPARAM, "17:9", "duplicate id 'a'");
}

/* Whole-document errors. */
static void expect_doc_error(const char *doc, int status, const char *where, const char *what) {
  const char *path = lc_tmp(".yml");
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(doc, f);
  fclose(f);
  struct category_set s;
  CU_ASSERT_EQUAL(categories_load(path, &s), status);
  char pos[600];
  snprintf(pos, sizeof pos, "%s:%s", path, where);
  if (!strstr(lc_error_message(), pos) || !strstr(lc_error_message(), what)) {
    printf("\nexpected '%s' and '%s' in: %s\n", pos, what, lc_error_message());
    CU_FAIL("message does not name the position and the problem");
  }
}

static void test_categories_doc_errors(void) {
  expect_doc_error("categories: []\n", LC_EPARAM, "1:13", "empty list");
  expect_doc_error("categories:\n", LC_EPARAM, "1:12", "must be a list");
  expect_doc_error("other: 1\n", LC_EPARAM, "1:8", "unknown key 'other'");
  expect_doc_error("version: 1\ncategories: []\n", LC_EPARAM, "1:10", "unknown key 'version'");
  expect_doc_error("- a\n- b\n", LC_EPARAM, "1:1", "must be a map");
  expect_doc_error("categories: [1, 2]\n", LC_EPARAM, "1:14", "must be a map");
  expect_doc_error("categories: [\n", LC_EFORMAT, "", "YAML");
  struct category_set s;
  CU_ASSERT_EQUAL(categories_load("/nonexistent/categories.yml", &s), LC_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "/nonexistent/categories.yml"));
}

/* The project's own file loads, has every category of the design's taxonomy, and its rules
 * recognise typical tags of the Changning data. */
static void test_categories_project_file(void) {
  const char *root = getenv("LC_ROOT");
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  char path[1024];
  snprintf(path, sizeof path, "%s/inputs/categories.yml", root);
  struct category_set s;
  int rc = categories_load(path, &s);
  if (rc != LC_OK)
    printf("\n%s\n", lc_error_message());
  CU_ASSERT_EQUAL_FATAL(rc, LC_OK);
  const char *ids[] = {
      "party_mass_centre",  "wet_market",       "daily_shop",       "parcel_locker",
      "employment_service", "green_space",      "culture_venue",    "sports_venue",
      "bus_stop",           "metro_station",    "primary_school",   "middle_school",
      "kindergarten",       "childcare",        "elderly_day_care", "nursing_home",
      "elderly_canteen",    "community_health", "emergency_shelter"};
  int n_ids = (int)(sizeof ids / sizeof ids[0]);
  CU_ASSERT_EQUAL(s.n, n_ids);
  for (int i = 0; i < n_ids; i++) {
    int k = categories_find(&s, ids[i]);
    CU_ASSERT(k >= 0);
    if (k >= 0) {
      int t = s.c[k].threshold_min;
      CU_ASSERT(t == 5 || t == 10 || t == 15);
    }
  }
  /* The 2016 guidance: elderly care at 5 minutes, childcare at 10. */
  CU_ASSERT_EQUAL(s.c[categories_find(&s, "elderly_day_care")].threshold_min, 5);
  CU_ASSERT_EQUAL(s.c[categories_find(&s, "elderly_canteen")].threshold_min, 5);
  CU_ASSERT_EQUAL(s.c[categories_find(&s, "childcare")].threshold_min, 10);

  int32_t out[8];
  struct {
    const char *tags[7];
    const char *expect;
  } cases[] = {
      {{"highway", "bus_stop", "public_transport", "platform", "bus", "yes", NULL}, "bus_stop"},
      {{"railway", "station", "station", "subway", NULL}, "metro_station"},
      {{"amenity", "school", "name", "长宁区实验小学", NULL}, "primary_school"},
      {{"amenity", "school", "name", "上海市延安中学", NULL}, "middle_school"},
      {{"amenity", "kindergarten", NULL}, "kindergarten"},
      {{"amenity", "marketplace", NULL}, "wet_market"},
      {{"shop", "convenience", NULL}, "daily_shop"},
      {{"leisure", "garden", NULL}, "green_space"},
      {{"leisure", "pitch", "sport", "basketball", NULL}, "sports_venue"},
      {{"amenity", "clinic", "name", "北新泾社区卫生服务中心", NULL}, "community_health"},
      {{"public_transport", "stop_position", "subway", "yes", NULL}, "metro_station"},
      {{"amenity", "marketplace", "name", "昌化菜市场", NULL}, "wet_market"},
      {{"amenity", "hospital", "name", "新泾镇社区卫生服务中心", NULL}, "community_health"},
      {{"amenity", "parcel_locker", NULL}, "parcel_locker"},
      {{"emergency", "assembly_point", NULL}, "emergency_shelter"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n = match(&s, cases[i].tags, out, 8);
    int want = categories_find(&s, cases[i].expect);
    CU_ASSERT_EQUAL(n, 1);
    if (n != 1 || out[0] != want)
      printf("\ncase %zu (%s): %d matches, first %d\n", i, cases[i].expect, n, n > 0 ? out[0] : -1);
    CU_ASSERT_EQUAL(out[0], want);
  }
  /* Tags that must not be taken for a facility: a general hospital, a bus shelter flag, a
   * hospital's emergency department. */
  const char *hosp[] = {"amenity", "hospital", "name", "华东医院", "emergency", "yes", NULL};
  CU_ASSERT_EQUAL(match(&s, hosp, out, 8), 0);
  const char *shelter[] = {"shelter", "yes", "bench", "yes", NULL};
  CU_ASSERT_EQUAL(match(&s, shelter, out, 8), 0);
  /* Clinics of Changning's POIs that are not community health centres (the rule used to
   * take any amenity=clinic), and markets that are not wet markets. */
  const char *beauty[] = {"amenity", "clinic",   "healthcare", "cosmetic_surgery",
                          "name",    "芙艾美容", NULL};
  const char *nails[] = {"amenity", "clinic", "clinic", "nails", "name", "灰指甲", NULL};
  const char *postpartum[] = {"amenity",    "clinic",
                              "healthcare", "rehabilitation",
                              "name",       "BellaVilla Postpartum Care Center",
                              NULL};
  const char *flowers[] = {"amenity", "marketplace",      "shop", "garden_centre",
                           "name",    "上海虹桥花卉市场", NULL};
  const char *tea[] = {"amenity", "marketplace", "name", "天山茶城", NULL};
  CU_ASSERT_EQUAL(match(&s, beauty, out, 8), 0);
  CU_ASSERT_EQUAL(match(&s, nails, out, 8), 0);
  CU_ASSERT_EQUAL(match(&s, postpartum, out, 8), 0);
  CU_ASSERT_EQUAL(match(&s, flowers, out, 8), 0);
  CU_ASSERT_EQUAL(match(&s, tea, out, 8), 0);
  categories_free(&s);
}

/* The international set loads with names in several languages and no name_zh, and finds
 * schools by isced:level and transit stops by their public_transport tags. */
static void test_categories_international(void) {
  const char *root = getenv("LC_ROOT");
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  char path[1024];
  snprintf(path, sizeof path, "%s/inputs/categories/international.yml", root);
  struct category_set s;
  int rc = categories_load(path, &s);
  if (rc != LC_OK)
    printf("\n%s\n", lc_error_message());
  CU_ASSERT_EQUAL_FATAL(rc, LC_OK);
  int p = categories_find(&s, "pharmacy");
  CU_ASSERT_FATAL(p >= 0);
  CU_ASSERT_STRING_EQUAL(s.c[p].name_zh, "");
  CU_ASSERT_STRING_EQUAL(categories_name(&s.c[p], "en"), "Pharmacy");
  CU_ASSERT_STRING_EQUAL(categories_name(&s.c[p], "de"), "Apotheke");
  CU_ASSERT_STRING_EQUAL(categories_name(&s.c[p], "zh"), "");
  int32_t out[8];
  const char *school[] = {"amenity", "school", "isced:level", "2", NULL};
  CU_ASSERT_EQUAL(match(&s, school, out, 8), 1);
  CU_ASSERT_EQUAL(out[0], categories_find(&s, "secondary_school"));
  const char *tram[] = {"railway", "tram_stop", NULL};
  CU_ASSERT_EQUAL(match(&s, tram, out, 8), 1);
  CU_ASSERT_EQUAL(out[0], categories_find(&s, "transit_stop"));
  const char *depot[] = {"amenity", "post_office", "post_office", "post_depot", NULL};
  CU_ASSERT_EQUAL(match(&s, depot, out, 8), 0);
  const char *post[] = {"amenity", "post_office", NULL};
  CU_ASSERT_EQUAL(match(&s, post, out, 8), 1);
  categories_free(&s);
}

/* name_zh is optional, `names` gives any language, name_en may come from names: en; a
 * name that contradicts name_en or a bad language code is refused with its position. */
static void test_categories_names(void) {
  const char *path = lc_tmp(".yml");
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (int i = 0; base_lines[i]; i++)
    if (strncmp(base_lines[i], "    name_", 9) != 0)
      fprintf(f, "%s\n", base_lines[i]);
  fputs("    names: {en: Market, fr: Marché, zh: 市场}\n", f);
  fclose(f);
  struct category_set s;
  int rc = categories_load(path, &s);
  CU_ASSERT_EQUAL_FATAL(rc, LC_OK);
  CU_ASSERT_STRING_EQUAL(s.c[0].name_en, "Market");
  CU_ASSERT_STRING_EQUAL(s.c[0].name_zh, "市场");
  CU_ASSERT_EQUAL_FATAL(s.c[0].n_names, 3);
  /* zh and en first, then the other languages in file order. */
  CU_ASSERT_STRING_EQUAL(s.c[0].name_lang[0], "zh");
  CU_ASSERT_STRING_EQUAL(s.c[0].name_lang[1], "en");
  CU_ASSERT_STRING_EQUAL(s.c[0].name_lang[2], "fr");
  CU_ASSERT_STRING_EQUAL(categories_name(&s.c[0], "fr"), "Marché");
  categories_free(&s);
  expect_error("    name_zh:", NULL, "    names: {en: B}\n", LC_EPARAM, "16:", "differs");
  expect_error("    name_zh:", NULL, "    names: [a, b]\n", LC_EPARAM, "16:", "map");
  expect_error("    name_zh:", NULL, "    names: {\"e n\": B}\n", LC_EPARAM,
               "16:", "language code");
  /* Without name_en and without names: en. */
  expect_error("    name_en:", NULL, "    names: {fr: B}\n", LC_EPARAM, "2:", "name_en");
  /* Without name_zh the base entry still loads (name_zh is optional). */
  f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (int i = 0; base_lines[i]; i++)
    if (strncmp(base_lines[i], "    name_zh", 11) != 0)
      fprintf(f, "%s\n", base_lines[i]);
  fclose(f);
  CU_ASSERT_EQUAL_FATAL(categories_load(path, &s), LC_OK);
  CU_ASSERT_STRING_EQUAL(s.c[0].name_zh, "");
  CU_ASSERT_EQUAL(s.c[0].n_names, 1);
  categories_free(&s);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("categories", NULL, NULL);
  if (!s || !CU_add_test(s, "load a small file", test_categories_small) ||
      !CU_add_test(s, "tag rules", test_categories_match) ||
      !CU_add_test(s, "field errors with positions", test_categories_errors) ||
      !CU_add_test(s, "document errors", test_categories_doc_errors) ||
      !CU_add_test(s, "project categories file", test_categories_project_file) ||
      !CU_add_test(s, "international categories file", test_categories_international) ||
      !CU_add_test(s, "names in any language", test_categories_names))
    return 1;
  return 0;
}
