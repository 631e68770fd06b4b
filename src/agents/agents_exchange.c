/* All MPI traffic of the agent simulation: migrations of agents batched per destination
 * rank, the per-window agreement (global virtual time, quiescence, status), sums, and the
 * redistribution of trips by agent id for output. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

/* Buffers larger than this many events are released after use, so that a burst (the
 * placement of the agents) does not keep its memory for the whole day. */
#define AGENTS_KEEP_EVENTS 65536

static int exchange_type(size_t bytes, MPI_Datatype *t) {
  if (MPI_Type_contiguous((int)bytes, MPI_BYTE, t) != MPI_SUCCESS ||
      MPI_Type_commit(t) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "agents: cannot create an MPI datatype");
  return LC_OK;
}

int agents_exchange(struct agents_sim *s) {
  int P = s->size, me = s->rank;
  s->exchanges++;
  if (P == 1) {
    /* Everything is local; an outbox to this rank cannot occur but is delivered anyway. */
    struct agents_outbox *o = &s->out[0];
    if (o->n > 0) {
      if (o->n > s->cap_inbox) {
        free(s->inbox);
        s->inbox = malloc((size_t)o->n * sizeof *s->inbox);
        s->cap_inbox = s->inbox ? o->n : 0;
        if (!s->inbox)
          return LC_ENOMEM;
      }
      memcpy(s->inbox, o->ev, (size_t)o->n * sizeof *o->ev);
      s->n_inbox = o->n;
      o->n = 0;
    }
    s->out_min = INT64_MAX;
    return LC_OK;
  }
  int *cnt = calloc((size_t)P * 3, sizeof *cnt);
  MPI_Request *req = malloc((size_t)P * 2 * sizeof *req);
  if (!cnt || !req) {
    free(cnt);
    free(req);
    return LC_ENOMEM;
  }
  int *scount = cnt, *rcount = cnt + P, *rdisp = cnt + 2 * P;
  int st = LC_OK;
  for (int r = 0; r < P; r++) {
    if (s->out[r].n > INT_MAX) {
      /* Every rank must still take part: send nothing and fail after the collective. */
      st = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                        "agents: %lld agents to send to rank %d in one batch (more than 2^31-1)",
                        (long long)s->out[r].n, r);
      scount[r] = 0;
    } else {
      scount[r] = (int)s->out[r].n;
    }
  }
  if (MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, s->comm) != MPI_SUCCESS) {
    free(cnt);
    free(req);
    LC_FAIL(LC_EMPI, "agents: MPI_Alltoall of migration counts failed");
  }
  int64_t total = 0;
  for (int r = 0; r < P; r++) {
    rdisp[r] = (int)total;
    total += rcount[r];
    if (total > INT_MAX && st == LC_OK)
      st = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                        "agents: more than 2^31-1 agents arrive at rank %d in one batch", me);
  }
  if (st == LC_OK && total > s->cap_inbox) {
    free(s->inbox);
    s->inbox = malloc((size_t)total * sizeof *s->inbox);
    s->cap_inbox = s->inbox ? total : 0;
    if (!s->inbox)
      st = LC_ENOMEM;
  }
  /* Agree before the point-to-point traffic, so that no rank waits for a failed one. */
  int worst = st;
  if (MPI_Allreduce(&st, &worst, 1, MPI_INT, MPI_MAX, s->comm) != MPI_SUCCESS)
    worst = LC_EMPI;
  if (worst != LC_OK) {
    free(cnt);
    free(req);
    if (st == LC_OK)
      LC_FAIL(worst, "agents: another rank failed during a migration");
    return st;
  }
  MPI_Datatype t;
  if (exchange_type(sizeof(struct agents_ev), &t) != LC_OK) {
    free(cnt);
    free(req);
    return LC_EMPI;
  }
  int nreq = 0, rc = MPI_SUCCESS;
  for (int r = 0; r < P && rc == MPI_SUCCESS; r++)
    if (r != me && rcount[r] > 0)
      rc = MPI_Irecv(s->inbox + rdisp[r], rcount[r], t, r, 41, s->comm, &req[nreq++]);
  for (int r = 0; r < P && rc == MPI_SUCCESS; r++)
    if (r != me && scount[r] > 0)
      rc = MPI_Isend(s->out[r].ev, scount[r], t, r, 41, s->comm, &req[nreq++]);
  if (rc == MPI_SUCCESS && scount[me] > 0)
    memcpy(s->inbox + rdisp[me], s->out[me].ev, (size_t)scount[me] * sizeof(struct agents_ev));
  if (rc == MPI_SUCCESS)
    rc = MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE);
  MPI_Type_free(&t);
  if (rc != MPI_SUCCESS) {
    free(cnt);
    free(req);
    LC_FAIL(LC_EMPI, "agents: migration messages failed");
  }
  for (int r = 0; r < P; r++) {
    if (r != me)
      s->migrations += scount[r];
    s->out[r].n = 0;
    s->out_min = INT64_MAX;
    if (s->out[r].cap > AGENTS_KEEP_EVENTS) {
      free(s->out[r].ev);
      s->out[r].ev = NULL;
      s->out[r].cap = 0;
    }
  }
  s->n_inbox = total;
  free(cnt);
  free(req);
  return LC_OK;
}

