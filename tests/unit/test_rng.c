/* Tests of the counter-based generator: the Random123 known-answer vectors of Philox4x32-10
 * (Random123 distribution, examples/kat_vectors, lines "philox4x32 10 CTR[4] KEY[2]
 * EXPECTED[4]"), how the convenience functions lay out the key and counter, and statistical
 * checks of the uniform, normal and bounded draws with a fixed seed. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/rng.h"

static const struct {
  uint32_t ctr[4], key[2], out[4];
} kat[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000},
     {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

static void test_rng_kat(void) {
  for (size_t k = 0; k < sizeof kat / sizeof kat[0]; k++) {
    uint32_t out[4];
    rng_philox4x32_10(kat[k].ctr, kat[k].key, out);
    for (int j = 0; j < 4; j++)
      CU_ASSERT_EQUAL(out[j], kat[k].out[j]);
    /* The output may alias the counter. */
    uint32_t x[4];
    memcpy(x, kat[k].ctr, sizeof x);
    rng_philox4x32_10(x, kat[k].key, x);
    CU_ASSERT_EQUAL(memcmp(x, kat[k].out, sizeof x), 0);
  }
}

/* rng_u64 uses key = (seed low, seed high) and counter = (agent low, agent high, purpose,
 * index), and returns out[0] | out[1] << 32: checked on the pi-digits vector. */
static void test_rng_layout(void) {
  uint64_t seed = UINT64_C(0x299f31d0a4093822), agent = UINT64_C(0x85a308d3243f6a88);
  uint64_t w = rng_u64(seed, agent, 0x13198a2e, 0x03707344);
  CU_ASSERT_EQUAL(w, UINT64_C(0x94fdccebd16cfe09));
  CU_ASSERT_EQUAL(rng_u64(0, 0, 0, 0), UINT64_C(0xe169c58d6627e8d5));
  CU_ASSERT_EQUAL(rng_u64(UINT64_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX),
                  UINT64_C(0x41c83b0e408f276d));
  /* The top 53 bits of the word, scaled by 2^-53. */
  CU_ASSERT_EQUAL(rng_uniform(seed, agent, 0x13198a2e, 0x03707344),
                  ldexp((double)(UINT64_C(0x94fdccebd16cfe09) >> 11), -53));
  /* Pure: the same arguments give the same value; any other argument changes it. */
  CU_ASSERT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(7, 11, 3, 5));
  CU_ASSERT_NOT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(8, 11, 3, 5));
  CU_ASSERT_NOT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(7, 12, 3, 5));
  CU_ASSERT_NOT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(7, 11, 4, 5));
  CU_ASSERT_NOT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(7, 11, 3, 6));
  CU_ASSERT_NOT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(7, 11 + (UINT64_C(1) << 32), 3, 5));
  CU_ASSERT_NOT_EQUAL(rng_u64(7, 11, 3, 5), rng_u64(7 + (UINT64_C(1) << 32), 11, 3, 5));
}

#define N_DRAWS 1000000
#define SEED UINT64_C(20250101)

/* Mean 1/2 (standard error 0.00029), variance 1/12 (standard error 0.000075) and a
 * chi-square on 64 equal bins with 63 degrees of freedom (mean 63, sd 11.2; the bound 140 is
 * about p = 1e-7). */
static void test_rng_uniform(void) {
  static long bins[64];
  double sum = 0, sum2 = 0;
  int outside = 0;
  memset(bins, 0, sizeof bins);
  for (long i = 0; i < N_DRAWS; i++) {
    double u = rng_uniform(SEED, (uint64_t)(i % 1000), 1, (uint32_t)(i / 1000));
    if (!(u >= 0.0 && u < 1.0))
      outside++;
    sum += u;
    sum2 += u * u;
    bins[(int)(u * 64)]++;
  }
  CU_ASSERT_EQUAL(outside, 0);
  double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - mean * mean;
  CU_ASSERT_DOUBLE_EQUAL(mean, 0.5, 0.002);
  CU_ASSERT_DOUBLE_EQUAL(var, 1.0 / 12.0, 0.0005);
  double expect = N_DRAWS / 64.0, chi2 = 0;
  for (int b = 0; b < 64; b++)
    chi2 += (bins[b] - expect) * (bins[b] - expect) / expect;
  CU_ASSERT(chi2 < 140.0);
  CU_ASSERT(chi2 > 20.0); /* Far too even would be suspicious too (p about 1e-9). */
}

/* Standard normal: mean 0 and variance 1 (standard errors 0.001 and 0.0014), and the share
 * within one standard deviation, 0.682689 (standard error 0.00047). */
static void test_rng_normal(void) {
  double sum = 0, sum2 = 0;
  long within = 0, bad = 0;
  for (long i = 0; i < N_DRAWS; i++) {
    double z = rng_normal(SEED, (uint64_t)i, 2, 0);
    if (!isfinite(z))
      bad++;
    sum += z;
    sum2 += z * z;
    within += fabs(z) < 1.0;
  }
  CU_ASSERT_EQUAL(bad, 0);
  double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - mean * mean;
  CU_ASSERT_DOUBLE_EQUAL(mean, 0.0, 0.006);
  CU_ASSERT_DOUBLE_EQUAL(var, 1.0, 0.008);
  CU_ASSERT_DOUBLE_EQUAL((double)within / N_DRAWS, 0.682689, 0.003);
}

static void test_rng_below(void) {
  const uint64_t ns[] = {
      1,         2, 3, 7, 1000, (UINT64_C(1) << 32) + 1, (UINT64_C(1) << 63) + 1, UINT64_C(3) << 62,
      UINT64_MAX};
  for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
    int over = 0;
    for (uint32_t i = 0; i < 100000; i++)
      over += rng_below(SEED, k, 3, i, ns[k]) >= ns[k];
    CU_ASSERT_EQUAL(over, 0);
  }
  CU_ASSERT_EQUAL(rng_below(SEED, 0, 3, 0, 0), 0);
  CU_ASSERT_EQUAL(rng_below(SEED, 5, 3, 9, 1000), rng_below(SEED, 5, 3, 9, 1000));
  /* n = 3 * 2^62: an unbiased draw is below 2^62 with probability 1/3, a plain modulo of a
   * 64-bit word with probability 1/2. About a quarter of the words are rejected here. */
  long low = 0;
  const uint64_t n = UINT64_C(3) << 62;
  for (uint32_t i = 0; i < 200000; i++)
    low += rng_below(SEED, 99, 4, i, n) < (UINT64_C(1) << 62);
  CU_ASSERT_DOUBLE_EQUAL(low / 200000.0, 1.0 / 3.0, 0.006);
  /* Small n: a chi-square over 7 values (6 degrees of freedom; bound 40 is about p = 3e-7). */
  long c[7] = {0};
  for (uint32_t i = 0; i < 700000; i++)
    c[rng_below(SEED, i, 5, 0, 7)]++;
  double chi2 = 0;
  for (int b = 0; b < 7; b++)
    chi2 += (c[b] - 100000.0) * (c[b] - 100000.0) / 100000.0;
  CU_ASSERT(chi2 < 40.0);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("rng", NULL, NULL);
  if (!s || !CU_add_test(s, "Random123 known answers", test_rng_kat) ||
      !CU_add_test(s, "key and counter layout", test_rng_layout) ||
      !CU_add_test(s, "uniform moments and chi-square", test_rng_uniform) ||
      !CU_add_test(s, "normal moments", test_rng_normal) ||
      !CU_add_test(s, "bounded integers", test_rng_below))
    return 1;
  return 0;
}
