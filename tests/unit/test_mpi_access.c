/* Tests of the distributed kernel at 1-4 ranks: on random connected graphs (the same on every
 * rank) and on the DIMACS rome99 road network, partitioned with METIS (and at random), the
 * kernel's results gathered in global node order equal the serial reference exactly, with 1
 * and 2 OpenMP threads. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/access.h"
#include "lifecircle/dgraph.h"
#include "lifecircle/dimacs.h"
#include "lifecircle/graph.h"
#include "lifecircle/partition.h"
#include "lifecircle/status.h"

static uint64_t rng_state;
static int64_t rnd_in(int64_t n) { return lc_rnd_below(&rng_state, n); }

/* Random sources: facility ids from a small range per category (several entrances per
 * facility, several facilities per node), offsets 0..2*maxc, radii from a few edges to
 * unbounded. */
static void random_sources(int64_t n, int n_cat, int64_t max_src, struct access_sources *src,
                           int64_t *radius, int64_t maxc) {
  for (int c = 0; c < n_cat; c++) {
    int64_t ns = 1 + rnd_in(max_src);
    int64_t *node = malloc((size_t)ns * sizeof *node);
    int64_t *fac = malloc((size_t)ns * sizeof *fac);
    int64_t *off = malloc((size_t)ns * sizeof *off);
    for (int64_t i = 0; i < ns; i++) {
      node[i] = rnd_in(n);
      fac[i] = 1000 * c + rnd_in(ns + ns / 4 + 1);
      off[i] = rnd_in(3) == 0 ? 0 : rnd_in(2 * maxc);
    }
    src[c] = (struct access_sources){ns, node, fac, off};
    /* Category 0 has the largest radius the result allows: unbounded on these graphs. */
    radius[c] = c == 0 ? INT32_MAX : maxc * (1 + rnd_in(40));
  }
}

static void free_sources(int n_cat, struct access_sources *src) {
  for (int c = 0; c < n_cat; c++) {
    free((void *)src[c].node);
    free((void *)src[c].fac);
    free((void *)src[c].offset_cm);
  }
}

/* Gathers a distributed result to rank 0 in global node order (NULL arrays elsewhere):
 * dist[c][i*k + j], fac[c][i*k + j]. */
static void gather(const struct dgraph *dg, const struct access_result *r, int64_t n,
                   int64_t **dist, int64_t **fac) {
  int rank, size, k = r->k;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int mine = dg->n_owned, *cnt = malloc((size_t)size * sizeof *cnt);
  int *displ = malloc((size_t)size * sizeof *displ), *cntk = malloc((size_t)size * sizeof *cntk);
  int *displk = malloc((size_t)size * sizeof *displk);
  MPI_Allgather(&mine, 1, MPI_INT, cnt, 1, MPI_INT, MPI_COMM_WORLD);
  int tot = 0;
  for (int p = 0; p < size; p++) {
    displ[p] = tot;
    cntk[p] = cnt[p] * k;
    displk[p] = tot * k;
    tot += cnt[p];
  }
  CU_ASSERT_EQUAL(tot, n);
  int64_t *ids = malloc(((size_t)n + 1) * sizeof *ids);
  int64_t *bd = malloc(((size_t)n * k + 1) * sizeof *bd);
  int64_t *bf = malloc(((size_t)n * k + 1) * sizeof *bf);
  MPI_Gatherv(dg->global, mine, MPI_INT64_T, ids, cnt, displ, MPI_INT64_T, 0, MPI_COMM_WORLD);
  int64_t *ld = malloc(((size_t)mine * k + 1) * sizeof *ld);
  int64_t *lf = malloc(((size_t)mine * k + 1) * sizeof *lf);
  for (int c = 0; c < r->n_cat; c++) {
    for (int64_t i = 0; i < (int64_t)mine * k; i++) {
      ld[i] = access_get(&r->t[c], i).dist_cm;
      lf[i] = access_get(&r->t[c], i).fac;
    }
    MPI_Gatherv(ld, mine * k, MPI_INT64_T, bd, cntk, displk, MPI_INT64_T, 0, MPI_COMM_WORLD);
    MPI_Gatherv(lf, mine * k, MPI_INT64_T, bf, cntk, displk, MPI_INT64_T, 0, MPI_COMM_WORLD);
    dist[c] = fac[c] = NULL;
    if (rank == 0) {
      dist[c] = malloc(((size_t)n * k + 1) * sizeof *dist[c]);
      fac[c] = malloc(((size_t)n * k + 1) * sizeof *fac[c]);
      for (int64_t t = 0; t < n; t++)
        for (int j = 0; j < k; j++) {
          dist[c][ids[t] * k + j] = bd[t * k + j];
          fac[c][ids[t] * k + j] = bf[t * k + j];
        }
    }
  }
  free(ids);
  free(bd);
  free(bf);
  free(ld);
  free(lf);
  free(cnt);
  free(displ);
  free(cntk);
  free(displk);
}

