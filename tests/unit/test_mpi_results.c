/* The results writers at 1-4 ranks: per-node tables redistributed into node order in rounds
 * (the round size lowered to a few bytes, so that every table goes through many rounds and
 * many chunk-aligned blocks), global and replicated tables, and the checksum taken while
 * writing against the checksum read back from the file. Every value is a closed-form
 * function of its row and column, so the expected tables need no second writer. */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lc_test.h"
#include "lifecircle/alloc.h"
#include "lifecircle/format.h"
#include "lifecircle/results.h"
#include "lifecircle/status.h"

static int64_t value(int64_t g, int64_t c) { return g * 1000003 + c * 7 - 5; }

/* One path on every rank (rank 0's temporary name). */
static void shared_tmp(char *path, size_t len) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    snprintf(path, len, "%s", lc_tmp(".h5"));
  MPI_Bcast(path, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
}

/* This rank's nodes: those with (7 g + 3) mod P == rank, in decreasing id order (so that the
 * writer must sort them). */
static int64_t my_nodes(int64_t n, int64_t **gid) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int64_t k = 0;
  *gid = malloc((size_t)(n > 0 ? n : 1) * sizeof **gid);
  for (int64_t g = n - 1; g >= 0; g--)
    if ((7 * g + 3) % size == rank)
      (*gid)[k++] = g;
  return k;
}

struct fill_ctx {
  const int64_t *gid;
  int64_t ncols;
};

static void fill_row(void *ctx, int64_t i, void *out) {
  const struct fill_ctx *f = ctx;
  int64_t *row = out;
  for (int64_t c = 0; c < (f->ncols > 0 ? f->ncols : 1); c++)
    row[c] = value(f->gid[i], c);
}

/* 1 when dataset `name` of the closed file `path` holds value(row, col) everywhere. */
static int check_table(const char *path, const char *name, int64_t rows, int64_t ncols) {
  hid_t f;
  if (h5io_open_serial(path, &f) != LC_OK)
    return 0;
  void *data = NULL;
  int64_t r = -1, c = -1;
  int ok = h5io_read(f, name, H5IO_I64, &data, &r, &c) == LC_OK && r == rows && c == ncols;
  for (int64_t i = 0; ok && i < rows; i++)
    for (int64_t j = 0; j < (ncols > 0 ? ncols : 1); j++)
      if (((int64_t *)data)[i * (ncols > 0 ? ncols : 1) + j] != value(i, j))
        ok = 0;
  free(data);
  H5Fclose(f);
  return ok;
}

/* Writes the test group with the given round size; returns the checksums taken while
 * writing and read back, and checks every table. */
