/* Arrays on the heap: one place for the size arithmetic. */
#include "lifecircle/alloc.h"

#include <stdlib.h>

/* The element count to request: at least one, and none when the bytes would overflow. */
static int alloc_count(int64_t n, size_t size, size_t *count) {
  if (n < 0 || size == 0)
    return 0;
  *count = n > 0 ? (size_t)n : 1;
  return (uint64_t)*count <= SIZE_MAX / size;
}

void *lc_malloc_array(int64_t n, size_t size) {
  size_t count;
  return alloc_count(n, size, &count) ? malloc(count * size) : NULL;
}

void *lc_calloc_array(int64_t n, size_t size) {
  size_t count;
  return alloc_count(n, size, &count) ? calloc(count, size) : NULL;
}
