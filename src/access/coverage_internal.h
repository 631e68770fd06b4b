/* Internal interface between coverage.c and coverage_quantile.c. */
#ifndef LC_COVERAGE_INTERNAL_H
#define LC_COVERAGE_INTERNAL_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/coverage.h"

/* Weighted median and 90th percentile of the walking distance, in metres, per row x slot x
 * group (row-major; rows as in struct coverage, slots the categories with slot[c] >= 0, in
 * order): the upper edge of the first 1-metre bin whose cumulative residents reach the
 * quantile, NaN when it is reached only beyond spec->max_radius_m or the row has no
 * residents of the group. Subdistrict rows are computed by the rank owning the subdistrict
 * (subdistrict s on rank s mod P) from the node records sent to it, the whole-area row from
 * histograms summed over ranks; all sums are integers, so the values do not depend on the
 * number of ranks. med_m and p90_m hold (n_sub + 1) x n_slot x n_group values and are
 * identical on every rank on return. Returns LC_OK, LC_ENOMEM or LC_EMPI on every rank.
 * Collective. */
int coverage_quantiles(const struct coverage_spec *spec, int64_t n_owned,
                       const int64_t *const *nearest_cm, const int64_t *residents,
                       const int32_t *subdistrict, const int *slot, int n_slot, MPI_Comm comm,
                       double *med_m, double *p90_m);

#endif
