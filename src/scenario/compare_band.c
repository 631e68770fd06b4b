/* The band of a comparison's realised served gain over the sensitivity design
 * (Agents:sensitivity): the gain (residents realised-covered in the scenario minus the
 * baseline, summed over the groups the category serves) at the central run and at every
 * design point, both scenarios simulated with the same factors, agents and random streams.
 * Read back from the results file, so `run` and `compare` share it. */
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/status.h"

/* Realised-covered residents summed over groups: R x C from an R x (C*G) table. Activities
 * only name groups a category serves (agents_prepare refuses the others), so every other
 * group's count is 0 and the sum is over the served groups. */
static void band_sum_groups(const int64_t *cg, int64_t R, int C, int G, int64_t *out) {
  for (int64_t r = 0; r < R; r++)
    for (int c = 0; c < C; c++) {
      int64_t s = 0;
      for (int g = 0; g < G; g++)
        s += cg[(r * C + c) * G + g];
      out[r * C + c] = s;
    }
}

int compare_band_write(struct results *res, const char *scenario, const char *baseline) {
  hid_t f = res->file;
  char sg[2][600], name[1400], group[600];
  snprintf(group, sizeof group, "/Comparisons/%s", scenario);
  snprintf(sg[0], sizeof sg[0], "/Scenarios/%s/RealisedCoverage", baseline);
  snprintf(sg[1], sizeof sg[1], "/Scenarios/%s/RealisedCoverage", scenario);
  const char *missing = NULL;
  static const char *const need[] = {"covered", "design_factors", "design_covered"};
  for (int w = 0; w < 2 && !missing; w++)
    for (int i = 0; i < 3 && !missing; i++) {
      snprintf(name, sizeof name, "%s/%s", sg[w], need[i]);
      if (h5io_exists(f, name) <= 0)
        missing = need[i];
    }
  if (missing)
    return results_attr_str(res, group, "realised_band",
                            "not computed: the baseline or the scenario has no sensitivity "
                            "design (Agents:sensitivity off, or results written before it)");
  int64_t *cov[2] = {NULL, NULL}, *dcov[2] = {NULL, NULL};
  double *fac[2] = {NULL, NULL};
  int64_t R = 0, CG = 0, D[2] = {0, 0}, P = 0, cells = 0, rows = 0, cols = 0;
  int st = LC_OK;
  for (int w = 0; w < 2 && st == LC_OK; w++) {
    snprintf(name, sizeof name, "%s/covered", sg[w]);
    st = h5io_read(f, name, H5IO_I64, (void **)&cov[w], &R, &CG);
    snprintf(name, sizeof name, "%s/design_factors", sg[w]);
    if (st == LC_OK)
      st = h5io_read(f, name, H5IO_F64, (void **)&fac[w], &D[w], &P);
    snprintf(name, sizeof name, "%s/design_covered", sg[w]);
    if (st == LC_OK)
      st = h5io_read(f, name, H5IO_I64, (void **)&dcov[w], &rows, &cols);
    if (st == LC_OK && (rows != D[w] || cols != R * CG))
      st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s is %" PRId64 " x %" PRId64 ", expected %" PRId64 " x %" PRId64, name,
                        rows, cols, D[w], R * CG);
  }
  if (st == LC_OK && (D[0] != D[1] || memcmp(fac[0], fac[1], (size_t)(D[0] * P) * sizeof(double))))
    st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s and %s were simulated over different "
                      "sensitivity designs: no band",
                      baseline, scenario);
  int64_t C = 0;
  if (st == LC_OK) {
    int64_t *thr = NULL;
    st = h5io_read(f, "/Categories/threshold_min", H5IO_I64, (void **)&thr, &C, &cols);
    free(thr);
    if (st == LC_OK && (C <= 0 || CG % C))
      st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "RealisedCoverage has %" PRId64 " columns, not a multiple of %" PRId64
                        " categories",
                        CG, C);
  }
  st = lc_agree(res->comm, st);
  cells = R * C;
  int64_t *gain = NULL, *lo = NULL, *hi = NULL, *holds = NULL, *a = NULL, *b = NULL;
  if (st == LC_OK) {
    size_t n = (size_t)(cells > 0 ? cells : 1);
    gain = malloc(n * sizeof *gain);
    lo = malloc(n * sizeof *lo);
    hi = malloc(n * sizeof *hi);
    holds = malloc(n * sizeof *holds);
    a = malloc(n * sizeof *a);
    b = malloc(n * sizeof *b);
    st = lc_agree(res->comm, gain && lo && hi && holds && a && b ? LC_OK : LC_ENOMEM);
  }
  if (st == LC_OK) {
    int G = (int)(CG / C);
    band_sum_groups(cov[1], R, (int)C, G, a);
    band_sum_groups(cov[0], R, (int)C, G, b);
    for (int64_t k = 0; k < cells; k++) {
      gain[k] = lo[k] = hi[k] = a[k] - b[k];
      holds[k] = 1;
    }
    for (int64_t d = 0; d < D[0]; d++) {
      band_sum_groups(dcov[1] + d * R * CG, R, (int)C, G, a);
      band_sum_groups(dcov[0] + d * R * CG, R, (int)C, G, b);
      for (int64_t k = 0; k < cells; k++) {
        int64_t x = a[k] - b[k];
        lo[k] = x < lo[k] ? x : lo[k];
        hi[k] = x > hi[k] ? x : hi[k];
        int sg0 = (gain[k] > 0) - (gain[k] < 0), sx = (x > 0) - (x < 0);
        holds[k] &= sg0 == sx;
      }
    }
  }
