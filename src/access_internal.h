/* Internal types shared by the accessibility kernel (access.c) and its MPI traffic
 * (access_exchange.c). Not installed. */
#ifndef LIFECIRCLE_ACCESS_INTERNAL_H
#define LIFECIRCLE_ACCESS_INTERNAL_H

#include <stdint.h>

#include "lifecircle/dgraph.h"

/* One label sent to the owner of a ghost: the ghost is named by its position in the
 * sender's receive range from that owner, which is the same position in the owner's send
 * list to the sender; key is the label (distance << fbits | dense facility index), the
 * dense index being the rank of the facility id among the category's sorted distinct ids, so
 * that keys order like (distance, facility id) and are the same on every rank. */
struct access_rec {
  uint64_t key;
  int32_t pos;
  int32_t pad;
};

/* A growable array of records. */
struct access_buf {
  struct access_rec *rec;
  int64_t n, cap;
};

/* Records received in one round: those of neighbour j and category c are
 * rec[off[j * n_cat + c] .. off[j * n_cat + c + 1]). */
struct access_inbox {
  struct access_rec *rec;
  int64_t cap;
  int64_t *off;     /* [n_nbr * n_cat + 1] */
  int64_t *cnt_in;  /* [n_nbr * n_cat] counts announced by the neighbours. */
  int64_t *cnt_out; /* [n_nbr * n_cat] counts announced to them. */
  struct access_rec *sendbuf;
  int64_t send_cap;
};

/* Allocates the count arrays of an inbox. Returns LC_OK or LC_ENOMEM. Local. */
int access_inbox_init(struct access_inbox *in, int n_nbr, int n_cat);

/* Frees an inbox. */
void access_inbox_free(struct access_inbox *in);

/* First half of a round's exchange: announces to every neighbour j how many records of each
 * category it will get (out[c * n_nbr + j].n), learns the counts it will receive, checks the
 * message sizes and sizes the send and receive buffers. A local failure (LC_ENOMEM, or
 * LC_ETOOBIG for a message over 2^31-1 bytes) is put in *fail with its message instead of
 * being returned, so that the caller can agree on it with the other ranks before any
 * payload moves. Returns LC_OK or LC_EMPI. Collective over the neighbours. */
int access_exchange_counts(const struct dgraph *dg, int n_cat, const struct access_buf *out,
                           struct access_inbox *in, int *fail);

/* Second half: sends the records of out to the neighbours and receives theirs into in.
 * Call only when access_exchange_counts succeeded on every rank. Returns LC_OK or LC_EMPI.
 * Collective over the neighbours. */
int access_exchange_records(const struct dgraph *dg, int n_cat, const struct access_buf *out,
                            struct access_inbox *in);

#endif
