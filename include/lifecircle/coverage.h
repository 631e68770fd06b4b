/* Coverage: population-weighted shares of residents within each category's walking
 * threshold, per subdistrict x category x group, the "complete life circle" share, walking
 * time quantiles, and the pass/fail table against the categories' targets. */
#ifndef LIFECIRCLE_COVERAGE_H
#define LIFECIRCLE_COVERAGE_H

#include <mpi.h>
#include <stdint.h>

/* What coverage needs to know of categories and groups. */
struct coverage_spec {
  int n_sub; /* Subdistricts; row n_sub of every table is the whole area. */
  int n_cat;
  int n_group;
  const int *threshold_min;   /* Per category: standard walking time in minutes. */
  const double *target_share; /* Per category: target share in [0, 1]. */
  const int *essential;       /* Per category: part of the complete life circle. */
  const uint8_t *serves;      /* n_cat x n_group: 1 when the category serves the group. */
  const double *speed_m_s;    /* Per group: walking speed in metres per second. */
  int64_t max_radius_m;       /* Distances beyond it count as "not reached". */
  const int8_t *data_status;  /* Per category: COVERAGE_DATA_OK, _THIN or _NONE (NULL: all
                                  ok). A category with no data has NaN shares and quantiles,
                                  pass -1, and is left out of the complete life circle. */
};

/* Data status of a category (Coverage/data_status). */
enum {
  COVERAGE_DATA_OK = 0,   /* Facilities as expected (or no expectation given). */
  COVERAGE_DATA_THIN = 1, /* Fewer facilities than expected: results rest on thin data. */
  COVERAGE_DATA_NONE = 2  /* No facility of the category on the network: no data. */
};

/* Results; every array is global and identical on all ranks. Rows: subdistricts, then the
 * whole area (index n_sub). Layouts are row-major in the order of the dimensions named. */
struct coverage {
  int n_rows, n_cat, n_group;
  int64_t *residents;     /* rows x groups. */
  int64_t *covered;       /* rows x categories x groups: residents within the threshold. */
  double *share;          /* rows x categories x groups: covered / residents (NaN when none, or
                          when the category has no data). */
  int64_t *complete;      /* rows x groups: residents with every essential category that
                          serves their group and has data (status not NONE) covered. */
  double *complete_share; /* rows x groups. */
  double *complete_all_essential; /* rows x groups: complete_share when every essential
                          category serving the group has data, NaN when any has none. */
  int8_t *data_status;  /* categories: the spec's data status (all OK when it had none). */
  double *median_min;   /* rows x categories x groups: median walking minutes (NaN: beyond R). */
  double *p90_min;      /* rows x categories x groups: 90th percentile walking minutes. */
  double *served_share; /* rows x categories: share over the groups the category serves. */
  int8_t *pass;         /* rows x categories: 1 when served_share >= target, 0 when not,
                          -1 when the row has no residents of the served groups or the
                          category has no data. */
};

/* Limit in centimetres of a threshold for a group: floor(minutes * 60 * speed * 100). */
int64_t coverage_limit_cm(int threshold_min, double speed_m_s);

/* The table rows a node counts in: its subdistrict (when in [0, n_sub)) and the whole area
 * (row n_sub). Fills rows and returns how many (1 or 2). */
int coverage_rows(int32_t subdistrict, int n_sub, int rows[2]);

/* Computes coverage from this rank's nodes and reduces it over `comm`. nearest_cm[c] holds,
 * per owned node, the walking distance to the nearest facility of category c (-1: none
 * within the radius); residents holds owned nodes x groups; subdistrict per owned node
 * (-1: outside every subdistrict, counted only in the whole-area row). Quantiles come from
 * 1-metre distance histograms: the reported distance is the upper edge of the bin where the
 * cumulative residents reach the fraction, divided by the group's speed. Collective. */
int coverage_compute(const struct coverage_spec *spec, int64_t n_owned,
                     const int64_t *const *nearest_cm, const int64_t *residents,
                     const int32_t *subdistrict, MPI_Comm comm, struct coverage *out);

/* Like coverage_compute, but only the categories with which[c] != 0 are computed; the
 * tables of the others are copied from `reuse` (a coverage of the same spec, population and
 * partition whose nearest distances of those categories are the same). The complete life
 * circle, which depends on every category, is always computed. Collective. */
int coverage_compute_partial(const struct coverage_spec *spec, int64_t n_owned,
                             const int64_t *const *nearest_cm, const int64_t *residents,
                             const int32_t *subdistrict, const uint8_t *which,
                             const struct coverage *reuse, MPI_Comm comm, struct coverage *out);

/* Frees the tables. */
void coverage_free(struct coverage *cov);

#endif
