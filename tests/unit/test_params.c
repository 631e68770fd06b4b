/* Tests of the parameter module: typed getters, validation messages with positions, defaults,
 * unknown keys, sequence counts and the "as used" dump read back with ytree. Positions in
 * the expected messages were counted by hand from the documents below. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/params.h"
#include "lifecircle/status.h"
#include "lifecircle/ytree.h"

/* Asserts that the last error message contains `part`, printing it when it does not. */
#define MSG_HAS(part)                                                                 \
  do {                                                                                \
    int has_ = strstr(lc_error_message(), (part)) != NULL;                            \
    if (!has_)                                                                        \
      fprintf(stderr, "\nmessage \"%s\" lacks \"%s\"\n", lc_error_message(), (part)); \
    CU_ASSERT(has_);                                                                  \
  } while (0)

static const char *good_doc = "Run:\n"                  /* 1 */
                              "  name: \"新华路\"\n"    /* 2 */
                              "  seed: +42\n"           /* 3 */
                              "  verbose: Yes\n"        /* 4 */
                              "  dry: no\n"             /* 5 */
                              "  check: TRUE\n"         /* 6 */
                              "Accessibility:\n"        /* 7 */
                              "  radius_m: 1200\n"      /* 8 */
                              "  speed_mps: 1.25\n"     /* 9 */
                              "  tiny: -2.5e-3\n"       /* 10 */
                              "  metric: time\n"        /* 11 */
                              "  count: -7\n"           /* 12 */
                              "Facilities:\n"           /* 13 */
                              "  layers:\n"             /* 14 */
                              "    - path: a.csv\n"     /* 15 */
                              "      crs: gcj02\n"      /* 16 */
                              "    - path: b.geojson\n" /* 17 */
                              "      crs: wgs84\n"      /* 18 */
                              "  ids: [3, 5, 8]\n"      /* 19 */
                              "  none: []\n";           /* 20 */

