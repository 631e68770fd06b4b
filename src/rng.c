/* Philox4x32-10, written from the description in Salmon, Moraes, Dror and Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3", SC'11, section 3.3 (Philox): each round multiplies two
 * of the four words by fixed constants, swaps the halves and mixes in the round key; the key
 * is advanced between rounds by a Weyl sequence. */
#include "lifecircle/rng.h"

#include <math.h>

/* The multipliers and the Weyl key increments of Philox4x32 from the paper. */
#define RNG_M0 UINT32_C(0xD2511F53)
#define RNG_M1 UINT32_C(0xCD9E8D57)
#define RNG_W0 UINT32_C(0x9E3779B9)
#define RNG_W1 UINT32_C(0xBB67AE85)
#define RNG_ROUNDS 10

/* One round: the high and low halves of the two 64-bit products, permuted and mixed with the
 * round key. */
static void rng_round(uint32_t x[4], const uint32_t k[2]) {
  uint64_t p0 = (uint64_t)RNG_M0 * x[0];
  uint64_t p1 = (uint64_t)RNG_M1 * x[2];
  uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
  uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
  uint32_t y0 = hi1 ^ x[1] ^ k[0];
  uint32_t y2 = hi0 ^ x[3] ^ k[1];
  x[0] = y0;
  x[1] = lo1;
  x[2] = y2;
  x[3] = lo0;
}

void rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t x[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
  uint32_t k[2] = {key[0], key[1]};
  for (int r = 0; r < RNG_ROUNDS; r++) {
    /* The first round uses the key as given; each later round uses the next Weyl key. */
    if (r > 0) {
      k[0] += RNG_W0;
      k[1] += RNG_W1;
    }
    rng_round(x, k);
  }
  out[0] = x[0];
  out[1] = x[1];
  out[2] = x[2];
  out[3] = x[3];
}

/* The block for (seed, agent, purpose, index). */
static void rng_block(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index,
                      uint32_t out[4]) {
  const uint32_t ctr[4] = {(uint32_t)agent, (uint32_t)(agent >> 32), purpose, index};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  rng_philox4x32_10(ctr, key, out);
}

static uint64_t rng_word(const uint32_t w[4], int half) {
  return (uint64_t)w[2 * half] | ((uint64_t)w[2 * half + 1] << 32);
}

/* The top 53 bits of a word as a double in [0, 1). */
static double rng_unit(uint64_t w) { return (double)(w >> 11) * 0x1.0p-53; }

uint64_t rng_u64(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index) {
  uint32_t w[4];
  rng_block(seed, agent, purpose, index, w);
  return rng_word(w, 0);
}

double rng_uniform(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index) {
  return rng_unit(rng_u64(seed, agent, purpose, index));
}

double rng_normal(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index) {
  uint32_t w[4];
  rng_block(seed, agent, purpose, index, w);
  /* Box-Muller (Box and Muller, Ann. Math. Statist. 29, 1958): u1 in (0, 1] so that its
   * logarithm is finite, u2 in [0, 1). */
  double u1 = (double)((rng_word(w, 0) >> 11) + 1) * 0x1.0p-53;
  double u2 = rng_unit(rng_word(w, 1));
  const double two_pi = 6.283185307179586476925286766559;
  return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

uint64_t rng_below(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index,
                   uint64_t n) {
  if (n <= 1)
    return 0;
  /* 2^64 mod n, computed in 64-bit arithmetic as (2^64 - n) mod n. Words below it would
   * make the small residues more likely than the others; the rest map evenly. */
  const uint64_t threshold = (0 - n) % n;
  uint32_t w[4];
  rng_block(seed, agent, purpose, index, w);
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  for (;;) {
    for (int half = 0; half < 2; half++) {
      uint64_t x = rng_word(w, half);
      if (x >= threshold)
        return x % n;
    }
    /* Both words rejected (probability below 1/4): the next block encrypts this one. */
    rng_philox4x32_10(w, key, w);
  }
}
