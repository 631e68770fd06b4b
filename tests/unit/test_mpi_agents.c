/* The agent simulation at 1-4 ranks: an agent crossing partitions arrives when a hand
 * computation says (the same as on one rank); on a random city with queues, closing hours,
 * redirects and failures, partitioned at random so that agents migrate all the time, the
 * trips, FacilityLoad and RealisedCoverage equal those of a one-rank run computed in the same
 * process on MPI_COMM_SELF, field by field; every planned activity gives exactly one trip
 * (conservation), and every trip served without redirect walked exactly the shortest-path
 * distance to its facility (an independent Dijkstra in this file). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "agents_world.h"

static int rank_, size_;

/* Path of 8 nodes, 100 m apart; node i belongs to rank (i / 2) mod size, so with 4 ranks the
 * walk from node 0 to node 7 crosses four partitions. One adult at node 0 leaves at 08:00 for
 * the only shop at node 7 (snap 5 m): 705 m at 1.0 m/s, arrival 28,800 + 705 s. */
static void test_cross_partitions(void) {
  struct world w;
  world_init(&w, "agents/one_shop.yml", NULL);
  world_path(&w, 8, 10000);
  world_population(&w, 0);
  world_residents(&w, 0, "adult", 1);
  world_facility(&w, "shop", 7, 500, -1, NULL, NULL);
  int32_t part[8];
  for (int i = 0; i < 8; i++)
    part[i] = (i / 2) % size_;
  CU_ASSERT_EQUAL_FATAL(world_run(&w, MPI_COMM_WORLD, part, 4), LC_OK);
  int64_t n;
  struct agents_trip *t = world_trips(&w, MPI_COMM_WORLD, &n);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_EQUAL(t[0].arrive_s, 28800 + 705);
  CU_ASSERT_EQUAL(t[0].walk_cm, 70500);
  CU_ASSERT_EQUAL(t[0].outcome, AGENTS_SERVED);
  /* There and back when the shop's rank is not the home's. */
  CU_ASSERT_EQUAL(w.out.stats.migrations, part[7] != part[0] ? 2 : 0);
  free(t);
  world_free(&w);
}

static uint64_t rs;
static uint64_t rnd(void) { return lc_rnd(&rs); }

/* A random connected city (the same on every rank for the same seed): a random tree plus
 * extra edges of 20-150 m, facilities with few seats, residents of every group. */
static void random_city(struct world *w, const char *extra, uint64_t seed) {
  rs = seed;
  world_init(w, "agents/mixed.yml", extra);
  int64_t n = 300, m = n - 1 + 150;
  CU_ASSERT_EQUAL_FATAL(graph_alloc(&w->g, n, m), LC_OK);
  for (int64_t i = 0; i < n; i++) {
    w->g.lon[i] = 121.4 + 1e-4 * (double)(rnd() % 1000);
    w->g.lat[i] = 31.2 + 1e-4 * (double)(rnd() % 1000);
    w->g.osm_id[i] = i;
  }
  for (int64_t i = 0; i < m; i++) {
    w->g.u[i] = i < n - 1 ? i + 1 : (int64_t)(rnd() % (uint64_t)n);
    w->g.v[i] = i < n - 1 ? (int64_t)(rnd() % (uint64_t)(i + 1)) : (int64_t)(rnd() % (uint64_t)n);
    w->g.length_cm[i] = w->g.cost_cm[i] = 2000 + (int64_t)(rnd() % 13000);
    w->g.way_id[i] = -1;
  }
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(&w->g), LC_OK);
  world_population(w, 1);
  static const char *const groups[4] = {"child", "pupil", "adult", "elderly"};
  for (int64_t i = 0; i < n; i++)
    for (int g = 0; g < 4; g++)
      world_residents(w, i, groups[g], (int64_t)(rnd() % (g == 2 ? 5 : 3)));
  static const char *const cats[4] = {"shop", "clinic", "park", "school"};
  static const int count[4] = {8, 5, 4, 2};
  for (int c = 0; c < 4; c++)
    for (int j = 0; j < count[c]; j++) {
      int64_t node = (int64_t)(rnd() % (uint64_t)n);
      int64_t snap = (int64_t)(rnd() % 3) * 700;
      int cap = c == 0 ? 1 + (int)(rnd() % 2) : c == 1 ? 1 : -1;
      const char *close = c == 1 && j % 2 ? "09:00" : NULL;
      world_facility(w, cats[c], node, snap, cap, NULL, close);
    }
}

