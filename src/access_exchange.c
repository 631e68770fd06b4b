/* MPI traffic of the accessibility kernel: per round, the label records that reached ghost
 * nodes go to the ranks owning them, batched per neighbour rank. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "access_internal.h"
#include "lifecircle/status.h"

/* Tags on the distributed graph's own communicator (the halo uses 101). */
#define ACCESS_TAG_COUNTS 201
#define ACCESS_TAG_RECORDS 202

int access_inbox_init(struct access_inbox *in, int n_nbr, int n_cat) {
  memset(in, 0, sizeof *in);
  size_t m = (size_t)n_nbr * (size_t)n_cat;
  in->off = calloc(m + 1, sizeof *in->off);
  in->cnt_in = calloc(m + 1, sizeof *in->cnt_in);
  in->cnt_out = calloc(m + 1, sizeof *in->cnt_out);
  if (!in->off || !in->cnt_in || !in->cnt_out) {
    access_inbox_free(in);
    LC_FAIL(LC_ENOMEM, "access: cannot allocate the exchange counters");
  }
  return LC_OK;
}

void access_inbox_free(struct access_inbox *in) {
  free(in->rec);
  free(in->off);
  free(in->cnt_in);
  free(in->cnt_out);
  free(in->sendbuf);
  memset(in, 0, sizeof *in);
}

/* Grows a record array to at least n entries. Returns 0 on success. */
static int access_grow(struct access_rec **a, int64_t *cap, int64_t n) {
  if (n <= *cap)
    return 0;
  int64_t c = *cap > 0 ? *cap : 1024;
  while (c < n)
    c *= 2;
  struct access_rec *p = realloc(*a, (size_t)c * sizeof *p);
  if (!p)
    return 1;
  *a = p;
  *cap = c;
  return 0;
}

int access_exchange_counts(const struct dgraph *dg, int n_cat, const struct access_buf *out,
                           struct access_inbox *in, int *fail) {
  int nn = dg->n_nbr;
  *fail = LC_OK;
  if (nn == 0)
    return LC_OK;
  if ((int64_t)n_cat > INT_MAX / 8)
    LC_FAIL(LC_ETOOBIG, "access: %d categories do not fit one count message", n_cat);
  for (int j = 0; j < nn; j++)
    for (int c = 0; c < n_cat; c++)
      in->cnt_out[(size_t)j * n_cat + c] = out[(size_t)c * nn + j].n;
  MPI_Request req[2 * nn];
  for (int j = 0; j < nn; j++) {
    if (MPI_Irecv(in->cnt_in + (size_t)j * n_cat, n_cat, MPI_INT64_T, dg->nbr[j],
                  ACCESS_TAG_COUNTS, dg->comm, &req[j]) != MPI_SUCCESS ||
        MPI_Isend(in->cnt_out + (size_t)j * n_cat, n_cat, MPI_INT64_T, dg->nbr[j],
                  ACCESS_TAG_COUNTS, dg->comm, &req[nn + j]) != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "access: posting the record counts for rank %d failed", dg->nbr[j]);
  }
  if (MPI_Waitall(2 * nn, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "access: exchanging the record counts failed");
  int64_t m = (int64_t)nn * n_cat, nsend = 0;
  in->off[0] = 0;
  for (int64_t t = 0; t < m; t++) {
    in->off[t + 1] = in->off[t] + in->cnt_in[t];
    nsend += in->cnt_out[t];
  }
  /* Every message must count its bytes in an int. */
  const int64_t max_rec = INT_MAX / (int64_t)sizeof(struct access_rec);
  for (int j = 0; j < nn; j++) {
    int64_t nr = in->off[(size_t)(j + 1) * n_cat] - in->off[(size_t)j * n_cat], ns = 0;
    for (int c = 0; c < n_cat; c++)
      ns += in->cnt_out[(size_t)j * n_cat + c];
    if (nr > max_rec || ns > max_rec) {
      *fail = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                           "access: %lld or %lld records to or from rank %d exceed one "
                           "message of 2^31-1 bytes", (long long)ns, (long long)nr,
                           dg->nbr[j]);
      return LC_OK;
    }
  }
  if (access_grow(&in->rec, &in->cap, in->off[m]) ||
      access_grow(&in->sendbuf, &in->send_cap, nsend))
    *fail = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                         "access: cannot allocate %lld + %lld exchange records",
                         (long long)in->off[m], (long long)nsend);
  return LC_OK;
}

int access_exchange_records(const struct dgraph *dg, int n_cat, const struct access_buf *out,
                            struct access_inbox *in) {
  int nn = dg->n_nbr;
  if (nn == 0)
    return LC_OK;
  /* Pack the records of each neighbour, category after category. */
  int64_t sent_off[nn + 1];
  sent_off[0] = 0;
  for (int j = 0; j < nn; j++) {
    int64_t p = sent_off[j];
    for (int c = 0; c < n_cat; c++) {
      const struct access_buf *b = &out[(size_t)c * nn + j];
      if (b->n > 0)
        memcpy(in->sendbuf + p, b->rec, (size_t)b->n * sizeof *b->rec);
      p += b->n;
    }
    sent_off[j + 1] = p;
  }
  /* Message sizes were checked by access_exchange_counts. */
  MPI_Request req[2 * nn];
  int n_req = 0, rc = LC_OK;
  for (int j = 0; j < nn && rc == LC_OK; j++) {
    int64_t nr = in->off[(size_t)(j + 1) * n_cat] - in->off[(size_t)j * n_cat];
    int64_t ns = sent_off[j + 1] - sent_off[j];
    if (MPI_Irecv(in->rec + in->off[(size_t)j * n_cat], (int)(nr * (int64_t)sizeof *in->rec),
                  MPI_BYTE, dg->nbr[j], ACCESS_TAG_RECORDS, dg->comm,
                  &req[n_req++]) != MPI_SUCCESS ||
        MPI_Isend(in->sendbuf + sent_off[j], (int)(ns * (int64_t)sizeof *in->sendbuf),
                  MPI_BYTE, dg->nbr[j], ACCESS_TAG_RECORDS, dg->comm,
                  &req[n_req++]) != MPI_SUCCESS)
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__,
                        "access: posting the records for rank %d failed", dg->nbr[j]);
  }
  if (MPI_Waitall(n_req, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS && rc == LC_OK)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "access: exchanging the records failed");
  return rc;
}