static void test_params_good(void) {
  struct params p;
  CU_ASSERT_EQUAL_FATAL(params_from_string(good_doc, "good.yml", &p), LC_OK);
  CU_ASSERT_STRING_EQUAL(p.file, "good.yml");
  CU_ASSERT_STRING_EQUAL(p.text, good_doc);
  CU_ASSERT_EQUAL(p.text_len, strlen(good_doc));
  const char *s;
  long i;
  double d;
  int b, c;
  CU_ASSERT_EQUAL(params_get_string(&p, "Run:name", &s), LC_OK);
  CU_ASSERT_STRING_EQUAL(s, "新华路");
  CU_ASSERT_EQUAL(params_get_int(&p, "Run:seed", 0, 100, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(i, 42);
  CU_ASSERT_EQUAL(params_get_bool(&p, "Run:verbose", &b), LC_OK);
  CU_ASSERT_EQUAL(b, 1);
  CU_ASSERT_EQUAL(params_get_bool(&p, "Run:dry", &b), LC_OK);
  CU_ASSERT_EQUAL(b, 0);
  CU_ASSERT_EQUAL(params_get_bool(&p, "Run:check", &b), LC_OK);
  CU_ASSERT_EQUAL(b, 1);
  /* The range is inclusive at both ends. */
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:radius_m", 1200, 1200, "m", &i), LC_OK);
  CU_ASSERT_EQUAL(i, 1200);
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:count", -7, 0, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(i, -7);
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:speed_mps", 0.1, 3.0, "m/s", &d), LC_OK);
  CU_ASSERT_EQUAL(d, 1.25);
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:tiny", -INFINITY, INFINITY, NULL, &d),
                  LC_OK);
  CU_ASSERT_EQUAL(d, -0.0025);
  /* An integer is a valid double. */
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:radius_m", 0, 1e5, "m", &d), LC_OK);
  CU_ASSERT_EQUAL(d, 1200.0);
  const char *const metrics[] = {"distance", "time", "generalised"};
  CU_ASSERT_EQUAL(params_get_choice(&p, "Accessibility:metric", metrics, 3, &c), LC_OK);
  CU_ASSERT_EQUAL(c, 1);
  CU_ASSERT_EQUAL(params_get_string(&p, "Facilities:layers:1:crs", &s), LC_OK);
  CU_ASSERT_STRING_EQUAL(s, "wgs84");
  CU_ASSERT_EQUAL(params_get_string(&p, "Facilities:layers:0:path", &s), LC_OK);
  CU_ASSERT_STRING_EQUAL(s, "a.csv");
  CU_ASSERT_EQUAL(params_get_int(&p, "Facilities:ids:2", 0, 10, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(i, 8);
  CU_ASSERT_TRUE(params_has(&p, "Facilities:layers:1:path"));
  CU_ASSERT_TRUE(params_has(&p, "Run"));
  CU_ASSERT_FALSE(params_has(&p, "Facilities:layers:2"));
  CU_ASSERT_FALSE(params_has(&p, "Run:nothing"));
  params_free(&p);
}

static void test_params_count(void) {
  struct params p;
  int n = -1;
  CU_ASSERT_EQUAL_FATAL(params_from_string(good_doc, "good.yml", &p), LC_OK);
  CU_ASSERT_EQUAL(params_count(&p, "Facilities:layers", &n), LC_OK);
  CU_ASSERT_EQUAL(n, 2);
  CU_ASSERT_EQUAL(params_count(&p, "Facilities:ids", &n), LC_OK);
  CU_ASSERT_EQUAL(n, 3);
  CU_ASSERT_EQUAL(params_count(&p, "Facilities:none", &n), LC_OK);
  CU_ASSERT_EQUAL(n, 0);
  n = -1;
  CU_ASSERT_EQUAL(params_count(&p, "Facilities:absent", &n), LC_OK);
  CU_ASSERT_EQUAL(n, 0);
  /* A map and a scalar are not sequences; the map Run starts at its first key (2:3). */
  CU_ASSERT_EQUAL(params_count(&p, "Run", &n), LC_EPARAM);
  MSG_HAS("good.yml:2:3: Run must be a sequence");
  MSG_HAS("a map");
  CU_ASSERT_EQUAL(params_count(&p, "Accessibility:radius_m", &n), LC_EPARAM);
  MSG_HAS("good.yml:8:13: Accessibility:radius_m must be a sequence");
  params_free(&p);
}

static const char *bad_doc = "Accessibility:\n"               /* 1 */
                             "  radius_m: -5\n"               /* 2: value at column 13 */
                             "  word: abc\n"                  /* 3: value at column 9 */
                             "  trail: 12x\n"                 /* 4: value at column 10 */
                             "  frac: 1.5\n"                  /* 5: value at column 9 */
                             "  huge: 99999999999999999999\n" /* 6: value at column 9 */
                             "  nan: .nan\n"                  /* 7: value at column 8 */
                             "  nan2: nan\n"                  /* 8: value at column 9 */
                             "  inf: inf\n"                   /* 9: value at column 8 */
                             "  big: 1e999\n"                 /* 10: value at column 8 */
                             "  hex: 0x10\n"                  /* 11: value at column 8 */
                             "  speed: 9.5\n"                 /* 12: value at column 10 */
                             "  metric: bike\n"               /* 13: value at column 11 */
                             "  flag: maybe\n"                /* 14: value at column 9 */
                             "  nested:\n"                    /* 15 */
                             "    a: 1\n"                     /* 16: the map starts at column 5 */
                             "  list: [1, 2]\n" /* 17: the sequence starts at column 9 */
                             "  empty:\n"       /* 18: null, at column 9 */
                             "  blank: ' 5'\n"; /* 19: value at column 10 */

static void test_params_errors(void) {
  struct params p;
  const char *s;
  long i = 123;
  double d = 4.5;
  int b, c;
  CU_ASSERT_EQUAL_FATAL(params_from_string(bad_doc, "xinhua.yml", &p), LC_OK);
  /* Out of range: never clamped, the output untouched. */
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:radius_m", 0, 100000, "m", &i), LC_EPARAM);
  CU_ASSERT_STRING_EQUAL(lc_error_message(),
                         "xinhua.yml:2:13: Accessibility:radius_m = -5 is outside the allowed "
                         "range [0, 100000] m");
  CU_ASSERT_EQUAL(i, 123);
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:word", 0, 10, "m", &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:3:9: Accessibility:word = abc is not an integer");
  MSG_HAS("[0, 10] m");
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:trail", 0, 100, "m", &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:4:10: Accessibility:trail = 12x is not an integer");
  MSG_HAS("[0, 100] m");
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:frac", 0, 100, NULL, &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:5:9: Accessibility:frac = 1.5 is not an integer");
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:huge", 0, 100, NULL, &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:6:9: Accessibility:huge = 99999999999999999999 does not fit");
  MSG_HAS("[0, 100]");
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:blank", 0, 100, NULL, &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:19:10: Accessibility:blank =  5 is not an integer");
  CU_ASSERT_EQUAL(i, 123);
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:nan", 0, 10, "m/s", &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:7:8: Accessibility:nan = .nan is not a number");
  MSG_HAS("[0, 10] m/s");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:nan2", 0, 10, "m/s", &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:8:9: Accessibility:nan2 = nan is not a number");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:inf", 0, INFINITY, "m", &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:9:8: Accessibility:inf = inf is not a number");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:big", 0, INFINITY, "m", &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:10:8: Accessibility:big = 1e999 is not a finite number");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:hex", 0, 100, NULL, &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:11:8: Accessibility:hex = 0x10 is not a number");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:trail", 0, 100, NULL, &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:4:10: Accessibility:trail = 12x is not a number");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:speed", 0.1, 3, "m/s", &d), LC_EPARAM);
  CU_ASSERT_STRING_EQUAL(lc_error_message(),
                         "xinhua.yml:12:10: Accessibility:speed = 9.5 is outside the allowed "
                         "range [0.1, 3] m/s");
  CU_ASSERT_EQUAL(d, 4.5);
  const char *const metrics[] = {"distance", "time"};
  CU_ASSERT_EQUAL(params_get_choice(&p, "Accessibility:metric", metrics, 2, &c), LC_EPARAM);
  MSG_HAS("xinhua.yml:13:11: Accessibility:metric = bike is not one of the allowed values: "
          "distance, time");
  CU_ASSERT_EQUAL(params_get_bool(&p, "Accessibility:flag", &b), LC_EPARAM);
  MSG_HAS("xinhua.yml:14:9: Accessibility:flag = maybe is not a boolean");
  /* Wrong node types. */
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:nested", 0, 10, "m", &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:16:5: Accessibility:nested must be an integer in [0, 10] m");
  MSG_HAS("a map");
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:list", 0, 10, "m", &d), LC_EPARAM);
  MSG_HAS("xinhua.yml:17:9: Accessibility:list must be a number in [0, 10] m");
  MSG_HAS("a sequence");
  CU_ASSERT_EQUAL(params_get_string(&p, "Accessibility:nested", &s), LC_EPARAM);
  MSG_HAS("must be a string");
  /* Missing and null required keys. */
  CU_ASSERT_EQUAL(params_get_string(&p, "Graph:file", &s), LC_EPARAM);
  MSG_HAS("xinhua.yml: required key Graph:file is missing");
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:empty", 0, 10, "min", &i), LC_EPARAM);
  MSG_HAS("xinhua.yml:18:9: required key Accessibility:empty has no value");
  MSG_HAS("[0, 10] min");
  /* A default outside its own range is a programming error, not the user's. */
  CU_ASSERT_EQUAL(params_get_int_or(&p, "X:y", 0, 10, NULL, 11, &i), LC_EINVARIANT);
  CU_ASSERT_EQUAL(params_get_double_or(&p, "X:y", 0, 1, NULL, NAN, &d), LC_EINVARIANT);
  CU_ASSERT_EQUAL(params_get_choice_or(&p, "X:y", metrics, 2, 2, &c), LC_EINVARIANT);
  /* An out-of-range value is refused even when a default exists. */
  CU_ASSERT_EQUAL(params_get_int_or(&p, "Accessibility:radius_m", 0, 10, "m", 5, &i), LC_EPARAM);
  params_free(&p);
  /* The top level must be a map; syntax errors carry the position. */
  CU_ASSERT_EQUAL(params_from_string("- a\n- b\n", "list.yml", &p), LC_EFORMAT);
  MSG_HAS("list.yml:1:1: the parameters must be a map");
  CU_ASSERT_EQUAL(params_from_string("a: [1\n", "syntax.yml", &p), LC_EFORMAT);
  MSG_HAS("syntax.yml:");
}

