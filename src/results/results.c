/* The results file: collective parallel writes under a temporary name. */
#include "lifecircle/results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"
#include "results_internal.h"

int results_create(const char *path, int64_t n_nodes, MPI_Comm comm, struct results *res) {
  memset(res, 0, sizeof *res);
  res->comm = comm;
  res->n_nodes = n_nodes;
  res->file = -1;
  MPI_Comm_rank(comm, &res->rank);
  MPI_Comm_size(comm, &res->size);
  size_t len = strlen(path);
  res->path = strdup(path);
  res->tmp = malloc(len + 5);
  if (!res->path || !res->tmp) {
    free(res->path);
    free(res->tmp);
    LC_FAIL(LC_ENOMEM, "cannot allocate the results path");
  }
  snprintf(res->tmp, len + 5, "%s.tmp", path);
  h5io_fail_reset();
  int rc = h5io_create_parallel(res->tmp, comm, &res->file);
  if (rc == LC_OK && results_room(res, 0) != LC_OK)
    return results_finish(res, LC_EIO);
  if (rc != LC_OK) {
    free(res->path);
    free(res->tmp);
    res->path = res->tmp = NULL;
  }
  return rc;
}

/* Agrees on a storage failure seen by any rank (or a disk too full for the next flush, seen
 * by rank 0); on one, every rank detaches its descriptors from the file (h5io_fail_detach),
 * so that the flush and the close still run the same collective steps everywhere, and the
 * message names the file and the cause. Collective. */
static int results_fail_check(struct results *res, int64_t need) {
  int cause = h5io_fail_cause(), any = 0;
  if (res->rank == 0 && !cause && res->file >= 0)
    cause = h5io_fail_room(res->file, res->tmp, need);
  if (MPI_Allreduce(&cause, &any, 1, MPI_INT, MPI_MAX, res->comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "%s: cannot agree on the state of the disk", res->tmp);
  if (!any)
    return LC_OK;
  h5io_fail_set(any);
  if (res->file >= 0)
    h5io_fail_detach(res->tmp);
  LC_FAIL(LC_EIO,
          "%s: cannot write the results: %s; nothing is written under %s (an earlier file "
          "there is left as it was)",
          res->tmp, h5io_fail_text(any), res->path);
}

int results_room(struct results *res, int64_t bytes) { return results_fail_check(res, bytes); }

int results_flush(struct results *res) {
  int st = results_fail_check(res, 0);
  if (H5Fflush(res->file, H5F_SCOPE_GLOBAL) < 0 && st == LC_OK) {
    st = results_fail_check(res, 0);
    if (st == LC_OK)
      st = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "%s: cannot flush", res->tmp);
  }
  return st;
}

int results_finish(struct results *res, int ok) {
  int rc = ok;
  /* The last writes happen at the flush before the close. */
  if (res->file >= 0) {
    int st = results_flush(res);
    if (st != LC_OK && (rc == LC_OK || st == LC_EIO))
      rc = st;
  }
  if (res->file >= 0 && H5Fclose(res->file) < 0 && rc == LC_OK)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "%s: cannot close", res->tmp);
  res->file = -1;
  /* Every rank must know the close succeeded everywhere before rank 0 renames. */
  int worst = lc_worst(res->comm, rc);
  if (res->rank == 0 && res->tmp) {
    if (worst == LC_OK) {
      if (rename(res->tmp, res->path) != 0)
        worst = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: cannot rename to %s: %s", res->tmp,
                             res->path, strerror(errno));
    } else {
      unlink(res->tmp);
    }
  }
  if (MPI_Bcast(&worst, 1, MPI_INT, 0, res->comm) != MPI_SUCCESS && worst == LC_OK)
    worst = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: MPI_Bcast failed", res->path);
  results_digest_begin(res, NULL);
  for (int k = 0; k < 4; k++) {
    free(res->buf[k]);
    res->buf[k] = NULL;
    res->buf_cap[k] = 0;
  }
  free(res->path);
  free(res->tmp);
  res->path = res->tmp = NULL;
  return rc != LC_OK ? rc : worst;
}

