/* Coverage on a tiny case worked by hand, with the nodes dealt round-robin over the ranks:
 * every rank count must give the hand-computed tables exactly. */
#include <math.h>
#include <mpi.h>

#include "lc_test.h"
#include "lifecircle/coverage.h"
#include "lifecircle/status.h"

/* Three nodes: n0 and n1 in subdistrict 0, n2 outside every subdistrict. Two categories
 * (5 and 10 minutes, both essential, targets 0.5 and 0.9), two groups (1.0 and 0.5 m/s).
 * Limits: c0 g0 30000 cm, c0 g1 15000 cm, c1 g0 60000 cm, c1 g1 30000 cm. */
static const int64_t all_res[3][2] = {{10, 2}, {5, 0}, {1, 1}};
static const int64_t all_near[2][3] = {{20000, 40000, -1}, {35000, 10000, 5000}};
static const int32_t all_sub[3] = {0, 0, -1};

static void test_coverage_by_hand(void) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int64_t res[6], n0[3], n1[3];
  int32_t sub[3];
  int64_t n = 0;
  for (int i = 0; i < 3; i++) {
    if (i % size != rank)
      continue;
    res[2 * n] = all_res[i][0];
    res[2 * n + 1] = all_res[i][1];
    n0[n] = all_near[0][i];
    n1[n] = all_near[1][i];
    sub[n] = all_sub[i];
    n++;
  }
  const int64_t *near[2] = {n0, n1};
  int thr[2] = {5, 10}, ess[2] = {1, 1};
  double target[2] = {0.5, 0.9}, speed[2] = {1.0, 0.5};
  uint8_t serves[4] = {1, 1, 1, 1};
  struct coverage_spec spec = {1, 2, 2, thr, target, ess, serves, speed, 1000, NULL};
  struct coverage cov;
  CU_ASSERT_EQUAL_FATAL(coverage_compute(&spec, n, near, res, sub, MPI_COMM_WORLD, &cov), LC_OK);
  CU_ASSERT_EQUAL(cov.n_rows, 2);
  /* Residents: row 0 = n0 + n1, row 1 (whole area) adds n2. */
  CU_ASSERT_EQUAL(cov.residents[0], 15);
  CU_ASSERT_EQUAL(cov.residents[1], 2);
  CU_ASSERT_EQUAL(cov.residents[2], 16);
  CU_ASSERT_EQUAL(cov.residents[3], 3);
  /* covered[row][cat][group]. Row 0: c0 g0 only n0 (200 m <= 300 m): 10; c0 g1: n0 is
   * 200 m > 150 m: 0; c1 g0: n0 and n1: 15; c1 g1: n0 350 m > 300 m: 0. */
  CU_ASSERT_EQUAL(cov.covered[0], 10);
  CU_ASSERT_EQUAL(cov.covered[1], 0);
  CU_ASSERT_EQUAL(cov.covered[2], 15);
  CU_ASSERT_EQUAL(cov.covered[3], 0);
  /* Row 1 adds n2: no c0 facility; c1 at 50 m for both groups. */
  CU_ASSERT_EQUAL(cov.covered[4], 10);
  CU_ASSERT_EQUAL(cov.covered[5], 0);
  CU_ASSERT_EQUAL(cov.covered[6], 16);
  CU_ASSERT_EQUAL(cov.covered[7], 1);
  CU_ASSERT_DOUBLE_EQUAL(cov.share[0], 10.0 / 15.0, 1e-12);
  /* Complete life circle: only n0's adults have both. */
  CU_ASSERT_EQUAL(cov.complete[0], 10);
  CU_ASSERT_EQUAL(cov.complete[1], 0);
  CU_ASSERT_EQUAL(cov.complete[2], 10);
  CU_ASSERT_EQUAL(cov.complete[3], 0);
  /* Median of c0 g0 in row 0: weights 10 at 200 m and 5 at 400 m; half of 15 is reached in
   * the 200 m bin, whose upper edge is 201 m, at 60 m/min: 3.35 min. 90%: 13.5 -> 401 m. */
  CU_ASSERT_DOUBLE_EQUAL(cov.median_min[0], 201.0 / 60.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(cov.p90_min[0], 401.0 / 60.0, 1e-12);
  /* c0 g1 in row 1: n0 200 m (2), n2 unreached (1): median 201 m at 30 m/min, p90 beyond. */
  CU_ASSERT_DOUBLE_EQUAL(cov.median_min[5], 201.0 / 30.0, 1e-12);
  CU_ASSERT_TRUE(isnan(cov.p90_min[5]));
  /* Served shares and pass/fail: c0 row 0 10/17 >= 0.5; c1 row 0 15/17 < 0.9;
   * c1 row 1 17/19 < 0.9. */
  CU_ASSERT_DOUBLE_EQUAL(cov.served_share[0], 10.0 / 17.0, 1e-12);
  CU_ASSERT_EQUAL(cov.pass[0], 1);
  CU_ASSERT_EQUAL(cov.pass[1], 0);
  CU_ASSERT_DOUBLE_EQUAL(cov.served_share[3], 17.0 / 19.0, 1e-12);
  CU_ASSERT_EQUAL(cov.pass[3], 0);
  coverage_free(&cov);
}