static void test_params_defaults(void) {
  struct params p;
  const char *doc = "Run:\n  seed:\n  label: ~\n";
  CU_ASSERT_EQUAL_FATAL(params_from_string(doc, "d.yml", &p), LC_OK);
  const char *s;
  long i;
  double d;
  int b, c;
  const char *const modes[] = {"a", "b", "c"};
  CU_ASSERT_EQUAL(params_get_int_or(&p, "Run:seed", 0, 100, NULL, 17, &i), LC_OK);
  CU_ASSERT_EQUAL(i, 17);
  CU_ASSERT_EQUAL(params_get_string_or(&p, "Run:label", "none", &s), LC_OK);
  CU_ASSERT_STRING_EQUAL(s, "none");
  CU_ASSERT_EQUAL(params_get_string_or(&p, "Run:other", "x", &s), LC_OK);
  CU_ASSERT_STRING_EQUAL(s, "x");
  CU_ASSERT_EQUAL(params_get_double_or(&p, "Walk:speed", 0.5, 2.0, "m/s", 1.2, &d), LC_OK);
  CU_ASSERT_EQUAL(d, 1.2);
  CU_ASSERT_EQUAL(params_get_bool_or(&p, "Walk:gates", 1, &b), LC_OK);
  CU_ASSERT_EQUAL(b, 1);
  CU_ASSERT_EQUAL(params_get_choice_or(&p, "Walk:mode", modes, 3, 2, &c), LC_OK);
  CU_ASSERT_EQUAL(c, 2);
  CU_ASSERT_FALSE(params_has(&p, "Run:seed"));
  CU_ASSERT_EQUAL_FATAL(p.n_used, 6);
  for (int k = 0; k < p.n_used; k++)
    CU_ASSERT_TRUE(p.used[k].is_default);
  CU_ASSERT_STRING_EQUAL(p.used[0].key, "Run:seed");
  CU_ASSERT_STRING_EQUAL(p.used[0].value, "17");
  CU_ASSERT_STRING_EQUAL(p.used[5].value, "c");
  /* The null keys were read, so nothing is unknown. */
  CU_ASSERT_EQUAL(params_report_unused(&p, 1), LC_OK);
  params_free(&p);
}

