/* The shared main of the CUnit suites. MPI is initialised so that MPI tests can run; the
 * exit status is non-zero when any assertion failed (CU_basic_run_tests does not say). */
#include <CUnit/Basic.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lc_test.h"
#include "lifecircle/h5io.h"
#include "lifecircle/log.h"

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
  snprintf(buf, sizeof ring[0], "%s/lc_test_%d_%d%s", dir ? dir : "/tmp", (int)getpid(),
           counter++, suffix);
  return buf;
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