/* The same case with c0 marked "no data" and serving adults (g0) only: c0's shares,
 * quantiles and served share are NaN and its pass -1 in every row; the complete life circle
 * is over c1 alone, and complete_all_essential is NaN for g0 (c0 serves it and has no data)
 * but equals complete_share for g1 (which c0 does not serve). */
static void test_coverage_no_data(void) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int64_t res[6], n0[3], n1[3];
  int32_t sub[3];
  int64_t n = 0;
  for (int i = 0; i < 3; i++) {
    if (i % size != rank)
      continue;
    res[2 * n] = all_res[i][0];
    res[2 * n + 1] = all_res[i][1];
    n0[n] = all_near[0][i];
    n1[n] = all_near[1][i];
    sub[n] = all_sub[i];
    n++;
  }
  const int64_t *near[2] = {n0, n1};
  int thr[2] = {5, 10}, ess[2] = {1, 1};
  double target[2] = {0.5, 0.9}, speed[2] = {1.0, 0.5};
  uint8_t serves[4] = {1, 0, 1, 1};
  int8_t status[2] = {COVERAGE_DATA_NONE, COVERAGE_DATA_OK};
  struct coverage_spec spec = {1, 2, 2, thr, target, ess, serves, speed, 1000, status};
  struct coverage cov;
  CU_ASSERT_EQUAL_FATAL(coverage_compute(&spec, n, near, res, sub, MPI_COMM_WORLD, &cov), LC_OK);
  for (int r = 0; r < 2; r++) {
    for (int g = 0; g < 2; g++) {
      CU_ASSERT_TRUE(isnan(cov.share[(r * 2 + 0) * 2 + g]));
      CU_ASSERT_TRUE(isnan(cov.median_min[(r * 2 + 0) * 2 + g]));
      CU_ASSERT_TRUE(isnan(cov.p90_min[(r * 2 + 0) * 2 + g]));
    }
    CU_ASSERT_TRUE(isnan(cov.served_share[r * 2 + 0]));
    CU_ASSERT_EQUAL(cov.pass[r * 2 + 0], -1);
  }
  /* c1 is measured as before: 15/17 in row 0, a failure against 0.9. */
  CU_ASSERT_DOUBLE_EQUAL(cov.served_share[1], 15.0 / 17.0, 1e-12);
  CU_ASSERT_EQUAL(cov.pass[1], 0);
  /* Complete over c1 only: row 0 g0 n0 + n1 = 15, g1 0; row 1 adds n2: 16 and 1. */
  CU_ASSERT_EQUAL(cov.complete[0], 15);
  CU_ASSERT_EQUAL(cov.complete[1], 0);
  CU_ASSERT_EQUAL(cov.complete[2], 16);
  CU_ASSERT_EQUAL(cov.complete[3], 1);
  CU_ASSERT_TRUE(isnan(cov.complete_all_essential[0]));
  CU_ASSERT_DOUBLE_EQUAL(cov.complete_all_essential[3], 1.0 / 3.0, 1e-12);
  CU_ASSERT_EQUAL(cov.data_status[0], COVERAGE_DATA_NONE);
  CU_ASSERT_EQUAL(cov.data_status[1], COVERAGE_DATA_OK);
  coverage_free(&cov);
}

static void test_coverage_limits(void) {
  /* 15 minutes at 1.3 m/s is 1170 m; 5 minutes at 0.97 m/s is 291 m. */
  CU_ASSERT_EQUAL(coverage_limit_cm(15, 1.3), 117000);
  CU_ASSERT_EQUAL(coverage_limit_cm(5, 0.97), 29100);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("coverage", NULL, NULL);
  if (!s || !CU_add_test(s, "hand-computed tables", test_coverage_by_hand) ||
      !CU_add_test(s, "no data and served groups", test_coverage_no_data) ||
      !CU_add_test(s, "threshold limits", test_coverage_limits))
    return 1;
  return 0;
}