static void test_params_unused(void) {
  struct params p;
  const char *doc = "Graph:\n"       /* 1 */
                    "  file: g.h5\n" /* 2 */
                    "  fiel: typo\n" /* 3 */
                    "Walk:\n"        /* 4 */
                    "  speed: 1.2\n" /* 5 */
                    "Extra:\n"       /* 6 */
                    "  a: 1\n"       /* 7 */
                    "  b: 2\n";      /* 8 */
  CU_ASSERT_EQUAL_FATAL(params_from_string(doc, "u.yml", &p), LC_OK);
  const char *s;
  double d;
  CU_ASSERT_EQUAL(params_get_string(&p, "Graph:file", &s), LC_OK);
  CU_ASSERT_EQUAL(params_get_double(&p, "Walk:speed", 0, 3, "m/s", &d), LC_OK);
  /* Graph:fiel and the whole Extra section (reported once, as a section) are unread. */
  CU_ASSERT_EQUAL(ytree_unused(p.tree.root, "", NULL, NULL), 2);
  CU_ASSERT_EQUAL(params_report_unused(&p, 0), LC_OK);
  CU_ASSERT_EQUAL(params_report_unused(&p, 1), LC_EPARAM);
  /* ytree records the position of the value (column 9), not of the key. */
  MSG_HAS("u.yml:3:9: unknown parameter Graph:fiel");
  MSG_HAS("(2 unknown in all)");
  long i;
  CU_ASSERT_EQUAL(params_get_int(&p, "Extra:a", 0, 5, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(params_get_int(&p, "Extra:b", 0, 5, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(params_report_unused(&p, 1), LC_EPARAM);
  MSG_HAS("(1 unknown in all)");
  CU_ASSERT_EQUAL(params_get_string_or(&p, "Graph:fiel", "", &s), LC_OK);
  CU_ASSERT_EQUAL(params_report_unused(&p, 1), LC_OK);
  params_free(&p);
}

static void test_params_used_yaml(void) {
  struct params p;
  const char *doc = "Walk:\n"
                    "  speed: 0.1\n"
                    "  third: 0.333333333333333314829616256247\n"
                    "  label: '007'\n"
                    "  answer: \"yes\"\n"
                    "  quote: 'say \"hi\" \\ ok'\n"
                    "  unread: 5\n"
                    "Facilities:\n"
                    "  layers:\n"
                    "    - path: a.csv\n"
                    "      crs: gcj02\n"
                    "    - path: b.csv\n"
                    "      crs: wgs84\n"
                    "Run:\n"
                    "  name: 新华路\n"
                    "  seed: 0042\n";
  CU_ASSERT_EQUAL_FATAL(params_from_string(doc, "used.yml", &p), LC_OK);
  const char *s;
  long i;
  double d;
  int b;
  /* Read order: Run first, then Facilities, then Walk, then a default-only section. */
  CU_ASSERT_EQUAL(params_get_int(&p, "Run:seed", 0, 100, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Run:name", &s), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Facilities:layers:1:crs", &s), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Walk:label", &s), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Walk:answer", &s), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Walk:quote", &s), LC_OK);
  CU_ASSERT_EQUAL(params_get_double(&p, "Walk:speed", 0, 3, "m/s", &d), LC_OK);
  CU_ASSERT_EQUAL(params_get_double(&p, "Walk:third", 0, 1, NULL, &d), LC_OK);
  CU_ASSERT_EQUAL(d, 1.0 / 3.0);
  CU_ASSERT_EQUAL(params_get_bool_or(&p, "Walk:gates", 0, &b), LC_OK);
  CU_ASSERT_EQUAL(params_get_double_or(&p, "Output:every_s", 0, 1e6, "s", 900.5, &d), LC_OK);
  CU_ASSERT_EQUAL(params_get_int_or(&p, "Output:level", 0, 9, NULL, 4, &i), LC_OK);
  char *text = NULL;
  CU_ASSERT_EQUAL_FATAL(params_used_yaml(&p, &text), LC_OK);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  struct ytree t;
  CU_ASSERT_EQUAL_FATAL(ytree_parse(text, strlen(text), "as-used.yml", &t), LC_OK);
  struct ytree_node *r = t.root;
  CU_ASSERT_EQUAL_FATAL(r->type, YTREE_MAP);
  CU_ASSERT_EQUAL_FATAL(r->n_children, 4);
  CU_ASSERT_STRING_EQUAL(r->children[0]->key, "Run");
  CU_ASSERT_STRING_EQUAL(r->children[1]->key, "Facilities");
  CU_ASSERT_STRING_EQUAL(r->children[2]->key, "Walk");
  CU_ASSERT_STRING_EQUAL(r->children[3]->key, "Output");
  /* The value used: 0042 was read as the integer 42. */
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Run:seed")->value, "42");
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Run:name")->value, "新华路");
  /* Only item 1 of the sequence was read: item 0 is kept as null to hold the index. */
  CU_ASSERT_EQUAL(ytree_path(r, "Facilities:layers")->type, YTREE_SEQ);
  CU_ASSERT_EQUAL(ytree_path(r, "Facilities:layers")->n_children, 2);
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Facilities:layers:1:crs")->value, "wgs84");
  CU_ASSERT_PTR_NULL(ytree_path(r, "Facilities:layers:1:path"));
  /* Strings stay strings (quoted), whatever they look like. */
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Walk:label")->value, "007");
  CU_ASSERT_TRUE(ytree_path(r, "Walk:label")->quoted);
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Walk:answer")->value, "yes");
  CU_ASSERT_TRUE(ytree_path(r, "Walk:answer")->quoted);
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Walk:quote")->value, "say \"hi\" \\ ok");
  /* Doubles are written so that they read back exactly. */
  CU_ASSERT_EQUAL(strtod(ytree_path(r, "Walk:speed")->value, NULL), 0.1);
  CU_ASSERT_EQUAL(strtod(ytree_path(r, "Walk:third")->value, NULL), 1.0 / 3.0);
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Walk:gates")->value, "false");
  CU_ASSERT_FALSE(ytree_path(r, "Walk:gates")->quoted);
  CU_ASSERT_PTR_NULL(ytree_path(r, "Walk:unread"));
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Output:every_s")->value, "900.5");
  CU_ASSERT_STRING_EQUAL(ytree_path(r, "Output:level")->value, "4");
  ytree_free(&t);
  /* The dump is itself a parameter file giving the same values. */
  struct params q;
  CU_ASSERT_EQUAL_FATAL(params_from_string(text, "as-used.yml", &q), LC_OK);
  CU_ASSERT_EQUAL(params_get_int(&q, "Run:seed", 0, 100, NULL, &i), LC_OK);
  CU_ASSERT_EQUAL(i, 42);
  CU_ASSERT_EQUAL(params_get_double(&q, "Walk:third", 0, 1, NULL, &d), LC_OK);
  CU_ASSERT_EQUAL(d, 1.0 / 3.0);
  CU_ASSERT_EQUAL(params_get_bool(&q, "Walk:gates", &b), LC_OK);
  CU_ASSERT_EQUAL(b, 0);
  params_free(&q);
  free(text);
  params_free(&p);
  /* Nothing read: an empty map. */
  CU_ASSERT_EQUAL_FATAL(params_from_string("a: 1\n", "e.yml", &p), LC_OK);
  CU_ASSERT_EQUAL_FATAL(params_used_yaml(&p, &text), LC_OK);
  CU_ASSERT_EQUAL_FATAL(ytree_parse(text, strlen(text), "e2.yml", &t), LC_OK);
  CU_ASSERT_EQUAL(t.root->type, YTREE_MAP);
  CU_ASSERT_EQUAL(t.root->n_children, 0);
  ytree_free(&t);
  free(text);
  params_free(&p);
}

/* A local read of the fixture (one rank of MPI_COMM_SELF) and a missing file. */
static void test_params_file(void) {
  struct params p;
  CU_ASSERT_EQUAL_FATAL(params_read(lc_fixture("params/xinhua.yml"), MPI_COMM_SELF, &p), LC_OK);
  long i;
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:radius_m", 0, 100000, "m", &i), LC_OK);
  CU_ASSERT_EQUAL(i, 1200);
  CU_ASSERT_PTR_NOT_NULL(strstr(p.text, "# Parameters of a small run"));
  params_free(&p);
  CU_ASSERT_EQUAL(params_read("/nonexistent/p.yml", MPI_COMM_SELF, &p), LC_EIO);
  MSG_HAS("/nonexistent/p.yml: cannot open");
  CU_ASSERT_EQUAL(params_read(lc_fixture("params"), MPI_COMM_SELF, &p), LC_EIO);
  MSG_HAS("not a regular file");
  CU_ASSERT_EQUAL(params_read(lc_fixture("params/broken.yml"), MPI_COMM_SELF, &p), LC_EFORMAT);
  MSG_HAS("broken.yml:");
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("params", NULL, NULL);
  if (!s || !CU_add_test(s, "getters with good values", test_params_good) ||
      !CU_add_test(s, "sequence counts", test_params_count) ||
      !CU_add_test(s, "validation messages", test_params_errors) ||
      !CU_add_test(s, "defaults", test_params_defaults) ||
      !CU_add_test(s, "unknown keys", test_params_unused) ||
      !CU_add_test(s, "as-used dump", test_params_used_yaml) ||
      !CU_add_test(s, "reading files", test_params_file))
    return 1;
  return 0;
}
