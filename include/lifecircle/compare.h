/* Comparison of a scenario with the baseline: residents newly covered and no longer covered
 * per subdistrict x category x group, from per-node nearest distances held by the ranks
 * that own the nodes (so `run` and `lifecircle compare` share it). */
#ifndef LIFECIRCLE_COMPARE_H
#define LIFECIRCLE_COMPARE_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/coverage.h"

struct comparison {
  int n_rows, n_cat, n_group;   /* Rows as in struct coverage (subdistricts, then all). */
  int64_t *newly_covered;       /* rows x categories x groups. */
  int64_t *no_longer_covered;   /* rows x categories x groups. */
};

/* Counts, over this rank's n_owned nodes, the residents whose nearest facility of each
 * category moves inside (newly) or outside (no longer) the threshold at their group's speed
 * between `base` and `scen` (per category, per owned node; -1 means none within the radius),
 * and reduces over `comm`. Collective. */
int compare_compute(const struct coverage_spec *spec, int64_t n_owned,
                    const int64_t *const *base, const int64_t *const *scen,
                    const int64_t *residents, const int32_t *subdistrict, MPI_Comm comm,
                    struct comparison *out);

/* Frees a comparison. */
void compare_free(struct comparison *cmp);

#endif
