/* The distributed graph: ownership, the depth-1 halo, the local CSR and the send and receive
 * lists. Built from the replicated graph and part array without any message. */
#include "lifecircle/dgraph.h"

#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* Sort of ghosts by (owner, global id). */
struct dgraph_ghost_key {
  int32_t owner;
  int64_t global;
};

static int dgraph_ghost_cmp(const void *a, const void *b) {
  const struct dgraph_ghost_key *x = a, *y = b;
  if (x->owner != y->owner)
    return x->owner < y->owner ? -1 : 1;
  return (x->global > y->global) - (x->global < y->global);
}

void dgraph_free(struct dgraph *dg) {
  if (dg->comm != MPI_COMM_NULL && dg->comm != 0)
    MPI_Comm_free(&dg->comm);
  free(dg->global);
  free(dg->ghost_owner);
  free(dg->ghost_nbr);
  free(dg->ghost_by_global);
  free(dg->adj_off);
  free(dg->adj);
  free(dg->adj_cost_cm);
  free(dg->nbr);
  free(dg->send_off);
  free(dg->send_idx);
  free(dg->recv_off);
  memset(dg, 0, sizeof *dg);
  dg->comm = MPI_COMM_NULL;
}

int32_t dgraph_local(const struct dgraph *dg, int64_t global) {
  /* Owned nodes: ascending global order. */
  int32_t lo = 0, hi = dg->n_owned;
  while (lo < hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (dg->global[mid] < global)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < dg->n_owned && dg->global[lo] == global)
    return lo;
  lo = 0;
  hi = dg->n_ghost;
  while (lo < hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (dg->global[dg->ghost_by_global[mid]] < global)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < dg->n_ghost && dg->global[dg->ghost_by_global[lo]] == global)
    return dg->ghost_by_global[lo];
  return -1;
}

/* Sort of ghost local indices by global id, through a file-scope pointer (qsort has no
 * context argument). Only used single-threaded while building. */
static const int64_t *dgraph_sort_global;
static int dgraph_local_cmp(const void *a, const void *b) {
  int64_t x = dgraph_sort_global[*(const int32_t *)a];
  int64_t y = dgraph_sort_global[*(const int32_t *)b];
  return (x > y) - (x < y);
}

/* The part of dgraph_build that does not communicate. map is a scratch array of n_global
 * entries. */
