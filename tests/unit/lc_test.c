/* The shared main of the CUnit suites. MPI is initialised so that MPI tests can run; the
 * exit status is non-zero when any assertion failed (CU_basic_run_tests does not say). */
#include <CUnit/Basic.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lc_test.h"
#include "lifecircle/graph.h"
#include "lifecircle/h5io.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

const char *lc_fixture(const char *name) {
  static char buf[4096];
  const char *dir = getenv("LC_FIXTURES");
  snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/fixtures", name);
  return buf;
}

const char *lc_shared(const char *name) {
  static char buf[4096];
  const char *dir = getenv("LIFECIRCLE_SHARED");
  snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "../shared", name);
  return buf;
}

const char *lc_tmp(const char *suffix) {
  static char ring[8][4096];
  static int next, counter;
  char *buf = ring[next];
  next = (next + 1) % 8;
  const char *dir = getenv("TMPDIR");
  snprintf(buf, sizeof ring[0], "%s/lc_test_%d_%d%s", dir ? dir : "/tmp", (int)getpid(), counter++,
           suffix);
  return buf;
}

uint64_t lc_rnd(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t lc_rnd_below(uint64_t *state, int64_t n) { return (int64_t)(lc_rnd(state) % (uint64_t)n); }

void lc_random_graph(struct graph *g, int64_t n, int64_t extra, int64_t lo, int64_t hi,
                     uint64_t *state) {
  int64_t m = n - 1 + extra;
  CU_ASSERT_EQUAL_FATAL(graph_alloc(g, n, m), LC_OK);
  for (int64_t i = 0; i < n; i++) {
    g->lon[i] = g->lat[i] = 0.0;
    g->osm_id[i] = i;
  }
  for (int64_t i = 0; i < m; i++) {
    g->u[i] = i < n - 1 ? i + 1 : lc_rnd_below(state, n);
    g->v[i] = i < n - 1 ? lc_rnd_below(state, i + 1) : lc_rnd_below(state, n);
    g->length_cm[i] = g->cost_cm[i] = lo + lc_rnd_below(state, hi - lo + 1);
    g->way_id[i] = -1;
  }
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(g), LC_OK);
}

int main(int argc, char **argv) {
  int provided, rank = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  log_init(rank, getenv("LC_TEST_VERBOSE") ? 3 : 0);
  h5io_quiet();
  if (CU_initialize_registry() != CUE_SUCCESS) {
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  if (lc_test_register() != 0) {
    fprintf(stderr, "cannot register the tests\n");
    CU_cleanup_registry();
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  CU_basic_set_mode(rank == 0 ? CU_BRM_VERBOSE : CU_BRM_SILENT);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  int mine = failures > 0 || CU_get_error() != CUE_SUCCESS, any = 0;
  CU_cleanup_registry();
  MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any ? 1 : 0;
}
