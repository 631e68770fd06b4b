/* Arrays on the heap: one place for the size arithmetic. */
#ifndef LIFECIRCLE_ALLOC_H
#define LIFECIRCLE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* malloc of n elements of `size` bytes. A request for no element still returns a unique
 * pointer (one element), so that NULL always means failure; NULL when n is negative or
 * n * size overflows size_t. Local, thread-safe. */
void *lc_malloc_array(int64_t n, size_t size);

/* As lc_malloc_array, zero-filled (calloc). */
void *lc_calloc_array(int64_t n, size_t size);

#endif