static int dgraph_build_local(const struct graph *g, const int32_t *part, struct dgraph *dg,
                              int32_t *map) {
  int64_t n = g->n_nodes;
  int rank = dg->rank, size = dg->size;
  for (int64_t i = 0; i < n; i++) {
    if (part[i] < 0 || part[i] >= size)
      LC_FAIL(LC_EPARAM, "dgraph: node %lld has part %d, outside [0, %d)", (long long)i,
              (int)part[i], size);
    map[i] = -1;
  }
  /* Owned nodes in ascending global order. */
  int64_t n_owned = 0, n_adj = 0;
  for (int64_t i = 0; i < n; i++)
    if (part[i] == rank) {
      n_owned++;
      n_adj += g->adj_off[i + 1] - g->adj_off[i];
      for (int64_t e = g->adj_off[i]; e < g->adj_off[i + 1]; e++)
        if (g->adj_len_cm[e] < 0)
          LC_FAIL(LC_EPARAM,
                  "dgraph: the edge from node %lld to node %lld has a negative "
                  "cost (%lld cm)",
                  (long long)i, (long long)g->adj_node[e], (long long)g->adj_len_cm[e]);
    }
  if (n_owned > INT32_MAX / 2 || n_adj > INT32_MAX)
    LC_FAIL(LC_ETOOBIG,
            "dgraph: rank %d would own %lld nodes with %lld adjacency entries; "
            "local indices are 32-bit: use more ranks",
            rank, (long long)n_owned, (long long)n_adj);
  /* Ghosts: off-rank neighbours of owned nodes, sorted by (owner, global). */
  int64_t n_ghost = 0;
  for (int64_t i = 0; i < n; i++) {
    if (part[i] != rank)
      continue;
    for (int64_t e = g->adj_off[i]; e < g->adj_off[i + 1]; e++) {
      int64_t j = g->adj_node[e];
      if (part[j] != rank && map[j] == -1) {
        map[j] = -2;
        n_ghost++;
      }
    }
  }
  if (n_owned + n_ghost > INT32_MAX)
    LC_FAIL(LC_ETOOBIG, "dgraph: rank %d has %lld owned and %lld ghost nodes, over 2^31-1", rank,
            (long long)n_owned, (long long)n_ghost);
  dg->n_owned = (int32_t)n_owned;
  dg->n_ghost = (int32_t)n_ghost;
  dg->n_local = (int32_t)(n_owned + n_ghost);
  size_t nl = (size_t)dg->n_local + 1, ng = (size_t)n_ghost + 1;
  dg->global = malloc(nl * sizeof *dg->global);
  dg->ghost_owner = malloc(ng * sizeof *dg->ghost_owner);
  dg->ghost_nbr = malloc(ng * sizeof *dg->ghost_nbr);
  dg->ghost_by_global = malloc(ng * sizeof *dg->ghost_by_global);
  dg->adj_off = malloc(nl * sizeof *dg->adj_off);
  dg->adj = malloc(((size_t)n_adj + 1) * sizeof *dg->adj);
  dg->adj_cost_cm = malloc(((size_t)n_adj + 1) * sizeof *dg->adj_cost_cm);
  struct dgraph_ghost_key *keys = malloc(ng * sizeof *keys);
  int32_t *cnt = calloc((size_t)size, sizeof *cnt);
  if (!dg->global || !dg->ghost_owner || !dg->ghost_nbr || !dg->ghost_by_global || !dg->adj_off ||
      !dg->adj || !dg->adj_cost_cm || !keys || !cnt) {
    free(keys);
    free(cnt);
    LC_FAIL(LC_ENOMEM, "dgraph: cannot allocate the local graph of %lld nodes",
            (long long)(n_owned + n_ghost));
  }
  int32_t lo = 0;
  int64_t ng_seen = 0;
  for (int64_t i = 0; i < n; i++) {
    if (part[i] == rank) {
      dg->global[lo] = i;
      map[i] = lo++;
    } else if (map[i] == -2) {
      keys[ng_seen++] = (struct dgraph_ghost_key){part[i], i};
    }
  }
  qsort(keys, (size_t)n_ghost, sizeof *keys, dgraph_ghost_cmp);
  for (int32_t k = 0; k < dg->n_ghost; k++) {
    int32_t l = dg->n_owned + k;
    dg->global[l] = keys[k].global;
    dg->ghost_owner[k] = keys[k].owner;
    map[keys[k].global] = l;
    cnt[keys[k].owner]++;
  }
  free(keys);
  /* Neighbour ranks: owners of ghosts. */
  int n_nbr = 0;
  for (int r = 0; r < size; r++)
    if (cnt[r] > 0)
      n_nbr++;
  dg->n_nbr = n_nbr;
  dg->nbr = malloc(((size_t)n_nbr + 1) * sizeof *dg->nbr);
  dg->recv_off = malloc(((size_t)n_nbr + 1) * sizeof *dg->recv_off);
  dg->send_off = calloc((size_t)n_nbr + 1, sizeof *dg->send_off);
  int32_t *nbr_of = malloc((size_t)size * sizeof *nbr_of);
  if (!dg->nbr || !dg->recv_off || !dg->send_off || !nbr_of) {
    free(cnt);
    free(nbr_of);
    LC_FAIL(LC_ENOMEM, "dgraph: cannot allocate the neighbour lists");
  }
  n_nbr = 0;
  dg->recv_off[0] = 0;
  for (int r = 0; r < size; r++) {
    nbr_of[r] = -1;
    if (cnt[r] > 0) {
      nbr_of[r] = n_nbr;
      dg->nbr[n_nbr] = r;
      dg->recv_off[n_nbr + 1] = dg->recv_off[n_nbr] + cnt[r];
      n_nbr++;
    }
  }
  free(cnt);
  for (int32_t k = 0; k < dg->n_ghost; k++) {
    dg->ghost_nbr[k] = nbr_of[dg->ghost_owner[k]];
    dg->ghost_by_global[k] = dg->n_owned + k;
  }
  dgraph_sort_global = dg->global;
  qsort(dg->ghost_by_global, (size_t)dg->n_ghost, sizeof *dg->ghost_by_global, dgraph_local_cmp);
  /* Local CSR, and the count of owned nodes that are ghosts on each neighbour. last[j] is the
   * last owned node counted for neighbour j, so a node adjacent to several nodes of the same
   * neighbour is counted once. */
  int32_t *last = malloc(((size_t)n_nbr + 1) * sizeof *last);
  if (!last) {
    free(nbr_of);
    LC_FAIL(LC_ENOMEM, "dgraph: cannot allocate the send list counters");
  }
  for (int j = 0; j < n_nbr; j++)
    last[j] = -1;
  int64_t pos = 0;
  dg->adj_off[0] = 0;
  for (int32_t l = 0; l < dg->n_owned; l++) {
    int64_t i = dg->global[l];
    for (int64_t e = g->adj_off[i]; e < g->adj_off[i + 1]; e++) {
      int64_t j = g->adj_node[e];
      dg->adj[pos] = map[j];
      int64_t w = g->adj_len_cm[e];
      dg->adj_cost_cm[pos] = w > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)w;
      pos++;
      if (part[j] != rank) {
        int32_t q = nbr_of[part[j]];
        if (last[q] != l) {
          last[q] = l;
          dg->send_off[q + 1]++;
        }
      }
    }
    dg->adj_off[l + 1] = (int32_t)pos;
  }
  for (int32_t l = dg->n_owned; l < dg->n_local; l++)
    dg->adj_off[l + 1] = (int32_t)pos;
  for (int j = 0; j < n_nbr; j++)
    dg->send_off[j + 1] += dg->send_off[j];
  dg->send_idx = malloc(((size_t)dg->send_off[n_nbr] + 1) * sizeof *dg->send_idx);
  int32_t *fill = calloc((size_t)n_nbr + 1, sizeof *fill);
  if (!dg->send_idx || !fill) {
    free(nbr_of);
    free(last);
    free(fill);
    LC_FAIL(LC_ENOMEM, "dgraph: cannot allocate the send lists");
  }
  /* Owned nodes are visited in ascending global order, so each send list comes out in
   * ascending global order: the order of the receiving rank's ghost range. */
  for (int j = 0; j < n_nbr; j++)
    last[j] = -1;
  for (int32_t l = 0; l < dg->n_owned; l++) {
    for (int64_t e = dg->adj_off[l]; e < dg->adj_off[l + 1]; e++) {
      int32_t y = dg->adj[e];
      if (y < dg->n_owned)
        continue;
      int32_t q = dg->ghost_nbr[y - dg->n_owned];
      if (last[q] != l) {
        last[q] = l;
        dg->send_idx[dg->send_off[q] + fill[q]++] = l;
      }
    }
  }
  free(fill);
  free(last);
  free(nbr_of);
  return LC_OK;
}

