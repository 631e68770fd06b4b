/* The realised comparison (compare.h) at 1 to 4 ranks on a hand-made population with two
 * residents per agent, so that agent weights (the last agent of a node and group stands
 * for the remainder) matter. Every rank knows the whole trip list and contributes the trips
 * i with i % size == rank, so trips reach the rank of their agent through the routing.
 *
 * Population (3 nodes, 2 groups, residents_per_agent 2; ids follow nodes, then groups):
 *   node 0 (subdistrict 0): group 0 has 5 residents: agents 0, 1, 2 weighing 2, 2, 1;
 *   node 1 (subdistrict 1): group 0 has 2: agent 3 (2); group 1 has 3: agents 4, 5 (2, 1);
 *   node 2 (outside): nobody.
 * Trips (category, baseline / scenario verdicts):
 *   agent 0, cat 0: ok / ok                       covered in both;
 *   agent 1, cat 0: failed / ok                   newly covered, weight 2, row 0;
 *   agent 2, cat 0: ok / one ok and one late      no longer covered, weight 1, row 0;
 *   agent 3, cat 1: ok / no trip                  no longer covered, weight 2, row 1;
 *   agent 4, cat 0: failed / failed               needed in both, covered in neither;
 *   agent 5, cat 1: no trip / ok                  newly covered, weight 1, row 1. */
#include <mpi.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/compare.h"
#include "lifecircle/status.h"

enum { S = 2, R = 3, C = 2, G = 2, NT = 9 };

static const int64_t by_group[3 * G] = {5, 0, 2, 3, 0, 0};
static const int32_t sub[3] = {0, 1, -1};

/* {agent, origin, group, cat, which, ok}. */
static const struct compare_trip trips[NT] = {
    {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 1, 1}, {1, 0, 0, 0, 0, 0},
    {1, 0, 0, 0, 1, 1}, {2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 1, 1},
    {2, 0, 0, 0, 1, 0}, {3, 1, 0, 1, 0, 1}, {5, 1, 1, 1, 1, 1},
};
/* Agent 4: one failed trip in each. */
static const struct compare_trip trips4[2] = {{4, 1, 1, 0, 0, 0}, {4, 1, 1, 0, 1, 0}};

static size_t at(int r, int c, int g) { return ((size_t)r * C + c) * G + g; }

static int run_case(const struct compare_trip *extra, int n_extra, struct compare_realised *out) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  struct compare_trip mine[NT + 4];
  int n = 0;
  for (int i = 0; i < NT; i++)
    if (i % size == rank)
      mine[n++] = trips[i];
  for (int i = 0; i < 2; i++)
    if ((NT + i) % size == rank)
      mine[n++] = trips4[i];
  for (int i = 0; i < n_extra; i++)
    if (rank == size - 1)
      mine[n++] = extra[i];
  struct compare_agents_spec spec = {S, C, G, 3, by_group, sub, 2, 6};
  return compare_realised_compute(&spec, n, mine, MPI_COMM_WORLD, out);
}

static void test_hand_case(void) {
  struct compare_realised cr;
  CU_ASSERT_EQUAL_FATAL(run_case(NULL, 0, &cr), LC_OK);
  int64_t newly[R * C * G], lost[R * C * G], need[2][R * C * G], cov[2][R * C * G];
  memset(newly, 0, sizeof newly);
  memset(lost, 0, sizeof lost);
  memset(need, 0, sizeof need);
  memset(cov, 0, sizeof cov);
  /* Each entry counts in its subdistrict's row and in the whole area's (row 2). */
  for (int r = 0; r < R; r += 2) {
    int r0 = r == 0 ? 0 : 2, r1 = r == 0 ? 1 : 2;
    newly[at(r0, 0, 0)] += 2;   /* Agent 1. */
    newly[at(r1, 1, 1)] += 1;   /* Agent 5. */
    lost[at(r0, 0, 0)] += 1;    /* Agent 2. */
    lost[at(r1, 1, 0)] += 2;    /* Agent 3. */
    need[0][at(r0, 0, 0)] += 5; /* Agents 0, 1, 2. */
    need[1][at(r0, 0, 0)] += 5;
    need[0][at(r1, 0, 1)] += 2; /* Agent 4. */
    need[1][at(r1, 0, 1)] += 2;
    need[0][at(r1, 1, 0)] += 2; /* Agent 3. */
    need[1][at(r1, 1, 1)] += 1; /* Agent 5. */
    cov[0][at(r0, 0, 0)] += 3;  /* Agents 0 and 2. */
    cov[1][at(r0, 0, 0)] += 4;  /* Agents 0 and 1. */
    cov[0][at(r1, 1, 0)] += 2;  /* Agent 3. */
    cov[1][at(r1, 1, 1)] += 1;  /* Agent 5. */
  }
  CU_ASSERT_EQUAL(cr.cmp.n_rows, R);
  for (int k = 0; k < R * C * G; k++) {
    CU_ASSERT_EQUAL(cr.cmp.newly_covered[k], newly[k]);
    CU_ASSERT_EQUAL(cr.cmp.no_longer_covered[k], lost[k]);
    for (int w = 0; w < 2; w++) {
      CU_ASSERT_EQUAL(cr.needed[w][k], need[w][k]);
      CU_ASSERT_EQUAL(cr.covered[w][k], cov[w][k]);
    }
  }
  compare_realised_free(&cr);
}

static void test_bad_trips(void) {
  struct compare_realised cr;
  /* Agent 6 does not exist; agent 2 does not live on node 1. */
  struct compare_trip unknown = {6, 0, 0, 0, 0, 1}, moved = {2, 1, 0, 0, 0, 1};
  CU_ASSERT_EQUAL(run_case(&unknown, 1, &cr), LC_EINVARIANT);
  CU_ASSERT_EQUAL(run_case(&moved, 1, &cr), LC_EINVARIANT);
}

static void test_trip_ok(void) {
  /* Threshold 5 minutes: door to service start within 300 s, outcomes 0..2 only. */
  CU_ASSERT_TRUE(compare_trip_ok(0, 28800, 29000, 100, 5));
  CU_ASSERT_FALSE(compare_trip_ok(1, 28800, 29000, 101, 5));
  CU_ASSERT_TRUE(compare_trip_ok(2, 28800, 29100, 0, 5));
  CU_ASSERT_FALSE(compare_trip_ok(3, 28800, 28800, 0, 5));
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("realised comparison (MPI)", NULL, NULL);
  if (!s || !CU_add_test(s, "hand-made agents, weights and rows", test_hand_case) ||
      !CU_add_test(s, "trips outside the population", test_bad_trips) ||
      !CU_add_test(s, "served within the threshold", test_trip_ok))
    return 1;
  return 0;
}
