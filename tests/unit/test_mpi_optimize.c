/* The distributed lazy greedy at 1 to 4 ranks: every rank builds the same random covering
 * instance, keeps the candidates j with j % size == rank, and the picks must equal those of
 * a plain serial greedy (every candidate evaluated every step, ties to the lower id) that
 * each rank computes alone on the whole instance. */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/optimize.h"
#include "lifecircle/status.h"

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

enum { NN = 40, GG = 2, NC = 25 };

struct full {
  int64_t weight[NN * GG], limit[GG];
  int64_t off[NC + 1], node[NC * NN], dist[NC * NN];
};

static int64_t value(const struct full *in, const int *set, int k) {
  uint8_t cov[NN * GG];
  memset(cov, 0, sizeof cov);
  for (int s = 0; s < k; s++)
    for (int64_t e = in->off[set[s]]; e < in->off[set[s] + 1]; e++)
      for (int g = 0; g < GG; g++)
        if (in->dist[e] <= in->limit[g])
          cov[in->node[e] * GG + g] = 1;
  int64_t v = 0;
  for (int i = 0; i < NN * GG; i++)
    v += cov[i] ? in->weight[i] : 0;
  return v;
}

static void test_distributed(void) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rng_state = 99;
  for (int trial = 0; trial < 30; trial++) {
    static struct full in;
    for (int i = 0; i < NN * GG; i++)
      in.weight[i] = rnd() % 5 == 0 ? 0 : rnd_in(1, 9); /* Small weights: many ties. */
    for (int g = 0; g < GG; g++)
      in.limit[g] = rnd_in(40, 100);
    int64_t at = 0;
    for (int j = 0; j < NC; j++) {
      in.off[j] = at;
      for (int x = 0; x < NN; x++)
        if (rnd() % 4 == 0) {
          in.node[at] = x;
          in.dist[at++] = rnd_in(0, 120);
        }
    }
    in.off[NC] = at;
    /* This rank's share. */
    struct optimize_cover cov;
    memset(&cov, 0, sizeof cov);
    cov.cand_id = malloc(NC * sizeof *cov.cand_id);
    cov.off = malloc((NC + 1) * sizeof *cov.off);
    cov.node = malloc((size_t)(at + 1) * sizeof *cov.node);
    cov.dist_cm = malloc((size_t)(at + 1) * sizeof *cov.dist_cm);
    int64_t m = 0;
    for (int j = rank; j < NC; j += size) {
      cov.cand_id[cov.n] = j;
      cov.off[cov.n++] = m;
      for (int64_t e = in.off[j]; e < in.off[j + 1]; e++) {
        cov.node[m] = in.node[e];
        cov.dist_cm[m++] = in.dist[e];
      }
    }
    cov.off[cov.n] = m;
    int k = (int)rnd_in(1, 8);
    int64_t pick[8], gain[8];
    int np = 0;
    CU_ASSERT_FATAL(optimize_greedy(NN, GG, in.weight, in.limit, &cov, k, MPI_COMM_WORLD, pick,
                                    gain, &np) == LC_OK);
    int plain[8], pn = 0;
    for (int step = 0; step < k; step++) {
      int64_t base = value(&in, plain, pn), best = 0;
      int arg = -1;
      for (int j = 0; j < NC; j++) {
        int used = 0;
        for (int s = 0; s < pn; s++)
          used |= plain[s] == j;
        if (used)
          continue;
        plain[pn] = j;
        int64_t gj = value(&in, plain, pn + 1) - base;
        if (gj > best) {
          best = gj;
          arg = j;
        }
      }
      if (arg < 0)
        break;
      plain[pn++] = arg;
      CU_ASSERT(step >= np || gain[step] == best);
    }
    CU_ASSERT_EQUAL(np, pn);
    for (int i = 0; i < np && i < pn; i++)
      CU_ASSERT_EQUAL(pick[i], plain[i]);
    optimize_cover_free(&cov);
  }
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("optimize (MPI)", NULL, NULL);
  if (!s || !CU_add_test(s, "distributed greedy equals plain greedy", test_distributed))
    return 1;
  return 0;
}
