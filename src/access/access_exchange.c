/* MPI traffic of the accessibility kernel: per round, the label records that reached ghost
 * nodes go to the ranks owning them, all categories in one stream per neighbour rank, while a
 * non-blocking reduction tests quiescence; records are applied as they arrive. */
#define _POSIX_C_SOURCE 200809L /* nanosleep() */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access_internal.h"
#include "lifecircle/status.h"

/* Tag on the distributed graph's own communicator (the halo uses 101, earlier versions of
 * this exchange 201 and 202). */
#define ACCESS_TAG_STREAM 203

/* Polls without progress before the waiting rank starts to sleep, and the sleep's bounds in
 * nanoseconds (it doubles while nothing arrives). Sleeping leaves the core to a rank that is
 * still computing when the machine has more runnable processes than cores. */
#define ACCESS_SPIN_POLLS 2000
#define ACCESS_SLEEP_MIN_NS 20000L
#define ACCESS_SLEEP_MAX_NS 250000L

int access_xch_init(struct access_xch *x, const struct dgraph *dg) {
  memset(x, 0, sizeof *x);
  int nn = dg->n_nbr;
  x->n_nbr = nn;
  x->sbuf = calloc((size_t)nn + 1, sizeof *x->sbuf);
  x->scap = calloc((size_t)nn + 1, sizeof *x->scap);
  x->sn = calloc((size_t)nn + 1, sizeof *x->sn);
  x->rbuf = malloc(((size_t)nn * ACCESS_XCH_CHUNK + 1) * sizeof *x->rbuf);
  x->rreq = malloc(((size_t)nn + 1) * sizeof *x->rreq);
  /* At least one send request per neighbour, so that a round can always send its (then
   * empty) streams. */
  x->sreq = malloc(((size_t)nn + 1) * sizeof *x->sreq);
  x->sreq_cap = nn;
  if (!x->sbuf || !x->scap || !x->sn || !x->rbuf || !x->rreq || !x->sreq) {
    access_xch_free(x);
    LC_FAIL(LC_ENOMEM, "access: cannot allocate the exchange buffers of %d neighbours", nn);
  }
  return LC_OK;
}

