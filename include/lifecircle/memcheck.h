/* Memory estimates checked before large allocations, so that a request that cannot fit is
 * refused up front with the estimate (LC_ETOOBIG) instead of the kernel killing the job. */
#ifndef LIFECIRCLE_MEMCHECK_H
#define LIFECIRCLE_MEMCHECK_H

#include <stdint.h>

/* Reads the memory this process may still use, in bytes, into *bytes: MemAvailable of
 * /proc/meminfo, or LIFECIRCLE_MEM_AVAILABLE (bytes; for tests and for batch systems that
 * grant less than the node has) when that variable is set. *bytes is -1 when neither is
 * known. Returns LC_OK. Local. */
int memcheck_available(int64_t *bytes);

/* Adds a * b to *sum, saturating at INT64_MAX (estimates of absurd requests must not wrap).
 * Negative factors count as 0. Local. */
void memcheck_add(int64_t *sum, int64_t a, int64_t b);

/* Refuses a request whose estimated footprint `need` (bytes) exceeds the available memory:
 * LC_ETOOBIG with "WHAT needs about X GiB (DETAIL), more than the Y GiB available
 * (MemAvailable)". `what` and `detail` describe the request. Returns LC_OK when it fits or
 * the available memory is unknown. Local: on several ranks of one node, pass each rank's
 * share or the node's sum as the caller sees fit. */
int memcheck_fits(int64_t need, const char *what, const char *detail);

#endif