static void write_group(size_t round_bytes, char written[65], char read[65]) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char path[4096];
  shared_tmp(path, sizeof path);
  /* 100000 rows of 3 columns: three slabs of 43690 rows. 40 rows of 40000 columns: slabs of
   * 3 rows, so 14 slabs for 4 ranks. 1-D: 200000 rows, two slabs. */
  const int64_t n_wide = 40, n_long = 200000;
  int64_t n = 100000;
  struct results res;
  CU_ASSERT_EQUAL_FATAL(results_create(path, n, MPI_COMM_WORLD, &res), LC_OK);
  res.round_bytes = round_bytes;
  CU_ASSERT_EQUAL(results_digest_begin(&res, "/S"), LC_OK);
  int64_t *gid;
  int64_t mine = my_nodes(n, &gid);
  struct fill_ctx fc = {gid, 3};
  CU_ASSERT_EQUAL(results_write_nodes_fn(&res, "/S/nodes3", H5IO_I64, mine, gid, 3, fill_row, &fc,
                                         "1", "three columns"),
                  LC_OK);
  /* The same through the table interface, one column. */
  int64_t *col = lc_malloc_array(mine, sizeof *col);
  for (int64_t i = 0; i < mine; i++)
    col[i] = value(gid[i], 0);
  CU_ASSERT_EQUAL(
      results_write_nodes(&res, "/S/nodes1", H5IO_I64, mine, gid, col, 0, "1", "one column"),
      LC_OK);
  free(col);
  free(gid);
  /* Wide rows: a results object over 40 nodes. */
  res.n_nodes = n_wide;
  mine = my_nodes(n_wide, &gid);
  fc = (struct fill_ctx){gid, 40000};
  CU_ASSERT_EQUAL(results_write_nodes_fn(&res, "/S/wide", H5IO_I64, mine, gid, 40000, fill_row, &fc,
                                         "1", "wide rows"),
                  LC_OK);
  free(gid);
  res.n_nodes = n;
  /* Global and replicated tables. */
  int64_t *all = malloc((size_t)n_long * sizeof *all);
  for (int64_t i = 0; i < n_long; i++)
    all[i] = value(i, 0);
  CU_ASSERT_EQUAL(results_write_global(&res, "/S/global", H5IO_I64, all, n_long, 0, "1", "g"),
                  LC_OK);
  CU_ASSERT_EQUAL(
      results_write_replicated(&res, "/S/sub/replicated", H5IO_I64, all, n_long, 0, "1", "r"),
      LC_OK);
  /* A dataset written without a digest (read back by the checksum), and text. */
  int64_t lo = n_long * rank / size, hi = n_long * (rank + 1) / size;
  CU_ASSERT_EQUAL(h5io_write_dist(res.file, "/S/dist", H5IO_I64, all + lo, hi - lo, 0, "1", "d",
                                  MPI_COMM_WORLD),
                  LC_OK);
  /* The same rows through the chunk-aligned writer, spread unevenly over the ranks. */
  lo = n_long * rank * rank / (size * size);
  hi = n_long * (rank + 1) * (rank + 1) / (size * size);
  CU_ASSERT_EQUAL(results_write_dist(&res, "/S/dist2", H5IO_I64, all + lo, hi - lo, 0, "1", "d2"),
                  LC_OK);
  free(all);
  char *names[3] = {"a", "bb", "ccc"};
  CU_ASSERT_EQUAL(results_write_strings(&res, "/S/names", names, 3, "names"), LC_OK);
  CU_ASSERT_EQUAL(results_write_text(&res, "/S/text", "some text", "text"), LC_OK);
  CU_ASSERT_EQUAL(results_write_global(&res, "/S/empty", H5IO_I64, NULL, 0, 2, "1", "e"), LC_OK);
  CU_ASSERT_EQUAL(results_checksum_written(&res, "/S", written), LC_OK);
  CU_ASSERT_EQUAL(H5Fflush(res.file, H5F_SCOPE_GLOBAL) >= 0, 1);
  CU_ASSERT_EQUAL(results_checksum(res.file, "/S", rank == 0, MPI_COMM_WORLD, read), LC_OK);
  CU_ASSERT_EQUAL(results_finish(&res, LC_OK), LC_OK);
  if (rank == 0) {
    CU_ASSERT(check_table(path, "/S/nodes3", n, 3));
    CU_ASSERT(check_table(path, "/S/nodes1", n, 0));
    CU_ASSERT(check_table(path, "/S/wide", n_wide, 40000));
    CU_ASSERT(check_table(path, "/S/global", n_long, 0));
    CU_ASSERT(check_table(path, "/S/sub/replicated", n_long, 0));
    CU_ASSERT(check_table(path, "/S/dist", n_long, 0));
    CU_ASSERT(check_table(path, "/S/dist2", n_long, 0));
    unlink(path);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

/* Rounds of one slab (round_bytes 1) and the default single round give the same tables
 * and the same checksum, which equals the checksum read back from the file. */
static void test_rounds_and_checksum(void) {
  char w1[65], r1[65], w2[65], r2[65];
  write_group(1, w1, r1);
  write_group(0, w2, r2);
  CU_ASSERT_STRING_EQUAL(w1, r1);
  CU_ASSERT_STRING_EQUAL(w2, r2);
  CU_ASSERT_STRING_EQUAL(w1, w2);
  /* The same on every rank. */
  char first[65];
  memcpy(first, w1, 65);
  MPI_Bcast(first, 65, MPI_CHAR, 0, MPI_COMM_WORLD);
  CU_ASSERT_STRING_EQUAL(first, w1);
}

/* A node held by no rank, or by two, is an invariant failure on every rank, not a hang or a
 * silent gap. */
static void test_bad_ownership(void) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char path[4096];
  shared_tmp(path, sizeof path);
  const int64_t n = 10;
  struct results res;
  CU_ASSERT_EQUAL_FATAL(results_create(path, n, MPI_COMM_WORLD, &res), LC_OK);
  /* Every rank holds nodes 0..9/size except that node 0 is held by every rank and the last
   * node by none. */
  int64_t gid[16], k = 0;
  for (int64_t g = 0; g < n - 1; g++)
    if (g == 0 || g % size == rank)
      gid[k++] = g;
  if (size == 1)
    gid[k++] = 0; /* A duplicate within one rank. */
  struct fill_ctx fc = {gid, 0};
  int st = results_write_nodes_fn(&res, "/bad", H5IO_I64, k, gid, 0, fill_row, &fc, "1", "b");
  CU_ASSERT_EQUAL(st, LC_EINVARIANT);
  CU_ASSERT_EQUAL(results_finish(&res, st), LC_EINVARIANT);
  CU_ASSERT_EQUAL(access(path, F_OK), -1);
}

/* Every writer checks its dataset against the file format table: a path the table does not
 * list, or listed units other than the table's, is refused on every rank and leaves no file. */
static void test_format_table(void) {
  char path[4096];
  shared_tmp(path, sizeof path);
  int64_t v[3] = {1, 2, 3};
  double radius[3] = {400, 800, 1200};
  struct results res;
  format_set_strict(1);
  CU_ASSERT_EQUAL_FATAL(results_create(path, 3, MPI_COMM_WORLD, &res), LC_OK);
  CU_ASSERT_EQUAL(
      results_write_global(&res, "/Categories/radius_m", H5IO_F64, radius, 3, 0, "m", "r"), LC_OK);
  CU_ASSERT_EQUAL(
      results_write_global(&res, "/Categories/threshold_min", H5IO_I64, v, 3, 0, "s", "t"),
      LC_EINVARIANT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "/Categories/threshold_min"));
  CU_ASSERT_EQUAL(results_write_global(&res, "/Unlisted/x", H5IO_I64, v, 3, 0, "1", "x"),
                  LC_EINVARIANT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "not in the file format table"));
  CU_ASSERT_EQUAL(results_finish(&res, LC_EINVARIANT), LC_EINVARIANT);
  CU_ASSERT_EQUAL(access(path, F_OK), -1);
  CU_ASSERT_PTR_NOT_NULL(format_find("/Scenarios/any-name/Coverage/share"));
  CU_ASSERT_PTR_NULL(format_find("/Scenarios//Coverage/share"));
  CU_ASSERT_PTR_NULL(format_find("/Scenarios/a/b/Coverage/share"));
  /* The other tests write datasets of no layout through the generic writers. */
  format_set_strict(0);
}

int lc_test_register(void) {
  h5io_quiet();
  CU_pSuite s = CU_add_suite("results", NULL, NULL);
  if (!s)
    return -1;
  if (!CU_add_test(s, "format table", test_format_table) ||
      !CU_add_test(s, "rounds and checksum", test_rounds_and_checksum) ||
      !CU_add_test(s, "bad ownership", test_bad_ownership))
    return -1;
  return 0;
}
