/* Internal types shared by the accessibility kernel (access.c) and its MPI traffic
 * (access_exchange.c). Not installed. */
#ifndef LIFECIRCLE_ACCESS_INTERNAL_H
#define LIFECIRCLE_ACCESS_INTERNAL_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/dgraph.h"

/* Records per message of the exchange: a longer stream is cut into chunks of this size. */
#define ACCESS_XCH_CHUNK 32768

/* One label sent to the owner of a ghost: the ghost is named by its position in the
 * sender's receive range from that owner, which is the same position in the owner's send
 * list to the sender; cat is the category (its index in the kernel's category list); key is
 * the label (distance << fbits | dense facility index), the dense index being the rank of
 * the facility id among the category's sorted distinct ids, so that keys order like
 * (distance, facility id) and are the same on every rank. */
struct access_rec {
  uint64_t key;
  int32_t pos;
  int32_t cat;
};

/* A growable array of records. */
struct access_buf {
  struct access_rec *rec;
  int64_t n, cap;
};

/* Applies n records received from neighbour j (index in dg->nbr). Called on the calling
 * (master) thread while the exchange is in progress, once per received chunk. It cannot
 * fail: a local failure (out of memory) is recorded by the callee and reported in the next
 * round's reduction. */
typedef void (*access_apply_fn)(void *ctx, int j, const struct access_rec *rec, int64_t n);

/* Counters of the exchange, summed over the rounds (this rank only). */
struct access_xstats {
  int64_t rec_sent, rec_recv, msg_sent, bytes_sent;
  double wait_s;  /* Wall seconds spent waiting in the exchange. */
  int64_t sleeps; /* Times the waiting rank slept to give its core away. */
};

/* The state of the exchange, set up once per access_run: per neighbour a send buffer and a
 * fixed receive buffer of ACCESS_XCH_CHUNK records (messages are cut into chunks of that
 * size, so that receiving never allocates). */
struct access_xch {
  int n_nbr;
  struct access_rec **sbuf; /* [n_nbr] packed records for each neighbour this round. */
  int64_t *scap;            /* [n_nbr] */
  int64_t *sn;              /* [n_nbr] records packed for each neighbour this round. */
  struct access_rec *rbuf;  /* [n_nbr * ACCESS_XCH_CHUNK] */
  MPI_Request *rreq;        /* [n_nbr] */
  MPI_Request *sreq;        /* Send requests of one round (one per chunk). */
  int64_t sreq_cap;
  struct access_xstats st;
};

/* Allocates the exchange state of dg's neighbours. Returns LC_OK or LC_ENOMEM. Local. */
int access_xch_init(struct access_xch *x, const struct dgraph *dg);

/* Frees the exchange state; safe on a zeroed struct. Local. */
void access_xch_free(struct access_xch *x);

/* One round's exchange and quiescence test, all categories at once: packs the records of
 * out[c * n_nbr + j] (category c, neighbour j) into one stream per neighbour, sends it in
 * chunks of at most ACCESS_XCH_CHUNK records (the last one shorter, possibly empty), and
 * applies every chunk received from a neighbour with apply as soon as it arrives. At the same
 * time a non-blocking reduction sums the records sent and the failures of all ranks into
 * *sent_all and *failed_all: the rounds end when *sent_all is 0 (every queue was empty and
 * nothing is in flight). A local failure (fail != LC_OK on entry, or no memory to pack) is
 * returned in *fail with its message, the stream to each neighbour being empty, so that all
 * ranks finish the round together and then agree on the failure. Waiting ranks poll with a
 * growing sleep, leaving the core to ranks still computing.
 * Returns LC_OK or LC_EMPI. Collective over the communicator of dg. */
int access_xch_round(struct access_xch *x, const struct dgraph *dg, int n_cat,
                     const struct access_buf *out, access_apply_fn apply, void *ctx, int *fail,
                     int64_t *sent_all, int64_t *failed_all);

#endif
