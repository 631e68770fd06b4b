/* Tests of the accessibility kernel on one rank: tiny graphs with answers worked out by hand,
 * then the kernel against the serial reference on random graphs with several thread counts.
 * Every hand case is checked on both access_run and access_serial. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/access.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/graph.h"
#include "lifecircle/status.h"

/* Builds a graph of n nodes from (u, v, cost) triples, with its CSR. */
static void make_graph(struct graph *g, int64_t n, int64_t m, const int64_t (*e)[3]) {
  CU_ASSERT_EQUAL_FATAL(graph_alloc(g, n, m), LC_OK);
  for (int64_t i = 0; i < n; i++) {
    g->lon[i] = g->lat[i] = 0.0;
    g->osm_id[i] = i + 1;
  }
  for (int64_t i = 0; i < m; i++) {
    g->u[i] = e[i][0];
    g->v[i] = e[i][1];
    g->length_cm[i] = g->cost_cm[i] = e[i][2];
    g->way_id[i] = -1;
  }
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(g), LC_OK);
}

/* Runs the kernel on one rank (MPI_COMM_SELF). */
static int run_kernel(const struct graph *g, int n_cat, const struct access_sources *src,
                      const int64_t *radius, int k, struct access_result *res) {
  int32_t *part = calloc((size_t)g->n_nodes + 1, sizeof *part);
  struct dgraph dg;
  int rc = dgraph_build(g, part, MPI_COMM_SELF, &dg);
  free(part);
  if (rc != LC_OK)
    return rc;
  rc = access_run(&dg, n_cat, src, radius, k, res, MPI_COMM_SELF);
  dgraph_free(&dg);
  return rc;
}

/* Checks category 0 of both the kernel and the serial reference against the expected
 * lists: want_d/want_f hold n_nodes * k entries. */
static void expect(const struct graph *g, const struct access_sources *src, int64_t radius, int k,
                   const int64_t *want_d, const int64_t *want_f) {
  struct access_result a, s;
  CU_ASSERT_EQUAL_FATAL(run_kernel(g, 1, src, &radius, k, &a), LC_OK);
  CU_ASSERT_EQUAL_FATAL(access_serial(g, 1, src, &radius, k, &s), LC_OK);
  CU_ASSERT_EQUAL(a.n_nodes, g->n_nodes);
  for (int64_t i = 0; i < g->n_nodes * k; i++) {
    CU_ASSERT_EQUAL(access_get(&a.t[0], i).dist_cm, want_d[i]);
    CU_ASSERT_EQUAL(access_get(&a.t[0], i).fac, want_f[i]);
    CU_ASSERT_EQUAL(access_get(&s.t[0], i).dist_cm, want_d[i]);
    CU_ASSERT_EQUAL(access_get(&s.t[0], i).fac, want_f[i]);
  }
  access_result_free(&a);
  access_result_free(&s);
}

/* Path 0-1-2-3-4 with costs 10, 20, 30, 40 and an isolated node 5; facility 7 on node 0,
 * radius 60, k = 1. Distances: 0, 10, 30, 60 (= radius, kept), 100 (beyond), and none for
 * the isolated node. */
static void test_access_path(void) {
  const int64_t e[][3] = {{0, 1, 10}, {1, 2, 20}, {2, 3, 30}, {3, 4, 40}};
  struct graph g;
  make_graph(&g, 6, 4, e);
  int64_t node[] = {0}, fac[] = {7}, off[] = {0};
  struct access_sources src = {1, node, fac, off};
  int64_t wd[] = {0, 10, 30, 60, -1, -1}, wf[] = {7, 7, 7, 7, -1, -1};
  expect(&g, &src, 60, 1, wd, wf);
  graph_free(&g);
}

/* Star: centre 0, leaves 1..4 at costs 5, 6, 7, 8. Facility 3 on leaf 1, facility 9 on leaf
 * 4, radius 100, k = 2. From facility 3: node 0 at 5, node 2 at 5+6 = 11, node 3 at 5+7 = 12,
 * node 4 at 5+8 = 13. From facility 9: node 0 at 8, node 1 at 8+5 = 13, node 2 at 8+6 = 14,
 * node 3 at 8+7 = 15. */
