/* Comparison of a scenario with the baseline, reduced exactly over ranks. */
#include "lifecircle/compare.h"

#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

void compare_free(struct comparison *cmp) {
  free(cmp->newly_covered);
  free(cmp->no_longer_covered);
  memset(cmp, 0, sizeof *cmp);
}

int compare_compute(const struct coverage_spec *spec, int64_t n_owned, const int64_t *const *base,
                    const int64_t *const *scen, const int64_t *residents,
                    const int32_t *subdistrict, MPI_Comm comm, struct comparison *out) {
  memset(out, 0, sizeof *out);
  int R = spec->n_sub + 1, C = spec->n_cat, G = spec->n_group;
  size_t rcg = (size_t)R * C * G;
  int64_t *buf = calloc(2 * rcg + 1, sizeof *buf);
  int64_t *limit = lc_malloc_array(C * G, sizeof *limit);
  if (!buf || !limit) {
    free(buf);
    free(limit);
    LC_FAIL(LC_ENOMEM, "cannot allocate the comparison tables");
  }
  for (int c = 0; c < C; c++)
    for (int g = 0; g < G; g++)
      limit[c * G + g] = coverage_limit_cm(spec->threshold_min[c], spec->speed_m_s[g]);
  int64_t *gain = buf, *loss = buf + rcg;
  for (int64_t i = 0; i < n_owned; i++) {
    int rows[2];
    int nrows = coverage_rows(subdistrict[i], spec->n_sub, rows);
    for (int c = 0; c < C; c++) {
      int64_t a = base[c][i], b = scen[c][i];
      for (int g = 0; g < G; g++) {
        int64_t w = residents[i * G + g];
        if (w == 0)
          continue;
        int64_t lim = limit[c * G + g];
        int in_a = a >= 0 && a <= lim, in_b = b >= 0 && b <= lim;
        if (in_a == in_b)
          continue;
        for (int r = 0; r < nrows; r++) {
          size_t k = ((size_t)rows[r] * C + c) * G + g;
          if (in_b)
            gain[k] += w;
          else
            loss[k] += w;
        }
      }
    }
  }
  free(limit);
  if (MPI_Allreduce(MPI_IN_PLACE, buf, (int)(2 * rcg), MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS) {
    free(buf);
    LC_FAIL(LC_EMPI, "comparison: MPI_Allreduce failed");
  }
  out->n_rows = R;
  out->n_cat = C;
  out->n_group = G;
  out->newly_covered = malloc((rcg > 0 ? rcg : 1) * sizeof *out->newly_covered);
  out->no_longer_covered = malloc((rcg > 0 ? rcg : 1) * sizeof *out->no_longer_covered);
  if (!out->newly_covered || !out->no_longer_covered) {
    free(buf);
    compare_free(out);
    LC_FAIL(LC_ENOMEM, "cannot allocate the comparison tables");
  }
  memcpy(out->newly_covered, gain, rcg * sizeof *gain);
  memcpy(out->no_longer_covered, loss, rcg * sizeof *loss);
  free(buf);
  return LC_OK;
}
