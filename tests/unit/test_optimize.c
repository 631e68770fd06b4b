/* Tests of facility placement: the multi-source search and the cover sets against
 * access_serial (an independent Dijkstra), and the lazy greedy against brute force over all
 * k-subsets (equal for k = 1 and on hand-made instances where greedy is optimal; never below
 * (1 - 1/e) of the optimum on random instances) and against a plain, non-lazy greedy with
 * the same tie rule written here (identical picks). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/access.h"
#include "lifecircle/optimize.h"
#include "lifecircle/status.h"

/* A small deterministic generator for the random instances (xorshift64*). */
static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}
static int64_t rnd_in(int64_t lo, int64_t hi) {
  return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* A random connected graph: a random spanning tree plus extra edges. */
static void random_graph(struct graph *g, int64_t n, int64_t extra) {
  CU_ASSERT_FATAL(graph_alloc(g, n, n - 1 + extra) == LC_OK);
  for (int64_t i = 0; i < n; i++) {
    g->lon[i] = 121.4 + 0.0001 * (double)i;
    g->lat[i] = 31.2;
    g->osm_id[i] = i;
  }
  for (int64_t i = 1; i < n; i++) {
    g->u[i - 1] = i;
    g->v[i - 1] = rnd_in(0, i - 1);
  }
  for (int64_t e = n - 1; e < n - 1 + extra; e++) {
    g->u[e] = rnd_in(0, n - 1);
    g->v[e] = (g->u[e] + rnd_in(1, n - 1)) % n;
  }
  for (int64_t e = 0; e < g->n_edges; e++) {
    g->length_cm[e] = g->cost_cm[e] = rnd_in(100, 5000);
    g->way_id[e] = -1;
  }
  CU_ASSERT_FATAL(graph_build_csr(g) == LC_OK);
}

static void test_nearest(void) {
  rng_state = 12345;
  for (int trial = 0; trial < 5; trial++) {
    struct graph g;
    random_graph(&g, 80, 60);
    int64_t node[4], fac[4], off[4], radius = 9000;
    for (int s = 0; s < 4; s++) {
      node[s] = rnd_in(0, 79);
      fac[s] = s;
      off[s] = rnd_in(0, 300);
    }
    int64_t dist[80];
    CU_ASSERT_FATAL(optimize_nearest(&g, 4, node, off, radius, dist) == LC_OK);
    struct access_sources src = {4, node, fac, off};
    struct access_result ref;
    CU_ASSERT_FATAL(access_serial(&g, 1, &src, &radius, 1, &ref) == LC_OK);
    for (int x = 0; x < 80; x++)
      CU_ASSERT_EQUAL(dist[x], access_get(&ref.t[0], x).dist_cm);
    access_result_free(&ref);
    graph_free(&g);
  }
}

static void test_covers(void) {
  rng_state = 777;
  struct graph g;
  random_graph(&g, 60, 40);
  enum { NC = 9 };
  int64_t cn[NC], co[NC], fac[NC], radius = 6000;
  uint8_t relevant[60];
  for (int x = 0; x < 60; x++)
    relevant[x] = (uint8_t)(rnd() % 3 != 0);
  struct access_sources src[NC];
  int64_t radii[NC];
  for (int c = 0; c < NC; c++) {
    cn[c] = rnd_in(0, 59);
    co[c] = rnd_in(0, 500);
    fac[c] = 0;
    radii[c] = radius;
    src[c] = (struct access_sources){1, &cn[c], &fac[c], &co[c]};
  }
  /* One "category" per candidate: access_serial gives each candidate's distances. */
  struct access_result ref;
  CU_ASSERT_FATAL(access_serial(&g, NC, src, radii, 1, &ref) == LC_OK);
  for (int size = 1; size <= 3; size++)
    for (int rank = 0; rank < size; rank++) {
      struct optimize_cover cov;
      CU_ASSERT_FATAL(optimize_covers(&g, NC, cn, co, radius, relevant, rank, size, &cov) == LC_OK);
      int64_t expect_n = 0;
      for (int c = rank; c < NC; c += size)
        expect_n++;
      CU_ASSERT_EQUAL(cov.n, expect_n);
      for (int64_t j = 0; j < cov.n; j++) {
        int64_t c = cov.cand_id[j];
        CU_ASSERT_EQUAL(c, rank + j * size);
        int64_t want = 0;
        for (int x = 0; x < 60; x++)
          want += relevant[x] && access_get(&ref.t[c], x).dist_cm >= 0;
        CU_ASSERT_EQUAL(cov.off[j + 1] - cov.off[j], want);
        for (int64_t e = cov.off[j]; e < cov.off[j + 1]; e++) {
          CU_ASSERT(relevant[cov.node[e]]);
          CU_ASSERT_EQUAL(cov.dist_cm[e], access_get(&ref.t[c], cov.node[e]).dist_cm);
        }
      }
      optimize_cover_free(&cov);
    }
  access_result_free(&ref);
  graph_free(&g);
}

/* A covering instance given directly by cover sets. */
struct inst {
  int n_nodes, G, n_cand;
  int64_t weight[64 * 3];
  int64_t limit[3];
  struct optimize_cover cov;
};

static void inst_random(struct inst *in, int n_nodes, int G, int n_cand) {
  in->n_nodes = n_nodes;
  in->G = G;
  in->n_cand = n_cand;
  for (int i = 0; i < n_nodes * G; i++)
    in->weight[i] = rnd() % 4 == 0 ? 0 : rnd_in(1, 30);
  for (int g = 0; g < G; g++)
    in->limit[g] = rnd_in(30, 100);
  struct optimize_cover *c = &in->cov;
  c->n = n_cand;
  c->cand_id = malloc((size_t)n_cand * sizeof *c->cand_id);
  c->off = malloc((size_t)(n_cand + 1) * sizeof *c->off);
  c->node = malloc((size_t)(n_cand * n_nodes) * sizeof *c->node);
  c->dist_cm = malloc((size_t)(n_cand * n_nodes) * sizeof *c->dist_cm);
  int64_t at = 0;
  for (int j = 0; j < n_cand; j++) {
    c->cand_id[j] = j;
    c->off[j] = at;
    for (int x = 0; x < n_nodes; x++)
      if (rnd() % 3 == 0) {
        c->node[at] = x;
        c->dist_cm[at++] = rnd_in(0, 120);
      }
  }
  c->off[n_cand] = at;
}

/* Value of a set of candidates: the weight of the (node, group) pairs any of them covers. */
static int64_t value(const struct inst *in, const int *set, int k) {
  uint8_t cov[64 * 3];
  memset(cov, 0, sizeof cov);
  for (int s = 0; s < k; s++) {
    int j = set[s];
    for (int64_t e = in->cov.off[j]; e < in->cov.off[j + 1]; e++)
      for (int g = 0; g < in->G; g++)
        if (in->cov.dist_cm[e] <= in->limit[g])
          cov[in->cov.node[e] * in->G + g] = 1;
  }
  int64_t v = 0;
  for (int i = 0; i < in->n_nodes * in->G; i++)
    v += cov[i] ? in->weight[i] : 0;
  return v;
}

/* Best value over all k-subsets (k <= n_cand). */
static int64_t brute(const struct inst *in, int k) {
  int set[8];
  for (int i = 0; i < k; i++)
    set[i] = i;
  int64_t best = 0;
  for (;;) {
    int64_t v = value(in, set, k);
    best = v > best ? v : best;
    int i = k - 1;
    while (i >= 0 && set[i] == in->n_cand - k + i)
      i--;
    if (i < 0)
      break;
    set[i]++;
    for (int j = i + 1; j < k; j++)
      set[j] = set[j - 1] + 1;
  }
  return best;
}

/* Plain greedy: every step evaluates every candidate; ties to the lower id; stops at 0. */
static int plain_greedy(const struct inst *in, int k, int *pick) {
  int n = 0;
  for (int step = 0; step < k; step++) {
    int64_t base = value(in, pick, n), best = 0;
    int arg = -1;
    for (int j = 0; j < in->n_cand; j++) {
      int used = 0;
      for (int s = 0; s < n; s++)
        used |= pick[s] == j;
      if (used)
        continue;
      pick[n] = j;
      int64_t gain = value(in, pick, n + 1) - base;
      if (gain > best) {
        best = gain;
        arg = j;
      }
    }
    if (arg < 0)
      break;
    pick[n++] = arg;
  }
  return n;
}

static void test_greedy_random(void) {
  rng_state = 2024;
  double worst_ratio = 1.0;
  for (int trial = 0; trial < 200; trial++) {
    struct inst in;
    memset(&in, 0, sizeof in);
    inst_random(&in, (int)rnd_in(5, 20), (int)rnd_in(1, 3), (int)rnd_in(3, 9));
    int k = (int)rnd_in(1, in.n_cand < 4 ? in.n_cand : 4);
    int64_t pick[8], gain[8];
    int np = 0;
    CU_ASSERT_FATAL(optimize_greedy(in.n_nodes, in.G, in.weight, in.limit, &in.cov, k,
                                    MPI_COMM_SELF, pick, gain, &np) == LC_OK);
    int set[8], total = 0;
    int64_t sum = 0;
    for (int i = 0; i < np; i++) {
      set[i] = (int)pick[i];
      sum += gain[i];
      /* Each gain is the marginal value of the pick. */
      CU_ASSERT_EQUAL(gain[i], value(&in, set, i + 1) - value(&in, set, i));
      CU_ASSERT(gain[i] > 0);
    }
    total = (int)value(&in, set, np);
    CU_ASSERT_EQUAL(sum, total);
    int64_t opt = brute(&in, k);
    CU_ASSERT(total <= opt);
    CU_ASSERT((double)total >= (1.0 - 1.0 / exp(1.0)) * (double)opt - 1e-9);
    if (opt > 0 && (double)total / (double)opt < worst_ratio)
      worst_ratio = (double)total / (double)opt;
    if (k == 1)
      CU_ASSERT_EQUAL(total, opt);
    /* The lazy evaluation picks exactly what the plain greedy picks. */
    int plain[8];
    int pn = plain_greedy(&in, k, plain);
    CU_ASSERT_EQUAL(pn, np);
    for (int i = 0; i < pn && i < np; i++)
      CU_ASSERT_EQUAL(plain[i], pick[i]);
    optimize_cover_free(&in.cov);
  }
  CU_ASSERT(worst_ratio >= 1.0 - 1.0 / exp(1.0));
}

/* Hand-made: three disjoint clusters of residents, candidates covering one cluster each or
 * straddling two; greedy (and the optimum) takes the three cluster candidates. Weights
 * 10, 20, 30 on nodes 0-1, 2-3, 4-5 (one group). */
static void test_greedy_hand(void) {
  struct inst in;
  memset(&in, 0, sizeof in);
  in.n_nodes = 6;
  in.G = 1;
  in.n_cand = 5;
  in.limit[0] = 100;
  static const int64_t w[6] = {10, 10, 20, 20, 30, 30};
  memcpy(in.weight, w, sizeof w);
  /* Candidates: 0 covers {0,1}; 1 covers {2,3}; 2 covers {4,5}; 3 covers {1,2} and 4 at
   * 150 cm (beyond the limit: not covered); 4 covers {3,4}. */
  static int64_t off[6] = {0, 2, 4, 6, 9, 11};
  static int64_t node[11] = {0, 1, 2, 3, 4, 5, 1, 2, 4, 3, 4};
  static int64_t dist[11] = {0, 50, 10, 100, 0, 99, 5, 5, 150, 0, 0};
  static int64_t ids[5] = {0, 1, 2, 3, 4};
  in.cov = (struct optimize_cover){5, ids, off, node, dist};
  int64_t pick[3], gain[3];
  int np;
  CU_ASSERT_FATAL(optimize_greedy(6, 1, in.weight, in.limit, &in.cov, 3, MPI_COMM_SELF, pick, gain,
                                  &np) == LC_OK);
  CU_ASSERT_EQUAL(np, 3);
  /* Step 1: candidate 2 (60) beats 4 (50). Step 2: 1 (40) beats 3 (30) and 4 (20). Step 3:
   * 0 (20) beats 3 (10). */
  CU_ASSERT_EQUAL(pick[0], 2);
  CU_ASSERT_EQUAL(gain[0], 60);
  CU_ASSERT_EQUAL(pick[1], 1);
  CU_ASSERT_EQUAL(gain[1], 40);
  CU_ASSERT_EQUAL(pick[2], 0);
  CU_ASSERT_EQUAL(gain[2], 20);
  CU_ASSERT_EQUAL(brute(&in, 3), 120);
  /* Asked for more than can gain: stops after the three. */
  int64_t p5[5], g5[5];
  CU_ASSERT_FATAL(
      optimize_greedy(6, 1, in.weight, in.limit, &in.cov, 5, MPI_COMM_SELF, p5, g5, &np) == LC_OK);
  CU_ASSERT_EQUAL(np, 3);
  /* Ties go to the lower id: with equal weights, candidates 0 and 1 gain the same. */
  static const int64_t flat[6] = {1, 1, 1, 1, 0, 0};
  memcpy(in.weight, flat, sizeof flat);
  CU_ASSERT_FATAL(optimize_greedy(6, 1, in.weight, in.limit, &in.cov, 1, MPI_COMM_SELF, pick, gain,
                                  &np) == LC_OK);
  CU_ASSERT_EQUAL(pick[0], 0);
  CU_ASSERT_EQUAL(gain[0], 2);
  CU_ASSERT_EQUAL(
      optimize_greedy(6, 1, in.weight, in.limit, &in.cov, 0, MPI_COMM_SELF, pick, gain, &np),
      LC_EPARAM);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("optimize", NULL, NULL);
  if (!s)
    return 1;
  if (!CU_add_test(s, "nearest against access_serial", test_nearest) ||
      !CU_add_test(s, "cover sets against access_serial", test_covers) ||
      !CU_add_test(s, "greedy against brute force and plain greedy", test_greedy_random) ||
      !CU_add_test(s, "greedy on a hand-made instance", test_greedy_hand))
    return 1;
  return 0;
}