static void test_access_star(void) {
  const int64_t e[][3] = {{0, 1, 5}, {0, 2, 6}, {0, 3, 7}, {0, 4, 8}};
  struct graph g;
  make_graph(&g, 5, 4, e);
  int64_t node[] = {1, 4}, fac[] = {3, 9}, off[] = {0, 0};
  struct access_sources src = {2, node, fac, off};
  int64_t wd[] = {5, 8, 0, 13, 11, 14, 12, 15, 0, 13};
  int64_t wf[] = {3, 9, 3, 9, 3, 9, 3, 9, 9, 3};
  expect(&g, &src, 100, 2, wd, wf);
  /* k = 1: the nearest only. */
  int64_t wd1[] = {5, 0, 11, 12, 0}, wf1[] = {3, 3, 3, 3, 9};
  expect(&g, &src, 100, 1, wd1, wf1);
  graph_free(&g);
}

/* Tie: path 0-1-2 with costs 10, 10; facility 5 on node 0 and facility 2 on node 2. Node 1
 * is 10 from both: the smaller id, 2, wins (k = 1), and comes first (k = 2). */
static void test_access_tie(void) {
  const int64_t e[][3] = {{0, 1, 10}, {1, 2, 10}};
  struct graph g;
  make_graph(&g, 3, 2, e);
  int64_t node[] = {0, 2}, fac[] = {5, 2}, off[] = {0, 0};
  struct access_sources src = {2, node, fac, off};
  int64_t wd[] = {0, 10, 0}, wf[] = {5, 2, 2};
  expect(&g, &src, 1000, 1, wd, wf);
  int64_t wd2[] = {0, 20, 10, 10, 0, 20}, wf2[] = {5, 2, 2, 5, 2, 5};
  expect(&g, &src, 1000, 2, wd2, wf2);
  graph_free(&g);
}

/* Radius and snap offsets. Path 0-1-2-3 with costs 100; facility 1 on node 0 with offset 50,
 * facility 4 on node 3 with offset 500 > radius 300 (never reachable). Facility 1 reaches
 * node 0 at 50, node 1 at 150, node 2 at 250, node 3 at 350 > 300 (none).
 * Second case: path 0-1-2 with costs 10, 10, facility 1 on node 0 with offset 25 and
 * facility 8 on node 2 with offset 0: at node 0, facility 8 (20) beats facility 1 (25)
 * because of the offset; at node 1, 8 (10) beats 1 (35). */
static void test_access_radius_offsets(void) {
  const int64_t e[][3] = {{0, 1, 100}, {1, 2, 100}, {2, 3, 100}};
  struct graph g;
  make_graph(&g, 4, 3, e);
  int64_t node[] = {0, 3}, fac[] = {1, 4}, off[] = {50, 500};
  struct access_sources src = {2, node, fac, off};
  int64_t wd[] = {50, 150, 250, -1}, wf[] = {1, 1, 1, -1};
  expect(&g, &src, 300, 1, wd, wf);
  graph_free(&g);

  const int64_t e2[][3] = {{0, 1, 10}, {1, 2, 10}};
  make_graph(&g, 3, 2, e2);
  int64_t node2[] = {0, 2}, fac2[] = {1, 8}, off2[] = {25, 0};
  struct access_sources src2 = {2, node2, fac2, off2};
  int64_t wd2[] = {20, 10, 0}, wf2[] = {8, 8, 8};
  expect(&g, &src2, 1000, 1, wd2, wf2);
  graph_free(&g);
}

/* k = 3 lists, a facility with two entrances and two facilities on one node. Path 0-1-2-3-4
 * with costs 10; radius 25. Facility 10 has entrances on node 0 (offset 0) and node 4
 * (offset 5); facilities 20 (offset 0) and 30 (offset 3) are both on node 2; facility 40 is
 * on node 4. Distances (min over entrances; '-' beyond 25):
 *   node:   0   1   2   3   4
 *   f10:    0  10  20  15   5   (node 2: min(20, 5+20); node 3: min(30, 5+10))
 *   f20:   20  10   0  10  20
 *   f30:   23  13   3  13  23
 *   f40:    -   -  20  10   0
 * k = 3, sorted by (distance, id):
 *   node 0: (0,10) (20,20) (23,30)
 *   node 1: (10,10) (10,20) (13,30)
 *   node 2: (0,20) (3,30) (20,10)      [(20,40) loses the tie to 10]
 *   node 3: (10,20) (10,40) (13,30)    [(15,10) is fourth]
 *   node 4: (0,40) (5,10) (20,20)
 * With k = 5 the lists are padded: node 0 has 3 entries, node 2 has 4. */