/* Rows per collective round for rows of `row_bytes`: a multiple of the slab (chunk) rows,
 * at most res->round_bytes of data when a slab fits, and small enough that the records of
 * one round sent by a rank to every other rank are counted in int. */
static int64_t results_round_rows(const struct results *res, size_t row_bytes) {
  size_t limit = res->round_bytes ? res->round_bytes : (size_t)32 << 20;
  int64_t slab = h5io_slab_rows(row_bytes);
  int64_t per = (int64_t)(limit / row_bytes) / slab * slab;
  int64_t cap = 2147483647 / (res->size > 0 ? res->size : 1) / slab * slab;
  if (per > cap)
    per = cap;
  return per > slab ? per : slab;
}

/* A reused buffer of at least `bytes` bytes (NULL when it cannot grow). */
static void *results_buf(struct results *res, int k, size_t bytes) {
  if (bytes == 0)
    bytes = 1;
  if (res->buf_cap[k] < bytes) {
    free(res->buf[k]);
    res->buf[k] = malloc(bytes);
    res->buf_cap[k] = res->buf[k] ? bytes : 0;
  }
  return res->buf[k];
}

/* Block [lo, hi) of rank r when `rows` rows are split into whole slabs over the ranks. */
static void results_block(const struct results *res, int r, int64_t rows, int64_t slab, int64_t *lo,
                          int64_t *hi) {
  int64_t ns = (rows + slab - 1) / slab;
  int64_t s0 = ns * r / res->size, s1 = ns * (r + 1) / res->size;
  *lo = s0 * slab < rows ? s0 * slab : rows;
  *hi = s1 * slab < rows ? s1 * slab : rows;
}

/* 1 when datasets named `name` are hashed while written. */
int results_digest_wanted(const struct results *res, const char *name) {
  if (!res->digest_group)
    return 0;
  size_t len = strlen(res->digest_group);
  return strncmp(name, res->digest_group, len) == 0 && name[len] == '/';
}

/* Rank 0 records the data digest of dataset `name`. */
int results_digest_add(struct results *res, const char *name, const uint8_t sha[32]) {
  if (res->n_digests == res->cap_digests) {
    int cap = res->cap_digests ? 2 * res->cap_digests : 32;
    struct results_digest *d = realloc(res->digests, (size_t)cap * sizeof *d);
    if (!d)
      LC_FAIL(LC_ENOMEM, "cannot record the digest of %s", name);
    res->digests = d;
    res->cap_digests = cap;
  }
  char *path = strdup(name);
  if (!path)
    LC_FAIL(LC_ENOMEM, "cannot record the digest of %s", name);
  res->digests[res->n_digests].path = path;
  memcpy(res->digests[res->n_digests++].sha, sha, 32);
  return LC_OK;
}

int results_digest_begin(struct results *res, const char *group) {
  for (int i = 0; i < res->n_digests; i++)
    free(res->digests[i].path);
  free(res->digests);
  free(res->digest_group);
  res->digests = NULL;
  res->digest_group = NULL;
  res->n_digests = res->cap_digests = 0;
  if (group && !(res->digest_group = strdup(group)))
    LC_FAIL(LC_ENOMEM, "cannot start hashing %s", group);
  return LC_OK;
}

/* The data digest of rows x row_bytes bytes held in full (see results_checksum). */
static void results_digest_held(const char *data, int64_t rows, size_t row_bytes, uint8_t out[32]) {
  int64_t slab = h5io_slab_rows(row_bytes);
  struct sha256_ctx all, one;
  sha256_init(&all);
  for (int64_t s = 0; s < rows; s += slab) {
    int64_t e = s + slab < rows ? s + slab : rows;
    uint8_t d[32];
    sha256_init(&one);
    sha256_update(&one, (size_t)(e - s) * row_bytes, (const uint8_t *)data + (size_t)s * row_bytes);
    sha256_digest(&one, 32, d);
    sha256_update(&all, 32, d);
  }
  sha256_digest(&all, 32, out);
}

