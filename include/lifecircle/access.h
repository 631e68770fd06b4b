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
 * shortest path, in centimetres) and its facility id; both -1 in an empty slot. 32 bits
 * each, so that the kernel writes an entry in place over its 8-byte label word and allocates
 * no output memory; access_run and access_serial refuse radii or facility ids above
 * INT32_MAX. */
struct access_entry {
  int32_t dist_cm;
  int32_t fac;
};

/* The k best facilities of every node, per category. For category c and node i, entries
 * e[c][i*k + j], j = 0 .. k-1, are in increasing order of the key (distance, facility id),
 * distinct facilities, all with distance <= the radius; missing entries are padded with
 * {-1, -1}. */
struct access_result {
  int n_cat;
  int k;
  int64_t n_nodes;         /* Owned nodes of this rank (access_run) or all (access_serial). */
  struct access_entry **e; /* [n_cat][n_nodes * k]; each e[c] is freed with free(). */
  int64_t rounds;          /* Exchange rounds (access_run; 0 for access_serial). */
  int64_t records;         /* Label records exchanged between ranks, summed over all ranks. */
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
