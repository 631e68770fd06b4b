/* Partition of the walking graph with METIS: rank 0 partitions, every rank receives the
 * part ids. */
#include "lifecircle/partition.h"

#include <limits.h>
#include <metis.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* The largest total vertex weight handed to METIS. METIS sums weights in idx_t (32-bit), so
 * the total is kept well below 2^31. */
#define PARTITION_MAX_TOTAL_WEIGHT ((int64_t)1 << 30)

/* Narrows a count to idx_t or fails naming it. */
static int partition_narrow(int64_t value, const char *what, idx_t *out) {
  if (value < 0 || value > (int64_t)INT32_MAX)
    LC_FAIL(LC_ETOOBIG,
            "the %s (%lld) does not fit METIS's 32-bit idx_t: partition a smaller graph or "
            "rebuild METIS with 64-bit indices",
            what, (long long)value);
  *out = (idx_t)value;
  return LC_OK;
}

/* Builds the METIS weights: weight i = 1 + floor(vwgt[i] * scale), the scale chosen so the
 * total stays below PARTITION_MAX_TOTAL_WEIGHT. Unit weights when vwgt is NULL. */
static int partition_weights(const int64_t *vwgt, int64_t n, idx_t *w) {
  if (!vwgt) {
    for (int64_t i = 0; i < n; i++)
      w[i] = 1;
    return LC_OK;
  }
  double total = 0.0;
  for (int64_t i = 0; i < n; i++) {
    if (vwgt[i] < 0)
      LC_FAIL(LC_EPARAM, "partition: node %lld has a negative vertex weight (%lld)", (long long)i,
              (long long)vwgt[i]);
    total += (double)vwgt[i];
  }
  /* Room left for the weights once every node has its weight of one. */
  double room = (double)(PARTITION_MAX_TOTAL_WEIGHT - n);
  if (room < 0)
    LC_FAIL(LC_ETOOBIG,
            "partition: the node count (%lld) leaves no room for vertex weights "
            "in METIS's 32-bit idx_t",
            (long long)n);
  double scale = total > room ? room / total : 1.0;
  for (int64_t i = 0; i < n; i++)
    w[i] = (idx_t)(1 + (int64_t)((double)vwgt[i] * scale));
  return LC_OK;
}

/* Runs METIS on rank 0's copy of the graph. */
static int partition_metis(const struct graph *g, const int64_t *vwgt, int nparts, int seed,
                           int32_t *part) {
  int64_t n = g->n_nodes;
  idx_t nvtxs, nadj, np = (idx_t)nparts;
  LC_CHECK(partition_narrow(n, "node count", &nvtxs));
  LC_CHECK(partition_narrow(g->adj_off[n], "adjacency entry count (twice the edge count)", &nadj));
  (void)nadj;
  int rc = LC_OK;
  idx_t *xadj = malloc((size_t)(n + 1) * sizeof *xadj);
  idx_t *adjncy = lc_malloc_array(g->adj_off[n], sizeof *adjncy);
  idx_t *w = lc_malloc_array(n, sizeof *w);
  idx_t *mpart = lc_malloc_array(n, sizeof *mpart);
  if (!xadj || !adjncy || !w || !mpart) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                      "cannot allocate the METIS graph of %lld nodes", (long long)n);
    goto done;
  }
  LC_CHECK_GOTO(rc, partition_weights(vwgt, n, w), done);
  /* METIS wants a simple graph: drop self-loops and repeated neighbours (the CSR rows are
   * sorted by neighbour, so repeats are adjacent). */
  int64_t pos = 0;
  xadj[0] = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t prev = -1;
    for (int64_t e = g->adj_off[i]; e < g->adj_off[i + 1]; e++) {
      int64_t j = g->adj_node[e];
      if (j == i || j == prev)
        continue;
      adjncy[pos++] = (idx_t)j;
      prev = j;
    }
    xadj[i + 1] = (idx_t)pos;
  }
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_SEED] = (idx_t)seed;
  options[METIS_OPTION_NUMBERING] = 0;
  idx_t ncon = 1, edgecut = 0;
  int mrc = METIS_PartGraphKway(&nvtxs, &ncon, xadj, adjncy, w, NULL, NULL, &np, NULL, NULL,
                                options, &edgecut, mpart);
  if (mrc != METIS_OK) {
    rc = lc_error_set(LC_EMETIS, __FILE__, __LINE__,
                      "METIS_PartGraphKway failed (code %d%s) on %lld nodes, %d parts", mrc,
                      mrc == METIS_ERROR_MEMORY  ? ", out of memory"
                      : mrc == METIS_ERROR_INPUT ? ", invalid input"
                                                 : "",
                      (long long)n, nparts);
    goto done;
  }
  /* Check every part id and measure the balance. */
  int64_t *pw = calloc((size_t)nparts, sizeof *pw);
  if (!pw) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "cannot allocate %d part weights", nparts);
    goto done;
  }
  int64_t wtotal = 0;
  for (int64_t i = 0; i < n; i++) {
    if (mpart[i] < 0 || mpart[i] >= np) {
      rc = lc_error_set(LC_EMETIS, __FILE__, __LINE__,
                        "METIS returned part %d for node %lld, outside [0, %d)", (int)mpart[i],
                        (long long)i, nparts);
      free(pw);
      goto done;
    }
    part[i] = (int32_t)mpart[i];
    pw[mpart[i]] += w[i];
    wtotal += w[i];
  }
  int64_t wmax = 0;
  for (int p = 0; p < nparts; p++)
    if (pw[p] > wmax)
      wmax = pw[p];
  free(pw);
  double balance = wtotal > 0 ? (double)wmax * nparts / (double)wtotal : 1.0;
  log_info("partition: METIS k-way, %d parts, seed %d, edge cut %lld of %lld edges, "
           "balance %.3f (largest part weight over the mean)",
           nparts, seed, (long long)edgecut, (long long)(pos / 2), balance);
done:
  free(xadj);
  free(adjncy);
  free(w);
  free(mpart);
  return rc;
}

int partition_build(const struct graph *g, const int64_t *vwgt, int nparts, int seed, MPI_Comm comm,
                    int32_t *part) {
  int rank = 0, rc = LC_OK;
  if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "partition: MPI_Comm_rank failed");
  int64_t n = g->n_nodes;
  if (nparts < 1)
    rc = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                      "partition: the number of parts must be >= 1, got %d", nparts);
  else if (n > 0 && !g->adj_off)
    rc = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                      "partition: the graph has no CSR adjacency (call graph_build_csr)");
  else if (nparts == 1 || n == 0) {
    for (int64_t i = 0; i < n; i++)
      part[i] = 0;
    if (rank == 0)
      log_info("partition: one part, METIS not needed");
  } else if (rank == 0)
    rc = partition_metis(g, vwgt, nparts, seed, part);
  rc = lc_agree(comm, rc);
  if (rc != LC_OK || nparts == 1 || n == 0)
    return rc;
  /* Broadcast in chunks whose count fits an int. */
  for (int64_t off = 0; off < n; off += INT_MAX / 2) {
    int64_t cnt = n - off < INT_MAX / 2 ? n - off : INT_MAX / 2;
    if (MPI_Bcast(part + off, (int)cnt, MPI_INT32_T, 0, comm) != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "partition: MPI_Bcast of the part ids failed");
  }
  return LC_OK;
}
