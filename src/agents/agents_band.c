/* The uncertainty bands of realised coverage (Agents:sensitivity): the day rerun over a
 * design of the assumed parameters gives each RealisedCoverage cell a low and a high, and
 * each parameter an elasticity. Written beside RealisedCoverage; the comparisons' bands are
 * computed from these datasets (compare_band.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_internal.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

/* Share of category c over every group in row "all" at point d (-1: the central run). */
static double band_share_all(const struct agents_output *out, int d, int c) {
  int64_t cells = (int64_t)out->n_rows * out->n_cat * out->n_group;
  const int64_t *need = d < 0 ? out->needed : out->design_needed + d * cells;
  const int64_t *cov = d < 0 ? out->covered : out->design_covered + d * cells;
  int64_t at = ((int64_t)(out->n_rows - 1) * out->n_cat + c) * out->n_group, n = 0, k = 0;
  for (int g = 0; g < out->n_group; g++) {
    n += need[at + g];
    k += cov[at + g];
  }
  return n > 0 ? (double)k / (double)n : NAN;
}

int agents_write_design(struct results *res, const char *base, const struct agents_input *in,
                        const struct agents_output *out) {
  const struct agents_config *cfg = in->cfg;
  int D = out->n_design, C = out->n_cat, P = AGENTS_N_PARAMS;
  int64_t R = out->n_rows, CG = (int64_t)C * out->n_group, cells = R * CG;
  char name[600];
  double *lo = lc_malloc_array(cells, sizeof *lo);
  double *hi = lc_malloc_array(cells, sizeof *hi);
  int64_t *ulo = lc_malloc_array(cells, sizeof *ulo);
  int64_t *uhi = lc_malloc_array(cells, sizeof *uhi);
  double *el = lc_malloc_array(P * C, sizeof *el);
  double *fac = lc_malloc_array(D, P * sizeof *fac);
  int st = lo && hi && ulo && uhi && el && fac ? LC_OK : LC_ENOMEM;
  for (int64_t k = 0; st == LC_OK && k < cells; k++) {
    double a = INFINITY, b = -INFINITY;
    int64_t u0 = 0;
    for (int u = 0; u < AGENTS_N_UNMET; u++)
      u0 += out->unmet[u * cells + k];
    int64_t ua = u0, ub = u0;
    for (int d = -1; d < D; d++) {
      int64_t n = d < 0 ? out->needed[k] : out->design_needed[d * cells + k];
      int64_t c = d < 0 ? out->covered[k] : out->design_covered[d * cells + k];
      if (d >= 0) {
        int64_t u = out->design_unmet[d * cells + k];
        ua = u < ua ? u : ua;
        ub = u > ub ? u : ub;
      }
      if (n <= 0)
        continue;
      double s = (double)c / (double)n;
      a = s < a ? s : a;
      b = s > b ? s : b;
    }
    lo[k] = isfinite(a) ? a : NAN;
    hi[k] = isfinite(b) ? b : NAN;
    ulo[k] = ua;
    uhi[k] = ub;
  }
  /* Elasticity of the all-residents share from the one-at-a-time points (low and high of
   * the parameter, the others at 1): d ln share / d ln factor. */
  for (int q = 0; st == LC_OK && q < P; q++) {
    int dl = -1, dh = -1;
    for (int d = 0; d < D; d++) {
      int others = 1;
      for (int r = 0; r < P; r++)
        others &= r == q || cfg->design[d][r] == 1.0;
      if (!others)
        continue;
      if (cfg->design[d][q] < 1.0 && dl < 0)
        dl = d;
      if (cfg->design[d][q] > 1.0 && dh < 0)
        dh = d;
    }
    for (int c = 0; c < C; c++) {
      el[q * C + c] = NAN;
      if (dl < 0 || dh < 0)
        continue;
      double sl = band_share_all(out, dl, c), sh = band_share_all(out, dh, c);
      if (sl > 0 && sh > 0)
        el[q * C + c] = (log(sh) - log(sl)) / (log(cfg->design[dh][q]) - log(cfg->design[dl][q]));
    }
  }
  for (int d = 0; st == LC_OK && d < D; d++)
    for (int q = 0; q < P; q++)
      fac[d * P + q] = cfg->design[d][q];
#define BAND_W(field, type, data, rows, cols, units, desc)                     \
  if (st == LC_OK) {                                                           \
    snprintf(name, sizeof name, "%s/RealisedCoverage/" field, base);           \
    st = results_write_global(res, name, type, data, rows, cols, units, desc); \
  }
  BAND_W("share_low", H5IO_F64, lo, R, CG, "1",
         "lowest realised share (covered / needed, column c*G+g) over the central run and every "
         "point of the sensitivity design; NaN where no point has the need")
  BAND_W("share_high", H5IO_F64, hi, R, CG, "1",
         "highest realised share over the central run and the sensitivity design")
  BAND_W("unmet_low", H5IO_I64, ulo, R, CG, "persons",
         "fewest residents unmet (RealisedCoverage/unmet) over the central run and the design")
  BAND_W("unmet_high", H5IO_I64, uhi, R, CG, "persons",
         "most residents unmet over the central run and the design")
  BAND_W("elasticity", H5IO_F64, el, P, C, "1",
         "per parameter (row: design_parameters) and category: change of ln(realised share "
         "of all residents with the need) per change of ln(factor), between the parameter's "
         "low and high one-at-a-time points; NaN where a share is 0 or undefined")
  BAND_W("design_factors", H5IO_F64, fac, D, P, "1",
         "the sensitivity design: factor applied to each parameter (column: "
         "design_parameters) at each point (row); the central run (all 1) is not a row")
  BAND_W("design_needed", H5IO_I64, out->design_needed, D, cells, "persons",
         "RealisedCoverage/needed at each design point (row), flattened: column "
         "(r*C + c)*G + g")
  BAND_W("design_covered", H5IO_I64, out->design_covered, D, cells, "persons",
         "RealisedCoverage/covered at each design point (row), flattened like design_needed")
  BAND_W("design_unmet", H5IO_I64, out->design_unmet, D, cells, "persons",
         "RealisedCoverage/unmet at each design point (row), flattened like design_needed")
#undef BAND_W
  char *pn[AGENTS_N_PARAMS];
  for (int q = 0; q < P; q++)
    pn[q] = (char *)agents_param_names[q];
  snprintf(name, sizeof name, "%s/RealisedCoverage/design_parameters", base);
  if (st == LC_OK)
    st = results_write_strings(res, name, pn, P,
                               "parameters of the sensitivity design: capacity (seats of every "
                               "limited facility), service_time (every activity's seat time), "
                               "visit_rate (every activity's daily probability)");
  free(lo);
  free(hi);
  free(ulo);
  free(uhi);
  free(el);
  free(fac);
  return st;
}
