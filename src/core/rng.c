/* Counter-based random numbers over Philox4x32-10 from Random123's reference header (Salmon,
 * Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11). */
#include "lifecircle/rng.h"

#include <Random123/philox.h>
#include <math.h>

void rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  const philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  const philox4x32_key_t k = {{key[0], key[1]}};
  const philox4x32_ctr_t r = philox4x32_R(10, c, k);
  out[0] = r.v[0];
  out[1] = r.v[1];
  out[2] = r.v[2];
  out[3] = r.v[3];
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

uint64_t rng_below(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index, uint64_t n) {
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