/* Produces rows [a, b) of this rank's block for round `round`: either fills *rows (a buffer
 * of (b - a) rows) or points *rows at rows the caller holds. Called by every rank in every
 * round (a == b when the rank has nothing left), so it may communicate; returns the same
 * status on every rank when it does. */
typedef int (*results_produce_fn)(void *ctx, int64_t round, int64_t a, int64_t b, void **rows);

/* Writes a rows x ncols dataset of which this rank holds the slab-aligned block [lo, hi):
 * rounds of `per` rows, each produced then written collectively and, under the hashed
 * group, hashed slab by slab; the slab digests are gathered on rank 0 in block order, which
 * is row order. Collective. */
static int results_write_blocks(struct results *res, const char *name, enum h5io_type type,
                                int64_t rows, int64_t ncols, int64_t lo, int64_t hi, int64_t per,
                                results_produce_fn produce, void *ctx, const char *units,
                                const char *description) {
  size_t row_bytes = h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1);
  LC_CHECK(results_room(res, rows * (int64_t)row_bytes));
  int64_t slab = h5io_slab_rows(row_bytes);
  int want = results_digest_wanted(res, name);
  int64_t my_slabs = (hi - lo + slab - 1) / slab;
  uint8_t *sha = want ? lc_malloc_array(my_slabs, 32) : NULL;
  int rc = want && !sha ? lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                                       "cannot allocate the digests of %s", name)
                        : LC_OK;
  long long mine = (hi - lo + per - 1) / per, rounds = 0;
  int worst = rc;
  if (MPI_Allreduce(&mine, &rounds, 1, MPI_LONG_LONG, MPI_MAX, res->comm) != MPI_SUCCESS ||
      MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, res->comm) != MPI_SUCCESS) {
    free(sha);
    LC_FAIL(LC_EMPI, "%s: cannot agree on the write rounds", name);
  }
  if (worst != LC_OK) {
    free(sha);
    return rc != LC_OK ? rc
                       : lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed", name);
  }
  hid_t dset;
  rc = h5io_dset_create(res->file, name, type, rows, ncols, &dset);
  if (rc != LC_OK) {
    free(sha);
    return rc;
  }
  for (long long k = 0; k < rounds && rc == LC_OK; k++) {
    int64_t a = lo + k * per < hi ? lo + k * per : hi;
    int64_t b = a + per < hi ? a + per : hi;
    void *data = results_buf(res, 0, (size_t)(b - a) * row_bytes);
    rc = data ? LC_OK : lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: no round buffer", name);
    if (rc == LC_OK)
      rc = produce(ctx, k, a, b, &data);
    worst = lc_worst(res->comm, rc);
    if (worst != LC_OK) {
      if (rc == LC_OK)
        rc = lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed", name);
      break;
    }
    if (want)
      for (int64_t s = a; s < b; s += slab) {
        int64_t e = s + slab < b ? s + slab : b;
        struct sha256_ctx h;
        sha256_init(&h);
        sha256_update(&h, (size_t)(e - s) * row_bytes,
                      (const uint8_t *)data + (size_t)(s - a) * row_bytes);
        sha256_digest(&h, 32, sha + (size_t)((s - lo) / slab) * 32);
      }
    rc = h5io_dset_write_rows(dset, name, type, a, b - a, ncols, data, 1);
    worst = lc_worst(res->comm, rc);
    if (worst != LC_OK && rc == LC_OK)
      rc = lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed to write", name);
  }
  if (rc == LC_OK && want) {
    /* Rank 0 gathers every rank's slab digests in rank order, which is row order. */
    int n = (int)my_slabs, *counts = NULL, *displs = NULL;
    uint8_t *all = NULL;
    int64_t total = 0;
    MPI_Datatype d32 = MPI_DATATYPE_NULL;
    int made = MPI_Type_contiguous(32, MPI_BYTE, &d32) == MPI_SUCCESS &&
               MPI_Type_commit(&d32) == MPI_SUCCESS;
    if (res->rank == 0) {
      counts = malloc((size_t)res->size * sizeof *counts);
      displs = malloc((size_t)res->size * sizeof *displs);
      total = (rows + slab - 1) / slab;
      all = lc_malloc_array(total, 32);
    }
    int ok = made && (res->rank != 0 || (counts && displs && all)), all_ok = 0;
    if (MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, res->comm) != MPI_SUCCESS) {
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: cannot gather digests", name);
    } else if (!all_ok) {
      rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: cannot gather digests", name);
    } else if (MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, res->comm) != MPI_SUCCESS) {
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: cannot gather digests", name);
    } else {
      if (res->rank == 0)
        for (int r = 0, at = 0; r < res->size; r++) {
          displs[r] = at;
          at += counts[r];
        }
      if (MPI_Gatherv(sha, n, d32, all, counts, displs, d32, 0, res->comm) != MPI_SUCCESS)
        rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: cannot gather digests", name);
      if (rc == LC_OK && res->rank == 0) {
        struct sha256_ctx h;
        uint8_t dig[32];
        sha256_init(&h);
        sha256_update(&h, (size_t)total * 32, all);
        sha256_digest(&h, 32, dig);
        if (total > 0)
          rc = results_digest_add(res, name, dig);
      }
    }
    if (d32 != MPI_DATATYPE_NULL)
      MPI_Type_free(&d32);
    free(counts);
    free(displs);
    free(all);
  }
  free(sha);
  return h5io_dset_finish(dset, name, units, description, rc);
}