void access_xch_free(struct access_xch *x) {
  if (x->sbuf)
    for (int j = 0; j < x->n_nbr; j++)
      free(x->sbuf[j]);
  free(x->sbuf);
  free(x->scap);
  free(x->sn);
  free(x->rbuf);
  free(x->rreq);
  free(x->sreq);
  memset(x, 0, sizeof *x);
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

/* Packs the records of every neighbour, category after category. Returns 1 when out of
 * memory (nothing is then packed). */
static int access_pack(struct access_xch *x, int n_cat, const struct access_buf *out) {
  int nn = x->n_nbr;
  for (int j = 0; j < nn; j++) {
    int64_t n = 0;
    for (int c = 0; c < n_cat; c++)
      n += out[(size_t)c * nn + j].n;
    if (access_grow(&x->sbuf[j], &x->scap[j], n))
      return 1;
    n = 0;
    for (int c = 0; c < n_cat; c++) {
      const struct access_buf *b = &out[(size_t)c * nn + j];
      if (b->n > 0)
        memcpy(x->sbuf[j] + n, b->rec, (size_t)b->n * sizeof *b->rec);
      n += b->n;
    }
    x->sn[j] = n;
  }
  return 0;
}

/* Sleeps for *ns nanoseconds and doubles *ns up to the maximum. */
static void access_nap(long *ns) {
  struct timespec t = {0, *ns};
  (void)nanosleep(&t, NULL);
  *ns = *ns * 2 < ACCESS_SLEEP_MAX_NS ? *ns * 2 : ACCESS_SLEEP_MAX_NS;
}

int access_xch_round(struct access_xch *x, const struct dgraph *dg, int n_cat,
                     const struct access_buf *out, access_apply_fn apply, void *ctx, int *fail,
                     int64_t *sent_all, int64_t *failed_all) {
  int nn = x->n_nbr;
  const int chunk_bytes = ACCESS_XCH_CHUNK * (int)sizeof(struct access_rec);
  double t0 = MPI_Wtime();
  /* Pack, unless this rank has already failed; a failing rank sends empty streams. */
  if (*fail == LC_OK && access_pack(x, n_cat, out))
    *fail = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                         "access: cannot allocate the records for the neighbour ranks");
  int64_t nchunk = 0, sent = 0;
  for (int j = 0; j < nn; j++) {
    if (*fail != LC_OK)
      x->sn[j] = 0;
    sent += x->sn[j];
    nchunk += x->sn[j] / ACCESS_XCH_CHUNK + 1;
  }
  /* The send requests: without room for them this rank fails and sends one empty chunk per
   * neighbour (room for that was allocated by access_xch_init). */
  if (nchunk > x->sreq_cap) {
    MPI_Request *p = realloc(x->sreq, (size_t)nchunk * sizeof *p);
    if (p) {
      x->sreq = p;
      x->sreq_cap = nchunk;
    } else {
      if (*fail == LC_OK)
        *fail = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                             "access: cannot allocate %lld send requests", (long long)nchunk);
      sent = 0;
      for (int j = 0; j < nn; j++)
        x->sn[j] = 0;
    }
  }

  int64_t red_in[2] = {sent, *fail != LC_OK}, red_out[2] = {0, 0};
  MPI_Request areq;
  if (MPI_Iallreduce(red_in, red_out, 2, MPI_INT64_T, MPI_SUM, dg->comm, &areq) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "access: MPI_Iallreduce failed");
  for (int j = 0; j < nn; j++)
    if (MPI_Irecv(x->rbuf + (size_t)j * ACCESS_XCH_CHUNK, chunk_bytes, MPI_BYTE, dg->nbr[j],
                  ACCESS_TAG_STREAM, dg->comm, &x->rreq[j]) != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "access: posting the receive from rank %d failed", dg->nbr[j]);
  int64_t ns = 0;
  for (int j = 0; j < nn; j++)
    for (int64_t a = 0;; a += ACCESS_XCH_CHUNK) {
      int64_t m = x->sn[j] - a < ACCESS_XCH_CHUNK ? x->sn[j] - a : ACCESS_XCH_CHUNK;
      if (MPI_Isend(x->sbuf[j] + a, (int)(m * (int64_t)sizeof(struct access_rec)), MPI_BYTE,
                    dg->nbr[j], ACCESS_TAG_STREAM, dg->comm, &x->sreq[ns++]) != MPI_SUCCESS)
        LC_FAIL(LC_EMPI, "access: sending records to rank %d failed", dg->nbr[j]);
      x->st.bytes_sent += m * (int64_t)sizeof(struct access_rec);
      if (m < ACCESS_XCH_CHUNK)
        break; /* The shorter chunk ends the stream. */
    }
  x->st.msg_sent += ns;
  x->st.rec_sent += sent;

  /* Poll: apply chunks as they come, until the streams, the sends and the reduction are
   * complete. */
  int recv_done = nn == 0, send_done = ns == 0, red_done = 0, idle = 0;
  long nap = ACCESS_SLEEP_MIN_NS;
  int idx[nn + 1];
  MPI_Status sts[nn + 1];
  while (!recv_done || !send_done || !red_done) {
    int progress = 0, flag = 0;
    if (!recv_done) {
      int cnt = 0;
      if (MPI_Testsome(nn, x->rreq, &cnt, idx, sts) != MPI_SUCCESS)
        LC_FAIL(LC_EMPI, "access: receiving records failed");
      if (cnt == MPI_UNDEFINED) {
        recv_done = 1;
      } else {
        for (int t = 0; t < cnt; t++) {
          int j = idx[t], bytes = 0;
          if (MPI_Get_count(&sts[t], MPI_BYTE, &bytes) != MPI_SUCCESS || bytes < 0)
            LC_FAIL(LC_EMPI, "access: MPI_Get_count failed");
          int64_t m = bytes / (int64_t)sizeof(struct access_rec);
          struct access_rec *r = x->rbuf + (size_t)j * ACCESS_XCH_CHUNK;
          if (m > 0)
            apply(ctx, j, r, m);
          x->st.rec_recv += m;
          if (m == ACCESS_XCH_CHUNK &&
              MPI_Irecv(r, chunk_bytes, MPI_BYTE, dg->nbr[j], ACCESS_TAG_STREAM, dg->comm,
                        &x->rreq[j]) != MPI_SUCCESS)
            LC_FAIL(LC_EMPI, "access: posting the receive from rank %d failed", dg->nbr[j]);
        }
        progress = cnt > 0;
      }
    }
    if (!send_done) {
      if (MPI_Testall((int)ns, x->sreq, &flag, MPI_STATUSES_IGNORE) != MPI_SUCCESS)
        LC_FAIL(LC_EMPI, "access: sending records failed");
      send_done = flag;
      progress |= flag;
    }
    if (!red_done) {
      if (MPI_Test(&areq, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        LC_FAIL(LC_EMPI, "access: MPI_Iallreduce failed");
      red_done = flag;
      progress |= flag;
    }
    if (progress) {
      idle = 0;
      nap = ACCESS_SLEEP_MIN_NS;
    } else if (++idle > ACCESS_SPIN_POLLS) {
      access_nap(&nap);
      x->st.sleeps++;
    }
  }
  *sent_all = red_out[0];
  *failed_all = red_out[1];
  x->st.wait_s += MPI_Wtime() - t0;
  return LC_OK;
}
