/* Partition of the walking graph over MPI ranks with METIS. */
#ifndef LIFECIRCLE_PARTITION_H
#define LIFECIRCLE_PARTITION_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/graph.h"

/* Partitions the nodes of g into nparts parts with METIS_PartGraphKway on the undirected
 * graph (self-loops and parallel edges collapsed), so that every part has about the same
 * vertex weight and few edges are cut.
 *
 * Rank 0 runs METIS; the part ids are then broadcast, and the status is agreed by all ranks,
 * so every rank returns the same status and (on success) the same part array. METIS counts
 * are 32-bit (idx_t): a graph whose node or adjacency count, or whose weight total, does not
 * fit fails with LC_ETOOBIG naming the count. The seed, the edge cut and the balance (largest
 * part weight over the mean) are logged.
 *
 * Parameters: g (with its CSR from graph_build_csr; the same on every rank); vwgt (a weight
 * >= 0 per node, e.g. residents plus facilities, scaled to fit METIS and shifted by one so no
 * node weighs nothing; NULL for unit weights); nparts >= 1 (1 skips METIS); seed (METIS's
 * METIS_OPTION_SEED); comm; part (n_nodes entries, filled with ids in [0, nparts) on every
 * rank).
 * Returns LC_OK, LC_EPARAM (nparts < 1, a negative weight, no CSR), LC_ETOOBIG, LC_EMETIS
 * (METIS failed or returned a part id out of range), LC_ENOMEM or LC_EMPI. Collective. */
int partition_build(const struct graph *g, const int64_t *vwgt, int nparts, int seed, MPI_Comm comm,
                    int32_t *part);

#endif
