/* The generator is a pure function of (seed, agent, purpose, index): every rank computes the
 * same values for the same keys, and values computed by the rank that owns an agent equal
 * those computed anywhere else. */
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/rng.h"

#define N_KEYS 512
#define N_KINDS 4

/* The four kinds of draw for key k, as 64-bit words (doubles by their bits). */
static void draws(uint32_t k, uint64_t out[N_KINDS]) {
  uint64_t seed = UINT64_C(0x5eed) + (k % 3), agent = (uint64_t)k * UINT64_C(2654435761);
  uint32_t purpose = k % 5, index = k / 5;
  double u = rng_uniform(seed, agent, purpose, index);
  double z = rng_normal(seed, agent, purpose, index);
  out[0] = rng_u64(seed, agent, purpose, index);
  memcpy(&out[1], &u, sizeof u);
  memcpy(&out[2], &z, sizeof z);
  out[3] = rng_below(seed, agent, purpose, index, 1000 + k);
}

static void test_mpi_rng_same(void) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  uint64_t *mine = malloc(N_KEYS * N_KINDS * sizeof *mine);
  uint64_t *all = malloc((size_t)size * N_KEYS * N_KINDS * sizeof *all);
  CU_ASSERT_FATAL(mine && all);
  for (uint32_t k = 0; k < N_KEYS; k++)
    draws(k, mine + k * N_KINDS);
  CU_ASSERT_EQUAL_FATAL(MPI_Allgather(mine, N_KEYS * N_KINDS, MPI_UINT64_T, all, N_KEYS * N_KINDS,
                                      MPI_UINT64_T, MPI_COMM_WORLD),
                        MPI_SUCCESS);
  for (int r = 0; r < size; r++)
    CU_ASSERT_EQUAL(
        memcmp(all + (size_t)r * N_KEYS * N_KINDS, mine, N_KEYS * N_KINDS * sizeof *mine), 0);
  /* Each rank draws only for the keys it owns (round robin); the union equals what this rank
   * computes for every key. */
  uint64_t *owned = calloc(N_KEYS * N_KINDS, sizeof *owned);
  uint64_t *merged = calloc(N_KEYS * N_KINDS, sizeof *merged);
  CU_ASSERT_FATAL(owned && merged);
  for (uint32_t k = (uint32_t)rank; k < N_KEYS; k += (uint32_t)size)
    draws(k, owned + k * N_KINDS);
  /* Keys owned elsewhere stay 0, so a bitwise OR merges them exactly. */
  CU_ASSERT_EQUAL_FATAL(
      MPI_Allreduce(owned, merged, N_KEYS * N_KINDS, MPI_UINT64_T, MPI_BOR, MPI_COMM_WORLD),
      MPI_SUCCESS);
  CU_ASSERT_EQUAL(memcmp(merged, mine, N_KEYS * N_KINDS * sizeof *mine), 0);
  free(owned);
  free(merged);
  free(mine);
  free(all);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("mpi_rng", NULL, NULL);
  if (!s || !CU_add_test(s, "identical draws on every rank", test_mpi_rng_same))
    return 1;
  return 0;
}
