/* Parameters read collectively: rank 0 reads the file, every rank must end with identical
 * values, and a missing or malformed file must give every rank the same status and message. */
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/params.h"
#include "lifecircle/status.h"

/* FNV-1a, to compare texts across ranks with one reduction. */
static uint64_t hash_text(const char *s, size_t len) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= UINT64_C(1099511628211);
  }
  return h;
}

/* Asserts that v (n values) is identical on every rank. */
static void assert_same(const long long *v, int n) {
  long long lo[16], hi[16];
  CU_ASSERT_FATAL(n <= 16);
  CU_ASSERT_EQUAL_FATAL(MPI_Allreduce(v, lo, n, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD),
                        MPI_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(MPI_Allreduce(v, hi, n, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD),
                        MPI_SUCCESS);
  for (int i = 0; i < n; i++)
    CU_ASSERT_EQUAL(lo[i], hi[i]);
}

static void test_mpi_params_values(void) {
  struct params p;
  int rc = params_read(lc_fixture("params/xinhua.yml"), MPI_COMM_WORLD, &p);
  CU_ASSERT_EQUAL_FATAL(rc, LC_OK);
  const char *name, *crs, *file;
  long seed, radius, agents;
  double speed, share;
  int strict, metric, n_layers;
  const char *const metrics[] = {"distance", "time"};
  CU_ASSERT_EQUAL(params_get_string(&p, "Run:name", &name), LC_OK);
  CU_ASSERT_EQUAL(params_get_int(&p, "Run:seed", 0, 1L << 40, NULL, &seed), LC_OK);
  CU_ASSERT_EQUAL(params_get_bool(&p, "Run:strict", &strict), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Graph:file", &file), LC_OK);
  CU_ASSERT_EQUAL(params_get_int(&p, "Accessibility:radius_m", 0, 100000, "m", &radius), LC_OK);
  CU_ASSERT_EQUAL(params_get_double(&p, "Accessibility:speed_mps", 0.1, 3, "m/s", &speed), LC_OK);
  CU_ASSERT_EQUAL(params_get_choice(&p, "Accessibility:metric", metrics, 2, &metric), LC_OK);
  CU_ASSERT_EQUAL(params_count(&p, "Facilities:layers", &n_layers), LC_OK);
  CU_ASSERT_EQUAL(params_get_string(&p, "Facilities:layers:1:crs", &crs), LC_OK);
  CU_ASSERT_EQUAL(params_get_int(&p, "Population:agents_per_resident", 1, 1000, NULL, &agents),
                  LC_OK);
  CU_ASSERT_EQUAL(params_get_double(&p, "Population:elderly_share", 0, 1, NULL, &share), LC_OK);
  /* The values written in the fixture. */
  CU_ASSERT_STRING_EQUAL(name, "新华路 baseline");
  CU_ASSERT_EQUAL(seed, 20250101);
  CU_ASSERT_EQUAL(strict, 1);
  CU_ASSERT_STRING_EQUAL(file, "xinhua.h5");
  CU_ASSERT_EQUAL(radius, 1200);
  CU_ASSERT_EQUAL(speed, 1.25);
  CU_ASSERT_EQUAL(metric, 1);
  CU_ASSERT_EQUAL(n_layers, 2);
  CU_ASSERT_STRING_EQUAL(crs, "wgs84");
  CU_ASSERT_EQUAL(agents, 10);
  CU_ASSERT_EQUAL(share, 0.25);
  /* And the same on every rank, bit for bit. */
  long long v[10];
  v[0] = seed;
  v[1] = radius;
  v[2] = agents;
  memcpy(&v[3], &speed, sizeof speed);
  memcpy(&v[4], &share, sizeof share);
  v[5] = strict * 10 + metric * 100 + n_layers;
  v[6] = (long long)hash_text(name, strlen(name));
  v[7] = (long long)hash_text(crs, strlen(crs));
  v[8] = (long long)hash_text(p.text, p.text_len);
  v[9] = (long long)p.text_len;
  assert_same(v, 10);
  CU_ASSERT_EQUAL(params_report_unused(&p, 1), LC_EPARAM);
  char *used = NULL;
  CU_ASSERT_EQUAL_FATAL(params_used_yaml(&p, &used), LC_OK);
  long long u = (long long)hash_text(used, strlen(used));
  assert_same(&u, 1);
  free(used);
  params_free(&p);
}

/* Every rank gets the same status and message when rank 0 cannot read or parse the file. */
static void check_failure(const char *path, int expected, const char *part) {
  struct params p;
  lc_error_clear();
  int rc = params_read(path, MPI_COMM_WORLD, &p);
  CU_ASSERT_EQUAL(rc, expected);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), part));
  const char *m = lc_error_message();
  long long v[2] = {rc, (long long)hash_text(m, strlen(m))};
  assert_same(v, 2);
}

static void test_mpi_params_failures(void) {
  check_failure("/nonexistent/dir/params.yml", LC_EIO, "/nonexistent/dir/params.yml: cannot open");
  check_failure(lc_fixture("params/broken.yml"), LC_EFORMAT, "broken.yml:");
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("mpi_params", NULL, NULL);
  if (!s || !CU_add_test(s, "identical values on every rank", test_mpi_params_values) ||
      !CU_add_test(s, "identical failures on every rank", test_mpi_params_failures))
    return 1;
  return 0;
}