int dgraph_build(const struct graph *g, const int32_t *part, MPI_Comm comm, struct dgraph *dg) {
  memset(dg, 0, sizeof *dg);
  dg->comm = MPI_COMM_NULL;
  int rc = LC_OK;
  if (MPI_Comm_rank(comm, &dg->rank) != MPI_SUCCESS ||
      MPI_Comm_size(comm, &dg->size) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "dgraph: cannot query the communicator");
  dg->n_global = g->n_nodes;
  int32_t *map = NULL;
  if (g->n_nodes > 0 && !g->adj_off) {
    rc = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                      "dgraph: the graph has no CSR adjacency (call graph_build_csr)");
  } else {
    map = lc_malloc_array(g->n_nodes, sizeof *map);
    if (!map)
      rc =
          lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                       "dgraph: cannot allocate the node map of %lld nodes", (long long)g->n_nodes);
    else
      rc = dgraph_build_local(g, part, dg, map);
  }
  free(map);
  rc = lc_agree(comm, rc);
  if (rc == LC_OK && MPI_Comm_dup(comm, &dg->comm) != MPI_SUCCESS) {
    dg->comm = MPI_COMM_NULL;
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "dgraph: MPI_Comm_dup failed");
  }
  if (rc != LC_OK) {
    dgraph_free(dg);
    return rc;
  }
  int64_t tot[2] = {dg->n_ghost, dg->send_off[dg->n_nbr]}, sum[2] = {0, 0};
  if (MPI_Allreduce(tot, sum, 2, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS) {
    dgraph_free(dg);
    LC_FAIL(LC_EMPI, "dgraph: MPI_Allreduce failed");
  }
  log_info("dgraph: %lld nodes on %d ranks, %lld ghosts in all (rank 0: %d owned, %d ghosts, "
           "%d neighbour ranks)",
           (long long)dg->n_global, dg->size, (long long)sum[0], (int)dg->n_owned, (int)dg->n_ghost,
           dg->n_nbr);
  return LC_OK;
}