static void test_access_klist(void) {
  const int64_t e[][3] = {{0, 1, 10}, {1, 2, 10}, {2, 3, 10}, {3, 4, 10}};
  struct graph g;
  make_graph(&g, 5, 4, e);
  int64_t node[] = {0, 4, 2, 2, 4}, fac[] = {10, 10, 20, 30, 40}, off[] = {0, 5, 0, 3, 0};
  struct access_sources src = {5, node, fac, off};
  int64_t wd[] = {0, 20, 23, 10, 10, 13, 0, 3, 20, 10, 10, 13, 0, 5, 20};
  int64_t wf[] = {10, 20, 30, 10, 20, 30, 20, 30, 10, 20, 40, 30, 40, 10, 20};
  expect(&g, &src, 25, 3, wd, wf);
  int64_t wd5[] = {0,  20, 23, -1, -1, 10, 10, 13, -1, -1, 0,  3, 20,
                   20, -1, 10, 10, 13, 15, -1, 0,  5,  20, 23, -1};
  int64_t wf5[] = {10, 20, 30, -1, -1, 10, 20, 30, -1, -1, 20, 30, 10,
                   40, -1, 20, 40, 30, 10, -1, 40, 10, 20, 30, -1};
  expect(&g, &src, 25, 5, wd5, wf5);
  graph_free(&g);
}

