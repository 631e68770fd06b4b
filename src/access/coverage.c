/* Coverage per subdistrict x category x group, reduced exactly over ranks. */
#include "lifecircle/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coverage_internal.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

int64_t coverage_limit_cm(int threshold_min, double speed_m_s) {
  return (int64_t)floor((double)threshold_min * 60.0 * speed_m_s * 100.0 + 1e-6);
}

void coverage_free(struct coverage *cov) {
  free(cov->residents);
  free(cov->covered);
  free(cov->share);
  free(cov->complete);
  free(cov->complete_share);
  free(cov->complete_all_essential);
  free(cov->data_status);
  free(cov->median_min);
  free(cov->p90_min);
  free(cov->served_share);
  free(cov->pass);
  memset(cov, 0, sizeof *cov);
}

int coverage_rows(int32_t subdistrict, int n_sub, int rows[2]) {
  if (subdistrict >= 0 && subdistrict < n_sub) {
    rows[0] = subdistrict;
    rows[1] = n_sub;
    return 2;
  }
  rows[0] = n_sub;
  return 1;
}

int coverage_compute(const struct coverage_spec *spec, int64_t n_owned,
                     const int64_t *const *nearest_cm, const int64_t *residents,
                     const int32_t *subdistrict, MPI_Comm comm, struct coverage *out) {
  return coverage_compute_partial(spec, n_owned, nearest_cm, residents, subdistrict, NULL, NULL,
                                  comm, out);
}