/* Rows held in full by the caller, starting at global row `base`. */
struct results_held {
  const char *data;
  int64_t base;
  size_t row_bytes;
};

static int results_produce_held(void *ctx, int64_t round, int64_t a, int64_t b, void **rows) {
  (void)round;
  const struct results_held *h = ctx;
  if (a == b)
    return LC_OK; /* Nothing this round: keep the (valid) buffer pointer. */
  *rows = (void *)(h->data + (size_t)(a - h->base) * h->row_bytes);
  return LC_OK;
}

int results_write_global(struct results *res, const char *name, enum h5io_type type,
                         const void *data, int64_t rows, int64_t ncols, const char *units,
                         const char *description) {
  size_t row_bytes = h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1);
  struct results_held h = {data, 0, row_bytes};
  int64_t lo = res->rank == 0 ? 0 : rows;
  return results_write_blocks(res, name, type, rows, ncols, lo, rows,
                              results_round_rows(res, row_bytes), results_produce_held, &h, units,
                              description);
}

int results_write_replicated(struct results *res, const char *name, enum h5io_type type,
                             const void *data, int64_t rows, int64_t ncols, const char *units,
                             const char *description) {
  size_t row_bytes = h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1);
  int64_t lo, hi;
  results_block(res, res->rank, rows, h5io_slab_rows(row_bytes), &lo, &hi);
  struct results_held h = {data, 0, row_bytes};
  return results_write_blocks(res, name, type, rows, ncols, lo, hi,
                              results_round_rows(res, row_bytes), results_produce_held, &h, units,
                              description);
}

