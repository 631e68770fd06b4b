/* The distributed graph: the nodes a rank owns, a depth-1 halo of ghost nodes, a local CSR
 * and a split-phase halo exchange that is set up once and reused. */
#ifndef LIFECIRCLE_DGRAPH_H
#define LIFECIRCLE_DGRAPH_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "lifecircle/graph.h"

/* Local indices are int32_t: owned nodes come first, 0 .. n_owned-1, in ascending global
 * order; ghosts follow, n_owned .. n_local-1, grouped by owner rank (ascending) and in
 * ascending global order within one owner, so that the ghosts received from neighbour j are
 * the contiguous range n_owned + recv_off[j] .. n_owned + recv_off[j+1]-1. */
struct dgraph {
  MPI_Comm comm; /* A duplicate of the communicator given to dgraph_build. */
  int rank, size;
  int64_t n_global; /* Nodes of the whole graph. */
  int32_t n_owned, n_ghost, n_local;
  int64_t *global;          /* [n_local] global id of every local node. */
  int32_t *ghost_owner;     /* [n_ghost] rank owning ghost n_owned + i. */
  int32_t *ghost_nbr;       /* [n_ghost] index in nbr[] of that owner. */
  int32_t *ghost_by_global; /* [n_ghost] ghost local indices sorted by global id. */

  /* Local CSR: neighbours of owned node i are adj[adj_off[i] .. adj_off[i+1]) (local
   * indices, owned or ghost) with walking costs adj_cost_cm (from the graph's cost_cm, >= 0).
   * A cost above UINT32_MAX is stored as UINT32_MAX: the kernel's radii are at most
   * INT32_MAX, so such an edge is never walked either way, and 32-bit costs halve the array
   * the kernel reads. Ghost rows are empty: a ghost is expanded by its owner. */
  int32_t *adj_off; /* [n_local + 1]; at most INT32_MAX entries (dgraph_build checks). */
  int32_t *adj;
  uint32_t *adj_cost_cm;

  /* Neighbour ranks (ascending): the ranks owning a ghost of this rank, which are also the
   * ranks holding an owned node of this rank as a ghost. */
  int n_nbr;
  int *nbr;
  /* Per neighbour j: send_idx[send_off[j] .. send_off[j+1]) are the owned local indices that
   * are ghosts on nbr[j], in ascending global order (the order of nbr[j]'s receive list). */
  int32_t *send_off; /* [n_nbr + 1] */
  int32_t *send_idx;
  int32_t *recv_off; /* [n_nbr + 1] offsets of each neighbour's ghost range. */
};

/* State of one halo exchange in flight. */
struct dgraph_halo {
  const struct dgraph *dg;
  char *sendbuf;
  MPI_Request *req;
  int n_req;
};

/* Builds the distributed graph of this rank: the nodes with part[i] == rank, their ghosts,
 * the local CSR, the neighbour ranks and the send and receive lists. No message is needed
 * since every rank holds the whole graph and the whole part array; the communicator is
 * duplicated for the halo traffic.
 * Parameters: g (with CSR, the same on every rank), part (n_nodes ids in [0, size), the same
 * on every rank), comm, dg (filled; free with dgraph_free).
 * Returns LC_OK, LC_EPARAM (no CSR, a part id out of range), LC_ETOOBIG (more than 2^31-1
 * local nodes or adjacency entries), LC_ENOMEM or LC_EMPI, agreed by all ranks.
 * Collective. */
int dgraph_build(const struct graph *g, const int32_t *part, MPI_Comm comm, struct dgraph *dg);

/* Frees a distributed graph (and its duplicated communicator) and zeroes it. Collective
 * (MPI_Comm_free); safe on a zeroed struct. */
void dgraph_free(struct dgraph *dg);

/* Returns the local index of a global node id, or -1 when the node is neither owned nor a
 * ghost here. O(log n). Local. */
int32_t dgraph_local(const struct dgraph *dg, int64_t global);

/* Starts copying every owned node's value to the ghosts of the other ranks. data has
 * n_local elements of elem_size bytes each; the ghost entries must not be read or written,
 * nor the owned entries written, until dgraph_halo_end. Call outside OpenMP parallel
 * regions. Returns LC_OK, LC_ETOOBIG (a message over 2^31-1 bytes), LC_ENOMEM or LC_EMPI.
 * Collective over the neighbours (every rank calls it). */
int dgraph_halo_begin(const struct dgraph *dg, void *data, size_t elem_size, struct dgraph_halo *h);

/* Completes a halo exchange: on return every ghost holds its owner's value. Returns LC_OK or
 * LC_EMPI. Collective over the neighbours. */
int dgraph_halo_end(struct dgraph_halo *h);

#endif
