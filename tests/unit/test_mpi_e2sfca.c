/* E2SFCA on a five-node case worked by hand, with the nodes dealt round-robin over the
 * ranks: every rank count gives the hand-computed values. */
#include <math.h>
#include <mpi.h>

#include "lc_test.h"
#include "lifecircle/access.h"
#include "lifecircle/e2sfca.h"
#include "lifecircle/status.h"

/* One category with catchment d0 = 1000 cm, serving group 0 only; two facilities: row 0
 * (capacity 10) and row 1 (capacity 0: no limit, supply 1). Catchment lists (k = 2):
 *   n0: f0 at 0, f1 at 1000 (weight 0: the edge of the catchment)   demand 100
 *   n1: f0 at 500, f1 at 500                                         demand 50
 *   n2: f0 at 500                                                    demand 0
 *   n3: f1 at 0                                                      demand 200
 *   n4: none                                                         demand 30
 * Group 1's residents (not served) must change nothing. n0..n2 lie in subdistrict 0, n3 in
 * subdistrict 1, n4 outside. */
static const struct access_entry lists[5][2] = {{{0, 0}, {1000, 1}},
                                                {{500, 0}, {500, 1}},
                                                {{500, 0}, {-1, -1}},
                                                {{0, 1}, {-1, -1}},
                                                {{-1, -1}, {-1, -1}}};
static const int64_t demand[5][2] = {{100, 7}, {50, 9}, {0, 11}, {200, 3}, {30, 1000}};
static const int32_t subs[5] = {0, 0, 0, 1, -1};

static void test_e2sfca_by_hand(void) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  struct access_entry mine[10];
  int64_t res[10];
  int32_t sub[5];
  int64_t n = 0, gid[5];
  for (int i = 0; i < 5; i++) {
    if (i % size != rank)
      continue;
    mine[2 * n] = lists[i][0];
    mine[2 * n + 1] = lists[i][1];
    res[2 * n] = demand[i][0];
    res[2 * n + 1] = demand[i][1];
    sub[n] = subs[i];
    gid[n++] = i;
  }
  struct access_table t = {0};
  CU_ASSERT_EQUAL_FATAL(access_table_pack(&t, mine, 2 * n), LC_OK);
  uint8_t serves[2] = {1, 0};
  int64_t d0 = 1000;
  int32_t cap[2] = {10, 0};
  struct e2sfca_spec spec = {2, 1, 2, 2, serves, &d0, NULL, 2, cap};
  double node[5], rows[3];
  int64_t trunc = -1;
  CU_ASSERT_EQUAL_FATAL(e2sfca_compute(&spec, n, &t, res, sub, MPI_COMM_WORLD, node, rows, &trunc),
                        LC_OK);
  /* W(500) = (exp(-1/8) - exp(-1/2)) / (1 - exp(-1/2)); W(0) = 1; W(1000) = 0. */
  double w = (exp(-0.125) - exp(-0.5)) / (1 - exp(-0.5));
  CU_ASSERT_DOUBLE_EQUAL(e2sfca_weight(500, 1000), w, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(e2sfca_weight(1000, 1000), 0.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(e2sfca_weight(1001, 1000), 0.0, 0);
  /* Step 1: f0's demand 100 * 1 + 50 * w (n2 has none); f1's 100 * 0 + 50 * w + 200 * 1. */
  double r0 = 10.0 / (100 + 50 * w), r1 = 1.0 / (50 * w + 200);
  double expect[5] = {1000 * r0, 1000 * (r0 + r1) * w, 1000 * r0 * w, 1000 * r1, 0.0};
  for (int64_t j = 0; j < n; j++)
    CU_ASSERT_DOUBLE_EQUAL(node[j], expect[gid[j]], 1e-7 * expect[gid[j]] + 1e-12);
  /* Rows weighted by demand. The whole area: every facility's supply is shared out in full
   * (sum of D_i A_i = 1000 * (10 + 1)) over 380 residents served. */
  CU_ASSERT_DOUBLE_EQUAL(rows[2], 1000.0 * 11.0 / 380.0, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(rows[0], (100 * expect[0] + 50 * expect[1]) / 150.0, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(rows[1], expect[3], 1e-7);
  /* One node with demand has a full list of k = 2 (n0; n1 as well). */
  CU_ASSERT_EQUAL(trunc, 2);
  /* A category skipped (no data) is NaN everywhere. */
  int8_t skip = 1;
  spec.skip = &skip;
  CU_ASSERT_EQUAL_FATAL(e2sfca_compute(&spec, n, &t, res, sub, MPI_COMM_WORLD, node, rows, &trunc),
                        LC_OK);
  for (int64_t j = 0; j < n; j++)
    CU_ASSERT_TRUE(isnan(node[j]));
  CU_ASSERT_TRUE(isnan(rows[0]) && isnan(rows[1]) && isnan(rows[2]));
  access_table_free(&t);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("e2sfca", NULL, NULL);
  if (!s || !CU_add_test(s, "hand-computed five nodes", test_e2sfca_by_hand))
    return 1;
  return 0;
}