/* Creates a fixed-length string dataset of n strings that rank 0 fills. */
static int results_string_dset(struct results *res, const char *name, char *const *data, int64_t n,
                               int scalar, const char *description) {
  size_t width = 1;
  LC_CHECK(results_room(res, 0));
  for (int64_t i = 0; i < n; i++) {
    size_t l = strlen(data[i]);
    if (l > width)
      width = l;
  }
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_cset(type, H5T_CSET_UTF8);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  hsize_t dims[1] = {(hsize_t)n};
  hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dset = H5Dcreate2(res->file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  char *buf = lc_calloc_array(n, width);
  herr_t st = dset < 0 || !buf ? -1 : 0;
  /* An empty dataset (a run without facilities) has nothing to write: every rank skips the
   * collective write alike, since n is the same on every rank. */
  if (st == 0 && n > 0) {
    for (int64_t i = 0; i < n; i++)
      memcpy(buf + (size_t)i * width, data[i], strlen(data[i]));
    hid_t fspace = H5Dget_space(dset);
    hid_t mspace = H5Scopy(space);
    if (res->rank != 0 || n == 0) {
      H5Sselect_none(fspace);
      H5Sselect_none(mspace);
    }
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    st = H5Dwrite(dset, type, mspace, fspace, dxpl, buf);
    H5Pclose(dxpl);
    H5Sclose(mspace);
    H5Sclose(fspace);
  }
  int rc = LC_OK;
  if (st < 0)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot write string dataset %s", name);
  if (rc == LC_OK && buf && res->rank == 0 && n > 0 && results_digest_wanted(res, name)) {
    uint8_t dig[32];
    results_digest_held(buf, n, width, dig);
    rc = results_digest_add(res, name, dig);
  }
  free(buf);
  if (rc == LC_OK)
    rc = h5io_describe(dset, name, "1", description);
  if (dset >= 0)
    H5Dclose(dset);
  H5Sclose(space);
  H5Tclose(type);
  return rc;
}

int results_write_strings(struct results *res, const char *name, char *const *data, int64_t n,
                          const char *description) {
  return results_string_dset(res, name, data, n, 0, description);
}

int results_write_text(struct results *res, const char *name, const char *text,
                       const char *description) {
  char *one[1] = {(char *)text};
  return results_string_dset(res, name, one, 1, 1, description);
}

/* A global id with its local row, for sorting rows that do not come in id order. */
struct results_pair {
  int64_t g, i;
};

static int results_pair_cmp(const void *a, const void *b) {
  const struct results_pair *x = a, *y = b;
  return (x->g > y->g) - (x->g < y->g);
}

/* Sets perm[0..n-1] to the local rows in increasing global id. */
static int results_sort_by(int64_t *perm, int64_t n, const int64_t *gid) {
  struct results_pair *p = lc_malloc_array(n, sizeof *p);
  if (!p)
    return LC_ENOMEM;
  for (int64_t i = 0; i < n; i++)
    p[i] = (struct results_pair){gid[i], i};
  qsort(p, (size_t)n, sizeof *p, results_pair_cmp);
  for (int64_t i = 0; i < n; i++)
    perm[i] = p[i].i;
  free(p);
  return LC_OK;
}

/* The exchange state of a per-node table: local rows in global-id order and, per
 * destination rank, the next of them to send. */
struct results_nodes {
  struct results *res;
  const char *name;
  int64_t n_owned, rows, per;
  const int64_t *gid; /* NULL: local row i is global row first + i. */
  int64_t first;
  int64_t *perm;    /* Local rows by increasing global id; NULL when gid is already sorted. */
  int64_t *cursor;  /* [P]: next sorted position for each destination. */
  int64_t *stop;    /* [P]: end of the sorted positions of each destination's block. */
  int64_t *lo, *hi; /* [P]: every rank's block. */
  int *scount, *rcount, *sdispl, *rdispl; /* [P], in rows. */
  size_t row_bytes, rec;
  MPI_Datatype rec_type; /* rec bytes: MPI counts are in rows, never in bytes. */
  int have_type;
  results_row_fn fill;
  void *fill_ctx;
};

static int64_t results_nodes_at(const struct results_nodes *x, int64_t p) {
  return x->perm ? x->perm[p] : p;
}

/* Global row of local row i. */
static int64_t results_nodes_gid(const struct results_nodes *x, int64_t i) {
  return x->gid ? x->gid[i] : x->first + i;
}

/* First sorted position whose global id is at least g. */
static int64_t results_nodes_lower(const struct results_nodes *x, int64_t g) {
  int64_t a = 0, b = x->n_owned;
  while (a < b) {
    int64_t m = a + (b - a) / 2;
    if (results_nodes_gid(x, results_nodes_at(x, m)) < g)
      a = m + 1;
    else
      b = m;
  }
  return a;
}

/* Round k: rows of every destination's window [lo + k*per, ...) go to it; rows of this
 * rank's own window are filled in place, the others travel as (global id, row) records. */
static int results_produce_nodes(void *ctx, int64_t k, int64_t a, int64_t b, void **rows) {
  struct results_nodes *x = ctx;
  struct results *res = x->res;
  int P = res->size, me = res->rank;
  char *out = *rows;
  uint8_t *seen = results_buf(res, 2, (size_t)(b - a));
  int rc = seen ? LC_OK : lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: no buffer", x->name);
  if (seen)
    memset(seen, 0, (size_t)(b - a));
  int64_t sent = 0, got = 0;
  for (int r = 0; r < P; r++) {
    int64_t end = x->lo[r] + (k + 1) * x->per;
    if (end > x->hi[r])
      end = x->hi[r];
    int64_t c = x->cursor[r];
    while (c < x->stop[r] && results_nodes_gid(x, results_nodes_at(x, c)) < end)
      c++;
    int64_t cnt = c - x->cursor[r];
    x->scount[r] = r == me ? 0 : (int)cnt;
    x->sdispl[r] = (int)sent;
    if (r != me)
      sent += cnt;
  }
  char *sbuf = rc == LC_OK ? results_buf(res, 1, (size_t)sent * x->rec) : NULL;
  if (rc == LC_OK && !sbuf)
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: no send buffer", x->name);
  for (int r = 0; r < P && rc == LC_OK; r++) {
    int64_t end = x->lo[r] + (k + 1) * x->per;
    if (end > x->hi[r])
      end = x->hi[r];
    int64_t c = x->cursor[r], at = x->sdispl[r];
    for (; c < x->stop[r]; c++) {
      int64_t i = results_nodes_at(x, c), g = results_nodes_gid(x, i);
      if (g >= end)
        break;
      if (r == me) {
        x->fill(x->fill_ctx, i, out + (size_t)(g - a) * x->row_bytes);
        seen[g - a] = 1;
        got++;
      } else {
        char *p = sbuf + (size_t)at++ * x->rec;
        memcpy(p, &g, sizeof g);
        x->fill(x->fill_ctx, i, p + sizeof g);
      }
    }
    x->cursor[r] = c;
  }
  if (P > 1) {
    /* Every rank agrees before the exchange, so that a failure cannot hang the others. */
    int worst = lc_worst(res->comm, rc);
    if (worst != LC_OK)
      return rc != LC_OK
                 ? rc
                 : lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed", x->name);
    if (MPI_Alltoall(x->scount, 1, MPI_INT, x->rcount, 1, MPI_INT, res->comm) != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "%s: MPI_Alltoall failed", x->name);
    int64_t recv = 0;
    for (int r = 0; r < P; r++) {
      x->rdispl[r] = (int)recv;
      recv += x->rcount[r];
    }
    /* A rank receives at most its window of per rows (else the ids are wrong, below). */
    if (recv > b - a)
      rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                        "%s: rank %d received %lld rows for a window of %lld", x->name, me,
                        (long long)recv, (long long)(b - a));
    char *recvbuf = NULL;
    if (rc == LC_OK) {
      recvbuf = results_buf(res, 3, (size_t)recv * x->rec);
      if (!recvbuf)
        rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: no receive buffer", x->name);
    }
    worst = lc_worst(res->comm, rc);
    if (worst == LC_OK && MPI_Alltoallv(sbuf, x->scount, x->sdispl, x->rec_type, recvbuf, x->rcount,
                                        x->rdispl, x->rec_type, res->comm) != MPI_SUCCESS)
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: MPI_Alltoallv failed", x->name);
    else if (worst != LC_OK && rc == LC_OK)
      rc = lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed", x->name);
    for (int64_t j = 0; j < recv && rc == LC_OK; j++) {
      const char *p = recvbuf + (size_t)j * x->rec;
      int64_t g;
      memcpy(&g, p, sizeof g);
      if (g < a || g >= b || seen[g - a]) {
        rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                          "%s: rank %d received node %lld outside its window %lld..%lld or "
                          "twice",
                          x->name, me, (long long)g, (long long)a, (long long)(b - 1));
        break;
      }
      seen[g - a] = 1;
      memcpy(out + (size_t)(g - a) * x->row_bytes, p + sizeof g, x->row_bytes);
      got++;
    }
  }
  if (rc == LC_OK && got != b - a)
    rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                      "%s: rank %d has %lld of the %lld rows %lld..%lld (a node owned by no "
                      "rank or by two)",
                      x->name, me, (long long)got, (long long)(b - a), (long long)a,
                      (long long)(b - 1));
  return rc;
}