/* Writes the sources and the gathered kernel result as text for the scipy oracle of
 * tests/python/test_access_oracle.py: PREFIX.src has one line "category node facility
 * offset radius" per source, PREFIX.res one line "distance facility" per (category, node,
 * slot) in that order. */
static void dump(const char *prefix, const struct graph *g, int n_cat,
                 const struct access_sources *src, const int64_t *radius, int k, int64_t **dist,
                 int64_t **fac) {
  char path[4096];
  snprintf(path, sizeof path, "%s.src", prefix);
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (int c = 0; c < n_cat; c++)
    for (int64_t i = 0; i < src[c].n; i++)
      fprintf(f, "%d %lld %lld %lld %lld\n", c, (long long)src[c].node[i], (long long)src[c].fac[i],
              (long long)src[c].offset_cm[i], (long long)radius[c]);
  fclose(f);
  snprintf(path, sizeof path, "%s.res", prefix);
  f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (int c = 0; c < n_cat; c++)
    for (int64_t i = 0; i < g->n_nodes * k; i++)
      fprintf(f, "%lld %lld\n", (long long)dist[c][i], (long long)fac[c][i]);
  fclose(f);
}

/* Categories whose kernel result on this rank used 64-bit and 32-bit words (check_run). */
static int64_t layout_seen[2];

/* Runs the kernel with 1 and 2 threads on the given partition and compares with the serial
 * reference on rank 0 (and dumps the result when dump_prefix is not NULL). Returns the
 * rounds of the last run and, when records is not NULL, its records exchanged. */
static int64_t check_run_dump(const struct graph *g, const int32_t *part, int n_cat,
                              const struct access_sources *src, const int64_t *radius, int k,
                              const char *dump_prefix, int64_t *records) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  struct access_result s;
  memset(&s, 0, sizeof s);
  if (rank == 0)
    CU_ASSERT_EQUAL_FATAL(access_serial(g, n_cat, src, radius, k, &s), LC_OK);
  struct dgraph dg;
  CU_ASSERT_EQUAL_FATAL(dgraph_build(g, part, MPI_COMM_WORLD, &dg), LC_OK);
  int saved = omp_get_max_threads();
  int64_t rounds = 0;
  for (int threads = 1; threads <= 2; threads++) {
    omp_set_num_threads(threads);
    struct access_result a;
    CU_ASSERT_EQUAL_FATAL(access_run(&dg, n_cat, src, radius, k, &a, MPI_COMM_WORLD), LC_OK);
    CU_ASSERT_EQUAL(a.n_nodes, dg.n_owned);
    for (int c = 0; c < n_cat; c++)
      layout_seen[a.t[c].wide]++;
    rounds = a.rounds;
    if (records)
      *records = a.records;
    int64_t *dist[16], *fac[16];
    gather(&dg, &a, g->n_nodes, dist, fac);
    if (rank == 0 && dump_prefix && threads == 2)
      dump(dump_prefix, g, n_cat, src, radius, k, dist, fac);
    if (rank == 0) {
      int64_t bad = 0, reached = 0;
      for (int c = 0; c < n_cat; c++) {
        for (int64_t i = 0; i < g->n_nodes * k; i++) {
          bad += dist[c][i] != access_get(&s.t[c], i).dist_cm ||
                 fac[c][i] != access_get(&s.t[c], i).fac;
          reached += access_get(&s.t[c], i).fac >= 0;
        }
        free(dist[c]);
        free(fac[c]);
      }
      CU_ASSERT_EQUAL(bad, 0);
      CU_ASSERT(reached > 0);
    }
    access_result_free(&a);
  }
  omp_set_num_threads(saved);
  dgraph_free(&dg);
  if (rank == 0)
    access_result_free(&s);
  return rounds;
}

static int64_t check_run(const struct graph *g, const int32_t *part, int n_cat,
                         const struct access_sources *src, const int64_t *radius, int k,
                         const char *dump_prefix) {
  return check_run_dump(g, part, n_cat, src, radius, k, dump_prefix, NULL);
}

/* As check_run, also returning the records exchanged (summed over the ranks and rounds). */
static int64_t check_run_records(const struct graph *g, const int32_t *part, int n_cat,
                                 const struct access_sources *src, const int64_t *radius, int k,
                                 int64_t *records) {
  return check_run_dump(g, part, n_cat, src, radius, k, NULL, records);
}

