/* The enhanced two-step floating catchment area (E2SFCA) measure of supply per demand,
 * from the kernel's catchment lists (Luo & Qi 2009, "An enhanced two-step floating
 * catchment area (E2SFCA) method for measuring spatial accessibility to primary care
 * physicians", Health & Place 15(4):1100-1107), with the continuous Gaussian distance decay
 * of Dai 2010 (Health & Place 16(5):1038-1052):
 *   W(d) = (exp(-d^2 / (2 d0^2)) - exp(-1/2)) / (1 - exp(-1/2)) for d <= d0, else 0,
 * the catchment d0 being the category's radius. Per category c:
 *   step 1, per facility j: R_j = S_j / sum over nodes k with j in k's list of D_k W(d_kj),
 *   step 2, per node i:     A_i = sum over facilities j in i's list of R_j W(d_ij),
 * with S_j the facility's capacity (1 where the capacity is 0, "no limit": then A counts
 * facilities) and D_k the residents of the groups c serves at node k. A facility whose
 * catchment holds no demand contributes nothing. Values are per 1,000 residents. */
#ifndef LIFECIRCLE_E2SFCA_H
#define LIFECIRCLE_E2SFCA_H

#include <mpi.h>
#include <stdint.h>

#include "lifecircle/access.h"

/* The Gaussian weight W(d) above; 0 beyond d0 (and for d < 0, "no facility"). Local, pure. */
double e2sfca_weight(double d, double d0);

struct e2sfca_spec {
  int n_sub, n_cat, n_group, k;
  const uint8_t *serves;   /* n_cat x n_group. */
  const int64_t *d0_cm;    /* Per category: catchment (the radius), > 0. */
  const int8_t *skip;      /* Per category: 1 when not computed (no data): NaN. May be NULL. */
  int64_t n_fac;           /* Facility rows. */
  const int32_t *capacity; /* Per facility row. */
};

/* Computes E2SFCA per owned node and category (node_out, n_owned x n_cat) and its mean
 * weighted by demand per row (rows_out, (n_sub + 1) x n_cat: subdistricts, then all; NaN
 * where a row has no demand). tables[c] holds the k-entry catchment lists of the owned
 * nodes; residents is n_owned x n_group; subdistrict per owned node (-1 outside).
 * truncated[c] receives the number of nodes with demand whose list of c is full (k entries):
 * their catchment may hold more facilities than the list, which the measure then leaves
 * out. Sums over nodes are in 2^-32 fixed point, so the results do not depend on the
 * number of ranks or threads. Returns LC_OK, LC_ENOMEM or LC_EMPI, agreed. Collective. */
int e2sfca_compute(const struct e2sfca_spec *spec, int64_t n_owned,
                   const struct access_table *tables, const int64_t *residents,
                   const int32_t *subdistrict, MPI_Comm comm, double *node_out, double *rows_out,
                   int64_t *truncated);

#endif