/* Writes an N-row table whose rows this rank holds as `n_owned` local rows with global rows
 * gid (NULL: first .. first + n_owned - 1), redistributed to chunk-aligned blocks.
 * Collective. */
static int results_write_rows(struct results *res, const char *name, enum h5io_type type, int64_t N,
                              int64_t n_owned, const int64_t *gid, int64_t first, int64_t ncols,
                              results_row_fn fill, void *ctx, const char *units,
                              const char *description) {
  int P = res->size;
  LC_CHECK(
      results_room(res, N * (int64_t)(h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1))));
  struct results_nodes x;
  memset(&x, 0, sizeof x);
  x.res = res;
  x.name = name;
  x.n_owned = n_owned;
  x.rows = N;
  x.gid = gid;
  x.first = first;
  x.fill = fill;
  x.fill_ctx = ctx;
  x.row_bytes = h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1);
  x.rec = sizeof(int64_t) + x.row_bytes;
  x.per = results_round_rows(res, x.row_bytes);
  int64_t slab = h5io_slab_rows(x.row_bytes);
  x.cursor = malloc((size_t)P * sizeof *x.cursor);
  x.stop = malloc((size_t)P * sizeof *x.stop);
  x.lo = malloc((size_t)P * sizeof *x.lo);
  x.hi = malloc((size_t)P * sizeof *x.hi);
  x.scount = malloc((size_t)P * sizeof *x.scount);
  x.rcount = malloc((size_t)P * sizeof *x.rcount);
  x.sdispl = malloc((size_t)P * sizeof *x.sdispl);
  x.rdispl = malloc((size_t)P * sizeof *x.rdispl);
  int rc = x.cursor && x.stop && x.lo && x.hi && x.scount && x.rcount && x.sdispl && x.rdispl
               ? LC_OK
               : lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: cannot allocate", name);
  /* Local rows in global-id order: the owned nodes usually come sorted already. */
  int sorted = 1;
  for (int64_t i = 0; i < n_owned && rc == LC_OK; i++) {
    int64_t g = results_nodes_gid(&x, i);
    if (g < 0 || g >= N) {
      rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__, "%s: row %lld outside 0..%lld", name,
                        (long long)g, (long long)(N - 1));
    } else if (i > 0 && g <= results_nodes_gid(&x, i - 1)) {
      sorted = 0;
    }
  }
  if (rc == LC_OK && !sorted) {
    x.perm = lc_malloc_array(n_owned, sizeof *x.perm);
    if (!x.perm) {
      rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: cannot allocate", name);
    } else {
      if (results_sort_by(x.perm, n_owned, gid) != LC_OK)
        rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: cannot sort the rows", name);
      for (int64_t i = 1; i < n_owned && rc == LC_OK; i++)
        if (gid[x.perm[i]] == gid[x.perm[i - 1]])
          rc = lc_error_set(LC_EINVARIANT, __FILE__, __LINE__, "%s: node %lld held twice", name,
                            (long long)gid[x.perm[i]]);
    }
  }
  if (rc == LC_OK) {
    for (int r = 0; r < P; r++) {
      results_block(res, r, N, slab, &x.lo[r], &x.hi[r]);
      x.cursor[r] = results_nodes_lower(&x, x.lo[r]);
      x.stop[r] = results_nodes_lower(&x, x.hi[r]);
    }
    if (MPI_Type_contiguous((int)x.rec, MPI_BYTE, &x.rec_type) != MPI_SUCCESS ||
        MPI_Type_commit(&x.rec_type) != MPI_SUCCESS)
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: cannot make the row type", name);
    else
      x.have_type = 1;
  }
  long long held = n_owned, all = 0;
  if (MPI_Allreduce(&held, &all, 1, MPI_LONG_LONG, MPI_SUM, res->comm) != MPI_SUCCESS &&
      rc == LC_OK)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s: MPI_Allreduce failed", name);
  int worst = lc_worst(res->comm, rc);
  if (worst == LC_OK && all != N)
    rc = worst =
        lc_error_set(LC_EINVARIANT, __FILE__, __LINE__,
                     "%s: the ranks hold %lld rows for %lld nodes", name, all, (long long)N);
  if (worst == LC_OK)
    rc = results_write_blocks(res, name, type, N, ncols, x.lo[res->rank], x.hi[res->rank], x.per,
                              results_produce_nodes, &x, units, description);
  else if (rc == LC_OK)
    rc = lc_error_set(worst, __FILE__, __LINE__, "%s: another rank failed", name);
  if (x.have_type)
    MPI_Type_free(&x.rec_type);
  free(x.perm);
  free(x.cursor);
  free(x.stop);
  free(x.lo);
  free(x.hi);
  free(x.scount);
  free(x.rcount);
  free(x.sdispl);
  free(x.rdispl);
  return rc;
}