static void test_access_mpi_random(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 2024;
  layout_seen[0] = layout_seen[1] = 0;
  /* Trials 8 to 11 have edges of 10^7 to 2 x 10^7 cm: category 0's radius (INT32_MAX, capped
   * at the longest path) then needs 64-bit label words, which the exchange carries too. */
  for (int trial = 0; trial < 12; trial++) {
    struct graph g;
    int64_t n = 50 + rnd_in(1500), maxc = trial < 8 ? 1 + rnd_in(50) : 10000000 + rnd_in(10000000);
    lc_random_graph(&g, n, rnd_in(n), 1, maxc, &rng_state);
    int n_cat = 1 + (int)rnd_in(5);
    struct access_sources src[8];
    int64_t radius[8];
    random_sources(n, n_cat, 30, src, radius, maxc);
    int k = trial % 4 == 0 ? 1 : (trial % 4 == 1 ? 2 : (trial % 4 == 2 ? 3 : 5));
    int32_t *part = malloc((size_t)n * sizeof *part);
    CU_ASSERT_EQUAL_FATAL(partition_build(&g, NULL, size, trial, MPI_COMM_WORLD, part), LC_OK);
    check_run(&g, part, n_cat, src, radius, k, NULL);
    /* A scattered partition: many ghosts and many rounds. */
    for (int64_t i = 0; i < n; i++)
      part[i] = (int32_t)rnd_in(size);
    int64_t rounds = check_run(&g, part, n_cat, src, radius, k, NULL);
    if (size == 1)
      CU_ASSERT_EQUAL(rounds, 1);
    free(part);
    free_sources(n_cat, src);
    graph_free(&g);
  }
  CU_ASSERT(layout_seen[0] > 0);
  CU_ASSERT(layout_seen[1] > 0);
}

/* rome99 (3,353 nodes, lengths in metres, 100 cm each): 12 categories with 5..60 sources
 * and radii of 0.5..5 km, k = 1 and k = 4. With LC_ACCESS_DUMP set, the k = 4 result is
 * written there for the scipy oracle. */
static void test_access_mpi_rome(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  struct graph g;
  CU_ASSERT_EQUAL_FATAL(dimacs_read(lc_shared("data/benchmarks/rome99.gr"), NULL, &g), LC_OK);
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(&g), LC_OK);
  rng_state = 77;
  const int n_cat = 12;
  struct access_sources src[12];
  int64_t radius[12];
  for (int c = 0; c < n_cat; c++) {
    int64_t ns = 5 + rnd_in(56);
    int64_t *node = malloc((size_t)ns * sizeof *node);
    int64_t *fac = malloc((size_t)ns * sizeof *fac);
    int64_t *off = malloc((size_t)ns * sizeof *off);
    for (int64_t i = 0; i < ns; i++) {
      node[i] = rnd_in(g.n_nodes);
      fac[i] = 100 * c + rnd_in(ns);
      off[i] = rnd_in(5000);
    }
    src[c] = (struct access_sources){ns, node, fac, off};
    radius[c] = 50000 * (1 + rnd_in(10));
  }
  int32_t *part = malloc((size_t)g.n_nodes * sizeof *part);
  CU_ASSERT_EQUAL_FATAL(partition_build(&g, NULL, size, 1, MPI_COMM_WORLD, part), LC_OK);
  check_run(&g, part, n_cat, src, radius, 1, NULL);
  check_run(&g, part, n_cat, src, radius, 4, getenv("LC_ACCESS_DUMP"));
  free(part);
  free_sources(n_cat, src);
  graph_free(&g);
}

/* Streams of several chunks: a random graph of 4000 nodes scattered over the ranks, one
 * category with 300 facilities, no radius and k = 64, so that a round's stream to one
 * neighbour holds far more records than one message chunk (32768). */
static void test_access_mpi_chunks(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 4242;
  struct graph g;
  const int64_t n = 4000, ns = 300;
  lc_random_graph(&g, n, n, 1, 50, &rng_state);
  int64_t *node = malloc((size_t)ns * sizeof *node);
  int64_t *fac = malloc((size_t)ns * sizeof *fac);
  int64_t *off = malloc((size_t)ns * sizeof *off);
  for (int64_t i = 0; i < ns; i++) {
    node[i] = rnd_in(n);
    fac[i] = i;
    off[i] = rnd_in(100);
  }
  struct access_sources src[1] = {{ns, node, fac, off}};
  int64_t radius[1] = {INT32_MAX}; /* The largest radius: unbounded here. */
  int32_t *part = malloc((size_t)n * sizeof *part);
  for (int64_t i = 0; i < n; i++)
    part[i] = (int32_t)rnd_in(size);
  int64_t records = 0;
  check_run_records(&g, part, 1, src, radius, 64, &records);
  if (size > 1)
    CU_ASSERT(records > 4 * 32768);
  free(part);
  free_sources(1, src);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("access_mpi", NULL, NULL);
  if (!s || !CU_add_test(s, "random graphs vs serial", test_access_mpi_random) ||
      !CU_add_test(s, "rome99 vs serial", test_access_mpi_rome) ||
      !CU_add_test(s, "streams of several chunks", test_access_mpi_chunks))
    return 1;
  return 0;
}