#define BAND_W(field, data, units, desc)                                     \
  if (st == LC_OK) {                                                         \
    snprintf(name, sizeof name, "%s/" field, group);                         \
    st = results_write_global(res, name, H5IO_I64, data, R, C, units, desc); \
  }
  BAND_W("realised_served_gain", gain, "persons",
         "residents realised-covered for category c (row: subdistricts, then all) in the "
         "scenario minus the baseline, over the groups the category serves (central run)")
  BAND_W("realised_served_gain_low", lo, "persons",
         "lowest realised served gain over the central run and every point of the sensitivity "
         "design (RealisedCoverage/design_factors), both scenarios at the same factors")
  BAND_W("realised_served_gain_high", hi, "persons",
         "highest realised served gain over the central run and the sensitivity design")
  BAND_W("realised_served_gain_sign_holds", holds, "1",
         "1 when the gain has the sign of the central gain (positive, zero or negative) at "
         "every design point, else 0")
#undef BAND_W
  if (st == LC_OK)
    st = results_attr_str(res, group, "realised_band",
                          "realised_served_gain_low/high over the sensitivity design");
  for (int w = 0; w < 2; w++) {
    free(cov[w]);
    free(dcov[w]);
    free(fac[w]);
  }
  free(gain);
  free(lo);
  free(hi);
  free(holds);
  free(a);
  free(b);
  return st;
}

int compare_band_print(hid_t file, const char *scenario, char *const *row_name, char *const *cat_id,
                       int n_rows, int n_cat) {
  char name[700];
  static const char *const field[4] = {"realised_served_gain", "realised_served_gain_low",
                                       "realised_served_gain_high",
                                       "realised_served_gain_sign_holds"};
  snprintf(name, sizeof name, "/Comparisons/%s/%s", scenario, field[0]);
  if (h5io_exists(file, name) <= 0) {
    printf("  realised served gain band: not computed (no sensitivity design in this run)\n");
    return LC_OK;
  }
  int64_t *v[4] = {NULL, NULL, NULL, NULL}, R = 0, C = 0;
  int st = LC_OK;
  for (int i = 0; i < 4 && st == LC_OK; i++) {
    snprintf(name, sizeof name, "/Comparisons/%s/%s", scenario, field[i]);
    st = h5io_read(file, name, H5IO_I64, (void **)&v[i], &R, &C);
    if (st == LC_OK && (R != n_rows || C != n_cat))
      st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s is %" PRId64 " x %" PRId64 ", expected %d x %d", name, R, C, n_rows,
                        n_cat);
  }
  if (st == LC_OK) {
    printf("  realised served gain over the sensitivity design (residents of the served "
           "groups; central [low, high]; changed categories only):\n");
    int64_t quiet = 0;
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) {
        int64_t k = r * C + c;
        if (v[0][k] == 0 && v[1][k] == 0 && v[2][k] == 0) {
          quiet++;
          continue;
        }
        printf("  %-20s %-20s %+" PRId64 " [%+" PRId64 ", %+" PRId64 "]  %s\n", row_name[r],
               cat_id[c], v[0][k], v[1][k], v[2][k],
               v[3][k] ? "sign holds over the whole design" : "sign does NOT hold over the design");
      }
    printf("  (%" PRId64 " subdistrict x category rows with no gain at any design point not "
           "shown)\n",
           quiet);
  }
  for (int i = 0; i < 4; i++)
    free(v[i]);
  return st;
}