int results_write_nodes_fn(struct results *res, const char *name, enum h5io_type type,
                           int64_t n_owned, const int64_t *gid, int64_t ncols, results_row_fn fill,
                           void *ctx, const char *units, const char *description) {
  if (type != H5IO_I64 && type != H5IO_F64)
    LC_FAIL(LC_EINVARIANT, "results_write_nodes: %s must be int64 or float64", name);
  return results_write_rows(res, name, type, res->n_nodes, n_owned, gid, 0, ncols, fill, ctx, units,
                            description);
}

/* Rows of a table the caller holds in local row order. */
struct results_table {
  const char *data;
  size_t row_bytes;
};

static void results_fill_table(void *ctx, int64_t i, void *out) {
  const struct results_table *t = ctx;
  memcpy(out, t->data + (size_t)i * t->row_bytes, t->row_bytes);
}

int results_write_nodes(struct results *res, const char *name, enum h5io_type type, int64_t n_owned,
                        const int64_t *gid, const void *data, int64_t ncols, const char *units,
                        const char *description) {
  struct results_table t = {data, h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1)};
  return results_write_nodes_fn(res, name, type, n_owned, gid, ncols, results_fill_table, &t, units,
                                description);
}

int results_write_dist(struct results *res, const char *name, enum h5io_type type, const void *data,
                       int64_t local_rows, int64_t ncols, const char *units,
                       const char *description) {
  long long mine = local_rows, before = 0, total = 0;
  if (MPI_Exscan(&mine, &before, 1, MPI_LONG_LONG, MPI_SUM, res->comm) != MPI_SUCCESS ||
      MPI_Allreduce(&mine, &total, 1, MPI_LONG_LONG, MPI_SUM, res->comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "cannot compute the offsets of dataset %s", name);
  if (res->rank == 0)
    before = 0; /* MPI_Exscan leaves rank 0's result undefined. */
  struct results_table t = {data, h5io_type_size(type) * (size_t)(ncols > 0 ? ncols : 1)};
  return results_write_rows(res, name, type, total, local_rows, NULL, before, ncols,
                            results_fill_table, &t, units, description);
}

static int results_object(struct results *res, const char *obj, hid_t *id) {
  if (h5io_exists(res->file, obj)) {
    *id = H5Oopen(res->file, obj, H5P_DEFAULT);
    if (*id < 0)
      LC_FAIL(LC_EHDF5, "cannot open %s", obj);
    return LC_OK;
  }
  return h5io_group(res->file, obj, id);
}

int results_attr_str(struct results *res, const char *obj, const char *name, const char *value) {
  hid_t id;
  LC_CHECK(results_object(res, obj, &id));
  int rc = h5io_attr_str(id, name, value);
  H5Oclose(id);
  return rc;
}

int results_attr_i64(struct results *res, const char *obj, const char *name, int64_t value) {
  hid_t id;
  LC_CHECK(results_object(res, obj, &id));
  int rc = h5io_attr_i64(id, name, value);
  H5Oclose(id);
  return rc;
}