static void exchange_agree_fn(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  const int64_t *a = in;
  int64_t *b = inout;
  for (int k = 0; k + AGENTS_AGREE <= *len; k += AGENTS_AGREE)
    for (int i = 0; i < AGENTS_AGREE; i++)
      b[k + i] = i < 3 ? (a[k + i] < b[k + i] ? a[k + i] : b[k + i]) : a[k + i] + b[k + i];
}

int agents_exchange_agree(struct agents_sim *s, const int64_t *mine, int64_t *all) {
  /* Release a large inbox once its events have been handled. */
  if (s->n_inbox == 0 && s->cap_inbox > AGENTS_KEEP_EVENTS) {
    free(s->inbox);
    s->inbox = NULL;
    s->cap_inbox = 0;
  }
  if (!s->have_op) {
    if (MPI_Op_create(exchange_agree_fn, 1, &s->agree_op) != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "agents: cannot create the agreement operator");
    s->have_op = 1;
  }
  if (MPI_Allreduce(mine, all, AGENTS_AGREE, MPI_INT64_T, s->agree_op, s->comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "agents: MPI_Allreduce of the window agreement failed");
  return LC_OK;
}

void agents_exchange_free(struct agents_sim *s) {
  if (s->have_op)
    MPI_Op_free(&s->agree_op);
  s->have_op = 0;
}

int agents_exchange_sum(struct agents_sim *s, const int64_t *in, int64_t *out, int n) {
  int rc = in == out ? MPI_Allreduce(MPI_IN_PLACE, out, n, MPI_INT64_T, MPI_SUM, s->comm)
                     : MPI_Allreduce(in, out, n, MPI_INT64_T, MPI_SUM, s->comm);
  if (rc != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "agents: MPI_Allreduce of counters failed");
  return LC_OK;
}

static int exchange_trip_cmp(const void *a, const void *b) {
  const struct agents_trip *x = a, *y = b;
  if (x->agent != y->agent)
    return x->agent < y->agent ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index);
}

