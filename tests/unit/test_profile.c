/* Tests of the walking profile: the shipped inputs/profiles/walk.yml classifies ways as
 * docs/DESIGN.md asks (private compound lanes walkable, foot=no removed, oneway ignored,
 * steps slower), and malformed profiles are refused with their position. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/profile.h"
#include "lifecircle/status.h"

static const char *test_profile_shipped(void) {
  static char buf[4096];
  const char *root = getenv("LC_ROOT");
  snprintf(buf, sizeof buf, "%s/inputs/profiles/walk.yml", root ? root : ".");
  return buf;
}

/* Classifies a way given as "k1", "v1", "k2", "v2", ..., NULL; *factor receives its cost
 * factor (1.0 when not walkable). */
static int test_profile_way(const struct profile *p, double *factor, ...) {
  const char *keys[16], *values[16];
  int n = 0;
  va_list ap;
  va_start(ap, factor);
  const char *k;
  while (n < 16 && (k = va_arg(ap, const char *)) != NULL) {
    keys[n] = k;
    values[n] = va_arg(ap, const char *);
    n++;
  }
  va_end(ap);
  int32_t cls = -2;
  int verdict = profile_classify(p, n, keys, values, &cls);
  *factor = profile_factor(p, cls);
  if (verdict == PROFILE_WALK) {
    CU_ASSERT(cls >= 0);
  } else {
    CU_ASSERT_EQUAL(cls, -1);
  }
  return verdict;
}

static void test_profile_walk_yml(void) {
  struct profile p;
  CU_ASSERT_EQUAL_FATAL(profile_load(test_profile_shipped(), &p), LC_OK);
  CU_ASSERT_STRING_EQUAL(p.name, "walk");
  double f;
  /* Shanghai compound lanes: walkable by default (DESIGN.md, local facts). */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "service", "access", "private", NULL),
                  PROFILE_WALK);
  CU_ASSERT_DOUBLE_EQUAL(f, 1.0, 0);
  CU_ASSERT_EQUAL(
      test_profile_way(&p, &f, "highway", "service", "access", "private", "foot", "private", NULL),
      PROFILE_WALK);
  /* oneway is ignored. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "residential", "oneway", "yes", NULL),
                  PROFILE_WALK);
  /* Elevated expressways and use_sidepath: removed by foot. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "trunk", "foot", "no", NULL),
                  PROFILE_FOOT_FORBIDS);
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "primary", "foot", "use_sidepath", NULL),
                  PROFILE_FOOT_FORBIDS);
  /* Ground-level trunk roads stay. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "trunk", NULL), PROFILE_WALK);
  /* access=no forbids unless foot allows. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "service", "access", "no", NULL),
                  PROFILE_ACCESS_FORBIDS);
  CU_ASSERT_EQUAL(
      test_profile_way(&p, &f, "highway", "service", "access", "no", "foot", "designated", NULL),
      PROFILE_WALK);
  /* Classes that are not walkable, and ways that are not highways. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "motorway", NULL), PROFILE_NOT_LISTED);
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "construction", NULL), PROFILE_NOT_LISTED);
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "building", "yes", NULL), PROFILE_NO_HIGHWAY);
  /* Factors: steps 2.0; a signalised crossing 3.0; an unsignalised one 1.0. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "steps", NULL), PROFILE_WALK);
  CU_ASSERT_DOUBLE_EQUAL(f, 2.0, 0);
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "footway", "footway", "crossing", "crossing",
                                   "traffic_signals", NULL),
                  PROFILE_WALK);
  CU_ASSERT_DOUBLE_EQUAL(f, 3.0, 0);
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "footway", "footway", "crossing", "crossing",
                                   "zebra", NULL),
                  PROFILE_WALK);
  CU_ASSERT_DOUBLE_EQUAL(f, 1.0, 0);
  profile_free(&p);
}

/* Writes text to a fresh temporary file and returns its path. */
static const char *test_profile_write(const char *text) {
  const char *path = lc_tmp(".yml");
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void test_profile_factors_multiply(void) {
  const char *path = test_profile_write("highway:\n  steps: 2\n  footway: 1\n"
                                        "factors:\n  - tags: {covered: \"*\"}\n"
                                        "    factor: 1.5\n    source: test\n");
  struct profile p;
  CU_ASSERT_EQUAL_FATAL(profile_load(path, &p), LC_OK);
  double f;
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "steps", "covered", "yes", NULL),
                  PROFILE_WALK);
  CU_ASSERT_DOUBLE_EQUAL(f, 3.0, 1e-15);
  /* No foot/access lists: nothing forbids. */
  CU_ASSERT_EQUAL(test_profile_way(&p, &f, "highway", "footway", "access", "no", NULL),
                  PROFILE_WALK);
  profile_free(&p);
  remove(path);
}

/* Expects profile_load to fail with `status` and a message containing `part`. */
static void test_profile_bad(const char *text, int status, const char *part) {
  const char *path = test_profile_write(text);
  struct profile p;
  CU_ASSERT_EQUAL(profile_load(path, &p), status);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), part));
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), path));
  if (!strstr(lc_error_message(), part))
    fprintf(stderr, "message: %s\n", lc_error_message());
  remove(path);
}

static void test_profile_errors(void) {
  test_profile_bad("highway:\n  footway: 1\nspeed: 5\n", LC_EPARAM, ":3:8: unknown key 'speed'");
  test_profile_bad("highway:\n  footway: fast\n", LC_EPARAM, "highway:footway = 'fast'");
  test_profile_bad("highway:\n  footway: 0\n", LC_EPARAM, "outside (0, 100]");
  test_profile_bad("name: x\n", LC_EPARAM, "'highway' is required");
  test_profile_bad("highway:\n  footway: 1\naccess:\n  allow: [no]\n  forbid: [no]\n", LC_EPARAM,
                   "both allowed and forbidden");
  test_profile_bad("highway:\n  footway: 1\nfactors:\n  - tags: {a: b}\n    factor: 2\n", LC_EPARAM,
                   "needs 'source'");
  test_profile_bad("highway: [footway\n", LC_EFORMAT, "");
  struct profile p;
  CU_ASSERT_EQUAL(profile_load("/nonexistent/walk.yml", &p), LC_EIO);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("profile", NULL, NULL);
  if (!s || !CU_add_test(s, "shipped walk.yml", test_profile_walk_yml) ||
      !CU_add_test(s, "factors multiply", test_profile_factors_multiply) ||
      !CU_add_test(s, "malformed profiles", test_profile_errors))
    return 1;
  return 0;
}