/* Shortest walking distance from `src` to every node (Dijkstra with a binary heap). */
static void dijkstra(const struct graph *g, int64_t src, int64_t *d) {
  int64_t n = g->n_nodes;
  int64_t *heap = malloc((size_t)(g->n_edges * 2 + n + 1) * 2 * sizeof *heap);
  int64_t hn = 0;
  for (int64_t i = 0; i < n; i++)
    d[i] = INT64_MAX;
  d[src] = 0;
  heap[0] = 0;
  heap[1] = src;
  hn = 1;
  while (hn > 0) {
    int64_t dv = heap[0], v = heap[1];
    hn--;
    heap[0] = heap[2 * hn];
    heap[1] = heap[2 * hn + 1];
    for (int64_t i = 0;;) {
      int64_t l = 2 * i + 1, r = l + 1, s = i;
      if (l < hn && heap[2 * l] < heap[2 * s])
        s = l;
      if (r < hn && heap[2 * r] < heap[2 * s])
        s = r;
      if (s == i)
        break;
      int64_t a = heap[2 * i], b = heap[2 * i + 1];
      heap[2 * i] = heap[2 * s];
      heap[2 * i + 1] = heap[2 * s + 1];
      heap[2 * s] = a;
      heap[2 * s + 1] = b;
      i = s;
    }
    if (dv > d[v])
      continue;
    for (int64_t e = g->adj_off[v]; e < g->adj_off[v + 1]; e++) {
      int64_t u = g->adj_node[e], nd = dv + g->adj_len_cm[e];
      if (nd < d[u]) {
        d[u] = nd;
        int64_t i = hn++;
        heap[2 * i] = nd;
        heap[2 * i + 1] = u;
        while (i > 0 && heap[2 * ((i - 1) / 2)] > heap[2 * i]) {
          int64_t p = (i - 1) / 2, a = heap[2 * i], b = heap[2 * i + 1];
          heap[2 * i] = heap[2 * p];
          heap[2 * i + 1] = heap[2 * p + 1];
          heap[2 * p] = a;
          heap[2 * p + 1] = b;
          i = p;
        }
      }
    }
  }
  free(heap);
}

static int trips_equal(const struct agents_trip *a, const struct agents_trip *b) {
  return a->agent == b->agent && a->origin == b->origin && a->fac == b->fac &&
         a->depart_s == b->depart_s && a->arrive_s == b->arrive_s && a->wait_s == b->wait_s &&
         a->walk_cm == b->walk_cm && a->end_s == b->end_s && a->group == b->group &&
         a->cat == b->cat && a->outcome == b->outcome && a->index == b->index &&
         a->reason == b->reason;
}

