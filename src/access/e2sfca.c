/* E2SFCA from the catchment lists (see e2sfca.h). */
#include "lifecircle/e2sfca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/coverage.h"
#include "lifecircle/status.h"

/* Fixed point of the sums over nodes: exact integer sums, the same for any rank count. */
#define E2SFCA_SCALE 4294967296.0

double e2sfca_weight(double d, double d0) {
  if (d < 0 || d > d0 || d0 <= 0)
    return 0.0;
  double e = exp(-0.5);
  return (exp(-0.5 * (d / d0) * (d / d0)) - e) / (1.0 - e);
}

/* Demand of category c at owned node i: residents of the groups c serves. */
static int64_t e2sfca_demand(const struct e2sfca_spec *s, const int64_t *residents, int64_t i,
                             int c) {
  int64_t d = 0;
  for (int g = 0; g < s->n_group; g++)
    if (s->serves[c * s->n_group + g])
      d += residents[i * s->n_group + g];
  return d;
}

int e2sfca_compute(const struct e2sfca_spec *spec, int64_t n_owned,
                   const struct access_table *tables, const int64_t *residents,
                   const int32_t *subdistrict, MPI_Comm comm, double *node_out, double *rows_out,
                   int64_t *truncated) {
  int C = spec->n_cat, R = spec->n_sub + 1, k = spec->k;
  int64_t F = spec->n_fac;
  /* One buffer reduced at once: facility demand (F), row demand (R x C), truncated (C). */
  size_t n_sum = (size_t)F + (size_t)R * C + (size_t)C;
  int64_t *sum = calloc(n_sum > 0 ? n_sum : 1, sizeof *sum);
  int64_t *row_acc = calloc((size_t)R * C > 0 ? (size_t)R * C : 1, sizeof *row_acc);
  int st = sum && row_acc ? LC_OK : LC_ENOMEM;
  if (MPI_Allreduce(MPI_IN_PLACE, &st, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS)
    st = LC_EMPI;
  if (st != LC_OK) {
    free(sum);
    free(row_acc);
    LC_FAIL(st, "E2SFCA: cannot allocate the sums (%zu values)", n_sum);
  }
  int64_t *fac_dem = sum, *row_dem = sum + F, *trunc = row_dem + (size_t)R * C;
  /* Step 1: demand within each facility's catchment, weighted by distance. */
  for (int c = 0; c < C; c++) {
    if (spec->skip && spec->skip[c])
      continue;
    double d0 = (double)spec->d0_cm[c];
    for (int64_t i = 0; i < n_owned; i++) {
      int64_t dem = e2sfca_demand(spec, residents, i, c);
      if (dem == 0)
        continue;
      int rows[2], nr = coverage_rows(subdistrict[i], spec->n_sub, rows);
      for (int r = 0; r < nr; r++)
        row_dem[(size_t)rows[r] * C + c] += dem;
      int full = k > 0;
      for (int e = 0; e < k; e++) {
        struct access_entry a = access_get(&tables[c], i * k + e);
        if (a.fac < 0) {
          full = 0;
          break;
        }
        fac_dem[a.fac] += llround((double)dem * e2sfca_weight(a.dist_cm, d0) * E2SFCA_SCALE);
      }
      trunc[c] += full;
    }
  }
  int rc = LC_OK;
  for (size_t done = 0; done < n_sum && rc == LC_OK;) {
    size_t chunk = n_sum - done > (1u << 28) ? (1u << 28) : n_sum - done;
    if (MPI_Allreduce(MPI_IN_PLACE, sum + done, (int)chunk, MPI_INT64_T, MPI_SUM, comm) !=
        MPI_SUCCESS)
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "E2SFCA: MPI_Allreduce failed");
    done += chunk;
  }
  if (rc != LC_OK) {
    free(sum);
    free(row_acc);
    return rc;
  }
  /* Step 2: per node, the supply-to-demand ratios within reach, weighted by distance. The
   * largest value and the total demand fix the fixed point of the row sums. */
  double a_max = 0.0;
  int64_t dem_max = 0;
  for (int c = 0; c < C; c++) {
    truncated[c] = trunc[c];
    int skip = spec->skip && spec->skip[c];
    double d0 = (double)spec->d0_cm[c];
    for (int64_t i = 0; i < n_owned; i++) {
      double a = 0.0;
      for (int e = 0; e < k && !skip; e++) {
        struct access_entry x = access_get(&tables[c], i * k + e);
        if (x.fac < 0)
          break;
        if (fac_dem[x.fac] <= 0)
          continue; /* No demand in its catchment: nothing to share. */
        double s = spec->capacity[x.fac] > 0 ? (double)spec->capacity[x.fac] : 1.0;
        a += s / ((double)fac_dem[x.fac] / E2SFCA_SCALE) * e2sfca_weight(x.dist_cm, d0);
      }
      a *= 1000.0;
      node_out[i * C + c] = skip ? NAN : a;
      if (!skip && a > a_max)
        a_max = a;
    }
    if (row_dem[(size_t)(R - 1) * C + c] > dem_max)
      dem_max = row_dem[(size_t)(R - 1) * C + c];
  }
  double both[2] = {a_max, (double)dem_max};
  if (MPI_Allreduce(MPI_IN_PLACE, both, 2, MPI_DOUBLE, MPI_MAX, comm) != MPI_SUCCESS)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "E2SFCA: MPI_Allreduce failed");
  /* Row sums of demand x A in fixed point: a power of two keeping the total below 2^62. */
  double bound = both[0] * both[1];
  double q = bound > 0 ? ldexp(1.0, 62 - (int)ceil(log2(bound)) - 1) : 1.0;
  for (int c = 0; c < C && rc == LC_OK; c++) {
    if (spec->skip && spec->skip[c])
      continue;
    for (int64_t i = 0; i < n_owned; i++) {
      int64_t dem = e2sfca_demand(spec, residents, i, c);
      if (dem == 0)
        continue;
      int64_t v = llround((double)dem * node_out[i * C + c] * q);
      int rows[2], nr = coverage_rows(subdistrict[i], spec->n_sub, rows);
      for (int r = 0; r < nr; r++)
        row_acc[(size_t)rows[r] * C + c] += v;
    }
  }
  if (rc == LC_OK &&
      MPI_Allreduce(MPI_IN_PLACE, row_acc, R * C, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "E2SFCA: MPI_Allreduce failed");
  for (int r = 0; r < R && rc == LC_OK; r++)
    for (int c = 0; c < C; c++) {
      size_t x = (size_t)r * C + c;
      int skip = spec->skip && spec->skip[c];
      rows_out[x] = skip || row_dem[x] == 0 ? NAN : (double)row_acc[x] / q / (double)row_dem[x];
    }
  free(sum);
  free(row_acc);
  return rc;
}