/* Invalid arguments are refused with EPARAM. */
static void test_access_errors(void) {
  const int64_t e[][3] = {{0, 1, 10}};
  struct graph g;
  make_graph(&g, 2, 1, e);
  int64_t node[] = {5}, fac[] = {1}, off[] = {0}, radius = 100;
  struct access_sources src = {1, node, fac, off};
  struct access_result r;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  node[0] = 0;
  off[0] = -1;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  off[0] = 0;
  fac[0] = -3;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  fac[0] = 1;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 0, &r), LC_EPARAM);
  radius = -1;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  /* The result holds distances and facility ids in 32 bits: one above INT32_MAX is refused
   * by both the kernel and the reference, with the category named. */
  radius = (int64_t)INT32_MAX + 1;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "category 0"));
  CU_ASSERT_EQUAL(access_serial(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  radius = 100;
  fac[0] = (int64_t)INT32_MAX + 1;
  CU_ASSERT_EQUAL(run_kernel(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "category 0, source 0"));
  CU_ASSERT_EQUAL(access_serial(&g, 1, &src, &radius, 1, &r), LC_EPARAM);
  graph_free(&g);
}

/* The limits themselves are accepted: facility id INT32_MAX on node 0 of the edge 0-1
 * (cost 10), radius INT32_MAX: node 0 at 0, node 1 at 10, both to facility INT32_MAX. */
static void test_access_int32_limits(void) {
  const int64_t e[][3] = {{0, 1, 10}};
  struct graph g;
  make_graph(&g, 2, 1, e);
  int64_t node[] = {0}, fac[] = {INT32_MAX}, off[] = {0};
  struct access_sources src = {1, node, fac, off};
  int64_t wd[] = {0, 10}, wf[] = {INT32_MAX, INT32_MAX};
  expect(&g, &src, INT32_MAX, 1, wd, wf);
  graph_free(&g);
}

static uint64_t rng_state;
static int64_t rnd_in(int64_t n) { return lc_rnd_below(&rng_state, n); }

/* Random sources for n_cat categories; facility ids drawn from a small range so facilities
 * get several entrances and nodes several facilities. Arrays are allocated per category. */
static void random_sources(int64_t n, int n_cat, struct access_sources *src, int64_t *radius,
                           int64_t maxc) {
  for (int c = 0; c < n_cat; c++) {
    int64_t ns = 1 + rnd_in(20);
    int64_t *node = malloc((size_t)ns * sizeof *node);
    int64_t *fac = malloc((size_t)ns * sizeof *fac);
    int64_t *off = malloc((size_t)ns * sizeof *off);
    for (int64_t i = 0; i < ns; i++) {
      node[i] = rnd_in(n);
      fac[i] = 100 * c + rnd_in(15);
      off[i] = rnd_in(3) == 0 ? 0 : rnd_in(2 * maxc);
    }
    src[c] = (struct access_sources){ns, node, fac, off};
    /* Category 0 has the largest radius the result allows: unbounded on these graphs. */
    radius[c] = c == 0 ? INT32_MAX : maxc * (1 + rnd_in(12));
  }
}

static void free_sources(int n_cat, struct access_sources *src) {
  for (int c = 0; c < n_cat; c++) {
    free((void *)src[c].node);
    free((void *)src[c].fac);
    free((void *)src[c].offset_cm);
  }
}

static int same_result(const struct access_result *a, const struct access_result *b) {
  if (a->n_cat != b->n_cat || a->k != b->k || a->n_nodes != b->n_nodes)
    return 0;
  for (int c = 0; c < a->n_cat; c++)
    for (int64_t i = 0; i < a->n_nodes * a->k; i++)
      if (access_get(&a->t[c], i).dist_cm != access_get(&b->t[c], i).dist_cm ||
          access_get(&a->t[c], i).fac != access_get(&b->t[c], i).fac)
        return 0;
  return 1;
}

/* Kernel against the serial reference on random graphs, k = 1, 2, 4, with 1 to 4 threads.
 * The first 12 graphs have short edges (the kernel's labels are 32-bit words), the last 6
 * edges of up to 2 x 10^7 cm, so that the radius of category 0 (INT32_MAX, capped at the
 * longest path) needs 64-bit words; both layouts must occur. */
static void test_access_random(void) {
  rng_state = 12345;
  int saved = omp_get_max_threads();
  int seen[2] = {0, 0};
  for (int trial = 0; trial < 18; trial++) {
    struct graph g;
    int64_t n = 20 + rnd_in(400), maxc = trial < 12 ? 1 + rnd_in(30) : 10000000 + rnd_in(10000000);
    lc_random_graph(&g, n, rnd_in(n), 1, maxc, &rng_state);
    int n_cat = 1 + (int)rnd_in(6);
    struct access_sources src[8];
    int64_t radius[8];
    random_sources(n, n_cat, src, radius, maxc);
    int k = trial % 3 == 0 ? 1 : (trial % 3 == 1 ? 2 : 4);
    struct access_result s;
    CU_ASSERT_EQUAL_FATAL(access_serial(&g, n_cat, src, radius, k, &s), LC_OK);
    for (int t = 1; t <= 4; t++) {
      omp_set_num_threads(t);
      struct access_result a;
      CU_ASSERT_EQUAL_FATAL(run_kernel(&g, n_cat, src, radius, k, &a), LC_OK);
      CU_ASSERT(same_result(&a, &s));
      CU_ASSERT_EQUAL(a.rounds, 1); /* One rank: nothing to exchange. */
      for (int c = 0; c < n_cat; c++)
        seen[a.t[c].wide]++;
      access_result_free(&a);
    }
    access_result_free(&s);
    free_sources(n_cat, src);
    graph_free(&g);
  }
  CU_ASSERT(seen[0] > 0);
  CU_ASSERT(seen[1] > 0);
  omp_set_num_threads(saved);
}

/* The word layout at its boundaries, worked out by hand: 3 facilities need 2 index bits
 * (2^2 > 3; all ones, 3, is no index), so 32-bit words hold distances below 2^30; 4
 * facilities need 3 bits (distances below 2^29); 64-bit words hold distances below
 * 2^(63 - fbits). */
static void test_access_table_layout(void) {
  int fb = 0, wide = -1;
  CU_ASSERT_EQUAL(access_table_layout(((int64_t)1 << 30) - 1, 3, &fb, &wide), LC_OK);
  CU_ASSERT(fb == 2 && wide == 0);
  CU_ASSERT_EQUAL(access_table_layout((int64_t)1 << 30, 3, &fb, &wide), LC_OK);
  CU_ASSERT(fb == 2 && wide == 1);
  CU_ASSERT_EQUAL(access_table_layout(((int64_t)1 << 29) - 1, 4, &fb, &wide), LC_OK);
  CU_ASSERT(fb == 3 && wide == 0);
  CU_ASSERT_EQUAL(access_table_layout((int64_t)1 << 29, 4, &fb, &wide), LC_OK);
  CU_ASSERT(fb == 3 && wide == 1);
  CU_ASSERT_EQUAL(access_table_layout(0, 0, &fb, &wide), LC_OK);
  CU_ASSERT(fb == 1 && wide == 0);
  CU_ASSERT_EQUAL(access_table_layout(((int64_t)1 << 61) - 1, 3, &fb, &wide), LC_OK);
  CU_ASSERT(fb == 2 && wide == 1);
  CU_ASSERT_EQUAL(access_table_layout((int64_t)1 << 61, 3, &fb, &wide), LC_ETOOBIG);
}

/* Packing entries and reading them back, in both layouts, and comparing tables of different
 * layouts entry by entry. */
static void test_access_table_pack(void) {
  /* Two nodes, k = 2; facilities 7, 30 and 5 (2 index bits). */
  struct access_entry e[] = {{0, 30}, {12, 7}, {((int32_t)1 << 30) - 1, 5}, {-1, -1}};
  struct access_table t32, t64, u;
  CU_ASSERT_EQUAL_FATAL(access_table_pack(&t32, e, 4), LC_OK);
  CU_ASSERT_EQUAL(t32.wide, 0);
  CU_ASSERT_EQUAL(t32.n_fac, 3);
  CU_ASSERT(t32.fac_id[0] == 5 && t32.fac_id[1] == 7 && t32.fac_id[2] == 30);
  CU_ASSERT_EQUAL(((const uint32_t *)t32.word)[0], 2u);            /* 0 << 2 | index of 30 */
  CU_ASSERT_EQUAL(((const uint32_t *)t32.word)[1], 12u << 2 | 1u); /* index of 7 */
  CU_ASSERT_EQUAL(((const uint32_t *)t32.word)[3], UINT32_MAX);
  e[2].dist_cm = (int32_t)1 << 30; /* One more centimetre: 64-bit words. */
  CU_ASSERT_EQUAL_FATAL(access_table_pack(&t64, e, 4), LC_OK);
  CU_ASSERT_EQUAL(t64.wide, 1);
  CU_ASSERT_EQUAL(((const uint64_t *)t64.word)[3], UINT64_MAX);
  for (int i = 0; i < 4; i++) {
    struct access_entry a = access_get(&t32, i), b = access_get(&t64, i);
    CU_ASSERT_EQUAL(b.dist_cm, e[i].dist_cm);
    CU_ASSERT_EQUAL(b.fac, e[i].fac);
    CU_ASSERT_EQUAL(a.dist_cm, i == 2 ? e[i].dist_cm - 1 : e[i].dist_cm);
    CU_ASSERT_EQUAL(a.fac, e[i].fac);
  }
  struct access_entry row[2];
  access_row(&t64, 2, 1, row);
  CU_ASSERT(row[0].dist_cm == (int32_t)1 << 30 && row[0].fac == 5 && row[1].fac == -1);
  /* Different layouts: equal on the first two slots, not on slot 2. */
  CU_ASSERT(access_table_equal(&t32, &t64, 2));
  CU_ASSERT(!access_table_equal(&t32, &t64, 3));
  /* The same layout: the words decide; a table without facility 7 has other indices. */
  struct access_entry f[] = {{0, 30}, {12, 5}};
  CU_ASSERT_EQUAL_FATAL(access_table_pack(&u, f, 2), LC_OK);
  CU_ASSERT(!access_table_equal(&t32, &u, 2));
  CU_ASSERT(access_table_equal(&t32, &u, 1));
  access_table_free(&t32);
  access_table_free(&t64);
  access_table_free(&u);
  CU_ASSERT(t32.word == NULL && t32.fac_id == NULL);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("access", NULL, NULL);
  if (!s || !CU_add_test(s, "path", test_access_path) ||
      !CU_add_test(s, "star, k = 1 and 2", test_access_star) ||
      !CU_add_test(s, "tie broken by facility id", test_access_tie) ||
      !CU_add_test(s, "radius and snap offsets", test_access_radius_offsets) ||
      !CU_add_test(s, "k = 3 lists, entrances, shared node", test_access_klist) ||
      !CU_add_test(s, "invalid arguments", test_access_errors) ||
      !CU_add_test(s, "32-bit limits of the result", test_access_int32_limits) ||
      !CU_add_test(s, "random graphs vs serial, 1-4 threads", test_access_random) ||
      !CU_add_test(s, "table layout at its limits", test_access_table_layout) ||
      !CU_add_test(s, "table packing, both layouts", test_access_table_pack))
    return 1;
  return 0;
}