static void same_as_one_rank(const char *extra, uint64_t seed) {
  struct world w, ref;
  random_city(&w, extra, seed);
  random_city(&ref, extra, seed);
  int64_t n = w.g.n_nodes;
  int32_t *part = malloc((size_t)n * sizeof *part);
  rs = seed ^ 0xabcdefULL;
  for (int64_t i = 0; i < n; i++)
    part[i] = (int32_t)(rnd() % (uint64_t)size_);
  CU_ASSERT_EQUAL_FATAL(world_run(&w, MPI_COMM_WORLD, part, 4), LC_OK);
  CU_ASSERT_EQUAL_FATAL(world_run(&ref, MPI_COMM_SELF, NULL, 4), LC_OK);
  int64_t nt, nr;
  struct agents_trip *t = world_trips(&w, MPI_COMM_WORLD, &nt);
  struct agents_trip *r = world_trips(&ref, MPI_COMM_SELF, &nr);
  CU_ASSERT_EQUAL_FATAL(nt, nr);
  int64_t diff = 0;
  for (int64_t i = 0; i < nt; i++)
    diff += !trips_equal(&t[i], &r[i]);
  CU_ASSERT_EQUAL(diff, 0);
  /* The run exercises every outcome. */
  for (int o = 0; o < 4; o++)
    CU_ASSERT(ref.out.stats.outcome[o] > 0 || (o == AGENTS_REDIRECTED && ref.cfg.max_tries == 1));
  if (size_ > 1)
    CU_ASSERT(w.out.stats.migrations > 0);
  CU_ASSERT_EQUAL(w.out.stats.violations, 0);
  CU_ASSERT_EQUAL(w.out.stats.windows, ref.out.stats.windows);
  size_t cells = (size_t)w.out.n_rows * (size_t)w.out.n_cat * (size_t)w.out.n_group;
  CU_ASSERT_EQUAL(memcmp(w.out.needed, ref.out.needed, cells * sizeof(int64_t)), 0);
  CU_ASSERT_EQUAL(memcmp(w.out.covered, ref.out.covered, cells * sizeof(int64_t)), 0);
  CU_ASSERT_EQUAL(memcmp(w.out.late, ref.out.late, cells * sizeof(int64_t)), 0);
  CU_ASSERT_EQUAL(memcmp(w.out.unmet, ref.out.unmet, AGENTS_N_UNMET * cells * sizeof(int64_t)), 0);
  if (rank_ == 0) {
    size_t ld = (size_t)AGENTS_LOAD * (size_t)w.out.n_fac * (size_t)w.out.n_bins;
    CU_ASSERT_EQUAL(memcmp(w.out.load, ref.out.load, ld * sizeof(int64_t)), 0);
    /* Persons turned away never exceed arrivals or attempts, bin by bin. */
    size_t fb = (size_t)w.out.n_fac * (size_t)w.out.n_bins;
    int64_t over = 0, refused = 0;
    for (size_t k = 0; k < fb; k++) {
      over +=
          w.out.load[3 * fb + k] > w.out.load[k] || w.out.load[3 * fb + k] > w.out.load[4 * fb + k];
      refused += w.out.load[3 * fb + k];
    }
    CU_ASSERT_EQUAL(over, 0);
    CU_ASSERT(refused > 0);
  }
  /* need = served in time + served late + unmet (by reason), cell by cell; and every reason
   * recounted from the trips (one agent per resident): each (agent, category) is unmet by
   * its first trip not served. */
  int64_t bad_sum = 0;
  for (size_t k = 0; k < cells; k++) {
    int64_t sum = ref.out.covered[k] + ref.out.late[k];
    for (int u = 0; u < AGENTS_N_UNMET; u++)
      sum += ref.out.unmet[u * cells + k];
    bad_sum += sum != ref.out.needed[k];
  }
  CU_ASSERT_EQUAL(bad_sum, 0);
  if (w.cfg.sens_enabled) {
    /* The design reruns: identical for any rank count, and the central run's counts are
     * not changed by them. */
    int64_t *keep = malloc(cells * sizeof *keep);
    memcpy(keep, w.out.covered, cells * sizeof *keep);
    CU_ASSERT_EQUAL_FATAL(agents_run_design(&w.in, MPI_COMM_WORLD, &w.out), LC_OK);
    CU_ASSERT_EQUAL_FATAL(agents_run_design(&ref.in, MPI_COMM_SELF, &ref.out), LC_OK);
    CU_ASSERT_EQUAL_FATAL(w.out.n_design, w.cfg.n_design);
    size_t dn = (size_t)w.out.n_design * cells * sizeof(int64_t);
    CU_ASSERT_EQUAL(memcmp(w.out.design_needed, ref.out.design_needed, dn), 0);
    CU_ASSERT_EQUAL(memcmp(w.out.design_covered, ref.out.design_covered, dn), 0);
    CU_ASSERT_EQUAL(memcmp(w.out.design_unmet, ref.out.design_unmet, dn), 0);
    CU_ASSERT_EQUAL(memcmp(keep, w.out.covered, cells * sizeof *keep), 0);
    /* Capacity x0.5 (point 0) and x2 (point 1) change something in this congested city. */
    CU_ASSERT(memcmp(w.out.design_unmet, w.out.design_unmet + cells, cells * sizeof(int64_t)) != 0);
    free(keep);
  }
  /* Conservation: each agent (one per resident, numbered over nodes then groups) has
   * exactly one trip per planned activity, in order, from its home. */
  int64_t a = 0, i = 0, bad = 0;
  for (int64_t v = 0; v < n; v++)
    for (int g = 0; g < 4; g++)
      for (int64_t x = 0; x < ref.pop.by_group[v * 4 + g]; x++, a++) {
        struct agents_slot sl[AGENTS_MAX_ACTIVITIES];
        int planned = agents_plan_day(&ref.cfg, ref.in.seed, a, g, sl);
        int k = 0;
        while (i < nr && r[i].agent == a) {
          bad += r[i].index != k || r[i].origin != v || r[i].group != g;
          i++;
          k++;
        }
        bad += k != planned;
      }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(i, nr);
  CU_ASSERT_EQUAL(a, ref.out.stats.agents);
  /* Walking distances: trips served without redirect walked the shortest path from home to
   * the facility's node plus its snap; where that facility is the nearest of its category
   * (ties to the lower row), that is the static nearest distance. */
  int64_t *d = malloc((size_t)n * sizeof *d);
  int64_t checked = 0, nearest = 0, wrong = 0, last = -1;
  for (int64_t j = 0; j < nr; j++) {
    if (r[j].outcome == AGENTS_REDIRECTED || r[j].fac < 0 ||
        (r[j].outcome == AGENTS_FAILED && r[j].walk_cm == 0))
      continue;
    if (r[j].outcome == AGENTS_FAILED && ref.cfg.max_tries > 1)
      continue;
    if (r[j].origin != last) {
      dijkstra(&ref.g, r[j].origin, d);
      last = r[j].origin;
    }
    int64_t f = r[j].fac;
    wrong += r[j].walk_cm != d[ref.fac.node[f]] + ref.fac.snap_cm[f];
    int64_t best = INT64_MAX, bf = -1;
    for (int64_t x = 0; x < ref.fac.n; x++)
      if (ref.fac.category[x] == r[j].cat && d[ref.fac.node[x]] + ref.fac.snap_cm[x] < best) {
        best = d[ref.fac.node[x]] + ref.fac.snap_cm[x];
        bf = x;
      }
    if (bf == f) {
      wrong += r[j].walk_cm != best;
      nearest++;
    }
    checked++;
  }
  CU_ASSERT_EQUAL(wrong, 0);
  CU_ASSERT(checked > 100);
  CU_ASSERT(nearest > 50);
  free(d);
  free(t);
  free(r);
  free(part);
  world_free(&w);
  world_free(&ref);
}

static void test_same_nearest(void) { same_as_one_rank(NULL, 11); }
static void test_same_logit_window1(void) {
  same_as_one_rank("  choice: logit\n  window_s: 1\n  max_tries: 4\n", 12);
}
static void test_same_design(void) {
  same_as_one_rank("  sensitivity:\n    enabled: true\n    corners: all\n", 14);
}
static void test_same_k1_window900(void) {
  same_as_one_rank("  max_tries: 1\n  window_s: 900\n  bin_s: 600\n", 13);
}

int lc_test_register(void) {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  CU_pSuite s = CU_add_suite("mpi_agents", NULL, NULL);
  if (!s)
    return 1;
  CU_add_test(s, "an agent crossing partitions arrives on time", test_cross_partitions);
  CU_add_test(s, "random city, random partition: equal to one rank (nearest)", test_same_nearest);
  CU_add_test(s, "random city: equal to one rank (logit, 1 s windows, K 4)",
              test_same_logit_window1);
  CU_add_test(s, "random city: equal to one rank (K 1, 900 s windows)", test_same_k1_window900);
  CU_add_test(s, "random city: sensitivity design equal to one rank", test_same_design);
  return 0;
}
