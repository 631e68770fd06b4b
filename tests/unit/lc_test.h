/* The shared main of the CUnit suites: each test file defines lc_test_register(). */
#ifndef LC_TEST_H
#define LC_TEST_H

#include <CUnit/CUnit.h>

/* Adds the file's suites and tests to the CUnit registry; returns 0 on success. */
int lc_test_register(void);

/* Path of a fixture under tests/fixtures (LC_FIXTURES), in a static buffer. */
const char *lc_fixture(const char *name);

/* Path of a file under the shared data folder (LIFECIRCLE_SHARED), in a static buffer. */
const char *lc_shared(const char *name);

/* A fresh temporary path with the given suffix, in a static ring of buffers. */
const char *lc_tmp(const char *suffix);

#endif
