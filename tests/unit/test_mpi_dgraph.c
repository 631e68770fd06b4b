/* Tests of the distributed graph at 1-4 ranks: the owned sets partition the nodes, the ghosts
 * are exactly the off-rank neighbours, the local CSR is the graph's, and a halo exchange
 * delivers every ghost its owner's value. Checked against the replicated graph, which every
 * rank holds. */
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/graph.h"
#include "lifecircle/partition.h"
#include "lifecircle/status.h"

static uint64_t rng_state;
static int64_t rnd_in(int64_t n) { return lc_rnd_below(&rng_state, n); }

/* The value a halo test sends: derived from the global id, 24 bytes. */
struct halo_val {
  int64_t id;
  double half;
  int64_t neg;
};

static void check_dgraph(const struct graph *g, const int32_t *part) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  struct dgraph dg;
  CU_ASSERT_EQUAL_FATAL(dgraph_build(g, part, MPI_COMM_WORLD, &dg), LC_OK);
  int64_t n = g->n_nodes;

  /* Owned: exactly the nodes with part == rank, ascending. */
  int64_t mine = 0;
  for (int64_t i = 0; i < n; i++)
    if (part[i] == rank) {
      CU_ASSERT_FATAL(mine < dg.n_owned);
      CU_ASSERT_EQUAL(dg.global[mine], i);
      mine++;
    }
  CU_ASSERT_EQUAL(mine, dg.n_owned);
  /* Every node is owned exactly once over all ranks. */
  int *count = calloc((size_t)n, sizeof *count), *total = calloc((size_t)n, sizeof *total);
  for (int32_t l = 0; l < dg.n_owned; l++)
    count[dg.global[l]]++;
  MPI_Allreduce(count, total, (int)n, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  for (int64_t i = 0; i < n; i++)
    CU_ASSERT_EQUAL(total[i], 1);

  /* Ghosts: exactly the off-rank neighbours of owned nodes. */
  char *is_ghost = calloc((size_t)n, 1);
  for (int64_t i = 0; i < n; i++)
    if (part[i] == rank)
      for (int64_t e = g->adj_off[i]; e < g->adj_off[i + 1]; e++)
        if (part[g->adj_node[e]] != rank)
          is_ghost[g->adj_node[e]] = 1;
  int64_t n_ghost = 0;
  for (int64_t i = 0; i < n; i++) {
    n_ghost += is_ghost[i];
    int32_t l = dgraph_local(&dg, i);
    if (part[i] == rank)
      CU_ASSERT(l >= 0 && l < dg.n_owned && dg.global[l] == i);
    if (is_ghost[i]) {
      CU_ASSERT_FATAL(l >= dg.n_owned && l < dg.n_local);
      CU_ASSERT_EQUAL(dg.global[l], i);
      CU_ASSERT_EQUAL(dg.ghost_owner[l - dg.n_owned], part[i]);
      CU_ASSERT_EQUAL(dg.nbr[dg.ghost_nbr[l - dg.n_owned]], part[i]);
    }
    if (part[i] != rank && !is_ghost[i])
      CU_ASSERT_EQUAL(l, -1);
  }
  CU_ASSERT_EQUAL(n_ghost, dg.n_ghost);
  CU_ASSERT_EQUAL(dg.n_local, dg.n_owned + dg.n_ghost);

  /* The local CSR is the graph's adjacency in local indices, with the walking costs. */
  for (int32_t l = 0; l < dg.n_owned; l++) {
    int64_t i = dg.global[l];
    CU_ASSERT_EQUAL_FATAL(dg.adj_off[l + 1] - dg.adj_off[l], g->adj_off[i + 1] - g->adj_off[i]);
    for (int64_t t = 0; t < dg.adj_off[l + 1] - dg.adj_off[l]; t++) {
      CU_ASSERT_EQUAL(dg.global[dg.adj[dg.adj_off[l] + t]], g->adj_node[g->adj_off[i] + t]);
      CU_ASSERT_EQUAL(dg.adj_cost_cm[dg.adj_off[l] + t], g->adj_len_cm[g->adj_off[i] + t]);
    }
  }
  for (int32_t l = dg.n_owned; l < dg.n_local; l++)
    CU_ASSERT_EQUAL(dg.adj_off[l + 1], dg.adj_off[l]);
  CU_ASSERT(dg.n_nbr <= size - 1);

  /* Halo exchange of global ids (8 bytes) and of a 24-byte struct, twice with the same set-up:
   * every ghost gets its own global id. */
  for (int rep = 0; rep < 2; rep++) {
    int64_t *ids = malloc(((size_t)dg.n_local + 1) * sizeof *ids);
    struct halo_val *vals = malloc(((size_t)dg.n_local + 1) * sizeof *vals);
    for (int32_t l = 0; l < dg.n_local; l++) {
      ids[l] = l < dg.n_owned ? dg.global[l] : -7;
      vals[l] = l < dg.n_owned ? (struct halo_val){dg.global[l], 0.5 * (double)dg.global[l],
                                                   -dg.global[l] - rep}
                               : (struct halo_val){-1, -1.0, 1};
    }
    struct dgraph_halo h1, h2;
    CU_ASSERT_EQUAL_FATAL(dgraph_halo_begin(&dg, ids, sizeof *ids, &h1), LC_OK);
    CU_ASSERT_EQUAL_FATAL(dgraph_halo_begin(&dg, vals, sizeof *vals, &h2), LC_OK);
    CU_ASSERT_EQUAL(dgraph_halo_end(&h2), LC_OK);
    CU_ASSERT_EQUAL(dgraph_halo_end(&h1), LC_OK);
    for (int32_t l = dg.n_owned; l < dg.n_local; l++) {
      CU_ASSERT_EQUAL(ids[l], dg.global[l]);
      CU_ASSERT_EQUAL(vals[l].id, dg.global[l]);
      CU_ASSERT_DOUBLE_EQUAL(vals[l].half, 0.5 * (double)dg.global[l], 0.0);
      CU_ASSERT_EQUAL(vals[l].neg, -dg.global[l] - rep);
    }
    free(ids);
    free(vals);
  }
  free(is_ghost);
  free(count);
  free(total);
  dgraph_free(&dg);
}

