/* Facility placement: choose k candidate sites of a category that newly cover the most
 * residents within the category's walking threshold (each group at its own speed), by
 * greedy maximal covering with lazy evaluation (CELF: Leskovec et al., "Cost-effective
 * outbreak detection in networks", KDD 2007), gains evaluated in parallel over ranks that
 * each own a share of the candidates and their cover sets. Greedy on this monotone
 * submodular objective is within a factor (1 - 1/e) of the optimum (Nemhauser, Wolsey and
 * Fisher, Mathematical Programming 14, 1978). */
#ifndef LIFECIRCLE_OPTIMIZE_H
#define LIFECIRCLE_OPTIMIZE_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/graph.h"

/* Cover sets of the candidates this rank owns, in CSR form: local candidate j (global id
 * cand_id[j], ascending) reaches node[off[j] .. off[j+1]) at walking distances dist_cm
 * (its snap distance included). Only the nodes that can gain are kept. */
struct optimize_cover {
  int64_t n;
  int64_t *cand_id;
  int64_t *off;
  int64_t *node;
  int64_t *dist_cm;
};

/* Frees cover sets and zeroes them. Local. */
void optimize_cover_free(struct optimize_cover *c);

/* Multi-source bounded Dijkstra on g (which needs its CSR; walking costs adj_len_cm): for
 * every node, the distance to its nearest source, source s sitting on node[s] with
 * offset_cm[s] >= 0 added, or -1 when farther than radius_cm. Exact integers. Returns LC_OK,
 * LC_EPARAM (a source node out of range, a negative offset) or LC_ENOMEM. Local. */
int optimize_nearest(const struct graph *g, int64_t n_src, const int64_t *node,
                     const int64_t *offset_cm, int64_t radius_cm, int64_t *dist_cm);

/* Cover sets of the candidates j in [0, n_cand) with j % size == rank: one bounded Dijkstra
 * per candidate from cand_node[j] (offset cand_offset_cm[j]) over radius_cm, keeping the
 * nodes with relevant[node] nonzero (NULL: all). OpenMP threads take candidates; the result
 * does not depend on their number. Returns LC_OK, LC_EPARAM or LC_ENOMEM. Local. */
int optimize_covers(const struct graph *g, int64_t n_cand, const int64_t *cand_node,
                    const int64_t *cand_offset_cm, int64_t radius_cm, const uint8_t *relevant,
                    int rank, int size, struct optimize_cover *out);

/* Greedy maximal covering with lazy evaluation. weight[x*n_group+g] (the same on every
 * rank) is what covering group g at node x is worth (0 when already covered or not
 * served); a candidate covers (x, g) when its distance to x is <= limit_cm[g]. Each step
 * takes the candidate of largest marginal gain over all ranks (MPI_Allreduce on the gain,
 * then on the id: ties go to the lower candidate id), so the picks do not depend on the
 * number of ranks. Stops after k picks or when no candidate gains anything.
 * pick[0 .. *n_picked) receives the candidate ids in the order chosen and gain[] their
 * marginal gains. Returns LC_OK, LC_EPARAM (k < 1), LC_ENOMEM or LC_EMPI, agreed by all
 * ranks. Collective. */
int optimize_greedy(int64_t n_nodes, int n_group, const int64_t *weight, const int64_t *limit_cm,
                    const struct optimize_cover *cov, int k, MPI_Comm comm, int64_t *pick,
                    int64_t *gain, int *n_picked);

#endif
