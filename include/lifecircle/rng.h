/* Counter-based random numbers: Philox4x32-10 from Random123 (Salmon, Moraes, Dror and
 * Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11). Every draw is a pure function of
 * (seed, agent, purpose, index), so an agent draws the same numbers on any rank, with any
 * number of threads, in any order. There is no state to create, share or free.
 *
 * The key is the 64-bit seed (low word first); the 128-bit counter is the 64-bit agent id
 * (low word first), the purpose and the index. Give every kind of draw its own purpose
 * constant and number the draws of one agent and purpose with the index. */
#ifndef LIFECIRCLE_RNG_H
#define LIFECIRCLE_RNG_H

#include <stdint.h>

/* One Philox4x32-10 block, by Random123's reference header (philox4x32_R with 10 rounds):
 * encrypts the counter `ctr` under `key` and writes four 32-bit words to `out` (`out` may
 * alias `ctr`). Local, pure, thread-safe. */
void rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* A 64-bit random word for (seed, agent, purpose, index): the first two output words of the
 * block, out[0] in the low half. Local, pure, thread-safe. */
uint64_t rng_u64(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index);

/* A uniform double in [0, 1) with 53 random bits (the top 53 bits of rng_u64). Local, pure,
 * thread-safe. */
double rng_uniform(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index);

/* A standard normal deviate (mean 0, variance 1) by the Box-Muller transform of two 53-bit
 * uniforms taken from the four words of one block. Local, pure, thread-safe. */
double rng_normal(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index);

/* A uniform integer in [0, n), without modulo bias: 64-bit words below 2^64 mod n are
 * rejected and the next word is tried (the second half of the block, then further blocks
 * obtained by encrypting the previous block again), so the result is still a pure function
 * of the arguments. Returns 0 when n is 0 or 1. Local, pure, thread-safe. */
uint64_t rng_below(uint64_t seed, uint64_t agent, uint32_t purpose, uint32_t index, uint64_t n);

#endif