/* Rank holding agent a when n agents are split in P blocks [r*n/P, (r+1)*n/P). */
static int exchange_block(int64_t a, int64_t n, int P) {
  int lo = 0, hi = P - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    /* Start of block mid, computed without overflow for n below 2^56. */
    int64_t start = (int64_t)((__int128)n * mid / P);
    if (a >= start)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

int agents_exchange_trips(const struct agents_trips *trips, int64_t n_agents, MPI_Comm comm,
                          struct agents_trip **mine, int64_t *n_mine) {
  int P, me;
  *mine = NULL;
  *n_mine = 0;
  if (MPI_Comm_size(comm, &P) != MPI_SUCCESS || MPI_Comm_rank(comm, &me) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "agents: cannot query the communicator");
  int64_t n = trips->n;
  int *cnt = calloc((size_t)P * 4, sizeof *cnt);
  int64_t *pos = calloc((size_t)P, sizeof *pos);
  struct agents_trip *sbuf = lc_malloc_array(n, sizeof *sbuf);
  int st = cnt && pos && sbuf ? LC_OK : LC_ENOMEM;
  int *scount = cnt, *sdisp = cnt + P, *rcount = cnt + 2 * P, *rdisp = cnt + 3 * P;
  int64_t *sc64 = pos;
  if (st == LC_OK) {
    for (int64_t i = 0; i < n; i++)
      sc64[exchange_block(agents_trips_at(trips, i)->agent, n_agents, P)]++;
    int64_t at = 0;
    for (int r = 0; r < P; r++) {
      if (sc64[r] > INT_MAX || at > INT_MAX)
        st = lc_error_set(LC_ETOOBIG, __FILE__, __LINE__,
                          "agents: too many trips (%lld) to redistribute in one message",
                          (long long)n);
      scount[r] = (int)sc64[r];
      sdisp[r] = (int)at;
      at += sc64[r];
      sc64[r] = sdisp[r];
    }
    for (int64_t i = 0; i < n && st == LC_OK; i++) {
      const struct agents_trip *t = agents_trips_at(trips, i);
      sbuf[sc64[exchange_block(t->agent, n_agents, P)]++] = *t;
    }
  }
  /* Agree before the collective traffic. */
  int worst = st;
  if (MPI_Allreduce(&st, &worst, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS)
    worst = LC_EMPI;
  MPI_Datatype t;
  if (worst == LC_OK)
    worst = exchange_type(sizeof(struct agents_trip), &t);
  if (worst != LC_OK) {
    free(cnt);
    free(pos);
    free(sbuf);
    return st != LC_OK ? st : worst;
  }
  int64_t total = 0;
  if (MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, comm) != MPI_SUCCESS)
    st = LC_EMPI;
  for (int r = 0; r < P && st == LC_OK; r++) {
    rdisp[r] = (int)total;
    total += rcount[r];
    if (total > INT_MAX)
      st = LC_ETOOBIG;
  }
  struct agents_trip *rbuf = NULL;
  if (st == LC_OK) {
    rbuf = lc_malloc_array(total, sizeof *rbuf);
    if (!rbuf)
      st = LC_ENOMEM;
  }
  worst = st;
  if (MPI_Allreduce(&st, &worst, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS)
    worst = LC_EMPI;
  if (worst == LC_OK &&
      MPI_Alltoallv(sbuf, scount, sdisp, t, rbuf, rcount, rdisp, t, comm) != MPI_SUCCESS)
    worst = LC_EMPI;
  MPI_Type_free(&t);
  free(cnt);
  free(pos);
  free(sbuf);
  if (worst != LC_OK) {
    free(rbuf);
    if (st == LC_OK)
      LC_FAIL(worst, "agents: redistributing the trips failed");
    return st;
  }
  qsort(rbuf, (size_t)total, sizeof *rbuf, exchange_trip_cmp);
  *mine = rbuf;
  *n_mine = total;
  return LC_OK;
}

int agents_trips_gather(const struct agents_output *out, MPI_Comm comm, struct agents_trip **all,
                        int64_t *n) {
  struct agents_trip *mine;
  int64_t n_mine;
  *all = NULL;
  *n = 0;
  LC_CHECK(agents_exchange_trips(&out->trips, out->stats.agents, comm, &mine, &n_mine));
  int P;
  MPI_Comm_size(comm, &P);
  int *cnt = calloc((size_t)P * 2, sizeof *cnt);
  if (!cnt) {
    free(mine);
    return LC_ENOMEM;
  }
  int c = (int)n_mine;
  if (MPI_Allgather(&c, 1, MPI_INT, cnt, 1, MPI_INT, comm) != MPI_SUCCESS) {
    free(cnt);
    free(mine);
    LC_FAIL(LC_EMPI, "agents: MPI_Allgather failed");
  }
  int64_t total = 0;
  for (int r = 0; r < P; r++) {
    cnt[P + r] = (int)total;
    total += cnt[r];
  }
  struct agents_trip *buf = lc_malloc_array(total, sizeof *buf);
  MPI_Datatype t;
  int st = buf ? exchange_type(sizeof *buf, &t) : LC_ENOMEM;
  if (st == LC_OK) {
    if (MPI_Allgatherv(mine, c, t, buf, cnt, cnt + P, t, comm) != MPI_SUCCESS)
      st = LC_EMPI;
    MPI_Type_free(&t);
  }
  free(cnt);
  free(mine);
  if (st != LC_OK) {
    free(buf);
    return st;
  }
  *all = buf;
  *n = total;
  return LC_OK;
}
