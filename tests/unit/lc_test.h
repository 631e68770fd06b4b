/* The shared main of the CUnit suites: each test file defines lc_test_register(). */
#ifndef LC_TEST_H
#define LC_TEST_H

#include <CUnit/CUnit.h>
#include <stdint.h>

struct graph;

/* Adds the file's suites and tests to the CUnit registry; returns 0 on success. */
int lc_test_register(void);

/* Path of a fixture under tests/fixtures (LC_FIXTURES), in a static buffer. */
const char *lc_fixture(const char *name);

/* Path of a file under the shared data folder (LIFECIRCLE_SHARED), in a static buffer. */
const char *lc_shared(const char *name);

/* A fresh temporary path with the given suffix, in a static ring of buffers. */
const char *lc_tmp(const char *suffix);

/* A small deterministic generator for random test instances (splitmix64): the next number
 * of the sequence whose state is *state, and one in 0 .. n-1 (n >= 1). */
uint64_t lc_rnd(uint64_t *state);
int64_t lc_rnd_below(uint64_t *state, int64_t n);

/* A random connected graph with its CSR: a random tree (node i + 1 to a node below it) plus
 * `extra` random edges, which may repeat an edge or be a self-loop; integer costs (= lengths)
 * lo .. hi; coordinates 0. */
void lc_random_graph(struct graph *g, int64_t n, int64_t extra, int64_t lo, int64_t hi,
                     uint64_t *state);

#endif
