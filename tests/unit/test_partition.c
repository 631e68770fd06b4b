/* Tests of the METIS partition on a grid: ids in range, parts non-empty and balanced, the
 * same seed gives the same parts, vertex weights are balanced, bad arguments refused. */
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/graph.h"
#include "lifecircle/partition.h"
#include "lifecircle/status.h"

/* A w x h grid graph with unit costs, plus one repeated edge and one self-loop (which the
 * partition must tolerate). */
static void grid(struct graph *g, int w, int h) {
  int64_t n = (int64_t)w * h, m = (int64_t)(w - 1) * h + (int64_t)w * (h - 1) + 2, e = 0;
  CU_ASSERT_EQUAL_FATAL(graph_alloc(g, n, m), LC_OK);
  for (int64_t i = 0; i < n; i++) {
    g->lon[i] = (double)(i % w);
    g->lat[i] = (double)(i / w);
    g->osm_id[i] = i;
  }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int64_t i = (int64_t)y * w + x;
      if (x + 1 < w) {
        g->u[e] = i;
        g->v[e++] = i + 1;
      }
      if (y + 1 < h) {
        g->u[e] = i;
        g->v[e++] = i + w;
      }
    }
  g->u[e] = 0;
  g->v[e++] = 1;
  g->u[e] = 5;
  g->v[e++] = 5;
  for (int64_t i = 0; i < m; i++) {
    g->length_cm[i] = g->cost_cm[i] = 100;
    g->way_id[i] = -1;
  }
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(g), LC_OK);
}

/* Number of grid edges whose ends lie in different parts. */
static int64_t cut(const struct graph *g, const int32_t *part) {
  int64_t c = 0;
  for (int64_t e = 0; e < g->n_edges; e++)
    c += part[g->u[e]] != part[g->v[e]];
  return c;
}

static void test_partition_grid(void) {
  struct graph g;
  grid(&g, 20, 20);
  int32_t part[400], again[400];
  for (int nparts = 1; nparts <= 8; nparts++) {
    CU_ASSERT_EQUAL_FATAL(partition_build(&g, NULL, nparts, 3, MPI_COMM_SELF, part), LC_OK);
    int64_t cnt[8] = {0};
    for (int i = 0; i < 400; i++) {
      CU_ASSERT_FATAL(part[i] >= 0 && part[i] < nparts);
      cnt[part[i]]++;
    }
    for (int p = 0; p < nparts; p++) {
      CU_ASSERT(cnt[p] > 0);
      /* METIS's default imbalance for k-way is 3%; allow a little more for rounding. */
      CU_ASSERT(cnt[p] <= 400 * 1.06 / nparts + 1);
    }
    /* A 20 x 20 grid cut into strips costs 20 edges per cut; METIS must do no worse than
     * twice that. */
    CU_ASSERT(cut(&g, part) <= 2 * 20 * (nparts - 1) + 2);
    CU_ASSERT_EQUAL_FATAL(partition_build(&g, NULL, nparts, 3, MPI_COMM_SELF, again), LC_OK);
    CU_ASSERT_EQUAL(memcmp(part, again, sizeof part), 0);
  }
  graph_free(&g);
}

/* Heavy nodes on one side of the grid: parts balance the weight, not the node count. */
static void test_partition_weights(void) {
  struct graph g;
  grid(&g, 20, 20);
  int64_t w[400];
  int64_t total = 0;
  for (int i = 0; i < 400; i++) {
    w[i] = (i % 20) < 10 ? 9 : 0; /* METIS sees 1 + w: 10 or 1. */
    total += 1 + w[i];
  }
  int32_t part[400];
  CU_ASSERT_EQUAL_FATAL(partition_build(&g, w, 4, 1, MPI_COMM_SELF, part), LC_OK);
  int64_t pw[4] = {0}, pn[4] = {0};
  for (int i = 0; i < 400; i++) {
    pw[part[i]] += 1 + w[i];
    pn[part[i]]++;
  }
  int64_t maxn = 0;
  for (int p = 0; p < 4; p++) {
    CU_ASSERT(pw[p] <= total / 4 * 1.10);
    if (pn[p] > maxn)
      maxn = pn[p];
  }
  /* Unweighted balance would give 100 nodes per part; by weight (2,200 in all, 550 per
   * part) the light half (200 nodes, weight 200) fits in one part with some heavy nodes. */
  CU_ASSERT(maxn > 150);
  /* Weights beyond METIS's range are scaled, not refused. */
  for (int i = 0; i < 400; i++)
    w[i] = (int64_t)1 << 40;
  CU_ASSERT_EQUAL(partition_build(&g, w, 4, 1, MPI_COMM_SELF, part), LC_OK);
  graph_free(&g);
}

static void test_partition_errors(void) {
  struct graph g;
  grid(&g, 4, 4);
  int32_t part[16];
  int64_t w[16] = {0};
  w[7] = -2;
  CU_ASSERT_EQUAL(partition_build(&g, w, 2, 1, MPI_COMM_SELF, part), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "node 7"));
  CU_ASSERT_EQUAL(partition_build(&g, NULL, 0, 1, MPI_COMM_SELF, part), LC_EPARAM);
  free(g.adj_off);
  g.adj_off = NULL;
  CU_ASSERT_EQUAL(partition_build(&g, NULL, 2, 1, MPI_COMM_SELF, part), LC_EPARAM);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("partition", NULL, NULL);
  if (!s || !CU_add_test(s, "grid, 1-8 parts", test_partition_grid) ||
      !CU_add_test(s, "vertex weights", test_partition_weights) ||
      !CU_add_test(s, "bad arguments", test_partition_errors))
    return 1;
  return 0;
}