int coverage_compute_partial(const struct coverage_spec *spec, int64_t n_owned,
                             const int64_t *const *nearest_cm, const int64_t *residents,
                             const int32_t *subdistrict, const uint8_t *which,
                             const struct coverage *reuse, MPI_Comm comm, struct coverage *out) {
  memset(out, 0, sizeof *out);
  int R = spec->n_sub + 1, C = spec->n_cat, G = spec->n_group;
  size_t rcg = (size_t)R * C * G;
  /* Quantiles only for the categories computed here: slot[c] is c's place among them. */
  int *slot = lc_malloc_array(C, sizeof *slot);
  int n_hist = 0;
  for (int c = 0; c < C && slot; c++)
    slot[c] = (!which || which[c]) ? n_hist++ : -1;
  int64_t *limit = lc_malloc_array(C * G, sizeof *limit);
  /* One buffer for everything that is summed over ranks. */
  size_t rhg = (size_t)R * n_hist * G;
  size_t n_sum = (size_t)R * G + rcg + (size_t)R * G;
  int64_t *sum = calloc(n_sum, sizeof *sum);
  double *qm = malloc((rhg > 0 ? rhg : 1) * 2 * sizeof *qm);
  if (!limit || !sum || !slot || !qm) {
    free(limit);
    free(sum);
    free(slot);
    free(qm);
    LC_FAIL(LC_ENOMEM, "cannot allocate coverage sums (%zu values)", n_sum);
  }
  int64_t *res = sum, *cov = res + (size_t)R * G, *comp = cov + rcg;
  for (int c = 0; c < C; c++)
    for (int g = 0; g < G; g++)
      limit[c * G + g] = coverage_limit_cm(spec->threshold_min[c], spec->speed_m_s[g]);

  for (int64_t i = 0; i < n_owned; i++) {
    int rows[2];
    int nrows = coverage_rows(subdistrict[i], spec->n_sub, rows);
    for (int g = 0; g < G; g++) {
      int64_t w = residents[i * G + g];
      if (w == 0)
        continue;
      int all = 1;
      for (int c = 0; c < C; c++) {
        int64_t d = nearest_cm[c][i];
        int in = d >= 0 && d <= limit[c * G + g];
        /* The complete life circle of group g: the essential categories that serve g and
         * have data. */
        if (spec->essential[c] && spec->serves[c * G + g] && !in &&
            !(spec->data_status && spec->data_status[c] == COVERAGE_DATA_NONE))
          all = 0;
        if (slot[c] < 0 || !in)
          continue; /* Only the complete life circle needs this category here. */
        for (int r = 0; r < nrows; r++)
          cov[((size_t)rows[r] * C + c) * G + g] += w;
      }
      for (int r = 0; r < nrows; r++) {
        res[rows[r] * G + g] += w;
        if (all)
          comp[rows[r] * G + g] += w;
      }
    }
  }
  /* Integer sums are exact, so the reduction does not depend on the number of ranks. */
  int rc = LC_OK;
  size_t done = 0;
  while (done < n_sum && rc == LC_OK) {
    size_t chunk = n_sum - done > (1u << 28) ? (1u << 28) : n_sum - done;
    if (MPI_Allreduce(MPI_IN_PLACE, sum + done, (int)chunk, MPI_INT64_T, MPI_SUM, comm) !=
        MPI_SUCCESS)
      rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "coverage: MPI_Allreduce failed");
    done += chunk;
  }
  int qs = coverage_quantiles(spec, n_owned, nearest_cm, residents, subdistrict, slot, n_hist, comm,
                              qm, qm + rhg);
  if (rc == LC_OK)
    rc = qs;
  if (rc != LC_OK) {
    free(limit);
    free(sum);
    free(slot);
    free(qm);
    return rc;
  }
  out->n_rows = R;
  out->n_cat = C;
  out->n_group = G;
  out->residents = malloc((size_t)R * G * sizeof *out->residents);
  out->covered = malloc(rcg * sizeof *out->covered);
  out->share = malloc(rcg * sizeof *out->share);
  out->complete = malloc((size_t)R * G * sizeof *out->complete);
  out->complete_share = malloc((size_t)R * G * sizeof *out->complete_share);
  out->median_min = malloc(rcg * sizeof *out->median_min);
  out->p90_min = malloc(rcg * sizeof *out->p90_min);
  out->served_share = malloc((size_t)R * C * sizeof *out->served_share);
  out->pass = malloc((size_t)R * C * sizeof *out->pass);
  out->complete_all_essential = malloc((size_t)R * G * sizeof *out->complete_all_essential);
  out->data_status = lc_malloc_array(C, sizeof *out->data_status);
  if (!out->residents || !out->covered || !out->share || !out->complete || !out->complete_share ||
      !out->median_min || !out->p90_min || !out->served_share || !out->pass ||
      !out->complete_all_essential || !out->data_status) {
    coverage_free(out);
    free(limit);
    free(sum);
    free(slot);
    free(qm);
    LC_FAIL(LC_ENOMEM, "cannot allocate coverage tables");
  }
  memcpy(out->residents, res, (size_t)R * G * sizeof *res);
  memcpy(out->covered, cov, rcg * sizeof *cov);
  memcpy(out->complete, comp, (size_t)R * G * sizeof *comp);
  for (int c = 0; c < C; c++)
    out->data_status[c] = spec->data_status ? spec->data_status[c] : COVERAGE_DATA_OK;
  for (int r = 0; r < R; r++) {
    for (int g = 0; g < G; g++) {
      int64_t n = res[r * G + g];
      int missing = 0;
      for (int c = 0; c < C; c++)
        missing |= spec->essential[c] && spec->serves[c * G + g] &&
                   out->data_status[c] == COVERAGE_DATA_NONE;
      out->complete_share[r * G + g] = n > 0 ? (double)comp[r * G + g] / (double)n : NAN;
      out->complete_all_essential[r * G + g] = missing ? NAN : out->complete_share[r * G + g];
    }
    for (int c = 0; c < C; c++) {
      int64_t num = 0, den = 0;
      if (slot[c] < 0) {
        /* Unchanged category: its tables are the reused coverage's. */
        for (int g = 0; g < G; g++) {
          size_t k = ((size_t)r * C + c) * G + g;
          out->covered[k] = reuse->covered[k];
          out->share[k] = reuse->share[k];
          out->median_min[k] = reuse->median_min[k];
          out->p90_min[k] = reuse->p90_min[k];
        }
        out->served_share[r * C + c] = reuse->served_share[r * C + c];
        out->pass[r * C + c] = reuse->pass[r * C + c];
        continue;
      }
      int none = out->data_status[c] == COVERAGE_DATA_NONE;
      for (int g = 0; g < G; g++) {
        size_t k = ((size_t)r * C + c) * G + g;
        int64_t n = res[r * G + g];
        out->share[k] = n > 0 && !none ? (double)cov[k] / (double)n : NAN;
        size_t h = ((size_t)r * n_hist + slot[c]) * G + g;
        double speed_m_min = spec->speed_m_s[g] * 60.0;
        out->median_min[k] = none ? NAN : qm[h] / speed_m_min;
        out->p90_min[k] = none ? NAN : qm[rhg + h] / speed_m_min;
        if (spec->serves[c * G + g]) {
          num += cov[k];
          den += n;
        }
      }
      /* No data is not a measured failure: NaN and -1, never 0. */
      out->served_share[r * C + c] = den > 0 && !none ? (double)num / (double)den : NAN;
      out->pass[r * C + c] =
          den > 0 && !none ? (int8_t)(out->served_share[r * C + c] >= spec->target_share[c]) : -1;
    }
  }
  free(limit);
  free(sum);
  free(slot);
  free(qm);
  return LC_OK;
}