static void test_dgraph_metis(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 99;
  for (int trial = 0; trial < 4; trial++) {
    struct graph g;
    int64_t n = 30 + rnd_in(500);
    lc_random_graph(&g, n, rnd_in(2 * n), 1, 1000, &rng_state);
    int32_t *part = malloc((size_t)n * sizeof *part);
    CU_ASSERT_EQUAL_FATAL(partition_build(&g, NULL, size, 7 + trial, MPI_COMM_WORLD, part), LC_OK);
    check_dgraph(&g, part);
    free(part);
    graph_free(&g);
  }
}

/* A random (scattered) partition: many ghosts and every rank a neighbour of every other. */
static void test_dgraph_random_part(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 4242;
  for (int trial = 0; trial < 4; trial++) {
    struct graph g;
    int64_t n = 10 + rnd_in(300);
    lc_random_graph(&g, n, rnd_in(n), 1, 1000, &rng_state);
    int32_t *part = malloc((size_t)n * sizeof *part);
    for (int64_t i = 0; i < n; i++)
      part[i] = (int32_t)rnd_in(size);
    check_dgraph(&g, part);
    free(part);
    graph_free(&g);
  }
}

/* A part id out of range is refused by every rank. */
static void test_dgraph_bad_part(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 5;
  struct graph g;
  lc_random_graph(&g, 20, 5, 1, 1000, &rng_state);
  int32_t part[20] = {0};
  part[13] = (int32_t)size;
  struct dgraph dg;
  CU_ASSERT_EQUAL(dgraph_build(&g, part, MPI_COMM_WORLD, &dg), LC_EPARAM);
  graph_free(&g);
}

/* A negative edge cost is refused by every rank, whichever owns the edge. */
static void test_dgraph_negative_cost(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 6;
  struct graph g;
  lc_random_graph(&g, 20, 5, 1, 1000, &rng_state);
  g.adj_len_cm[g.adj_off[7]] = -3;
  int32_t part[20];
  for (int i = 0; i < 20; i++)
    part[i] = i % size;
  struct dgraph dg;
  CU_ASSERT_EQUAL(dgraph_build(&g, part, MPI_COMM_WORLD, &dg), LC_EPARAM);
  graph_free(&g);
}

/* Costs above UINT32_MAX are stored as UINT32_MAX (never walked within a radius <=
 * INT32_MAX); the others as they are. */
static void test_dgraph_cost_saturates(void) {
  rng_state = 7;
  struct graph g;
  lc_random_graph(&g, 20, 5, 1, 1000, &rng_state);
  g.adj_len_cm[g.adj_off[4]] = (int64_t)1 << 40;
  g.adj_len_cm[g.adj_off[5]] = UINT32_MAX;
  int32_t part[20] = {0};
  struct dgraph dg;
  CU_ASSERT_EQUAL_FATAL(dgraph_build(&g, part, MPI_COMM_SELF, &dg), LC_OK);
  CU_ASSERT_EQUAL(dg.adj_cost_cm[dg.adj_off[4]], UINT32_MAX);
  CU_ASSERT_EQUAL(dg.adj_cost_cm[dg.adj_off[5]], UINT32_MAX);
  CU_ASSERT_EQUAL(dg.adj_cost_cm[dg.adj_off[6]], g.adj_len_cm[g.adj_off[6]]);
  dgraph_free(&dg);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("dgraph", NULL, NULL);
  if (!s || !CU_add_test(s, "METIS partition", test_dgraph_metis) ||
      !CU_add_test(s, "random partition", test_dgraph_random_part) ||
      !CU_add_test(s, "part id out of range", test_dgraph_bad_part) ||
      !CU_add_test(s, "negative edge cost", test_dgraph_negative_cost) ||
      !CU_add_test(s, "costs saturate at UINT32_MAX", test_dgraph_cost_saturates))
    return 1;
  return 0;
}
