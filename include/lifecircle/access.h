/* The static accessibility kernel: for every node and every facility category, the k best
 * facilities (nearest first) within the category's radius, computed exactly by a distributed
 * multi-source bounded shortest-path search; and a simple serial reference for tests. */
#ifndef LIFECIRCLE_ACCESS_H
#define LIFECIRCLE_ACCESS_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/dgraph.h"
#include "lifecircle/graph.h"

/* The sources of one category. Source i sits on global node node[i], belongs to facility
 * fac[i] (the facility's row in the results' Facilities table, >= 0; it breaks ties) and
 * reaches its node over offset_cm[i] >= 0 (the snap distance, added to every path). A
 * facility may have several sources (e.g. entrances), and a node several facilities. */
struct access_sources {
  int64_t n;
  const int64_t *node;
  const int64_t *fac;
  const int64_t *offset_cm;
};

/* One of the k best facilities of a node: its distance (offset_cm + walking cost of the
 * shortest path, in centimetres) and its facility id; both -1 in an empty slot. access_run
 * and access_serial refuse radii or facility ids above INT32_MAX, so both fit 32 bits. */
struct access_entry {
  int32_t dist_cm;
  int32_t fac;
};

/* The k best facilities of every node for one category, kept as the kernel's packed label
 * words: word = distance << fbits | dense facility index, the dense index being the rank of
 * the facility id among the sorted ids fac_id[0 .. n_fac), so that words order like
 * (distance, facility id); an empty slot is all ones. The words are 32 bits wide when every
 * distance up to the radius and every index fit (radius < 2^(32 - fbits)), else 64 bits,
 * which halves the memory the kernel touches. Read the
 * slots with access_get or access_row; slot i * k + j is the j-th best of node i. */
struct access_table {
  void *word;      /* [n_slots] uint32_t (wide == 0) or uint64_t (wide == 1) words. */
  int64_t *fac_id; /* [n_fac] sorted distinct facility ids. */
  int64_t n_fac;
  int fbits; /* Bits of the dense index: 2^fbits > n_fac, so all ones is no index. */
  int wide;
};

/* The entry in slot i of table t. */
static inline struct access_entry access_get(const struct access_table *t, int64_t i) {
  uint64_t w = t->wide ? ((const uint64_t *)t->word)[i] : ((const uint32_t *)t->word)[i];
  uint64_t empty = t->wide ? UINT64_MAX : UINT32_MAX;
  if (w == empty)
    return (struct access_entry){-1, -1};
  return (struct access_entry){(int32_t)(w >> t->fbits),
                               (int32_t)t->fac_id[w & (((uint64_t)1 << t->fbits) - 1)]};
}

/* The k entries of node i (its catchment list, nearest first) into row[0 .. k). */
static inline void access_row(const struct access_table *t, int k, int64_t i,
                              struct access_entry *row) {
  for (int j = 0; j < k; j++)
    row[j] = access_get(t, i * k + j);
}

/* The word layout of a category whose distances reach at most radius_cm and which has
 * n_fac distinct facilities: the fewest index bits with 2^fbits > n_fac, 32-bit words when
 * radius_cm < 2^(32 - fbits). Returns LC_OK, or LC_ETOOBIG when not even 64-bit words hold
 * them (radius_cm >= 2^(63 - fbits)). Local. */
int access_table_layout(int64_t radius_cm, int64_t n_fac, int *fbits, int *wide);

/* Packs n entries (each run of k sorted by (distance, facility id), empty slots {-1, -1})
 * into t, with the layout of the largest distance and the distinct facilities present.
 * Returns LC_OK, LC_ETOOBIG or LC_ENOMEM. Local. */
int access_table_pack(struct access_table *t, const struct access_entry *e, int64_t n);

/* 1 when slots 0 .. n-1 of a and b hold the same entries (whatever their layouts), else 0. */
int access_table_equal(const struct access_table *a, const struct access_table *b, int64_t n);

/* Frees a table's arrays and zeroes it. Safe on a zeroed table. Local. */
void access_table_free(struct access_table *t);

/* The k best facilities of every node, per category. For category c and node i, slots
 * i*k + j, j = 0 .. k-1, of t[c] are in increasing order of the key (distance, facility id),
 * distinct facilities, all with distance <= the radius; missing entries are empty. */
struct access_result {
  int n_cat;
  int k;
  int64_t n_nodes;        /* Owned nodes of this rank (access_run) or all (access_serial). */
  struct access_table *t; /* [n_cat]; freed with access_result_free. */
  int64_t rounds;         /* Exchange rounds (access_run; 0 for access_serial). */
  int64_t records;        /* Label records exchanged between ranks, summed over all ranks. */
};

/* Computes the k best facilities within radius_cm[c] of every owned node for each of n_cat
 * categories. Each rank seeds the sources on the nodes it owns and runs a label-setting
 * search per category (OpenMP threads take categories); labels reaching ghosts are batched
 * per neighbour rank and exchanged in rounds until no rank has anything to send. The result
 * equals access_serial bit for bit for any number of ranks and threads.
 * Parameters: dg (from dgraph_build), n_cat >= 1, src[n_cat] (the same full lists on every
 * rank, facility ids <= INT32_MAX), radius_cm[n_cat] in 0 .. INT32_MAX, k >= 1, out
 * (filled; free with access_result_free), comm (the communicator dg was built on).
 * Returns LC_OK, LC_EPARAM (bad k, radius or source, including a radius or facility id
 * above INT32_MAX: the message names the category and the source index), LC_ETOOBIG,
 * LC_ENOMEM or LC_EMPI, agreed by all ranks. Collective. */
int access_run(const struct dgraph *dg, int n_cat, const struct access_sources *src,
               const int64_t *radius_cm, int k, struct access_result *out, MPI_Comm comm);

/* The serial reference: for every facility of every category, one bounded Dijkstra from
 * its sources, then for every node the k best (distance, facility id). Deliberately simple
 * and independent of access_run, for tests. Same parameters and result layout as
 * access_run, over all nodes of g (which needs its CSR).
 * Returns LC_OK, LC_EPARAM or LC_ENOMEM. Local. */
int access_serial(const struct graph *g, int n_cat, const struct access_sources *src,
                  const int64_t *radius_cm, int k, struct access_result *out);

/* Frees a result and zeroes it. Safe on a zeroed struct. Local. */
void access_result_free(struct access_result *out);

#endif
